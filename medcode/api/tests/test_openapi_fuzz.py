"""Schemathesis fuzzing of /api/v1 against its own OpenAPI document.

Every operation gets positive and negative generated cases, sent through the real WSGI app
(all middleware, metering, routers) on the suite's database, with the sample releases, two
live job postings and a conversation loaded so answers have content. A case fails when the
answer is a 5xx, has a status the operation does not declare, or a body, content type or
headers that do not match what it declares.

Three callers: an API key on a plan without limits (most cases), a guest under the guest
plan's limits (so 429 with Retry-After is met), and a key that is not valid (401).
Generation is derandomized, so CI runs the same cases every time.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from medcode.accounts import metering
from medcode.accounts.keys import create_key
from medcode.accounts.models import Plan
from medcode.accounts.services import set_plan
from medcode.accounts.viewers import forget_plans
from medcode.codes.tests.sample_data import code_samples_fixture  # noqa: F401

pytestmark = pytest.mark.fuzz

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

# Generated cases per operation and mode for the unlimited key. Operations whose inputs
# admit few distinct values stop early (Hypothesis does not repeat itself), so the total is
# counted, not assumed.
KEY_EXAMPLES = {GenerationMode.POSITIVE: 110, GenerationMode.NEGATIVE: 60}
GUEST_EXAMPLES = 12
BAD_KEY_EXAMPLES = 6
MINIMUM_CASES = 2000
INVALID_KEY = "mck_abcdefghij_thisisnotarealkeyxxxxxxxxxxxxxxxxxxxxxxxxxxx"


@dataclass
class Tally:
    cases: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    by_operation: dict[str, int] = field(default_factory=dict)


def fuzz_operation(
    operation: Any,
    strategy: Any,
    *,
    examples: int,
    headers: dict[str, str],
    tally: Tally,
    label: str,
) -> None:
    """Run up to `examples` generated cases; a failure (after shrinking) is kept in `tally`."""

    @hypothesis_settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        print_blob=False,
    )
    @given(case=strategy)
    def fuzz(case: Any) -> None:
        response = case.call(headers=headers)
        tally.cases += 1
        tally.statuses[response.status_code] = tally.statuses.get(response.status_code, 0) + 1
        tally.by_operation[operation.label] = tally.by_operation.get(operation.label, 0) + 1
        case.validate_response(response, checks=CHECKS, headers=headers)

    try:
        fuzz()
    except (Exception, BaseExceptionGroup) as exc:
        tally.failures.append(f"{operation.label} [{label}]: {exc}")


@pytest.fixture
def fuzz_world(code_samples, settings) -> Iterator[dict[str, Any]]:
    """The sample releases, two live postings, a user on a plan without limits, their key
    and one conversation; metering on, counted in the database."""
    from medcode.assistant.services import keep_exchange
    from medcode.jobs.tests.builders import make_posting
    from medcode.search.index import rebuild_index
    from tests.users import make_user

    settings.MEDCODE_METERING = True
    settings.REDIS_URL = ""
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    forget_plans()
    metering.forget_seen()
    metering.redis_state.reset()
    rebuild_index(force=True)
    postings = [make_posting(), make_posting(title="Outpatient coder", work_mode="hybrid")]
    unlimited = Plan.objects.create(
        slug="fuzz-unlimited",
        name="Unlimited",
        gated_views=None,
        casepilot_per_day=None,
        consult_per_month=None,
        api_per_minute=None,
        api_per_day=None,
    )
    user = make_user("fuzzer")
    set_plan(user, unlimited, source="test")
    secret = create_key(user, name="fuzz", scope="account").secret  # it reads the history too
    conversation_id = keep_exchange(
        user=user, question="Is S72.001A billable?", answer={"answer": "yes"}, conversation_id=None
    )
    yield {
        "key": secret,
        "job_ids": [p.pk for p in postings],
        "conversation_id": conversation_id,
    }
    forget_plans()
    metering.forget_seen()


@pytest.fixture
def keep_test_connection() -> Iterator[None]:
    """The app runs in this thread inside the test's transaction: like Django's test client,
    keep request_started/finished from closing that connection (PostgreSQL would lose it)."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def test_the_api_answers_every_generated_request_as_its_schema_says(
    fuzz_world, keep_test_connection
):
    app = get_wsgi_application()
    # get_wsgi_application() configures logging again; each 4xx would log a warning.
    logging.getLogger("django.request").setLevel(logging.ERROR)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations: list[Any] = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) >= 10, [op.label for op in operations]
    key_headers = {"Authorization": f"Bearer {fuzz_world['key']}"}
    tally = Tally()
    started = time.monotonic()

    for operation in operations:
        for mode, examples in KEY_EXAMPLES.items():
            strategy = operation.as_strategy(generation_mode=mode)
            fuzz_operation(
                operation,
                strategy,
                examples=examples,
                headers=key_headers,
                tally=tally,
                label=f"key, {mode.value}",
            )
    # Known ids, so the detail operations also answer 200 and are checked against it.
    known = {
        "GET /api/v1/jobs/{job_id}": {"job_id": fuzz_world["job_ids"][0]},
        "GET /api/v1/assistant/conversations/{conversation_id}": {
            "conversation_id": fuzz_world["conversation_id"]
        },
    }
    for operation in operations:
        if operation.label in known:
            strategy = operation.as_strategy(path_parameters=known[operation.label])
            fuzz_operation(
                operation, strategy, examples=3, headers=key_headers, tally=tally, label="known id"
            )
    for operation in operations:
        for label, headers, examples in (
            ("guest", {}, GUEST_EXAMPLES),
            ("invalid key", {"Authorization": f"Bearer {INVALID_KEY}"}, BAD_KEY_EXAMPLES),
        ):
            strategy = operation.as_strategy(generation_mode=GenerationMode.POSITIVE)
            fuzz_operation(
                operation, strategy, examples=examples, headers=headers, tally=tally, label=label
            )

    elapsed = time.monotonic() - started
    print(
        f"\nAPI fuzz: {tally.cases} cases in {elapsed:.1f}s; statuses {sorted(tally.statuses.items())}"
    )
    for label, count in sorted(tally.by_operation.items()):
        print(f"  {count:5d}  {label}")
    assert not tally.failures, "\n\n".join(tally.failures)
    assert tally.cases >= MINIMUM_CASES, tally.by_operation
    # Each kind of answer the fuzz is meant to reach was reached.
    for status in (200, 400, 401, 404, 422, 429):
        assert tally.statuses.get(status), (status, tally.statuses)
