"""The area door: `Area.objects.in_charge_of(user)` and `user.is_in_charge_of(area)`, and the opening check of
every scoped queryset (`households.models.ScopedQuerySet`)."""

import pytest
from django.contrib.auth.models import AnonymousUser

from households.models import Area, AuditEntry, Household, User
from households.rules import Level

pytestmark = pytest.mark.django_db


def deactivated(user: User) -> User:
    User.objects.filter(pk=user.pk).update(is_active=False)
    return User.objects.get(pk=user.pk)


@pytest.fixture
def areas(province, district, commune_a, commune_b, village_a, village_b, other_commune) -> dict[str, Area]:
    return {
        "province": province,
        "district": district,
        "commune_a": commune_a,
        "commune_b": commune_b,
        "village_a": village_a,
        "village_b": village_b,
        "other_commune": other_commune,
    }


# who -> the areas of the fixture in her charge
IN_CHARGE = {
    "officer_a": {"commune_a", "village_a"},
    "chair_a": {"commune_a", "village_a"},
    "officer_b": {"commune_b", "village_b"},
    "district_staff": {"district", "commune_a", "village_a"},
    "province_staff": {"province", "district", "commune_a", "commune_b", "village_a", "village_b"},
    "admin_user": {"province", "district", "commune_a", "commune_b", "village_a", "village_b", "other_commune"},
    "outsider": set(),  # signed in, with no area
}


@pytest.mark.parametrize("who", IN_CHARGE)
def test_the_areas_in_charge_are_the_users_area_and_all_within_it(who, persona, areas):
    user = persona(who)
    ids = {pk: name for name, pk in ((name, area.pk) for name, area in areas.items())}
    charged = Area.objects.in_charge_of(user).filter(pk__in=ids)
    assert {ids[pk] for pk in charged.values_list("pk", flat=True)} == IN_CHARGE[who]
    assert {name for name, area in areas.items() if user.is_in_charge_of(area)} == IN_CHARGE[who]


def test_the_query_and_the_object_door_agree_over_a_whole_province(district_staff, officer_a, village_a, province):
    everything = list(Area.objects.within(province).only("id", "path"))
    assert len(everything) > 50
    for user in (district_staff, officer_a):
        charged = set(Area.objects.in_charge_of(user).values_list("pk", flat=True))
        assert charged == {area.pk for area in everything if user.is_in_charge_of(area)}


def test_nobody_signed_in_and_inactive_accounts_have_no_area_in_charge(officer_a, admin_user, commune_a):
    assert not Area.objects.in_charge_of(AnonymousUser()).exists()
    for user in (deactivated(officer_a), deactivated(admin_user)):
        assert not Area.objects.in_charge_of(user).exists()
        assert not user.is_in_charge_of(commune_a)


def test_the_door_chains_after_other_filters(officer_a, commune_a, village_a):
    communes = Area.objects.filter(level=Level.COMMUNE).in_charge_of(officer_a)
    assert list(communes) == [commune_a]


# --- the opening check, the same for every scoped queryset ----------------------------------------------------


def test_an_inactive_account_sees_no_area(officer_a, admin_user, village_a):
    assert Area.objects.visible_to(officer_a).filter(pk=village_a.pk).exists()
    for user in (deactivated(officer_a), deactivated(admin_user)):
        assert not Area.objects.visible_to(user).exists()


def test_an_inactive_account_sees_no_audit_entry(officer_a, admin_user, household_a):
    assert AuditEntry.objects.visible_to(officer_a).filter(household=household_a).exists()
    assert AuditEntry.objects.visible_to(admin_user).filter(household__isnull=True).exists()  # officers' creation
    for user in (deactivated(officer_a), deactivated(admin_user)):
        assert not AuditEntry.objects.visible_to(user).exists()
        assert not Household.objects.visible_to(user).exists()


def test_nobody_signed_in_sees_nothing(household_a):
    for manager in (Area.objects, AuditEntry.objects, Household.objects):
        assert not manager.visible_to(AnonymousUser()).exists()
        assert not manager.visible_to(None).exists()


def test_public_areas_stay_public_and_villages_stay_in_charge(outsider, officer_b, village_a, commune_a):
    for user in (outsider, officer_b):
        visible = Area.objects.visible_to(user)
        assert visible.filter(pk=commune_a.pk).exists()  # official communes are public
        assert not visible.filter(pk=village_a.pk).exists()
