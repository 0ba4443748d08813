"""medcode settings with the per-process page caches off (bench/pages.py's cold run)."""

from medcode.settings import *  # noqa: F403

MEDCODE_PAGE_CACHE = 0
