"""The life of a support record through its services (domain A8): recorded planned, approved by someone
with the right who did not record it, delivered (follow-ups scheduled), cancelled with a reason; the results of
follow-ups; and every bad input of record_support."""

import datetime

import pytest
from django.utils import timezone

from config.errors import DomainError, NotFound, StaleVersion
from households import rules as household_rules
from households import services as household_services
from households.models import Area, AuditEntry
from programs.standards import services as program_services
from support import services
from support.models import InterventionType, SupportFollowUp, SupportRecord
from tests.support.helpers import amount_for

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = D(2026, 11, 20)
POOR_SINCE = D(2025, 1, 10)
PLANNED_ON = D(2025, 3, 1)
APPROVED_ON = D(2025, 3, 5)
DELIVERED_ON = D(2025, 8, 31)  # livestock follow-ups at +6 and +12 months: 28/02/2026 and 31/08/2026


@pytest.fixture
def poor_a(household_a, chair_a):
    program_services.record_status_change(
        actor=chair_a, household_id=household_a.pk, to_status="poor", effective_date=POOR_SINCE, decision_number="1/QĐ"
    )
    household_a.refresh_from_db()
    return household_a


def record(actor, household, code="livestock_p3", day=PLANNED_ON, **extra):
    extra.setdefault("funding_source", "central")
    extra.setdefault("today", TODAY)
    extra.setdefault("amount", amount_for(code))
    return services.record_support(actor=actor, household_id=household.pk, type_code=code, date=day, **extra)


def approve(actor, support, day=APPROVED_ON, version="current"):
    version = support.version if version == "current" else version
    return services.approve_support(actor=actor, record_id=support.pk, version=version, day=day)


def deliver(actor, support, day=DELIVERED_ON, version="current", **extra):
    version = support.version if version == "current" else version
    extra.setdefault("today", TODAY)
    return services.deliver_support(actor=actor, record_id=support.pk, version=version, delivered_on=day, **extra)


def cancel(actor, support, reason="Ghi nhầm hộ.", version="current", **extra):
    version = support.version if version == "current" else version
    return services.cancel_support(actor=actor, record_id=support.pk, version=version, reason=reason, **extra)


def entries(action, support):
    return AuditEntry.objects.filter(action=action, object_id=str(support.pk))


