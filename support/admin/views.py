"""Support in the admin, part two: the pages that read (budget against delivery, the targeting list and its
Excel file, the outcomes after support), the small form pages of the moves, a record's history, the list
filters and what the admins of records, loans and budgets share (used by `support.admin`).

Each page checks the right to see support, reads an area within the user's scope and calls one selector of
`support.selectors` over `Household.objects.visible_to(user)` (STYLE 15). The Excel file of the targeting list
carries names: its download is audited (`support.targeting.exported`) and kept by no cache.
"""

import datetime
import re
from dataclasses import dataclass

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import ModelAdmin
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext_lazy as _

from config.admin import ID_DIGITS, ServiceAdminMixin, add_domain_error
from config.errors import DomainError, StaleVersion
from config.formats import number
from households import rules as access
from households.access import log_access, log_export
from households.admin import (
    CommuneFilter,
    Key,
    Names,
    audit_history_table,
    describe_audit,
    labelled,
    plain,
    vnd,
    yes_no,
)
from households.admin import day as log_day
from households.models import AccessAction, AccessDoor, Area, Household
from households.rules import SUPPORT_VIEW, Level, fold_text
from households.selectors import search_households
from households.services import log_action
from programs.models import Indicator
from programs.review.documents import render_xlsx
from programs.rules import INDICATOR_NAMES
from support import rules, selectors
from support.admin.forms import AreaYearForm, OutcomeForm, TargetingForm, day, rate_text
from support.documents import targeting_document
from support.models import FollowUpResult, InterventionType, SupportRecord
from support.rules import STATUS_LABELS

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TARGETING_EXPORTED = "support.targeting.exported"
SHOWN_ROWS = 500  # on the page; the Excel file has them all


def report_links() -> list[tuple[str, str]]:
    """The support pages that are not a model's list, for the app index and the lists' tools."""
    return [
        ("Kế hoạch vốn và giải ngân", reverse("admin:support_budget_overview")),
        ("Danh sách đối tượng cần hỗ trợ", reverse("admin:support_targeting")),
        ("Kết quả sau hỗ trợ", reverse("admin:support_outcomes")),
    ]


STALE_MESSAGE = "{what} đã được người khác cập nhật trong lúc bạn nhập; hãy mở lại trang để xem thay đổi rồi làm lại."
# Support's words in the change log (`households.admin.changes`): its actions, and the keys of their changes that are
# not fields of the record (or read otherwise).
_FOLLOW_UPS = {f.code: f.label for checks in reversed(rules.FOLLOW_UPS.values()) for f in checks}
_RESULTS = dict(FollowUpResult.choices)


def _follow_up(value) -> str:
    """A scheduled or recorded follow-up as the log keeps it ("code@2026-11-14", "achieved@2026-11-14")."""
    if not isinstance(value, str) or "@" not in value:
        return plain(value)
    what, _, when = value.partition("@")
    return f"{_FOLLOW_UPS.get(what) or _RESULTS.get(what, what)} ({log_day(when)})"


def _rate(value) -> str:
    """A yearly rate in basis points (660) as "6,60%/năm"."""
    return f"{rate_text(value)}/năm" if isinstance(value, int) else plain(value)


