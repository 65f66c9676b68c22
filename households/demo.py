"""Synthetic households for demos and load tests: reproducible from a seed, no database access.

`plan()` draws the shape of the data (villages, ethnic mix and household sizes per commune), so the
caller knows how many rows it will write and can reserve their ids; `generate()` then draws the
households and their members as plain tuples in the column order of `HOUSEHOLD_COLUMNS` and
`MEMBER_COLUMNS`, ready for `COPY` or `bulk_create`. The same seed gives the same names, codes and
figures; only the ids and the national ID counters depend on what the caller passes in.
"""

import datetime
import gc
import random
from bisect import bisect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from households.demo_names import (
    HOUSEHOLD_SIZES,
    KINH,
    KINH_FAMILY,
    KINH_GIVEN,
    KINH_MIDDLE,
    MINORITY_GROUPS,
    STYLES,
)
from households.models import EducationLevel, HouseholdStatus, Relation, Schooling, Sex, WorkStatus
from households.rules import fold_text

HOUSEHOLD_COLUMNS = (
    "id",
    "code",
    "province_id",
    "district_id",
    "commune_id",
    "village_id",
    "address",
    "area_type",
    "head_id",
    "is_ethnic_minority",
    "has_revolutionary_contributor",
    "has_social_protection_member",
    "no_labour_capacity",
    "is_female_headed",
    "status",
    "status_since",
    "ever_poor",
    "left_lists_on",
    "version",
    "search_text",
    "created_at",
    "updated_at",
)
MEMBER_COLUMNS = (
    "id",
    "household_id",
    "full_name",
    "search_name",
    "date_of_birth",
    "sex",
    "ethnicity_id",
    "relation",
    "national_id",
    "has_disability",
    "receives_disability_allowance",
    "health_insurance_number",
    "health_insurance_valid_until",
    "schooling",
    "education_level",
    "work_status",
    "occupation",
)

HEAD = Relation.HEAD.value
SPOUSE = Relation.SPOUSE.value
CHILD = Relation.CHILD.value
PARENT = Relation.PARENT.value
GRANDCHILD = Relation.GRANDCHILD.value
CHILD_IN_LAW = Relation.CHILD_IN_LAW.value
MALE = Sex.MALE.value
FEMALE = Sex.FEMALE.value
NOT_POOR = HouseholdStatus.NOT_POOR.value

S_NONE = Schooling.NONE.value
E_NONE, E_PRIMARY, E_LOWER, E_UPPER, E_VOCATIONAL, E_HIGHER = (
    EducationLevel.NONE.value,
    EducationLevel.PRIMARY.value,
    EducationLevel.LOWER_SECONDARY.value,
    EducationLevel.UPPER_SECONDARY.value,
    EducationLevel.VOCATIONAL.value,
    EducationLevel.HIGHER.value,
)
W_CONTRACT, W_NO_CONTRACT, W_SELF, W_UNEMPLOYED, W_OUT, W_UNABLE = (
    WorkStatus.EMPLOYED_CONTRACT.value,
    WorkStatus.EMPLOYED_NO_CONTRACT.value,
    WorkStatus.SELF_EMPLOYED.value,
    WorkStatus.UNEMPLOYED.value,
    WorkStatus.NOT_IN_LABOUR_FORCE.value,
    WorkStatus.UNABLE_TO_WORK.value,
)

MAX_AGE = 100


@dataclass(frozen=True)
class Commune:
    """What the generator needs to know of a commune (ids are the caller's)."""

    id: int
    code: str
    name: str
    area_type: str  # "rural" or "urban"
    district_id: int | None = None
    household_seq: int = 0  # the last sequence number already issued


@dataclass(frozen=True)
class Village:
    code: str
    name: str
    division_type: str


@dataclass(frozen=True)
class CommunePlan:
    commune: Commune
    villages: tuple[Village, ...]
    minority_share: float
    group_weights: tuple[float, ...]  # aligned with MINORITY_GROUPS
    sizes: tuple[int, ...]  # one per household, in code order


@dataclass(frozen=True)
class Plan:
    seed: int
    communes: tuple[CommunePlan, ...]

    @property
    def households(self) -> int:
        return sum(len(c.sizes) for c in self.communes)

    @property
    def members(self) -> int:
        return sum(sum(c.sizes) for c in self.communes)


