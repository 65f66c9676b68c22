"""Support in the admin, part one: the input fields and the forms of the services' inputs (used by the subject
modules of `support.admin` and by `support.admin.views`).

Every write goes through one service of `support.services` (STYLE 5, 17, 32): a form checks its inputs and says
how the service takes them (`arguments`); the admin's save, or the small form page, calls the service; a move
form carries the version the user saw. A refusal comes back as a form error on the field the service names
(`config.admin.add_domain_error`).
"""

import datetime
import re
from collections.abc import Callable

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminDateWidget, AutocompleteSelect
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from config.admin import ID_DIGITS
from config.formats import number
from households import rules as access
from households.models import Area, Household
from households.rules import Level
from programs.rules import INDICATOR_NAMES
from support import services
from support.models import (
    BudgetAllocation,
    FollowUpResult,
    FundingSource,
    InterventionType,
    Kind,
    Loan,
    SupportFollowUp,
    SupportRecord,
)
from support.rules import MOVE_LABELS, RECORD_MOVES, RecordMove, RecordState

_GROUPED = re.compile(r"[0-9]{1,3}(?:\.[0-9]{3})+")  # 40.000.000, as amounts are written in Vietnam
_RATE = re.compile(r"([0-9]{1,3})(?:[.,]([0-9]{1,2}))?")  # 6,6 or 7.92 (% a year)
TEXT = forms.Textarea(attrs={"rows": 3, "cols": 60})
BUDGET_LEVELS = (Level.PROVINCE, Level.DISTRICT, Level.COMMUNE)


def day(value: datetime.date | None) -> str:
    return f"{value:%d/%m/%Y}" if value else "—"


def rate_text(rate_bp: int | None) -> str:
    """660 → "6,60%"."""
    if rate_bp is None:
        return "—"
    return f"{rate_bp // 100},{rate_bp % 100:02d}%"


# --- fields -----------------------------------------------------------------------------------------------


class WholeNumberField(forms.IntegerField):
    """A whole number typed with the digits 0-9 (money may be grouped with dots: 40.000.000)."""

    widget = forms.TextInput(attrs={"inputmode": "numeric", "size": 16})
    grouped = False

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value).strip().replace(" ", "")
        negative = text.startswith("-")
        digits = text.removeprefix("-")
        if self.grouped and _GROUPED.fullmatch(digits):
            digits = digits.replace(".", "")
        if not ID_DIGITS.fullmatch(digits):
            raise ValidationError("Chỉ nhập số nguyên bằng các chữ số 0-9.", code="invalid")
        if negative:
            raise ValidationError("Không được là số âm.", code="min_value")
        return int(digits)


class MoneyField(WholeNumberField):
    grouped = True

    def __init__(self, *, label: str, required: bool = True, max_value: int = services.MAX_AMOUNT, **kwargs):
        kwargs.setdefault("help_text", _("Đồng, ví dụ 40.000.000."))
        super().__init__(label=label, required=required, min_value=0, max_value=max_value, **kwargs)


class RateField(forms.CharField):
    """An annual rate typed in percent ("6,6", "7.92"), cleaned to basis points (660, 792)."""

    def to_python(self, value):
        text = super().to_python(value).replace(" ", "").removesuffix("%")
        if not text:
            return None
        match = _RATE.fullmatch(text)
        if match is None:
            raise ValidationError("Lãi suất ghi theo %/năm bằng các chữ số 0-9, ví dụ 6,6 hoặc 7,92.", code="invalid")
        rate = int(match[1]) * 100 + int((match[2] or "0").ljust(2, "0"))
        if rate > 10_000:
            raise ValidationError("Lãi suất không quá 100%/năm.", code="max_value")
        return rate


def _date(label: str, **kwargs) -> forms.DateField:
    return forms.DateField(label=label, widget=AdminDateWidget, **kwargs)


class Autocomplete(AutocompleteSelect):
    """The admin's autocomplete; a sent value that is not an id (mistyped, tampered) shows as nothing selected
    instead of failing the page when the form comes back with its errors."""

    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, [v for v in value if ID_DIGITS.fullmatch(str(v))], attr)


