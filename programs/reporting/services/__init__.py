"""The writers of reporting: every change to the year's figures, a target or a report job is one of these functions.

- `figures`: the pre-aggregated figures per commune and year (`refresh_figures`, `refresh_stale_figures`; a
  decision or survey marks its commune through `programs.reporting.stale.mark_stale`, the one writer of reporting
  outside this package: a leaf that the standards and the review may import without running this package) and
  the targets
  (`set_target`, audited);
- `report_jobs`: the official reports' jobs (`request_report`, `build_report` run by Celery, `download_report`
  audited, `expire_stale_jobs`).
"""

from programs.reporting.rules import FIRST_YEAR
from programs.reporting.services.figures import (
    COHORT_YEARS,
    COMMUNE_CHUNK,
    TARGET_LEVELS,
    commune_tallies,
    refresh_figures,
    refresh_stale_figures,
    set_target,
    years_to,
)
from programs.reporting.services.report_jobs import (
    Progress,
    build_report,
    download_report,
    expire_stale_jobs,
    queue,
    request_report,
)
from programs.reporting.stale import mark_stale

__all__ = [
    "COHORT_YEARS",
    "COMMUNE_CHUNK",
    "FIRST_YEAR",
    "TARGET_LEVELS",
    "Progress",
    "build_report",
    "commune_tallies",
    "download_report",
    "expire_stale_jobs",
    "mark_stale",
    "queue",
    "refresh_figures",
    "refresh_stale_figures",
    "request_report",
    "set_target",
    "years_to",
]
