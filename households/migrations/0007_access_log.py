"""The access log of personal data (households.AccessRecord), append-only in PostgreSQL.

On PostgreSQL: GIN indexes on the id lists (they serve "who looked at household X", `household_ids @> {X}`, and the
province's scope, `commune_ids && ARRAY(its communes)`), and the trigger `households_accessrecord_append_only`, which
refuses every UPDATE and every DELETE of the table unless the transaction set `giamngheo.access_log_prune` to "on"
(`SET LOCAL`, only `households.services.access.prune_access_log` does). It guards against the application, not
against whoever owns the database (who may drop a trigger); TRUNCATE stays the owner's (the test suite's flush uses
it). SQLite (the embedded demo) stores the lists as JSON text, without indexes or trigger.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import config.arrays

APPEND_ONLY = """
CREATE FUNCTION households_accessrecord_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('giamngheo.access_log_prune', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'households_accessrecord_append_only: nhật ký truy cập chỉ được ghi thêm, không được sửa hay xóa (%)', TG_OP
        USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER households_accessrecord_append_only BEFORE UPDATE OR DELETE ON households_accessrecord
    FOR EACH STATEMENT EXECUTE FUNCTION households_accessrecord_append_only();
CREATE INDEX households_access_households_gin ON households_accessrecord USING gin (household_ids);
CREATE INDEX households_access_communes_gin ON households_accessrecord USING gin (commune_ids);
"""

DROP = """
DROP INDEX IF EXISTS households_access_communes_gin;
DROP INDEX IF EXISTS households_access_households_gin;
DROP TRIGGER IF EXISTS households_accessrecord_append_only ON households_accessrecord;
DROP FUNCTION IF EXISTS households_accessrecord_append_only();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APPEND_ONLY, None)  # no parameters: the "%" is plpgsql's


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, None)


class Migration(migrations.Migration):
    dependencies = [
        ("households", "0006_poor_district_flag"),
    ]

    operations = [
        migrations.CreateModel(
            name="AccessRecord",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("at", models.DateTimeField(db_index=True, verbose_name="thời điểm")),
                ("ip", models.GenericIPAddressField(null=True, verbose_name="địa chỉ IP")),
                (
                    "door",
                    models.CharField(
                        choices=[("admin", "Trang quản trị"), ("api", "API"), ("export", "Xuất tệp, tài liệu")],
                        max_length=10,
                        verbose_name="qua",
                    ),
                ),
                (
                    "action",
                    models.CharField(
                        choices=[
                            ("list", "Xem danh sách"),
                            ("view", "Xem chi tiết"),
                            ("search", "Tìm kiếm"),
                            ("export", "Xuất tệp, in tài liệu"),
                        ],
                        max_length=10,
                        verbose_name="thao tác",
                    ),
                ),
                ("resource", models.CharField(max_length=120, verbose_name="nội dung")),
                ("path", models.CharField(max_length=255, verbose_name="đường dẫn")),
                ("query", models.TextField(blank=True, default="", verbose_name="điều kiện lọc")),
                ("search", models.CharField(blank=True, default="", max_length=200, verbose_name="từ khóa tìm kiếm")),
                ("result_count", models.PositiveIntegerField(null=True, verbose_name="số kết quả")),
                (
                    "household_ids",
                    config.arrays.IdArrayField(
                        base_field=models.BigIntegerField(), blank=True, default=list, size=None, verbose_name="các hộ"
                    ),
                ),
                (
                    "commune_ids",
                    config.arrays.IdArrayField(
                        base_field=models.BigIntegerField(),
                        blank=True,
                        default=list,
                        size=None,
                        verbose_name="các xã của các hộ",
                    ),
                ),
                (
                    "actor",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="người xem",
                    ),
                ),
                (
                    "actor_area",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="households.area",
                        verbose_name="địa bàn của người xem",
                    ),
                ),
                (
                    "area",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="households.area",
                        verbose_name="cả địa bàn",
                    ),
                ),
            ],
            options={
                "verbose_name": "nhật ký truy cập dữ liệu cá nhân",
                "verbose_name_plural": "nhật ký truy cập dữ liệu cá nhân",
                "ordering": ["-at", "-id"],
            },
        ),
        migrations.RunPython(create, drop),
    ]
