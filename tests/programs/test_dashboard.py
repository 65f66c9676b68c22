"""The poverty-reduction dashboard in the admin (Part B §6.2): an area in scope and a year, the figures and their
change, the targets, charts as inline SVG, the tables behind them; a recomputation and a target for those who
manage statistics.

Five households with known histories (worked out by hand below), their figures computed by
`statistics.refresh_figures`, then read through the page as province staff, as the officer of commune A and as
the program admin."""

import datetime
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from households import services as household_services
from households.models import Member
from programs import tasks
from programs.models import Assessment, CommuneYearFigures, PovertyTarget
from programs.reporting import services as statistics
from programs.reporting.dashboard import deprivation_chart, num, pct, points, ranking_chart, rates_chart
from programs.standards import services as program_services

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = D(2026, 11, 20)
URL = "/admin/programs/povertytarget/dashboard/"
BAD_HOUSE = {  # 2 of 3 structures not durable: deprived in housing quality (A4)
    "has_house": True,
    "floor_area_m2": "60",
    "foundation_frame_durable": True,
    "walls_durable": False,
    "roof_durable": False,
}
GOOD_HOUSE = BAD_HOUSE | {"walls_durable": True, "roof_durable": True}
ANSWERED_NONE = {"employment": False, "water": False, "sanitation": False, "telecom": False}
# status decisions per household: (day, status)
HISTORIES = {
    "A1": [(D(2022, 12, 20), "poor"), (D(2024, 12, 20), "not_poor"), (D(2025, 12, 15), "poor")],  # escaped, relapsed
    "A2": [(D(2022, 12, 20), "near_poor")],
    "A3": [],
    "B1": [(D(2023, 12, 20), "poor")],  # H'Mông, ethnic minority
    "B2": [(D(2022, 12, 20), "poor"), (D(2025, 12, 10), "near_poor")],
}


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# the causes of poverty ticked on each household's survey (A3 is never on a list: its cause never counts)
CAUSES = {"A1": ("land", "capital"), "A2": (), "A3": ("other",), "B1": ("capital",), "B2": ("illness",)}


def survey(officer, household, house, causes=()):
    """A survey on 01/10/2022: the household is known from then on, deprived in housing quality or not."""
    Member.objects.filter(household=household).update(
        health_insurance_number="DN4150000000001",
        health_insurance_valid_until=D(2027, 12, 31),
        education_level="upper_secondary",
    )
    Member.objects.filter(household=household, relation="child").update(schooling="lower_secondary")
    return program_services.record_assessment(
        actor=officer,
        household_id=household.pk,
        survey_date=D(2022, 10, 1),
        review_year=2022,
        income_per_capita=1_000_000,
        dwelling=house,
        member_extras={m.pk: {"stunted": False, "underweight": False} for m in household.members.all()},
        answers=ANSWERED_NONE | {"information_access": False},
        causes=list(causes),
        today=TODAY,
    )


@pytest.fixture
def seeded(make_household, commune_a, commune_b, officer_a, officer_b, chair_a, admin_user, hmong):
    chair_b = household_services.create_officer(actor=None, username="chutich_b", role="commune_chair", area=commune_b)
    head = {"date_of_birth": D(1980, 5, 17), "sex": "male", "relation": "head"}
    households = {
        "A1": make_household(commune_a, "Nguyễn Văn An", ("Nguyễn Thị Hoa",)),
        "A2": make_household(commune_a, "Lê Văn Bình"),
        "A3": make_household(commune_a, "Phạm Văn Cường"),
        "B1": household_services.create_household(
            actor=admin_user,
            data={"commune": commune_b, "is_ethnic_minority": True},
            members=[head | {"full_name": "Giàng A Páo", "ethnicity": hmong}],
        ),
        "B2": make_household(commune_b, "Trần Văn Dũng"),
    }
    for key, household in households.items():
        officer, chair = (officer_a, chair_a) if key.startswith("A") else (officer_b, chair_b)
        survey(officer, household, BAD_HOUSE if key in ("A1", "B1", "B2") else GOOD_HOUSE, CAUSES[key])
        for day, status in HISTORIES[key]:
            program_services.record_status_change(
                actor=chair, household_id=household.pk, to_status=status, effective_date=day, decision_number="9/QĐ"
            )
    statistics.refresh_figures(years=range(2021, 2026), communes=[commune_a.pk, commune_b.pk], today=TODAY)
    return households


