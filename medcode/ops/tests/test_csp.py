"""medcode.ops.csp: the same Content-Security-Policy as django-csp's middleware, built once."""

from __future__ import annotations

from typing import Any

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CSPMiddleware as LibraryCSPMiddleware
from django.http import HttpResponse
from django.test import RequestFactory

from medcode.ops.csp import CSPMiddleware


def both(request_path: str = "/codes/A00/", **response_attrs):
    """(medcode's headers, the library's headers) for the same request and response."""
    answers = []
    for middleware in (CSPMiddleware, LibraryCSPMiddleware):
        request = RequestFactory().get(request_path)
        response = HttpResponse("ok")
        for name, value in response_attrs.items():
            setattr(response, name, value)
        handler = middleware(lambda r, response=response: response)
        answered: Any = handler(request)
        answers.append(dict(answered.headers))
    return answers


def test_a_plain_response_gets_exactly_the_librarys_header():
    ours, library = both()
    assert ours[HEADER] == library[HEADER]
    assert "frame-ancestors 'none'" in ours[HEADER]
    assert HEADER_REPORT_ONLY not in ours


def test_a_per_view_update_goes_the_librarys_way():
    ours, library = both(_csp_update={"img-src": ["https://example.org"]})
    assert ours[HEADER] == library[HEADER] and "https://example.org" in ours[HEADER]


def test_a_change_of_settings_is_seen_and_excluded_prefixes_are_kept(settings):
    settings.CONTENT_SECURITY_POLICY = {
        "EXCLUDE_URL_PREFIXES": ["/admin/"],
        "DIRECTIVES": {"default-src": ["'none'"]},
    }
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": {"script-src": ["'self'"]}}
    ours, library = both()
    assert ours[HEADER] == library[HEADER] == "default-src 'none'"
    assert ours[HEADER_REPORT_ONLY] == library[HEADER_REPORT_ONLY]
    ours, library = both("/admin/login/")
    assert HEADER not in ours and HEADER not in library
    assert ours[HEADER_REPORT_ONLY] == library[HEADER_REPORT_ONLY]


def test_an_exempt_response_gets_no_header():
    ours, library = both(_csp_exempt=True)
    assert HEADER not in ours and HEADER not in library