def refused(call, *args, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as error:
        call(*args, **kwargs)
    return error.value


@pytest.fixture
def planned(poor_a, officer_a):
    return record(officer_a, poor_a, amount=25_000_000, cofinancing=5_000_000)


@pytest.fixture
def approved(planned, chair_a):
    return approve(chair_a, planned)


@pytest.fixture
def delivered(approved, officer_a):
    return deliver(officer_a, approved)


# --- approve ------------------------------------------------------------------------------------------------


def test_the_chair_approves_a_planned_support_and_it_is_audited(planned, chair_a):
    done = approve(chair_a, planned)
    stored = SupportRecord.objects.get(pk=planned.pk)
    assert (stored.status, stored.approved_by, stored.approved_on, stored.version) == (
        "approved",
        chair_a,
        APPROVED_ON,
        planned.version + 1,
    )
    assert done.version == stored.version
    entry = entries("support.record.approved", planned).get()
    assert entry.actor == chair_a and entry.changes["status"] == ["planned", "approved"]
    assert entry.household_id == planned.household_id


def test_an_officer_without_the_right_cannot_approve(planned, officer_a):
    error = refused(approve, officer_a, planned)
    assert (error.code, error.field) == ("no_right", "actor")
    assert SupportRecord.objects.get(pk=planned.pk).status == "planned"


def test_who_recorded_a_support_does_not_approve_it(poor_a, province_staff, district_staff):
    mine = record(province_staff, poor_a)
    error = refused(approve, province_staff, mine)
    assert (error.code, error.field) == ("own_record", "actor")
    assert approve(district_staff, mine).status == "approved"


def test_an_approval_on_a_version_already_changed_is_a_conflict(planned, chair_a, district_staff):
    approve(chair_a, planned)
    with pytest.raises(StaleVersion) as stale:
        approve(district_staff, planned, version=planned.version)
    assert stale.value.http_status == 409
    stored = SupportRecord.objects.get(pk=planned.pk)
    assert stored.approved_by == chair_a and stored.version == planned.version + 1


def test_approving_twice_is_a_forbidden_move_naming_what_is_allowed(approved, district_staff):
    error = refused(approve, district_staff, approved)
    assert (error.code, error.field) == ("forbidden_move", "status")
    assert "“đã duyệt”" in error.message and "được: xác nhận đã hỗ trợ, hủy" in error.message


def test_an_approval_dated_after_today_is_refused(planned, chair_a):
    error = refused(approve, chair_a, planned, day=timezone.localdate() + datetime.timedelta(days=1))
    assert (error.code, error.field) == ("in_future", "approved_on")


def test_a_chair_of_another_commune_does_not_see_the_support(planned, commune_b):
    chair_b = household_services.create_officer(
        actor=None, username="chutich_b", role=household_rules.Role.COMMUNE_CHAIR, area=commune_b
    )
    with pytest.raises(NotFound):
        approve(chair_b, planned)


# --- deliver ------------------------------------------------------------------------------------------------


def test_delivery_schedules_the_follow_ups_of_its_kind_and_is_audited(approved, officer_a):
    deliver(officer_a, approved)
    stored = SupportRecord.objects.get(pk=approved.pk)
    assert (stored.status, stored.delivered_on) == ("delivered", DELIVERED_ON)
    scheduled = list(SupportFollowUp.objects.filter(record=stored).order_by("due_on").values_list("code", "due_on"))
    assert scheduled == [("alive_6m", D(2026, 2, 28)), ("alive_12m", D(2026, 8, 31))]
    entry = entries("support.record.delivered", approved).get()
    assert entry.changes["status"] == ["approved", "delivered"]
    assert entry.changes["follow_ups"] == [None, ["alive_6m@2026-02-28", "alive_12m@2026-08-31"]]


def test_a_repaired_house_is_checked_three_months_after_delivery(poor_a, officer_a, chair_a):
    Area.objects.filter(pk=poor_a.commune_id).update(is_poor_district=True)
    house = record(officer_a, poor_a, "housing_repair_p5")
    deliver(officer_a, approve(chair_a, house), day=D(2025, 11, 30))
    assert list(SupportFollowUp.objects.filter(record=house).values_list("code", "due_on")) == [
        ("house_done", D(2026, 2, 28))
    ]


def test_a_health_insurance_card_has_no_follow_up(poor_a, officer_a, chair_a):
    card = record(officer_a, poor_a, "hi_poor")
    deliver(officer_a, approve(chair_a, card))
    assert not SupportFollowUp.objects.filter(record=card).exists()


def test_a_delivery_dated_after_today_is_refused(approved, officer_a):
    error = refused(deliver, officer_a, approved, day=TODAY + datetime.timedelta(days=1))
    assert (error.code, error.field) == ("in_future", "delivered_on")
    assert deliver(officer_a, approved, day=TODAY).delivered_on == TODAY


def test_a_delivery_before_the_approval_is_refused(approved, officer_a):
    error = refused(deliver, officer_a, approved, day=APPROVED_ON - datetime.timedelta(days=1))
    assert (error.code, error.field) == ("before_approval", "delivered_on")
    assert "05/03/2025" in error.message
    assert deliver(officer_a, approved, day=APPROVED_ON).status == "delivered"


def test_a_planned_support_cannot_be_delivered_before_approval(planned, officer_a):
    error = refused(deliver, officer_a, planned)
    assert error.code == "forbidden_move" and "được: duyệt, hủy" in error.message
    assert not SupportFollowUp.objects.exists()


def test_the_chair_approves_but_does_not_record_deliveries(approved, chair_a):
    assert refused(deliver, chair_a, approved).code == "no_right"


def test_a_delivery_on_a_stale_version_is_a_conflict(approved, officer_a, district_staff):
    deliver(officer_a, approved)
    with pytest.raises(StaleVersion):
        deliver(district_staff, approved, version=approved.version)
    assert SupportFollowUp.objects.filter(record=approved).count() == 2


# --- cancel -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_cancellation_needs_a_reason(planned, officer_a, reason):
    error = refused(cancel, officer_a, planned, reason=reason)
    assert (error.code, error.field) == ("required", "reason")
    assert SupportRecord.objects.get(pk=planned.pk).status == "planned"


def test_a_planned_support_is_cancelled_with_its_reason_and_stays(planned, officer_a):
    cancel(officer_a, planned, reason="  Hộ chuyển đi nơi khác. ", day=D(2025, 4, 1))
    stored = SupportRecord.objects.get(pk=planned.pk)
    assert (stored.status, stored.cancelled_on, stored.cancel_reason) == (
        "cancelled",
        D(2025, 4, 1),
        "Hộ chuyển đi nơi khác.",
    )
    entry = entries("support.record.cancelled", planned).get()
    assert entry.reason == "Hộ chuyển đi nơi khác." and entry.changes["status"] == ["planned", "cancelled"]


def test_cancelling_a_delivered_support_drops_open_follow_ups_and_keeps_done_ones(delivered, officer_a):
    first = SupportFollowUp.objects.get(record=delivered, code="alive_6m")
    services.record_follow_up(
        actor=officer_a, follow_up_id=first.pk, done_on=D(2026, 3, 2), result="achieved", today=TODAY
    )
    cancel(officer_a, delivered, reason="Bò chết do dịch, hộ trả lại hỗ trợ.")
    assert SupportRecord.objects.get(pk=delivered.pk).status == "cancelled"
    kept = list(SupportFollowUp.objects.filter(record=delivered).values_list("code", "result"))
    assert kept == [("alive_6m", "achieved")]
    assert entries("support.record.cancelled", delivered).get().changes["follow_ups_dropped"] == [None, ["alive_12m"]]


def test_a_cancelled_support_cannot_be_cancelled_again(planned, officer_a):
    cancel(officer_a, planned)
    error = refused(cancel, officer_a, SupportRecord.objects.get(pk=planned.pk))
    assert error.code == "forbidden_move" and "không thao tác nào" in error.message


def test_a_cancelled_house_no_longer_counts_as_the_one_house(poor_a, officer_a):
    Area.objects.filter(pk=poor_a.commune_id).update(is_poor_district=True)
    house = record(officer_a, poor_a, "housing_new_p5")
    assert refused(record, officer_a, poor_a, "housing_new_p5", D(2025, 5, 1)).code == "not_eligible"
    cancel(officer_a, house)
    assert record(officer_a, poor_a, "housing_new_p5", D(2025, 5, 1)).status == "planned"


def test_a_house_recorded_after_the_fact_before_the_one_on_file_is_refused(poor_a, officer_a):
    Area.objects.filter(pk=poor_a.commune_id).update(is_poor_district=True)
    record(officer_a, poor_a, "housing_new_p5", D(2025, 9, 1))
    error = refused(record, officer_a, poor_a, "housing_new_p5", D(2025, 5, 1))
    assert error.code == "not_eligible" and "01/09/2025 (chỉ một lần)" in error.message
    assert SupportRecord.objects.filter(household=poor_a).count() == 1


def test_a_cancellation_on_a_stale_version_is_a_conflict(planned, officer_a, chair_a):
    approve(chair_a, planned)
    with pytest.raises(StaleVersion):
        cancel(officer_a, planned, version=planned.version)
    assert SupportRecord.objects.get(pk=planned.pk).status == "approved"


# --- follow-up results ----------------------------------------------------------------------------------------


@pytest.fixture
def six_months(delivered):
    return SupportFollowUp.objects.get(record=delivered, code="alive_6m")


CHECKED_ON = D(2026, 3, 2)


def follow(actor, follow_up, day=CHECKED_ON, result="achieved", **extra):
    extra.setdefault("today", TODAY)
    return services.record_follow_up(actor=actor, follow_up_id=follow_up.pk, done_on=day, result=result, **extra)


def test_an_achieved_follow_up_is_recorded_and_audited(six_months, officer_a):
    follow(officer_a, six_months)
    stored = SupportFollowUp.objects.get(pk=six_months.pk)
    assert (stored.done_on, stored.result, stored.checked_by) == (D(2026, 3, 2), "achieved", officer_a)
    entry = entries("support.follow_up.recorded", six_months.record).get()
    assert entry.changes == {"follow_up.alive_6m": [None, "achieved@2026-03-02"]}


def test_a_follow_up_not_achieved_needs_a_note(six_months, officer_a):
    error = refused(follow, officer_a, six_months, result="not_achieved", note="  ")
    assert (error.code, error.field) == ("required", "note")
    follow(officer_a, six_months, result="not_achieved", note="Một con bò chết.")
    assert SupportFollowUp.objects.get(pk=six_months.pk).note == "Một con bò chết."


@pytest.mark.parametrize("result", ["", "maybe", "ACHIEVED"])
def test_a_follow_up_result_must_be_achieved_or_not(six_months, officer_a, result):
    error = refused(follow, officer_a, six_months, result=result)
    assert (error.code, error.field) == ("invalid", "result")
    assert SupportFollowUp.objects.get(pk=six_months.pk).done_on is None


def test_a_follow_up_before_delivery_or_after_today_is_refused(six_months, officer_a):
    before = refused(follow, officer_a, six_months, day=DELIVERED_ON - datetime.timedelta(days=1))
    assert (before.code, before.field) == ("before_delivery", "done_on")
    future = refused(follow, officer_a, six_months, day=TODAY + datetime.timedelta(days=1))
    assert (future.code, future.field) == ("in_future", "done_on")
    assert follow(officer_a, six_months, day=DELIVERED_ON).done_on == DELIVERED_ON


def test_a_corrected_follow_up_keeps_the_earlier_result_in_the_audit(six_months, officer_a):
    follow(officer_a, six_months)
    follow(officer_a, six_months, day=D(2026, 3, 9), result="not_achieved", note="Bò bị bán.")
    latest = entries("support.follow_up.recorded", six_months.record).order_by("-id").first()
    assert latest.changes == {"follow_up.alive_6m": ["achieved@2026-03-02", "not_achieved@2026-03-09"]}


def test_another_communes_officer_does_not_see_the_follow_up(six_months, officer_b):
    with pytest.raises(NotFound):
        follow(officer_b, six_months)


# --- record_support: every bad input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "code", "field"),
    [
        ({"funding_source": "lottery"}, "invalid", "funding_source"),
        ({"quantity": 0}, "invalid", "quantity"),
        ({"quantity": 10_001}, "invalid", "quantity"),
        ({"amount": -1}, "invalid", "amount"),
        ({"amount": services.MAX_AMOUNT + 1}, "invalid", "amount"),
        ({"amount": 10, "cofinancing": 11}, "invalid", "cofinancing"),
        ({"amount": 10, "cofinancing": -1}, "invalid", "cofinancing"),
        ({"day": TODAY + datetime.timedelta(days=367)}, "too_far", "date"),
        ({"day": D(1999, 12, 31)}, "too_old", "date"),
        ({"code": "castle"}, "unknown_type", "type"),
        ({"code": "credit_poor"}, "use_loan", "type"),
        ({"day": D(2025, 1, 9)}, "not_eligible", "household"),  # the day before the household became poor
    ],
)
def test_bad_input_is_refused_naming_the_field_and_writes_nothing(poor_a, officer_a, extra, code, field):
    error = refused(record, officer_a, poor_a, **extra)
    assert (error.code, error.field) == (code, field)
    assert not SupportRecord.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="support.").exists()


