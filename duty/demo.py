"""Demo records for the DSL on duty, Operation Encompass and the AI tools register (``manage.py seed_demo``).

Idempotent: the rota is seeded only if Oakfield has none, police notifications only if it has none, AI tools
by name.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from safeguarding_portal.core import plugins
from safeguarding_portal.schools.models import Pupil

from . import ai, encompass, selectors, services
from .models import AIStandard, AITool, EncompassNotification, Period, RotaSlot

AI_TOOLS = (
    {
        "name": "Lesson Planner GPT",
        "supplier": "OpenAI (ChatGPT Edu)",
        "purpose": "Drafting lesson plans and quizzes",
        "used_by": "staff",
        "age_range": "",
        "data_seen": "Teachers' prompts; no pupil names or work",
        "status": "in_use",
    },
    {
        "name": "Reading Buddy AI",
        "supplier": "Example EdTech Ltd",
        "purpose": "Reading practice: pupils talk to a chatbot about their book",
        "used_by": "pupils",
        "age_range": "Years 3 to 6 (7 to 11)",
        "data_seen": "Pupils' typed answers and first names; voice recordings",
        "status": "proposed",
    },
)


def seed(*, demo) -> list[str]:
    school = demo.schools["oakfield"]
    users = demo.users
    dsl, deputy, head, staff = users["dsl"], users["deputy"], users["head"], users["staff"]
    with transaction.atomic():
        if not RotaSlot.objects.filter(school=school).exists():
            services.save_settings(
                school=school,
                by=dsl,
                day_starts=datetime.time(8),
                day_ends=datetime.time(17),
                out_of_hours_cover=True,
                team_after_minutes=15,
                head_after_minutes=30,
            )
            for day in range(5):
                services.set_slot(
                    school=school,
                    by=dsl,
                    weekday=day,
                    period=Period.SCHOOL_DAY,
                    person=dsl if day in (0, 2, 4) else deputy,
                )
            for day in range(7):
                services.set_slot(
                    school=school, by=dsl, weekday=day, period=Period.OUT_OF_HOURS, person=deputy if day % 2 else dsl
                )
            # The DSL's course next week: the deputy covers the day.
            start = selectors.next_school_day_start(school, timezone.now() + datetime.timedelta(days=7))
            services.swap_day(
                school=school,
                by=dsl,
                on=timezone.localtime(start).date(),
                period=Period.SCHOOL_DAY,
                person=deputy,
                reason="DSL refresher training",
            )
        if not EncompassNotification.objects.filter(school=school).exists():
            pupils = list(Pupil.objects.filter(school=school, left_on__isnull=True).order_by("pk")[10:13])
            if len(pupils) == 3:
                now = timezone.now()
                seen = encompass.record(
                    school=school,
                    by=dsl,
                    notified_at=now - datetime.timedelta(hours=1),
                    incident_on=timezone.localdate() - datetime.timedelta(days=1),
                    police_reference="WPC/4471/26",
                    officer_name="PC Daniel Reeves",
                    officer_contact="101 ext 4471",
                    support="Key adult (class teacher) to check in quietly at registration; ELSA session offered.",
                    pupil_ids=[pupils[0].pk, pupils[1].pk],
                )
                encompass.acknowledge(notification=seen, by=deputy)
                encompass.ask_action(
                    notification=seen,
                    by=deputy,
                    assignee=staff,
                    pupil=pupils[0],
                    text="A quiet check-in at morning registration; tell the DSL if anything worries you",
                )
                encompass.record(
                    school=school,
                    by=head,
                    notified_at=now - datetime.timedelta(minutes=20),
                    incident_on=timezone.localdate(),
                    police_reference="WPC/4502/26",
                    officer_name="PC Ayesha Khan",
                    officer_contact="ayesha.khan@police.example",
                    support="To be agreed by the DSL.",
                    pupil_ids=[pupils[2].pk],
                )
        for spec in AI_TOOLS:
            if AITool.objects.filter(school=school, name=spec["name"]).exists():
                continue
            tool = ai.add_tool(school=school, by=users["osl"], **spec)
            if spec["status"] == "in_use":
                ai.assess(tool=tool, by=dsl, ratings={s.value: ("met", "") for s in AIStandard})
                ai.decide(tool=tool, by=head, decision="approved", reason="Staff only; no pupil data entered.")
    figures = ai.figures(school_ids=[school.pk])[school.pk]
    waiting = encompass.unacknowledged().filter(school=school).count()
    person = selectors.on_duty(school)
    return [
        f"DSL on duty at Oakfield now: {person.full_name if person else 'nobody (out of hours, or no rota)'};",
        f"  police notifications: {EncompassNotification.objects.filter(school=school).count()} "
        f"({waiting} not yet acknowledged); AI tools: {figures['assessed']} of {figures['total']} assessed.",
    ]


plugins.register("demo", "duty", seed, order=70)
