"""The survey in the admin (used by `programs.standards.admin`): its form, and its result page as a document for
people (STYLE 33).

The form shows exactly the indicators of the standard the survey applies, chosen as the service chooses it
(`services.standard_for_survey`: the one picked, else the commune's campaign for the review, else the one in force
on the survey date), with the standard's own names. A confirmation is asked only where it applies: where the
system's derivation and the surveyor's answer differ, after the service said so. The result page shows the
answers, the members' facts, the dwelling and the deprivations as labelled tables with ✓ and ✗, and money as
"1.200.000 đ".
"""

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from config.admin import ID_DIGITS
from config.errors import DomainError
from config.formats import money, number
from households.models import Area, EducationLevel, Household, Member, Schooling
from households.rules import Level
from programs import rules
from programs.models import Assessment, Indicator, PovertyStandard, ReviewKind, StandardIndicator
from programs.standards import derivations, services
from programs.standards.services.hooks import review_hooks

# --- marks --------------------------------------------------------------------------------------------------

DEPRIVED = "✓ thiếu hụt"
NOT_DEPRIVED = "✗ không thiếu hụt"


def mark(value: Any, yes: str = "có", no: str = "không", unknown: str = "—") -> str:
    """✓/✗ with the word that says what it means; `unknown` when there is no answer."""
    if value is None:
        return unknown
    return f"✓ {yes}" if value else f"✗ {no}"


def deprivation_mark(value: Any, unknown: str = "—") -> str:
    return mark(value, "thiếu hụt", "không thiếu hụt", unknown)


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]], *, css: str = "survey-table") -> str:
    """A labelled table (the first header row names the columns)."""
    head = format_html_join("", '<th scope="col">{}</th>', ((h,) for h in headers))
    body = format_html_join(
        "", "<tr>{}</tr>", ((format_html_join("", "<td>{}</td>", ((cell,) for cell in row)),) for row in rows)
    )
    return format_html('<table class="{}"><thead><tr>{}</tr></thead><tbody>{}</tbody></table>', css, head, body)


def facts_table(rows: Iterable[tuple[str, Any]]) -> str:
    """A table of facts: one label and its value per row."""
    body = format_html_join("", '<tr><th scope="row">{}</th><td>{}</td></tr>', rows)
    return format_html('<table class="survey-facts"><tbody>{}</tbody></table>', body)


def review_text(year: int, kind: str, month: int = 0) -> str:
    """The review a survey belongs to, as people name it: "Rà soát định kỳ năm 2025", "… tháng 3/2026"."""
    if kind == ReviewKind.MONTHLY:
        return f"Rà soát thường xuyên tháng {month}/{year}"
    return f"Rà soát định kỳ năm {year}"


def logged_review(value: Any) -> str:
    """The review as the audit log keeps it ("2025 periodic", "2026 monthly 3")."""
    parts = str(value).split()
    if len(parts) >= 2 and parts[0].isdecimal() and parts[1] in ReviewKind.values:
        month = int(parts[2]) if len(parts) > 2 and parts[2].isdecimal() else 0
        return review_text(int(parts[0]), parts[1], month)
    return str(value)


def square_metres(value: Any) -> str:
    try:
        area = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return f"{area.normalize():f}".replace(".", ",") + " m²"


# --- the result page ----------------------------------------------------------------------------------------


def indicator_names(a: Assessment) -> list[tuple[str, str]]:
    """(code, name) of the indicators of the survey's standard, in the standard's order, then any other indicator
    the survey mentions (a standard changed since): the standard's own names."""
    rows = StandardIndicator.objects.filter(standard_id=a.standard_id).select_related("indicator").order_by("position")
    named = [(row.indicator.code, row.indicator.name) for row in rows]
    known = {code for code, _ in named}
    mentioned = [*a.answers, *a.derived, *a.confirmed, *a.deprived]
    others = sorted({code for code in mentioned if code not in known})
    if others:
        names = dict(Indicator.objects.filter(code__in=others).values_list("code", "name"))
        named += [(code, names.get(code) or rules.INDICATOR_NAMES.get(code, code)) for code in others]
    return named


