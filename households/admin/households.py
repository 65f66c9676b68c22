"""The household page: the household and its members (written together by the services) and its audit entries;
the list's filters by area in the user's scope; and the door through which the higher apps add their pieces to
the page (`contribute_to_household_page`)."""

from django import forms
from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from config.admin import (
    ContributedAdminMixin,
    Contribution,
    Contributions,
    ServiceAdminMixin,
    add_domain_error,
)
from config.errors import DomainError
from households import rules, selectors, services
from households.access import AccessLogAdminMixin
from households.admin.audit import DescribedFormSet, DescribedMixin
from households.admin.base import RightsAdminMixin, RightsInlineMixin, plain_choices
from households.models import Area, AuditEntry, Household, Member
from households.rules import Level


class MemberForm(forms.ModelForm):
    class Meta:
        model = Member
        fields = services.MEMBER_FIELDS

    def _get_validation_exclusions(self):
        # Uniqueness (national ID, one head) is checked by the services with clear messages.
        return {*super()._get_validation_exclusions(), "national_id", "relation"}

    def clean(self):
        cleaned = super().clean()
        if self.errors or cleaned.get("DELETE") or not self.has_changed():
            return cleaned
        data = {name: cleaned.get(name) for name in services.MEMBER_FIELDS}
        data["national_id"] = (data.get("national_id") or "").strip() or None
        try:
            services.check_member(data, actor=self.user, member_id=self.instance.pk)
        except DomainError as exc:
            add_domain_error(self, exc)
        return cleaned


class MemberFormSet(forms.BaseInlineFormSet):
    def _live_forms(self):
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or not form.cleaned_data:
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            yield form

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        live = list(self._live_forms())
        try:
            services.check_heads(form.cleaned_data.get("relation", "") for form in live)
            seen: dict[str, int] = {}
            for form in live:
                national_id = (form.cleaned_data.get("national_id") or "").strip()
                if national_id in seen:
                    raise DomainError("duplicate_national_id", f"Số CCCD {national_id} bị nhập hai lần trong hộ.")
                if national_id:
                    seen[national_id] = 1
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from exc

    def member_changes(self) -> services.MemberChanges:
        changes = services.MemberChanges()
        for form in self.forms:
            if not hasattr(form, "cleaned_data"):
                continue
            instance_pk = form.instance.pk
            if self.can_delete and self._should_delete_form(form):
                if instance_pk:
                    changes.delete.append(instance_pk)
                continue
            if not form.has_changed():
                continue
            data = {name: form.cleaned_data.get(name) for name in services.MEMBER_FIELDS}
            if instance_pk:
                changes.update[instance_pk] = {name: data[name] for name in form.changed_data if name in data}
            else:
                changes.create.append(data)
        return changes


class MemberInline(RightsInlineMixin, admin.StackedInline):
    model = Member
    view_right = rules.HOUSEHOLD_VIEW
    edit_right = rules.MEMBER_CHANGE
    form = MemberForm
    formset = MemberFormSet
    fields = [
        ("full_name", "relation"),
        ("date_of_birth", "sex", "ethnicity"),
        ("national_id", "health_insurance_number", "health_insurance_valid_until"),
        ("has_disability", "receives_disability_allowance"),
        ("schooling", "education_level"),
        ("work_status", "occupation"),
    ]
    autocomplete_fields = ["ethnicity"]
    verbose_name = _("thành viên")
    verbose_name_plural = _("thành viên trong hộ (đúng một chủ hộ)")

    extra = 1  # one block to fill on a new household ("Thêm thành viên" adds the next), one spare on its page

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form.user = request.user  # a new form class per request (modelform_factory)
        plain_choices(formset.form, ["ethnicity"])
        return formset


