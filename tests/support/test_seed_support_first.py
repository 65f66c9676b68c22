"""seed_support refuses to run before the reviews it follows (apart from tests/support/test_seed_support.py, whose
tests share one seeded demo: this one needs a database without it)."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

pytestmark = pytest.mark.django_db


def test_it_needs_the_reviews_first(db):
    call_command("seed_demo", "--households", "50", stdout=StringIO())
    with pytest.raises(CommandError, match="seed_reviews"):
        call_command("seed_support", stdout=StringIO())
