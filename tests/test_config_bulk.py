"""Plumbing for bulk loads (config.bulk): foreign keys checked set-based, VACUUM after the load, JSON passed through."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from config.bulk import (
    JsonText,
    copy_blocks,
    copy_rows,
    copy_text,
    foreign_keys_validated_after,
    next_ids,
    vacuum_analyze,
)
from households import demo
from households.models import Household, Member

TABLES = [Household._meta.db_table, Member._meta.db_table]


def _foreign_keys() -> list[tuple]:
    """Every foreign key of the households' and members' tables as PostgreSQL holds it."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), condeferrable, condeferred, "
            "confdeltype, convalidated FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) "
            "ORDER BY 1, 2",
            [TABLES],
        )
        return cursor.fetchall()


def _copy_member(household_id: int, ethnicity_id: int) -> None:
    """One member row by COPY, as the demo loader writes them."""
    (member_id,) = next_ids(Member, 1)
    row = (member_id, household_id, "Lò Văn Páo", "lo van pao", datetime.date(1980, 5, 17), "male", ethnicity_id,
           "spouse", None, False, False, "", None, "none", "none", "", "")  # fmt: skip
    copy_rows(Member._meta.db_table, demo.MEMBER_COLUMNS, [row])


def test_the_foreign_keys_come_back_exactly_as_django_made_them(household_a, kinh):
    before = _foreign_keys()

    with foreign_keys_validated_after(Household, Member):
        assert _foreign_keys() == []  # no row-by-row check while the rows go in
        _copy_member(household_a.pk, kinh.pk)

    assert _foreign_keys() == before
    assert {(deferrable, deferred, validated) for *_, deferrable, deferred, _, validated in before} == {
        (True, True, True)
    }
    assert household_a.members.count() == 3


def test_a_row_pointing_nowhere_is_refused_with_the_constraint_named_and_nothing_is_written(household_a, kinh):
    before, members = _foreign_keys(), Member.objects.count()
    (household_fk,) = [name for table, name, definition, *_ in before if "(household_id)" in definition]

    with pytest.raises(IntegrityError, match=household_fk):
        with foreign_keys_validated_after(Household, Member):
            _copy_member(household_a.pk, kinh.pk)  # a good row first: it goes too
            _copy_member(2_000_000_000, kinh.pk)

    assert Member.objects.count() == members
    assert _foreign_keys() == before  # the constraints are back, although the error was caught in the transaction


def test_an_error_in_the_load_rolls_back_its_rows_and_keeps_the_constraints(household_a, kinh):
    before, members = _foreign_keys(), Member.objects.count()

    with pytest.raises(ZeroDivisionError):
        with foreign_keys_validated_after(Household, Member):
            _copy_member(household_a.pk, kinh.pk)
            1 / 0  # noqa: B018

    assert Member.objects.count() == members
    assert _foreign_keys() == before


def test_rows_written_earlier_in_the_transaction_do_not_stop_the_load(kinh, make_household, commune_a):
    with transaction.atomic():
        household = make_household(commune_a, "Giàng A Sử")  # pending deferred checks on both tables
        with foreign_keys_validated_after(Household, Member):
            _copy_member(household.pk, kinh.pk)

    assert household.members.count() == 2


def test_json_already_encoded_is_copied_as_it_is(db):
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE bulk_json (id int, value jsonb)")
        copy_rows(
            "bulk_json",
            ("id", "value"),
            [(1, JsonText('{"tên": "Hà Giang", "n": [1, 2]}')), (2, {"tên": "Hà Giang"}), (3, "{}"), (4, None)],
            json_columns=(1,),
        )
        cursor.execute("SELECT value::text FROM bulk_json ORDER BY id")
        rows = [value for (value,) in cursor.fetchall()]

    # the text as given, a dict encoded, a plain str as the JSON string it is, None as JSON null (as before)
    assert rows == ['{"n": [1, 2], "tên": "Hà Giang"}', '{"tên": "Hà Giang"}', '"{}"', "null"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # VACUUM runs after a commit, as in production
def test_a_bulk_load_leaves_its_tables_vacuumed_for_index_only_scans(committed_areas):
    call_command("seed_demo", households=200, stdout=StringIO())

    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, relpages, relallvisible FROM pg_class WHERE relname = ANY(%s)", [TABLES])
        pages = {name: (total, visible) for name, total, visible in cursor.fetchall()}
    assert all(total > 0 and visible == total for total, visible in pages.values()), pages


def test_inside_a_transaction_it_still_analyzes(household_a):
    vacuum_analyze(Household, Member)  # no error: ANALYZE only

    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [Member._meta.db_table])
        assert cursor.fetchone()[0] >= 2


def test_rows_formatted_without_a_connection_are_copied_as_copy_rows_copies_them(db):
    rows = [
        (1, "tab\tnew line\nback\\slash", datetime.date(2025, 12, 15), JsonText('{"a": 1}'), {"tên": "Hà\tGiang"}),
        (2, None, None, JsonText("[]"), None),
        (3, "Nguyễn Thị Hằng", datetime.date(2016, 1, 1), JsonText("{}"), [True, None, 2]),
    ]
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE bulk_text (id int, name text, day date, known jsonb, value jsonb)")
        columns = ("id", "name", "day", "known", "value")
        copy_rows("bulk_text", columns, rows, json_columns=(3, 4))
        cursor.execute("SELECT name, day, known::text, value::text FROM bulk_text ORDER BY id")
        by_copy_rows = cursor.fetchall()
        cursor.execute("TRUNCATE bulk_text")
        blocks = [copy_text(rows[:2], json_columns=(3, 4)), copy_text(rows[2:], json_columns=(3, 4))]
        assert copy_blocks("bulk_text", columns, blocks) == sum(len(block) for block in blocks)
        cursor.execute("SELECT name, day, known::text, value::text FROM bulk_text ORDER BY id")
        assert cursor.fetchall() == by_copy_rows
    assert by_copy_rows[0][0] == "tab\tnew line\nback\\slash" and by_copy_rows[1] == (None, None, "[]", "null")
