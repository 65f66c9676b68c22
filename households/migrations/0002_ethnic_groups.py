"""The official 54 ethnic groups (copy of shared/data/ethnic-groups.csv kept in households/data/)."""

import csv
from pathlib import Path

from django.db import migrations

CSV = Path(__file__).resolve().parent.parent / "data" / "ethnic-groups.csv"


def load(apps, schema_editor):
    Ethnicity = apps.get_model("households", "Ethnicity")
    with CSV.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            Ethnicity.objects.update_or_create(
                code=row["code"], defaults={"name": row["name_vi"], "name_en": row["name_en"]}
            )


class Migration(migrations.Migration):
    dependencies = [("households", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
