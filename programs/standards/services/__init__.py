"""The writers of the standards' records: every change to an assessment or a household's status is one of these
functions, one transaction each, audited.

- `assessments`: a survey and its classification (`record_assessment`, `record_assessments` for a batch), and
  a status decision (`record_status_change`), with the pieces they share (`evaluate`, the facts of the members
  and the dwelling);
- `reclassify`: the latest survey of every household of an area re-run under another standard, written in bulk
  (or a dry run: the what-if).
"""

from programs.standards.services.assessments import (
    DWELLING_FIELDS,
    MEMBER_EXTRA_FIELDS,
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
    survey_standard,
    visible_household,
)

__all__ = [
    "DWELLING_FIELDS",
    "MEMBER_EXTRA_FIELDS",
    "check_review",
    "disagreement_rows",
    "dwelling_facts",
    "evaluate",
    "member_facts",
    "new_assessment",
    "record_assessment",
    "record_assessments",
    "record_status_change",
    "recorded_entry",
    "run_rule",
    "survey_standard",
    "visible_household",
]
