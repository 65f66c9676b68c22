"""Read paths of the standards: the poverty standards of the database as rule values, and the standard a survey
applies by its date (`survey_standard`)."""

import datetime
from collections.abc import Mapping

from django.db.models import Q

from config.errors import DomainError
from programs import rules
from programs.models import PovertyStandard


def _pair(rural: int | None, urban: int | None) -> dict[rules.AreaType, int] | None:
    if rural is None or urban is None:
        return None
    return {rules.AreaType.RURAL: rural, rules.AreaType.URBAN: urban}


def to_rule(standard: PovertyStandard) -> rules.Standard:
    codes = tuple(si.indicator.code for si in standard.standard_indicators.all())
    poor_line = _pair(standard.rural_poor_line, standard.urban_poor_line)
    assert poor_line is not None
    return rules.Standard(
        code=standard.code,
        name=standard.name,
        legal_basis=standard.legal_basis,
        valid_from=standard.valid_from,
        valid_to=standard.valid_to,
        poor_line=poor_line,
        indicators=codes,
        deprivation_threshold=standard.deprivation_threshold,
        income_only_line=_pair(standard.rural_income_only_line, standard.urban_income_only_line),
        average_upper=_pair(standard.rural_average_upper, standard.urban_average_upper),
        point_a_max=_pair(standard.rural_point_a_max, standard.urban_point_a_max),
        point_b_per_indicator=standard.point_b_per_indicator,
    )


def newly_escaped(today: datetime.date) -> Q:
    """Households newly escaped on `today`: off both lists, having left them within the household's own window
    (`rules.NEWLY_ESCAPED_MONTHS`, shared/domain.md A5). The "newly escaped" filter of the admin and of the API."""
    return Q(left_lists_on__gt=rules.newly_escaped_since(today)) & ~Q(status__in=rules.LISTED)


def _standards():
    return PovertyStandard.objects.prefetch_related("standard_indicators__indicator")


def standard_rule(code: str, field: str = "standard") -> rules.Standard:
    """The standard with this code as a rule value; an unknown code is a clear error naming `field`."""
    standard = _standards().filter(code=code).first()
    if standard is None:
        known = ", ".join(PovertyStandard.objects.values_list("code", flat=True))
        raise DomainError("unknown_standard", f"Chuẩn nghèo “{code}” không tồn tại (có: {known}).", field)
    return to_rule(standard)


def all_standard_rules() -> list[rules.Standard]:
    return [to_rule(s) for s in _standards()]


def standard_on(day: datetime.date) -> rules.Standard | None:
    return rules.standard_on(day, all_standard_rules())


def survey_standard(
    standard_code: str | None, survey_date: datetime.date, known: Mapping[str, rules.Standard] | None = None
) -> rules.Standard:
    """The survey's standard: the one named (the review's, or the caller's), else the one in force on the survey
    date. `known`: the standards fetched once by a batch."""
    if standard_code:
        if known is not None and standard_code in known:
            return known[standard_code]
        return standard_rule(standard_code)
    if known is not None:
        found = rules.standard_on(survey_date, list(known.values()))
    else:
        found = standard_on(survey_date)
    if found is None:
        raise DomainError("no_standard", f"Không có chuẩn nghèo áp dụng ngày {survey_date:%d/%m/%Y}.", "standard")
    return found
