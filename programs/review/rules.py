"""The review workflow's pure rules: the case state machine, its steps and deadlines, the calendars of the
periodic and monthly reviews, and the certificate numbers (domain A6; Part B §3.1-§3.3, §6.1, §8.4, §8.5).

No ORM, no settings, no clock: the caller passes the dates.
"""

import datetime
from collections.abc import Mapping, Sequence
from enum import StrEnum

from programs.rules import RuleInputError, add_months

# --- the review workflow (domain A6; Part B §3.1-§3.3, §6.1, §8.4, §8.5) --------------------------------


class CaseState(StrEnum):
    """Where one household's case stands in a review (Part B §8.4)."""

    LISTED = "listed"  # on the list to review, or sent back to survey
    CLASSIFIED = "classified"  # surveyed; the classification is computed with the survey (A2)
    AGREED = "agreed"  # the village meeting agreed (at least 50% of attendees)
    POSTED = "posted"  # posted publicly
    RECHECK = "recheck"  # a complaint is being rechecked; recognition is held
    DISTRICT_CONSULTED = "district_consulted"  # only campaigns that carry the district step (before 1/7/2025)
    RECOGNISED = "recognised"  # the commune chair's decision (number, date); certificate issued
    REPORTED = "reported"  # included in the report to the province
    REJECTED = "rejected"  # a request found not eligible, answered in writing with the reasons (§3.3)


class Move(StrEnum):
    SURVEY = "survey"
    MEETING = "meeting"
    POST = "post"
    COMPLAIN = "complain"
    RESOLVE_COMPLAINT = "resolve_complaint"
    CONSULT_DISTRICT = "consult_district"
    RECOGNISE = "recognise"
    REJECT = "reject"
    REPORT = "report"


CASE_STATE_LABELS: dict[CaseState, str] = {
    CaseState.LISTED: "chờ khảo sát",
    CaseState.CLASSIFIED: "đã khảo sát, phân loại",
    CaseState.AGREED: "họp thôn đã thống nhất",
    CaseState.POSTED: "đang niêm yết công khai",
    CaseState.RECHECK: "đang phúc tra khiếu nại",
    CaseState.DISTRICT_CONSULTED: "đã xin ý kiến cấp huyện",
    CaseState.RECOGNISED: "đã công nhận",
    CaseState.REPORTED: "đã báo cáo tỉnh",
    CaseState.REJECTED: "không công nhận (đã trả lời bằng văn bản)",
}
MOVE_LABELS: dict[Move, str] = {
    Move.SURVEY: "ghi kết quả khảo sát",
    Move.MEETING: "ghi kết quả họp thôn",
    Move.POST: "niêm yết công khai",
    Move.COMPLAIN: "ghi nhận khiếu nại",
    Move.RESOLVE_COMPLAINT: "giải quyết khiếu nại",
    Move.CONSULT_DISTRICT: "ghi ý kiến cấp huyện",
    Move.RECOGNISE: "công nhận",
    Move.REJECT: "không công nhận",
    Move.REPORT: "báo cáo tỉnh",
}

# The allowed moves, as data: move -> the states it may start from. Where a move leads is `next_state`.
# Resurveying an agreed or posted case sends it through the meeting and the posting again.
MOVES: dict[Move, frozenset[CaseState]] = {
    Move.SURVEY: frozenset(
        {
            CaseState.LISTED,
            CaseState.CLASSIFIED,
            CaseState.AGREED,
            CaseState.POSTED,
            CaseState.RECHECK,
            CaseState.DISTRICT_CONSULTED,
        }
    ),
    Move.MEETING: frozenset({CaseState.CLASSIFIED}),
    Move.POST: frozenset({CaseState.AGREED}),
    Move.COMPLAIN: frozenset({CaseState.POSTED, CaseState.RECHECK, CaseState.DISTRICT_CONSULTED}),
    # A complaint is answered whatever happened since (an upheld one may have sent the case back to survey
    # while another was open); recognition waits until none is open.
    Move.RESOLVE_COMPLAINT: frozenset(
        {
            CaseState.LISTED,
            CaseState.CLASSIFIED,
            CaseState.AGREED,
            CaseState.POSTED,
            CaseState.RECHECK,
            CaseState.DISTRICT_CONSULTED,
        }
    ),
    Move.CONSULT_DISTRICT: frozenset({CaseState.POSTED}),
    Move.RECOGNISE: frozenset({CaseState.POSTED, CaseState.DISTRICT_CONSULTED}),
    Move.REJECT: frozenset({CaseState.LISTED, CaseState.CLASSIFIED, CaseState.AGREED, CaseState.POSTED}),
    Move.REPORT: frozenset({CaseState.RECOGNISED}),
}
CLOSED_STATES = frozenset({CaseState.REPORTED, CaseState.REJECTED})
OPEN_STATES = frozenset(CaseState) - CLOSED_STATES


