"""The gate meters what medcode adds, never public-domain text or CMS data."""

from __future__ import annotations

import pytest

from medcode.codes.tests.sample_data import code_samples_fixture  # noqa: F401
from tests.users import browser

pytestmark = pytest.mark.django_db
NOV_2025 = "2025-11-03"


def test_a_guest_reads_icd10cm_notes_free_and_keeps_the_free_page_for_editorial_text(
    code_samples,
):
    guest = browser()
    for _ in range(3):  # read again and again: never metered
        html = guest.get(f"/codes/S72.001A/?date={NOV_2025}").content.decode()
        assert "traumatic amputation of hip and thigh" in html  # an Excludes1 note of S72
        assert 'class="locked"' not in html and "remaining" not in html
    # The one full page a guest has is still there for a page with editorial sections.
    html = guest.get(f"/codes/63650/?date={NOV_2025}").content.decode()
    assert 'id="documentation"' in html
    assert "This is your free full code page this month" in html
    assert "0 full code pages remaining" not in html


def test_the_locked_box_offers_register_sign_in_and_plans_and_shows_the_cms_data(code_samples):
    guest = browser()
    guest.get(f"/codes/63650/?date={NOV_2025}")
    html = guest.get(f"/codes/63685/?date={NOV_2025}").content.decode()
    assert 'class="locked"' in html and 'id="documentation"' not in html
    assert 'href="/account/signup/?next=%2Fcodes%2F63685%2F"' in html
    assert 'href="/account/login/?next=%2Fcodes%2F63685%2F"' in html
    assert 'href="/account/plans/"' in html
    assert 'id="data"' in html  # the CMS panels are public domain
    plans = guest.get("/account/plans/")
    assert plans.status_code == 200


def test_a_signed_in_user_out_of_pages_is_offered_an_upgrade(code_samples):
    from medcode.accounts.models import Plan
    from medcode.accounts.viewers import forget_plans
    from tests.users import make_user

    Plan.objects.filter(slug="free").update(gated_views=1)
    forget_plans()
    user = make_user()
    reader = browser()
    reader.force_login(user)
    reader.get(f"/codes/63650/?date={NOV_2025}")
    html = reader.get(f"/codes/63685/?date={NOV_2025}").content.decode()
    assert 'class="locked"' in html
    assert "Upgrade your plan" in html and 'href="/account/plans/"' in html
    assert "/account/signup/" not in html.split('class="locked"')[1].split("</section>")[0]


def test_the_account_page_lists_the_users_casepilot_conversations():
    from medcode.assistant.models import Conversation
    from tests.users import make_user

    user = make_user()
    other = make_user()
    Conversation.objects.create(user=user, title="Can 63650 and 63685 be billed together?")
    Conversation.objects.create(user=other, title="Someone else's question")
    reader = browser()
    reader.force_login(user)
    html = reader.get("/account/").content.decode()
    assert "Can 63650 and 63685 be billed together?" in html
    assert "Someone else" not in html
    assert "will be listed here" not in html
