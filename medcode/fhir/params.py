"""Operation parameters, from a query string (GET) or a Parameters resource (POST), read
the same way; and the Parameters resource an operation answers with."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from medcode.fhir.errors import bad_request

NOT_PARAMETERS = (
    "The body must be a FHIR Parameters resource (resourceType 'Parameters') in JSON; got {what}."
)
BAD_PARAMETER = "Parameter {index} of the Parameters resource has no name or no value[x]."
NOT_A_CODING = "The parameter {name!r} must be a Coding (valueCoding) or system|code text."
NOT_A_NUMBER = "The parameter {name!r} must be a whole number of at least {minimum}; got {value!r}."


@dataclass
class Params:
    values: dict[str, list[Any]] = field(default_factory=dict)

    def add(self, name: str, value: Any) -> None:
        self.values.setdefault(name, []).append(value)

    def first(self, name: str) -> str | None:
        for value in self.values.get(name, []):
            if isinstance(value, str | int | bool) and not isinstance(value, bool):
                return str(value)
            if isinstance(value, bool):
                return "true" if value else "false"
        return None

    def first_coding(self, name: str) -> dict[str, Any] | None:
        for value in self.values.get(name, []):
            if isinstance(value, Mapping):
                return dict(value)
            if isinstance(value, str):
                # A query string carries a Coding as system|code.
                system, bar, code = value.rpartition("|")
                return {"system": system, "code": code} if bar else {"code": value}
            raise bad_request(NOT_A_CODING.format(name=name))
        return None

    def first_concept(self, name: str) -> list[dict[str, Any]]:
        for value in self.values.get(name, []):
            if isinstance(value, Mapping):
                return [dict(c) for c in value.get("coding", []) if isinstance(c, Mapping)]
        return []

    def number(self, name: str, *, default: int, minimum: int = 0) -> int:
        text = self.first(name)
        if text is None or text == "":
            return default
        if not text.strip().isdigit() or int(text) < minimum:
            raise bad_request(NOT_A_NUMBER.format(name=name, minimum=minimum, value=text))
        return int(text)

    def merged(self, other: Params) -> Params:
        merged = Params({k: list(v) for k, v in self.values.items()})
        for name, values in other.values.items():
            for value in values:
                merged.add(name, value)
        return merged


def from_query(pairs: Iterable[tuple[str, str]]) -> Params:
    params = Params()
    for name, value in pairs:
        if not name.startswith("_"):
            params.add(name, value)
    return params


def from_resource(body: Any) -> Params:
    if not isinstance(body, Mapping) or body.get("resourceType") != "Parameters":
        what = (
            f"resourceType {body.get('resourceType')!r}"
            if isinstance(body, Mapping)
            else type(body).__name__
        )
        raise bad_request(NOT_PARAMETERS.format(what=what))
    params = Params()
    for index, item in enumerate(body.get("parameter") or [], start=1):
        if not isinstance(item, Mapping) or not isinstance(item.get("name"), str):
            raise bad_request(BAD_PARAMETER.format(index=index))
        values = [v for k, v in item.items() if k.startswith("value")]
        if "resource" in item:
            values.append(item["resource"])
        if not values:
            raise bad_request(BAD_PARAMETER.format(index=index))
        params.add(item["name"], values[0])
    return params


def parameters(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"resourceType": "Parameters", "parameter": items}
