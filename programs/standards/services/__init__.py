"""The writers of the standards' records: every change to an assessment or a household's status is one of these
functions, one transaction each, audited.

- `assessments`: a survey and its classification (`record_assessment`, `record_assessments` for a batch), and
  a status decision (`record_status_change`), with the pieces they share (`evaluate`, the facts of the members
  and the dwelling);
- `hooks`: what these writers ask of the review (the campaign's standard, moving the case on, the case still open),
  plugged in by `ProgramsConfig.ready`;
- `reclassify`: the latest survey of every household of an area re-run under another standard, written in bulk
  (or a dry run: the what-if);
- `standards`: the poverty standards with their indicators, and the indicators (`create_standard`,
  `change_standard`, `change_indicator`), set by the program administrator.
"""

from programs.standards.selectors import survey_standard  # a read the batch writers (the Excel import) share
from programs.standards.services.assessments import (
    DWELLING_FIELDS,
    MEMBER_EXTRA_FIELDS,
    UnconfirmedDisagreement,
    check_review,
    disagreement_rows,
    dwelling_facts,
    evaluate,
    member_facts,
    new_assessment,
    record_assessment,
    record_assessments,
    record_status_change,
    recorded_entry,
    run_rule,
    standard_for_survey,
    visible_household,
)
from programs.standards.services.standards import (
    INDICATOR_FIELDS,
    STANDARD_FIELDS,
    change_indicator,
    change_standard,
    create_standard,
)

__all__ = [
    "DWELLING_FIELDS",
    "INDICATOR_FIELDS",
    "MEMBER_EXTRA_FIELDS",
    "STANDARD_FIELDS",
    "change_indicator",
    "change_standard",
    "check_review",
    "create_standard",
    "disagreement_rows",
    "dwelling_facts",
    "evaluate",
    "member_facts",
    "new_assessment",
    "record_assessment",
    "record_assessments",
    "record_status_change",
    "recorded_entry",
    "UnconfirmedDisagreement",
    "run_rule",
    "standard_for_survey",
    "survey_standard",
    "visible_household",
]