def indicators_table(a: Assessment) -> str:
    deprived = set(a.deprived)
    confirmed = a.confirmed or {}
    headers = ["Chỉ số", "Hệ thống tính", "Người khảo sát ghi"]
    if confirmed:
        headers.append("Xác nhận khi khác nhau")
    headers.append("Kết quả")
    rows = []
    for code, name in indicator_names(a):
        if code in derivations.DERIVED_INDICATORS:
            system = deprivation_mark(a.derived.get(code), "chưa đủ thông tin")
        else:
            system = "— (không tự tính)"
        row = [capfirst(name), system, deprivation_mark(a.answers.get(code), "—")]
        if confirmed:
            row.append(deprivation_mark(confirmed.get(code), "—"))
        result = DEPRIVED if code in deprived else NOT_DEPRIVED
        row.append(format_html("<strong>{}</strong>", result) if code in deprived else result)
        rows.append(row)
    return table(headers, rows)


def dwelling_table(a: Assessment) -> str:
    d = a.dwelling or {}
    if not d:
        return "Chưa ghi thông tin nhà ở."
    people = len(a.member_facts or [])
    area = d.get("floor_area_m2")
    if area is None:
        area_text = "—"
    elif people:
        per_person = (Decimal(str(area)) / people).quantize(Decimal("0.1"))
        area_text = f"{square_metres(area)} ({square_metres(per_person)}/người, {people} người)"
    else:
        area_text = square_metres(area)
    return facts_table(
        [
            ("Có nhà ở", mark(d.get("has_house"), unknown="chưa ghi")),
            ("Diện tích nhà ở", area_text),
            ("Nền móng, khung", mark(d.get("foundation_frame_durable"), "bền chắc", "không bền chắc", "chưa ghi")),
            ("Tường", mark(d.get("walls_durable"), "bền chắc", "không bền chắc", "chưa ghi")),
            ("Mái", mark(d.get("roof_durable"), "bền chắc", "không bền chắc", "chưa ghi")),
        ]
    )


SCHOOLING = dict(Schooling.choices)
EDUCATION = dict(EducationLevel.choices)


def members_table(a: Assessment) -> str:
    facts = a.member_facts or []
    if not facts:
        return "—"
    rows = []
    for m in facts:
        born = m.get("date_of_birth")
        born_text = datetime.date.fromisoformat(born).strftime("%d/%m/%Y") if born else "—"
        child = m.get("age") is not None and m["age"] < derivations.CHILD_UNDER
        rows.append(
            [
                m.get("full_name", "—"),
                born_text,
                m.get("age", "—"),
                mark(m.get("has_valid_health_insurance")),
                SCHOOLING.get(m.get("schooling"), m.get("schooling") or "—"),
                EDUCATION.get(m.get("education_level"), m.get("education_level") or "—"),
                mark(m.get("receives_disability_allowance")),
                mark(m.get("stunted"), unknown="chưa ghi") if child else "—",
                mark(m.get("underweight"), unknown="chưa ghi") if child else "—",
            ]
        )
    headers = [
        "Họ và tên",
        "Ngày sinh",
        "Tuổi",
        "Thẻ BHYT còn hạn",
        "Đang đi học",
        "Trình độ đã tốt nghiệp",
        "Trợ cấp khuyết tật",
        "Trẻ thấp còi",
        "Trẻ nhẹ cân",
    ]
    return table(headers, rows)


def quick_answers_table(a: Assessment) -> str:
    answers = a.quick_answers or {}
    if not answers:
        return "—"

    def shown(value: Any) -> str:
        if isinstance(value, bool):
            return mark(value)
        if isinstance(value, int):
            return number(value)
        return str(value)

    return facts_table((capfirst(str(key).replace("_", " ")), shown(value)) for key, value in answers.items())


def money_per_person(amount: int | None) -> str:
    return "—" if amount is None else f"{money(amount)}/người/tháng"


# --- the form -----------------------------------------------------------------------------------------------


