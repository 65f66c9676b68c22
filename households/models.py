"""WHO and WHERE: administrative areas, officers and their scopes, households, members, audit."""

from collections.abc import Callable
from typing import Any, ClassVar, Self

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from config.arrays import IdArrayField
from households import rules
from households.rules import Level, Role


class AreaLevel(models.TextChoices):
    PROVINCE = Level.PROVINCE, _("Tỉnh/Thành phố")
    DISTRICT = Level.DISTRICT, _("Huyện (dữ liệu cũ)")
    COMMUNE = Level.COMMUNE, _("Xã/Phường/Đặc khu")
    VILLAGE = Level.VILLAGE, _("Thôn/Tổ dân phố")


class AreaType(models.TextChoices):
    RURAL = "rural", _("Nông thôn")
    URBAN = "urban", _("Thành thị")


def is_signed_in(user) -> bool:
    """An active account that signed in: the only kind that sees any row."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def subtree(area: "Area | str", lookup: str = "path") -> Q:
    """The rows whose area lies within `area` (itself included), by the lookup of that area's path, e.g.
    "commune__path" or "area__path" ("path" for areas themselves); `area` is an area or its path. The one place
    that compares area paths (they run from the top down: "/01/00070/")."""
    path = area if isinstance(area, str) else area.path
    return Q(**{f"{lookup}__startswith": path})


class ScopedQuerySet(models.QuerySet):
    """The one door to a model's rows: `visible_to(user)`. Its opening check is written here once: nobody
    signed in, or an inactive account, sees nothing; an account with the country scope sees every row; any
    other sees the rows of the areas in her charge, her area and all within it (nothing without an area).

    A model says how its rows belong to areas with one of:
    - `scope_path`: the lookup of the path of the row's area, e.g. "commune__path" or "area__path";
    - `scope_through`: a relation to a scoped model, e.g. "household" or "record__household": a row is seen where
      that row is;
    - `scope_owner`: a user field, e.g. "user": each account sees its own rows, whatever its scope;
    `scope_above` also shows the rows of the two areas above the user's (its parent and province: a commune sees
    the province's envelope it draws on). A model with a rule of its own overrides `_visible_rows`.
    """

    scope_path: ClassVar[str] = ""
    scope_through: ClassVar[str] = ""
    scope_owner: ClassVar[str] = ""
    scope_above: ClassVar[bool] = False

    def visible_to(self, user) -> Self:
        return self._scoped(user, self._visible_rows)

    def _scoped(self, user, rule: Callable[[Any], Self]) -> Self:
        if not is_signed_in(user):
            return self.none()
        if self.scope_owner:
            return self.filter(**{self.scope_owner: user})
        if user.has_country_scope:
            return self
        return rule(user)

    def _visible_rows(self, user) -> Self:
        """The rows an active account without the country scope sees."""
        if self.scope_through:
            model = self.model
            for name in self.scope_through.split("__"):
                model = model._meta.get_field(name).related_model
            return self.filter(**{f"{self.scope_through}__in": model._default_manager.visible_to(user)})
        return self._rows_in_charge(user)

    def _rows_in_charge(self, user) -> Self:
        area = user.area
        if area is None:
            return self.none()
        rows = subtree(area, self.scope_path)
        if self.scope_above:
            above = [pk for pk in (area.parent_id, area.province_id) if pk]
            rows |= Q(**{f"{self.scope_path.removesuffix('path')}id__in": above})
        return self.filter(rows)


class AreaQuerySet(ScopedQuerySet):
    scope_path = "path"

    def in_charge_of(self, user) -> "AreaQuerySet":
        """The areas in the user's charge: hers and all within it; every area with the country scope; none for
        nobody signed in, an inactive account or one without an area. `User.is_in_charge_of` is its twin."""
        return self._scoped(user, self._rows_in_charge)

    def _visible_rows(self, user) -> "AreaQuerySet":
        """Official provinces, districts and communes are public; villages only those in the user's charge."""
        if user.area_id is None:
            return self.exclude(level=Level.VILLAGE)
        return self.filter(~Q(level=Level.VILLAGE) | subtree(user.area))

    def within(self, area: "Area") -> "AreaQuerySet":
        return self.filter(subtree(area))

    def holding(self, area: "Area") -> "AreaQuerySet":
        """The area and those above it (its district, its province): the areas whose subtree holds it."""
        codes = area.path.strip("/").split("/")
        return self.filter(path__in=["/" + "/".join(codes[:n]) + "/" for n in range(1, len(codes) + 1)])