_STATUSES = labelled(STATUS_LABELS)
describe_audit(
    actions={
        "support.record.created": "ghi hỗ trợ",
        "support.record.overridden": "ghi hỗ trợ khi hộ không đủ điều kiện (có lý do)",
        "support.record.approved": "duyệt hỗ trợ",
        "support.record.delivered": "xác nhận đã hỗ trợ",
        "support.record.cancelled": "hủy hỗ trợ",
        "support.follow_up.recorded": "ghi kết quả theo dõi sau hỗ trợ",
        "support.loan.recorded": "ghi khoản vay ưu đãi",
        "support.loan.repaid": "ghi trả nợ khoản vay",
        "support.budget.set": "đặt kế hoạch vốn",
        "support.intervention_type.created": "thêm loại hỗ trợ",
        "support.intervention_type.changed": "sửa loại hỗ trợ",
        TARGETING_EXPORTED: "tải danh sách đối tượng cần hỗ trợ (có thông tin cá nhân)",
        "support.demo.seeded": "tạo dữ liệu demo: hỗ trợ",
    },
    keys={
        SupportRecord: {
            "version": Key("Phiên bản", hidden=True),
            "type": Key("Loại hỗ trợ", names=Names(InterventionType, "code", "name")),
            "eligible": Key("Đủ điều kiện", show=yes_no),
            "eligibility": Key("Điều kiện hỗ trợ", show=lambda v: "; ".join(v) if isinstance(v, list) else plain(v)),
            "follow_ups": Key("Theo dõi sau hỗ trợ", show=lambda v: "; ".join(map(_follow_up, v)) if v else plain(v)),
            "follow_ups_dropped": Key("Bỏ các việc theo dõi", show=labelled(_FOLLOW_UPS)),
            "follow_up.": Key("Theo dõi", show=_follow_up, label_of=lambda code: _FOLLOW_UPS.get(code, code)),
            "principal": Key("Số tiền vay", show=vnd),
            "annual_rate_bp": Key("Lãi suất", show=_rate),
            "term_months": Key("Thời hạn vay (tháng)"),
            "maturity_on": Key("Ngày đến hạn", show=log_day),
            "balance": Key("Dư nợ gốc", show=vnd),
            "interest": Key("Tiền lãi", show=vnd),
        },
        InterventionType: {
            "addresses": Key("Chỉ số thiếu hụt được giải quyết", names=Names(Indicator, "code", "name")),
            "eligible_statuses": Key("Tình trạng được hỗ trợ", show=_STATUSES),
            "annual_rate_bp": Key("Lãi suất năm", show=_rate),
        },
        Area: {
            "records": Key("Số lượt hỗ trợ"),
            "indicator": Key("Chỉ số thiếu hụt", names=Names(Indicator, "code", "name")),
            "statuses": Key("Tình trạng", show=_STATUSES),
            "since": Key("Chưa được hỗ trợ từ ngày", show=log_day),
            "types": Key("Loại hỗ trợ", names=Names(InterventionType, "code", "name")),
            "rows": Key("Số dòng"),
        },
    },
)


def record_history(record: SupportRecord) -> str:
    """The record's audit entries, oldest first, as a small table of its change page."""
    return audit_history_table(record)


def form_page(model_admin: ModelAdmin, request: HttpRequest, form, *, obj, summary=(), back_url: str) -> HttpResponse:
    """A small form of the support admin (a move of a record, a follow-up, a repayment) in the admin's look. A
    valid POST calls the form's service (`form.submit`): done, back to the object with the form's message; refused,
    the form again with the service's error on its field, or with "reload" when someone else changed the object."""
    if request.method == "POST" and form.is_valid():
        try:
            done = form.submit(request.user)
        except StaleVersion:
            form.add_error(None, STALE_MESSAGE.format(what=form.what))
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            model_admin.message_user(request, form.success_message(done), messages.SUCCESS)
            return HttpResponseRedirect(back_url)
    opts = model_admin.model._meta
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": opts,
        "title": form.title,
        "form": form,
        "media": model_admin.media + form.media,
        "object": obj,
        "object_url": reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]),
        "changelist_url": reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
        "back_url": back_url,
        "submit_label": form.submit_label,
        "summary": summary,
    }
    return TemplateResponse(request, "admin/form_page.html", context)


def _checked(request: HttpRequest) -> None:
    if not request.user.has_right(SUPPORT_VIEW):
        raise PermissionDenied


def _default_area(user) -> Area | None:
    area = user.area
    return area if area is not None and area.level in (Level.PROVINCE, Level.DISTRICT, Level.COMMUNE) else None


def _data(request: HttpRequest, defaults: dict) -> QueryDict | None:
    """The filters the user sent, else the defaults when they are complete (the page opens with results)."""
    if request.GET:
        return request.GET
    if any(value is None for value in defaults.values()):
        return None
    data = QueryDict(mutable=True)
    for name, value in defaults.items():
        if isinstance(value, list):
            data.setlist(name, value)
        else:
            data[name] = value
    return data


