"""Change kinds and fields as readers name them ("global period changed", "work RVU"), not as
the stored diffs and the API spell them ("global_days", "work_rvu")."""

from __future__ import annotations

from django import template

from medcode.changes.history import FIELD_LABELS

register = template.Library()

KIND_LABELS = {
    "added": "added",
    "deleted": "deleted",
    "retitled": "retitled",
    "billable": "billable flag changed",
    "terminated": "terminated",
    "status": "status changed",
    "global_days": "global period changed",
    "indicator": "indicator changed",
    "rvu": "RVUs changed",
    "payment": "payment changed",
    "apc": "APC changed",
    "modifier_indicator": "modifier indicator changed",
    "mue": "MUE value changed",
    "mai": "MUE adjudication indicator changed",
    "edit_type": "edit type changed",
    "coverage": "coverage changed",
}


@register.filter
def change_kind(kind: str) -> str:
    return KIND_LABELS.get(kind, kind.replace("_", " "))


@register.filter
def change_field(field: str) -> str:
    return FIELD_LABELS.get(field, field.replace("_", " ")) if field else ""
