"""The access log's trigger, closed (security review of 0007): the flag `giamngheo.access_log_prune` is one any
session may set, so it no longer lets a DELETE through alone.

- A DELETE is refused, whatever the flag, for every record younger than the floor of 365 days
  (`households_accessrecord_floor`, a row trigger: `at > now() - 365 days`); `ACCESS_LOG_RETENTION_DAYS` is at least
  365 (config/settings.py), so the prune never needs to delete a younger record.
- TRUNCATE is refused (`households_accessrecord_no_truncate`) unless the session set
  `giamngheo.access_log_truncate` to "on": nothing of the application does; the test suite's database does, since
  pytest-django's transactional tests empty every table with TRUNCATE (tests/conftest.py, `django_db_setup`).

Whoever owns the table may still drop a trigger: full protection is a role for the application that owns nothing
and may only INSERT and SELECT on this table (README, "The access log"). SQLite (the demo) has no trigger.
"""

from django.db import migrations

FLOOR_DAYS = 365  # also the minimum of ACCESS_LOG_RETENTION_DAYS (config/settings.py)

CREATE = f"""
CREATE FUNCTION households_accessrecord_floor() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.at > now() - interval '{FLOOR_DAYS} days' THEN
        RAISE EXCEPTION 'households_accessrecord_floor: bản ghi nhật ký truy cập chưa quá {FLOOR_DAYS} ngày, không được xóa (id %)', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN OLD;
END
$$;
CREATE TRIGGER households_accessrecord_floor BEFORE DELETE ON households_accessrecord
    FOR EACH ROW EXECUTE FUNCTION households_accessrecord_floor();
CREATE FUNCTION households_accessrecord_no_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('giamngheo.access_log_truncate', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'households_accessrecord_no_truncate: nhật ký truy cập chỉ được ghi thêm, không được xóa hết (TRUNCATE)'
        USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER households_accessrecord_no_truncate BEFORE TRUNCATE ON households_accessrecord
    FOR EACH STATEMENT EXECUTE FUNCTION households_accessrecord_no_truncate();
"""

DROP = """
DROP TRIGGER IF EXISTS households_accessrecord_no_truncate ON households_accessrecord;
DROP FUNCTION IF EXISTS households_accessrecord_no_truncate();
DROP TRIGGER IF EXISTS households_accessrecord_floor ON households_accessrecord;
DROP FUNCTION IF EXISTS households_accessrecord_floor();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, None)


class Migration(migrations.Migration):
    dependencies = [
        ("households", "0007_access_log"),
    ]

    operations = [
        migrations.RunPython(create, drop),
    ]
