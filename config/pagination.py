"""Page-number pagination: `count`, `page`, `page_size`, `next`, `previous`, `results`.

A `page_size` that is not a whole number from 1 to `API_MAX_PAGE_SIZE` is a 400 naming `page_size` (code `invalid`;
DRF silently falls back to the default, and its `next` link repeats the bad value). A `page` that is not a whole
number from 1, or past the last page, is a 404 naming `page` (code `not_found`: the page does not exist), with the
number of pages in its message. Page 1 of an empty list exists (no results).

`LargeListPagination` (a list that may span a province: the households) counts exactly only what is cheap to
count, and says so in `count_exact`; see its docstring.
"""

import json

from django.conf import settings
from django.core.paginator import InvalidPage, Page, Paginator
from django.db import connections
from django.db.models import QuerySet
from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from config.errors import NotFound
from config.filters import StrictIntegerField

BIGGEST_OFFSET = 2**63 - 1  # PostgreSQL's bigint: an OFFSET or LIMIT beyond it is an error, not an empty page


def _whole_number(text: str) -> int | None:
    try:
        return StrictIntegerField().to_python(text)
    except Exception:  # noqa: BLE001 - any refusal: not a whole number
        return None


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    page_query_description = "Số trang, từ 1."
    page_size_query_description = "Số bản ghi mỗi trang."

    @property
    def max_page_size(self) -> int:  # read at each request, as the settings say it
        return settings.API_MAX_PAGE_SIZE

    def get_page_size(self, request) -> int:
        text = request.query_params.get(self.page_size_query_param)
        if text is None or text == "":
            return self.page_size
        value = _whole_number(text)
        if value is None or not 1 <= value <= self.max_page_size:
            message = f"Phải là một số nguyên từ 1 đến {self.max_page_size}."
            raise ValidationError({self.page_size_query_param: [message]})
        return value

    def paginate_queryset(self, queryset, request, view=None):
        page_size = self.get_page_size(request)
        paginator = self.django_paginator_class(queryset, page_size)
        text = request.query_params.get(self.page_query_param) or "1"
        number = paginator.num_pages if text in self.last_page_strings else _whole_number(text)
        if number is None or number < 1:
            raise NotFound(f"Không có trang “{text}”: số trang là một số nguyên từ 1.", self.page_query_param)
        try:
            self.page = paginator.page(number)
        except InvalidPage:
            pages, count = paginator.num_pages, paginator.count
            message = f"Không có trang {number}: danh sách có {pages} trang ({count} bản ghi, {page_size} mỗi trang)."
            raise NotFound(message, self.page_query_param) from None
        if paginator.num_pages > 1 and self.template is not None:
            self.display_page_controls = True
        self.request = request
        return list(self.page)

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.page.paginator.count,
                "page": self.page.number,
                "page_size": self.page.paginator.per_page,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        base = super().get_paginated_response_schema(schema)
        properties = base["properties"]
        properties["count"]["description"] = "Tổng số bản ghi khớp bộ lọc."
        properties["next"]["description"] = "Địa chỉ trang sau; null ở trang cuối."
        properties["previous"]["description"] = "Địa chỉ trang trước; null ở trang đầu."
        if isinstance(properties["results"], dict):  # drf-spectacular passes a bare sentinel to build its examples
            properties["results"]["description"] = "Các bản ghi của trang."
        properties["page"] = {"type": "integer", "minimum": 1, "example": 1, "description": "Số của trang này."}
        properties["page_size"] = {
            "type": "integer",
            "minimum": 1,
            "maximum": self.max_page_size,
            "example": self.page_size,
            "description": "Số bản ghi mỗi trang.",
        }
        base["required"] = ["count", "page", "page_size", "next", "previous", "results"]
        return base

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": f"{self.page_query_description} Trang quá trang cuối: 404.",
                "schema": {"type": "integer", "minimum": 1},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"{self.page_size_query_description} Mặc định {self.page_size}, "
                f"tối đa {self.max_page_size}.",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]


class _Counted(Paginator):
    """Django's paginator over a count already known (exact or estimated)."""

    def __init__(self, object_list, per_page, count: int):
        super().__init__(object_list, per_page)
        self.known_count = count

    @property
    def count(self) -> int:  # type: ignore[override]
        return self.known_count