def _page(model_admin: ModelAdmin, request: HttpRequest, template: str, title: str, **context) -> TemplateResponse:
    full = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": title,
        "report_links": report_links(),
        **context,
    }
    return TemplateResponse(request, f"admin/support/{template}", full)


def _households(user, area: Area):
    return Household.objects.visible_to(user).in_area(area)


# --- budget against delivery ----------------------------------------------------------------------------


MONEY_COLUMNS = ("allocated", "distributed", "committed", "delivered", "cofinancing", "remaining")


def budget_view(model_admin: ModelAdmin, request: HttpRequest) -> TemplateResponse:
    """Per project and source of an area's year: allocated, passed down, committed, delivered, co-financing,
    remaining, with totals; and each commune's envelope against its delivered support."""
    _checked(request)
    user = request.user
    area = _default_area(user)
    form = AreaYearForm(
        _data(request, {"area": area.pk if area else None, "year": timezone.localdate().year}), user=user
    )
    context: dict = {"form": form}
    if form.is_bound and form.is_valid():
        area, year = form.cleaned_data["area"], form.cleaned_data["year"]
        lines = [line.as_dict() for line in selectors.budget_summary(area, year)]
        totals = {name: sum(line[name] for line in lines) for name in MONEY_COLUMNS}
        communes = selectors.budget_by_commune(area, year)
        for commune in communes:
            commune["remaining"] = commune["allocated"] - commune["delivered"]
            commune["url"] = f"{reverse('admin:support_budget_overview')}?area={commune['area']}&year={year}"
        context |= {
            "area": area,
            "year": year,
            "lines": [{**line, "money": [number(line[name]) for name in MONEY_COLUMNS]} for line in lines],
            "totals": [number(totals[name]) for name in MONEY_COLUMNS],
            "communes": [
                {**c, "money": [number(c[name]) for name in ("allocated", "delivered", "remaining")]} for c in communes
            ],
            "commune_totals": [
                number(sum(c[name] for c in communes)) for name in ("allocated", "delivered", "remaining")
            ],
            "allocations_url": f"{reverse('admin:support_budgetallocation_changelist')}?year={year}",
        }
    return _page(model_admin, request, "budget.html", "Kế hoạch vốn và giải ngân", **context)


# --- the targeting list --------------------------------------------------------------------------------------


def _targeting_rows(queryset, limit: int) -> list[dict]:
    listed = (
        queryset.select_related("head", "village")
        .annotate(latest=selectors.latest_assessment())
        .order_by("village__name", "code", "pk")[:limit]
    )
    return [
        {
            "id": household.pk,
            "url": reverse("admin:households_household_change", args=[household.pk]),
            "code": household.code,
            "head": household.head.full_name if household.head else "(chưa ghi chủ hộ)",
            "village": household.village.name if household.village else "—",
            "status": STATUS_LABELS.get(household.status, household.status),
            "since": day(household.status_since),
            "deprived": ", ".join(INDICATOR_NAMES.get(code, code) for code in (household.latest or [])),
        }
        for household in listed
    ]


def targeting_view(model_admin: ModelAdmin, request: HttpRequest) -> HttpResponse:
    """Households in scope with the chosen statuses, deprived in the indicator on their latest survey, with no
    delivered support addressing it since the date; `format=xlsx` downloads all of them (audited)."""
    _checked(request)
    user = request.user
    area = _default_area(user)
    defaults = {
        "area": area.pk if area else None,
        "indicator": "",
        "statuses": ["poor", "near_poor"],
        "since": rules.TARGETING_SINCE.strftime("%d/%m/%Y"),
    }
    form = TargetingForm(_data(request, defaults), user=user)
    context: dict = {"form": form}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        area, indicator, statuses, since = data["area"], data["indicator"] or None, data["statuses"], data["since"]
        queryset = selectors.targeting(_households(user, area), indicator=indicator, statuses=statuses, since=since)
        if request.GET.get("format") == "xlsx":
            return _targeting_xlsx(request, area, queryset, indicator, statuses, since)
        total = queryset.count()
        query = request.GET.copy() if request.GET else _data(request, defaults).copy()
        query["format"] = "xlsx"
        rows = _targeting_rows(queryset, SHOWN_ROWS)
        log_access(
            request,
            door=AccessDoor.ADMIN,
            action=AccessAction.LIST,
            resource="Danh sách đối tượng cần hỗ trợ",
            household_ids=[row["id"] for row in rows],
            result_count=total,
        )
        context |= {
            "area": area,
            "total": total,
            "rows": rows,
            "shown": min(total, SHOWN_ROWS),
            "xlsx_url": f"{request.path}?{query.urlencode()}",
            "indicator_name": INDICATOR_NAMES.get(indicator or "", ""),
        }
    return _page(model_admin, request, "targeting.html", "Danh sách đối tượng cần hỗ trợ", **context)


