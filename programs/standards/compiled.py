"""A poverty standard compiled into one SQL query: the classification of stored surveys, evaluated by PostgreSQL.

Pure: a `rules.Standard` (and the derivation settings) in, SQL text and its parameters out; no ORM, no
connection. The query computes, for each survey of a source relation, exactly what the reference path computes in
Python (`services.evaluate(..., missing_as_not_deprived=True)` as `services.reclassify` calls it: `derivations.derive`,
`derivations.reconcile`, `rules.classify`) from the facts the survey stored: its member snapshot, its dwelling,
the surveyor's answers and the officer's confirmations, the income or Point A, the area type and the survey date.
The thresholds, lines and names are the standard's data, rendered as literals; the messages of the refusals are
taken from the rules themselves (they raise them on a sample), so that they cannot drift. The hypothesis test in
tests/programs/test_compiled_rules.py feeds the same random surveys to both paths and demands the same results.

The source relation (named by the caller, e.g. a CTE `src`) must have the columns of `programs_assessment` that the
rules read: id, survey_date, area_type, income_per_capita, point_a, dwelling, member_facts, answers, confirmed. The
query returns every column of the source and these:

- `new_derived` (jsonb object), `new_disagreements` (jsonb array), `new_deprived` (jsonb array),
  `new_deprivation_count`, `new_point_b`, `new_income_line`, `new_category`, `new_reasons` (jsonb array);
- `filled`: an indicator of the standard had neither a derived value nor an answer (counted as not deprived);
- `skip`: why this survey cannot be classified under the standard (the message the Python path reports), or NULL.
"""

from collections.abc import Callable
from decimal import Decimal

from programs import rules
from programs.standards import derivations

# What `services.reclassify` reports for a survey on the Point A path under a standard without a Point A threshold.
NO_POINT_A_THRESHOLD = "chuẩn {code} không có ngưỡng điểm A"

COLUMNS = (
    "new_derived",
    "new_disagreements",
    "new_deprived",
    "new_deprivation_count",
    "new_point_b",
    "new_income_line",
    "new_category",
    "new_reasons",
    "filled",
    "skip",
)


class _Literals:
    """Renders the standard's data as SQL literals (the text is run with the caller's parameters, so a `%` is
    doubled; quotes are doubled as standard_conforming_strings wants)."""

    def text(self, value: str) -> str:
        return "'" + value.replace("'", "''").replace("%", "%%") + "'::text"

    def int(self, value: int) -> str:
        return str(int(value))

    def num(self, value: Decimal) -> str:
        return f"{Decimal(value)}::numeric"

    def texts(self, values: frozenset[str]) -> str:
        return "ARRAY[" + ", ".join(self.text(value) for value in sorted(values)) + "]::text[]"


def _refusal(call: Callable[[], object]) -> str:
    """The message of the `RuleInputError` a rule raises on a sample input."""
    try:
        call()
    except rules.RuleInputError as exc:
        return exc.message
    raise AssertionError("the sample input was accepted")


def _name(code: str) -> str:
    """An indicator's code as an SQL identifier (a column of the answers' record): a code of `rules.INDICATOR_NAMES`,
    which are lower-case words, so nothing in it can end the identifier or read as a parameter of the query."""
    if code not in rules.INDICATOR_NAMES or not code.replace("_", "").isalpha() or not code.islower():
        raise ValueError(f"not an indicator code: {code!r}")
    return f'"{code}"'


def _object(column: str) -> str:
    """A JSON column as an object (`row[column] or {}` of the Python path)."""
    return f"(CASE WHEN jsonb_typeof({column}) = 'object' THEN {column} ELSE '{{}}'::jsonb END)"


