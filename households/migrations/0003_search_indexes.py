"""Trigram indexes for search without diacritics (PostgreSQL only; SQLite scans, fine for a demo).

They serve `search_text LIKE '%…%'` on households and `search_name LIKE '%…%'` on members, and the
area name search.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = [
    ("households_hh_search_trgm", "households_household", "search_text"),
    ("households_member_search_trgm", "households_member", "search_name"),
    ("households_area_name_trgm", "households_area", "name_search"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, column in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({column} gin_trgm_ops)")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _, _ in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("households", "0002_ethnic_groups")]
    operations = [TrigramExtension(), migrations.RunPython(create, drop)]