class AnswerSelect(forms.NullBooleanSelect):
    """Yes, no or not answered, with the words that say what "yes" means."""

    def __init__(self, yes: str, no: str, empty: str = "— chưa trả lời"):
        super().__init__()
        self.choices = [("unknown", empty), ("true", yes), ("false", no)]


@dataclass(frozen=True)
class SurveyStandard:
    """The standard a survey form shows (its indicators with their own names) and why it applies."""

    standard: rules.Standard | None
    names: Mapping[str, str] = field(default_factory=dict)
    why: str = ""

    @property
    def codes(self) -> tuple[str, ...]:
        return self.standard.indicators if self.standard else ()


def _date(value: Any, default: datetime.date) -> datetime.date:
    if isinstance(value, datetime.date):
        return value
    try:
        return forms.DateField().clean(value) or default
    except forms.ValidationError:
        return default


def _number(value: Any, default: int, low: int, high: int) -> int:
    text = str(value or "").strip()
    return int(text) if ID_DIGITS.fullmatch(text) and low <= int(text) <= high else default


def survey_standard(user, data: Mapping[str, Any]) -> SurveyStandard:
    """The standard of the survey the form's `data` describes (its household, review, date and picked standard),
    as the service will choose it; a half-filled form reads its defaults (today, this year's periodic review, the
    officer's own commune)."""
    today = timezone.localdate()
    survey_date = _date(data.get("survey_date"), today)
    year = _number(data.get("review_year"), today.year, 2016, 2100)
    kind = data.get("review_kind") if data.get("review_kind") in ReviewKind.values else ReviewKind.PERIODIC
    month = _number(data.get("review_month"), 0, 0, 12)
    picked = data.get("standard_code") or None
    if picked and not PovertyStandard.objects.filter(code=picked).exists():
        picked = None
    commune_id = None
    household_id = str(data.get("household") or "")
    if ID_DIGITS.fullmatch(household_id):
        commune_id = (
            Household.objects.visible_to(user).filter(pk=int(household_id)).values_list("commune_id", flat=True).first()
        )
    if commune_id is None and user.area is not None and user.area.level == Level.COMMUNE:
        commune_id = user.area_id
    try:
        standard = services.standard_for_survey(
            commune_id=commune_id,
            survey_date=survey_date,
            review_year=year,
            review_kind=kind,
            review_month=month,
            standard_code=picked,
        )
    except DomainError:
        return SurveyStandard(None, why=f"không có chuẩn nghèo áp dụng ngày {survey_date:%d/%m/%Y}")
    if picked:
        why = "chuẩn đã chọn"
    elif commune_id is not None and review_hooks.standard_of_review(commune_id, year, kind, month):
        commune = Area.objects.filter(pk=commune_id).values_list("name", flat=True).first()
        why = f"chuẩn của kỳ {review_text(year, kind, month).lower()} của {commune}"
    else:
        why = f"chuẩn áp dụng ngày khảo sát {survey_date:%d/%m/%Y}"
    names = dict(Indicator.objects.filter(code__in=standard.indicators).values_list("code", "name"))
    return SurveyStandard(standard, {code: names.get(code, code) for code in standard.indicators}, why)


def disputed(refusal: Any) -> dict[str, derivations.Disagreement]:
    """The indicators whose derivation and answer differ without a confirmation, from the service's refusal."""
    return {d.indicator: d for d in getattr(refusal, "disagreements", ())}


