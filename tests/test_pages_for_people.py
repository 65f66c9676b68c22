"""The admin's read-only pages read as documents for people (STYLE 33): no database ids, hashes, raw JSON lists or
English field names; money as "1.200.000 đ"; the parts of a review case that do not apply yet are not shown."""

import datetime
import re
from html import unescape

import pytest
from django.test import Client

from programs.models import ImportBatch, StatusChange
from support import services as support_services
from support.models import InterventionType
from tests.programs.review_helpers import DEPRIVED_THREE, case_of, insure, make_poor, open_review, survey

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def main_text(response) -> str:
    html = response.content.decode().split('id="content-main"')[-1]
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_a_status_change_shows_no_database_id(chair_a, household_a, admin_user):
    make_poor(household_a, admin_user)
    change = StatusChange.objects.get()
    page = client_for(chair_a).get(f"/admin/programs/statuschange/{change.pk}/change/")
    text = main_text(page)
    assert page.status_code == 200 and "Hộ nghèo phát sinh" in text and "12/QĐ-UBND" in text
    assert "ID:" not in text and "Id:" not in text


def test_a_support_type_reads_as_labels_and_money_to_those_who_only_read_it(province_staff):
    housing = InterventionType.objects.get(code="housing_new_p5")
    housing.default_amount = 12_500_000
    housing.save(update_fields=["default_amount"])
    page = client_for(province_staff).get(f"/admin/support/interventiontype/{housing.pk}/change/")
    assert page.status_code == 200
    text = main_text(page)
    assert "12.500.000 đ" in text and "Hộ nghèo, Hộ cận nghèo" in text
    assert "Chất lượng nhà ở, Diện tích nhà ở bình quân đầu người" in text
    assert not [token for token in ('["', "poor", "Reason", "None", "12500000") if token in text]


def test_an_import_batch_shows_its_result_not_its_hash(officer_a, commune_a):
    batch = ImportBatch.objects.create(
        commune=commune_a,
        uploaded_by=officer_a,
        filename="ho.xlsx",
        sha256="ab" * 32,
        status="committed",
        rows=3,
        created={"households_created": 2, "members_created": 5, "assessments": 2},
    )
    text = main_text(client_for(officer_a).get(f"/admin/programs/importbatch/{batch.pk}/change/"))
    assert "Đã ghi 2 hộ mới" in text and "ab" * 32 not in text and '{"' not in text


def test_a_review_case_shows_the_steps_it_reached_and_its_history_in_words(household_a, admin_user, officer_a):
    insure(household_a)
    make_poor(household_a, admin_user)
    open_review(household_a.commune)
    client = client_for(officer_a)
    waiting = main_text(client.get(f"/admin/programs/reviewcase/{case_of(household_a).pk}/change/"))
    assert "Chờ khảo sát" in waiting
    assert not [part for part in ("Họp thôn", "Niêm yết công khai", "Quyết định", "Phiên bản") if part in waiting]
    survey(officer_a, household_a, income=500_000, answers=DEPRIVED_THREE)
    case = case_of(household_a)
    text = main_text(client.get(f"/admin/programs/reviewcase/{case.pk}/change/"))
    assert "Khảo sát, phân loại" in text and "Họp thôn" not in text
    assert "gắn phiếu khảo sát vào hồ sơ" in text  # the history: the action in words
    assert "Bước — Chờ khảo sát → Đã khảo sát, phân loại" in text
    assert f"Phiếu khảo sát — phiếu ngày 01/10/2026, số {case.assessment_id}" in text
    assert "programs.review_case" not in text and "surveyed" not in text


def test_a_loan_shows_its_repayments_as_money_and_no_version(officer_a, household_a, admin_user):
    make_poor(household_a, admin_user, datetime.date(2025, 1, 10))
    loan = support_services.record_loan(
        actor=officer_a,
        household_id=household_a.pk,
        principal=30_000_000,
        term_months=36,
        disbursed_on=datetime.date(2026, 1, 14),
        purpose="Chăn nuôi",
    )
    support_services.record_repayment(
        actor=officer_a,
        loan_id=loan.pk,
        version=loan.version,
        date=datetime.date(2026, 7, 13),
        principal=5_000_000,
        interest=1_188_000,
    )
    text = main_text(client_for(officer_a).get(f"/admin/support/loan/{loan.pk}/change/"))
    assert "13/07/2026 5.000.000 đ 1.188.000 đ" in text and "Dư nợ: 25.000.000 đ" in text
    assert "(đồng)" not in text  # the unit is in the amount, not in the label
    assert "5000000" not in text and "Phiên bản" not in text


def test_a_support_record_shows_its_amounts_as_money(officer_a, household_a, admin_user):
    make_poor(household_a, admin_user, datetime.date(2025, 1, 10))
    record = support_services.record_support(
        actor=officer_a,
        household_id=household_a.pk,
        type_code="livestock_p3",
        date=datetime.date(2026, 3, 2),
        funding_source="central",
        quantity=2,
        amount=30_000_000,
        cofinancing=5_000_000,
    )
    text = main_text(client_for(officer_a).get(f"/admin/support/supportrecord/{record.pk}/change/"))
    assert "Số tiền: 30.000.000 đ" in text and "Hộ đối ứng: 5.000.000 đ" in text
    assert "30000000" not in text and "(đồng)" not in text
