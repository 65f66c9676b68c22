"""The household list's common case answered in one round trip to the database, its page written by PostgreSQL.

A commune's households (a commune officer's list, or anyone's with `commune` or `village`) or the whole area of a
district's or a province's staff, by status, by a search or not, a page of it, is what the list is asked most. Its
general path (django-filter's form, the pagination's statements, the page read as values and rendered by DRF:
`HouseholdViewSet.list`) cost about 10 ms of Python per request, which capped the list near 150 requests per second
on two cores. `answer` takes the same request when every parameter it sends is one of `commune`, `village`,
`status`, `q`, `page` and `page_size`, each well formed: the households in scope are filtered through the same
door (`selectors.households_listed`, the model's fields, `selectors.search_households`), read with their exact
count (a commune's list) in one statement prepared by the server, each row's JSON written by PostgreSQL
(`PageReader.as_json`); a wider list is counted as `LargeListPagination` counts it (its estimate and bounded
count). The answer is the general path's, field for field, with the same links and the same access record
(`AccessLogViewSetMixin`, from the rows shown). Anything else (another parameter, a value the general path refuses
or must explain, `page=last`, a page past the end, the browsable API) returns None and the general path answers,
with its errors. tests/households/test_api_list_fast.py holds both answers equal, for any user, filters and page.
"""

import json
from functools import cached_property
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.http import HttpResponse
from rest_framework.request import Request
from rest_framework.utils.encoders import JSONEncoder
from rest_framework.utils.urls import remove_query_param, replace_query_param

from config.filters import BIGINT
from households import selectors
from households.api_rows import PageReader
from households.models import AccessAction, Household, HouseholdStatus

PARAMETERS = frozenset({"commune", "village", "status", "q", "page", "page_size"})
STATUSES = frozenset(HouseholdStatus.values)
_ENCODER = JSONEncoder(ensure_ascii=False, separators=(",", ":"))


class WrittenPage(HttpResponse):
    """The page as written (JSON bytes); its `data`, as a DRF response holds it, is read back from them only when
    something asks (a test client; nothing in a request's path does)."""

    @cached_property
    def data(self) -> Any:
        return json.loads(self.content)


def _whole(text: str, highest: int) -> int | None:
    """A whole number from 1 to `highest` written as the filters and the pagination accept it (digits only), or
    None: the general path then answers (and refuses it, naming the parameter)."""
    if not (text.isascii() and text.isdigit()) or len(text) > 19:
        return None
    value = int(text)
    return value if 1 <= value <= highest else None


def _filters(request: Request) -> Q | None:
    """The filters the request names but the search, as the list's filterset applies them; None for anything
    else."""
    query = request.query_params
    if not set(query) <= PARAMETERS or len(query.getlist("q")) > 1 or "\x00" in query.get("q", ""):
        return None  # a NUL byte: the search box's form field refuses it (400)
    condition = Q()
    for name, field in (("commune", "commune_id"), ("village", "village_id")):
        values = query.getlist(name)
        if len(values) > 1:
            return None
        if values:
            value = _whole(values[0], BIGINT)
            if value is None:
                return None
            condition &= Q(**{field: value})
    statuses = query.getlist("status")
    if statuses:
        if not set(statuses) <= STATUSES:
            return None
        condition &= Q(status__in=sorted(set(statuses)))
    return condition


def _page(request: Request, default_size: int) -> tuple[int, int] | None:
    """The page's number and size, as the pagination reads them; None for anything else (`page=last` included)."""
    query = request.query_params
    if len(query.getlist("page")) > 1 or len(query.getlist("page_size")) > 1:
        return None
    size_text = query.get("page_size")
    size = default_size if size_text is None or size_text == "" else _whole(size_text, settings.API_MAX_PAGE_SIZE)
    number_text = query.get("page") or "1"
    number = _whole(number_text, BIGINT)
    if size is None or number is None or (number - 1) * size + size + 1 > BIGINT:
        return None
    return number, size


def answer(view: Any, request: Request, reader: PageReader | None) -> HttpResponse | None:
    """The list's answer to `request` from one round trip with the list's `reader` of rows as values, or None for
    the general path (see the module)."""
    if request.method != "GET" or reader is None or getattr(request.accepted_renderer, "format", "") != "json":
        return None
    condition = _filters(request)
    if condition is None:
        return None
    exact = view.exact_count()
    paginator = view.paginator
    page = _page(request, paginator.page_size)
    if page is None:
        return None
    number, size = page
    whole = selectors.households_listed(request.user).filter(condition)
    if "q" in request.query_params:  # the search box, as the filterset's `q` searches (a blank one searches nothing)
        whole = selectors.search_households(whole, request.query_params["q"].strip())
    whole = whole.order_by("id")
    offset = (number - 1) * size
    read = reader.as_json(whole, offset, size + 1, counting=exact)
    if read is None:
        return None
    texts, values, count = read
    more = len(texts) > size
    texts, values = texts[:size], values[:size]
    if number > 1 and (not texts or (count is not None and offset >= count)):
        return None  # past the end: the general path's 404 says how many pages there are
    paginator.count_exact = True
    if count is None:  # a list that may span a province: counted as the pagination counts it (its estimate)
        count = offset + len(texts) if not more else paginator.at_least(whole, offset + size + 1)
    url = request.build_absolute_uri()
    following = replace_query_param(url, "page", number + 1) if number * size < count else None
    previous = None
    if number > 1:
        previous = remove_query_param(url, "page") if number == 2 else replace_query_param(url, "page", number - 1)
    head = _ENCODER.encode(
        {
            "count": count,
            "count_exact": paginator.count_exact,
            "page": number,
            "page_size": size,
            "next": following,
            "previous": previous,
        }
    )
    body = f'{head[:-1]},"results":[{",".join(texts)}]}}'
    # What the access log records of the page (`AccessLogViewSetMixin.finalize_response`): its households, their
    # communes and the count that matched.
    view._access_shown = (AccessAction.LIST, Household, values, count if paginator.count_exact else None)
    return WrittenPage(body.encode(), content_type="application/json")
