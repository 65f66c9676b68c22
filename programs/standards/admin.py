"""The program in the admin: standards (read-only for officers), surveys with their result, status decisions,
and what the household page shows of them (contributed to the household admin: status history, the newly
escaped filter and window, the review's links). Each save calls one service of `programs.standards.services`."""

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from config.admin import ID_DIGITS, Contribution, ServiceAdminMixin, adopt
from households import rules as access
from households.access import AccessLogAdminMixin
from households.admin import RightsAdminMixin, RightsInlineMixin, contribute_to_household_page, plain_choices
from households.models import Household, Member
from programs import rules
from programs.models import Assessment, Indicator, PovertyStandard, StandardIndicator, StatusChange
from programs.standards import derivations, selectors, services


class StandardIndicatorInline(RightsInlineMixin, admin.TabularInline):
    model = StandardIndicator
    view_right = access.STANDARD_VIEW
    edit_right = access.STANDARD_MANAGE
    extra = 0
    fields = ["position", "indicator"]


def reason_field() -> forms.CharField:
    return forms.CharField(
        label=_("Lý do thay đổi (ghi nhật ký)"), required=False, widget=forms.TextInput(attrs={"size": 60})
    )


class ReasonForWritersMixin:
    """The audit's reason is typed by who changes the row; those who only read it see no empty line for it."""

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        return fields if self.has_change_permission(request, obj) else [f for f in fields if f != "reason"]


class StandardForm(forms.ModelForm):
    reason = reason_field()

    class Meta:
        model = PovertyStandard
        fields = [*services.STANDARD_FIELDS, "reason"]


def indicator_rows(formset) -> list[tuple[int, int]]:
    """The indicators of a standard as its inline leaves them: (indicator id, position), the deleted ones out."""
    rows = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None)
        if not data or (formset.can_delete and data.get("DELETE")):
            continue  # an empty extra row, or one to delete
        rows.append((data["indicator"].pk, data["position"]))
    return rows


@admin.register(PovertyStandard)
class PovertyStandardAdmin(ReasonForWritersMixin, ServiceAdminMixin, RightsAdminMixin, admin.ModelAdmin):
    """Standards and their indicators, written together by `create_standard` / `change_standard` (audited)."""

    validate_model = True
    view_right = access.STANDARD_VIEW
    add_right = access.STANDARD_MANAGE
    change_right = access.STANDARD_MANAGE
    form = StandardForm
    list_display = ["code", "name", "valid_from", "valid_to", "rural_poor_line", "urban_poor_line"]
    inlines = [StandardIndicatorInline]

    def save_model(self, request, obj, form, change):
        """Nothing here: the standard and its indicators are written together by the service in save_related."""

    def save_related(self, request, form, formsets, change):
        data = {name: form.cleaned_data[name] for name in services.STANDARD_FIELDS if name in form.cleaned_data}
        indicators = next((indicator_rows(fs) for fs in formsets if fs.model is StandardIndicator), None)
        reason = form.cleaned_data.get("reason", "")
        if change:
            changed = {name: value for name, value in data.items() if name in form.changed_data}
            standard = services.change_standard(
                actor=request.user, standard_id=form.instance.pk, data=changed, indicators=indicators, reason=reason
            )
        else:
            standard = services.create_standard(
                actor=request.user, data=data, indicators=indicators or [], reason=reason
            )
        adopt(form.instance, standard)
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []


class IndicatorForm(forms.ModelForm):
    reason = reason_field()

    class Meta:
        model = Indicator
        fields = [*services.INDICATOR_FIELDS, "reason"]


@admin.register(Indicator)
class IndicatorAdmin(ReasonForWritersMixin, ServiceAdminMixin, RightsAdminMixin, admin.ModelAdmin):
    """Indicators are changed (not added) by `change_indicator` (audited)."""

    validate_model = True
    view_right = access.STANDARD_VIEW
    change_right = access.STANDARD_MANAGE
    form = IndicatorForm
    list_display = ["code", "name", "dimension"]

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in form.changed_data if name in services.INDICATOR_FIELDS}
        reason = form.cleaned_data.get("reason", "")
        adopt(obj, services.change_indicator(actor=request.user, indicator_id=obj.pk, data=data, reason=reason))


