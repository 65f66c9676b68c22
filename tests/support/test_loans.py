"""Policy-bank loans as the commune records them (domain A8, Part B §5.3): the type and rate follow the household's
status on the disbursement date (poor 6.6%, near-poor 7.92%, newly escaped 8.25% for at most 5 years); the
support record is delivered on that date with its follow-up; repayments lower the balance and never exceed it."""

import datetime

import pytest

from config.errors import DomainError, NotFound, StaleVersion
from households.models import AuditEntry
from programs.standards import services as program_services
from support import services
from support.models import InterventionType, Loan, LoanRepayment, SupportFollowUp, SupportRecord

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = D(2026, 11, 20)
POOR_ON = D(2022, 12, 20)
NEAR_POOR_ON = D(2024, 6, 1)
ESCAPED_ON = D(2025, 1, 15)  # newly escaped until 15/01/2028 (36 months)


def decide(household, chair, *changes):
    for day, status in changes:
        program_services.record_status_change(
            actor=chair, household_id=household.pk, to_status=status, effective_date=day, decision_number="5/QĐ"
        )
    household.refresh_from_db()
    return household


@pytest.fixture
def moving_a(household_a, chair_a):
    """Poor from 20/12/2022, near-poor from 01/06/2024, off the lists from 15/01/2025."""
    return decide(household_a, chair_a, (POOR_ON, "poor"), (NEAR_POOR_ON, "near_poor"), (ESCAPED_ON, "not_poor"))


def lend(actor, household, day, **extra):
    extra.setdefault("principal", 50_000_000)
    extra.setdefault("term_months", 36)
    extra.setdefault("purpose", "Chăn nuôi bò sinh sản")
    extra.setdefault("today", TODAY)
    return services.record_loan(actor=actor, household_id=household.pk, disbursed_on=day, **extra)


