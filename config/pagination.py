"""Page-number pagination: `count`, `page`, `page_size`, `next`, `previous`, `results`.

A `page_size` that is not a whole number from 1 to `API_MAX_PAGE_SIZE` is a 400 naming `page_size` (code `invalid`;
DRF silently falls back to the default, and its `next` link repeats the bad value). A `page` that is not a whole
number from 1, or past the last page, is a 404 naming `page` (code `not_found`: the page does not exist), with the
number of pages in its message. Page 1 of an empty list exists (no results).
"""

from django.conf import settings
from django.core.paginator import InvalidPage
from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from config.errors import NotFound
from config.filters import StrictIntegerField


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