# --- assessments: one form, filled in one sitting --------------------------------------------------

YES_NO_UNKNOWN = forms.NullBooleanSelect


def _answer_fields() -> dict[str, forms.Field]:
    fields: dict[str, forms.Field] = {}
    for code, name in rules.INDICATOR_NAMES.items():
        fields[f"answer_{code}"] = forms.NullBooleanField(
            label=f"Thiếu hụt: {name}", required=False, widget=forms.NullBooleanSelect
        )
        fields[f"confirm_{code}"] = forms.NullBooleanField(
            label="Xác nhận khi khác nhau", required=False, widget=forms.NullBooleanSelect
        )
    return fields


class AssessmentForm(forms.ModelForm):
    """The survey of one household: B1 income (or Point A), B2 facts and answers; the service classifies it (its
    refusals show on the inputs below, the others on the whole form)."""

    domain_error_fields = ("income_per_capita", "point_a", "survey_date", "causes")

    standard_code = forms.ChoiceField(label=_("Chuẩn nghèo"), required=False)
    has_house = forms.NullBooleanField(label=_("Có nhà ở"), required=False, widget=YES_NO_UNKNOWN)
    floor_area_m2 = forms.DecimalField(label=_("Diện tích nhà ở (m²)"), required=False, min_value=0, max_digits=9)
    foundation_frame_durable = forms.NullBooleanField(
        label=_("Nền móng, khung bền chắc"), required=False, widget=YES_NO_UNKNOWN
    )
    walls_durable = forms.NullBooleanField(label=_("Tường bền chắc"), required=False, widget=YES_NO_UNKNOWN)
    roof_durable = forms.NullBooleanField(label=_("Mái bền chắc"), required=False, widget=YES_NO_UNKNOWN)
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
    locals().update(_answer_fields())
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
        self.fields["standard_code"].choices = [("", _("Theo ngày khảo sát"))] + [
            (code, code) for code in PovertyStandard.objects.values_list("code", flat=True)
        ]
        household_id = self.data.get("household") or self.initial.get("household")
        if household_id and ID_DIGITS.fullmatch(str(household_id)):
            children = Member.objects.filter(
                household__in=Household.objects.visible_to(self.user).filter(pk=int(household_id)),
                date_of_birth__gt=derivations.children_born_after(timezone.localdate()),
            ).order_by("id")
            self.fields["stunted"].queryset = children
            self.fields["underweight"].queryset = children

    def arguments(self) -> dict:
        """The survey as `services.record_assessment` takes it."""
        cleaned = self.cleaned_data
        household = cleaned["household"]
        stunted = {m.pk for m in cleaned.get("stunted") or []}
        underweight = {m.pk for m in cleaned.get("underweight") or []}
        answers = {code: cleaned.get(f"answer_{code}") for code in rules.INDICATOR_NAMES}
        confirmed = {
            code: cleaned[f"confirm_{code}"]
            for code in rules.INDICATOR_NAMES
            if cleaned.get(f"confirm_{code}") is not None
        }
        return {
            "household_id": household.pk,
            "survey_date": cleaned["survey_date"],
            "review_year": cleaned["review_year"],
            "review_kind": cleaned["review_kind"],
            "review_month": cleaned.get("review_month") or 0,
            "standard_code": cleaned.get("standard_code") or None,
            "income_per_capita": cleaned.get("income_per_capita"),
            "point_a": cleaned.get("point_a"),
            "dwelling": {name: cleaned.get(name) for name in services.DWELLING_FIELDS if cleaned.get(name) is not None},
            "member_extras": {
                m.pk: {"stunted": m.pk in stunted, "underweight": m.pk in underweight} for m in household.members.all()
            },
            "answers": {code: value for code, value in answers.items() if value is not None},
            "confirmed": confirmed,
            "causes": cleaned.get("causes") or [],
            "surveyor_name": cleaned.get("surveyor_name") or "",
            "note": cleaned.get("note") or "",
        }


