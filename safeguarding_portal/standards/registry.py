"""The kinds of template a trust sets once for its schools (issue 18, "set the standard once").

A domain app declares each kind in ``<app>/trust_standards.py`` by registering a ``Kind``::

    @register
    class ProcedureKind(Kind):
        name = "incidents.procedures"
        ...

The foundation keeps the templates (``TrustTemplate``), the versions schools took (``TemplateAdoption``),
the states (``states``), the trust's pages and the audit events; the kind knows its own content: how to
read it from text and write it as text, where a school's copy differs from it, each school's current copy
(for many schools in one query) and how to take the trust's version into the school's own settings.

A kind that keeps its templates in its own models (``stored = False``, training requirements) registers
only so the trust's page lists it: it gives ``trust_url`` and ``summary`` instead.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from safeguarding_portal.core import plugins

NOT_ADOPTED, SAME, DIFFERS, BEHIND = "not_adopted", "same", "differs", "behind"
STATE_WORDS = {
    NOT_ADOPTED: "Not adopted",
    SAME: "As the trust's",
    DIFFERS: "Differs from the trust",
    BEHIND: "Behind the trust's newer version",
}


def states(*, trust_version: int, taken_version: int | None, differences: list[str]) -> list[str]:
    """A school's state against one template: not adopted; or behind (a newer version since) and/or differs
    (adapted, or changed since); or the same."""
    if taken_version is None:
        return [NOT_ADOPTED]
    found = []
    if taken_version < trust_version:
        found.append(BEHIND)
    if differences:
        found.append(DIFFERS)
    return found or [SAME]


def words(found: list[str]) -> str:
    return "; ".join(STATE_WORDS[s] for s in found)


class Kind:
    name: str = ""  # also the URL's kind and the audit events' detail
    label: str = ""  # "Procedure checklists"
    key_label: str = ""  # "Category": what one template of the kind is for
    intro: str = ""  # for the trust lead's page
    content_label: str = "Content"
    content_help: str = ""  # how to write the content in the publish form
    adopt_url: str = ""  # the domain app's URL (POST, ``template_id``) that takes the trust's version
    school_url: str = ""  # the school's page where it sees the trust's templates of this kind
    stored = True  # False: the kind keeps its own templates and pages (``trust_url``, ``summary``)
    order = 100  # its place on the trust's pages, among the other kinds

    def keys(self) -> list[tuple[str, str]]:
        raise NotImplementedError

    def parse(self, key: str, text: str) -> Any:
        """The content from the publish form's text; raise ValidationError when it is not usable."""
        raise NotImplementedError

    def as_text(self, content: Any) -> str:
        raise NotImplementedError

    def school_contents(self, *, school_ids: list[int], keys: list[str]) -> dict[tuple[int, str], Any]:
        """Each school's current copy for each key, in a fixed number of queries."""
        raise NotImplementedError

    def differences(self, template_content: Any, school_content: Any) -> list[str]:
        """Where the school's copy differs, in words ("step 3", "the text"); empty when the same."""
        raise NotImplementedError

    def apply(self, *, school, key: str, content: Any, by, origin=None, options: dict | None = None) -> None:
        """Write the trust's content into the school's own settings (the domain app's service)."""
        raise NotImplementedError

    def demo_template(self) -> tuple[str, Any] | None:
        """A template the demo trust publishes (key, content), so seed_demo shows the kind; None: none."""
        return None

    # Kinds with their own templates (stored = False).
    def trust_url(self) -> str:
        return reverse("standards:trust_kind", kwargs={"kind": self.name})

    def summary(self, *, trust) -> dict | None:
        """For kinds with their own templates: {"templates", "behind", "differs", "not_adopted"}."""
        return None


# Kind ``trust_standard`` of core.plugins, discovered in every app's ``trust_standards.py`` on first use.
KINDS = plugins.KindView("trust_standard")


def register(cls: type[Kind]) -> type[Kind]:
    plugins.register("trust_standard", cls.name, cls(), order=cls.order)
    return cls


def stored_kinds() -> list[Kind]:
    return [k for k in KINDS.values() if k.stored]
