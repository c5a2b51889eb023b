"""Templates a trust publishes for its schools, and which version of each a school took.

The content of a template is the kind's own (``standards.registry``): a procedure's steps, an agreement's
text, a vendor's severity mapping. A school's own settings stay in its domain app's models; adopting copies
the template into them, and the ``TemplateAdoption`` remembers the version taken, so the school can adapt
it afterwards and still be shown as differing from, or behind, the trust's.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from .registry import KINDS


class TrustTemplate(models.Model):
    trust = models.ForeignKey("schools.Trust", on_delete=models.CASCADE, related_name="templates")
    kind = models.CharField(max_length=60)  # a registered kind's name (standards.registry.KINDS)
    key = models.CharField(max_length=60)  # which one of the kind: a category, an audience, a vendor
    content = models.JSONField()
    note = models.TextField(blank=True)  # why, for the schools
    version = models.PositiveIntegerField(default=1)
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["trust", "kind", "key"]
        constraints = [
            models.UniqueConstraint(fields=["trust", "kind", "key"], name="trusttemplate_one_per_key"),
            models.CheckConstraint(name="trusttemplate_version_positive", condition=Q(version__gte=1)),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} (trust template, version {self.version})"

    def clean(self) -> None:
        super().clean()
        kind = KINDS.get(self.kind)
        if kind is None or not kind.stored:
            raise ValidationError({"kind": "Not a kind of template the trust can publish."})
        if self.key not in dict(kind.keys()):
            raise ValidationError({"key": f"Not one of the {kind.key_label.lower()}s."})

    @property
    def kind_obj(self):
        return KINDS[self.kind]

    @property
    def content_text(self) -> str:
        return self.kind_obj.as_text(self.content)

    @property
    def key_label(self) -> str:
        return dict(self.kind_obj.keys()).get(self.key, self.key)


class TemplateAdoption(models.Model):
    """A school took ``template`` at ``version`` (it may have adapted its own copy since)."""

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="template_adoptions")
    template = models.ForeignKey(TrustTemplate, on_delete=models.CASCADE, related_name="adoptions")
    version = models.PositiveIntegerField()
    adopted_at = models.DateTimeField()
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "template"], name="templateadoption_one_per_school"),
            models.CheckConstraint(name="templateadoption_version_positive", condition=Q(version__gte=1)),
        ]

    def __str__(self) -> str:
        return f"{self.template} taken at version {self.version}"