class LargeListPagination(PageNumberPagination):
    """Page-number pagination for a list that may hold a province (hundreds of thousands of rows), where an exact
    `COUNT(*)` at every page would scan them all.

    The count is exact (`count_exact: true`) when the view says the list is narrow (`view.exact_count()`: e.g. one
    commune's), when PostgreSQL expects at most `exact_limit` rows and there are (counted up to that limit, a
    bounded scan), and on the last page (its rows end the list). Otherwise it is PostgreSQL's estimate from its
    statistics, never less than the rows known to exist (`count_exact: false`). The pages stay right either way: a
    page is read with one row more than its size, so `next` is null exactly on the last page; a page past the last
    one is a 404 (its message gives the exact count, counted then); `page=last` counts exactly.

    A view may answer the rows of a page in another shape than model instances: `view.page_rows(queryset)` gets
    the page's slice of the queryset (one row more than the page) and returns its rows (e.g. `values()`); the
    count is always made on the view's queryset itself. Where the count is exact from the start, a view's
    `page_rows_counted(window, queryset)` may answer the rows and the count together (one round trip to the
    database), or None to leave them to the above.
    """

    exact_limit = 5_000

    def paginate_queryset(self, queryset, request, view=None):
        page_size = self.get_page_size(request)
        text = request.query_params.get(self.page_query_param) or "1"
        exact = bool(view is not None and getattr(view, "exact_count", lambda: False)())
        last = text in self.last_page_strings
        together = getattr(view, "page_rows_counted", None) if exact and not last and view is not None else None
        count: int | None = self._exact(queryset) if (exact and together is None) or last else None
        if last:
            number: int | None = max(1, -(-count // page_size)) if count else 1
        else:
            number = _whole_number(text)
        if number is None or number < 1:
            raise NotFound(f"Không có trang “{text}”: số trang là một số nguyên từ 1.", self.page_query_param)
        offset = (number - 1) * page_size
        if offset + page_size + 1 > BIGGEST_OFFSET:  # past the end of any list, and beyond what OFFSET takes
            if count is None and not exact:
                raise NotFound(f"Không có trang {number}: danh sách không dài đến thế.", self.page_query_param)
            self._past_the_end(number, count if count is not None else self._exact(queryset), page_size)
        window = queryset[offset : offset + page_size + 1]
        read = together(window, queryset) if together is not None else None
        if read is not None:
            count = read[1]
        elif exact and count is None:
            count = self._exact(queryset)
        if count is not None and offset and offset >= count:
            self._past_the_end(number, count, page_size)
        shape = getattr(view, "page_rows", None) if view is not None else None
        rows = list(read[0] if read is not None else shape(window) if shape is not None else window)
        more = len(rows) > page_size
        rows = rows[:page_size]
        if not rows and number > 1:
            self._past_the_end(number, self._exact(queryset), page_size)
        self.count_exact = True
        if count is None:
            count = offset + len(rows) if not more else self.at_least(queryset, offset + page_size + 1)
        self.page = Page(rows, number, _Counted([], page_size, count))
        if self.page.paginator.num_pages > 1 and self.template is not None:
            self.display_page_controls = True
        self.request = request
        return rows

    def _past_the_end(self, number: int, count: int, page_size: int):
        pages = max(1, -(-count // page_size))
        message = f"Không có trang {number}: danh sách có {pages} trang ({count} bản ghi, {page_size} mỗi trang)."
        raise NotFound(message, self.page_query_param)

    def _exact(self, queryset: QuerySet) -> int:
        return queryset.count()

    def at_least(self, queryset: QuerySet, known: int) -> int:
        """The count of a list with at least `known` rows: exact when PostgreSQL expects at most `exact_limit` rows
        (counted up to that limit: a bounded count), else its estimate (and `count_exact` turns false). The estimate
        is asked first: a bounded count is cheap on an index, not on a search (a trigram index is read whole)."""
        estimate = _estimate(queryset)
        if estimate <= self.exact_limit and known <= self.exact_limit:
            counted = queryset.order_by()[: self.exact_limit + 1].count()  # COUNT(*) FROM (... LIMIT n)
            if counted <= self.exact_limit:
                return counted
            known = counted
        self.count_exact = False
        return max(estimate, known)

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data = {"count": response.data["count"], "count_exact": self.count_exact, **response.data}
        return response

    def get_paginated_response_schema(self, schema):
        base = super().get_paginated_response_schema(schema)
        properties = base["properties"]
        properties["count"]["description"] = (
            "Tổng số bản ghi khớp bộ lọc; khi `count_exact` là false, đó là số ước tính (danh sách lớn)."
        )
        base["properties"] = {
            "count": properties["count"],
            "count_exact": {
                "type": "boolean",
                "example": True,
                "description": "true: `count` là số đếm chính xác (danh sách của một xã, danh sách không quá "
                f"{self.exact_limit} bản ghi, hoặc trang cuối); false: `count` là số ước tính của PostgreSQL, "
                "không nhỏ hơn số bản ghi đã biết. Trang sau (`next`) và lỗi 404 khi quá trang cuối luôn đúng.",
            },
            **{name: value for name, value in properties.items() if name != "count"},
        }
        base["required"] = ["count", "count_exact", *base["required"][1:]]
        return base


def _estimate(queryset: QuerySet) -> int:
    """PostgreSQL's estimate of the rows of `queryset` (its plan's), from the table's statistics; 0 elsewhere (the
    embedded SQLite: its lists are counted, up to the limit)."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return 0
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])
