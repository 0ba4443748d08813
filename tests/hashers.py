"""The password hasher of the test suite: Argon2, as in production (hashes still start with
"argon2" and go through the same code), with the cheapest parameters argon2 allows. The
production parameters cost ~0.3 s of CPU a hash or a check on purpose; the suite signs in and
fails sign-ins hundreds of times (Django's advice: a fast hasher in tests)."""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class FastArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 8
    parallelism = 1