class AssessmentForm(forms.ModelForm):
    """The survey of one household: B1 income (or Point A), B2 facts and answers for the indicators of its standard
    (`survey`, set by the admin); the service classifies it (its refusals show on the inputs below, the others on
    the whole form)."""

    domain_error_fields = ("income_per_capita", "point_a", "survey_date", "causes")
    user = None
    survey = SurveyStandard(None)
    confirmations: Mapping[str, derivations.Disagreement | None] = {}

    standard_code = forms.ChoiceField(label=_("Chuẩn nghèo"), required=False)
    indicators_of = forms.CharField(label=_("Chỉ số theo chuẩn"), required=False, widget=forms.HiddenInput)
    has_house = forms.NullBooleanField(
        label=_("Có nhà ở"), required=False, widget=AnswerSelect("Có", "Không", "— chưa ghi")
    )
    floor_area_m2 = forms.DecimalField(label=_("Diện tích nhà ở (m²)"), required=False, min_value=0, max_digits=9)
    foundation_frame_durable = forms.NullBooleanField(
        label=_("Nền móng, khung"), required=False, widget=AnswerSelect("Bền chắc", "Không bền chắc", "— chưa ghi")
    )
    walls_durable = forms.NullBooleanField(
        label=_("Tường"), required=False, widget=AnswerSelect("Bền chắc", "Không bền chắc", "— chưa ghi")
    )
    roof_durable = forms.NullBooleanField(
        label=_("Mái"), required=False, widget=AnswerSelect("Bền chắc", "Không bền chắc", "— chưa ghi")
    )
    stunted = forms.ModelMultipleChoiceField(
        label=_("Trẻ dưới 16 tuổi thấp còi"),
        queryset=Member.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    underweight = forms.ModelMultipleChoiceField(
        label=_("Trẻ dưới 16 tuổi nhẹ cân"),
        queryset=Member.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    causes = forms.MultipleChoiceField(
        label=_("Nguyên nhân nghèo"),
        help_text=_("Với hộ nghèo, hộ cận nghèo: đánh dấu các nguyên nhân (có thể nhiều)."),
        choices=list(rules.POVERTY_CAUSES.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Assessment
        fields = [
            "household",
            "review_year",
            "review_kind",
            "review_month",
            "survey_date",
            "income_per_capita",
            "point_a",
            "surveyor_name",
            "note",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "household" not in self.fields:
            return  # the result page: nothing to fill in
        self.fields["standard_code"].choices = [
            ("", _("Tự chọn: chuẩn của kỳ rà soát của xã, hoặc chuẩn áp dụng ngày khảo sát"))
        ] + [(code, code) for code in PovertyStandard.objects.values_list("code", flat=True)]
        self.fields["review_month"].required = False
        self.fields["review_month"].help_text = _("Chỉ với rà soát thường xuyên (1-12); rà soát định kỳ để 0.")
        household_id = self.data.get("household") or self.initial.get("household")
        if household_id and ID_DIGITS.fullmatch(str(household_id)):
            children = Member.objects.filter(
                household__in=Household.objects.visible_to(self.user).filter(pk=int(household_id)),
                date_of_birth__gt=derivations.children_born_after(timezone.localdate()),
            ).order_by("id")
            self.fields["stunted"].queryset = children
            self.fields["underweight"].queryset = children
        for code in self.survey.codes:
            name = self.survey.names[code]
            self.fields[f"answer_{code}"] = forms.NullBooleanField(
                label=f"Thiếu hụt: {name}",
                required=False,
                widget=AnswerSelect("Có thiếu hụt", "Không thiếu hụt"),
                help_text=_("Hệ thống tự tính từ thông tin thành viên, nhà ở.")
                if code in derivations.DERIVED_INDICATORS
                else "",
            )
        for code, disagreement in self.confirmations.items():
            name = self.survey.names[code]
            help_text = ""
            if disagreement is not None:
                word = {True: "thiếu hụt", False: "không thiếu hụt"}
                help_text = (
                    f"Hệ thống tính “{word[disagreement.derived]}”, người khảo sát ghi “{word[disagreement.answered]}”:"
                    " chọn kết quả đúng."
                )
            self.fields[f"confirm_{code}"] = forms.NullBooleanField(
                label=f"Xác nhận: {name}",
                required=False,
                widget=AnswerSelect(
                    "Có = hộ thiếu hụt chỉ số này", "Không = hộ không thiếu hụt chỉ số này", "— chưa xác nhận"
                ),
                help_text=help_text,
            )
        # what the page showed (the browser sends it back), and what it shows now
        self.shown_standard = self.data.get("indicators_of") if self.is_bound else None
        if self.is_bound:
            self.data = self.data.copy()
            self.data["indicators_of"] = self.survey.standard.code if self.survey.standard else ""
        self.initial["indicators_of"] = self.survey.standard.code if self.survey.standard else ""

    def clean(self):
        cleaned = super().clean()
        now = self.survey.standard.code if self.survey.standard else ""
        if self.shown_standard is not None and self.shown_standard != now:
            raise forms.ValidationError(
                f"Ngày khảo sát và kỳ rà soát đã chọn áp dụng chuẩn {now} ({len(self.survey.codes)} chỉ số), "
                f"không phải chuẩn {self.shown_standard or '—'} của trang trước: các chỉ số bên dưới đã đổi theo "
                "chuẩn này. Hãy kiểm tra câu trả lời rồi lưu lại."
                if now
                else f"Không có chuẩn nghèo áp dụng: {self.survey.why}."
            )
        return cleaned

    def arguments(self) -> dict:
        """The survey as `services.record_assessment` takes it."""
        cleaned = self.cleaned_data
        household = cleaned["household"]
        stunted = {m.pk for m in cleaned.get("stunted") or []}
        underweight = {m.pk for m in cleaned.get("underweight") or []}
        answers = {code: cleaned.get(f"answer_{code}") for code in self.survey.codes}
        confirmed = {code: cleaned.get(f"confirm_{code}") for code in self.confirmations}
        return {
            "household_id": household.pk,
            "survey_date": cleaned["survey_date"],
            "review_year": cleaned["review_year"],
            "review_kind": cleaned["review_kind"],
            "review_month": cleaned.get("review_month") or 0,
            "standard_code": self.survey.standard.code if self.survey.standard else None,
            "income_per_capita": cleaned.get("income_per_capita"),
            "point_a": cleaned.get("point_a"),
            "dwelling": {name: cleaned.get(name) for name in services.DWELLING_FIELDS if cleaned.get(name) is not None},
            "member_extras": {
                m.pk: {"stunted": m.pk in stunted, "underweight": m.pk in underweight} for m in household.members.all()
            },
            "answers": {code: value for code, value in answers.items() if value is not None},
            "confirmed": {code: value for code, value in confirmed.items() if value is not None},
            "causes": cleaned.get("causes") or [],
            "surveyor_name": cleaned.get("surveyor_name") or "",
            "note": cleaned.get("note") or "",
        }


def form_fieldsets(survey: SurveyStandard, confirmations: Iterable[str]) -> list[tuple[str | None, dict]]:
    """The survey form's parts: who and which review, B1, the dwelling, the children, the indicators of the
    standard (with a confirmation beside those that need one), the causes of poverty."""
    confirm = set(confirmations)
    standard = survey.standard
    if standard is not None:
        title = f"Chỉ số thiếu hụt theo chuẩn {standard.code} ({len(standard.indicators)} chỉ số)"
        description = (
            f"{standard.name} — {survey.why}. Chọn “Có thiếu hụt” khi hộ thiếu hụt chỉ số. Các chỉ số hệ thống tự "
            "tính được (từ thông tin thành viên và nhà ở) có thể để trống; khi câu trả lời khác kết quả tính, phiếu "
            "hỏi xác nhận chỉ số đó."
        )
    else:
        title, description = "Chỉ số thiếu hụt", f"Chưa có chuẩn nghèo: {survey.why}."
    rows = [(f"answer_{code}", f"confirm_{code}") if code in confirm else f"answer_{code}" for code in survey.codes]
    return [
        (
            None,
            {
                "fields": [
                    "household",
                    ("review_year", "review_kind", "review_month"),
                    ("survey_date", "surveyor_name"),
                    "standard_code",
                    "indicators_of",
                ]
            },
        ),
        (
            _("Thu nhập (phiếu B1)"),
            {
                "fields": [("income_per_capita", "point_a")],
                "description": _("Nhập thu nhập bình quân đầu người/tháng (đồng) hoặc điểm A, một trong hai."),
            },
        ),
        (
            _("Nhà ở"),
            {"fields": [("has_house", "floor_area_m2"), ("foundation_frame_durable", "walls_durable", "roof_durable")]},
        ),
        (_("Trẻ em dưới 16 tuổi"), {"fields": ["stunted", "underweight"]}),
        (title, {"fields": rows, "description": description}),
        (None, {"fields": ["causes", "note"]}),
    ]
