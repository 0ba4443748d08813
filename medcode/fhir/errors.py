"""FHIR errors: every failure is an OperationOutcome with a clear `diagnostics`."""

from __future__ import annotations

from typing import Any


class FhirError(Exception):
    """Raise anywhere in the FHIR app to answer with an OperationOutcome and this status."""

    def __init__(self, status: int, diagnostics: str, *, code: str = "invalid") -> None:
        super().__init__(diagnostics)
        self.status = status
        self.diagnostics = diagnostics
        self.code = code  # an IssueType: invalid, not-found, not-supported, processing, ...

    def outcome(self) -> dict[str, Any]:
        return operation_outcome(self.diagnostics, code=self.code)


def operation_outcome(
    diagnostics: str, *, code: str = "invalid", severity: str = "error"
) -> dict[str, Any]:
    return {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": severity, "code": code, "diagnostics": diagnostics}],
    }


def bad_request(diagnostics: str) -> FhirError:
    return FhirError(400, diagnostics, code="invalid")


def not_found(diagnostics: str) -> FhirError:
    return FhirError(404, diagnostics, code="not-found")