def _targeting_xlsx(request, area, queryset, indicator, statuses, since) -> HttpResponse:
    today = timezone.localdate()
    document = targeting_document(
        area=area, households=queryset, indicator=indicator, statuses=statuses, since=since, today=today
    )
    response = HttpResponse(render_xlsx(document), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{document.filename}.xlsx"'
    log_action(
        actor=request.user,
        action=TARGETING_EXPORTED,
        obj=area,
        changes={
            "indicator": (None, indicator),
            "statuses": (None, list(statuses)),
            "since": (None, since.isoformat()),
            "rows": (None, len(document.rows)),
        },
    )
    log_export(request, resource=f"{document.sheet} (Excel)", household_ids=document.household_ids)
    patch_cache_control(response, private=True, no_store=True)  # people's names: kept by no cache
    return response


# --- outcomes after support ---------------------------------------------------------------------------------


def outcomes_view(model_admin: ModelAdmin, request: HttpRequest) -> TemplateResponse:
    """Of the households supported (delivered) in the year: how many were poor or listed then, how many were out
    of poverty and off the lists at the end of each later year (the running one as it stands today), and who
    fell back despite the support."""
    _checked(request)
    user = request.user
    area = _default_area(user)
    today = timezone.localdate()
    form = OutcomeForm(_data(request, {"area": area.pk if area else None, "year": today.year - 1}), user=user)
    context: dict = {"form": form}
    if form.is_bound and form.is_valid():
        area, year = form.cleaned_data["area"], form.cleaned_data["year"]
        years, total, rows = selectors.outcomes(_households(user, area), year, today=today)
        codes = sorted(total.relapsed_households)
        ids = dict(_households(user, area).filter(code__in=codes).values_list("code", "pk"))
        log_access(
            request,
            door=AccessDoor.ADMIN,
            action=AccessAction.LIST,
            resource="Kết quả sau hỗ trợ (hộ tái nghèo)",
            household_ids=ids.values(),
            result_count=len(codes),
        )
        context |= {
            "area": area,
            "year": year,
            "year_heads": [
                f"Đến 31/12/{y}" if datetime.date(y, 12, 31) <= today else f"Đến hôm nay ({day(today)})" for y in years
            ],
            "rows": [row.as_dict(years, today) for row in [total, *rows]],
            "relapsed": [(code, reverse("admin:households_household_change", args=[ids[code]])) for code in codes],
        }
    return _page(model_admin, request, "outcomes.html", "Kết quả sau hỗ trợ", **context)


# --- what the record and loan admins share ---------------------------------------------------------------------

ERROR_STYLE = "color: var(--error-fg, #ba2121); font-weight: bold"


@dataclass(frozen=True)
class Button:
    label: str
    url: str
    move: str = ""


def id_param(request, name: str) -> dict:
    """`?household=12` prefills the add forms; anything but an id is ignored (never a 500)."""
    value = request.GET.get(name, "")
    return {name: int(value)} if ID_DIGITS.fullmatch(value) else {}


def search_by_household(request, queryset, search_term: str, path: str):
    """Records (or loans) of the households whose code or a member's name matches, with or without diacritics."""
    if not fold_text(search_term):
        return queryset, False
    households = search_households(Household.objects.visible_to(request.user), search_term)
    return queryset.filter(**{f"{path}__in": households}), False


class ServiceWritesMixin(ServiceAdminMixin):
    """The admin of a model the services write: its form (a `ServiceModelForm`) checks the inputs, its
    `save_model` calls the service with them (`form.arguments()`), a refusal is an error on the form and nothing
    is written. The change page is read-only (a plain form with no fields) unless `editable` says otherwise."""

    add_fields: list[str] = []
    household_path = "household"

    def editable(self, request, obj) -> bool:
        return obj is None

    def fields_for_add(self, request) -> list[str]:
        """The add form's fields; the override reason only for those who may override."""
        can_override = request.user.has_right(access.SUPPORT_OVERRIDE)
        return [name for name in self.add_fields if name != "override_reason" or can_override]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if not self.editable(request, obj):
            return super().get_form(request, obj, change, form=forms.ModelForm, fields=[])
        if obj is None:
            kwargs["fields"] = self.fields_for_add(request)
        form_class = super().get_form(request, obj, change, **kwargs)
        form_class.user = request.user
        return form_class

    def get_inline_instances(self, request, obj=None):
        """None on the add page: a new object has no rows yet."""
        return super().get_inline_instances(request, obj) if obj is not None else []

    def save_related(self, request, form, formsets, change):
        """Nothing: the service wrote everything."""

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {**(extra_context or {}), "support_links": report_links()})

    # the household's code and head in the lists (`household_path` leads from the row to it)

    def _household(self, obj) -> Household:
        for name in self.household_path.split("__"):
            obj = getattr(obj, name)
        return obj

    @admin.display(description=_("mã hộ"))
    def household_code(self, obj):
        return self._household(obj).code

    @admin.display(description=_("chủ hộ"))
    def head_name(self, obj):
        head = self._household(obj).head
        return head.full_name if head else "—"

    @admin.display(description=_("hộ"))
    def household_text(self, obj):
        return f"{self.household_code(obj)} — {self.head_name(obj)}"