def _values(alias: str, columns: list[tuple[str, str]]) -> str:
    """A LATERAL one-row relation of these (expression, name) columns. A VALUES list, which PostgreSQL evaluates once
    per survey (a subquery would be flattened into every place that reads its columns, and computed again there)."""
    columns = columns or [("NULL", "none")]
    expressions, names = ", ".join(e for e, _ in columns), ", ".join(n for _, n in columns)
    return f"LATERAL (SELECT * FROM (VALUES ({expressions})) AS v OFFSET 0) AS {alias}({names})"


def _money(expression: str) -> str:
    """`rules.money` in SQL: 1500000 -> '1.500.000 đ' (a non-negative whole number)."""
    return f"(replace(to_char({expression}, 'FM999,999,999,999,999,990'), ',', '.') || ' đ')"


def _case_area(p: _Literals, rural: str, urban: str) -> str:
    """A value per area type; the caller has already refused any other area type."""
    return f"(CASE WHEN a.area_type = 'rural' THEN {rural} ELSE {urban} END)"


def _derived(p: _Literals, s: derivations.DerivationSettings) -> dict[str, str]:
    """`derivations.derive` as one SQL expression per indicator (true, false or NULL for missing facts), reading the
    aggregates of the member snapshot (`m.*`) and the dwelling."""

    def dwelling(name: str) -> str:
        return f"dw.{name}"

    structures = [dwelling(name) for name in ("foundation_frame_durable", "walls_durable", "roof_durable")]
    non_durable = " + ".join(f"({value} IS FALSE)::int" for value in structures)
    durable = " + ".join(f"({value} IS TRUE)::int" for value in structures)
    no_house = f"{dwelling('has_house')} IS FALSE"
    area = "dw.floor_area_m2"
    return {
        "dependants": f"(CASE WHEN m.n = 0 THEN NULL ELSE m.dependants > {p.num(s.dependants_share_over)} * m.n END)",
        "nutrition": "(CASE WHEN m.nutrition_yes THEN true WHEN m.nutrition_unknown THEN NULL ELSE false END)",
        "health_insurance": "m.health_insurance",
        "adult_education": "m.adult_education",
        "child_schooling": "m.child_schooling",
        "housing_quality": (
            f"(CASE WHEN {no_house} THEN true WHEN {non_durable} >= 2 THEN true WHEN {durable} >= 2 THEN false END)"
        ),
        "housing_area": (
            f"(CASE WHEN {no_house} THEN true WHEN {area} IS NULL OR m.n = 0 THEN NULL "
            f"ELSE {area} < {p.num(s.min_floor_area_per_person)} * m.n END)"
        ),
    }


def _ages(s: derivations.DerivationSettings) -> tuple[int, ...]:
    """The ages the derivations compare with (an age of at most 30 is an age under 31)."""
    return tuple(
        sorted(
            {
                s.insured_by_law_under,
                s.child_under,
                s.elderly_from,
                s.schooling_from,
                s.adult_education_from,
                s.adult_education_upper_secondary_from,
                s.adult_education_to + 1,
            }
        )
    )


def _survey_day(s: derivations.DerivationSettings) -> str:
    """The survey date and, for each age N of `_ages`, the last birth date of someone aged N or more on it, as ISO
    texts computed once per survey. `age_on(born, day) >= N` is `born <= day - N years` (from 29 February, 28
    February of a common year: one born on 29 February turns a year older on 1 March), and ISO dates compare as
    texts (in the "C" collation), so the members' birth dates are compared as the snapshot stores them."""
    columns = [("to_char(a.survey_date, 'YYYY-MM-DD')", "day")] + [
        (f"to_char(a.survey_date - interval '{age} years', 'YYYY-MM-DD')", f"y{age}") for age in _ages(s)
    ]
    return _values("d", columns)