def test_a_type_no_longer_in_use_is_refused(poor_a, officer_a):
    InterventionType.objects.filter(code="livestock_p3").update(active=False)
    assert refused(record, officer_a, poor_a).code == "unknown_type"


def test_a_user_without_the_right_to_record_is_refused(poor_a, chair_a):
    error = refused(record, chair_a, poor_a)
    assert (error.code, error.field) == ("no_right", "actor")


def test_the_amount_defaults_to_the_types_amount_times_the_quantity(poor_a, officer_a):
    InterventionType.objects.filter(code="training_p4").update(default_amount=3_500_000)
    assert record(officer_a, poor_a, "training_p4", quantity=2).amount == 7_000_000
    assert record(officer_a, poor_a, "training_p4", quantity=2, amount=1_000_000).amount == 1_000_000


def test_the_limits_themselves_are_accepted(poor_a, officer_a):
    edge = record(
        officer_a,
        poor_a,
        quantity=10_000,
        amount=services.MAX_AMOUNT,
        cofinancing=services.MAX_AMOUNT,
        day=TODAY + datetime.timedelta(days=366),
    )
    assert (edge.quantity, edge.amount, edge.cofinancing) == (10_000, services.MAX_AMOUNT, services.MAX_AMOUNT)


def test_a_cancellation_dated_after_today_is_refused(planned, officer_a):
    error = refused(cancel, officer_a, planned, day=timezone.localdate() + datetime.timedelta(days=1))
    assert (error.code, error.field) == ("in_future", "cancelled_on")
    assert SupportRecord.objects.get(pk=planned.pk).status == "planned"


