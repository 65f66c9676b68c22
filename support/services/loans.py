"""Preferential loans of the policy bank (Part B §5.3), as the bank reported them (the bank is the system of
record): a loan with its support record, delivered on the disbursement date (`record_loan`), and its repayments
(`record_repayment`)."""

import datetime

from django.db import transaction
from django.utils import timezone

from config.errors import DomainError, NotFound, StaleVersion
from config.formats import number
from households.models import User
from households.rules import SUPPORT_RECORD
from households.services import log_action
from programs import rules as program_rules
from support import rules
from support.models import FundingSource, InterventionType, Kind, Loan, LoanRepayment, RecordStatus
from support.services.checks import MAX_AMOUNT, active_type, check_day, locked_household, require
from support.services.follow_ups import schedule_follow_ups
from support.services.records import new_record, status_history


@transaction.atomic
def record_loan(
    *,
    actor: User,
    household_id: int,
    principal: int,
    term_months: int,
    disbursed_on: datetime.date,
    purpose: str,
    type_code: str = "",
    annual_rate_bp: int | None = None,
    contract_number: str = "",
    override_reason: str = "",
    note: str = "",
    today: datetime.date | None = None,
) -> Loan:
    """A policy-bank loan the household received, as the bank reported it (the bank is the system of record).
    The credit type defaults from the household's status at disbursement (poor 6.6%, near-poor 7.92%, newly
    escaped 8.25% for at most 5 years); its support record is delivered on the disbursement date."""
    require(actor, SUPPORT_RECORD, "ghi hỗ trợ")
    household = locked_household(actor, household_id)
    today = today or timezone.localdate()
    check_day(disbursed_on, today, "disbursed_on", "Ngày giải ngân")
    if not type_code:
        history = status_history(household.pk)
        status = program_rules.status_on(history, disbursed_on)
        # the newly-escaped window is a setting per benefit (shared/domain.md A5): that of the newly-escaped loan
        # type, else the field's default (the household's own window)
        window = (
            InterventionType.objects.filter(code=rules.credit_type_for("not_poor", True))
            .values_list("newly_escaped_months", flat=True)
            .first()
        )
        months = program_rules.NEWLY_ESCAPED_MONTHS if window is None else window
        newly = rules.newly_escaped_on(history, disbursed_on, months)
        type_code = rules.credit_type_for(status, newly) or ""
        if not type_code:
            raise DomainError(
                "not_eligible",
                f"Ngày {disbursed_on:%d/%m/%Y} hộ không phải hộ nghèo, cận nghèo hay mới thoát nghèo; "
                "hãy chọn chương trình vay.",
                "type",
            )
    intervention_type = active_type(type_code)
    if intervention_type.kind != Kind.CREDIT:
        raise DomainError("not_credit", f"“{intervention_type.name}” không phải một chương trình tín dụng.", "type")
    if not 1 <= principal <= MAX_AMOUNT:
        raise DomainError("invalid", "Số tiền vay phải là số nguyên dương (đồng), tối đa 10 tỷ.", "principal")
    if not 1 <= term_months <= 360:
        raise DomainError("invalid", "Thời hạn vay phải từ 1 đến 360 tháng.", "term_months")
    if intervention_type.max_term_months and term_months > intervention_type.max_term_months:
        raise DomainError(
            "term_too_long",
            f"{intervention_type.name}: thời hạn vay tối đa {intervention_type.max_term_months} tháng.",
            "term_months",
        )
    rate = intervention_type.annual_rate_bp if annual_rate_bp is None else annual_rate_bp
    if rate is None or not 0 <= rate <= 10_000:
        raise DomainError("invalid", "Lãi suất năm phải từ 0 đến 10.000 phần vạn (0-100%).", "annual_rate_bp")
    purpose = purpose.strip()
    if not purpose:
        raise DomainError("required", "Phải ghi mục đích vay.", "purpose")
    record = new_record(
        actor=actor,
        household=household,
        intervention_type=intervention_type,
        date=disbursed_on,
        funding_source=FundingSource.POLICY_BANK,
        quantity=1,
        amount=principal,
        cofinancing=0,
        override_reason=override_reason,
        note=note,
        today=today,
    )
    # the bank decided and disbursed: the record is delivered on the disbursement date
    record.status, record.approved_on, record.delivered_on = RecordStatus.DELIVERED, disbursed_on, disbursed_on
    record.save(update_fields=["status", "approved_on", "delivered_on"])
    schedule_follow_ups(record, disbursed_on)
    loan = Loan.objects.create(
        record=record,
        purpose=purpose[:200],
        principal=principal,
        annual_rate_bp=rate,
        term_months=term_months,
        disbursed_on=disbursed_on,
        maturity_on=rules.loan_maturity(disbursed_on, term_months),
        contract_number=contract_number.strip()[:60],
    )
    log_action(
        actor=actor,
        action="support.loan.recorded",
        obj=record,
        changes={
            "principal": (None, principal),
            "annual_rate_bp": (None, rate),
            "term_months": (None, term_months),
            "maturity_on": (None, loan.maturity_on.isoformat()),
        },
        reason=purpose,
        household=household,
    )
    return loan


@transaction.atomic
def record_repayment(
    *,
    actor: User,
    loan_id: int,
    version: int | None,
    date: datetime.date,
    principal: int,
    interest: int = 0,
    note: str = "",
    today: datetime.date | None = None,
) -> LoanRepayment:
    """A repayment the bank reported: principal lowers the balance; it never exceeds what is owed."""
    require(actor, SUPPORT_RECORD, "ghi hỗ trợ")
    loan: Loan | None = (
        Loan.objects.visible_to(actor)
        .select_for_update(of=("self",))
        .select_related("record__household")
        .filter(pk=loan_id)
        .first()
    )
    if loan is None:
        raise NotFound("Không tìm thấy khoản vay.", "loan")
    if version is not None and version != loan.version:
        raise StaleVersion("Khoản vay đã được người khác cập nhật; hãy tải lại rồi làm lại.")
    check_day(date, today or timezone.localdate(), "date", "Ngày trả")
    if date < loan.disbursed_on:
        raise DomainError(
            "before_disbursement", f"Ngày trả trước ngày giải ngân ({loan.disbursed_on:%d/%m/%Y}).", "date"
        )
    if not 0 <= interest <= MAX_AMOUNT:
        raise DomainError("invalid", "Tiền lãi phải là số nguyên không âm (đồng).", "interest")
    if not 0 <= principal <= loan.balance:
        raise DomainError(
            "over_balance", f"Tiền gốc phải từ 0 đến dư nợ còn lại ({number(loan.balance)} đồng).", "principal"
        )
    if principal == 0 and interest == 0:
        raise DomainError("invalid", "Phải có tiền gốc hoặc tiền lãi.", "principal")
    repayment = LoanRepayment.objects.create(
        loan=loan, date=date, principal=principal, interest=interest, recorded_by=actor, note=note.strip()[:255]
    )
    before = loan.balance
    loan.repaid += principal
    loan.version += 1
    loan.save(update_fields=["repaid", "version"])
    log_action(
        actor=actor,
        action="support.loan.repaid",
        obj=loan.record,
        changes={"balance": (before, loan.balance), "interest": (None, interest), "date": (None, date.isoformat())},
        reason=note,
        household=loan.record.household,
    )
    return repayment
