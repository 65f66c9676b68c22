"""The access log of personal data: who read, searched or exported which households, when, from which IP, through
which door; append-only in PostgreSQL, pruned past its retention, read by program admins (all) and province staff
(their province), filtered by reader, household, door and days."""

import datetime
import io

import pytest
from django.core.checks import run_checks
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from households import services
from households.access import client_ip
from households.admin.changes import describe_entries
from households.models import AccessRecord, Area, AuditEntry, Household
from tests.programs.review_helpers import make_poor
from tests.test_config_security import production_env, run

pytestmark = pytest.mark.django_db
HOUSEHOLDS = "/api/v1/households/"
ACCESS_LOG = "/api/v1/access-log/"
ADMIN_LOG = "/admin/households/accessrecord/"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def latest() -> AccessRecord:
    return AccessRecord.objects.order_by("-id").first()


def read(actor, households=(), *, door="api", action="view", area=None) -> AccessRecord:
    return services.record_access(
        actor=actor,
        door=door,
        action=action,
        resource="hộ gia đình",
        path=HOUSEHOLDS,
        ip="10.0.0.7",
        household_ids=[h.pk for h in households],
        area=area,
    )


def read_long_ago(actor, household, at) -> AccessRecord:
    """A record written as it was then (an INSERT: no row is ever updated)."""
    return AccessRecord.objects.create(
        actor=actor,
        at=at,
        door="api",
        action="view",
        resource="hộ gia đình",
        path=HOUSEHOLDS,
        household_ids=[household.pk],
        commune_ids=[household.commune_id],
    )


# --- what the doors record -------------------------------------------------------------------------------------


def test_an_api_list_records_the_households_of_the_page_its_filter_and_count(api, make_household, commune_a, officer_a):
    households = [make_household(commune_a, f"Lò Văn {name}") for name in ("An", "Bình", "Chiến")]
    response = api(officer_a).get(HOUSEHOLDS, {"status": "not_poor", "page_size": 2, "ordering": "id"})
    assert response.status_code == 200 and response.json()["count"] == 3
    record = AccessRecord.objects.get()
    assert (record.actor, record.door, record.action, record.ip) == (officer_a, "api", "list", "127.0.0.1")
    assert record.household_ids == [households[0].pk, households[1].pk]  # the page, not the 3 that matched
    assert record.result_count == 3 and record.resource == "hộ gia đình"
    assert "status=not_poor" in record.query and record.path == HOUSEHOLDS
    assert record.actor_area == commune_a and record.commune_ids == [commune_a.pk]


def test_an_api_search_records_the_term_and_its_count(api, household_a, household_b, province_staff):
    response = api(province_staff).get(HOUSEHOLDS, {"q": "nguyen van duc"})
    assert response.status_code == 200
    record = latest()
    assert (record.action, record.search, record.result_count) == ("search", "nguyen van duc", 1)
    assert record.household_ids == [household_a.pk]


def test_a_search_that_finds_nobody_is_recorded_too(api, household_a, officer_a):
    assert api(officer_a).get(HOUSEHOLDS, {"q": "không ai tên này"}).json()["count"] == 0
    record = latest()
    assert (record.action, record.search, record.result_count, record.household_ids) == (
        "search",
        "không ai tên này",
        0,
        [],
    )


def test_a_household_read_through_the_api_leaves_one_record_with_its_members_shown(api, household_a, officer_a):
    assert api(officer_a).get(f"{HOUSEHOLDS}{household_a.pk}/").status_code == 200
    assert api(officer_a).get(f"{HOUSEHOLDS}{household_a.pk}/members/").status_code == 200
    records = list(AccessRecord.objects.order_by("id"))
    assert [(r.action, r.household_ids, r.result_count) for r in records] == [("view", [household_a.pk], 1)] * 2


def test_a_refused_read_or_a_write_records_nothing(api, household_a, officer_b, officer_a):
    assert api(officer_b).get(f"{HOUSEHOLDS}{household_a.pk}/").status_code == 404
    response = api(officer_a).patch(
        f"{HOUSEHOLDS}{household_a.pk}/", {"address": "Số 5", "version": household_a.version}, format="json"
    )
    assert response.status_code == 200  # a change is the change audit's (AuditEntry), not a read
    assert not AccessRecord.objects.exists()


