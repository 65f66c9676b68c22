"""seed_reviews outside a caller's transaction, as from the shell: its workers read the members themselves, each on a
connection of its own in the command's snapshot. A module of its own: test_seed_reviews.py keeps its demo in a
transaction open across its tests, and the command inside it reads the members before forking instead."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from households.models import Household
from programs.models import Assessment

from .test_seed_reviews import REVIEW, YEAR, _review_as_written


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # as the suite's other transactional tests
def test_workers_reading_members_in_the_snapshot_write_what_one_process_writes(committed_areas, monkeypatch):
    from programs.management.commands import seed_reviews

    call_command("seed_demo", "--households", "200", stdout=StringIO())
    with transaction.atomic():
        call_command("seed_reviews", "--year", str(YEAR), "--workers", "1", stdout=StringIO())
        alone = _review_as_written()
        transaction.set_rollback(True)
    monkeypatch.setattr(seed_reviews, "WORKER_CHUNK", 23)  # 200 households in 9 chunks, handed to 3 processes
    out = StringIO()
    call_command("seed_reviews", "--year", str(YEAR), "--workers", "3", "-v", "2", stdout=out)
    assert "thành viên đọc trong từng tiến trình" in out.getvalue()  # read in the workers, not before the fork
    assert _review_as_written() == alone
    assert len(alone[0]) == Assessment.objects.filter(**REVIEW).count() == Household.objects.count() == 200
    assert any(status in ("poor", "near_poor") for status, *_ in alone[2].values())  # caches written too