def status_at_end_of(history, year: int) -> str:
    return ([status for day, status in history if day <= D(year, 12, 31)] or ["not_poor"])[-1]


def svgs(text: str) -> list[str]:
    """The charts of a page (not the admin's icons)."""
    return re.findall(r'<svg [^>]*class="pygal-chart".*?</svg>', text, flags=re.S)


def test_numbers_are_written_the_vietnamese_way():
    assert num(1_234_567) == "1.234.567"
    assert num(0) == "0"
    assert pct(13.33) == "13,33%" and pct(5.5) == "5,50%" and pct(None) == "—"
    assert points(-0.5) == "−0,50" and points(1.25) == "+1,25" and points(0.0) == "0,00"


def test_province_staff_sees_the_province_with_both_communes_and_its_charts(
    seeded, province_staff, province, commune_a, commune_b
):
    page = client_for(province_staff).get(URL)  # her province, the latest year with figures
    assert page.status_code == 200
    assert page.context["area"] == province and page.context["year"] == 2025
    text = page.text
    # 2025: A1 poor, A2 near-poor, A3 neither, B1 poor, B2 near-poor; 2024: A2 near-poor, B1 and B2 poor
    summary = {row["label"]: row for row in page.context["summary"]}
    assert summary["Tổng số hộ"]["count"] == "5"
    assert (summary["Hộ nghèo"]["count"], summary["Hộ nghèo"]["rate"], summary["Hộ nghèo"]["change"]) == (
        "2",
        "40,00%",
        "0,00",
    )
    assert (summary["Hộ cận nghèo"]["rate"], summary["Hộ cận nghèo"]["change"]) == ("40,00%", "+20,00")
    assert summary["Nghèo đa chiều (nghèo + cận nghèo)"]["rate"] == "80,00%"
    assert summary["Hộ nghèo dân tộc thiểu số / hộ DTTS"]["count"] == "1 / 1"
    assert summary["Hộ nghèo dân tộc thiểu số / hộ DTTS"]["rate"] == "100,00%"
    assert "Số liệu tính lúc" in text

    charts = svgs(text)
    assert len(charts) == 6  # rates, deprivations, causes of poverty, communes ranked, two waterfalls
    assert all("<script" not in chart and "kozea.github.io/pygal.js" not in chart for chart in charts)
    rates, deprivations, causes, ranking, poor_moves, near_poor_moves = charts
    # poor rates 2022-2025: 2/5, 3/5, 2/5, 2/5 of the households known then; near-poor 1/5 then 2/5 in 2025
    for value in ("40,00%", "60,00%", "20,00%", "80,00%"):
        assert f'<desc class="value">{value}</desc>' in rates
    assert "<title>2023: 60,00%</title>" in rates
    # housing quality among the poor at the end of 2025 (A1, B1): both were surveyed with a bad house
    poor_2025 = [seeded["A1"].pk, seeded["B1"].pk]
    deprived = Assessment.objects.filter(household__in=poor_2025, deprived__contains=["housing_quality"]).count()
    assert deprived == 2
    assert "Chất lượng nhà ở" in deprivations and '<desc class="value">100,00%</desc>' in deprivations
    # the causes of the households poor on 31/12/2025, counted here from the histories and the surveys' causes
    poor_then = [key for key, history in HISTORIES.items() if status_at_end_of(history, 2025) == "poor"]
    assert sorted(poor_then) == ["A1", "B1"]
    for code, label in (("land", "Thiếu đất sản xuất"), ("capital", "Thiếu vốn sản xuất, kinh doanh")):
        share = pct(100 * sum(code in CAUSES[key] for key in poor_then) / len(poor_then))
        assert f"<title>{label}: {share}</title>" in causes, code
    assert "<title>Thiếu đất sản xuất: 50,00%</title>" in causes  # the same, written out
    assert "<title>Chưa ghi nguyên nhân: 0,00%</title>" in causes
    assert "<title>Nguyên nhân khác: 0,00%</title>" in causes  # A3's cause: it is not poor
    shown_causes = {row["label"]: row for row in page.context["causes"]}
    capital = shown_causes["Thiếu vốn sản xuất, kinh doanh"]
    assert (capital["poor"], capital["poor_share"]) == ("2", "100,00%")
    # near-poor on 31/12/2025: A2 (no cause ticked) and B2 (illness)
    illness, none = shown_causes["Có người ốm đau, bệnh nặng, tai nạn"], shown_causes["Chưa ghi nguyên nhân"]
    assert (illness["near_poor"], illness["near_poor_share"], none["near_poor"]) == ("1", "50,00%", "1")
    assert "Nguyên nhân nghèo (% số hộ nghèo)" in text
    assert commune_a.name in ranking and commune_b.name in ranking
    assert '<desc class="value">50,00%</desc>' in ranking and '<desc class="value">33,33%</desc>' in ranking
    communes = page.context["communes"]
    assert [(row["name"], row["poor_rate"]) for row in communes] == [
        (commune_b.name, "50,00%"),
        (commune_a.name, "33,33%"),
    ]
    # the movement of 2025: poor 2 − 1 (B2 to near-poor) + 1 (A1 relapsed) = 2; near-poor 1 + 1 (B2) = 2
    poor, near_poor = page.context["movements"]
    assert (poor["start"], poor["end"], poor["balances"]) == ("2", "2", True)
    assert {s["label"]: s["count"] for s in poor["decreases"]}["Thành hộ cận nghèo"] == "1"
    assert {s["label"]: s["count"] for s in poor["increases"]}["Tái nghèo / tái cận nghèo"] == "1"
    assert (near_poor["start"], near_poor["end"], near_poor["balances"]) == ("1", "2", True)
    assert "−1" in poor_moves and "+1" in poor_moves and "Tái nghèo" in poor_moves
    assert "+1" in near_poor_moves and "Từ nghèo" in near_poor_moves
    assert text.count("cân đối</span>") == 2
    groups = {row["label"]: row for row in page.context["groups"]}
    assert groups["Hộ dân tộc thiểu số"]["poor_rate"] == "100,00%"
    assert {row["label"]: row["households"] for row in page.context["ethnicities"]} == {"Kinh": "4", "Mông": "1"}


