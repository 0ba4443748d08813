"""Calling /fhir/R4/ as a client would, and checking every answer with an independent FHIR
model library (fhir.resources, R4B models: the R4 terminology resources unchanged)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from django.test import Client
from fhir.resources.R4B import get_fhir_model_class

from medcode.codes.models import Release

BASE = "/fhir/R4/"
FHIR_JSON = "application/fhir+json"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
PCS = "http://www.cms.gov/Medicare/Coding/ICD10"
HCPCS = "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"
CPT = "http://www.ama-assn.org/go/cpt"


def checked(response: Any, status: int = 200) -> dict[str, Any]:
    """The body, after checking status, content type and the resource's FHIR validity."""
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith(FHIR_JSON)
    body: dict[str, Any] = json.loads(response.content)
    get_fhir_model_class(body["resourceType"]).model_validate(body)
    if body["resourceType"] == "Bundle":
        for entry in body.get("entry", []):
            for key in ("resource",):
                if key in entry:
                    get_fhir_model_class(entry[key]["resourceType"]).model_validate(entry[key])
            outcome = entry.get("response", {}).get("outcome")
            if outcome:
                get_fhir_model_class("OperationOutcome").model_validate(outcome)
    return body


def get(client: Client, path: str, status: int = 200, **params: str) -> dict[str, Any]:
    return query(client, path, params, status)


def query(client: Client, path: str, params: dict[str, str], status: int = 200) -> dict[str, Any]:
    url = BASE + path + ("?" + urlencode(params) if params else "")
    return checked(client.get(url, HTTP_HOST="localhost"), status)


def post(client: Client, path: str, resource: Any, status: int = 200) -> dict[str, Any]:
    response = client.post(
        BASE + path, json.dumps(resource), content_type=FHIR_JSON, HTTP_HOST="localhost"
    )
    return checked(response, status)


def values(parameters: dict[str, Any]) -> dict[str, Any]:
    """name -> value of a Parameters resource's top-level value[x] parameters (first wins)."""
    out: dict[str, Any] = {}
    for item in parameters["parameter"]:
        for key, value in item.items():
            if key.startswith("value"):
                out.setdefault(item["name"], value)
    return out


def properties(parameters: dict[str, Any]) -> list[tuple[str, Any]]:
    found = []
    for item in parameters["parameter"]:
        if item["name"] == "property":
            parts = {p["name"]: p for p in item["part"]}
            value = next(v for k, v in parts["value"].items() if k.startswith("value"))
            found.append((parts["code"]["valueCode"], value))
    return found


def diagnostics(outcome: dict[str, Any]) -> str:
    assert outcome["resourceType"] == "OperationOutcome"
    return " ".join(i.get("diagnostics", "") for i in outcome["issue"])


def release(dataset: str) -> Release:
    return Release.objects.get(dataset=dataset)


def parameters(**items: Any) -> dict[str, Any]:
    """A Parameters resource: str -> valueString (valueUri for url/system), dict -> valueCoding."""
    out: list[dict[str, Any]] = []
    for name, value in items.items():
        if isinstance(value, dict):
            out.append({"name": name, "valueCoding": value})
        elif isinstance(value, int):
            out.append({"name": name, "valueInteger": value})
        elif name in {"url", "system"}:
            out.append({"name": name, "valueUri": value})
        elif name == "date":
            out.append({"name": name, "valueDateTime": value})
        else:
            out.append({"name": name, "valueString": value})
    return {"resourceType": "Parameters", "parameter": out}
