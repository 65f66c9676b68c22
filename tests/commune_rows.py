"""The rows of one commune: which rows belong to an area (`area_lookups`, the walk of their foreign keys), and a
row of every kind made by the services as its officers would (`legacy_district` over it; `fill_commune`: for a poor
household, the 2026 periodic review with its case, reminders, survey, meeting, posting and complaint, a target, a
report job, an Excel upload, a support delivered with its follow-ups, a loan repaid in part, a budget, the API
token of a machine acting for the commune and a record of the access log). Shared by the scope matrix
(tests/test_scope_matrix.py) and the security probe's world (bench/security_world.py), which marks every free text
of the commune with `mark`.
"""

import datetime
from collections.abc import Iterator
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model
from knox.models import AuthToken

from households import rules
from households.models import Area, Household, User
from households.services import record_access
from programs.imports.models import ImportBatch
from programs.reporting import services as reporting
from programs.reporting.models import ReportJob
from programs.review import services as workflow
from programs.review.services import calendar as reminders
from support import services as support
from tests.programs.review_helpers import TODAY, case_of, insure, meet, open_review, post, survey

D = datetime.date
RICH = 5_000_000


def area_lookups(model: type[Model], path: tuple[str, ...] = (), seen: tuple[type[Model], ...] = ()) -> Iterator[str]:
    """The lookups from `model` to an area through foreign keys: "commune", "household__commune",
    "record__household__village", "recorded_by__area"... ("" for an area itself): a row belongs to the areas its
    foreign keys lead to."""
    if model is Area:
        yield "__".join(path)
        return
    if len(path) == 5 or model in seen:
        return
    for field in model._meta.get_fields():
        if field.concrete and (field.many_to_one or field.one_to_one) and field.related_model is not ContentType:
            yield from area_lookups(field.related_model, (*path, field.name), (*seen, model))


def legacy_district(province: Area, commune: Area) -> Area:
    """A legacy district over `commune` only (the district level is optional, domain A7); the commune moves under it."""
    district = Area.objects.create(
        code=f"{province.code}-H99",
        name="Huyện cũ (kiểm thử)",
        name_search="huyen cu (kiem thu)",
        level=rules.Level.DISTRICT,
        parent=province,
        province=province,
        path=f"{province.path}{province.code}-H99/",
    )
    commune.parent = district
    commune.path = f"{district.path}{commune.code}/"
    commune.save()
    return district


def fill_commune(household: Household, *, officer: User, chair: User, manager: User, mark: str = "") -> None:
    """The rows of every kind for a poor `household`: its officer works them, its chair approves, `manager` (province
    staff or a program admin) sets the target and the budget. `mark` ends every free text when given."""

    def text(value: str, label: str) -> str:
        return f"{value} {mark}-{label}" if mark else value

    commune = household.commune
    insure(household)
    open_review(commune)
    reminders.send_review_reminders(today=D(2026, 10, 9))
    survey(officer, household, income=RICH)
    case = post(officer, meet(officer, case_of(household), attendees=40, agreeing=30))
    workflow.file_complaint(
        actor=officer,
        case_id=case.pk,
        expected_version=case.version,
        received_on=D(2026, 10, 27),
        complainant=text("Nguyễn Văn Hàng xóm", "COMPLAINANT"),
        content=text("Hộ có xe máy mới.", "COMPLAINT"),
        today=TODAY,
    )
    reporting.set_target(
        actor=manager, area_id=commune.pk, year=2026, measure="poor", kind="max_rate", value=Decimal(5)
    )
    ReportJob.objects.create(requested_by=officer, area=commune, year=2026, kind="summary")
    ImportBatch.objects.create(
        commune=commune,
        uploaded_by=officer,
        filename=text("xa", "UPLOAD") + ".xlsx",
        sha256=f"{commune.pk:064d}",
        status="refused",
    )
    record = support.record_support(
        actor=officer,
        household_id=household.pk,
        type_code="livestock_p3",
        date=D(2026, 3, 1),
        funding_source="central",
        amount=20_000_000,
        note=text("", "SUPPORT").strip(),
    )
    record = support.approve_support(actor=chair, record_id=record.pk, version=record.version, day=D(2026, 3, 5))
    support.deliver_support(actor=officer, record_id=record.pk, version=record.version, delivered_on=D(2026, 3, 10))
    loan = support.record_loan(
        actor=officer,
        household_id=household.pk,
        principal=50_000_000,
        term_months=240,
        disbursed_on=D(2026, 2, 1),
        purpose=text("Mua bò giống", "LOAN"),
        contract_number=text("", "CONTRACT").strip(),
    )
    support.record_repayment(
        actor=officer, loan_id=loan.pk, version=loan.version, date=D(2026, 5, 1), principal=1_000_000, today=TODAY
    )
    support.set_budget(
        actor=manager,
        area_id=commune.pk,
        year=2026,
        project="P3",
        funding_source="central",
        amount=100_000_000,
        decision=text("", "BUDGET").strip(),
    )
    if not AuthToken.objects.filter(user=officer).exists():
        AuthToken.objects.create(user=officer)  # the API token of a machine acting for the commune
    record_access(
        actor=officer,
        door="api",
        action="view",
        resource="hộ gia đình",
        path=f"/api/v1/households/{household.pk}/",
        ip="127.0.0.1",
        household_ids=[household.pk],
    )  # the officer read a household of the commune (the access log)