def test_the_admin_list_records_the_page_and_the_search(make_household, commune_a, officer_a):
    first = make_household(commune_a, "Nguyễn Văn Đức")
    make_household(commune_a, "Trần Thị Hoa")
    client = signed_in(officer_a)
    assert client.get("/admin/households/household/").status_code == 200
    listed = latest()
    assert (listed.door, listed.action, listed.result_count) == ("admin", "list", 2)
    assert sorted(listed.household_ids) == sorted(Household.objects.values_list("pk", flat=True))
    response = client.get("/admin/households/household/", {"q": "nguyen van"})
    assert response.status_code == 200 and "Nguyễn Văn Đức" in response.text
    searched = latest()
    assert (searched.action, searched.search, searched.result_count) == ("search", "nguyen van", 1)
    assert searched.household_ids == [first.pk] and searched.resource == "hộ gia đình"
    assert client.get(f"/admin/households/household/{first.pk}/change/").status_code == 200
    assert (latest().action, latest().household_ids) == ("view", [first.pk])


def test_the_ip_is_the_proxys_view_behind_a_tls_proxy_and_none_when_it_is_no_address(rf, settings):
    request = rf.get("/", REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.4")
    assert client_ip(request) == "10.1.1.1"
    settings.TRUSTED_PROXY_COUNT = 1  # the default behind the TLS proxy (BEHIND_TLS_PROXY=1)
    assert client_ip(request) == "198.51.100.4"  # the address the proxy saw and appended
    assert client_ip(rf.get("/", REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR="<script>")) == "10.1.1.1"
    assert client_ip(rf.get("/", REMOTE_ADDR="")) is None


def test_a_posting_list_and_a_targeting_export_record_their_households(api, household_a, officer_a, commune_a):
    response = api(officer_a).get(
        "/api/v1/support-targeting/", {"area": commune_a.pk, "status": "not_poor", "format": "xlsx"}
    )
    assert response.status_code == 200
    export = latest()
    assert (export.door, export.action, export.household_ids) == ("export", "export", [household_a.pk])
    assert export.result_count == 1 and "Excel" in export.resource


def test_the_import_template_of_a_commune_records_the_whole_commune(household_a, officer_a, commune_a):
    response = signed_in(officer_a).get("/admin/programs/importbatch/template/", {"commune": commune_a.pk})
    assert response.status_code == 200
    record = latest()
    assert (record.door, record.area, record.household_ids, record.commune_ids) == (
        "export",
        commune_a,
        [],
        [commune_a.pk],
    )


def test_nothing_is_recorded_while_the_log_is_off_and_the_deploy_check_says_so(api, household_a, officer_a, settings):
    settings.ACCESS_LOG_ENABLED = False
    assert api(officer_a).get(HOUSEHOLDS).status_code == 200
    assert not AccessRecord.objects.exists()
    settings.DEBUG = False
    assert "households.W002" in [m.id for m in run_checks(include_deployment_checks=True)]
    settings.ACCESS_LOG_ENABLED = True
    assert "households.W002" not in [m.id for m in run_checks(include_deployment_checks=True)]


# --- append-only, retention ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        lambda rows: rows.update(search="đã sửa"),
        lambda rows: rows.delete(),
        lambda rows: connection.cursor().execute("DELETE FROM households_accessrecord"),
    ],
    ids=["update", "delete", "raw delete"],
)
def test_the_database_refuses_to_change_or_delete_a_record(change, household_a, officer_a):
    read(officer_a, [household_a])
    with pytest.raises(IntegrityError, match="households_accessrecord_append_only"), transaction.atomic():
        change(AccessRecord.objects.all())
    assert AccessRecord.objects.get().search == ""


def test_the_flag_of_the_prune_does_not_let_a_session_delete_a_record_of_the_last_year(household_a, officer_a):
    recent = read(officer_a, [household_a])
    year_old = read_long_ago(officer_a, household_a, timezone.now() - datetime.timedelta(days=364))
    for row in (recent, year_old):
        with pytest.raises(IntegrityError, match="households_accessrecord_floor"), transaction.atomic():
            connection.cursor().execute("SET LOCAL giamngheo.access_log_prune = 'on'")
            AccessRecord.objects.filter(pk=row.pk).delete()
    assert AccessRecord.objects.count() == 2