def test_the_exit_cohort_shows_who_fell_back(seeded, province_staff):
    page = client_for(province_staff).get(URL, {"year": 2024})  # A1 escaped in 2024, poor again in 2025
    assert page.context["cohort_escaped"] == "1"
    after_one, after_two = page.context["cohort"]
    assert (after_one["followed"], after_one["relapsed"], after_one["rate"]) == ("1", "1", "100,00%")
    assert after_two["rate"] == "100,00%"  # 2026 as it stands on the day the figures were computed


def test_the_commune_officer_sees_her_commune_only(seeded, officer_a, commune_a, commune_b, province):
    client = client_for(officer_a)
    page = client.get(URL)
    assert page.status_code == 200 and page.context["area"] == commune_a
    summary = {row["label"]: row for row in page.context["summary"]}
    assert summary["Hộ nghèo"]["rate"] == "33,33%" and summary["Hộ nghèo"]["change"] == "+33,33"
    assert [row["name"] for row in page.context["communes"]] == [commune_a.name]
    assert page.context["ranking_chart"] == ""  # a commune has nothing to rank
    assert len(svgs(page.text)) == 5  # rates, deprivations, causes of poverty, two waterfalls
    assert commune_b.name not in page.text
    for other in (commune_b, province):
        refused = client.get(URL, {"area": other.pk, "year": 2025})
        assert refused.status_code == 200
        assert f"“{other.name}” nằm ngoài địa bàn bạn phụ trách." in refused.text
        assert "area" not in refused.context and not svgs(refused.text)
        assert "50,00%" not in refused.text and "40,00%" not in refused.text


