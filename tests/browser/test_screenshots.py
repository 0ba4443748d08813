"""Every main page at desktop (1280x800) and phone (390x844) width, with a full-page screenshot.

Each page is opened in a fresh headless Chromium context against gunicorn (strict CSP, sample
releases, a search index, a signed-in user and one live job posting), then checked for:
- its key content, visible;
- no sideways scrolling: document.documentElement.scrollWidth <= window.innerWidth;
- no console errors, no uncaught page errors and no Content-Security-Policy violations.

Screenshots go to artifacts/screenshots/pages/<page>--<width>.png (stable names, overwritten
on every run) for a person to look at; .ci/run lists them at the end.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.browser.conftest import CAST, SCREENSHOTS, gunicorn_server, run_cli
from tests.ports import free_port

pytestmark = pytest.mark.browser

PAGES_DIR = SCREENSHOTS / "pages"
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
DATE = "2025-11-03"
POSTING_TITLE = "Outpatient surgery coder (CPC)"

# One signed-in user and one live posting, made through the app's own services.
SETUP = (
    CAST
    + """
import datetime as dt, json
from decimal import Decimal
from django.utils import timezone
from medcode.accounts.keys import create_key
from medcode.jobs import services

coder = make_user("coder@example.org")
staff = make_user("staff@example.org", staff=True)
employer_user = make_user("hr@example.org")
employer = services.become_employer(user=employer_user, company="Lakeside Health")
posting = services.save_posting(
    employer=employer,
    fields=dict(
        title=TITLE, company="Lakeside Health", city="Austin", state="TX",
        work_mode="hybrid", employment_type="full_time", specialty="outpatient",
        experience_years=3, salary_min=Decimal("56000"), salary_max=Decimal("68000"),
        salary_period="year",
        description="Code **outpatient surgery** and pain management charts.\\n\\n"
                    "- Two days a week on site\\n- CPC or CCS-P required",
        apply_url="https://careers.example.org/jobs/7",
        expires_on=timezone.localdate() + dt.timedelta(days=30),
    ),
    credentials=["CPC"],
    submit=True,
)
services.approve_posting(actor=staff, posting=posting)
create_key(coder, name="Billing system")
session = signed_in_session(coder)
print(json.dumps({"session": session, "posting": posting.get_absolute_url()}))
""".replace("TITLE", repr(POSTING_TITLE))
)


@dataclass(frozen=True)
class Site:
    url: str
    session: str
    posting_path: str


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """gunicorn over the sample releases, with a search index, a user and a live posting."""
    from medcode.codes.tests.sample_data import importable, write_samples

    root = tmp_path_factory.mktemp("screenshots-server")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{root / 'medcode.sqlite3'}",
        "MEDCODE_VAR_DIR": str(root / "var"),
        "MEDCODE_METERING": "off",
        "MEDCODE_DEBUG": "off",
        "MEDCODE_EMAIL_URL": f"file://{root}",
        "DJANGO_SETTINGS_MODULE": "medcode.settings",
    }
    run_cli(env, "manage", "migrate", "--verbosity", "0")
    run_cli(env, "data", "import", *(str(p) for p in write_samples(root / "data") if importable(p)))
    run_cli(env, "search", "build", "--lexical-only")
    made = subprocess.run(
        [sys.executable, "-m", "medcode.cli", "manage", "shell", "-c", SETUP],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    setup = json.loads(made.stdout.strip().splitlines()[-1])
    port = free_port()
    server_env = {**env, "MEDCODE_SITE_URL": f"http://127.0.0.1:{port}"}
    with gunicorn_server(server_env, port, root / "server.log") as url:
        yield Site(url=url, session=setup["session"], posting_path=setup["posting"])


@dataclass
class Tab:
    """A page in its own context, recording console errors and uncaught exceptions."""

    page: Any
    base: str
    problems: list[str] = field(default_factory=list)

    def goto(self, path: str) -> None:
        response = self.page.goto(self.base + path)
        assert response is not None and response.status == 200, (path, response and response.status)


# What to do on a page after opening it and before the checks.
Step = Callable[[Tab, Site], None]


def ask_pilot(tab: Tab, site: Site) -> None:
    tab.page.fill("#pilot-question", "What is the global period for 63650?")
    tab.page.get_by_role("button", name="Ask CasePilot").click()
    tab.page.locator(".pilot-exchange .pilot-answer[data-done='1']").last.wait_for()


def build_claim(tab: Tab, site: Site) -> None:
    for code in ("63650", "63661", "M54.50"):
        tab.goto(f"/codes/{code}/")
        tab.page.locator("#actions").get_by_role("button", name="Use code").click()
        tab.page.wait_for_url(f"{site.url}/claims/")
    tab.page.locator('li.finding[data-rule="ptp"]').wait_for()


@dataclass(frozen=True)
class MainPage:
    name: str
    path: str
    selector: str
    text: str
    signed_in: bool = False
    step: Step | None = None


MAIN_PAGES = [
    MainPage("home", "/", "h1", ""),
    MainPage("code-icd10cm", f"/codes/S72.001A/?date={DATE}", "h1", "S72.001A"),
    MainPage("code-icd10pcs", f"/codes/0SR90J9/?date={DATE}", "h1", "0SR90J9"),
    MainPage("code-hcpcs", f"/codes/E0114/?date={DATE}", "h1", "E0114"),
    MainPage("code-modifier", f"/codes/XS/?date={DATE}", "h1", "XS"),
    MainPage("code-cpt", f"/codes/63650/?date={DATE}", "#panel-fee_schedule", "$2,127.11"),
    MainPage("search-results", "/search/?q=fracture", ".search-result", "Fracture"),
    MainPage("claim-worksheet", "/claims/", 'li.finding[data-rule="ptp"]', "63661",
             step=build_claim),
    MainPage("pilot-answered", "/pilot/", ".pilot-answer__summary", "global period of 63650",
             step=ask_pilot),
    MainPage("account", "/account/", "main", "Billing system", signed_in=True),
    MainPage("jobs-list", "/jobs/", "#results", POSTING_TITLE),
    MainPage("jobs-posting", "{posting}", "h1", POSTING_TITLE),
]  # fmt: skip


@pytest.fixture(params=list(VIEWPORTS), ids=list(VIEWPORTS))
def viewport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def open_tab(chromium: Any, site: Site, width: str, signed_in: bool) -> tuple[Any, Tab]:
    context = chromium.new_context(viewport=VIEWPORTS[width])
    if signed_in:
        context.add_cookies([{"name": "sessionid", "value": site.session, "url": site.url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    tab = Tab(page=page, base=site.url)
    page.on(
        "console",
        lambda msg: (
            tab.problems.append(f"console {msg.type}: {msg.text}")
            if msg.type == "error" or "Content Security Policy" in msg.text
            else None
        ),
    )
    page.on("pageerror", lambda exc: tab.problems.append(f"page error: {exc}"))
    page.on(
        "response",
        lambda r: tab.problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None,
    )
    return context, tab


@pytest.mark.parametrize("main", MAIN_PAGES, ids=[p.name for p in MAIN_PAGES])
def test_a_main_page_reads_well_and_cleanly_at_this_width(
    site: Site, chromium: Any, main: MainPage, viewport: str
) -> None:
    context, tab = open_tab(chromium, site, viewport, main.signed_in)
    try:
        page = tab.page
        path = main.path.format(posting=site.posting_path)
        tab.goto(path)
        if main.step is not None:
            main.step(tab, site)
        page.wait_for_load_state("load")

        key = page.locator(main.selector).first
        key.wait_for(state="visible")
        assert main.text in key.inner_text(), (main.selector, key.inner_text())
        assert page.locator("header.site-header").is_visible()
        if main.signed_in:
            assert page.get_by_role("link", name="Account", exact=True).count() == 1

        PAGES_DIR.mkdir(parents=True, exist_ok=True)
        shot = PAGES_DIR / f"{main.name}--{viewport}.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

        sizes = page.evaluate(
            "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
        )
        assert sizes["inner"] == VIEWPORTS[viewport]["width"]
        assert sizes["scroll"] <= sizes["inner"], (
            f"{main.name} scrolls sideways at {viewport} width: {sizes}; widest: "
            f"{widest_elements(page, sizes['inner'])}"
        )
        assert tab.problems == []
    finally:
        context.close()


def widest_elements(page: Any, limit: int) -> list[str]:
    """The elements that reach past the right edge (outside scroll boxes), to name in a failure."""
    found: list[str] = page.evaluate(
        """(limit) => [...document.querySelectorAll('body *')]
            .filter(el => el.getBoundingClientRect().right > limit + 0.5)
            .filter(el => {
                for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
                    if (getComputedStyle(up).overflowX !== 'visible') return false;
                }
                return true;
            })
            .slice(0, 8)
            .map(el => `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}`
                       + `${el.className && typeof el.className === 'string'
                            ? '.' + el.className.trim().split(/\\s+/).join('.') : ''}`
                       + ` right=${Math.round(el.getBoundingClientRect().right)}`)""",
        limit,
    )
    return found
