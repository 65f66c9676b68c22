"""Personas and shared fixtures.

The official areas are loaded once per test database; each test then works inside its own
transaction. Personas: officer of commune A, officer of commune B, the chair of A, district staff
over A (a legacy district), province staff over A and B, the program admin, and an outsider (a
signed-in account with no role).
"""

import datetime
import functools

import hypothesis
import pytest
import redis
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from rest_framework.test import APIClient

from households import rules, services
from households.models import Area, Ethnicity, Household, User
from tests.commune_rows import legacy_district

# No wall-clock deadline on an example (hypothesis's default is 200 ms): the property tests prove rules, not speed,
# and on a shared machine (two workers, other jobs) a pause of the process fails an example that is right. The
# number of examples stays each test's own.
hypothesis.settings.register_profile("giamngheo", deadline=None)
hypothesis.settings.load_profile("giamngheo")

PROVINCE_CODE = "15"  # Lào Cai
OTHER_PROVINCE_CODE = "01"  # Hà Nội
AREAS_AS_LOADED = "tests_areas_as_loaded"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        if connection.vendor != "postgresql":
            pytest.exit("The test suite runs on PostgreSQL: set DATABASE_URL (make test does).", returncode=2)
        if not Area.objects.exists():
            call_command("load_areas", stdout=open("/dev/null", "w"))  # noqa: SIM115
        # A copy of the areas as loaded, for `committed_areas` to put back after a transactional test's flush. Not a
        # model's table, so Django's flush (TRUNCATE of the models' tables) leaves it.
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {AREAS_AS_LOADED}")
            cursor.execute(f"CREATE TABLE {AREAS_AS_LOADED} AS TABLE {Area._meta.db_table}")
        # pytest-django's transactional tests empty every table with TRUNCATE (Django's flush), which the access
        # log's trigger refuses unless the session says so (migration 0008): the test database says so for every
        # session, this one included; the application's database never does.
        with connection.cursor() as cursor:
            name = connection.ops.quote_name(connection.settings_dict["NAME"])
            cursor.execute(f"ALTER DATABASE {name} SET giamngheo.access_log_truncate = 'on'")
            cursor.execute("SET giamngheo.access_log_truncate = 'on'")


@pytest.fixture
def committed_areas(transactional_db):
    """For transactional tests (threads, a real worker): the areas, put back if an earlier one flushed them: the rows
    `load_areas` wrote when the test database was made, copied in one statement (load_areas takes seconds)."""
    if not Area.objects.exists():
        table = Area._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {table} SELECT * FROM {AREAS_AS_LOADED}")
            # the flush keeps the id sequence where it was (no RESTART IDENTITY); this holds whatever it did
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")


@pytest.fixture
def province(db) -> Area:
    return Area.objects.get(code=PROVINCE_CODE)


@pytest.fixture
def communes(province) -> tuple[Area, Area]:
    first, second = Area.objects.filter(parent=province, level=rules.Level.COMMUNE).order_by("code")[:2]
    return first, second


@pytest.fixture
def commune_a(communes, district) -> Area:
    """Commune A lies in the legacy district; B lies directly under the province."""
    return Area.objects.get(pk=communes[0].pk)


@pytest.fixture
def commune_b(communes) -> Area:
    return communes[1]


@pytest.fixture
def district(province, communes) -> Area:
    """A legacy district over commune A only (the district level is optional, domain A7)."""
    return legacy_district(province, communes[0])


@pytest.fixture
def other_commune(db) -> Area:
    return Area.objects.filter(parent__code=OTHER_PROVINCE_CODE, level=rules.Level.COMMUNE).order_by("code").first()


@pytest.fixture
def village_a(commune_a, admin_user) -> Area:
    return services.create_village(actor=admin_user, commune=commune_a, name="Thôn Nà Phát")


@pytest.fixture
def village_b(commune_b, admin_user) -> Area:
    return services.create_village(actor=admin_user, commune=commune_b, name="Thôn Khe Lếch")


def _user(username: str, role: str, area: Area | None) -> User:
    return services.create_officer(actor=None, username=username, role=role, area=area, password="pw-" + username)


@pytest.fixture
def admin_user(db) -> User:
    return _user("quantri", rules.Role.PROGRAM_ADMIN, None)


@pytest.fixture
def officer_a(commune_a) -> User:
    return _user("canbo_a", rules.Role.COMMUNE_OFFICER, commune_a)


@pytest.fixture
def officer_b(commune_b) -> User:
    return _user("canbo_b", rules.Role.COMMUNE_OFFICER, commune_b)


@pytest.fixture
def chair_a(commune_a) -> User:
    return _user("chutich_a", rules.Role.COMMUNE_CHAIR, commune_a)


@pytest.fixture
def district_staff(district) -> User:
    return _user("canbo_huyen", rules.Role.DISTRICT_STAFF, district)


@pytest.fixture
def province_staff(province) -> User:
    return _user("canbo_tinh", rules.Role.PROVINCE_STAFF, province)


@pytest.fixture
def outsider(db) -> User:
    return User.objects.create_user(username="nguoingoai", password="pw-nguoingoai")


@pytest.fixture
def kinh(db) -> Ethnicity:
    return Ethnicity.objects.get(code="01")


@pytest.fixture
def hmong(db) -> Ethnicity:
    return Ethnicity.objects.get(code="08")


def member_data(name: str, ethnicity: Ethnicity, relation: str = "head", **extra) -> dict:
    data = {
        "full_name": name,
        "date_of_birth": datetime.date(1980, 5, 17),
        "sex": "male",
        "ethnicity": ethnicity,
        "relation": relation,
    }
    data.update(extra)
    return data


@pytest.fixture
def make_household(admin_user, kinh):
    def make(commune: Area, head: str = "Nguyễn Văn Đức", others: tuple[str, ...] = (), **fields) -> Household:
        members = [member_data(head, kinh)]
        members += [member_data(name, kinh, "child", date_of_birth=datetime.date(2010, 1, 1)) for name in others]
        return services.create_household(actor=admin_user, data={"commune": commune, **fields}, members=members)

    return make


@pytest.fixture
def household_a(make_household, commune_a, village_a) -> Household:
    return make_household(commune_a, "Nguyễn Văn Đức", ("Nguyễn Thị Hoa",), village=village_a)


@pytest.fixture
def household_b(make_household, commune_b, village_b) -> Household:
    return make_household(commune_b, "Trần Văn Bình", ("Trần Thị Lan",), village=village_b)


@pytest.fixture
def api():
    def client_for(user: User | None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return client_for


PERSONAS = ["officer_a", "officer_b", "chair_a", "district_staff", "province_staff", "admin_user", "outsider"]


@pytest.fixture
def persona(request):
    """Resolve a persona fixture by name: `persona("officer_a")`."""
    return lambda name: request.getfixturevalue(name)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@functools.cache
def _cache_redis() -> redis.Redis | None:
    return redis.Redis.from_url(django_settings.CACHE_URL) if django_settings.CACHE_URL else None


def forget_cache() -> None:
    """Empty the cache (the API's throttle counts). Only this project's keys go: the same Redis database may hold a
    broker's queues (REDIS_URL, CELERY_BROKER_URL), which Django's `cache.clear()` would flush with them."""
    client = _cache_redis()
    if client is None:
        cache.clear()
        return
    keys = list(client.scan_iter(cache.make_key("*")))
    if keys:
        client.delete(*keys)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with no request counted by the API's throttles."""
    forget_cache()