@admin.register(Assessment)
class AssessmentAdmin(AccessLogAdminMixin, ServiceAdminMixin, RightsAdminMixin, admin.ModelAdmin):
    view_right = access.ASSESSMENT_VIEW
    add_right = access.ASSESSMENT_RECORD
    form = AssessmentForm
    list_display = [
        "household",
        "review_year",
        "review_kind",
        "survey_date",
        "category",
        "deprivation_count",
        "is_current",
    ]
    list_filter = ["category", "review_year", "review_kind", "is_current"]
    list_select_related = ["household"]
    search_fields = ["household__code"]
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    autocomplete_fields = ["household"]
    readonly_fields = [
        "household",
        "standard",
        "review_year",
        "review_kind",
        "review_month",
        "survey_date",
        "area_type",
        "income_per_capita",
        "point_a",
        "category",
        "reasons_list",
        "deprived",
        "causes_list",
        "deprivation_count",
        "point_b",
        "income_line",
        "disagreements_list",
        "derived",
        "answers",
        "confirmed",
        "dwelling",
        "member_facts",
        "surveyor",
        "surveyor_name",
        "recorded_at",
        "is_current",
        "superseded_by",
        "note",
    ]

    @admin.display(description=_("lý do phân loại"))
    def reasons_list(self, obj):
        return format_html_join(mark_safe("<br>"), "{}", ((reason,) for reason in obj.reasons))

    @admin.display(description=_("nguyên nhân nghèo"))
    def causes_list(self, obj):
        return ", ".join(rules.POVERTY_CAUSES.get(code, code) for code in obj.causes) or "—"

    @admin.display(description=_("khác nhau giữa tính toán và trả lời"))
    def disagreements_list(self, obj):
        return (
            format_html_join(mark_safe("<br>"), "{}", ((d.get("text", d["indicator"]),) for d in obj.disagreements))
            or "—"
        )

    def get_queryset(self, request):
        return Assessment.objects.visible_to(request.user)

    def get_fields(self, request, obj=None):
        if obj is not None:
            return self.readonly_fields
        return [
            "household",
            "standard_code",
            ("review_year", "review_kind", "review_month"),
            ("survey_date", "surveyor_name"),
            ("income_per_capita", "point_a"),
            ("has_house", "floor_area_m2"),
            ("foundation_frame_durable", "walls_durable", "roof_durable"),
            "stunted",
            "underweight",
            *[(f"answer_{code}", f"confirm_{code}") for code in rules.INDICATOR_NAMES],
            "causes",
            "note",
        ]

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["fields"] = AssessmentForm.Meta.fields
        form_class = super().get_form(request, obj, change, **kwargs)
        form_class.user = request.user
        plain_choices(form_class, ["household"])
        return form_class

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("survey_date", timezone.localdate())
        initial.setdefault("review_year", timezone.localdate().year)
        initial.setdefault("review_kind", "periodic")
        return initial

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "household":
            kwargs["queryset"] = Household.objects.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        adopt(obj, services.record_assessment(actor=request.user, **form.arguments()))

    def save_related(self, request, form, formsets, change):
        """Nothing: the service wrote everything."""

    def response_add(self, request, obj, post_url_continue=None):
        recorded = Assessment.objects.get(pk=obj.pk)
        self.message_user(
            request,
            f"Kết quả: {recorded.get_category_display()} — " + "; ".join(recorded.reasons),
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:programs_assessment_change", args=[obj.pk]))


# --- status changes: the chair records the recognition decision -------------------------------------


class StatusChangeForm(forms.ModelForm):
    class Meta:
        model = StatusChange
        fields = ["household", "to_status", "effective_date", "decision_number", "assessment", "reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        household_id = self.data.get("household") or self.initial.get("household")
        if "assessment" in self.fields:
            queryset = Assessment.objects.none()
            if household_id and ID_DIGITS.fullmatch(str(household_id)):
                queryset = Assessment.objects.visible_to(self.user).filter(
                    household_id=int(household_id), is_current=True
                )
            self.fields["assessment"].queryset = queryset

    def arguments(self) -> dict:
        """The decision as `services.record_status_change` takes it."""
        cleaned = self.cleaned_data
        return {
            "household_id": cleaned["household"].pk,
            "to_status": cleaned["to_status"],
            "effective_date": cleaned["effective_date"],
            "decision_number": cleaned["decision_number"],
            "assessment_id": cleaned["assessment"].pk if cleaned.get("assessment") else None,
            "reason": cleaned.get("reason") or "",
        }


@admin.register(StatusChange)
class StatusChangeAdmin(AccessLogAdminMixin, ServiceAdminMixin, RightsAdminMixin, admin.ModelAdmin):
    view_right = access.HOUSEHOLD_VIEW
    add_right = access.STATUS_RECOGNISE
    form = StatusChangeForm
    list_display = [
        "household",
        "event",
        "from_status",
        "to_status",
        "effective_date",
        "decision_number",
        "recorded_by",
    ]
    list_filter = ["event", "to_status"]
    list_select_related = ["household", "recorded_by"]
    search_fields = ["household__code", "decision_number"]
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    autocomplete_fields = ["household"]

    def get_queryset(self, request):
        return StatusChange.objects.visible_to(request.user)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [f.name for f in StatusChange._meta.fields]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)
        form_class.user = request.user
        return form_class

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "household":
            kwargs["queryset"] = Household.objects.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        adopt(obj, services.record_status_change(actor=request.user, **form.arguments()))

    def save_related(self, request, form, formsets, change):
        """Nothing: the service wrote everything."""


# --- the household page, with its surveys and status history ----------------------------------------


class StatusChangeInline(RightsInlineMixin, admin.TabularInline):
    model = StatusChange
    view_right = access.HOUSEHOLD_VIEW
    fields = ["effective_date", "event", "from_status", "to_status", "decision_number", "recorded_by"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    verbose_name_plural = _("lịch sử tình trạng")


class NewlyEscapedFilter(admin.SimpleListFilter):
    title = _("hộ mới thoát nghèo")
    parameter_name = "newly_escaped"

    def lookups(self, request, model_admin):
        return [("yes", _("Trong thời hạn")), ("no", _("Không"))]

    def queryset(self, request, queryset):
        window = selectors.newly_escaped(timezone.localdate())
        if self.value() == "yes":
            return queryset.filter(window)
        if self.value() == "no":
            return queryset.exclude(window)
        return queryset


# --- what the household page of the registry shows of the program -------------------------------------------


@admin.display(description=_("hộ mới thoát nghèo đến"))
def newly_escaped_until(obj):
    until = rules.newly_escaped_until(obj.left_lists_on, obj.status)  # the household's own window (A5)
    return until.strftime("%d/%m/%Y") if until else "—"


@admin.display(description=_("rà soát"))
def review_links(obj):
    if obj is None or obj.pk is None:
        return "—"
    add = reverse("admin:programs_assessment_add") + f"?household={obj.pk}"
    history = reverse("admin:programs_assessment_changelist") + f"?household__id__exact={obj.pk}"
    recognise = reverse("admin:programs_statuschange_add") + f"?household={obj.pk}"
    cases = reverse("admin:programs_reviewcase_changelist") + f"?household__id__exact={obj.pk}"
    request = reverse("admin:programs_reviewcase_request") + f"?household={obj.pk}"
    return format_html(
        '<a class="button" href="{}">Ghi phiếu khảo sát</a> <a href="{}">Các phiếu đã ghi</a> '
        '<a href="{}">Ghi quyết định công nhận</a><br>'
        '<a href="{}">Hồ sơ rà soát của hộ</a> <a class="button" href="{}">Hộ đề nghị rà soát</a>',
        add,
        history,
        recognise,
        cases,
        request,
    )


contribute_to_household_page(
    Contribution(
        name="programs.standards",
        inlines=(StatusChangeInline,),
        list_filters={"status": (NewlyEscapedFilter, "ever_poor")},
        fields={"status_since": ("ever_poor", newly_escaped_until), "version": (review_links,)},
    )
)
