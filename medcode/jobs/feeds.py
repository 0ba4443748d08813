"""RSS and Atom feeds for any search: /jobs/feed/rss/?<the search's query string>."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed, SyndicationFeed

from medcode.jobs.descriptions import render_description
from medcode.jobs.forms import parse_search
from medcode.jobs.models import Posting
from medcode.jobs.search import JobQuery, find_postings

FEED_ITEMS = 50


class SearchFeed(Feed):  # type: ignore[type-arg]
    feed_type: type[SyndicationFeed] = Rss201rev2Feed

    def get_object(self, request: HttpRequest, *args: object, **kwargs: object) -> JobQuery:
        query, _ = parse_search(request.GET)
        return query

    def title(self, obj: JobQuery) -> str:
        return f"medcode CareerCenter: {obj.label}"

    def link(self, obj: JobQuery) -> str:
        params = urlencode(obj.to_params())
        return reverse("jobs:search") + (f"?{params}" if params else "")

    def description(self, obj: JobQuery) -> str:
        return f"New medical coding jobs for {obj.label}."

    def items(self, obj: JobQuery) -> list[Posting]:
        return list(find_postings(obj)[:FEED_ITEMS])

    def item_title(self, item: Posting) -> str:
        return f"{item.title} — {item.company} ({item.location or 'US'})"

    def item_description(self, item: Posting) -> str:
        # Sanitised HTML; the feed generator escapes it once more as the format requires.
        return str(render_description(item.description))

    def item_link(self, item: Posting) -> str:
        return item.get_absolute_url()

    def item_pubdate(self, item: Posting) -> dt.datetime | None:
        return item.posted_at

    def item_updateddate(self, item: Posting) -> dt.datetime:
        return item.updated_at

    def item_author_name(self, item: Posting) -> str:
        return item.company

    def item_categories(self, item: Posting) -> list[str]:
        return [item.get_work_mode_display(), item.get_specialty_display()] + [
            c.credential for c in item.credentials.all()
        ]


class AtomSearchFeed(SearchFeed):
    feed_type = Atom1Feed
    subtitle = SearchFeed.description