def household_field() -> forms.ModelChoiceField:
    """The household, searched by code or name (the household admin's autocomplete, scoped to the user)."""
    return forms.ModelChoiceField(
        label=_("Hộ"),
        queryset=Household.objects.none(),
        widget=Autocomplete(SupportRecord._meta.get_field("household"), admin.site),
    )


def scoped_areas(user) -> QuerySet[Area]:
    """The provinces, districts and communes a user may read budgets and lists of: her area and those within."""
    return Area.objects.filter(level__in=BUDGET_LEVELS).in_charge_of(user)


def area_field(user, *, required: bool = True) -> forms.ModelChoiceField:
    """An area in the user's scope: a list within a province, a search over the whole country."""
    queryset = scoped_areas(user).order_by("path")
    widget = (
        Autocomplete(BudgetAllocation._meta.get_field("area"), admin.site) if user.has_country_scope else forms.Select
    )
    field = forms.ModelChoiceField(label=_("Địa bàn"), queryset=queryset, widget=widget, required=required)
    if not user.has_country_scope:  # indented below the user's own area
        top = user.area.path.count("/") if user.area else 0
        field.label_from_instance = lambda area: f"{'— ' * (area.path.count('/') - top)}{area.name}"
    return field


# --- the add forms of the services' inputs -------------------------------------------------------------------


class ServiceModelForm(forms.ModelForm):
    """A ModelForm of the admin for the inputs of one service: it checks them one by one and gives them as the
    service takes them (`arguments`); the admin's `save_model` calls the service (`ServiceWritesMixin`), which
    checks them together. The service's field names that differ from the form's are in `field_aliases`. `user`
    is set by the admin."""

    user = None
    field_aliases: dict[str | None, str] = {}


