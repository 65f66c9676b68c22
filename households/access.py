"""The doors' side of the access log of personal data: every page, endpoint and file that shows households' personal
data (names, national IDs, incomes, status) leaves one record per request through `households.services.access`.

- `AccessLogViewSetMixin`, on a DRF viewset: a GET that answered a page of rows (`paginate_queryset`) or one object
  (`get_object`) records the households of those rows, the total count and the search term (`q`), door API;
- `AccessLogAdminMixin`, on a ModelAdmin: its changelist records the households of the rows on the page (read from
  the page the admin already fetched: the template shows the same, cached rows; no second query) with the count
  and the search term, its change page the household of the object, door admin;
- `AccessLogAutocompleteView`, the admin's autocomplete (`/admin/autocomplete/`, in place of the admin's own): a
  search of households (or of rows of households) by their members' names records the term and the households of
  the answered page, door admin;
- `log_access` for the pages and files that are no model's list: exports and documents (door export), the
  admin's report pages.

A row leads to its household by `household_path` (a household itself, `household_id`, `record.household_id`…);
the ids are read from the rows as fetched, so a row's path must be loaded with it (`select_related`), which the
tests check by counting queries. Reading the access log itself records nothing: it shows who read, not the
households' data (its own rows are the officers' data, behind the `access_log.view` right).
"""

import functools
import ipaddress
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import unquote_plus

from django.conf import settings
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from config.client_ip import client_ip as request_address
from households.models import AccessAction, AccessDoor, Area, Household
from households.services import record_access

SEARCH_PARAMETER = "q"  # the search box of the admin's lists and of the API's lists


@functools.cache
def household_path(model: type[models.Model]) -> tuple[str, ...] | None:
    """The attributes that lead from a row of `model` to its household's id, e.g. ("pk",) for a household,
    ("household_id",) for a survey, ("record", "household_id") for a loan; None for a model of no household."""
    if issubclass(model, Household):
        return ("pk",)
    links = [f for f in model._meta.concrete_fields if (f.many_to_one or f.one_to_one) and f.related_model is not None]
    for field in links:
        if field.related_model is Household:
            return (field.attname,)
    for field in links:
        if field.related_model is not model:
            for inner in field.related_model._meta.concrete_fields:
                if (inner.many_to_one or inner.one_to_one) and inner.related_model is Household:
                    return (field.name, inner.attname)
    return None


def household_ids(rows: Iterable[Any], model: type[models.Model] | None = None) -> list[int]:
    """The households of `rows` (of one model), read from the rows as they were fetched: instances, or values
    (mappings of column names, `model` given) that hold the path's column."""
    rows = list(rows)
    path = household_path(model or type(rows[0])) if rows else None
    if path is None:
        return []
    if isinstance(rows[0], Mapping) and model is not None:
        column = model._meta.pk.attname if path == ("pk",) else path[-1]
        return [row[column] for row in rows if row[column] is not None]
    return [pk for pk in (functools.reduce(getattr, path, row) for row in rows) if pk is not None]


def household_communes(rows: Sequence[Any], model: type[models.Model]) -> list[int] | None:
    """The communes of a page of households, read from its rows (instances, or values with their "commune"), so
    that the record need not look them up; None for rows of another model or values without their commune."""
    if not issubclass(model, Household):
        return None
    if rows and isinstance(rows[0], Mapping):
        return [row["commune"] for row in rows] if "commune" in rows[0] else None
    return [row.commune_id for row in rows]


def client_ip(request: HttpRequest) -> str | None:
    """The caller's address as the sign-in lockout and the throttles see it (`config.client_ip`: the socket's, or
    behind trusted proxies the one they appended to X-Forwarded-For); None when there is no address (a Unix
    socket): the record keeps none rather than failing."""
    try:
        return str(ipaddress.ip_address(request_address(request)))
    except ValueError:
        return None


