"""/changes/: stored diffs per dataset and release pair, a code's history, CSV, Atom, and the
signed-in user's watchlist."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.views.decorators.http import require_POST

from medcode.changes import queries, watchlists
from medcode.changes.families import BY_NAME, FAMILIES, KINDS
from medcode.changes.models import ReleaseDiff, WatchedCode

PAGE_SIZE = 100
SYSTEMS = (
    ("CPT", "CPT"),
    ("HCPCS", "HCPCS"),
    ("MODIFIER", "Modifier"),
    ("ICD10CM", "ICD-10-CM"),
    ("ICD10PCS", "ICD-10-PCS"),
    ("POS", "Place of service"),
)


def _filter_of(request: HttpRequest) -> queries.ChangeFilter:
    return queries.parse_filter(
        families=request.GET.getlist("dataset"),
        kinds=request.GET.getlist("kind"),
        code_system=request.GET.get("system", ""),
        code_range=request.GET.get("range", ""),
    )


def index(request: HttpRequest) -> HttpResponse:
    diffs = list(queries.find_diffs())
    by_family = [
        (family, [d for d in diffs if d.family == family.name])
        for family in FAMILIES
        if any(d.family == family.name for d in diffs)
    ]
    return render(request, "changes/index.html", {"by_family": by_family})


def detail(request: HttpRequest, diff_id: int) -> HttpResponse | StreamingHttpResponse:
    diff = get_object_or_404(ReleaseDiff, pk=diff_id)
    wanted = _filter_of(request)
    if wanted.errors:
        context = {"diff": diff, "errors": wanted.errors, "kinds": KINDS, "systems": SYSTEMS}
        return render(request, "changes/detail.html", context, status=400)
    changes = queries.find_changes(wanted, diff=diff)
    if request.GET.get("format") == "csv":
        response = StreamingHttpResponse(
            queries.csv_lines(changes.iterator()), content_type="text/csv; charset=utf-8"
        )
        name = f"medcode-changes-{diff.family}-{diff.pk}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    page = Paginator(changes, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "diff": diff,
        "title": queries.family_title(diff.family),
        "counts": queries.counts_by_kind(queries.find_changes(wanted, diff=diff)),
        "all_counts": diff.counts,
        "page": page,
        "kinds": KINDS,
        "systems": SYSTEMS,
        "wanted": wanted,
        "query": query.urlencode(),
        "csv_query": (query.urlencode() + "&" if query else "") + "format=csv",
    }
    return render(request, "changes/detail.html", context)


def code_history(request: HttpRequest, code: str) -> HttpResponse:
    code = queries.normalise_code(code)
    if not queries.CODE.match(code):
        raise Http404(code[:20])
    changes = list(queries.code_history(code)[:1000])
    watching = (
        request.user.is_authenticated
        and WatchedCode.objects.filter(user_id=request.user.pk, code=code).exists()
    )
    context = {"code": code, "changes": changes, "watching": watching}
    return render(request, "changes/code.html", context)


class DatasetFeed(Feed):  # type: ignore[type-arg]
    """Atom: one entry per stored diff of a dataset family, newest first."""

    feed_type = Atom1Feed

    def get_object(self, request: HttpRequest, family: str) -> str:
        if family not in BY_NAME:
            raise Http404(family)
        return family

    def title(self, family: str) -> str:
        return f"medcode: what changed in {queries.family_title(family)}"

    def subtitle(self, family: str) -> str:
        return f"Release-to-release changes of {queries.family_title(family)}, newest first."

    def link(self, family: str) -> str:
        return reverse("changes:index") + f"#{family}"

    def items(self, family: str) -> list[ReleaseDiff]:
        return list(queries.find_diffs(families=[family])[:50])

    def item_title(self, item: ReleaseDiff) -> str:
        total = sum(item.counts.values())
        return f"{item.from_label} -> {item.to_label}: {total:,} changes"

    def item_description(self, item: ReleaseDiff) -> str:
        parts = [f"{kind}: {n:,}" for kind, n in item.counts.items()]
        return "; ".join(parts) or "no changes"

    def item_link(self, item: ReleaseDiff) -> str:
        return reverse("changes:detail", args=[item.pk])

    def item_pubdate(self, item: ReleaseDiff) -> Any:
        return item.computed_at

    def item_updateddate(self, item: ReleaseDiff) -> Any:
        return item.computed_at


def _user_id(request: HttpRequest) -> int:
    user_id = request.user.pk
    assert isinstance(user_id, int)  # behind login_required
    return user_id


@login_required
def watchlist(request: HttpRequest) -> HttpResponse:
    codes = list(
        WatchedCode.objects.filter(user_id=_user_id(request))
        .order_by("code")
        .values_list("code", flat=True)
    )
    latest: dict[str, ReleaseDiff] = {}
    for diff in queries.find_diffs():
        latest.setdefault(diff.family, diff)
    impact = (
        list(
            queries.find_changes(queries.parse_filter(codes=codes)).filter(
                diff__in=list(latest.values())
            )[:2000]
        )
        if codes
        else []
    )
    from medcode.claims.models import Worksheet

    context = {
        "codes": codes,
        "worksheets": Worksheet.objects.filter(owner_id=_user_id(request)).only("pk", "name")[:50],
        "impact": impact,
        "limit": watchlists.watch_limit(_user_id(request)),
        "max_bytes": watchlists.MAX_LIST_BYTES,
    }
    return render(request, "changes/watchlist.html", context)


@login_required
@require_POST
def watch(request: HttpRequest) -> HttpResponse:
    """Add codes: one typed code (`code`), or an uploaded list (`file`)."""
    upload = request.FILES.get("file")
    worksheet = request.POST.get("worksheet", "")
    try:
        if worksheet:
            found = (
                watchlists.worksheet_codes(user_id=_user_id(request), worksheet_id=int(worksheet))
                if worksheet.isdigit()
                else None
            )
            if found is None:
                raise Http404("no such worksheet")
            parsed = found
        elif upload is not None:
            if upload.size is not None and upload.size > watchlists.MAX_LIST_BYTES:
                raise watchlists.ListRefused(
                    watchlists.LIST_TOO_LARGE.format(
                        size=upload.size, limit=watchlists.MAX_LIST_BYTES
                    )
                )
            parsed = watchlists.read_code_list(upload.read(watchlists.MAX_LIST_BYTES + 1))
        else:
            parsed = watchlists.read_code_list(request.POST.get("code", "").encode())
    except watchlists.ListRefused as refused:
        messages.error(request, str(refused))
        return redirect("changes:watchlist")
    result = watchlists.watch_codes(user_id=_user_id(request), parsed=parsed)
    if result.added:
        messages.success(request, f"Watching {len(result.added):,} more codes.")
    for problem in result.problems[:50]:
        messages.warning(request, problem)
    if len(result.problems) > 50:
        messages.warning(request, f"... and {len(result.problems) - 50:,} more rows not added.")
    return redirect(_next(request))


@login_required
@require_POST
def unwatch(request: HttpRequest) -> HttpResponse:
    code = queries.normalise_code(request.POST.get("code", ""))
    if watchlists.unwatch_code(user_id=_user_id(request), code=code):
        messages.success(request, f"No longer watching {code}.")
    return redirect(_next(request))


def _next(request: HttpRequest) -> str:
    from django.utils.http import url_has_allowed_host_and_scheme

    wanted = request.POST.get("next", "")
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse("changes:watchlist")
