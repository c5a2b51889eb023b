"""The Celery application. Configuration comes from Django settings (CELERY_* names).

Tasks are never sent directly from a request: `safeguarding_portal.outbox.services.enqueue` writes them
to the outbox table in the caller's transaction and sends them after commit, so a broker that is down
costs nothing but a delay.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguarding_portal.settings")

app = Celery("safeguarding_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
