"""The layout around a code page (medcode.codes.page.layout): the kept layout with its slots
filled in gives the page the template gives."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from medcode.codes import queries, views
from medcode.codes.page import layout
from medcode.codes.tests.sample_data import code_samples_fixture  # noqa: F401
from tests.users import browser


def test_the_kept_layout_gives_the_templates_page(code_samples):
    response = browser().get("/codes/63685/")
    assert response.status_code == 200
    request = response.wsgi_request
    found = queries.lookup_code("63685", system=None, on=dt.date(2025, 11, 3))
    assert found.page is not None
    # A title to escape and to cut short, in both the title and the description.
    page = replace(found.page, title='Fix "A" & <b>' + "long words " * 20)
    found = replace(found, page=page)
    body = views.render_body(request, found, True, None)
    layout.clear()
    first = layout.render(request, body.head, body.html, shared=True)
    assert layout.render(request, body.head, body.html, shared=True) == first  # kept
    assert layout.render(request, body.head, body.html, shared=False) == first
    assert "Fix &quot;A&quot; &amp; &lt;b&gt;long words" in first
    assert "\x00" not in first and body.html in first