# --- list filters ----------------------------------------------------------------------------------------


class YearFilter(admin.SimpleListFilter):
    title = _("năm")
    parameter_name = "year"
    lookup = "date__year"

    def lookups(self, request, model_admin):
        this_year = timezone.localdate().year
        return [(str(year), str(year)) for year in range(this_year + 1, 2020, -1)]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if not re.fullmatch(r"[0-9]{4}", value) or not 2000 <= int(value) <= 2100:  # year 0 is no date
            return queryset.none()
        return queryset.filter(**{self.lookup: int(value)})


class DisbursedYearFilter(YearFilter):
    title = _("năm giải ngân")
    lookup = "disbursed_on__year"


class BudgetYearFilter(YearFilter):
    lookup = "year"


class RecordCommuneFilter(CommuneFilter):
    """The commune of the household, for district and province staff (a commune officer has one)."""

    field = "household__commune"

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if not ID_DIGITS.fullmatch(str(value)):
            return queryset.none()
        allowed = self.choices_queryset(request).filter(pk=int(value))
        return queryset.filter(**{f"{self.field}__in": allowed})


class LoanCommuneFilter(RecordCommuneFilter):
    field = "record__household__commune"


class OverdueFilter(admin.SimpleListFilter):
    title = _("quá hạn")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Quá hạn")), ("no", _("Chưa đến hạn hoặc đã trả hết"))]

    def queryset(self, request, queryset):
        overdue = {"maturity_on__lt": timezone.localdate(), "repaid__lt": F("principal")}
        if self.value() == "yes":
            return queryset.filter(**overdue)
        if self.value() == "no":
            return queryset.exclude(**overdue)
        return queryset


class BudgetAreaFilter(admin.SimpleListFilter):
    title = _("địa bàn")
    parameter_name = "area"

    def lookups(self, request, model_admin):
        rows = (
            model_admin.get_queryset(request)
            .order_by("area__path")
            .values_list("area_id", "area__name")
            .distinct()[:300]
        )
        return [(str(pk), name) for pk, name in rows]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if not ID_DIGITS.fullmatch(str(value)):
            return queryset.none()
        return queryset.filter(area_id=int(value))
