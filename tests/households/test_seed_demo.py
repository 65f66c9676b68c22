import datetime
import re
import statistics
from collections import Counter
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import RequestFactory

from households import demo, rules
from households.management.commands import seed_demo
from households.models import Area, AuditEntry, Household, Member, User
from households.rules import Level, fold_text

AS_OF = datetime.date(2026, 3, 1)
NOW = datetime.datetime(2026, 3, 1, 8, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def areas(db):
    call_command("load_areas", stdout=StringIO())


@pytest.fixture
def seeded(areas):
    out = StringIO()
    call_command("seed_demo", households=300, stdout=out)
    return out.getvalue()


def _generate(seed: int, households: int = 300) -> demo.Generated:
    communes = [
        demo.Commune(id=10 + i, code=f"{2647 + i:05d}", name=f"Xã {i}", area_type="urban" if i == 0 else "rural")
        for i in range(demo.commune_count(households, 99))
    ]
    plan = demo.plan(communes=communes, households=households, seed=seed)
    village_ids = {v.code: n for n, v in enumerate((v for c in plan.communes for v in c.villages), start=1000)}
    return demo.generate(
        plan,
        province_id=1,
        province_code="15",
        village_ids=village_ids,
        first_household_id=1,
        first_member_id=1,
        national_id_counters={},
        as_of=AS_OF,
        now=NOW,
    )


def _codes_and_names(generated: demo.Generated) -> tuple[list[str], list[str]]:
    return [h[1] for h in generated.households], [m[2] for m in generated.members]


# --- the generator, without a database -------------------------------------------------------------


def test_the_same_seed_gives_the_same_codes_and_names():
    first, second = _generate(7), _generate(7)

    assert _codes_and_names(first) == _codes_and_names(second)
    assert first.members == second.members
    assert _codes_and_names(_generate(8))[1] != _codes_and_names(first)[1]


def test_columns_match_the_models():
    assert set(demo.HOUSEHOLD_COLUMNS) == {f.column for f in Household._meta.concrete_fields}
    assert set(demo.MEMBER_COLUMNS) == {f.column for f in Member._meta.concrete_fields}


def test_generated_values_fit_the_fields_and_choices():
    generated = _generate(2026, households=400)
    member = dict(zip(demo.MEMBER_COLUMNS, zip(*generated.members, strict=True), strict=True))
    fields = {f.column: f for f in Member._meta.concrete_fields}
    for column in ("sex", "relation", "schooling", "education_level", "work_status"):
        allowed = {value for value, _ in fields[column].choices} | {""}
        assert set(member[column]) <= allowed, column
    for column in ("full_name", "occupation", "health_insurance_number"):
        assert max(len(v) for v in member[column]) <= fields[column].max_length, column
    assert all(name == fold_text(full) for name, full in zip(member["search_name"], member["full_name"], strict=True))
    assert all(re.fullmatch(r"[A-Z]{2}[0-9]15[0-9]{10}", card) for card in member["health_insurance_number"] if card)
    assert all(
        (card == "") == (until is None)
        for card, until in zip(member["health_insurance_number"], member["health_insurance_valid_until"], strict=True)
    )
    flags = zip(member["has_disability"], member["receives_disability_allowance"], strict=True)
    assert not any(allowance and not disabled for disabled, allowance in flags)


def test_national_id_serials_continue_after_the_ones_in_use():
    commune = demo.Commune(id=1, code="02647", name="Phường Lào Cai", area_type="urban")
    plan = demo.plan(communes=[commune], households=50, seed=1)
    village_ids = {v.code: 1 for v in plan.communes[0].villages}
    generated = demo.generate(
        plan,
        province_id=1,
        province_code="15",
        village_ids=village_ids,
        first_household_id=1,
        first_member_id=1,
        national_id_counters={key: 500 for key in range(400)},
        as_of=AS_OF,
        now=NOW,
    )
    serials = [int(m[8][6:]) for m in generated.members if m[8]]

    assert serials and min(serials) == 501


# --- the command -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_asks_for_the_areas_first():
    with connection.cursor() as cursor:  # the session may have loaded them; undone with the test's transaction
        cursor.execute(f"DELETE FROM {Area._meta.db_table}")

    with pytest.raises(CommandError, match="load_areas"):
        call_command("seed_demo", households=10, stdout=StringIO())


def test_it_refuses_an_unknown_province_in_vietnamese(areas):
    with pytest.raises(CommandError, match="Không có tỉnh/thành phố mã “99”"):
        call_command("seed_demo", province="99", households=10, stdout=StringIO())


def test_it_writes_what_the_generator_draws_for_the_seed(seeded):
    households = list(Household.objects.order_by("id").values_list("code", flat=True))
    names = list(Member.objects.order_by("id").values_list("full_name", flat=True))
    province = Area.objects.get(code="15")
    communes = list(Area.objects.filter(level=Level.COMMUNE, province=province).order_by("code")[:3])
    inputs = [demo.Commune(id=c.pk, code=c.code, name=c.name, area_type=c.area_type) for c in communes]
    expected = _codes_and_names(_generate_for(inputs, seed=2026))

    assert (households, names) == expected
    assert len(households) == 300
    assert households[0] == f"{communes[0].code}-000001"


def _generate_for(communes: list[demo.Commune], *, seed: int) -> demo.Generated:
    plan = demo.plan(communes=communes, households=300, seed=seed)
    return demo.generate(
        plan,
        province_id=1,
        province_code="15",
        village_ids={v.code: 1 for c in plan.communes for v in c.villages},
        first_household_id=1,
        first_member_id=1,
        national_id_counters={},
        as_of=AS_OF,
        now=NOW,
    )


def test_every_household_has_exactly_one_head_and_points_to_it(seeded):
    with connection.cursor() as cursor:  # check the deferred foreign keys now rather than at a commit
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    heads = dict(Member.objects.filter(relation="head").values_list("household_id", "id"))
    per_household = Counter(Member.objects.filter(relation="head").values_list("household_id", flat=True))

    assert Household.objects.count() == 300
    assert set(per_household.values()) == {1}
    for household_id, head_id in Household.objects.values_list("id", "head_id"):
        assert heads[household_id] == head_id


def test_national_ids_are_twelve_digits_unique_and_carry_the_province(seeded):
    rows = list(Member.objects.values_list("national_id", "date_of_birth", "sex"))
    ids = [national_id for national_id, _, _ in rows if national_id]

    assert ids
    assert len(ids) == len(set(ids))
    for national_id, born, sex in rows:
        if national_id is None:
            continue
        assert re.fullmatch(r"015[0-3][0-9]{8}", national_id)
        digit = (0 if sex == "male" else 1) + (2 if born.year >= 2000 else 0)
        assert national_id[3:6] == f"{digit}{born.year % 100:02d}"


def test_mean_household_size_is_about_four(seeded):
    sizes = Counter(Member.objects.values_list("household_id", flat=True))

    assert 3.5 <= statistics.mean(sizes.values()) <= 4.5
    assert max(sizes.values()) <= 8


def test_demo_logins_have_their_role_and_area_and_the_demo_password(seeded):
    district = Area.objects.get(code="15-H01")
    commune_a, commune_b = Area.objects.filter(level=Level.COMMUNE, province__code="15").order_by("code")[:2]
    expected = {
        "canbo_xa_a": ("commune_officer", commune_a),
        "canbo_xa_b": ("commune_officer", commune_b),
        "chutich_xa_a": ("commune_chair", commune_a),
        "canbo_huyen": ("district_staff", district),
        "canbo_tinh": ("province_staff", Area.objects.get(code="15")),
        "quantri": ("program_admin", None),
    }
    for username, (role, area) in expected.items():
        user = User.objects.get(username=username)
        assert (user.role, user.area) == (role, area), username
        assert (
            authenticate(RequestFactory().post("/admin/login/"), username=username, password="giamngheo-demo") == user
        )
    # The demo's program administrator manages users through her role, and is no superuser: none may decide a
    # household's status (domain A6).
    admin = User.objects.get(username="quantri")
    assert not admin.is_superuser and admin.has_right(rules.USER_MANAGE)
    assert "giamngheo-demo" in seeded


def test_a_second_run_creates_no_households(seeded):
    counts = (Household.objects.count(), Member.objects.count(), User.objects.count(), Area.objects.count())
    out = StringIO()

    call_command("seed_demo", households=300, stdout=out)

    assert (Household.objects.count(), Member.objects.count(), User.objects.count(), Area.objects.count()) == counts
    assert "bỏ qua" in out.getvalue()
    assert AuditEntry.objects.filter(action="households.demo.seeded").count() == 1


def test_households_of_communes_a_and_b_belong_to_the_demo_district(seeded):
    district = Area.objects.get(code="15-H01")
    commune_a, commune_b, commune_c = (
        Area.objects.filter(level=Level.COMMUNE, province__code="15").order_by("code").select_related("parent")[:3]
    )

    assert (district.level, district.parent.code, district.path) == ("district", "15", "/15/15-H01/")
    assert commune_a.parent == commune_b.parent == district
    assert commune_a.path == f"/15/15-H01/{commune_a.code}/"
    assert Household.objects.filter(commune__in=[commune_a, commune_b]).exclude(district=district).count() == 0
    assert Household.objects.filter(commune__in=[commune_a, commune_b]).count() == 200
    assert Household.objects.filter(commune=commune_c, district__isnull=True).count() == 100
    for village in Area.objects.filter(parent__in=[commune_a, commune_b]):
        assert village.path.startswith(f"/15/15-H01/{village.parent.code}/")


def test_search_text_holds_the_folded_names_of_the_members(seeded):
    household = Household.objects.filter(search_text__contains="nguyen").first()

    assert household is not None
    for household in Household.objects.prefetch_related("members")[:50]:
        assert "đ" not in household.search_text
        assert household.search_text.startswith(household.code)
        for member in household.members.all():
            assert fold_text(member.full_name) in household.search_text
            assert member.search_name == fold_text(member.full_name)


def test_villages_and_codes_advance_the_commune_counters(seeded):
    commune = Area.objects.filter(level=Level.COMMUNE, province__code="15").order_by("code").first()
    villages = Area.objects.filter(parent=commune, level=Level.VILLAGE)

    assert commune.household_seq == 100
    assert 4 <= villages.count() <= 10
    assert set(villages.values_list("division_type", flat=True)) == {"tổ dân phố"}  # the first commune is a ward
    assert not Household.objects.filter(commune=commune).exclude(village__in=villages).exists()


def test_large_loads_rebuild_the_indexes_as_they_were(areas, monkeypatch):
    monkeypatch.setattr(seed_demo, "REBUILD_INDEXES_FROM", 100)
    query = (
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('households_household', 'households_member') "
        "OR indexdef LIKE '% USING gin %' ORDER BY 1"
    )
    with connection.cursor() as cursor:
        cursor.execute(query)
        before = cursor.fetchall()

        call_command("seed_demo", households=200, stdout=StringIO())

        cursor.execute(query)
        assert cursor.fetchall() == before
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    assert {name for name, _ in before} >= {
        "households_hh_search_trgm",
        "households_member_search_trgm",
        "households_hh_commune_status",
        "households_member_national_id_unique",
    }
    assert Household.objects.filter(search_text__contains="nguyen").exists()