def refused_move(state: CaseState | str, move: Move, allowed: Sequence[Move]) -> str:
    """Why `move` cannot be made now, naming the moves that can (`allowed`, as `allowed_moves` gives them)."""
    state = CaseState(state)
    text = f"Không thể {MOVE_LABELS[move]} khi hồ sơ {CASE_STATE_LABELS[state]}"
    if allowed:
        return f"{text} (được phép: {', '.join(MOVE_LABELS[m] for m in allowed)})."
    return f"{text} (hồ sơ đã đóng)." if state in CLOSED_STATES else f"{text}."


def check_move(
    state: CaseState | str, move: Move, *, has_district_step: bool, requested: bool, open_complaints: bool
) -> None:
    """Refuse a move the workflow does not allow from `state`, with the reason and the moves allowed now (those of
    `allowed_moves`, which the API's `allowed_moves` and the admin's buttons show too).

    The district step exists only in campaigns that carry it (before 1 July 2025, A6); a case recognised
    in such a campaign must pass it. Only a household's own request can be refused (§3.3).
    """
    state = CaseState(state)
    if state not in MOVES[move]:
        allowed = allowed_moves(
            state, has_district_step=has_district_step, requested=requested, open_complaints=open_complaints
        )
        raise RuleInputError("forbidden_move", refused_move(state, move, allowed), "state")
    if move is Move.CONSULT_DISTRICT and not has_district_step:
        raise RuleInputError(
            "no_district_step", "Kỳ rà soát này không có bước xin ý kiến cấp huyện (bỏ từ 01/07/2025).", "state"
        )
    if move is Move.RECOGNISE and has_district_step and state is CaseState.POSTED:
        raise RuleInputError(
            "district_step_pending", "Kỳ rà soát này phải xin ý kiến cấp huyện trước khi công nhận.", "state"
        )
    if move is Move.REJECT and not requested:
        raise RuleInputError(
            "not_a_request",
            "Chỉ trả lời không công nhận cho hộ tự đề nghị rà soát; hộ trong danh sách được công nhận theo kết quả.",
            "state",
        )


def allowed_moves(
    state: CaseState | str, *, has_district_step: bool, requested: bool, open_complaints: bool = True
) -> list[Move]:
    """The moves that may start from `state` (for buttons and hints); REJECT only for a household's request,
    RESOLVE_COMPLAINT only while a complaint is open."""
    moves = [
        m
        for m in Move
        if CaseState(state) in MOVES[m]
        and (requested or m is not Move.REJECT)
        and (open_complaints or m is not Move.RESOLVE_COMPLAINT)
    ]
    if not has_district_step:
        moves = [m for m in moves if m is not Move.CONSULT_DISTRICT]
    elif CaseState(state) is CaseState.POSTED:
        moves = [m for m in moves if m is not Move.RECOGNISE]
    return moves


def meeting_agreed(attendees: int, agreeing: int) -> bool:
    """Whether the village meeting agreed: at least 50% of the attendees (Part B §3.2 step 3)."""
    if attendees < 1:
        raise RuleInputError("no_attendees", "Số người dự họp phải ít nhất là 1.", "attendees")
    if agreeing < 0 or agreeing > attendees:
        raise RuleInputError(
            "bad_agreeing", f"Số người đồng ý phải từ 0 đến số người dự họp ({attendees}).", "agreeing"
        )
    return agreeing * 2 >= attendees


def resolve_state(state: CaseState | str, *, upheld: bool, open_complaints_left: int) -> CaseState:
    """Where a case goes when one complaint is resolved: an upheld complaint sends it back to survey; a
    dismissed one releases a case under recheck back to its posting once no other complaint is open, and
    leaves a case elsewhere where it is. Recognition itself refuses while any complaint is open."""
    if upheld:
        return CaseState.LISTED
    if CaseState(state) is CaseState.RECHECK and not open_complaints_left:
        return CaseState.POSTED
    return CaseState(state)


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """The last day of a posting of `days` working days (Monday-Friday) starting on `start`.

    A posting that starts on a weekend starts counting on the Monday. Public holidays are not known to the
    system: an officer who posts over a holiday sets the end date by hand.
    """
    if days < 1:
        raise RuleInputError("bad_days", "Số ngày niêm yết phải ít nhất là 1 ngày làm việc.", "posting_days")
    day = start
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    counted = 1
    while counted < days:
        day += datetime.timedelta(days=1)
        if day.weekday() < 5:
            counted += 1
    return day