def test_without_figures_it_says_they_are_computed_nightly(officer_a, commune_a):
    page = client_for(officer_a).get(URL)
    assert page.status_code == 200
    assert page.context["empty"] is True and page.context["year"] == timezone.localdate().year
    assert f"Chưa có số liệu năm {page.context['year']} của {commune_a.name}." in page.text
    assert "manage.py refresh_statistics" in page.text and "hằng đêm" in page.text
    assert not svgs(page.text)


def test_a_year_without_figures_links_to_the_years_with_some(seeded, officer_a):
    page = client_for(officer_a).get(URL, {"year": 2026})
    assert page.context["empty"] is True
    assert page.context["years_with_figures"][0] == 2025
    assert "Các năm đã có số liệu" in page.text


@pytest.mark.parametrize(
    "query, field, message",
    [
        ({"year": "abc"}, "year", "Năm phải từ 2021"),
        ({"year": "1990"}, "year", "Năm phải từ 2021"),
        ({"area": "999999"}, "area", "Không có địa bàn này"),
        ({"area": "abc"}, "area", "Địa bàn không hợp lệ."),
        ({"area": "99999999999999999999999"}, "area", "Địa bàn không hợp lệ."),
    ],
)
@pytest.mark.parametrize("who", ["province_staff", "admin_user"])  # a list of areas, a search over the country
def test_bad_query_values_are_form_errors(persona, who, query, field, message):
    page = client_for(persona(who)).get(URL, query)
    assert page.status_code == 200
    assert field in page.context["form"].errors and message in page.text


def test_a_village_is_not_an_area_of_the_dashboard(province_staff, village_a):
    page = client_for(province_staff).get(URL, {"area": village_a.pk})
    assert page.status_code == 200 and "area" in page.context["form"].errors


def test_the_program_admin_picks_any_commune(seeded, admin_user, commune_b, other_commune):
    client = client_for(admin_user)
    first = client.get(URL)  # no area of her own: she chooses one
    assert first.status_code == 200 and "Chọn địa bàn" in first.text and not first.context["form"].errors
    page = client.get(URL, {"area": commune_b.pk})
    summary = {row["label"]: row for row in page.context["summary"]}
    assert summary["Hộ nghèo"]["rate"] == "50,00%"
    elsewhere = client.get(URL, {"area": other_commune.pk})
    assert elsewhere.context["empty"] is True
    query = {"app_label": "programs", "model_name": "povertytarget", "field_name": "area", "term": commune_b.name}
    found = client.get("/admin/autocomplete/", query)  # the area field's search
    assert found.status_code == 200 and str(commune_b.pk) in {row["id"] for row in found.json()["results"]}


def test_the_home_page_leads_to_the_dashboard(officer_a, chair_a):
    for user in (officer_a, chair_a):
        home = client_for(user).get("/admin/")
        assert home.status_code == 200 and URL in home.text and "Bảng điều khiển giảm nghèo" in home.text
    assert client_for(officer_a).get("/admin/programs/povertytarget/").status_code == 200


def test_those_without_the_right_cannot_open_it(outsider):
    outsider.is_staff = True
    outsider.save()
    assert client_for(outsider).get(URL).status_code == 403


