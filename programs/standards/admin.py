"""The program in the admin: standards (read-only for officers), surveys with their result, status decisions,
and what the household page shows of them (contributed to the household admin: status history, the newly
escaped filter and window, the buttons of the survey, the decision and the review). Each save calls one service
of `programs.standards.services`."""

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from config.admin import ID_DIGITS, REFUSAL, Contribution, ServiceAdminMixin, Tool, adopt, return_address
from config.formats import number
from households import rules as access
from households.access import AccessLogAdminMixin
from households.admin import (
    Key,
    Names,
    RightsAdminMixin,
    RightsInlineMixin,
    code_column,
    contribute_to_household_page,
    describe_audit,
    field_key,
    labelled,
    plain,
    plain_choices,
)
from households.models import Household
from programs import rules
from programs.models import Assessment, Indicator, PovertyStandard, StandardIndicator, StatusChange, StatusEvent
from programs.standards import selectors, services
from programs.standards.admin_survey import (
    AssessmentForm,
    SurveyStandard,
    disputed,
    dwelling_table,
    form_fieldsets,
    indicators_table,
    logged_review,
    members_table,
    money_per_person,
    quick_answers_table,
    review_text,
    survey_standard,
)
from programs.standards.services.hooks import review_hooks


def _positions(value) -> str:
    """A standard's indicators as the log keeps them ("1. employment", …), by their names."""
    if not isinstance(value, list):
        return plain(value)
    named = []
    for item in value:
        position, _, code = str(item).partition(". ")
        named.append(f"{position}. {rules.INDICATOR_NAMES.get(code, code)}")
    return "; ".join(named) or plain(value)


# The standards' words in the change log (`households.admin.changes`).
describe_audit(
    actions={
        "programs.assessment.recorded": "ghi phiếu khảo sát, phân loại hộ",
        "programs.assessment.reclassified": "phân loại lại theo chuẩn nghèo khác",
        **{f"programs.status.{event.value}": f"quyết định công nhận: {event.label}" for event in StatusEvent},
        "programs.standard.created": "thêm chuẩn nghèo",
        "programs.standard.changed": "sửa chuẩn nghèo",
        "programs.indicator.changed": "sửa chỉ số thiếu hụt",
    },
    keys={
        Assessment: {
            "standard": Key("Chuẩn nghèo"),  # the log keeps the standard's code
            "review": Key("Kỳ rà soát", show=logged_review),
            "deprived": Key("Chỉ số thiếu hụt", names=Names(Indicator, "code", "name")),
            "causes": Key("Nguyên nhân nghèo", show=labelled(rules.POVERTY_CAUSES)),
            "supersedes": Key("Thay phiếu", show=lambda pk: f"phiếu số {pk}"),
        },
        # a decision changes the household's status and its caches; the entry is the decision's
        StatusChange: {
            name: field_key(Household, name) for name in ("status", "status_since", "ever_poor", "left_lists_on")
        },
        PovertyStandard: {"indicators": Key("Các chỉ số", show=_positions)},
    },
)


@admin.display(description=_("chỉ số"))
def indicator_name(obj):
    return obj.indicator.name


class StandardIndicatorInline(RightsInlineMixin, admin.TabularInline):
    model = StandardIndicator
    view_right = access.STANDARD_VIEW
    edit_right = access.STANDARD_MANAGE
    extra = 0
    fields = ["position", "indicator"]

    def get_fields(self, request, obj=None):
        return self.fields if self.has_change_permission(request, obj) else ["position", indicator_name]

    def get_readonly_fields(self, request, obj=None):
        return () if self.has_change_permission(request, obj) else ["position", indicator_name]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "indicator":
            kwargs["label"] = _("chỉ số")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


CODE = code_column(_("mã"))  # an indicator's code (the API's and the Excel files' name of it), as code


def reason_field() -> forms.CharField:
    return forms.CharField(
        label=_("Lý do thay đổi (ghi nhật ký)"), required=False, widget=forms.TextInput(attrs={"size": 60})
    )


