"""The inpatient discharge page /claims/inpatient/: a GET form whose answer is the inpatient
check (claims/inpatient.py: the MCE edits and the MS-DRG), the same as the API and the CLI."""

from __future__ import annotations

import re
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from medcode.claims.inpatient import InpatientInputError, check_discharge

FIELDS = ("discharge_date", "principal_diagnosis", "secondary_diagnoses", "procedures")
# UB-04 patient discharge status codes offered in the form (the API takes any two digits).
STATUSES = (
    ("01", "01 home or self care"),
    ("02", "02 short-term general hospital"),
    ("03", "03 skilled nursing facility"),
    ("06", "06 home health"),
    ("07", "07 left against medical advice"),
    ("20", "20 expired"),
)
MAX_FIELD = 400  # characters of one form field read


def _codes(text: str) -> list[str]:
    return [c for c in re.split(r"[\s,;]+", text[:MAX_FIELD].strip()) if c]


@require_safe
def inpatient_page(request: HttpRequest) -> HttpResponse:
    form = {name: request.GET.get(name, "")[:MAX_FIELD] for name in FIELDS}
    form["sex"] = request.GET.get("sex", "")[:1]
    form["discharge_status"] = request.GET.get("discharge_status", "01")[:2]
    form["age"] = request.GET.get("age", "")[:3]
    context: dict[str, Any] = {"form": form, "statuses": STATUSES}
    if form["principal_diagnosis"].strip():
        body: dict[str, Any] = {
            "discharge_date": form["discharge_date"].strip(),
            "principal_diagnosis": form["principal_diagnosis"].strip(),
            "secondary_diagnoses": _codes(form["secondary_diagnoses"]),
            "procedures": _codes(form["procedures"]),
            "discharge_status": form["discharge_status"],
        }
        if form["sex"] in ("M", "F"):
            body["sex"] = form["sex"]
        if form["age"].strip():
            body["age"] = form["age"].strip()
        try:
            context["result"] = check_discharge(body)
        except InpatientInputError as exc:
            context["errors"] = exc.errors
    return render(request, "claims/inpatient.html", context)