def test_only_those_who_manage_statistics_recompute(seeded, officer_a, province_staff, province, commune_a, commune_b):
    officer_page = client_for(officer_a).get(URL)
    assert 'id="refresh-form"' not in officer_page.text and 'id="target-form"' not in officer_page.text
    refused = client_for(officer_a).post(URL, {"action": "refresh", "area": commune_a.pk})
    assert refused.status_code == 403

    client = client_for(province_staff)
    assert 'id="refresh-form"' in client.get(URL).text
    CommuneYearFigures.objects.all().delete()
    done = client.post(f"{URL}?area={province.pk}&year=2025", {"action": "refresh", "area": province.pk}, follow=True)
    assert done.redirect_chain[-1][0] == f"{URL}?area={province.pk}&year=2025"
    assert "Đã xếp lịch tính lại số liệu" in done.text
    # eager in the tests: the queued task ran, from the data, for every year to this one
    figures = {row.commune_id: row for row in CommuneYearFigures.objects.filter(year=2025)}
    assert {pk: (row.households, row.poor, row.near_poor) for pk, row in figures.items()} == {
        commune_a.pk: (3, 1, 1),
        commune_b.pk: (2, 1, 1),
    }
    assert done.context["summary"][1]["rate"] == "40,00%"


def test_a_recomputation_outside_the_scope_is_refused(province_staff, other_commune):
    page = client_for(province_staff).post(URL, {"action": "refresh", "area": other_commune.pk}, follow=True)
    assert page.status_code == 200
    assert "nằm ngoài địa bàn bạn phụ trách" in page.text
    assert not CommuneYearFigures.objects.exists()


def target(area, **extra):
    return {"action": "target", "area": area.pk, "year": "2025", "measure": "poor", "kind": "max_rate"} | extra


def test_a_target_is_set_and_checked(seeded, province_staff, province):
    client = client_for(province_staff)
    url = f"{URL}?area={province.pk}&year=2025"
    done = client.post(url, target(province, value="2,5", source="NQ tỉnh"), follow=True)
    assert "Đã ghi mục tiêu" in done.text
    kept = PovertyTarget.objects.get(area=province, year=2025, measure="poor", kind="max_rate")
    assert str(kept.value) == "2.50" and kept.recorded_by == province_staff
    client.post(url, target(province, measure="near_poor", value="45"))
    client.post(url, target(province, kind="reduction", value="1"))
    rows = {(row["label"], row["goal"]): row for row in client.get(url).context["targets"]}
    poor = rows[("Tỷ lệ hộ nghèo", "không quá 2,50%")]
    assert (poor["actual"], poor["state"], poor["css"]) == ("40,00%", "Chưa đạt", "bad")
    near_poor = rows[("Tỷ lệ hộ cận nghèo", "không quá 45,00%")]
    assert (near_poor["actual"], near_poor["state"], near_poor["css"]) == ("40,00%", "Đạt", "good")
    reduced = rows[("Tỷ lệ hộ nghèo", "giảm ít nhất 1,00 điểm % so với năm trước")]
    assert (reduced["actual"], reduced["state"]) == ("giảm 0,00 điểm %", "Chưa đạt")


def test_a_reduction_target_says_how_much_the_rate_fell_or_rose_without_a_contradicting_sign(
    seeded, province_staff, province
):
    # poor rate 60% (2023) → 40% (2024): down 20 points; near-poor rate 20% (2024) → 40% (2025): up 20 points
    for year, measure in ((2024, "poor"), (2025, "near_poor")):
        statistics.set_target(
            actor=province_staff, area_id=province.pk, year=year, measure=measure, kind="reduction", value=Decimal(1)
        )
    client = client_for(province_staff)
    [fell] = client.get(URL, {"area": province.pk, "year": 2024}).context["targets"]
    assert (fell["actual"], fell["state"]) == ("giảm 20,00 điểm %", "Đạt")
    [rose] = client.get(URL, {"area": province.pk, "year": 2025}).context["targets"]
    assert (rose["actual"], rose["state"]) == ("tăng 20,00 điểm %", "Chưa đạt")