class Area(models.Model):
    code = models.CharField(_("mã"), max_length=20, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    name_search = models.TextField(_("tên không dấu"), editable=False, db_index=True)
    level = models.CharField(_("cấp"), max_length=10, choices=AreaLevel.choices)
    division_type = models.CharField(_("loại đơn vị"), max_length=40, blank=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("thuộc"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    province = models.ForeignKey(
        "self", verbose_name=_("tỉnh"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Codes from the top down, e.g. "/01/00070/": subtree filters are `path__startswith`.
    path = models.CharField(_("đường dẫn"), max_length=255, editable=False)
    area_type = models.CharField(_("khu vực"), max_length=5, choices=AreaType.choices, blank=True)
    is_official = models.BooleanField(_("danh mục chính thức"), default=False)
    is_poor_district = models.BooleanField(
        _("thuộc huyện nghèo"),
        default=False,
        help_text=_("Huyện nghèo, hoặc xã thuộc huyện nghèo cũ (dự án chỉ hỗ trợ ở huyện nghèo, như Dự án 5)."),
    )
    household_seq = models.PositiveIntegerField(_("số thứ tự hộ đã cấp"), default=0, editable=False)

    objects = AreaQuerySet.as_manager()

    class Meta:
        verbose_name = _("địa bàn")
        verbose_name_plural = _("địa bàn")
        ordering = ["code"]
        indexes = [
            # serves subtree filters: Area.objects.within(area)
            models.Index(fields=["path"], name="households_area_path_idx", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["level", "parent"], name="households_area_level_parent"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(level=Level.PROVINCE, parent__isnull=True)
                | (~Q(level=Level.PROVINCE) & Q(parent__isnull=False)),
                name="households_area_parent_by_level",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """An officer: one role, scoped to one area (a commune, a district or a province; admins to the country)."""

    class Roles(models.TextChoices):
        COMMUNE_OFFICER = Role.COMMUNE_OFFICER, _("Cán bộ giảm nghèo cấp xã")
        COMMUNE_CHAIR = Role.COMMUNE_CHAIR, _("Chủ tịch UBND cấp xã")
        DISTRICT_STAFF = Role.DISTRICT_STAFF, _("Cán bộ cấp huyện")
        PROVINCE_STAFF = Role.PROVINCE_STAFF, _("Cán bộ cấp tỉnh")
        PROGRAM_ADMIN = Role.PROGRAM_ADMIN, _("Quản trị chương trình")

    role = models.CharField(_("vai trò"), max_length=20, choices=Roles.choices, blank=True)
    area = models.ForeignKey(
        Area, verbose_name=_("địa bàn phụ trách"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = UserManager()

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")

    @property
    def has_country_scope(self) -> bool:
        return self.is_superuser or self.role == Role.PROGRAM_ADMIN

    def is_in_charge_of(self, area: Area) -> bool:
        """Whether the area is in her charge: her area or one within it; any area with the country scope; none for
        an inactive account or one without an area (the rule of `Area.objects.in_charge_of`, for one area)."""
        if not self.is_active:
            return False
        if self.has_country_scope:
            return True
        return self.area is not None and area.path.startswith(self.area.path)

    def has_right(self, right: str) -> bool:
        if not self.is_active:
            return False
        return rules.has_right(self.role or None, right, superuser=self.is_superuser)


class Ethnicity(models.Model):
    """The official 54 ethnic groups with their codes (copied from shared/data/ethnic-groups.csv)."""

    code = models.CharField(_("mã"), max_length=2, primary_key=True)
    name = models.CharField(_("tên"), max_length=50)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=50)

    class Meta:
        verbose_name = _("dân tộc")
        verbose_name_plural = _("dân tộc")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class HouseholdStatus(models.TextChoices):
    POOR = "poor", _("Hộ nghèo")
    NEAR_POOR = "near_poor", _("Hộ cận nghèo")
    NOT_POOR = "not_poor", _("Hộ không nghèo")


class HouseholdQuerySet(ScopedQuerySet):
    def _visible_rows(self, user) -> "HouseholdQuerySet":
        """The households of the user's area (commune, district or province), through the denormalised keys (indexed);
        an account scoped to a village sees none."""
        if user.area is None or user.area.level == Level.VILLAGE:
            return self.none()
        return self.in_area(user.area)

    def in_area(self, area: "Area") -> "HouseholdQuerySet":
        """The households of an area of any level, through the denormalised keys (indexed)."""
        if area.level == Level.PROVINCE:
            return self.filter(province_id=area.pk)
        if area.level == Level.DISTRICT:
            return self.filter(district_id=area.pk)
        if area.level == Level.COMMUNE:
            return self.filter(commune_id=area.pk)
        return self.filter(village_id=area.pk)


class Household(models.Model):
    code = models.CharField(_("mã hộ"), max_length=30, unique=True, editable=False)
    # The areas' keys have no index of their own: each leads an index of Meta.indexes (province, district, commune
    # with the status and the id; the village's own), which answers the same lookups; a second index on the same
    # column only costs every write (a review's status changes rewrite the indexes of 73,000 rows).
    province = models.ForeignKey(
        Area, verbose_name=_("tỉnh"), on_delete=models.PROTECT, related_name="+", editable=False, db_index=False
    )
    district = models.ForeignKey(
        Area,
        verbose_name=_("huyện"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        db_index=False,
    )
    commune = models.ForeignKey(
        Area,
        verbose_name=_("xã/phường"),
        on_delete=models.PROTECT,
        related_name="households",
        limit_choices_to={"level": Level.COMMUNE},
        db_index=False,
    )
    village = models.ForeignKey(
        Area,
        verbose_name=_("thôn/tổ dân phố"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": Level.VILLAGE},
        db_index=False,
    )
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    area_type = models.CharField(_("khu vực"), max_length=5, choices=AreaType.choices)
    head = models.ForeignKey(
        "Member",
        verbose_name=_("chủ hộ"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    is_ethnic_minority = models.BooleanField(_("hộ dân tộc thiểu số"), default=False)
    has_revolutionary_contributor = models.BooleanField(_("có người có công với cách mạng"), default=False)
    has_social_protection_member = models.BooleanField(_("có thành viên thuộc đối tượng bảo trợ xã hội"), default=False)
    no_labour_capacity = models.BooleanField(_("hộ không có khả năng lao động"), default=False)
    is_female_headed = models.BooleanField(_("chủ hộ là nữ"), default=False)
    status = models.CharField(
        _("tình trạng hiện tại"),
        max_length=10,
        choices=HouseholdStatus.choices,
        default=HouseholdStatus.NOT_POOR,
        editable=False,
    )
    status_since = models.DateField(_("từ ngày"), null=True, blank=True, editable=False)
    # Caches of the status history, written with it by the status service
    # (programs.standards.services.record_status_change).
    ever_poor = models.BooleanField(_("từng là hộ nghèo"), default=False, editable=False)
    left_lists_on = models.DateField(
        _("ngày ra khỏi danh sách nghèo, cận nghèo"), null=True, blank=True, editable=False, db_index=True
    )
    version = models.PositiveIntegerField(_("phiên bản"), default=1, editable=False)
    # Folded code and member names, for search without diacritics (trigram index on PostgreSQL).
    search_text = models.TextField(_("chuỗi tìm kiếm"), blank=True, default="", editable=False)
    created_at = models.DateTimeField(_("ngày tạo"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật"), auto_now=True)

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        verbose_name = _("hộ gia đình")
        verbose_name_plural = _("hộ gia đình")
        ordering = ["code", "id"]
        indexes = [
            # list by commune and status (the officers' and district staff's main list)
            models.Index(fields=["commune", "status", "id"], name="households_hh_commune_status"),
            models.Index(fields=["province", "status", "id"], name="households_hh_province_status"),
            models.Index(fields=["district", "status", "id"], name="households_hh_district_status"),
            models.Index(fields=["village"], name="households_hh_village"),
        ]

    def __str__(self) -> str:
        return self.code


class Sex(models.TextChoices):
    MALE = "male", _("Nam")
    FEMALE = "female", _("Nữ")


class Relation(models.TextChoices):
    HEAD = "head", _("Chủ hộ")
    SPOUSE = "spouse", _("Vợ/chồng")
    CHILD = "child", _("Con")
    PARENT = "parent", _("Bố/mẹ")
    GRANDCHILD = "grandchild", _("Cháu")
    GRANDPARENT = "grandparent", _("Ông/bà")
    SIBLING = "sibling", _("Anh/chị/em")
    CHILD_IN_LAW = "child_in_law", _("Con dâu/con rể")
    OTHER = "other", _("Khác")


class Schooling(models.TextChoices):
    """What the member attends now."""

    NONE = "none", _("Không đi học")
    PRESCHOOL = "preschool", _("Mầm non")
    PRIMARY = "primary", _("Tiểu học")
    LOWER_SECONDARY = "lower_secondary", _("Trung học cơ sở")
    UPPER_SECONDARY = "upper_secondary", _("Trung học phổ thông")
    VOCATIONAL = "vocational", _("Giáo dục nghề nghiệp")
    HIGHER = "higher", _("Cao đẳng/Đại học")


class EducationLevel(models.TextChoices):
    """The highest level completed."""

    NONE = "none", _("Chưa tốt nghiệp tiểu học")
    PRIMARY = "primary", _("Tiểu học")
    LOWER_SECONDARY = "lower_secondary", _("Trung học cơ sở")
    UPPER_SECONDARY = "upper_secondary", _("Trung học phổ thông")
    VOCATIONAL = "vocational", _("Chứng chỉ/bằng nghề")
    HIGHER = "higher", _("Cao đẳng/Đại học trở lên")


class WorkStatus(models.TextChoices):
    EMPLOYED_CONTRACT = "employed_contract", _("Làm công ăn lương có hợp đồng")
    EMPLOYED_NO_CONTRACT = "employed_no_contract", _("Làm công ăn lương không có hợp đồng")
    SELF_EMPLOYED = "self_employed", _("Tự làm (nông nghiệp, kinh doanh)")
    UNEMPLOYED = "unemployed", _("Thất nghiệp")
    NOT_IN_LABOUR_FORCE = "not_in_labour_force", _("Không tham gia lao động (học sinh, nghỉ hưu, nội trợ)")
    UNABLE_TO_WORK = "unable_to_work", _("Không có khả năng lao động")


class MemberQuerySet(ScopedQuerySet):
    scope_through = "household"


class Member(models.Model):
    household = models.ForeignKey(Household, verbose_name=_("hộ"), on_delete=models.CASCADE, related_name="members")
    full_name = models.CharField(_("họ và tên"), max_length=120)
    search_name = models.TextField(_("tên không dấu"), editable=False)
    date_of_birth = models.DateField(_("ngày sinh"))
    sex = models.CharField(_("giới tính"), max_length=6, choices=Sex.choices)
    ethnicity = models.ForeignKey(Ethnicity, verbose_name=_("dân tộc"), on_delete=models.PROTECT, related_name="+")
    relation = models.CharField(_("quan hệ với chủ hộ"), max_length=15, choices=Relation.choices)
    national_id = models.CharField(_("số CCCD"), max_length=12, null=True, blank=True)
    has_disability = models.BooleanField(_("người khuyết tật"), default=False)
    receives_disability_allowance = models.BooleanField(_("hưởng trợ cấp khuyết tật hằng tháng"), default=False)
    health_insurance_number = models.CharField(_("số thẻ BHYT"), max_length=15, blank=True, default="")
    health_insurance_valid_until = models.DateField(_("thẻ BHYT có giá trị đến"), null=True, blank=True)
    schooling = models.CharField(_("đang đi học"), max_length=16, choices=Schooling.choices, default=Schooling.NONE)
    education_level = models.CharField(
        _("trình độ học vấn cao nhất"), max_length=16, choices=EducationLevel.choices, default=EducationLevel.NONE
    )
    work_status = models.CharField(_("việc làm"), max_length=20, choices=WorkStatus.choices, blank=True, default="")
    occupation = models.CharField(_("nghề nghiệp"), max_length=120, blank=True, default="")

    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("thành viên")
        verbose_name_plural = _("thành viên")
        ordering = ["household", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["national_id"],
                condition=Q(national_id__isnull=False),
                name="households_member_national_id_unique",
            ),
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(relation=Relation.HEAD),
                name="households_member_one_head",
            ),
            models.CheckConstraint(
                condition=Q(national_id__isnull=True) | Q(national_id__regex=r"^[0-9]{12}$"),
                name="households_member_national_id_format",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name


class AuditEntryQuerySet(ScopedQuerySet):
    scope_through = "household"


class AuditEntry(models.Model):
    """Who did what to which record, when and why; changes as {field: [old, new]}."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("thời điểm"), auto_now_add=True, db_index=True)
    action = models.CharField(_("thao tác"), max_length=80)
    # The content type and the household have no index of their own: `households_audit_object` and
    # `households_audit_household` start with them and serve every lookup (and the foreign keys' checks); a second
    # index on each would only cost every entry written (a province's reclassification writes 300,000).
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("loại đối tượng"), on_delete=models.PROTECT, db_index=False
    )
    object_id = models.CharField(_("mã đối tượng"), max_length=40)
    object_repr = models.CharField(_("đối tượng"), max_length=200)
    household = models.ForeignKey(
        Household,
        verbose_name=_("hộ"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_entries",
        db_index=False,
    )
    changes = models.JSONField(_("thay đổi"), default=dict)
    reason = models.TextField(_("lý do"), blank=True, default="")

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("nhật ký thay đổi")
        verbose_name_plural = _("nhật ký thay đổi")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="households_audit_object"),
            models.Index(fields=["household", "at"], name="households_audit_household"),
        ]

    def __str__(self) -> str:
        return self.object_repr


# --- the access log of personal data ---------------------------------------------------------------------------


class AccessDoor(models.TextChoices):
    ADMIN = "admin", _("Trang quản trị")
    API = "api", _("API")
    EXPORT = "export", _("Xuất tệp, tài liệu")


class AccessAction(models.TextChoices):
    LIST = "list", _("Xem danh sách")
    VIEW = "view", _("Xem chi tiết")
    SEARCH = "search", _("Tìm kiếm")
    EXPORT = "export", _("Xuất tệp, in tài liệu")


class AccessRecordQuerySet(ScopedQuerySet):
    def _visible_rows(self, user) -> "AccessRecordQuerySet":
        """The records of the areas in the user's charge: those that touched a household of one of its communes,
        that were about one of its areas as a whole (an export of an area), or that an officer of one of its
        areas made (a search that found nobody included)."""
        in_charge = Area.objects.in_charge_of(user)
        communes = in_charge.filter(level=Level.COMMUNE).values("pk")
        return self.filter(Q(commune_ids__overlap=communes) | Q(area__in=in_charge) | Q(actor_area__in=in_charge))


class AccessRecord(models.Model):
    """Who read, searched or exported which households' personal data, when, from where and through which door.

    Kept apart from the change audit (`AuditEntry`): one row per request (a list page is one row with the ids of
    the households on it), written by `households.services.access.record_access` and nothing else; PostgreSQL
    refuses to update or delete a row (trigger `households_accessrecord_append_only`) except for the pruning of
    records past the retention (`prune_access_log`). `commune_ids` and `actor_area` say whose records they are."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người xem"), on_delete=models.PROTECT, related_name="+"
    )
    actor_area = models.ForeignKey(
        Area, verbose_name=_("địa bàn của người xem"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("thời điểm"), db_index=True)
    ip = models.GenericIPAddressField(_("địa chỉ IP"), null=True)
    door = models.CharField(_("qua"), max_length=10, choices=AccessDoor.choices)
    action = models.CharField(_("thao tác"), max_length=10, choices=AccessAction.choices)
    resource = models.CharField(_("nội dung"), max_length=120)
    path = models.CharField(_("đường dẫn"), max_length=255)
    query = models.TextField(_("điều kiện lọc"), blank=True, default="")
    search = models.CharField(_("từ khóa tìm kiếm"), max_length=200, blank=True, default="")
    result_count = models.PositiveIntegerField(_("số kết quả"), null=True)
    # The households shown (the rows of the page, the object opened, the rows of the file); GIN-indexed
    # (migration 0007): "who looked at household X" is `household_ids @> {X}`.
    household_ids = IdArrayField(verbose_name=_("các hộ"))
    # Their communes, filled by the INSERT itself (GIN-indexed): the province's staff read the records of its communes.
    commune_ids = IdArrayField(verbose_name=_("các xã của các hộ"))
    # An export of an area as a whole (a commune's import template, an official report): every household in it.
    area = models.ForeignKey(
        Area, verbose_name=_("cả địa bàn"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = AccessRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("nhật ký truy cập dữ liệu cá nhân")
        verbose_name_plural = _("nhật ký truy cập dữ liệu cá nhân")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.resource} ({self.pk})"