@dataclass
class Generated:
    households: list[tuple]  # HOUSEHOLD_COLUMNS
    members: list[tuple]  # MEMBER_COLUMNS
    last_seq: dict[str, int]  # commune code -> last household sequence number issued
    national_id_counters: dict[int, int]  # see `generate`


def commune_count(households: int, available: int) -> int:
    """How many communes the households are spread over: one per hundred households, at least two."""
    return min(available, max(2, households // 100))


def village_names(commune: Commune, count: int) -> tuple[Village, ...]:
    urban = commune.area_type == "urban"
    label, division = ("Tổ dân phố", "tổ dân phố") if urban else ("Thôn", "thôn")
    return tuple(Village(f"{commune.code}.{i:03d}", f"{label} {i}", division) for i in range(1, count + 1))


def plan(*, communes: Sequence[Commune], households: int, seed: int) -> Plan:
    """Spread `households` over `communes` (in the order given) and draw each commune's shape."""
    rng = random.Random(seed)
    sizes, size_weights = zip(*HOUSEHOLD_SIZES, strict=True)
    count = len(communes)
    plans = []
    for index, commune in enumerate(communes):
        n = households // count + (1 if index < households % count else 0)
        low, high = (0.10, 0.40) if commune.area_type == "urban" else (0.15, 0.95)
        plans.append(
            CommunePlan(
                commune=commune,
                villages=village_names(commune, rng.randint(4, 10)),
                minority_share=rng.uniform(low, high),
                group_weights=tuple(weight * rng.uniform(0.1, 3.0) for _, weight, _, _ in MINORITY_GROUPS),
                sizes=tuple(rng.choices(sizes, size_weights, k=n)),
            )
        )
    return Plan(seed=seed, communes=tuple(plans))


# --- pickers: precomputed cumulative weights, drawn with bisect(cum, random()) ------------------------


def _cumulative(weights: Sequence[float]) -> list[float]:
    total = float(sum(weights))
    cum, running = [], 0.0
    for weight in weights:
        running += weight
        cum.append(running / total)
    cum[-1] = 1.0  # random() < 1.0, so bisect never runs past the end
    return cum


def _folded(names: Sequence[str]) -> list[tuple[str, str]]:
    return [(name, fold_text(name)) for name in names]


class _Names:
    """Name parts as (display, folded) pairs with their pickers, so fold_text runs once per part."""

    def __init__(self, family: Sequence[tuple[str, float]], style: Mapping | None):
        self.family = _folded([n for n, _ in family])
        self.family_cum = _cumulative([w for _, w in family])
        self.middle = {}
        self.given = {}
        for sex in (MALE, FEMALE):
            middles = style[f"{sex}_middle"] if style else KINH_MIDDLE[sex]
            self.middle[sex] = (_folded([n for n, _ in middles]), _cumulative([w for _, w in middles]))
            given = list(KINH_GIVEN[sex])
            if style:  # half local names, half Kinh names
                local = list(style[f"{sex}_given"])
                given = local * max(1, len(given) // len(local)) + given
            self.given[sex] = _folded(given)


def _education_table(minority: bool) -> list[tuple[list[tuple[str, str]], list[float]]]:
    """Per age: the (schooling, education_level) pairs and their cumulative weights."""
    table = []
    for age in range(MAX_AGE + 1):
        if age < 3:
            options = [(("none", E_NONE), 1)]
        elif age <= 5:
            options = [
                (("preschool", E_NONE), 88 if not minority else 78),
                (("none", E_NONE), 12 if not minority else 22),
            ]
        elif age <= 10:
            options = [(("primary", E_NONE), 98), (("none", E_NONE), 2)]
        elif age <= 14:
            dropout = 4 if not minority else 9
            options = [(("lower_secondary", E_PRIMARY), 100 - dropout), (("none", E_PRIMARY), dropout)]
        elif age <= 17:
            dropout = 18 if not minority else 35
            options = [
                (("upper_secondary", E_LOWER), 100 - dropout - 8),
                (("vocational", E_LOWER), 8),
                (("none", E_LOWER), dropout * 0.7),
                (("none", E_PRIMARY), dropout * 0.3),
            ]
        elif age <= 22:
            higher, vocational = (25, 12) if not minority else (10, 10)
            options = [
                (("higher", E_UPPER), higher),
                (("vocational", E_UPPER), vocational * 0.6),
                (("vocational", E_LOWER), vocational * 0.4),
                (("none", E_UPPER), 35 if not minority else 25),
                (("none", E_LOWER), 20 if not minority else 30),
                (("none", E_PRIMARY), 8 if not minority else 25),
            ]
        else:
            # none, primary, lower, upper, vocational, higher: older and minority cohorts studied less
            if age < 40:
                weights = (3, 12, 30, 30, 12, 13) if not minority else (10, 25, 35, 18, 7, 5)
            elif age < 60:
                weights = (8, 22, 35, 20, 8, 7) if not minority else (25, 35, 25, 10, 3, 2)
            else:
                weights = (25, 35, 22, 10, 5, 3) if not minority else (55, 30, 10, 3, 1, 1)
            levels = (E_NONE, E_PRIMARY, E_LOWER, E_UPPER, E_VOCATIONAL, E_HIGHER)
            options = [(("none", level), weight) for level, weight in zip(levels, weights, strict=True)]
        table.append(([pair for pair, _ in options], _cumulative([w for _, w in options])))
    return table


_RURAL_JOBS = (
    "Làm ruộng",
    "Trồng ngô",
    "Chăn nuôi",
    "Trồng chè",
    "Trồng rừng",
    "Trồng quế",
    "Làm nương",
    "Buôn bán nhỏ",
)
_URBAN_JOBS = ("Buôn bán nhỏ", "Kinh doanh tạp hóa", "Sửa xe máy", "Thợ may", "Bán hàng ăn", "Thợ cắt tóc")
_CONTRACT_JOBS = ("Công nhân", "Giáo viên", "Nhân viên văn phòng", "Công chức xã", "Y tá", "Nhân viên bán hàng")
_CASUAL_JOBS = ("Làm thuê", "Phụ hồ", "Xe ôm", "Giúp việc", "Bốc vác", "Làm thuê theo mùa vụ")


def _work_table(urban: bool) -> dict[str, tuple[list[tuple[str, str]], list[float]]]:
    """(work_status, occupation) pairs for working-age adults and for the elderly."""
    own = _URBAN_JOBS if urban else _RURAL_JOBS
    adult = (
        [((W_SELF, job), (30 if urban else 58) / len(own)) for job in own]
        + [((W_CONTRACT, job), (30 if urban else 10) / len(_CONTRACT_JOBS)) for job in _CONTRACT_JOBS]
        + [((W_NO_CONTRACT, job), 20 / len(_CASUAL_JOBS)) for job in _CASUAL_JOBS]
        + [((W_UNEMPLOYED, ""), 4), ((W_OUT, "Nội trợ"), 6), ((W_OUT, ""), 2), ((W_UNABLE, ""), 1)]
    )
    elderly = [((W_SELF, job), 35 / len(own)) for job in own] + [
        ((W_OUT, "Hưu trí"), 15 if urban else 5),
        ((W_OUT, ""), 40),
        ((W_UNABLE, ""), 12),
    ]
    return {
        name: ([p for p, _ in rows], _cumulative([w for _, w in rows]))
        for name, rows in (("adult", adult), ("elderly", elderly))
    }


def generate(
    plan: Plan,
    *,
    province_id: int,
    province_code: str,
    village_ids: Mapping[str, int],
    first_household_id: int,
    first_member_id: int,
    national_id_counters: Mapping[int, int],
    as_of: datetime.date,
    now: datetime.datetime,
) -> Generated:
    """Draw the households and members of `plan`.

    `national_id_counters` maps `digit * 100 + yy` (century/sex digit, two-digit birth year) to the
    last 6-digit serial already used under this province's prefix; serials continue after it.
    """
    rng = random.Random(f"{plan.seed}:households")
    rnd = rng.random
    from_ordinal = datetime.date.fromordinal
    as_of_ordinal = as_of.toordinal()
    prefix = f"{int(province_code):03d}"
    province2 = f"{int(province_code):02d}"
    valid_until = (datetime.date(as_of.year, 12, 31), datetime.date(as_of.year + 1, 12, 31))
    counters = dict(national_id_counters)

    kinh_names = _Names(KINH_FAMILY, None)
    group_names = [_Names([(n, 1) for n in families], STYLES[style]) for _, _, families, style in MINORITY_GROUPS]
    group_codes = [code for code, _, _, _ in MINORITY_GROUPS]
    education = {False: _education_table(False), True: _education_table(True)}
    work = {False: _work_table(False), True: _work_table(True)}

    households: list[tuple] = []
    members: list[tuple] = []
    last_seq: dict[str, int] = {}
    add_household = households.append
    add_member = members.append
    household_id = first_household_id
    member_id = first_member_id

    def family_name(names: _Names) -> tuple[str, str]:
        return names.family[bisect(names.family_cum, rnd())]

    def person(household, family, sex, age, ethnicity, relation, names, minority, urban):
        """One member tuple; returns its search name."""
        nonlocal member_id
        middles, middle_cum = names.middle[sex]
        middle = middles[bisect(middle_cum, rnd())]
        givens = names.given[sex]
        given = givens[int(rnd() * len(givens))]
        born = from_ordinal(as_of_ordinal - int((age + rnd()) * 365.2425))
        national_id = None
        if age >= 14:
            year = born.year
            digit = (0 if sex == MALE else 1) + (2 if year >= 2000 else 0)
            key = digit * 100 + year % 100
            serial = counters.get(key, 0) + 1
            counters[key] = serial
            national_id = f"{prefix}{key:03d}{serial:06d}"
        disabled = rnd() < 0.03
        allowance = disabled and rnd() < 0.5
        pairs, cum = education[minority][age if age <= MAX_AGE else MAX_AGE]
        schooling, level = pairs[bisect(cum, rnd())]
        if age < 15:
            status, occupation = "", ""
        elif schooling != S_NONE:
            status, occupation = W_OUT, ("Học sinh" if age < 18 else "Sinh viên")
        elif disabled and rnd() < 0.5:
            status, occupation = W_UNABLE, ""
        else:
            jobs, job_cum = work[urban]["adult" if age < 60 else "elderly"]
            status, occupation = jobs[bisect(job_cum, rnd())]
        card, card_until = "", None
        if rnd() < 0.88:
            if age < 6:
                kind = "TE1"
            elif schooling != S_NONE:
                kind = "HS4"
            elif minority:
                kind = "DT2"
            elif status == W_CONTRACT:
                kind = "DN4"
            else:
                kind = "GD4"
            card = f"{kind}{province2}{int(rnd() * 1e10):010d}"
            card_until = valid_until[rnd() < 0.5]
        search_name = f"{family[1]} {middle[1]} {given[1]}"
        add_member(
            (
                member_id,
                household,
                f"{family[0]} {middle[0]} {given[0]}",
                search_name,
                born,
                sex,
                ethnicity,
                relation,
                national_id,
                disabled,
                allowance,
                card,
                card_until,
                schooling,
                level,
                status,
                occupation,
            )
        )
        member_id += 1
        return search_name

    was_enabled = gc.isenabled()
    gc.disable()  # millions of small tuples and no cycles: the collector would only slow this down
    try:
        for commune_plan in plan.communes:
            commune = commune_plan.commune
            urban = commune.area_type == "urban"
            villages = [(village_ids[v.code], f"{v.name}, {commune.name}") for v in commune_plan.villages]
            group_cum = _cumulative(commune_plan.group_weights)
            share = commune_plan.minority_share
            seq = commune.household_seq
            for size in commune_plan.sizes:
                seq += 1
                code = f"{commune.code}-{seq:06d}"
                village_id, address = villages[int(rnd() * len(villages))]
                if urban:
                    address = f"Số {int(rnd() * 200) + 1}, {address}"
                minority = rnd() < share
                if minority:
                    group = bisect(group_cum, rnd())
                    ethnicity, names = group_codes[group], group_names[group]
                else:
                    ethnicity, names = KINH, kinh_names

                # The head: older and more often a woman when living alone.
                if size == 1:
                    head_age = int(rng.triangular(22, 86, 72))
                    head_sex = FEMALE if rnd() < 0.55 else MALE
                else:
                    head_age = int(rng.triangular(22, 86, 42))
                    head_sex = FEMALE if rnd() < 0.15 else MALE
                head_family = family_name(names)
                people = [(head_family, head_sex, head_age, ethnicity, HEAD, names)]
                slots = size - 1
                father_family = head_family
                mother_age = head_age if head_sex == FEMALE else head_age - 3
                if slots and rnd() < (0.9 if head_sex == MALE else 0.45):
                    spouse_sex = FEMALE if head_sex == MALE else MALE
                    gap = int(rnd() * 10) - 2  # husband 2 years younger to 7 years older
                    spouse_age = head_age - gap if head_sex == MALE else head_age + gap
                    spouse_age = min(max(spouse_age, 18), 95)
                    spouse_ethnicity, spouse_names = ethnicity, names
                    if minority and rnd() < 0.08:
                        spouse_ethnicity, spouse_names = KINH, kinh_names
                    spouse_family = family_name(spouse_names)
                    people.append((spouse_family, spouse_sex, spouse_age, spouse_ethnicity, SPOUSE, spouse_names))
                    slots -= 1
                    if spouse_sex == MALE:
                        father_family = spouse_family
                    else:
                        mother_age = spouse_age
                if slots and head_age <= 60 and rnd() < 0.12:
                    parent_age = head_age + 20 + int(rnd() * 15)
                    if parent_age <= 95:
                        parent_sex = FEMALE if rnd() < 0.7 else MALE
                        parent_family = head_family if parent_sex == MALE else family_name(names)
                        people.append((parent_family, parent_sex, parent_age, ethnicity, PARENT, names))
                        slots -= 1
                if slots >= 3 and head_age >= 50 and rnd() < 0.5:
                    # Three generations: a married child, the child's spouse and grandchildren.
                    child_age = max(20, mother_age - 20 - int(rnd() * 10))
                    child_sex = MALE if rnd() < 0.75 else FEMALE
                    people.append((father_family, child_sex, child_age, ethnicity, CHILD, names))
                    in_law_family = family_name(names)
                    in_law_sex = FEMALE if child_sex == MALE else MALE
                    in_law_age = max(18, child_age + int(rnd() * 7) - 3)
                    people.append((in_law_family, in_law_sex, in_law_age, ethnicity, CHILD_IN_LAW, names))
                    slots -= 2
                    grand_family = father_family if child_sex == MALE else in_law_family
                    oldest = max(0, min(child_age, in_law_age) - 18)
                    youngest = max(0, oldest - 22)
                    span = oldest - youngest + 1
                    for age in sorted((youngest + int(rnd() * span) for _ in range(slots)), reverse=True):
                        people.append(
                            (grand_family, MALE if rnd() < 0.51 else FEMALE, age, ethnicity, GRANDCHILD, names)
                        )
                elif slots:
                    # Children born when their mother was 18 to 42.
                    oldest = max(0, mother_age - 18)
                    youngest = max(0, mother_age - 42)
                    span = oldest - youngest + 1
                    for age in sorted((youngest + int(rnd() * span) for _ in range(slots)), reverse=True):
                        people.append((father_family, MALE if rnd() < 0.51 else FEMALE, age, ethnicity, CHILD, names))

                head_id = member_id
                folded = [code.lower()]
                for family, sex, age, member_ethnicity, relation, member_names in people:
                    folded.append(
                        person(
                            household_id, family, sex, age, member_ethnicity, relation, member_names, minority, urban
                        )
                    )
                add_household(
                    (
                        household_id,
                        code,
                        province_id,
                        commune.district_id,
                        commune.id,
                        village_id,
                        address,
                        commune.area_type,
                        head_id,
                        minority,
                        rnd() < 0.03,
                        rnd() < 0.08,
                        rnd() < 0.03,
                        head_sex == FEMALE,
                        NOT_POOR,
                        None,
                        False,
                        None,
                        1,
                        " ".join(folded),
                        now,
                        now,
                    )
                )
                household_id += 1
            last_seq[commune.code] = seq
    finally:
        if was_enabled:
            gc.enable()
    return Generated(households=households, members=members, last_seq=last_seq, national_id_counters=counters)