def label(model: type[models.Model], plural: bool = False) -> str:
    """What was read, as the log keeps it: the model's name in Vietnamese, whatever the user's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(model._meta.verbose_name_plural if plural else model._meta.verbose_name)


def log_access(
    request: HttpRequest,
    *,
    door: str,
    action: str,
    resource: str,
    household_ids: Iterable[int] = (),
    area: Area | None = None,
    result_count: int | None = None,
    search: str = "",
    commune_ids: Iterable[int] | None = None,
) -> None:
    """One record of this request's access to households' personal data (see `record_access`)."""
    record_access(
        actor=request.user,  # type: ignore[arg-type]  # a signed-in officer: every door requires one
        door=door,
        action=action,
        resource=resource,
        path=request.path,
        ip=client_ip(request),
        household_ids=household_ids,
        area=area,
        query=unquote_plus(request.META.get("QUERY_STRING", "")),
        search=search.strip(),
        result_count=result_count,
        commune_ids=commune_ids,
    )


def log_export(
    request: HttpRequest,
    *,
    resource: str,
    household_ids: Sequence[int] = (),
    area: Area | None = None,
    result_count: int | None = None,
) -> None:
    """The record of a file or document handed out (door export): its households, or the area it covers whole."""
    count = result_count if result_count is not None or area is not None else len(household_ids)
    log_access(
        request,
        door=AccessDoor.EXPORT,
        action=AccessAction.EXPORT,
        resource=resource,
        household_ids=household_ids,
        area=area,
        result_count=count,
    )


# No docstring: drf-spectacular would show it as the description of every view without its own.
class AccessLogViewSetMixin:
    # On a viewset whose answers show households' personal data: a GET that answered a page of rows or one object
    # records them (door API). `access_resource` names what was read (default: the rows' model).

    access_resource = ""
    _access_shown: tuple[str, type[models.Model], Sequence[models.Model], int | None] | None = None

    def paginate_queryset(self, queryset: Any) -> Any:
        page = super().paginate_queryset(queryset)  # type: ignore[misc]
        if page is not None:
            paginated = getattr(self.paginator, "page", None)  # type: ignore[attr-defined]
            count = paginated.paginator.count if paginated is not None else None
            if getattr(self.paginator, "count_exact", True) is False:  # type: ignore[attr-defined]
                count = None  # an estimate (config.pagination.LargeListPagination) is not what matched: not recorded
            self._access_shown = (AccessAction.LIST, queryset.model, page, count)
        return page

    def get_object(self) -> Any:
        obj = super().get_object()  # type: ignore[misc]
        self._access_shown = (AccessAction.VIEW, type(obj), [obj], 1)
        return obj

    def finalize_response(self, request: Any, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        shown = self._access_shown
        if shown is not None and request.method in ("GET", "HEAD") and response.status_code < 300:
            action, model, rows, count = shown
            search = request.query_params.get(SEARCH_PARAMETER, "") if action == AccessAction.LIST else ""
            log_access(
                request,
                door=AccessDoor.API,
                action=AccessAction.SEARCH if search.strip() else action,
                resource=self.access_resource or label(model, plural=action == AccessAction.LIST),
                household_ids=household_ids(rows, model),
                result_count=count,
                search=search,
                commune_ids=household_communes(rows, model),
            )
        return response


class AccessLogAdminMixin:
    """On a ModelAdmin whose pages show households' personal data: the list records the households on the page,
    the count and the search term; the change page the object's household (door admin, GET only)."""

    model: type[models.Model]

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> Any:
        response = super().changelist_view(request, extra_context)  # type: ignore[misc]
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if request.method == "GET" and changelist is not None:
            rows = list(changelist.result_list)  # fetched now, shown from the same cache by the template
            log_access(
                request,
                door=AccessDoor.ADMIN,
                action=AccessAction.SEARCH if changelist.query.strip() else AccessAction.LIST,
                resource=label(self.model, plural=True),
                household_ids=household_ids(rows, self.model),
                result_count=changelist.result_count,
                search=changelist.query,
            )
        return response

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None) -> Any:
        response = super().change_view(request, object_id, form_url, extra_context)  # type: ignore[misc]
        shown = (getattr(response, "context_data", None) or {}).get("original")
        if shown is not None and response.status_code == 200:
            self.log_shown(request, shown)
        return response

    def log_shown(self, request: HttpRequest, obj: models.Model) -> None:
        """The record of a page that shows `obj` and so its household (its change page, or a page of this admin's
        own: a move, a repayment), when it is read (GET)."""
        if request.method == "GET":
            log_access(
                request,
                door=AccessDoor.ADMIN,
                action=AccessAction.VIEW,
                resource=label(self.model),
                household_ids=household_ids([obj], self.model),
                result_count=1,
            )


class AccessLogAutocompleteView(AutocompleteJsonView):
    """The admin's autocomplete (a household field's search box): it answers households found by code or by their
    members' names, so an answer about a model of households records the term and the households of the page, with
    the count that matched (door admin, action search, or list for an empty term)."""

    _access_shown: tuple[Sequence[models.Model], int] | None = None

    def get_context_data(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(*args, **kwargs)
        self._access_shown = (list(context["object_list"]), context["paginator"].count)  # the rows answered
        return context

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().get(request, *args, **kwargs)
        model = self.model_admin.model  # the searched model (process_request, or a 403/404 raised before)
        if self._access_shown is not None and household_path(model) is not None:
            rows, count = self._access_shown
            log_access(
                request,
                door=AccessDoor.ADMIN,
                action=AccessAction.SEARCH if self.term.strip() else AccessAction.LIST,
                resource=label(model, plural=True),
                household_ids=household_ids(rows, model),
                result_count=count,
                search=self.term,
            )
        return response