def test_a_household_qualifies_from_the_day_its_status_is_decided(poor_a, officer_a):
    assert refused(record, officer_a, poor_a, day=POOR_SINCE - datetime.timedelta(days=1)).code == "not_eligible"
    assert record(officer_a, poor_a, day=POOR_SINCE).eligibility == ["hộ nghèo"]


# --- found in review: the same thing under another scheme, follow-ups after a cancellation or corrected ----


def test_a_house_under_one_scheme_bars_a_house_under_another(poor_a, officer_a, chair_a):
    Area.objects.filter(pk=poor_a.commune_id).update(is_poor_district=True)
    house = record(officer_a, poor_a, "housing_new_temp", D(2025, 4, 1))
    with pytest.raises(DomainError) as refused:
        record(officer_a, poor_a, "housing_new_p5", D(2025, 6, 1))
    assert refused.value.code == "not_eligible" and "cùng loại" in refused.value.message
    with pytest.raises(DomainError):
        record(officer_a, poor_a, "housing_repair_p5", D(2025, 6, 1))
    cancel(officer_a, house)  # the first was recorded by mistake: the household may get its house
    assert record(officer_a, poor_a, "housing_new_p5", D(2025, 6, 1)).amount == 40_000_000


def test_no_follow_up_result_on_a_cancelled_support_and_a_correction_needs_a_reason(poor_a, officer_a, chair_a):
    cows = deliver(officer_a, approve(chair_a, record(officer_a, poor_a)))
    first = cows.follow_ups.order_by("due_on").first()
    kwargs = {"actor": officer_a, "follow_up_id": first.pk, "today": TODAY}
    services.record_follow_up(**kwargs, done_on=first.due_on, result="achieved")
    with pytest.raises(DomainError) as no_reason:
        services.record_follow_up(**kwargs, done_on=first.due_on, result="not_achieved")
    assert no_reason.value.field == "note"
    services.record_follow_up(**kwargs, done_on=first.due_on, result="not_achieved", note="Ghi nhầm: một con chết.")
    first.refresh_from_db()
    assert (first.result, first.note) == ("not_achieved", "Ghi nhầm: một con chết.")
    cows.refresh_from_db()
    cancel(officer_a, cows, reason="Hộ trả lại bò.")
    with pytest.raises(DomainError) as cancelled:
        services.record_follow_up(**kwargs, done_on=first.due_on, result="achieved", note="Sửa lại.")
    assert (cancelled.value.code, cancelled.value.field) == ("cancelled", "follow_up")