class Step(StrEnum):
    """The steps of a campaign's calendar a case waits for (Part B §3.2)."""

    SURVEY = "survey"
    MEETING = "meeting"
    POSTING = "posting"
    DISTRICT = "district"
    RECOGNITION = "recognition"
    REPORT = "report"


STEP_LABELS: dict[Step, str] = {
    Step.SURVEY: "khảo sát, phân loại",
    Step.MEETING: "họp thôn thống nhất kết quả",
    Step.POSTING: "niêm yết công khai",
    Step.DISTRICT: "xin ý kiến cấp huyện",
    Step.RECOGNITION: "công nhận (quyết định của Chủ tịch UBND xã)",
    Step.REPORT: "báo cáo kết quả lên tỉnh",
}

# The step a case in each state waits for; closed cases wait for nothing.
_AWAITED: dict[CaseState, Step] = {
    CaseState.LISTED: Step.SURVEY,
    CaseState.CLASSIFIED: Step.MEETING,
    CaseState.AGREED: Step.POSTING,
    CaseState.POSTED: Step.RECOGNITION,
    CaseState.RECHECK: Step.RECOGNITION,
    CaseState.DISTRICT_CONSULTED: Step.RECOGNITION,
    CaseState.RECOGNISED: Step.REPORT,
}


def awaited_step(state: CaseState | str, *, has_district_step: bool) -> Step | None:
    if CaseState(state) is CaseState.POSTED and has_district_step:
        return Step.DISTRICT
    return _AWAITED.get(CaseState(state))


def due_date(
    state: CaseState | str, steps: Mapping[str, datetime.date], *, has_district_step: bool
) -> tuple[Step, datetime.date] | tuple[None, None]:
    """The step a case waits for and its deadline in the campaign's calendar, or (None, None) when closed."""
    step = awaited_step(state, has_district_step=has_district_step)
    if step is None or step.value not in steps:
        return None, None
    return step, steps[step.value]


def periodic_calendar(year: int, *, has_district_step: bool = False) -> dict[str, datetime.date]:
    """Default deadlines of the periodic review of `year`, which runs 1 September - 14 December (A6, §3.1).

    The regulation fixes the window and the provincial reports (preliminary before 15 November, official
    before 20 December, §6.1); the step deadlines inside it are set by each province's plan, so these are
    defaults a program admin can change per campaign: the commune's results are posted before the
    provincial preliminary report, and recognised and reported by the end of the window.
    """
    steps = {
        Step.SURVEY.value: datetime.date(year, 10, 15),
        Step.MEETING.value: datetime.date(year, 10, 31),
        Step.POSTING.value: datetime.date(year, 11, 10),
        Step.RECOGNITION.value: datetime.date(year, 12, 14),
        Step.REPORT.value: datetime.date(year, 12, 14),
    }
    if has_district_step:
        steps[Step.DISTRICT.value] = datetime.date(year, 11, 25)
    return steps


def monthly_calendar(year: int, month: int, *, has_district_step: bool = False) -> dict[str, datetime.date]:
    """Deadlines of the monthly (regular) review of `month`: it starts on the 15th and the chair decides
    within 15 days (A6, §3.3); its result goes into the commune's report on the 5th of the next month (§6.1).

    The intermediate deadlines are defaults, set so that a case posted on its deadline (the 23rd) ends its
    3 working days by the 28th at the latest and can still be recognised by the 30th.
    """
    start = datetime.date(year, month, 15)
    steps = {
        Step.SURVEY.value: start + datetime.timedelta(days=3),
        Step.MEETING.value: start + datetime.timedelta(days=5),
        Step.POSTING.value: start + datetime.timedelta(days=8),
        Step.RECOGNITION.value: start + datetime.timedelta(days=15),
        Step.REPORT.value: add_months(datetime.date(year, month, 5), 1),
    }
    if has_district_step:
        steps[Step.DISTRICT.value] = start + datetime.timedelta(days=14)
    return steps


