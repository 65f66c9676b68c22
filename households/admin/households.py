"""The commune officers' UI: a thin layer over the selectors (scope) and the services (writes)."""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.http import Http404
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from config.admin import (
    ContributedAdminMixin,
    Contribution,
    Contributions,
    ServiceAdminMixin,
    add_domain_error,
    adopt,
)
from config.errors import DomainError
from households import rules, selectors, services
from households.models import Area, AuditEntry, Ethnicity, Household, Member, User
from households.rules import Level

admin.site.unregister(Group)


class RightsAdminMixin:
    """Admin permissions from the role's named rights, querysets from the user's scope."""

    view_right: str = ""
    add_right: str | None = None
    change_right: str | None = None

    def _has(self, request, right: str | None) -> bool:
        return bool(right) and request.user.is_active and request.user.has_right(right)

    def has_module_permission(self, request):
        return self._has(request, self.view_right)

    def has_view_permission(self, request, obj=None):
        return self._has(request, self.view_right)

    def has_add_permission(self, request, *args):
        return self._has(request, self.add_right)

    def has_change_permission(self, request, obj=None):
        return self._has(request, self.change_right)

    def has_delete_permission(self, request, obj=None):
        return False  # audited records are not deleted

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404  # out of scope looks exactly like absent, never a hint that it exists


class RightsInlineMixin:
    """Inline permissions from named rights: `view_right` to see the rows, `edit_right` (or none) to edit them."""

    view_right: str = ""
    edit_right: str | None = None

    def has_view_permission(self, request, obj=None):
        return request.user.has_right(self.view_right)

    def has_add_permission(self, request, obj=None):
        return bool(self.edit_right) and request.user.has_right(self.edit_right)

    def has_change_permission(self, request, obj=None):
        return bool(self.edit_right) and request.user.has_right(self.edit_right)

    def has_delete_permission(self, request, obj=None):
        return bool(self.edit_right) and request.user.has_right(self.edit_right)


def plain_choices(form_class, names) -> None:
    """No "add/change/view the related record" icons beside these fields: officers pick, they don't edit areas there."""
    for name in names:
        widget = form_class.base_fields[name].widget if name in form_class.base_fields else None
        if widget is not None and hasattr(widget, "can_add_related"):
            widget.can_add_related = widget.can_change_related = widget.can_view_related = False
            widget.can_delete_related = False


def audit_history_table(obj, *, prefix: str, labels: dict[str, str]) -> str:
    """The audit entries of one object, oldest first, as a small table (when, who, what, why) for its admin page;
    an action is shown by its label in `labels` once `prefix` is removed, else as written."""
    entries = (
        AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(type(obj)), object_id=str(obj.pk))
        .select_related("actor")
        .order_by("at", "id")
    )
    rows = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (
                timezone.localtime(e.at).strftime("%d/%m/%Y %H:%M"),
                e.actor.username if e.actor else "hệ thống",
                labels.get(action := e.action.removeprefix(prefix), action),
                e.reason,
            )
            for e in entries
        ),
    )
    return format_html("<table>{}</table>", rows) if rows else "—"


# --- areas -----------------------------------------------------------------------------------------


class VillageForm(forms.ModelForm):
    class Meta:
        model = Area
        fields = ["parent", "name", "code", "division_type"]
        labels = {"parent": _("Xã/phường"), "code": _("Mã (để trống để hệ thống cấp)")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].required = False
        self.fields["division_type"].required = False


@admin.register(Area)
class AreaAdmin(ServiceAdminMixin, RightsAdminMixin, admin.ModelAdmin):
    """Areas are read; a commune's villages are added here, through `services.create_village` (which checks the
    commune, the name and the code: a refusal is an error on that field)."""

    view_right = rules.AREA_VIEW
    add_right = rules.VILLAGE_MANAGE
    list_display = ["code", "name", "level", "division_type", "area_type", "parent"]
    list_filter = ["level", "area_type"]
    show_facets = admin.ShowFacets.NEVER
    search_fields = ["code"]
    list_select_related = ["parent"]
    show_full_result_count = False
    readonly_fields = ["code", "name", "level", "division_type", "parent", "province", "area_type", "is_official"]
    ordering = ["path"]

    def get_queryset(self, request):
        return super().get_queryset(request).in_charge_of(request.user)

    def get_search_results(self, request, queryset, search_term):
        folded = rules.fold_text(search_term)
        if not folded:
            return queryset, False
        return queryset.filter(name_search__contains=folded) | queryset.filter(code=search_term.strip()), False

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = VillageForm
            kwargs["fields"] = VillageForm.Meta.fields
        form_class = super().get_form(request, obj, change, **kwargs)
        form_class.user = request.user
        return form_class

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            kwargs["queryset"] = self.get_queryset(request).filter(level=Level.COMMUNE)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        village = services.create_village(
            actor=request.user,
            commune=form.cleaned_data["parent"],
            name=form.cleaned_data["name"],
            code=form.cleaned_data.get("code") or "",
            division_type=form.cleaned_data.get("division_type") or "",
        )
        adopt(obj, village)


