"""The review's documents over HTTP: a printable page (`?format=html`, the default) or an Excel file
(`?format=xlsx`), for signed-in officers with the right to see reviews, within their area.

Each view checks the right, reads its parameters, calls one builder of `programs.review.documents` and writes an
audit entry for the download: these documents carry people's names (STYLE 6, 15, 16).
"""

from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from config.admin import ID_DIGITS
from config.errors import DomainError, NotFound
from households.access import log_export
from households.models import User
from households.rules import REVIEW_VIEW
from households.services import log_action
from programs.review import documents

FORMATS = ("html", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORTED = "programs.document.exported"


class Refused(Exception):
    """A request the view answers without building anything: 403 without the right, 400 for a bad parameter."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def _text(message: str, status: int) -> HttpResponse:
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


def _checked(request: HttpRequest) -> tuple[User, str]:
    """The signed-in officer (the views are behind `login_required`) once her right to see reviews is
    checked, and the format she asks for."""
    user = request.user
    assert isinstance(user, User)
    if not user.has_right(REVIEW_VIEW):
        raise Refused(403, "Vai trò của bạn không có quyền xem tài liệu rà soát hộ nghèo, hộ cận nghèo.")
    fmt = request.GET.get("format", "").strip() or "html"
    if fmt not in FORMATS:
        raise Refused(400, f"Định dạng “{fmt[:20]}” không hợp lệ: chỉ nhận format=html hoặc format=xlsx.")
    return user, fmt


def _optional_id(request: HttpRequest, name: str, label: str) -> int | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    if not ID_DIGITS.fullmatch(raw):
        raise Refused(400, f"Mã {label} “{raw[:20]}” không hợp lệ: phải là một số.")
    return int(raw)


def _serve(
    request: HttpRequest, user: User, fmt: str, build: Callable[[], documents.Document], **filters: int | None
) -> HttpResponse:
    """Build the document, render it in `fmt` and log the download (with the filters used)."""
    try:
        document = build()
    except NotFound as exc:
        return _text(exc.message, 404)
    except DomainError as exc:
        # A case without a certificate: that document does not exist (404), and the message says why.
        return _text(exc.message, 404 if exc.code == "no_certificate" else 400)
    if fmt == "xlsx":
        response = HttpResponse(documents.render_xlsx(document), content_type=XLSX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{document.filename}.xlsx"'
    else:
        query = request.GET.copy()
        query["format"] = "xlsx"
        context = {
            "document": document,
            "national_heading": documents.NATIONAL_HEADING,
            "xlsx_url": f"{request.path}?{query.urlencode()}",
        }
        response = render(request, f"programs/documents/{document.name}.html", context)
    changes: dict[str, tuple[object, object]] = {"document": (None, document.name), "format": (None, fmt)}
    changes |= {name: (None, value) for name, value in filters.items() if value is not None}
    log_action(actor=user, action=EXPORTED, obj=document.subject, changes=changes, household=document.household)
    what = "Excel" if fmt == "xlsx" else "trang in"
    log_export(request, resource=f"{document.sheet} ({what})", household_ids=document.household_ids)
    patch_cache_control(response, private=True, no_store=True)  # people's names: kept by no cache
    return response


@login_required
@require_GET
def posting_list(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """Danh sách niêm yết công khai of a campaign, optionally of one village (`?village=<id>`)."""
    try:
        user, fmt = _checked(request)
        village_id = _optional_id(request, "village", "thôn")
    except Refused as refused:
        return _text(refused.message, refused.status)
    return _serve(
        request,
        user,
        fmt,
        lambda: documents.posting_list(user=user, campaign_id=campaign_id, village_id=village_id),
        village=village_id,
    )


@login_required
@require_GET
def decision_list(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """Danh sách kèm theo quyết định công nhận of a campaign."""
    try:
        user, fmt = _checked(request)
    except Refused as refused:
        return _text(refused.message, refused.status)
    return _serve(request, user, fmt, lambda: documents.decision_list(user=user, campaign_id=campaign_id))


@login_required
@require_GET
def certificate(request: HttpRequest, case_id: int) -> HttpResponse:
    """Giấy chứng nhận hộ nghèo / hộ cận nghèo of a recognised case."""
    try:
        user, fmt = _checked(request)
    except Refused as refused:
        return _text(refused.message, refused.status)
    return _serve(request, user, fmt, lambda: documents.certificate(user=user, case_id=case_id))