# --- found in review (2): eligibility on the delivery day, cancellation dates, the program's start ----------


ESCAPED_ON = D(2025, 9, 15)  # poor_a leaves the lists: newly escaped for 36 months, until 15/09/2028


def escape(chair, household, day=ESCAPED_ON, to_status="not_poor"):
    program_services.record_status_change(
        actor=chair, household_id=household.pk, to_status=to_status, effective_date=day, decision_number="9/QĐ"
    )


def test_a_delivery_on_or_after_the_day_the_household_left_the_list_is_refused_naming_the_rule(
    poor_a, officer_a, chair_a
):
    card = approve(chair_a, record(officer_a, poor_a, "hi_poor", day=D(2025, 9, 1)))  # poor only, no window
    escape(chair_a, poor_a)
    error = refused(deliver, officer_a, card, day=ESCAPED_ON)
    assert (error.code, error.field) == ("not_eligible", "delivered_on")
    assert "Ngày giao hỗ trợ 15/09/2025" in error.message and "hộ không nghèo; chỉ hỗ trợ hộ nghèo" in error.message
    stored = SupportRecord.objects.get(pk=card.pk)
    assert (stored.status, stored.delivered_on, stored.version) == ("approved", None, card.version)
    assert not entries("support.record.delivered", card).exists()
    day_before = deliver(officer_a, card, day=ESCAPED_ON - datetime.timedelta(days=1))
    assert (day_before.status, day_before.eligibility, day_before.override_reason) == ("delivered", ["hộ nghèo"], "")


