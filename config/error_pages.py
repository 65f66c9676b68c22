"""The pages of a refusal, an absence and a server error (400, 403, 404, 500) that no view answers: in the admin's
layout, in Vietnamese, with a way back (config/templates/403.html, 404.html; 500.html stands alone, Django renders
it without a context). Under /api/ they answer with the API's error envelope instead (config.errors), as the API's
own views do: an unknown address under /api/ is a JSON 404, a server error outside a view a JSON 500."""

from django.contrib import admin
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import defaults

from config.errors import NOT_FOUND_MESSAGE, SERVER_ERROR_MESSAGE, error_response, too_large_message

API_PREFIX = "/api/"


def is_api(request) -> bool:
    return request.path.startswith(API_PREFIX)


def came_from(request) -> str | None:
    """The page of this site the user came from (the Referer), to offer as the way back."""
    referer = request.headers.get("referer", "")
    if not referer or referer == request.build_absolute_uri():
        return None
    safe = url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return referer if safe else None


def _page(request, template: str, status: int) -> HttpResponse:
    context = {"back_url": came_from(request), "index_url": reverse("admin:index")}
    if hasattr(request, "user"):  # not for a request no middleware saw (a static file's, under the test server)
        context |= admin.site.each_context(request)
    return render(request, template, context, status=status)


def bad_request(request, exception) -> HttpResponse:
    if not is_api(request):
        return defaults.bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        return error_response(413, "request_too_large", too_large_message())
    return error_response(400, "bad_request", "Yêu cầu không hợp lệ.")


def permission_denied(request, exception) -> HttpResponse:
    if is_api(request):
        return error_response(403, "permission_denied", "Bạn không có quyền thực hiện thao tác này.")
    return _page(request, "403.html", 403)


def page_not_found(request, exception) -> HttpResponse:
    if is_api(request):
        return error_response(404, "not_found", NOT_FOUND_MESSAGE)
    return _page(request, "404.html", 404)


def server_error(request) -> HttpResponse:
    if is_api(request):
        return error_response(500, "server_error", SERVER_ERROR_MESSAGE)
    return defaults.server_error(request)