@admin.register(Ethnicity)
class EthnicityAdmin(RightsAdminMixin, admin.ModelAdmin):
    view_right = rules.AREA_VIEW
    list_display = ["code", "name", "name_en"]
    search_fields = ["name", "name_en", "code"]

    def get_search_results(self, request, queryset, search_term):
        folded = rules.fold_text(search_term)
        if not folded:
            return queryset, False
        codes = [e.code for e in queryset if folded in rules.fold_text(e.name) or folded == e.code]  # 54 rows
        return queryset.filter(code__in=codes), False


# --- households and members ------------------------------------------------------------------------


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

    def get_extra(self, request, obj=None, **kwargs):
        return 1 if obj else 4

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form.user = request.user  # a new form class per request (modelform_factory)
        plain_choices(formset.form, ["ethnicity"])
        return formset


class AuditInline(RightsInlineMixin, admin.TabularInline):
    model = AuditEntry
    view_right = rules.AUDIT_VIEW
    fk_name = "household"
    fields = ["at", "actor", "action", "object_repr", "changes", "reason"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    verbose_name_plural = _("nhật ký thay đổi")
    ordering = ["-at", "-id"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


class HouseholdForm(forms.ModelForm):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
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


class CommuneFilter(ScopedChoicesFilter):
    title = _("xã/phường")
    parameter_name = "commune"
    level = Level.COMMUNE

    def lookups(self, request, model_admin):
        if request.user.has_country_scope or (request.user.area and request.user.area.level == Level.COMMUNE):
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


HOUSEHOLD_PAGE = Contributions()


def contribute_to_household_page(contribution: Contribution) -> None:
    """The door for higher apps (`programs`, `support`) to add their inlines, list filters, read-only fields
    (links and buttons among them), actions and URLs to the household admin, from their own admin modules."""
    HOUSEHOLD_PAGE.register(contribution)


@admin.register(Household)
class HouseholdAdmin(ServiceAdminMixin, ContributedAdminMixin, RightsAdminMixin, admin.ModelAdmin):
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
        return obj.head.full_name if obj.head else "—"

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


@admin.register(AuditEntry)
class AuditEntryAdmin(RightsAdminMixin, admin.ModelAdmin):
    view_right = rules.AUDIT_VIEW
    list_display = ["at", "actor", "action", "object_repr", "household", "reason"]
    list_filter = ["action"]
    show_facets = admin.ShowFacets.NEVER
    list_select_related = ["actor", "household"]
    search_fields = ["object_repr", "household__code"]
    show_full_result_count = False
    readonly_fields = [
        "at",
        "actor",
        "action",
        "content_type",
        "object_id",
        "object_repr",
        "household",
        "changes",
        "reason",
    ]

    def get_queryset(self, request):
        return selectors.audit_for(request.user)


class ScopeCheckMixin:
    def clean(self):
        cleaned = super().clean()
        role, area = cleaned.get("role"), cleaned.get("area")
        if role:
            problem = rules.scope_level_problem(role, area.level if area else None)
            if problem:
                self.add_error("area", problem)
        return cleaned


class OfficerChangeForm(ScopeCheckMixin, UserChangeForm):
    pass


class OfficerCreationForm(ScopeCheckMixin, UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = User
        fields = ["username", "role", "area"]


@admin.register(User)
class UserAdmin(ServiceAdminMixin, RightsAdminMixin, DjangoUserAdmin):
    """Officers' accounts, made by `services.create_officer` and changed by `services.change_officer` (audited);
    Django's user forms check the inputs (passwords against the account, unique names)."""

    validate_model = True
    form = OfficerChangeForm
    add_form = OfficerCreationForm
    view_right = rules.USER_MANAGE
    add_right = rules.USER_MANAGE
    change_right = rules.USER_MANAGE
    list_display = ["username", "first_name", "role", "area", "is_active", "last_login"]
    list_filter = ["role", "is_active"]
    list_select_related = ["area"]
    autocomplete_fields = ["area"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Thông tin"), {"fields": ["first_name", "last_name", "email"]}),
        (_("Vai trò và địa bàn"), {"fields": ["role", "area", "is_active", "is_staff"]}),
        (_("Thời điểm"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"fields": ["username", "password1", "password2", "role", "area"]})]

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            officer = services.change_officer(
                actor=request.user,
                user_id=obj.pk,
                data={name: data[name] for name in form.changed_data if name in services.OFFICER_FIELDS},
            )
        else:
            officer = services.create_officer(
                actor=request.user,
                username=data["username"],
                role=data["role"],
                area=data.get("area"),
                password=data.get("password1") or None,
            )
        adopt(obj, officer)