class ReasonForWritersMixin:
    """The audit's reason is typed by who changes the row; those who only read it see no empty line for it."""

    read_as: dict = {}  # what a reader sees instead of a field: {"code": CODE}

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if self.has_change_permission(request, obj):
            return fields
        return [self.read_as.get(f, f) for f in fields if f != "reason"]


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
    list_display = [CODE, "name", "dimension"]
    list_display_links = ["name"]
    read_as = {"code": CODE}

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in form.changed_data if name in services.INDICATOR_FIELDS}
        reason = form.cleaned_data.get("reason", "")
        adopt(obj, services.change_indicator(actor=request.user, indicator_id=obj.pk, data=data, reason=reason))


# --- assessments: one form, filled in one sitting; the result as a document for people (`admin_survey`) ------


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
        "review",
        "survey_date",
        "area_type",
        "surveyor",
        "surveyor_name",
        "recorded_at",
        "currency",
        "category",
        "reasons_list",
        "deprivation_summary",
        "causes_list",
        "income",
        "score_a",
        "line",
        "quick_answers_table",
        "indicators_table",
        "dwelling_table",
        "members_table",
        "note",
    ]

    # -- the result page: what a person reads (STYLE 33)

    @admin.display(description=_("kỳ rà soát"))
    def review(self, obj):
        return review_text(obj.review_year, obj.review_kind, obj.review_month)

    @admin.display(description=_("hiệu lực"))
    def currency(self, obj):
        if obj.is_current:
            return "Phiếu hiện hành của kỳ rà soát"
        later = obj.superseded_by
        if later is None:
            return "Đã thay bằng phiếu mới hơn"
        url = reverse("admin:programs_assessment_change", args=[later.pk])
        return format_html('Đã thay bằng <a href="{}">phiếu ngày {:%d/%m/%Y}</a>', url, later.survey_date)

    @admin.display(description=_("lý do phân loại"))
    def reasons_list(self, obj):
        return format_html_join(mark_safe("<br>"), "{}", ((reason,) for reason in obj.reasons))

    @admin.display(description=_("số chỉ số thiếu hụt"))
    def deprivation_summary(self, obj):
        total = StandardIndicator.objects.filter(standard_id=obj.standard_id).count()
        return f"{obj.deprivation_count}/{total} chỉ số (điểm B: {obj.point_b})"

    @admin.display(description=_("nguyên nhân nghèo"))
    def causes_list(self, obj):
        return ", ".join(rules.POVERTY_CAUSES.get(code, code) for code in obj.causes) or "—"

    @admin.display(description=_("thu nhập bình quân/người/tháng"))
    def income(self, obj):
        return money_per_person(obj.income_per_capita)

    @admin.display(description=_("điểm A"))
    def score_a(self, obj):
        return "—" if obj.point_a is None else number(obj.point_a)

    @admin.display(description=_("chuẩn nghèo áp dụng"))
    def line(self, obj):
        return f"{money_per_person(obj.income_line)} ({obj.get_area_type_display().lower()})"

    @admin.display(description=_("nhận dạng nhanh"))
    def quick_answers_table(self, obj):
        return quick_answers_table(obj)

    @admin.display(description=_("chỉ số thiếu hụt"))
    def indicators_table(self, obj):
        return indicators_table(obj)

    @admin.display(description=_("nhà ở"))
    def dwelling_table(self, obj):
        return dwelling_table(obj)

    @admin.display(description=_("thành viên khi khảo sát"))
    def members_table(self, obj):
        return members_table(obj)

    def get_queryset(self, request):
        return Assessment.objects.visible_to(request.user)

    def _survey(self, request) -> tuple[SurveyStandard, dict]:
        """The standard the add form shows (what the page was given, its query string or what was posted, decides
        it as the service will; once per request) and the confirmations it asks for: those the service's refusal
        names, and those the page showed before."""
        survey = getattr(request, "_survey_standard", None)
        if survey is None:
            data = request.POST if request.method == "POST" else {**self.get_changeform_initial_data(request)}
            survey = request._survey_standard = survey_standard(request.user, data)
        refused = disputed(getattr(request, REFUSAL, None))  # the service's refusal, when the page comes back
        posted = request.POST if request.method == "POST" else {}
        confirmations = {
            code: refused.get(code) for code in survey.codes if code in refused or f"confirm_{code}" in posted
        }
        return survey, confirmations

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            survey, confirmations = self._survey(request)
            return form_fieldsets(survey, confirmations)
        income = ["income"] if obj.income_per_capita is not None else []
        score = ["score_a"] if obj.point_a is not None else []
        causes = ["causes_list"] if obj.causes else []
        return [
            (
                None,
                {
                    "fields": [
                        "household",
                        "standard",
                        ("review", "survey_date"),
                        "area_type",
                        ("surveyor", "surveyor_name"),
                        ("recorded_at", "currency"),
                    ]
                },
            ),
            (
                _("Kết quả phân loại"),
                {"fields": ["category", "reasons_list", "deprivation_summary", *causes]},
            ),
            (_("Thu nhập (phiếu B1)"), {"fields": [*income, *score, "line"]}),
            *([(_("Nhận dạng nhanh"), {"fields": ["quick_answers_table"]})] if obj.quick_answers else []),
            (_("Chỉ số thiếu hụt (phiếu B2)"), {"fields": ["indicators_table"], "classes": ["survey-wide"]}),
            (_("Nhà ở"), {"fields": ["dwelling_table"]}),
            (_("Thành viên khi khảo sát"), {"fields": ["members_table"]}),
            *([(None, {"fields": ["note"]})] if obj.note else []),
        ]

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["fields"] = AssessmentForm.Meta.fields
        form_class = super().get_form(request, obj, change, **kwargs)
        form_class.user = request.user
        if obj is None:
            form_class.survey, form_class.confirmations = self._survey(request)
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
        # back where the survey was started from (a review case's button), else its result
        return HttpResponseRedirect(
            return_address(request) or reverse("admin:programs_assessment_change", args=[obj.pk])
        )


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
        return [f.name for f in StatusChange._meta.fields if f.name != "id"]

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

    def response_add(self, request, obj, post_url_continue=None):
        """The decision said in full, on the household's page, where its status history shows it."""
        number = f" số {obj.decision_number}" if obj.decision_number else ""
        self.message_user(
            request,
            f"Đã ghi quyết định công nhận{number} ngày {obj.effective_date:%d/%m/%Y}: hộ {obj.household.code} — "
            f"{obj.change_text()}.",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:households_household_change", args=[obj.household_id]))


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


def household_tools(request, household) -> list[Tool]:
    """The program's buttons at the top of a household's page, each only for those whose rights let them use it: the
    survey (the officer's main action), the chair's recognition (hers), the household's request for a review, and
    the lists of its surveys and review cases."""
    user, pk = request.user, household.pk
    tools = []
    if user.has_right(access.ASSESSMENT_RECORD):
        tools.append(
            Tool("Ghi phiếu khảo sát", f"{reverse('admin:programs_assessment_add')}?household={pk}", main=True)
        )
    if user.has_right(access.STATUS_RECOGNISE):
        # while a review case of the household is open its status changes only through that case's recognition
        # (the status service refuses a direct decision): the chair is led to the case, not to a form she may
        # not use
        open_case = review_hooks.open_review_of(pk)
        if open_case is not None:
            url = reverse("admin:programs_reviewcase_change", args=[open_case.pk])
            tools.append(Tool("Hồ sơ rà soát đang mở", url, main=True))
        else:
            url = f"{reverse('admin:programs_statuschange_add')}?household={pk}"
            tools.append(Tool("Ghi quyết định công nhận", url, main=True))
    if user.has_right(access.REVIEW_WORK):
        tools.append(Tool("Hộ đề nghị rà soát", f"{reverse('admin:programs_reviewcase_request')}?household={pk}"))
    if user.has_right(access.ASSESSMENT_VIEW):
        url = f"{reverse('admin:programs_assessment_changelist')}?household__id__exact={pk}"
        tools.append(Tool("Các phiếu khảo sát đã ghi", url, listing=True))
    if user.has_right(access.REVIEW_VIEW):
        url = f"{reverse('admin:programs_reviewcase_changelist')}?household__id__exact={pk}"
        tools.append(Tool("Hồ sơ rà soát của hộ", url, listing=True))
    return tools


contribute_to_household_page(
    Contribution(
        name="programs.standards",
        inlines=(StatusChangeInline,),
        list_filters={"status": (NewlyEscapedFilter, "ever_poor")},
        fields={"status_since": ("ever_poor", newly_escaped_until)},
        tools=household_tools,
    )
)
