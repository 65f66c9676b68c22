"""The world of the security probe (bench/security_probe.py): three communes, the people who work them, and
personal data marked so that a leak is found exactly.

Commune A (with a legacy district over it) and commune B lie in one province (Lào Cai, 15), commune X in another
(Hà Nội, 01). Each holds two households (one poor, in the periodic review of 2026 with its survey, meeting,
posting and complaint; one not poor), a village, a support delivered with its follow-ups, a loan repaid in part,
a budget, a target, a report job and an Excel upload, all written by the services as the officers would.

Every identifying value of an area carries its marker: member names, addresses, villages, complaints, loan
purposes, decision numbers and file names contain `PRBX-<area>-…`; national IDs (`09<area digit>…`) and household
codes (issued by the registry) are listed per area. A response that shows a value of an area outside the caller's
charge is a leak, whatever the page. `World.load()` reads the world back from the database, so a probe can run
against a server seeded earlier (`security_probe.py --seed-only`).
"""

import datetime
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.apps import apps
from django.db.models import Model, Q
from knox.models import AuthToken

from households import rules, services
from households.models import Area, Ethnicity, Household, Member, User
from programs.reporting import services as reporting
from programs.standards import services as standards
from tests.commune_rows import area_lookups, fill_commune, legacy_district
from tests.programs.review_helpers import TODAY

PROVINCE, OTHER_PROVINCE = "15", "01"
AREAS = ("A", "B", "X")
MARK = "PRBX"
MARKER = re.compile(rf"{MARK.lower()}-([{''.join(AREAS).lower()}])-[a-z0-9]+")  # searched in lower-cased text
D = datetime.date


@dataclass(frozen=True)
class Persona:
    """Who sends a request: `scope` is the set of areas whose data she may see ("" for anonymous: no account)."""

    name: str
    username: str = ""
    password: str = ""
    scope: frozenset[str] = frozenset()
    user_id: int | None = None

    @property
    def anonymous(self) -> bool:
        return not self.username

    @property
    def user(self) -> User | None:
        return None if self.user_id is None else User.objects.get(pk=self.user_id)


# name: (username, role, area key or None, scope). The matrix runs as each of these; the others work the seed.
PEOPLE = {
    "officer_a": ("probe_canbo_a", rules.Role.COMMUNE_OFFICER, "A", "A"),
    "officer_b": ("probe_canbo_b", rules.Role.COMMUNE_OFFICER, "B", "B"),
    "officer_x": ("probe_canbo_x", rules.Role.COMMUNE_OFFICER, "X", "X"),
    "chair_a": ("probe_chutich_a", rules.Role.COMMUNE_CHAIR, "A", "A"),
    "district_a": ("probe_huyen", rules.Role.DISTRICT_STAFF, "district", "A"),
    "province": ("probe_tinh", rules.Role.PROVINCE_STAFF, "province", "AB"),
    "admin": ("probe_quantri", rules.Role.PROGRAM_ADMIN, None, "ABX"),
    "superuser": ("probe_sieuquantri", "", None, "ABX"),
    "outsider": ("probe_nguoingoai", "", None, ""),
    "chair_b": ("probe_chutich_b", rules.Role.COMMUNE_CHAIR, "B", "B"),
    "chair_x": ("probe_chutich_x", rules.Role.COMMUNE_CHAIR, "X", "X"),
    "victim": ("probe_nan_nhan", rules.Role.COMMUNE_OFFICER, "A", "A"),  # the brute force's target
}
MATRIX = ("officer_a", "officer_b", "officer_x", "chair_a", "district_a", "province", "admin", "superuser", "outsider")


def password_of(username: str) -> str:
    return f"Probe-{username}-mat-khau-2026"


@dataclass
class World:
    """What the probe knows: the personas, the areas, the identifying values of each area, and which rows of each
    model belong to which area (`rows[model label][area]`: ids; rows every signed-in account may see left out)."""

    personas: dict[str, Persona]
    areas: dict[str, Area]
    identifying: dict[str, set[str]]
    rows: dict[str, dict[str, list[int]]] = field(default_factory=dict)
    # --- leaks ---

    def marked(self, text: str) -> Iterator[tuple[str, str]]:
        """(area, value) of every identifying value in `text`, the value in lower case (pages may show names in
        capitals). A substring search, not one large regular expression: answers and bodies are long."""
        lowered = text.lower()
        for match in MARKER.finditer(lowered):
            yield match.group(1).upper(), match.group(0)
        for area, values in self.identifying.items():
            for value in values:
                value = value.lower()
                at = lowered.find(value)
                while at != -1:
                    end = at + len(value)  # a national ID inside a longer number is not that ID
                    if not (lowered[at - 1 : at].isdigit() or lowered[end : end + 1].isdigit()):
                        yield area, value
                    at = lowered.find(value, end)

    def foreign_values(self, text: str, scope: Iterable[str], sent: Iterable[str] = ()) -> set[str]:
        """The identifying values in `text` of areas outside `scope`, less those the requests carried (`sent`)."""
        scope, sent = set(scope), {value.lower() for value in sent}
        return {value for area, value in self.marked(text) if area not in scope and value not in sent}

    # --- ids ---

    def ids(self, model: type[Model] | str, area: str) -> list[int]:
        label = model if isinstance(model, str) else model._meta.label
        return self.rows.get(label, {}).get(area, [])

    def owner(self, model: type[Model] | str, pk: object) -> str | None:
        label = model if isinstance(model, str) else model._meta.label
        for area, ids in self.rows.get(label, {}).items():
            if pk in ids:
                return area
        return None

    @classmethod
    def load(cls) -> "World":
        """The world as the database holds it (after `seed()`)."""
        province = Area.objects.get(code=PROVINCE)
        first, second = Area.objects.filter(province=province, level=rules.Level.COMMUNE).order_by("code")[:2]
        other = Area.objects.filter(province__code=OTHER_PROVINCE, level=rules.Level.COMMUNE).order_by("code")[0]
        areas = {"A": first, "B": second, "X": other}
        personas = {"anonymous": Persona("anonymous")}
        for name, (username, *_, scope) in PEOPLE.items():
            user_id = User.objects.filter(username=username).values_list("pk", flat=True).first()
            personas[name] = Persona(name, username, password_of(username), frozenset(scope), user_id)
        identifying: dict[str, set[str]] = {}
        for key, commune in areas.items():
            households = Household.objects.filter(commune=commune)
            members = Member.objects.filter(household__commune=commune)
            identifying[key] = {
                *households.values_list("code", flat=True),
                *members.exclude(national_id=None).values_list("national_id", flat=True),
                *AuthToken.objects.filter(user__area=commune).values_list("digest", flat=True),  # a token's hash
            }
        world = cls(personas, areas, identifying)
        world.rows = rows_by_area(areas, personas["outsider"].user)
        return world