def _members(p: _Literals, s: derivations.DerivationSettings) -> str:
    """The aggregates of the member snapshot on the survey date that the derivations read, as a LATERAL subquery;
    a member born after the survey is not a member on that day."""

    def aged(age: int) -> str:  # aged `age` or more on the survey date
        return f"f.born <= d.y{age}"

    def under(age: int) -> str:
        return f"f.born > d.y{age}"

    none = p.text(derivations.NOT_ATTENDING)
    secondary, upper = p.texts(derivations.SECONDARY_OR_MORE), p.texts(derivations.UPPER_SECONDARY_OR_MORE)
    child = under(s.child_under)
    return f"""
    LATERAL (
        SELECT count(*) AS n,
            coalesce(bool_or({aged(s.insured_by_law_under)} AND f.insured IS NOT TRUE), false) AS health_insurance,
            coalesce(bool_or({child} AND (f.stunted IS TRUE OR f.underweight IS TRUE)), false) AS nutrition_yes,
            coalesce(bool_or({child} AND (f.stunted IS NULL OR f.underweight IS NULL)), false) AS nutrition_unknown,
            count(*) FILTER (WHERE {child} OR {aged(s.elderly_from)} OR f.disabled IS TRUE) AS dependants,
            coalesce(bool_or({aged(s.schooling_from)} AND {child} AND f.schooling = {none}), false) AS child_schooling,
            coalesce(bool_or(
                {aged(s.adult_education_from)} AND {under(s.adult_education_to + 1)}
                AND f.schooling = {none}
                AND CASE WHEN {under(s.adult_education_upper_secondary_from)}
                    THEN NOT coalesce(f.education_level, '') = ANY({secondary})
                    ELSE NOT coalesce(f.education_level, '') = ANY({upper}) END
            ), false) AS adult_education
        FROM (
            SELECT j ->> 'date_of_birth' COLLATE "C" AS born,
                (j ->> 'has_valid_health_insurance')::boolean AS insured,
                (j ->> 'stunted')::boolean AS stunted,
                (j ->> 'underweight')::boolean AS underweight,
                (j ->> 'receives_disability_allowance')::boolean AS disabled,
                j ->> 'schooling' AS schooling,
                j ->> 'education_level' AS education_level
            FROM jsonb_array_elements(coalesce(a.member_facts, '[]'::jsonb)) AS j
        ) AS f
        WHERE f.born <= d.day
    ) AS m"""


