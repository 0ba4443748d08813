"""`metadata`: the CapabilityStatement, and with mode=terminology the TerminologyCapabilities
naming every loaded release of every code system."""

from __future__ import annotations

import datetime as dt
from typing import Any

from medcode.fhir.systems import SYSTEMS, releases_of

SOFTWARE = "medcode"
FHIR_VERSION = "4.0.1"


def _operation(name: str, resource: str) -> dict[str, str]:
    return {
        "name": name,
        "definition": f"http://hl7.org/fhir/OperationDefinition/{resource}-{name}",
    }


def capability_statement(base_url: str) -> dict[str, Any]:
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": dt.date.today().isoformat(),
        "publisher": "medcode",
        "kind": "instance",
        "software": {"name": SOFTWARE},
        "implementation": {
            "description": "medcode FHIR R4 terminology service (every kept release)",
            "url": base_url,
        },
        "fhirVersion": FHIR_VERSION,
        "format": ["application/fhir+json", "json"],
        "instantiates": ["http://hl7.org/fhir/CapabilityStatement/terminology-server"],
        "rest": [
            {
                "mode": "server",
                "resource": [
                    {
                        "type": "CodeSystem",
                        "interaction": [{"code": "read"}, {"code": "search-type"}],
                        "searchParam": [
                            {"name": "url", "type": "uri"},
                            {"name": "version", "type": "token"},
                            {"name": "name", "type": "string"},
                            {"name": "title", "type": "string"},
                        ],
                        "operation": [
                            _operation("lookup", "CodeSystem"),
                            _operation("validate-code", "CodeSystem"),
                            _operation("subsumes", "CodeSystem"),
                        ],
                    },
                    {
                        "type": "ValueSet",
                        "operation": [
                            _operation("expand", "ValueSet"),
                            _operation("validate-code", "ValueSet"),
                        ],
                    },
                    {
                        "type": "ConceptMap",
                        "interaction": [{"code": "read"}, {"code": "search-type"}],
                        "operation": [_operation("translate", "ConceptMap")],
                    },
                ],
                "interaction": [{"code": "batch"}],
            }
        ],
    }


def terminology_capabilities(base_url: str) -> dict[str, Any]:
    systems = []
    for system in SYSTEMS:
        releases = releases_of(system)
        if not releases:
            continue
        newest = releases[-1]
        systems.append(
            {
                "uri": system.uri,
                "version": [
                    {"code": r.version_label, "isDefault": r.pk == newest.pk} for r in releases
                ],
                "subsumption": system.is_hierarchical,
            }
        )
    return {
        "resourceType": "TerminologyCapabilities",
        "status": "active",
        "date": dt.date.today().isoformat(),
        "publisher": "medcode",
        "kind": "instance",
        "software": {"name": SOFTWARE},
        "implementation": {"description": "medcode FHIR R4 terminology service", "url": base_url},
        "codeSystem": systems,
        "expansion": {
            "hierarchical": False,
            "paging": True,
            "incomplete": False,
            "parameter": [
                {"name": n} for n in ("filter", "count", "offset", "date", "system-version")
            ],
            "textFilter": "Words, lay terms or a code, ranked as medcode's Case2Code search.",
        },
        "codeSearch": "explicit",
        "validateCode": {"translations": False},
        "translation": {"needsMap": False},
        "closure": {"translation": False},
    }
