"""Where the tests find the official 2026 files that sit beside ../shared/data (incoming/)."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


def incoming_file(shared_data_dir: Path, name: str) -> Path:
    """A file of ../shared/incoming/2026; the test skips when it is not there."""
    path = shared_data_dir.parent / "incoming" / "2026" / name
    if not path.is_file():
        pytest.skip(f"{path} is not there")
    return path
