"""The pages of a refusal and of an absence (403, 404): in the admin's layout, in Vietnamese, with a way back
(config/templates/403.html, 404.html). Under /api/ they answer in JSON, as the API's own views do (DRF turns the
refusals raised in its views into JSON itself; these are the addresses no view answers). A server error is
config/templates/500.html, which Django renders without a request."""

from django.contrib import admin
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext

API_PREFIX = "/api/"


def came_from(request) -> str | None:
    """The page of this site the user came from (the Referer), to offer as the way back."""
    referer = request.headers.get("referer", "")
    if not referer or referer == request.build_absolute_uri():
        return None
    safe = url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return referer if safe else None


def _answer(request, template: str, status: int, api_detail: str) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": api_detail}, status=status)
    context = {"back_url": came_from(request), "index_url": reverse("admin:index")}
    if hasattr(request, "user"):  # not for a request no middleware saw (a static file's, under the test server)
        context |= admin.site.each_context(request)
    return render(request, template, context, status=status)


def permission_denied(request, exception) -> HttpResponse:
    return _answer(request, "403.html", 403, gettext("You do not have permission to perform this action."))


def page_not_found(request, exception) -> HttpResponse:
    return _answer(request, "404.html", 404, gettext("Not found."))