def classification(
    standard: rules.Standard,
    source: str = "src",
    settings: derivations.DerivationSettings = derivations.DEFAULT_SETTINGS,
) -> str:
    """The query classifying every row of `source` (a relation name) under `standard`; see the module's text."""
    p = _Literals()
    members = _members(p, settings)
    derived_sql = _derived(p, settings)
    codes = standard.indicators
    derived_codes = [code for code in derivations.DERIVED_INDICATORS if code in codes]

    # Reconciliation, per indicator of the standard (`derivations.reconcile` after the batch's filling of the
    # indicators nobody answered with "not deprived").
    per_code: list[tuple[str, str]] = []
    for index, code in enumerate(codes):
        system = f"d1.s{index}" if code in derived_codes else "NULL::boolean"
        per_code += [
            (system, f"s{index}"),
            (f"an.{_name(code)}", f"a{index}"),
            (f"coalesce(a.confirmed ? {p.text(code)}, false)", f"h{index}"),
            (f"co.{_name(code)}", f"c{index}"),
        ]
    # the answers and the confirmations read once per survey, each indicator a boolean column (a dummy one first, so
    # that a standard without indicators still makes a valid record)
    record = ", ".join(['" " boolean', *(f"{_name(code)} boolean" for code in codes)])
    derived_columns = [(derived_sql[code], f"s{codes.index(code)}") for code in derived_codes]

    # per indicator, the final answer (deprived or not) and whether the derivation and the answer disagree
    final = [
        (f"(CASE WHEN r.h{i} THEN r.c{i} IS TRUE WHEN r.s{i} IS NOT NULL THEN r.s{i} ELSE r.a{i} IS TRUE END)", f"f{i}")
        for i in range(len(codes))
    ] + [(f"coalesce(r.s{i} <> r.a{i}, false)", f"g{i}") for i in range(len(codes))]

    def disagrees(i: int) -> str:
        return f"f.g{i}"

    def deprived(i: int) -> str:
        return f"f.f{i}"

    def describe(code: str, system: bool) -> str:
        return derivations.Disagreement(code, system, not system).describe()

    texts = {code: (p.text(describe(code, True)), p.text(describe(code, False))) for code in codes}
    names = {code: p.text(rules.INDICATOR_NAMES[code]) for code in codes}

    def text_of(i: int, code: str) -> str:
        return f"(CASE WHEN r.s{i} THEN {texts[code][0]} ELSE {texts[code][1]} END)"

    count = " + ".join(f"({deprived(i)})::int" for i in range(len(codes))) or "0"
    deprived_codes = ", ".join(f"CASE WHEN {deprived(i)} THEN {p.text(code)} END" for i, code in enumerate(codes))
    deprived_names = ", ".join(f"CASE WHEN {deprived(i)} THEN {names[code]} END" for i, code in enumerate(codes))
    disagreement_rows = ", ".join(
        f"CASE WHEN {disagrees(i)} THEN jsonb_build_object('indicator', {p.text(code)}, 'derived', r.s{i}, "
        f"'answered', r.a{i}, 'text', {text_of(i, code)}) END"
        for i, code in enumerate(codes)
    )
    unconfirmed = ", ".join(
        f"CASE WHEN {disagrees(i)} AND NOT r.h{i} THEN {text_of(i, code)} END" for i, code in enumerate(codes)
    )
    filled = " OR ".join(f"(r.s{i} IS NULL AND r.a{i} IS NULL)" for i in range(len(codes))) or "false"
    derived_object = ", ".join(f"{p.text(code)}, r.s{codes.index(code)}" for code in derived_codes)

    # The refusals, in the order the Python path meets them; their messages come from the rules.
    sample = derivations.Disagreement(codes[0], True, False) if codes else None
    if sample is not None:
        whole = _refusal(lambda: derivations.reconcile(codes[:1], {codes[0]: True}, {codes[0]: False}, {}))
        prefix, suffix = whole.split(sample.describe())
    else:
        prefix = suffix = ""
    area_prefix, area_suffix = _refusal(lambda: rules.parse_area_type("\x00")).split("\x00")

    def refused(**inputs: int | None) -> str:
        return _refusal(lambda: rules.classify(standard, area_type=rules.AreaType.RURAL, deprived=(), **inputs))

    skips: list[tuple[str, str]] = []
    if standard.point_a_max is None:
        skips.append(
            (
                "a.point_a IS NOT NULL AND a.income_per_capita IS NULL",
                p.text(NO_POINT_A_THRESHOLD.format(code=standard.code)),
            )
        )
    if codes:
        skips.append(
            (
                " OR ".join(f"({disagrees(i)} AND NOT r.h{i})" for i in range(len(codes))),
                f"({p.text(prefix)} || array_to_string(ARRAY[{unconfirmed}]::text[], '; ') || {p.text(suffix)})",
            )
        )
    skips += [
        (
            "a.area_type IS DISTINCT FROM 'rural' AND a.area_type IS DISTINCT FROM 'urban'",
            f"({p.text(area_prefix)} || coalesce(a.area_type, '') || {p.text(area_suffix)})",
        ),
        (
            "a.income_per_capita IS NOT NULL AND a.point_a IS NOT NULL",
            p.text(refused(income_per_capita=1, point_a=1)),
        ),
        ("a.income_per_capita IS NULL AND a.point_a IS NULL", p.text(refused())),
        ("a.income_per_capita < 0", p.text(refused(income_per_capita=-1))),
        (f"a.income_per_capita > {p.int(rules.MAX_INCOME)}", p.text(refused(income_per_capita=rules.MAX_INCOME + 1))),
        (f"a.point_a > {p.int(rules.MAX_POINT_A)}", p.text(refused(point_a=rules.MAX_POINT_A + 1))),
    ]
    if standard.point_a_max is not None:
        skips.append(("a.point_a < 0", p.text(refused(point_a=-1))))
    else:
        skips.append(("a.point_a IS NOT NULL", p.text(refused(point_a=0))))
    skip = "CASE " + " ".join(f"WHEN {condition} THEN {message}" for condition, message in skips) + " END"

    # The classification (`rules.classify`), on the rows that are not refused.
    line = _case_area(
        p, p.int(standard.poor_line[rules.AreaType.RURAL]), p.int(standard.poor_line[rules.AreaType.URBAN])
    )
    where = _case_area(
        p,
        p.text(f"{rules.AREA_LABELS[rules.AreaType.RURAL]}, chuẩn {standard.code}"),
        p.text(f"{rules.AREA_LABELS[rules.AreaType.URBAN]}, chuẩn {standard.code}"),
    )
    point_b = f"({p.int(standard.point_b_per_indicator)} * k.k)"
    deprivations = (
        f"('thiếu hụt ' || k.k || '/' || {len(codes)} || ' chỉ số (điểm B = ' || {point_b} || ')' "
        f"|| CASE WHEN k.k > 0 THEN ': ' || k.names ELSE '' END)"
    )
    sign = "CASE WHEN c.below THEN '≤' ELSE '>' END"
    if standard.point_a_max is not None:
        threshold = _case_area(
            p, p.int(standard.point_a_max[rules.AreaType.RURAL]), p.int(standard.point_a_max[rules.AreaType.URBAN])
        )
        below = f"CASE WHEN a.point_a IS NOT NULL THEN a.point_a <= {threshold} ELSE a.income_per_capita <= c0.line END"
        first = (
            f"CASE WHEN a.point_a IS NOT NULL THEN 'điểm A = ' || a.point_a || ' ' || {sign} || ' ' || {threshold} "
            f"|| ' điểm (ngưỡng tương ứng chuẩn nghèo ' || {_money('c.line')} || ', ' || c.place || ')' "
            f"ELSE 'thu nhập ' || {_money('a.income_per_capita')} || '/người/tháng ' || {sign} || ' chuẩn nghèo ' "
            f"|| {_money('c.line')} || ' (' || c.place || ')' END"
        )
    else:
        below = "a.income_per_capita <= c0.line"
        first = (
            f"'thu nhập ' || {_money('a.income_per_capita')} || '/người/tháng ' || {sign} || ' chuẩn nghèo ' "
            f"|| {_money('c.line')} || ' (' || c.place || ')'"
        )
    threshold_k = standard.deprivation_threshold
    branches: list[tuple[str, str, str]] = []  # (condition, category, the reasons after the first)
    if standard.income_only_line is not None:
        income_only = _case_area(
            p,
            p.int(standard.income_only_line[rules.AreaType.RURAL]),
            p.int(standard.income_only_line[rules.AreaType.URBAN]),
        )
        text = _case_area(
            p,
            p.text(
                f"thu nhập ≤ {rules.money(standard.income_only_line[rules.AreaType.RURAL])} "
                "(chuẩn nghèo chỉ theo thu nhập): hộ nghèo, không xét số chỉ số thiếu hụt"
            ),
            p.text(
                f"thu nhập ≤ {rules.money(standard.income_only_line[rules.AreaType.URBAN])} "
                "(chuẩn nghèo chỉ theo thu nhập): hộ nghèo, không xét số chỉ số thiếu hụt"
            ),
        )
        branches.append(
            (
                f"a.income_per_capita IS NOT NULL AND a.income_per_capita <= {income_only}",
                rules.Category.POOR.value,
                f"jsonb_build_array({text}, {deprivations})",
            )
        )
    branches.append(
        (
            f"c.below AND k.k >= {threshold_k}",
            rules.Category.POOR.value,
            f"jsonb_build_array({deprivations}, k.k || ' ≥ {threshold_k} chỉ số thiếu hụt: hộ nghèo')",
        )
    )
    branches.append(
        (
            "c.below",
            rules.Category.NEAR_POOR.value,
            f"jsonb_build_array({deprivations}, k.k || ' < {threshold_k} chỉ số thiếu hụt: hộ cận nghèo')",
        )
    )
    if standard.average_upper is not None:
        upper = _case_area(
            p, p.int(standard.average_upper[rules.AreaType.RURAL]), p.int(standard.average_upper[rules.AreaType.URBAN])
        )
        upper_money = _case_area(
            p,
            p.text(rules.money(standard.average_upper[rules.AreaType.RURAL])),
            p.text(rules.money(standard.average_upper[rules.AreaType.URBAN])),
        )
        branches.append(
            (
                f"a.income_per_capita IS NOT NULL AND a.income_per_capita <= {upper}",
                rules.Category.AVERAGE.value,
                f"jsonb_build_array('thu nhập ≤ ' || {upper_money} || ': hộ có mức sống trung bình')",
            )
        )
        branches.append(
            (
                "a.income_per_capita IS NOT NULL",
                rules.Category.NOT_POOR.value,
                f"jsonb_build_array('thu nhập > ' || {upper_money} || ' (mức sống trung bình): hộ không nghèo')",
            )
        )
        branches.append(
            (
                "true",
                rules.Category.NOT_POOR.value,
                "jsonb_build_array('trên ngưỡng điểm A: hộ không nghèo (điểm A không xác định mức sống trung bình)')",
            )
        )
    else:
        branches.append(
            ("true", rules.Category.NOT_POOR.value, "jsonb_build_array('trên chuẩn nghèo: hộ không nghèo')")
        )
    category = "CASE " + " ".join(f"WHEN {cond} THEN '{cat}'" for cond, cat, _ in branches) + " END"
    reasons = (
        f"jsonb_build_array({first}) || CASE "
        + " ".join(f"WHEN {cond} THEN {rest}" for cond, _, rest in branches)
        + " END"
    )

    names_text = f"array_to_string(ARRAY[{deprived_names or 'NULL'}]::text[], ', ')"
    sql = f"""
SELECT a.*,
    jsonb_build_object({derived_object}) AS new_derived,
    to_jsonb(array_remove(ARRAY[{disagreement_rows or "NULL"}]::jsonb[], NULL)) AS new_disagreements,
    to_jsonb(array_remove(ARRAY[{deprived_codes or "NULL"}]::text[], NULL)) AS new_deprived,
    k.k AS new_deprivation_count,
    {point_b} AS new_point_b,
    c.line AS new_income_line,
    {category} AS new_category,
    {reasons} AS new_reasons,
    ({filled}) AS filled,
    {skip} AS skip
FROM {source} AS a
CROSS JOIN {_survey_day(settings)}
CROSS JOIN {members}
CROSS JOIN LATERAL jsonb_to_record({_object("a.dwelling")}) AS dw(
    has_house boolean, floor_area_m2 numeric, foundation_frame_durable boolean, walls_durable boolean,
    roof_durable boolean
)
CROSS JOIN LATERAL jsonb_to_record({_object("a.answers")}) AS an({record})
CROSS JOIN LATERAL jsonb_to_record({_object("a.confirmed")}) AS co({record})
CROSS JOIN {_values("d1", derived_columns)}
CROSS JOIN {_values("r", per_code)}
CROSS JOIN {_values("f", final)}
CROSS JOIN {_values("k", [(count, "k"), (names_text, "names")])}
CROSS JOIN {_values("c0", [(line, "line"), (where, "place")])}
CROSS JOIN {_values("c", [("c0.line", "line"), ("c0.place", "place"), (f"({below})", "below")])}
"""
    return sql