def test_a_delivery_the_day_the_newly_escaped_window_ends_is_refused_the_day_before_accepted(
    poor_a, officer_a, chair_a
):
    InterventionType.objects.filter(code="livestock_p3").update(newly_escaped_months=3)  # a setting per benefit
    escape(chair_a, poor_a)
    window_end = D(2025, 12, 15)
    cows = record(officer_a, poor_a, day=D(2025, 12, 1))
    assert cows.eligibility == ["hộ mới thoát nghèo (đến 15/12/2025)"]
    cows = approve(chair_a, cows, day=D(2025, 12, 2))
    error = refused(deliver, officer_a, cows, day=window_end)
    assert (error.code, error.field) == ("not_eligible", "delivered_on")
    assert "đã hết thời gian hộ mới thoát nghèo ngày 15/12/2025" in error.message
    assert deliver(officer_a, cows, day=window_end - datetime.timedelta(days=1)).status == "delivered"


def test_district_staff_deliver_to_a_household_no_longer_eligible_with_a_written_reason_audited(
    poor_a, officer_a, chair_a, district_staff
):
    card = approve(chair_a, record(officer_a, poor_a, "hi_poor", day=D(2025, 9, 1)))
    escape(chair_a, poor_a)
    late = D(2025, 9, 20)
    no_right = refused(deliver, officer_a, card, day=late, override_reason="Đã mua thẻ trước khi hộ thoát nghèo.")
    assert (no_right.code, no_right.field) == ("no_override_right", "override_reason")
    no_reason = refused(deliver, district_staff, card, day=late, override_reason="   ")
    assert (no_reason.code, no_reason.field) == ("not_eligible", "delivered_on")
    done = deliver(
        district_staff, card, day=late, override_reason=" Đã mua thẻ trước khi hộ thoát nghèo. ", note="Biên bản 3"
    )
    stored = SupportRecord.objects.get(pk=card.pk)
    assert (stored.status, stored.override_reason) == ("delivered", "Đã mua thẻ trước khi hộ thoát nghèo.")
    assert stored.eligibility == ["ngày 20/09/2025 hộ là hộ không nghèo; chỉ hỗ trợ hộ nghèo"]
    entry = entries("support.record.delivered", done).get()
    assert entry.actor == district_staff
    assert entry.changes["eligibility"] == [["hộ nghèo"], stored.eligibility]
    assert entry.reason == "Đã mua thẻ trước khi hộ thoát nghèo.\nBiên bản 3"


def test_a_record_already_overridden_is_not_refused_again_at_delivery(poor_a, officer_a, chair_a, district_staff):
    escape(chair_a, poor_a)
    card = record(district_staff, poor_a, "hi_poor", day=D(2025, 10, 1), override_reason="Hộ khó khăn đột xuất.")
    delivered = deliver(officer_a, approve(chair_a, card), day=D(2025, 10, 5))
    assert (delivered.status, delivered.override_reason) == ("delivered", "Hộ khó khăn đột xuất.")


def test_the_one_house_being_delivered_does_not_count_against_itself(poor_a, officer_a, chair_a):
    Area.objects.filter(pk=poor_a.commune_id).update(is_poor_district=True)
    house = approve(chair_a, record(officer_a, poor_a, "housing_new_p5"))
    assert deliver(officer_a, house).status == "delivered"


@pytest.mark.parametrize(
    ("state", "day", "code"),
    [
        ("approved", APPROVED_ON - datetime.timedelta(days=1), "before_approval"),
        ("delivered", DELIVERED_ON - datetime.timedelta(days=1), "before_delivery"),
    ],
)
def test_a_cancellation_dated_before_the_approval_or_the_delivery_is_refused(state, day, code, request, officer_a):
    support = request.getfixturevalue(state)
    error = refused(cancel, officer_a, support, day=day)
    assert (error.code, error.field) == (code, "cancelled_on")
    assert SupportRecord.objects.get(pk=support.pk).status == state
    on_the_day = day + datetime.timedelta(days=1)
    assert cancel(officer_a, support, day=on_the_day).cancelled_on == on_the_day


def test_a_support_of_a_program_project_dated_before_the_program_is_refused(household_a, officer_a, chair_a):
    program_services.record_status_change(
        actor=chair_a,
        household_id=household_a.pk,
        to_status="poor",
        effective_date=D(2019, 6, 1),
        decision_number="1/QĐ",
    )
    error = refused(record, officer_a, household_a, day=D(2020, 12, 31))
    assert (error.code, error.field) == ("before_program", "date")
    assert "01/01/2021" in error.message
    assert not SupportRecord.objects.exists()
    assert record(officer_a, household_a, day=D(2021, 1, 1)).status == "planned"
    # a policy outside the program (health insurance) is older than it
    assert record(officer_a, household_a, "hi_poor", day=D(2020, 6, 1)).status == "planned"
