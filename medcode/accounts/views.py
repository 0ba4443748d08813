"""The account page: plan, usage meters, API keys (shown once), saved work, deletion."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from medcode.accounts import keys, queries, services
from medcode.accounts.forms import ApiKeyForm, DeleteAccountForm
from medcode.accounts.models import KeyScope
from medcode.assistant.queries import conversations_of
from medcode.consult.queries import consults_for

NEW_KEY_SESSION = "medcode_new_api_key"
KEY_REVOKED = "The key {name} is revoked; requests that use it are refused from now on."
ACCOUNT_DELETED = "Your account and everything saved in it are deleted."


@login_required
def account_page(request: HttpRequest) -> HttpResponse:
    # A key's secret is shown on the one page view right after it is created, then dropped.
    new_key = request.session.pop(NEW_KEY_SESSION, None)
    return render(
        request,
        "accounts/account.html",
        {
            "summary": queries.account_summary(request.user),  # type: ignore[arg-type]
            "new_key": new_key,
            "key_form": ApiKeyForm(),
            "consults": consults_for(request.user),
            "conversations": conversations_of(request.user),
        },
    )


@login_required
@require_POST
def create_api_key(request: HttpRequest) -> HttpResponse:
    form = ApiKeyForm(request.POST)
    if not form.is_valid():
        messages.error(request, keys.NAME_REQUIRED)
        return redirect("accounts:home")
    try:
        made = keys.create_key(
            request.user,  # type: ignore[arg-type]
            name=form.cleaned_data["name"],
            scope=form.cleaned_data["scope"] or KeyScope.USE,
        )
    except keys.KeyRefused as exc:
        messages.error(request, str(exc))
        return redirect("accounts:home")
    request.session[NEW_KEY_SESSION] = {"name": made.key.name, "secret": made.secret}
    return redirect("accounts:home")


@login_required
@require_POST
def revoke_api_key(request: HttpRequest, key_id: int) -> HttpResponse:
    key = keys.revoke_key(request.user, key_id)  # type: ignore[arg-type]
    if key is not None:
        messages.success(request, KEY_REVOKED.format(name=key.name))
    return redirect("accounts:home")


@login_required
def delete_account(request: HttpRequest) -> HttpResponse:
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        services.delete_account(user)  # type: ignore[arg-type]
        messages.success(request, ACCOUNT_DELETED)
        return redirect("home")
    return render(request, "accounts/delete.html", {"form": form})
