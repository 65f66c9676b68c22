"""The API base: the shape of a use-case endpoint, written once (STYLE 18).

    scope -> input serializer -> service -> output serializer

    class RecordViewSet(UseCaseMixin, viewsets.GenericViewSet):
        id_argument = "record_id"

        @use_case_schema("Duyệt hỗ trợ", ApproveInput, RecordSerializer)
        @action(detail=True, methods=["post"])
        def approve(self, request, pk=None):
            return self.act(pk, ApproveInput, services.approve_support)  # approve_support(actor, record_id, ...)

`act` runs the four steps: `visible_id` finds the object in the user's scope (unknown or outside it: a 404, before
the input is read, so a body never tells what lies outside the scope); `parse` reads the input serializer (a 400
naming each field at fault, through `config.errors`); the service is called with the actor and the parsed fields
(named like its arguments: an input field renames itself with `source=`); `read_back` answers the object read
again through the scope, with the view's serializer.

The input fields below carry the Vietnamese messages that DRF's catalogue lacks; the api modules build their input
serializers from them.
"""

import re
from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, QueryDict
from drf_spectacular.utils import extend_schema
from rest_framework import routers, serializers, status
from rest_framework.response import Response

from config.schema import error

BIGINT = 2**63 - 1  # nothing larger reaches PostgreSQL

# DRF's Vietnamese catalogue lacks these messages; "required", "blank" and date formats are translated.
INTEGER_ERRORS = {
    "invalid": "Phải là một số nguyên.",
    "min_value": "Phải lớn hơn hoặc bằng {min_value}.",
    "max_value": "Phải nhỏ hơn hoặc bằng {max_value}.",
    "max_string_length": "Số quá lớn.",
}


# --- input fields ------------------------------------------------------------------------------------------


def integer_field(*, bigint: bool = False, **kwargs: Any) -> serializers.IntegerField:
    """A whole number. `bigint=True` keeps it within PostgreSQL's bigint unless narrower bounds are given, so that
    10^30 is a 400 naming the field (the services check the ranges of amounts)."""
    if bigint:
        kwargs = {"min_value": -BIGINT, "max_value": BIGINT, **kwargs}
    return serializers.IntegerField(error_messages=INTEGER_ERRORS, **kwargs)


def id_field(help_text: str, *, bigint: bool = False, **kwargs: Any) -> serializers.IntegerField:
    """The id of a row: a whole number from 1 (whether the row is in the user's scope is the service's question)."""
    return integer_field(bigint=bigint, min_value=1, help_text=help_text, **kwargs)


def choice_field(choices: list[tuple[str, str]], **kwargs: Any) -> serializers.ChoiceField:
    """One of `choices`; a wrong value is refused with the accepted ones listed."""
    accepted = ", ".join(value for value, _ in choices)
    message = f"“{{input}}” không hợp lệ: chỉ nhận {accepted}."
    return serializers.ChoiceField(choices=choices, error_messages={"invalid_choice": message}, **kwargs)


def text_field(**kwargs: Any) -> serializers.CharField:
    return serializers.CharField(error_messages={"max_length": "Tối đa {max_length} ký tự."}, **kwargs)


# --- answers in the schema ---------------------------------------------------------------------------------

# Each with the `Error` component (config.errors' envelope); config.schema declares the others every operation has.
BAD_INPUT = error(
    "Dữ liệu không hợp lệ (`invalid`, `fields` nêu từng trường sai) hoặc thao tác bị từ chối theo quy định"
)
NOT_FOUND = error("Không có hoặc ngoài địa bàn của bạn (`not_found`)")
STALE = error("`version` đã cũ (`stale_version`): vừa được người khác cập nhật, hãy tải lại")


def use_case_schema(summary: str, request: Any, response: Any, created: bool = False) -> Any:
    """`extend_schema` of a use case: its input, its answer (201 when it creates), and its refusals."""
    ok = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return extend_schema(
        summary=summary, request=request, responses={ok: response, 400: BAD_INPUT, 404: NOT_FOUND, 409: STALE}
    )


# --- the view side -----------------------------------------------------------------------------------------


_WHOLE = re.compile(r"-?[0-9]+")


def _whole_numbers_only(serializer: serializers.Serializer, query: QueryDict) -> None:
    """Query parameters are text: an integer field takes digits only (DRF's IntegerField reads "552.0" as 552,
    which the schema's integer does not allow)."""
    wrong = {
        name: [INTEGER_ERRORS["invalid"]]
        for name, field in serializer.fields.items()
        if isinstance(field, serializers.IntegerField)
        and any(value.strip() and not _WHOLE.fullmatch(value.strip()) for value in query.getlist(name))
    }
    if wrong:
        raise serializers.ValidationError(wrong)


def parse_input(serializer_class: type[serializers.Serializer], data: Any, **kwargs: Any) -> dict[str, Any]:
    """The validated input, or a 400 naming each field at fault (`config.errors`)."""
    payload = serializer_class(data=data, **kwargs)
    if isinstance(data, QueryDict):
        _whole_numbers_only(payload, data)
    payload.is_valid(raise_exception=True)
    return dict(payload.validated_data)


# No docstring: drf-spectacular would show it as the description of every view without its own.
class UseCaseMixin:
    # The steps of a use case for an API view; the object steps need a `get_queryset` scoped to the user.

    request: Any
    id_argument = ""  # the service's argument that names the object: `case_id`, `record_id`...

    def parse(self, serializer_class: type[serializers.Serializer], data: Any = None, **kwargs: Any) -> dict[str, Any]:
        """The input of the request body (or `data`, such as the query parameters), or a 400 naming the fields.
        `kwargs` go to the serializer (`instance`, `partial`)."""
        return parse_input(serializer_class, self.request.data if data is None else data, **kwargs)

    def scope(self) -> QuerySet[Any]:
        """The rows the user may act on: the view's queryset, unless a lighter one answers the same."""
        queryset: QuerySet[Any] = self.get_queryset()  # type: ignore[attr-defined]
        return queryset

    def visible_id(self, pk: Any) -> int:
        """The id of an object in the user's scope, or a 404 (unknown, outside the scope, or not a number)."""
        try:
            object_id = int(pk)
        except (TypeError, ValueError):
            raise Http404 from None
        if not self.scope().filter(pk=object_id).exists():
            raise Http404
        return object_id

    def read(self, pk: int) -> Any:
        """The object read again through the scope, as the view's serializer shows it."""
        return self.get_serializer(self.get_queryset().get(pk=pk)).data  # type: ignore[attr-defined]

    def read_back(self, pk: int, status_code: int = status.HTTP_200_OK) -> Response:
        return Response(self.read(pk), status=status_code)

    def act(
        self,
        pk: Any,
        serializer_class: type[serializers.Serializer],
        service: Callable[..., object],
        status_code: int = status.HTTP_200_OK,
    ) -> Response:
        """One use case on one object: scope (404), input (400 naming the field), the service with the actor
        and the object's id as the view's `id_argument`, the object read back."""
        object_id = self.visible_id(pk)
        data = self.parse(serializer_class)
        service(actor=self.request.user, **{self.id_argument: object_id}, **data)
        return self.read_back(object_id, status_code)


class ApiRootView(routers.APIRootView):
    """Các tài nguyên của API, phiên bản 1. Mỗi địa chỉ là một danh sách (có lọc, sắp xếp và chia trang) và các
    thao tác trên từng bản ghi; tài liệu đầy đủ ở /api/docs/."""

    def get_view_name(self) -> str:
        return "API giamngheo, phiên bản 1"