def test_the_database_refuses_to_truncate_the_log(household_a, officer_a):
    read(officer_a, [household_a])
    with pytest.raises(IntegrityError, match="households_accessrecord_no_truncate"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL giamngheo.access_log_truncate = 'off'")  # the test database's own setting
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the record's foreign keys checked before the TRUNCATE
            cursor.execute("TRUNCATE households_accessrecord")
    assert AccessRecord.objects.count() == 1


def test_a_retention_under_a_year_stops_the_process():
    result = run(["-c", "from config import settings"], production_env(ACCESS_LOG_RETENTION_DAYS="364"))
    assert result.returncode != 0 and "ACCESS_LOG_RETENTION_DAYS must be at least 365" in result.stderr


def test_the_prune_deletes_only_the_records_past_the_retention(household_a, officer_a, settings):
    settings.ACCESS_LOG_RETENTION_DAYS = 400
    now = timezone.now()
    old = read_long_ago(officer_a, household_a, now - datetime.timedelta(days=401))
    kept = read_long_ago(officer_a, household_a, now - datetime.timedelta(days=399))
    pruned = services.prune_access_log(now=now, dry_run=True)
    assert pruned.deleted == 1 and AccessRecord.objects.filter(pk=old.pk).exists()
    pruned = services.prune_access_log(now=now)
    assert pruned.deleted == 1 and pruned.oldest == old.at
    entry = AuditEntry.objects.get(action="households.access_log.pruned")
    assert (entry.actor, entry.object_id) == (None, str(old.pk))
    lines = [str(line) for line in describe_entries([entry])[entry.pk].lines]
    cutoff = timezone.localtime(now - datetime.timedelta(days=400)).strftime("%d/%m/%Y %H:%M")
    assert set(lines) == {f"Xóa các bản ghi trước — {cutoff}", "Thời hạn lưu (ngày) — 400", "Số bản ghi đã xóa — 1"}
    assert services.prune_access_log(now=now).deleted == 0  # nothing more: no second entry
    assert AuditEntry.objects.filter(action="households.access_log.pruned").count() == 1
    assert not AccessRecord.objects.filter(pk=old.pk).exists() and AccessRecord.objects.filter(pk=kept.pk).exists()
    with pytest.raises(IntegrityError), transaction.atomic():  # the flag ended with the prune's transaction
        AccessRecord.objects.filter(pk=kept.pk).delete()


def test_the_prune_command_prints_what_it_deletes_in_batches(household_a, officer_a, settings, monkeypatch):
    monkeypatch.setattr("households.services.access.PRUNE_BATCH", 2)
    settings.ACCESS_LOG_RETENTION_DAYS = 365
    long_ago = timezone.now() - datetime.timedelta(days=400)
    for _ in range(5):
        read_long_ago(officer_a, household_a, long_ago)
    out = io.StringIO()
    call_command("prune_access_log", "--dry-run", stdout=out)
    assert out.getvalue().startswith("Sẽ xóa 5 bản ghi trước") and AccessRecord.objects.filter(at=long_ago).count() == 5
    out = io.StringIO()
    call_command("prune_access_log", stdout=out)
    assert out.getvalue().startswith("Đã xóa 5 bản ghi trước") and "(lưu 365 ngày)" in out.getvalue()
    assert not AccessRecord.objects.filter(at=long_ago).exists()
    entry = AuditEntry.objects.get(action="households.access_log.pruned")  # one entry for the 3 batches
    assert entry.changes["deleted"] == [None, 5]


# --- who reads it ----------------------------------------------------------------------------------------------


@pytest.fixture
def log(household_a, household_b, make_household, other_commune, officer_a, officer_b, admin_user, commune_a):
    """Records of the province (A and B read by their officers, A by the admin, an export of commune A) and one
    of another province (read by the admin)."""
    elsewhere = make_household(other_commune, "Phạm Văn Xa")
    return {
        "a": read(officer_a, [household_a]),
        "b": read(officer_b, [household_b], door="admin", action="list"),
        "admin_a": read(admin_user, [household_a, elsewhere], action="list"),
        "export_a": read(officer_a, door="export", action="export", area=commune_a),
        "elsewhere": read(admin_user, [elsewhere]),
    }


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_province_staff_read_their_provinces_records_and_the_admin_all(api, log, province_staff, admin_user):
    province = {log[name].pk for name in ("a", "b", "admin_a", "export_a")}
    assert ids(api(province_staff).get(ACCESS_LOG)) == province
    assert ids(api(admin_user).get(ACCESS_LOG)) == province | {log["elsewhere"].pk}


def test_a_record_shows_only_the_households_of_the_readers_scope(api, log, province_staff, household_a):
    row = api(province_staff).get(f"{ACCESS_LOG}{log['admin_a'].pk}/").json()
    assert row["households"] == [{"id": household_a.pk, "code": household_a.code}]
    assert row["other_households"] == 1 and row["actor_username"] == "quantri"
    assert api(province_staff).get(f"{ACCESS_LOG}{log['elsewhere'].pk}/").status_code == 404


@pytest.mark.parametrize("who", ["officer_a", "chair_a", "district_staff", "outsider"])
def test_officers_below_the_province_do_not_read_the_log(who, api, log, persona):
    user = persona(who)
    assert api(user).get(ACCESS_LOG).status_code == 403
    client = signed_in(user)
    assert client.get(ADMIN_LOG).status_code in (302, 403)
    assert ADMIN_LOG not in client.get("/admin/").content.decode()


def test_the_api_filters_by_reader_household_door_and_days(api, log, admin_user, household_a, officer_a):
    client = api(admin_user)
    assert ids(client.get(ACCESS_LOG, {"username": "canbo_a"})) == {log["a"].pk, log["export_a"].pk}
    assert ids(client.get(ACCESS_LOG, {"actor": officer_a.pk, "door": "export"})) == {log["export_a"].pk}
    # the household: where it was shown, and the export of its whole commune
    about_a = {log["a"].pk, log["admin_a"].pk, log["export_a"].pk}
    assert ids(client.get(ACCESS_LOG, {"household": household_a.code})) == about_a
    assert ids(client.get(ACCESS_LOG, {"household": str(household_a.pk)})) == about_a
    assert ids(client.get(ACCESS_LOG, {"household": "99999-999999"})) == set()
    today = timezone.localdate()
    assert len(ids(client.get(ACCESS_LOG, {"since": today.isoformat(), "until": today.isoformat()}))) == 5
    assert ids(client.get(ACCESS_LOG, {"until": (today - datetime.timedelta(days=1)).isoformat()})) == set()
    assert client.get(ACCESS_LOG, {"since": "2026-13-01"}).status_code == 400
    assert client.get(ACCESS_LOG, {"door": "fax"}).status_code == 400


def test_the_admin_list_names_the_households_by_code_and_filters(log, province_staff, household_a, household_b):
    client = signed_in(province_staff)
    page = client.get(ADMIN_LOG)
    assert page.status_code == 200
    assert f'/admin/households/household/{household_a.pk}/change/">{household_a.code}</a>' in page.text
    assert "1 hộ ngoài địa bàn của bạn" in page.text and "cả địa bàn" in page.text
    assert str(log["admin_a"].household_ids) not in page.text  # codes, never the raw list
    by_code = client.get(ADMIN_LOG, {"household": household_b.code})
    assert household_b.code in by_code.text and f">{household_a.code}<" not in by_code.text
    by_reader = client.get(ADMIN_LOG, {"actor": "canbo_b"})
    assert household_b.code in by_reader.text and f">{household_a.code}<" not in by_reader.text
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert household_a.code not in client.get(ADMIN_LOG, {"since": tomorrow.isoformat()}).text
    assert client.get(ADMIN_LOG, {"door": "export"}).status_code == 200
    assert client.get(f"{ADMIN_LOG}{log['a'].pk}/change/").status_code == 200


def test_reading_the_log_records_nothing_and_it_cannot_be_edited_in_the_admin(log, admin_user):
    before = AccessRecord.objects.count()
    client = signed_in(admin_user)
    assert client.get(ADMIN_LOG).status_code == 200
    assert client.get(f"{ADMIN_LOG}{log['a'].pk}/change/").status_code == 200
    assert client.get(f"{ADMIN_LOG}add/").status_code == 403
    assert client.post(f"{ADMIN_LOG}{log['a'].pk}/delete/").status_code == 403
    assert AccessRecord.objects.count() == before


def test_the_admin_targeting_page_and_its_excel_record_their_households(household_a, officer_a, admin_user, commune_a):
    make_poor(household_a, admin_user)
    client = signed_in(officer_a)
    page = client.get(reverse("admin:support_targeting"))  # opens on the officer's commune, poor and near-poor
    assert page.status_code == 200 and household_a.code in page.text
    listed = latest()
    assert (listed.door, listed.action, listed.household_ids, listed.result_count) == (
        "admin",
        "list",
        [household_a.pk],
        1,
    )
    query = {"area": commune_a.pk, "statuses": ["poor", "near_poor"], "since": "01/01/2021", "format": "xlsx"}
    assert client.get(reverse("admin:support_targeting"), query).status_code == 200
    export = latest()
    assert (export.door, export.action, export.household_ids) == ("export", "export", [household_a.pk])
    assert AccessRecord.objects.count() == 2


# --- hostile query strings -------------------------------------------------------------------------------------


def test_a_nul_byte_in_the_query_string_is_recorded_without_it(api, household_a, officer_a, admin_user):
    assert api(officer_a).get(HOUSEHOLDS + "?x=a%00b").status_code == 200
    assert latest().query == "x=ab"
    page = f"/admin/households/household/{household_a.pk}/change/?x=%00"
    assert signed_in(admin_user).get(page).status_code == 200
    assert (latest().household_ids, latest().query) == ([household_a.pk], "x=")


@pytest.mark.parametrize("url", [ACCESS_LOG, ADMIN_LOG])
def test_the_last_day_of_the_calendar_is_an_open_end(url, log, admin_user):
    response = signed_in(admin_user).get(url, {"until": "9999-12-31", "since": "0001-01-01"})
    assert response.status_code == 200
    if url == ACCESS_LOG:
        assert len(response.json()["results"]) == len(log)


def test_a_nul_byte_in_a_filter_of_the_admin_log_is_ignored(log, admin_user):
    response = signed_in(admin_user).get(ADMIN_LOG + "?actor=%00")
    assert response.status_code == 200 and len(response.context["cl"].result_list) == len(log)


def autocomplete(user, term: str, model="household", field="household", app="programs", source="assessment"):
    query = {"app_label": app, "model_name": source, "field_name": field, "term": term}
    return signed_in(user).get("/admin/autocomplete/", query)


def test_the_admin_autocomplete_records_the_households_it_finds_by_name(household_a, household_b, admin_user):
    name = "Thị Hoa"  # a member of household A, not its head
    response = autocomplete(admin_user, name)
    assert response.status_code == 200
    found = [int(row["id"]) for row in response.json()["results"]]
    assert household_a.pk in found
    record = latest()
    assert (record.door, record.action, record.search, record.path) == ("admin", "search", name, "/admin/autocomplete/")
    assert record.household_ids == sorted(found) and record.result_count == len(found)
    assert record.resource == "hộ gia đình" and f"term={name}" in record.query


def test_the_admin_autocomplete_of_areas_records_nothing(admin_user, commune_a):
    response = autocomplete(admin_user, commune_a.name[:4], app="households", source="household", field="commune")
    assert response.status_code == 200 and response.json()["results"]
    assert not AccessRecord.objects.exists()


def test_a_refused_autocomplete_records_nothing(household_a, officer_b):
    assert autocomplete(officer_b, "x", source="nothing").status_code == 403
    assert not AccessRecord.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # as the suite's other transactional tests
def test_a_record_outside_a_transaction_is_committed_without_changing_the_session(committed_areas):
    commune = Area.objects.filter(level="commune").order_by("code").first()
    reader = services.create_officer(actor=None, username="doc", role="commune_officer", area=commune, password="pw-1")
    assert not connection.in_atomic_block
    with CaptureQueriesContext(connection) as captured:
        record = services.record_access(
            actor=reader, door="api", action="list", resource="hộ gia đình", path=HOUSEHOLDS, ip=None, area=commune
        )
    assert AccessRecord.objects.filter(pk=record.pk, commune_ids=[commune.pk]).exists()
    # the request does not wait for the WAL flush: its one statement switches it off for its own transaction
    (statement,) = [q["sql"] for q in captured]
    assert statement.startswith("INSERT") and "set_config('synchronous_commit', 'off', true)" in statement
    with connection.cursor() as cursor:  # which PostgreSQL applies to the statement's own (implicit) transaction
        cursor.execute(
            "SELECT current_setting('synchronous_commit') FROM (SELECT set_config('synchronous_commit', 'off', true)) d"
        )
        assert cursor.fetchone()[0] == "off"
    with connection.cursor() as cursor:  # the setting lasted the record's own transaction only
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"
    with transaction.atomic():  # a caller's transaction keeps its durability
        read(reader, area=commune)
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            assert cursor.fetchone()[0] == "on"
