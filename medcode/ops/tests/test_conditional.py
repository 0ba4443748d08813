"""HTTP validators (medcode.ops.conditional): an ETag made from an answer's inputs."""

from __future__ import annotations

from django.test import RequestFactory

from medcode.ops import conditional, generation
from medcode.ops.tests.test_datacache import release


def test_an_etag_takes_the_generation_read_before_the_answer_was_built(db):
    """A page built while an import lands is of the old generation: its ETag must not claim
    the new one (a browser would keep the old page with the new generation's validator)."""
    request = RequestFactory().get("/codes/11/")
    release(1)
    generation.bump()
    before = generation.current().token
    old = conditional.input_etag(request, "guest")
    release(2)
    generation.bump()  # the import committed while the page was being built
    assert conditional.input_etag(request, "guest", data=before) == old
    assert conditional.input_etag(request, "guest") != old