class SupportRecordForm(ServiceModelForm):
    household = household_field()
    intervention_type = forms.ModelChoiceField(label=_("Loại hỗ trợ"), queryset=InterventionType.objects.none())
    date = _date(_("Ngày hỗ trợ"))
    quantity = WholeNumberField(label=_("Số lượng"), min_value=1, max_value=10_000, initial=1)
    amount = MoneyField(
        label=_("Số tiền (đồng)"), required=False, help_text=_("Để trống: mức mặc định của loại hỗ trợ × số lượng.")
    )
    funding_source = forms.ChoiceField(label=_("Nguồn vốn"), choices=FundingSource.choices)
    cofinancing = MoneyField(label=_("Hộ đối ứng (đồng)"), required=False, initial=0)
    override_reason = forms.CharField(
        label=_("Lý do vẫn hỗ trợ khi không đủ điều kiện"),
        required=False,
        widget=TEXT,
        help_text=_("Chỉ ghi khi hộ không đủ điều kiện mà vẫn hỗ trợ (ghi nhật ký)."),
    )
    note = forms.CharField(label=_("Ghi chú"), required=False, widget=TEXT)
    field_aliases = {"type": "intervention_type"}

    class Meta:
        model = SupportRecord
        fields = [
            "household",
            "intervention_type",
            "date",
            "quantity",
            "amount",
            "funding_source",
            "cofinancing",
            "override_reason",
            "note",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["household"].queryset = Household.objects.visible_to(self.user)
        self.fields["intervention_type"].queryset = InterventionType.objects.filter(active=True).exclude(
            kind=Kind.CREDIT
        )
        self.fields["intervention_type"].help_text = format_html(
            'Khoản vay ưu đãi của Ngân hàng Chính sách xã hội: ghi ở mục <a href="{}">Khoản vay ưu đãi</a>.',
            reverse("admin:support_loan_add"),
        )
        if not self.user.has_right(access.SUPPORT_OVERRIDE):
            del self.fields["override_reason"]

    def arguments(self) -> dict:
        """The record as `services.record_support` takes it."""
        data = self.cleaned_data
        return {
            "household_id": data["household"].pk,
            "type_code": data["intervention_type"].code,
            "date": data["date"],
            "funding_source": data["funding_source"],
            "quantity": data["quantity"],
            "amount": data.get("amount"),
            "cofinancing": data.get("cofinancing") or 0,
            "override_reason": data.get("override_reason") or "",
            "note": data.get("note") or "",
        }


class LoanForm(ServiceModelForm):
    household = household_field()
    intervention_type = forms.ModelChoiceField(
        label=_("Chương trình vay"),
        queryset=InterventionType.objects.none(),
        required=False,
        empty_label=_("Theo tình trạng của hộ ngày giải ngân"),
    )
    principal = MoneyField(label=_("Số tiền vay (đồng)"))
    annual_rate = RateField(
        label=_("Lãi suất (%/năm)"), required=False, help_text=_("Để trống: lãi suất của chương trình vay.")
    )
    term_months = WholeNumberField(label=_("Thời hạn (tháng)"), min_value=1, max_value=360)
    disbursed_on = _date(_("Ngày giải ngân"))
    purpose = forms.CharField(label=_("Mục đích vay"), max_length=200)
    contract_number = forms.CharField(label=_("Số hợp đồng / khế ước"), max_length=60, required=False)
    override_reason = forms.CharField(label=_("Lý do vẫn ghi khi không đủ điều kiện"), required=False, widget=TEXT)
    note = forms.CharField(label=_("Ghi chú"), required=False, widget=TEXT)
    field_aliases = {
        "type": "intervention_type",
        "annual_rate_bp": "annual_rate",
        "date": "disbursed_on",
        "amount": "principal",
    }

    class Meta:
        model = Loan
        fields = [
            "household",
            "intervention_type",
            "principal",
            "annual_rate",
            "term_months",
            "disbursed_on",
            "purpose",
            "contract_number",
            "override_reason",
            "note",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["household"].queryset = Household.objects.visible_to(self.user)
        self.fields["intervention_type"].queryset = InterventionType.objects.filter(active=True, kind=Kind.CREDIT)
        if not self.user.has_right(access.SUPPORT_OVERRIDE):
            del self.fields["override_reason"]

    def arguments(self) -> dict:
        """The loan as `services.record_loan` takes it."""
        data = self.cleaned_data
        credit = data.get("intervention_type")
        return {
            "household_id": data["household"].pk,
            "principal": data["principal"],
            "term_months": data["term_months"],
            "disbursed_on": data["disbursed_on"],
            "purpose": data["purpose"],
            "type_code": credit.code if credit else "",
            "annual_rate_bp": data.get("annual_rate"),
            "contract_number": data.get("contract_number") or "",
            "override_reason": data.get("override_reason") or "",
            "note": data.get("note") or "",
        }


class BudgetForm(ServiceModelForm):
    """A new budget line (area, year, project, source, amount), or a new amount for an existing one."""

    year = WholeNumberField(label=_("Năm"), min_value=2021, max_value=2040)
    amount = MoneyField(label=_("Số tiền (đồng)"), max_value=10**15)
    decision = forms.CharField(label=_("Quyết định giao vốn"), max_length=120, required=False)
    expected_version = forms.IntegerField(label=_("Phiên bản đang sửa"), widget=forms.HiddenInput, required=False)
    field_aliases = {"version": "expected_version"}

    class Meta:
        model = BudgetAllocation
        fields = ["area", "year", "project", "funding_source", "amount", "decision", "expected_version"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:  # the line is fixed: only its amount and decision change
            for name in ("area", "year", "project", "funding_source"):
                self.fields.pop(name, None)
            self.initial["expected_version"] = self.instance.version
        else:
            del self.fields["expected_version"]
            self.fields["area"] = area_field(self.user)

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and not self.errors and cleaned.get("expected_version") is None:
            # a change always carries the version the user saw: never a silent overwrite
            raise ValidationError("Thiếu phiên bản kế hoạch vốn bạn đã xem; hãy mở lại trang.", code="required")
        return cleaned

    def arguments(self) -> dict:
        """The line as `services.set_budget` takes it: a new one, or a new amount for this one."""
        data = self.cleaned_data
        if self.instance.pk:
            line = {name: getattr(self.instance, name) for name in ("area_id", "year", "project", "funding_source")}
        else:
            line = {
                "area_id": data["area"].pk,
                "year": data["year"],
                "project": data["project"],
                "funding_source": data["funding_source"],
            }
        return {
            **line,
            "amount": data["amount"],
            "decision": data.get("decision") or "",
            "version": data.get("expected_version") if self.instance.pk else None,
            "create_only": not self.instance.pk,
        }


# --- the small forms of a record's moves, its follow-ups and a loan's repayments ----------------------------


class MoveForm(forms.Form):
    """One move of a support record: the version the user saw and the move's inputs; `submit` calls the move's
    service in `support.services` with the form's fields as keyword arguments (renamed by `arguments`)."""

    move: RecordMove
    service: Callable[..., SupportRecord]
    right: str
    title = ""
    submit_label = ""
    what = "Hỗ trợ"
    field_aliases: dict[str | None, str] = {}
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, record: SupportRecord, user=None, **kwargs):
        self.record, self.user = record, user
        super().__init__(*args, **kwargs)

    def initial_values(self, today: datetime.date) -> dict:
        return {
            "version": self.record.version,
            **{name: today for name, field in self.fields.items() if isinstance(field, forms.DateField)},
        }

    def arguments(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}

    def submit(self, actor) -> SupportRecord:
        return type(self).service(
            actor=actor, record_id=self.record.pk, version=self.cleaned_data["version"], **self.arguments()
        )

    def success_message(self, record: SupportRecord) -> str:
        return f"Đã {MOVE_LABELS[self.move]} “{record.intervention_type.name}” cho hộ {record.household.code}."


class ApproveForm(MoveForm):
    move = RecordMove.APPROVE
    right = access.SUPPORT_APPROVE
    title = "Duyệt hỗ trợ"
    submit_label = "Duyệt"
    approved_on = _date(_("Ngày duyệt"))

    service = staticmethod(services.approve_support)

    def arguments(self) -> dict:
        return {"day": self.cleaned_data["approved_on"]}


class DeliverForm(MoveForm):
    move = RecordMove.DELIVER
    right = access.SUPPORT_RECORD
    title = "Xác nhận đã hỗ trợ"
    submit_label = "Xác nhận đã giao hỗ trợ"
    delivered_on = _date(_("Ngày giao hỗ trợ"), help_text=_("Điều kiện hỗ trợ được xét lại theo ngày này."))
    note = forms.CharField(label=_("Ghi chú (biên bản bàn giao)"), required=False, widget=TEXT)
    override_reason = forms.CharField(
        label=_("Lý do vẫn giao khi không còn đủ điều kiện"),
        required=False,
        widget=TEXT,
        help_text=_("Chỉ ghi khi ngày giao hộ không còn đủ điều kiện mà vẫn hỗ trợ (ghi nhật ký)."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.user is None or not self.user.has_right(access.SUPPORT_OVERRIDE) or self.record.override_reason:
            del self.fields["override_reason"]  # only who may override; an overridden record stays so

    service = staticmethod(services.deliver_support)

    def success_message(self, record: SupportRecord) -> str:
        day = record.delivered_on.strftime("%d/%m/%Y") if record.delivered_on else ""
        return f"Đã ghi nhận: hộ {record.household.code} đã nhận “{record.intervention_type.name}” ngày {day}."


class CancelForm(MoveForm):
    move = RecordMove.CANCEL
    right = access.SUPPORT_RECORD
    title = "Hủy hỗ trợ"
    submit_label = "Hủy hỗ trợ"
    reason = forms.CharField(label=_("Lý do hủy"), widget=TEXT, required=False)

    service = staticmethod(services.cancel_support)


MOVE_FORMS: dict[RecordMove, type[MoveForm]] = {form.move: form for form in (ApproveForm, DeliverForm, CancelForm)}


class FollowUpForm(forms.Form):
    title = "Ghi kết quả theo dõi"
    submit_label = "Ghi kết quả"
    what = "Lần theo dõi"
    done_on = _date(_("Ngày kiểm tra"))
    result = forms.ChoiceField(label=_("Kết quả"), choices=FollowUpResult.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Ghi chú"), required=False, widget=TEXT, help_text=_("Bắt buộc khi không đạt: ví dụ vật nuôi chết.")
    )

    def __init__(self, *args, follow_up: SupportFollowUp, **kwargs):
        self.follow_up = follow_up
        super().__init__(*args, **kwargs)

    def submit(self, actor) -> SupportFollowUp:
        data = self.cleaned_data
        return services.record_follow_up(
            actor=actor,
            follow_up_id=self.follow_up.pk,
            done_on=data["done_on"],
            result=data["result"],
            note=data["note"],
        )

    def success_message(self, follow_up: SupportFollowUp) -> str:
        return f"Đã ghi kết quả theo dõi “{follow_up.label}”: {follow_up.get_result_display().lower()}."


class RepaymentForm(forms.Form):
    title = "Ghi trả nợ"
    submit_label = "Ghi trả nợ"
    what = "Khoản vay"
    version = forms.IntegerField(widget=forms.HiddenInput)
    date = _date(_("Ngày trả"))
    principal = MoneyField(label=_("Tiền gốc (đồng)"), required=False, initial=0)
    interest = MoneyField(label=_("Tiền lãi (đồng)"), required=False, initial=0)
    note = forms.CharField(label=_("Ghi chú"), max_length=255, required=False)

    def __init__(self, *args, loan: Loan, **kwargs):
        self.loan = loan
        super().__init__(*args, **kwargs)

    def success_message(self, repayment) -> str:
        self.loan.refresh_from_db()
        return f"Đã ghi trả nợ; dư nợ còn {number(self.loan.balance)} đồng."

    def submit(self, actor):
        data = self.cleaned_data
        return services.record_repayment(
            actor=actor,
            loan_id=self.loan.pk,
            version=data["version"],
            date=data["date"],
            principal=data.get("principal") or 0,
            interest=data.get("interest") or 0,
            note=data["note"],
        )


# --- the report pages' filters -------------------------------------------------------------------------------


class AreaYearForm(forms.Form):
    """An area in the user's scope and a year: the budget page and the outcomes page."""

    year = WholeNumberField(label=_("Năm"), min_value=2000, max_value=2100)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {"area": area_field(user), **self.fields}


class OutcomeForm(AreaYearForm):
    """The outcomes page: a year that has begun (no support is delivered in a year to come)."""

    def clean_year(self):
        year = self.cleaned_data["year"]
        if year > timezone.localdate().year:
            raise ValidationError(f"Năm {year} chưa đến: chưa có hỗ trợ nào được giao.", code="in_future")
        return year


class TargetingForm(forms.Form):
    indicator = forms.ChoiceField(label=_("Thiếu hụt chỉ số"), required=False)
    statuses = forms.MultipleChoiceField(
        label=_("Tình trạng"),
        choices=[("poor", _("Hộ nghèo")), ("near_poor", _("Hộ cận nghèo")), ("not_poor", _("Hộ không nghèo"))],
        widget=forms.CheckboxSelectMultiple,
    )
    since = _date(_("Chưa được hỗ trợ từ ngày"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {"area": area_field(user), **self.fields}
        self.fields["indicator"].choices = [("", _("Bất kỳ (chỉ theo tình trạng)"))] + [
            (code, name) for code, name in INDICATOR_NAMES.items()
        ]

    def clean_since(self):
        since = self.cleaned_data["since"]
        if since > timezone.localdate():
            raise ValidationError(f"Ngày {since:%d/%m/%Y} sau hôm nay.", code="in_future")
        return since


def available_moves(user, record: SupportRecord) -> list[RecordMove]:
    """The moves of a record the user may make now: the table of rules.RECORD_MOVES, each with its right; not the
    approval of one's own record, not the cancellation of a loan (the bank's record)."""
    moves = []
    for move in RECORD_MOVES[RecordState(record.status)]:
        if not user.has_right(MOVE_FORMS[move].right):
            continue
        if move is RecordMove.APPROVE and record.recorded_by_id == user.pk:
            continue
        if move is RecordMove.CANCEL and hasattr(record, "loan"):
            continue
        moves.append(move)
    return moves
