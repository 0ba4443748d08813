from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from medcode.jobs.models import Employer
from medcode.jobs.tests.builders import make_employer


@pytest.fixture(autouse=True)
def jobs_settings(settings: Any) -> None:
    settings.MEDCODE_SITE_URL = "https://medcode.example"
    settings.MEDCODE_JOBS_POSTS_PER_DAY = 5
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    # The security middleware of other apps stays; only the hosts tests use are allowed.
    settings.ALLOWED_HOSTS = ["testserver", "localhost"]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def employer(db: None) -> Employer:
    return make_employer("hiring", company="Lakeside Health")


@pytest.fixture
def other_employer(db: None) -> Employer:
    return make_employer("rival", company="Rival Billing Co")


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def employer_client(employer: Employer) -> Client:
    return client_for(employer.user)


@pytest.fixture
def coder_client(coder: Any) -> Client:
    return client_for(coder)


@pytest.fixture
def staff_client(staff: Any) -> Client:
    return client_for(staff)