# --- who owns a row ----------------------------------------------------------------------------------------------


def rows_by_area(areas: dict[str, Area], everyone: User | None) -> dict[str, dict[str, list[int]]]:
    """For every model, the ids of its rows linked to each area (within it), less the rows every signed-in account
    sees (official communes, national reference data) and rows linked to two of the areas."""
    found: dict[str, dict[str, list[int]]] = {}
    for model in apps.get_models():
        lookups = list(area_lookups(model))
        if not lookups:
            continue
        manager = model._default_manager
        public = getattr(manager, "visible_to", None)
        by_area = {}
        for key, commune in areas.items():
            within = Area.objects.filter(path__startswith=commune.path).values("pk")
            linked = Q(pk__in=[])
            for lookup in lookups:
                linked |= Q(**{f"{lookup}__in" if lookup else "pk__in": within})
            rows = manager.filter(linked)
            if public is not None and everyone is not None:
                rows = rows.exclude(pk__in=manager.visible_to(everyone).values("pk"))
            by_area[key] = set(rows.values_list("pk", flat=True)[:200])
        shared = set().union(*(a & b for a in by_area.values() for b in by_area.values() if a is not b))
        kept = {key: sorted(ids - shared) for key, ids in by_area.items() if ids - shared}
        if kept:
            found[model._meta.label] = kept
    return found


# --- the seed ----------------------------------------------------------------------------------------------------


def _communes() -> tuple[Area, Area, Area, Area]:
    province = Area.objects.get(code=PROVINCE)
    first, second = Area.objects.filter(province=province, level=rules.Level.COMMUNE).order_by("code")[:2]
    other = Area.objects.filter(province__code=OTHER_PROVINCE, level=rules.Level.COMMUNE).order_by("code")[0]
    return province, first, second, other


def _member(name: str, national_id: str, relation: str, born: D, ethnicity: Ethnicity) -> dict:
    return {
        "full_name": name,
        "date_of_birth": born,
        "sex": "male" if relation == "head" else "female",
        "ethnicity": ethnicity,
        "relation": relation,
        "national_id": national_id,
    }


def seed() -> World:
    """Write the world through the services (the areas must be loaded: `manage.py load_areas`)."""
    province, commune_a, commune_b, commune_x = _communes()
    district = legacy_district(province, commune_a)
    places = {"A": commune_a, "B": commune_b, "X": commune_x, "district": district, "province": province}
    users = {}
    for name, (username, role, area, _scope) in PEOPLE.items():
        if name == "superuser":
            users[name] = User.objects.create_superuser(username=username, password=password_of(username))
        elif name == "outsider":
            users[name] = User.objects.create_user(username=username, password=password_of(username))
        else:
            where = places[area] if area else None
            users[name] = services.create_officer(
                actor=None, username=username, role=role, area=where, password=password_of(username)
            )
    admin = users["admin"]
    kinh = Ethnicity.objects.get(code="01")
    for digit, key in enumerate(AREAS, start=1):
        commune = places[key]
        officer, chair = users[f"officer_{key.lower()}"], users.get(f"chair_{key.lower()}")
        village = services.create_village(actor=admin, commune=commune, name=f"Thôn {MARK}-{key}-VILLAGE")
        households = []
        for number in (1, 2):
            members = [
                _member(f"Lò Văn {MARK}-{key}-HEAD{number}", f"09{digit}{number:07d}01", "head", D(1980, 5, 17), kinh),
                _member(f"Lò Thị {MARK}-{key}-CHILD{number}", f"09{digit}{number:07d}02", "child", D(2010, 1, 1), kinh),
            ]
            data = {"commune": commune, "village": village, "address": f"Số {number}, {MARK}-{key}-ADDR{number}"}
            households.append(services.create_household(actor=officer, data=data, members=members))
        poor = households[0]
        standards.record_status_change(
            actor=chair,
            household_id=poor.pk,
            to_status="poor",
            effective_date=D(2025, 12, 20),
            decision_number=f"12/QĐ-{MARK}-{key}-DECISION",
        )
        poor.refresh_from_db()
        fill_commune(poor, officer=officer, chair=chair, manager=admin, mark=f"{MARK}-{key}")
    reporting.refresh_figures(years=[2025, 2026], communes=[commune_a.pk, commune_b.pk, commune_x.pk], today=TODAY)
    return World.load()