def next_monthly_cycle(day: datetime.date) -> tuple[int, int]:
    """The monthly review a request filed on `day` goes to: this month's when filed on or before the 15th
    (the cycle starts that day), else next month's."""
    cycle = day if day.day <= 15 else add_months(day.replace(day=1), 1)
    return cycle.year, cycle.month


DISTRICT_LEVEL_ABOLISHED = datetime.date(2025, 7, 1)  # two-tier local government (A6, A7)


def review_start(kind: str, year: int, month: int) -> datetime.date:
    """The day a review starts: 1 September for the periodic review, the 15th for a monthly one (A6)."""
    return datetime.date(year, 9, 1) if kind == "periodic" else datetime.date(year, month, 15)


def carries_district_step(kind: str, year: int, month: int, *, commune_in_district: bool) -> bool:
    """A review carries the district consultation only if it started before 1 July 2025 and the commune lies in
    a district (A6: "since 1 July 2025 there is no district step; older campaigns may carry one")."""
    return commune_in_district and review_start(kind, year, month) < DISTRICT_LEVEL_ABOLISHED


def standard_days(kind: str, year: int, month: int) -> tuple[datetime.date, ...]:
    """The days whose standard a review applies, in order of preference: the periodic review of Y decides the
    lists of Y+1, so the standard in force on 1 January Y+1 (Part B §8.5: the 2026 review applies VN-2027),
    else the one at its start; a monthly review the standard in force on its 15th."""
    if kind == "periodic":
        return (datetime.date(year + 1, 1, 1), datetime.date(year, 9, 1))
    return (datetime.date(year, month, 15),)


def in_periodic_window(day: datetime.date) -> bool:
    """1 September - 14 December (A6)."""
    return datetime.date(day.year, 9, 1) <= day <= datetime.date(day.year, 12, 14)


def review_cycle_for_request(filed_on: datetime.date) -> tuple[str, int, int]:
    """The review that handles a household's request filed on `filed_on`: (kind, year, month; 0 = periodic).

    During the periodic window the request joins the periodic review (A6: "plus those who filed a
    request"). Otherwise the next monthly review: the one starting on the 15th of this month when filed on
    or before the 15th, else next month's; a monthly cycle that would start inside the window is the
    periodic review.
    """
    if in_periodic_window(filed_on):
        return "periodic", filed_on.year, 0
    year, month = next_monthly_cycle(filed_on)
    if in_periodic_window(datetime.date(year, month, 15)):
        return "periodic", year, 0
    return "monthly", year, month


class Deadline(StrEnum):
    """The reporting calendar (Decision 24/2021 Art. 7, Part B §6.1)."""

    PRELIMINARY_REPORT = "preliminary_report"
    OFFICIAL_REPORT = "official_report"
    MONTHLY_REPORT = "monthly_report"


DEADLINE_LABELS: dict[Deadline, str] = {
    Deadline.PRELIMINARY_REPORT: "báo cáo sơ bộ kết quả rà soát định kỳ của tỉnh (trước 15/11)",
    Deadline.OFFICIAL_REPORT: "báo cáo chính thức kết quả rà soát định kỳ của tỉnh (trước 20/12)",
    Deadline.MONTHLY_REPORT: "báo cáo kết quả rà soát thường xuyên hằng tháng (ngày 5)",
}


def reporting_deadlines(year: int) -> list[tuple[Deadline, datetime.date]]:
    """The reporting deadlines of `year`: the province's preliminary (15 November) and official (20 December)
    periodic-review reports, and the communes' monthly-review report on the 5th, February to September (§6.1)."""
    deadlines = [(Deadline.MONTHLY_REPORT, datetime.date(year, month, 5)) for month in range(2, 10)]
    deadlines.append((Deadline.PRELIMINARY_REPORT, datetime.date(year, 11, 15)))
    deadlines.append((Deadline.OFFICIAL_REPORT, datetime.date(year, 12, 20)))
    return deadlines


def certificate_number(sequence: int, *, year: int, month: int) -> str:
    """The number of a poor or near-poor household certificate (…/GCN-HN.HCN, Part B §3.2 step 6),
    per commune and review: "0007/2026/GCN-HN.HCN", or "0007/T03.2026/GCN-HN.HCN" for March's monthly review."""
    cycle = f"{year}" if month == 0 else f"T{month:02d}.{year}"
    return f"{sequence:04d}/{cycle}/GCN-HN.HCN"