def test_a_target_is_changed_from_the_version_seen(seeded, province_staff, province):
    client = client_for(province_staff)
    url = f"{URL}?area={province.pk}&year=2025"
    client.post(url, target(province, value="2,5"))
    kept = PovertyTarget.objects.get()
    again = client.post(url, target(province, value="3"))  # not from the target's own form: refused
    assert "Mục tiêu này đã được đặt" in again.text and "Sửa" in again.text
    form = client.get(url, {"edit": kept.pk}).context["target_form"]
    assert (form.initial["value"], form.initial["version"]) == ("2,50", 1)
    done = client.post(url, target(province, value="3", version="1"), follow=True)
    assert "Đã ghi mục tiêu" in done.text
    kept.refresh_from_db()
    assert (str(kept.value), kept.version) == ("3.00", 2)
    stale = client.post(url, target(province, value="4", version="1"))  # someone changed it meanwhile
    assert "đã được người khác cập nhật" in stale.text
    kept.refresh_from_db()
    assert str(kept.value) == "3.00"
    assert client.get(url, {"edit": "abc"}).status_code == 200


@pytest.mark.parametrize(
    "values, field, message",
    [
        ({"value": "abc"}, "value", "Nhập một số"),
        ({"value": "150"}, "value", "Giá trị phải từ 0 đến 100"),
        ({"year": "2050", "value": "2"}, "year", "Năm phải từ 2021 đến 2040."),
        ({"year": "năm", "value": "2"}, "year", "Nhập năm bằng bốn chữ số"),
        ({"measure": "rich", "value": "2"}, "measure", "rich"),
    ],
)
def test_a_wrong_target_shows_its_error(province_staff, province, values, field, message):
    page = client_for(province_staff).post(f"{URL}?area={province.pk}", target(province, **values))
    assert page.status_code == 200
    assert field in page.context["target_form"].errors and message in page.text
    assert not PovertyTarget.objects.exists()


def test_a_target_outside_the_scope_is_refused(district_staff, province_staff, commune_b, other_commune):
    page = client_for(province_staff).post(URL, target(other_commune, value="2"))
    assert "nằm ngoài địa bàn bạn phụ trách" in page.text
    assert client_for(district_staff).post(URL, target(commune_b, value="2")).status_code == 403
    assert not PovertyTarget.objects.exists()


def test_the_charts_escape_what_they_write():
    rows = [{"name": "<script>alert(1)</script>", "poor_rate": 10.0}, {"name": "Xã & thôn", "poor_rate": 5.0}]
    chart = ranking_chart(rows)
    assert "<script" not in chart and "&lt;script&gt;alert(1)&lt;/script&gt;" in chart
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt;: 10,00%</title>" in chart


def printed(chart: str) -> list[tuple[str, str]]:
    """The values a chart prints on its bars, with where: (x, text)."""
    return re.findall(r'<text text-anchor="middle" x="([^"]+)" y="[^"]+" class="value">([^<]+)</text>', chart)


def test_equal_rates_print_apart_and_zeros_are_not_printed_over_the_labels():
    # 5 poor and 5 near-poor of 60: two rates of 8,33%, which a line chart printed on one spot
    chart = rates_chart({2025: {"households": 60, "poor": 5, "near_poor": 5}}, [2025])
    values = printed(chart)
    assert sorted(text for _, text in values) == ["16,67%", "8,33%", "8,33%"]
    assert len({x for x, _ in values}) == 3  # each on its own bar
    # a share of 0 is not written at the axis, where the category's label is; its tooltip still says it
    bars = deprivation_chart([{"label": "việc làm", "poor_share": 60.0, "near_poor_share": 0.0}])
    assert [text for _, text in printed(bars)] == ["60,00%"]
    assert "<title>Việc làm: 0,00%</title>" in bars and "<title>Việc làm: 60,00%</title>" in bars


@pytest.mark.parametrize(("eager", "said"), [(False, "trong vòng 5 phút sau"), (True, "ngay sau")])
def test_the_page_says_when_figures_follow_a_decision(province_staff, seeded, monkeypatch, eager, said):
    # with a worker the beat refreshes stale figures every five minutes; the embedded default (eager tasks, no
    # worker) refreshes them in the decision's own request
    monkeypatch.setitem(tasks.refresh_stale_figures.app.conf, "task_always_eager", eager)
    page = client_for(province_staff).get(URL, {"area": province_staff.area.pk, "year": 2025})
    assert f"Số liệu được tính lại hằng đêm và {said} mỗi quyết định công nhận" in page.text
