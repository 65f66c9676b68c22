"""Pure rules of the registry: text folding for search, identifiers, roles and their rights.

No ORM, no settings, no clock.
"""

import re
import unicodedata
from collections.abc import Iterable
from enum import StrEnum

_SPACES = re.compile(r"\s+")
_NATIONAL_ID = re.compile(r"^[0-9]{12}$")
_HOUSEHOLD_CODE = re.compile(r"^[0-9]{5}-[0-9]{6}$")


def fold_text(text: str) -> str:
    """Lower-case `text` and strip Vietnamese diacritics (`đ` folds to `d`), collapsing spaces.

    >>> fold_text("  Nguyễn Văn  ĐỨC ")
    'nguyen van duc'
    """
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", stripped).strip().lower()


def looks_like_household_code(text: str) -> bool:
    """A whole household code as the system issues it: commune code, dash, six digits ("00070-000123")."""
    return bool(_HOUSEHOLD_CODE.match(text))


def national_id_problem(value: str) -> str | None:
    """Why `value` is not a valid 12-digit citizen ID (CCCD), or None when it is."""
    if not _NATIONAL_ID.match(value):
        return "Số CCCD phải gồm đúng 12 chữ số."
    return None


def masked_national_id(value: str) -> str:
    """A citizen ID as an error message names it: its last 3 digits only ("*********123"), so that a message kept
    (an import's row errors) or shown to someone else does not hand out the whole number."""
    return "*" * max(len(value) - 3, 0) + value[-3:]


class Role(StrEnum):
    COMMUNE_OFFICER = "commune_officer"
    COMMUNE_CHAIR = "commune_chair"
    DISTRICT_STAFF = "district_staff"
    PROVINCE_STAFF = "province_staff"
    PROGRAM_ADMIN = "program_admin"


class Level(StrEnum):
    PROVINCE = "province"
    DISTRICT = "district"
    COMMUNE = "commune"
    VILLAGE = "village"


# The level of area each role is scoped to; None = the whole country.
ROLE_SCOPE_LEVEL: dict[Role, Level | None] = {
    Role.COMMUNE_OFFICER: Level.COMMUNE,
    Role.COMMUNE_CHAIR: Level.COMMUNE,
    Role.DISTRICT_STAFF: Level.DISTRICT,
    Role.PROVINCE_STAFF: Level.PROVINCE,
    Role.PROGRAM_ADMIN: None,
}

# Rights named per action.
AREA_VIEW = "area.view"
VILLAGE_MANAGE = "village.manage"
HOUSEHOLD_VIEW = "household.view"
HOUSEHOLD_CREATE = "household.create"
HOUSEHOLD_CHANGE = "household.change"
MEMBER_CHANGE = "member.change"
AUDIT_VIEW = "audit.view"
# The access log of personal data (who read which households): program admins, and province staff for their province.
ACCESS_LOG_VIEW = "access_log.view"
AREA_MANAGE = "area.manage"
USER_MANAGE = "user.manage"
# The program's rights (programs app): standards are read by everyone at work, changed by program admins.
STANDARD_VIEW = "standard.view"
STANDARD_MANAGE = "standard.manage"
ASSESSMENT_VIEW = "assessment.view"
ASSESSMENT_RECORD = "assessment.record"
STATUS_RECOGNISE = "status.recognise"
# The annual review (A6): officers work the cases, the chair decides, the level above may give the
# district opinion of older campaigns, provinces and admins set the calendars.
REVIEW_VIEW = "review.view"
REVIEW_WORK = "review.work"
REVIEW_DECIDE = "review.decide"
REVIEW_CONSULT = "review.consult"
REVIEW_MANAGE = "review.manage"
# Support (support app): everyone at work reads the intervention types; program admins set them.
SUPPORT_VIEW = "support.view"
SUPPORT_MANAGE = "support.manage"
SUPPORT_RECORD = "support.record"
SUPPORT_OVERRIDE = "support.override"  # record a support the eligibility rule refuses, with a written reason
SUPPORT_APPROVE = "support.approve"  # approve the planned supports of the commune (not those one recorded)
SUPPORT_BUDGET = "support.budget"  # allocate the program's budget to areas
STATS_VIEW = "stats.view"  # the figures, dashboards and official reports of one's area
STATS_MANAGE = "stats.manage"  # set targets, recompute the figures

ALL_RIGHTS = frozenset(
    {
        AREA_VIEW,
        VILLAGE_MANAGE,
        HOUSEHOLD_VIEW,
        HOUSEHOLD_CREATE,
        HOUSEHOLD_CHANGE,
        MEMBER_CHANGE,
        AUDIT_VIEW,
        ACCESS_LOG_VIEW,
        AREA_MANAGE,
        USER_MANAGE,
        STANDARD_VIEW,
        STANDARD_MANAGE,
        ASSESSMENT_VIEW,
        ASSESSMENT_RECORD,
        STATUS_RECOGNISE,
        REVIEW_VIEW,
        REVIEW_WORK,
        REVIEW_DECIDE,
        REVIEW_CONSULT,
        REVIEW_MANAGE,
        SUPPORT_VIEW,
        SUPPORT_MANAGE,
        SUPPORT_RECORD,
        SUPPORT_OVERRIDE,
        SUPPORT_APPROVE,
        SUPPORT_BUDGET,
        STATS_VIEW,
        STATS_MANAGE,
    }
)

