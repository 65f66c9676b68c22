"""The access log of personal data, read-only, for program admins (the country) and province staff (their
province's records): who read, searched or exported which households, when, from where and through which door.
Filters by the reader (user name), the household (code or id), the door, the action and a range of days; the
households are shown as their codes, linked to their pages, those outside the reader's scope only counted.

Reading this page records nothing in the log: it shows who read households, not the households' data.
"""

import datetime
from typing import Any

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from households import rules, selectors
from households.admin.base import RightsAdminMixin
from households.models import AccessRecord

SHOWN_CODES = 10  # households named in a row of the list; the record's page names them all


class InputFilter(admin.ListFilter):
    """A filter typed in: `fields` are (parameter, label, input type); the form keeps the other filters."""

    template = "admin/households/input_filter.html"
    fields: tuple[tuple[str, str, str], ...] = ()

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        self.values: dict[str, str] = {}
        for name, _label, _type in self.fields:
            if name in params:
                value = params.pop(name)
                value = (value[-1] if isinstance(value, list) else value).replace("\x00", "").strip()
                if value:
                    self.values[name] = value  # without NUL bytes, which PostgreSQL's text refuses

    def has_output(self) -> bool:
        return True

    def expected_parameters(self) -> list[str]:
        return [name for name, _label, _type in self.fields]

    def choices(self, changelist):
        names = set(self.expected_parameters())
        kept = [(name, value) for name, value in changelist.params.items() if name not in names and name != "p"]
        yield {
            "fields": [
                {"name": name, "label": label, "type": kind, "value": self.values.get(name, "")}
                for name, label, kind in self.fields
            ],
            "kept": [(name, value[-1] if isinstance(value, list) else value) for name, value in kept],
            "active": bool(self.values),
            "clear": changelist.get_query_string(remove=[*names, "p"]),
        }


class ReaderFilter(InputFilter):
    title = _("người xem")
    fields = (("actor", "Tên đăng nhập", "text"),)

    def queryset(self, request, queryset):
        username = self.values.get("actor")
        return queryset.filter(actor__username=username) if username else queryset


class HouseholdFilter(InputFilter):
    title = _("hộ")
    fields = (("household", "Mã hộ (ví dụ 00070-000123) hoặc số thứ tự của hộ", "text"),)

    def queryset(self, request, queryset):
        text = self.values.get("household")
        if not text:
            return queryset
        household = selectors.household_of(request.user, text)
        return queryset.none() if household is None else selectors.access_log_about(queryset, household)


class DaysFilter(InputFilter):
    title = _("thời gian")
    fields = (("since", "Từ ngày", "date"), ("until", "Đến ngày", "date"))

    def queryset(self, request, queryset):
        try:
            days = {name: datetime.date.fromisoformat(value) for name, value in self.values.items()}
        except ValueError as exc:
            raise IncorrectLookupParameters(exc) from exc
        return selectors.access_log_between(queryset, days.get("since"), days.get("until"))


def _shown(request, records) -> None:
    """Each record's households as (id, code) in the reader's scope, and how many lie outside it (one query)."""
    codes = selectors.household_codes(request.user, {pk for record in records for pk in record.household_ids})
    for record in records:
        record.shown = [(pk, codes[pk]) for pk in record.household_ids if pk in codes]
        record.hidden = len(record.household_ids) - len(record.shown)


class AccessChangeList(ChangeList):
    def get_results(self, request):
        super().get_results(request)
        _shown(request, list(self.result_list))  # the page's rows, cached on the queryset the template shows


def _households(record: AccessRecord, limit: int | None) -> str:
    shown = getattr(record, "shown", [])
    links = format_html_join(
        ", ",
        '<a href="{}">{}</a>',
        ((reverse("admin:households_household_change", args=[pk]), code) for pk, code in shown[:limit]),
    )
    more = []
    if limit is not None and len(shown) > limit:
        more.append(f"và {len(shown) - limit} hộ khác")
    if getattr(record, "hidden", 0):
        more.append(f"{record.hidden} hộ ngoài địa bàn của bạn")
    if record.area_id is not None:
        more.append(f"cả địa bàn {record.area.name}")
    parts = [part for part in (links, ", ".join(more)) if part]
    return format_html("{}", format_html_join("; ", "{}", ((part,) for part in parts))) if parts else "—"


@admin.register(AccessRecord)
class AccessRecordAdmin(RightsAdminMixin, admin.ModelAdmin):
    view_right = rules.ACCESS_LOG_VIEW
    audit_history = False  # a log's own rows have no history
    list_display = ["at", "actor", "door", "action", "resource", "search", "result_count", "households", "ip"]
    list_display_links = ["at"]
    list_filter = [ReaderFilter, HouseholdFilter, DaysFilter, "door", "action"]
    list_select_related = ["actor", "area"]
    show_facets = admin.ShowFacets.NEVER
    show_full_result_count = False
    list_per_page = 50
    fields = [
        "at",
        "actor",
        "actor_area",
        "ip",
        "door",
        "action",
        "resource",
        "address",
        "search",
        "result_count",
        "all_households",
    ]
    readonly_fields = fields

    @admin.display(description=_("địa chỉ đã mở"))
    def address(self, obj):
        """The address read, with its query, as code (for those who trace it, not words of the page)."""
        return format_html("<code>{}{}</code>", obj.path, f"?{obj.query}" if obj.query else "") if obj.path else "—"

    @admin.display(description=_("các hộ"))
    def households(self, obj):
        return _households(obj, SHOWN_CODES)

    @admin.display(description=_("các hộ"))
    def all_households(self, obj):
        return _households(obj, None)

    def get_queryset(self, request):
        return selectors.access_log_for(request.user)

    def get_changelist(self, request, **kwargs):
        return AccessChangeList

    def get_object(self, request, object_id, from_field=None) -> Any:
        record = super().get_object(request, object_id, from_field)
        if record is not None:
            _shown(request, [record])
        return record
