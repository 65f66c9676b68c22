"""seed_reviews refuses to run without a surveyor (apart from tests/programs/test_seed_reviews.py, whose tests share
one seeded demo: this one needs a database without it)."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from households.models import User

pytestmark = pytest.mark.django_db


def test_it_needs_a_surveyor(db):
    assert not User.objects.exists()
    with pytest.raises(CommandError, match="người khảo sát"):
        call_command("seed_reviews", "--year", "2025", stdout=StringIO())