def refused(call, *args, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as error:
        call(*args, **kwargs)
    return error.value


@pytest.mark.parametrize(
    ("day", "code", "rate"),
    [
        (POOR_ON, "credit_poor", 660),
        (NEAR_POOR_ON - datetime.timedelta(days=1), "credit_poor", 660),
        (NEAR_POOR_ON, "credit_near_poor", 792),
        (ESCAPED_ON - datetime.timedelta(days=1), "credit_near_poor", 792),
        (ESCAPED_ON, "credit_newly_escaped", 825),
        (D(2028, 1, 14), "credit_newly_escaped", 825),  # the last day of the 36 months
    ],
)
def test_the_type_and_rate_follow_the_status_on_the_disbursement_date(moving_a, officer_a, day, code, rate):
    today = max(TODAY, day)
    loan = lend(officer_a, moving_a, day, term_months=24, today=today)
    assert loan.record.intervention_type.code == code
    assert loan.annual_rate_bp == rate


def test_after_the_window_no_production_loan_type_applies(moving_a, officer_a):
    error = refused(lend, officer_a, moving_a, D(2028, 1, 15), today=D(2028, 2, 1))
    assert (error.code, error.field) == ("not_eligible", "type")
    assert "15/01/2028" in error.message
    assert not Loan.objects.exists()


def test_a_household_never_poor_has_no_default_type(household_a, officer_a):
    assert refused(lend, officer_a, household_a, D(2025, 3, 1)).code == "not_eligible"


def test_a_loan_is_recorded_delivered_with_its_maturity_follow_up_and_audit(moving_a, officer_a):
    loan = lend(officer_a, moving_a, D(2023, 1, 31), contract_number=" 123/HĐ ")
    stored = Loan.objects.select_related("record").get(pk=loan.pk)
    assert (stored.principal, stored.term_months, stored.maturity_on) == (50_000_000, 36, D(2026, 1, 31))
    assert stored.contract_number == "123/HĐ" and stored.balance == 50_000_000
    record = stored.record
    assert (record.status, record.approved_on, record.delivered_on, record.date) == (
        "delivered",
        D(2023, 1, 31),
        D(2023, 1, 31),
        D(2023, 1, 31),
    )
    assert (record.amount, record.funding_source, record.cofinancing) == (50_000_000, "policy_bank", 0)
    assert list(SupportFollowUp.objects.filter(record=record).values_list("code", "due_on")) == [
        ("loan_use_3m", D(2023, 4, 30))
    ]
    entry = AuditEntry.objects.get(action="support.loan.recorded", object_id=str(record.pk))
    assert entry.changes["maturity_on"] == [None, "2026-01-31"] and entry.changes["annual_rate_bp"] == [None, 660]


def test_a_newly_escaped_household_borrows_for_at_most_five_years(moving_a, officer_a):
    day = D(2025, 6, 1)
    error = refused(lend, officer_a, moving_a, day, term_months=61)
    assert (error.code, error.field) == ("term_too_long", "term_months")
    assert "60 tháng" in error.message
    assert lend(officer_a, moving_a, day, term_months=60).maturity_on == D(2030, 6, 1)


def test_a_poor_household_may_borrow_longer(moving_a, officer_a):
    assert lend(officer_a, moving_a, D(2023, 2, 1), term_months=120).maturity_on == D(2033, 2, 1)


def test_an_explicit_type_the_household_does_not_qualify_for_is_refused_naming_the_rule(moving_a, officer_a):
    error = refused(lend, officer_a, moving_a, D(2025, 6, 1), type_code="credit_poor")
    assert (error.code, error.field) == ("not_eligible", "household")
    assert "ngày 01/06/2025 hộ là hộ không nghèo; chỉ hỗ trợ hộ nghèo" in error.message


def test_an_override_needs_the_right_and_a_reason(moving_a, officer_a, province_staff):
    reason = "Hộ gặp thiên tai, UBND tỉnh cho vay theo chương trình hộ nghèo."
    error = refused(lend, officer_a, moving_a, D(2025, 6, 1), type_code="credit_poor", override_reason=reason)
    assert (error.code, error.field) == ("no_override_right", "override_reason")
    loan = lend(province_staff, moving_a, D(2025, 6, 1), type_code="credit_poor", override_reason=reason)
    assert loan.annual_rate_bp == 660 and loan.record.override_reason == reason
    assert AuditEntry.objects.filter(action="support.record.overridden", object_id=str(loan.record_id)).exists()


def test_a_rate_given_by_the_bank_replaces_the_default(moving_a, officer_a):
    assert (
        lend(officer_a, moving_a, D(2023, 2, 1), type_code="credit_housing", annual_rate_bp=300).annual_rate_bp == 300
    )
    assert lend(officer_a, moving_a, D(2023, 3, 1), annual_rate_bp=0).annual_rate_bp == 0


@pytest.mark.parametrize(
    ("extra", "code", "field"),
    [
        ({"principal": 0}, "invalid", "principal"),
        ({"principal": services.MAX_AMOUNT + 1}, "invalid", "principal"),
        ({"term_months": 0}, "invalid", "term_months"),
        ({"term_months": 361}, "invalid", "term_months"),
        ({"annual_rate_bp": 10_001}, "invalid", "annual_rate_bp"),
        ({"annual_rate_bp": -1}, "invalid", "annual_rate_bp"),
        ({"purpose": "  "}, "required", "purpose"),
        ({"type_code": "livestock_p3"}, "not_credit", "type"),
        ({"type_code": "castle"}, "unknown_type", "type"),
        ({"day": TODAY + datetime.timedelta(days=1)}, "in_future", "disbursed_on"),
    ],
)
def test_bad_loan_input_is_refused_naming_the_field(moving_a, officer_a, extra, code, field):
    day = extra.pop("day", D(2023, 2, 1))
    error = refused(lend, officer_a, moving_a, day, **extra)
    assert (error.code, error.field) == (code, field)
    assert not SupportRecord.objects.exists() and not Loan.objects.exists()


def test_a_loan_cannot_be_cancelled_as_a_support(moving_a, officer_a):
    loan = lend(officer_a, moving_a, D(2023, 2, 1))
    error = refused(services.cancel_support, actor=officer_a, record_id=loan.record_id, version=None, reason="Nhầm.")
    assert error.code == "loan"
    assert SupportRecord.objects.get(pk=loan.record_id).status == "delivered"


# --- repayments ------------------------------------------------------------------------------------------------


@pytest.fixture
def loan(moving_a, officer_a):
    return lend(officer_a, moving_a, D(2023, 2, 1), principal=30_000_000)


def repay(actor, loan, day, principal, version="current", **extra):
    version = Loan.objects.get(pk=loan.pk).version if version == "current" else version
    extra.setdefault("today", TODAY)
    return services.record_repayment(
        actor=actor, loan_id=loan.pk, version=version, date=day, principal=principal, **extra
    )


def test_repayments_lower_the_balance_to_zero(loan, officer_a):
    repay(officer_a, loan, D(2024, 2, 1), 10_000_000, interest=1_980_000)
    repay(officer_a, loan, D(2025, 2, 1), 12_500_000)
    assert Loan.objects.get(pk=loan.pk).balance == 30_000_000 - 10_000_000 - 12_500_000
    repay(officer_a, loan, D(2026, 2, 1), 7_500_000)
    stored = Loan.objects.get(pk=loan.pk)
    assert (stored.repaid, stored.balance, stored.version) == (30_000_000, 0, loan.version + 3)
    assert sum(LoanRepayment.objects.filter(loan=loan).values_list("principal", flat=True)) == 30_000_000
    balances = [
        e.changes["balance"]
        for e in AuditEntry.objects.filter(action="support.loan.repaid", object_id=str(loan.record_id)).order_by("id")
    ]
    assert balances == [[30_000_000, 20_000_000], [20_000_000, 7_500_000], [7_500_000, 0]]


def test_an_overpayment_is_refused_naming_the_principal_and_the_balance(loan, officer_a):
    repay(officer_a, loan, D(2024, 2, 1), 10_000_000)
    error = refused(repay, officer_a, loan, D(2024, 3, 1), 20_000_001)
    assert (error.code, error.field) == ("over_balance", "principal")
    assert "20.000.000" in error.message
    assert Loan.objects.get(pk=loan.pk).balance == 20_000_000


def test_only_interest_is_a_repayment_too_but_nothing_is_not(loan, officer_a):
    repay(officer_a, loan, D(2024, 2, 1), 0, interest=165_000)
    assert Loan.objects.get(pk=loan.pk).balance == 30_000_000
    error = refused(repay, officer_a, loan, D(2024, 3, 1), 0)
    assert (error.code, error.field) == ("invalid", "principal")
    negative = refused(repay, officer_a, loan, D(2024, 3, 1), 1, interest=-1)
    assert (negative.code, negative.field) == ("invalid", "interest")


def test_a_repayment_before_disbursement_or_after_today_is_refused(loan, officer_a):
    before = refused(repay, officer_a, loan, D(2023, 1, 31), 1_000_000)
    assert (before.code, before.field) == ("before_disbursement", "date")
    future = refused(repay, officer_a, loan, TODAY + datetime.timedelta(days=1), 1_000_000)
    assert (future.code, future.field) == ("in_future", "date")
    assert repay(officer_a, loan, D(2023, 2, 1), 1_000_000).date == D(2023, 2, 1)
    assert not LoanRepayment.objects.exclude(date=D(2023, 2, 1)).exists()


def test_a_repayment_on_a_stale_version_is_a_conflict(loan, officer_a, district_staff):
    seen = loan.version
    repay(officer_a, loan, D(2024, 2, 1), 1_000_000)
    with pytest.raises(StaleVersion) as stale:
        repay(district_staff, loan, D(2024, 2, 2), 1_000_000, version=seen)
    assert stale.value.http_status == 409
    assert Loan.objects.get(pk=loan.pk).balance == 29_000_000


def test_another_communes_officer_does_not_see_the_loan(loan, officer_b):
    with pytest.raises(NotFound):
        repay(officer_b, loan, D(2024, 2, 1), 1_000_000, version=None)


# --- found in review (2) ------------------------------------------------------------------------------------


def test_the_default_loan_type_reads_the_newly_escaped_window_of_the_loan_type(moving_a, officer_a):
    """The newly-escaped window is a setting per benefit (A5): a longer window on the newly-escaped loan type
    applies when the type is left to default, as when it is chosen."""
    InterventionType.objects.filter(code="credit_newly_escaped").update(newly_escaped_months=48)
    later = D(2028, 3, 1)  # 37 months after the escape: within 48
    loan = lend(officer_a, moving_a, later, term_months=24, today=D(2028, 4, 1))
    assert (loan.record.intervention_type.code, loan.annual_rate_bp) == ("credit_newly_escaped", 825)
    assert loan.record.eligibility == ["hộ mới thoát nghèo (đến 15/01/2029)"]