class AuditInline(DescribedMixin, RightsInlineMixin, admin.TabularInline):
    """The household's change log as people read it: what was done, to which record (the row's heading), what
    changed ("Trường — trước → sau") and why."""

    model = AuditEntry
    formset = DescribedFormSet
    view_right = rules.AUDIT_VIEW
    fk_name = "household"
    fields = ["at", "actor", "action_label", "change_lines", "reason"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    verbose_name_plural = _("nhật ký thay đổi")
    ordering = ["-at", "-id"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


class HouseholdForm(forms.ModelForm):
    expected_version = forms.IntegerField(label=_("Phiên bản đang sửa"), widget=forms.HiddenInput, required=False)
    reason = forms.CharField(
        label=_("Lý do thay đổi (ghi nhật ký)"), required=False, widget=forms.TextInput(attrs={"size": 60})
    )

    class Meta:
        model = Household
        fields = [*services.HOUSEHOLD_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "area_type" in self.fields:
            self.fields["area_type"].required = False
            self.fields["area_type"].help_text = _("Để trống: theo loại xã/phường (phường là thành thị).")
        if self.instance.pk and "expected_version" in self.fields:
            self.fields["expected_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        try:
            services.check_household_location(
                actor=self.user, commune=cleaned.get("commune"), village=cleaned.get("village")
            )
        except DomainError as exc:
            add_domain_error(self, exc)
        if self.instance.pk:
            expected = cleaned.get("expected_version")
            current = Household.objects.filter(pk=self.instance.pk).values_list("version", flat=True).first()
            if expected is not None and current != expected:
                raise forms.ValidationError(
                    _(
                        "Hộ này vừa được người khác sửa (phiên bản %(current)s, bạn đang sửa phiên bản %(expected)s). "
                        "Hãy mở lại trang để xem thay đổi mới nhất rồi nhập lại."
                    )
                    % {"current": current, "expected": expected}
                )
        return cleaned


class ScopedChoicesFilter(admin.SimpleListFilter):
    """A filter whose choices come from the user's scope, never from other communes."""

    level: str = ""

    def choices_queryset(self, request):
        return Area.objects.filter(level=self.level).in_charge_of(request.user)

    def lookups(self, request, model_admin):
        return [
            (str(pk), name)
            for pk, name in self.choices_queryset(request).order_by("name").values_list("pk", "name")[:500]
        ]

    def queryset(self, request, queryset):
        if self.value() and not str(self.value()).isdigit():
            return queryset.none()
        if self.value():
            allowed = self.choices_queryset(request).filter(pk=self.value())
            return queryset.filter(**{f"{self.parameter_name}__in": allowed})
        return queryset


def _one_commune(user) -> bool:
    return user.area is not None and user.area.level == Level.COMMUNE


class CommuneFilter(ScopedChoicesFilter):
    title = _("xã/phường")
    parameter_name = "commune"
    level = Level.COMMUNE

    def lookups(self, request, model_admin):
        if request.user.has_country_scope or _one_commune(request.user):
            return []  # one commune: nothing to choose; the whole country: too many, use search
        return super().lookups(request, model_admin)


class VillageFilter(ScopedChoicesFilter):
    title = _("thôn/tổ dân phố")
    parameter_name = "village"
    level = Level.VILLAGE

    def choices_queryset(self, request):
        queryset = super().choices_queryset(request)
        commune = request.GET.get("commune")
        if commune and commune.isdigit():
            return queryset.filter(parent_id=int(commune))
        if request.user.area is None or request.user.area.level != Level.COMMUNE:
            return queryset.none() if not commune else queryset
        return queryset


class HouseholdChangeList(ChangeList):
    """The household list; after a search by name, each household found by a member other than its head names that
    member under the head ("khớp: Nguyễn Văn A (con)"), read for the whole page at once."""

    def get_results(self, request):
        super().get_results(request)
        households = list(self.result_list)  # the page's rows, cached on the queryset the template shows
        matched = selectors.members_matching(households, self.query)
        folded = rules.fold_text(self.query)
        for household in households:
            head = household.head.full_name if household.head else ""
            if household.pk in matched and folded not in rules.fold_text(head):
                household.matched_members = matched[household.pk]


HOUSEHOLD_PAGE = Contributions()


def contribute_to_household_page(contribution: Contribution) -> None:
    """The door for higher apps (`programs`, `support`) to add their inlines, list filters, read-only fields
    (links and buttons among them), actions and URLs to the household admin, from their own admin modules."""
    HOUSEHOLD_PAGE.register(contribution)


@admin.register(Household)
class HouseholdAdmin(AccessLogAdminMixin, ServiceAdminMixin, ContributedAdminMixin, RightsAdminMixin, admin.ModelAdmin):
    """The household page, built here once: its own pieces, then those the higher apps contribute
    (`contribute_to_household_page`). The household and its members are written by the services together."""

    contributions = HOUSEHOLD_PAGE
    view_right = rules.HOUSEHOLD_VIEW
    add_right = rules.HOUSEHOLD_CREATE
    change_right = rules.HOUSEHOLD_CHANGE
    form = HouseholdForm
    own_inlines = [MemberInline, AuditInline]
    list_display = ["code", "head_name", "village", "commune", "status", "status_since", "is_ethnic_minority"]
    own_list_filter = [
        CommuneFilter,
        VillageFilter,
        "status",
        "area_type",
        "is_ethnic_minority",
        "has_revolutionary_contributor",
        "has_social_protection_member",
        "no_labour_capacity",
        "is_female_headed",
    ]
    list_select_related = ["head", "village", "commune"]
    show_facets = admin.ShowFacets.NEVER  # facet counts are a query per filter choice: too slow for a province
    search_fields = ["code"]
    search_help_text = _("Tìm theo mã hộ hoặc họ tên thành viên, gõ có dấu hay không dấu đều được.")
    show_full_result_count = False
    autocomplete_fields = ["commune", "village"]
    own_readonly_fields = ["code", "status", "status_since", "head", "province", "version"]
    ordering = ["-id"]
    list_per_page = 50
    own_fieldsets = [
        (None, {"fields": ["code", "commune", "village", "address", "area_type"]}),
        (
            _("Đặc điểm của hộ"),
            {
                "fields": [
                    "is_ethnic_minority",
                    "has_revolutionary_contributor",
                    "has_social_protection_member",
                    "no_labour_capacity",
                    "is_female_headed",
                ]
            },
        ),
        (_("Tình trạng (cập nhật qua rà soát)"), {"fields": ["status", "status_since", "head", "version"]}),
        (_("Ghi nhật ký"), {"fields": ["reason", "expected_version"]}),
    ]

    @admin.display(description=_("chủ hộ"), ordering="head__full_name")
    def head_name(self, obj):
        head = obj.head.full_name if obj.head else "—"
        matched = getattr(obj, "matched_members", None)  # a search found it by another member (HouseholdChangeList)
        if not matched:
            return head
        found = ", ".join(f"{m.full_name} ({m.get_relation_display().lower()})" for m in matched)
        return format_html('{}<br><span class="matched-member">khớp: {}</span>', head, found)

    def get_changelist(self, request, **kwargs):
        return HouseholdChangeList

    def get_list_display(self, request):
        if _one_commune(request.user):  # her commune on every row says nothing
            return [name for name in self.list_display if name != "commune"]
        return self.list_display

    def get_inline_instances(self, request, obj=None):
        inlines = super().get_inline_instances(request, obj)
        if obj is None:  # a new household has members to fill in, and no history yet
            return [inline for inline in inlines if isinstance(inline, MemberInline)]
        return inlines

    def get_queryset(self, request):
        return Household.objects.visible_to(request.user)

    def get_search_results(self, request, queryset, search_term):
        return selectors.search_households(queryset, search_term), False

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)
        form_class.user = request.user
        plain_choices(form_class, ["commune", "village"])
        return form_class

    def get_fieldsets(self, request, obj=None):
        if obj is not None and not self.has_change_permission(request, obj):  # a reader writes no reason
            return [(title, options) for title, options in self.fieldsets if "reason" not in options["fields"]]
        if obj is not None:
            return self.fieldsets
        fieldsets = []
        for title, options in self.fieldsets:
            fields = [name for name in options["fields"] if name not in self.readonly_fields]
            if fields:
                fieldsets.append((title, {"fields": fields}))
        return fieldsets

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        area = request.user.area
        if area is not None and area.level == Level.COMMUNE:
            initial.setdefault("commune", area.pk)  # an officer registers households of her own commune
        return initial

    def save_model(self, request, obj, form, change):
        """Nothing here: the household and its members are written together by the services in save_related."""

    def save_related(self, request, form, formsets, change):
        member_formset = next(fs for fs in formsets if isinstance(fs, MemberFormSet))
        data = {name: form.cleaned_data.get(name) for name in services.HOUSEHOLD_FIELDS}
        reason = form.cleaned_data.get("reason", "")
        changes = member_formset.member_changes()
        if not change:
            household = services.create_household(actor=request.user, data=data, members=changes.create, reason=reason)
        else:
            household = services.update_household(
                actor=request.user,
                household_id=form.instance.pk,
                expected_version=form.cleaned_data.get("expected_version") or form.instance.version,
                data={name: data[name] for name in form.changed_data if name in data},
                reason=reason,
            )
            household = services.change_members(
                actor=request.user, household_id=household.pk, changes=changes, reason=reason
            )
        form.instance.pk = household.pk
        form.instance.code = household.code
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in ("commune", "village"):
            level = Level.COMMUNE if db_field.name == "commune" else Level.VILLAGE
            kwargs["queryset"] = Area.objects.filter(level=level).in_charge_of(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
