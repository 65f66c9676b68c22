"""A newly-escaped household's production loan runs at most 5 years (Decision 28/2015/QĐ-TTg; domain Part B §5.3)."""

from django.db import migrations


def forwards(apps, schema_editor):
    InterventionType = apps.get_model("support", "InterventionType")
    InterventionType.objects.filter(code="credit_newly_escaped", max_term_months__isnull=True).update(
        max_term_months=60
    )


def backwards(apps, schema_editor):
    InterventionType = apps.get_model("support", "InterventionType")
    InterventionType.objects.filter(code="credit_newly_escaped").update(max_term_months=None)


class Migration(migrations.Migration):
    dependencies = [("support", "0004_followups_loans_budgets")]

    operations = [migrations.RunPython(forwards, backwards)]
