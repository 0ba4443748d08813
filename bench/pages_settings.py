"""medcode settings with its caches of page data and rendered pages off (bench/pages.py's
cold run): every request builds and renders its page."""

from medcode.settings import *  # noqa: F403

MEDCODE_PAGE_CACHE_MB = 0
MEDCODE_DATA_CACHE = False