_REGISTRY_WORK = frozenset(
    {
        AREA_VIEW,
        HOUSEHOLD_VIEW,
        HOUSEHOLD_CREATE,
        HOUSEHOLD_CHANGE,
        MEMBER_CHANGE,
        AUDIT_VIEW,
        STANDARD_VIEW,
        ASSESSMENT_VIEW,
        ASSESSMENT_RECORD,
        REVIEW_VIEW,
        REVIEW_WORK,
        SUPPORT_VIEW,
        SUPPORT_RECORD,
        STATS_VIEW,
    }
)

ROLE_RIGHTS: dict[Role, frozenset[str]] = {
    Role.COMMUNE_OFFICER: _REGISTRY_WORK | {VILLAGE_MANAGE},
    # The chair recognises status changes (decision number and date); she does not record surveys.
    Role.COMMUNE_CHAIR: frozenset(
        {
            AREA_VIEW,
            HOUSEHOLD_VIEW,
            AUDIT_VIEW,
            STANDARD_VIEW,
            ASSESSMENT_VIEW,
            STATUS_RECOGNISE,
            REVIEW_VIEW,
            REVIEW_DECIDE,
            SUPPORT_VIEW,
            SUPPORT_APPROVE,
            STATS_VIEW,
        }
    ),
    Role.DISTRICT_STAFF: _REGISTRY_WORK | {REVIEW_CONSULT, SUPPORT_OVERRIDE, SUPPORT_APPROVE, SUPPORT_BUDGET},
    Role.PROVINCE_STAFF: _REGISTRY_WORK
    | {
        VILLAGE_MANAGE,
        REVIEW_CONSULT,
        REVIEW_MANAGE,
        SUPPORT_OVERRIDE,
        SUPPORT_APPROVE,
        SUPPORT_BUDGET,
        STATS_MANAGE,
        ACCESS_LOG_VIEW,
    },
    # Recognition needs the commune chair (separation of duties, STYLE 16; domain A6): not even the admin decides, on a
    # review case or by a direct status decision.
    Role.PROGRAM_ADMIN: ALL_RIGHTS - {REVIEW_DECIDE, STATUS_RECOGNISE},
}


# The decisions on a household's status are the commune chair's alone (domain A6: the chair of the commune's People's
# Committee recognises; separation of duties, STYLE 16): a superuser does not get them for free.
DECISION_RIGHTS = frozenset({STATUS_RECOGNISE, REVIEW_DECIDE})


def has_right(role: str | None, right: str, *, superuser: bool = False) -> bool:
    """Whether the role grants the right. A superuser holds every right but the decisions (`DECISION_RIGHTS`), which
    only the role that decides (the commune chair) holds, superuser or not."""
    if superuser and right not in DECISION_RIGHTS:
        return True
    if role is None:
        return False
    try:
        return right in ROLE_RIGHTS[Role(role)]
    except ValueError:
        return False


def scope_level_problem(role: str, area_level: str | None) -> str | None:
    """Why a user of `role` cannot be scoped to an area of `area_level` (None = no area), or None."""
    expected = ROLE_SCOPE_LEVEL[Role(role)]
    if expected is None:
        return None if area_level is None else "Quản trị chương trình có phạm vi toàn quốc, không gắn với địa bàn."
    if area_level != expected:
        return f"Vai trò {role} phải gắn với một địa bàn cấp {expected} (đang là {area_level or 'không có'})."
    return None


def area_type_for_division(division_type: str) -> str:
    """Urban or rural from the official division type (domain A7): wards are urban, others rural."""
    return "urban" if division_type == "phường" else "rural"


def needs_second_factor(
    role: str | None, *, superuser: bool, required: bool, required_roles: Iterable[str], enrolled: bool
) -> bool:
    """Whether a sign-in must give a second factor (a code from an authenticator app) before any page or API call.

    `required` and `required_roles` are the settings (SECOND_FACTOR_REQUIRED, SECOND_FACTOR_ROLES): when it is on,
    the roles listed must, and so must a superuser, who holds every right; `enrolled`: she has a confirmed device of
    her own accord, and then she is asked whatever the settings say."""
    if enrolled:
        return True
    if not required:
        return False
    return superuser or (role is not None and role in set(required_roles))


def unknown_roles(names: Iterable[str]) -> list[str]:
    """The names that are not roles (a setting listing roles, e.g. SECOND_FACTOR_ROLES), in their order."""
    known = {role.value for role in Role}
    return [name for name in names if name not in known]
