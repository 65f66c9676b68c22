"""The writers of the review (domain A6): every change to a campaign, a case, a complaint or a review notification
is one of these functions, one transaction each, audited (support's follow-up reminders are written by
`support.services.follow_ups`).

- `campaigns`: a commune's campaign, its standard and calendar; reporting its recognised cases;
- `cases`: one function per move of a case (survey, meeting, posting, complaint, district opinion,
  recognition, rejection, report); `bulk`: the same move for several cases at once;
- `requests`: a household's own request to be reviewed;
- `calendar`: the batch work of the calendar (opening the periodic review for every commune, reminders,
  escalations, e-mail), run by Celery and by the management commands, and an officer marking her notifications read.
"""

from programs.review.services.bulk import move_cases
from programs.review.services.campaigns import (
    campaign_standard,
    change_campaign_calendar,
    default_steps,
    get_or_open_campaign,
    report_campaign,
)
from programs.review.services.cases import (
    advance_on_survey,
    advance_on_surveys,
    attach_survey,
    file_complaint,
    post_case,
    recognise_case,
    record_district_opinion,
    record_meeting,
    reject_case,
    report_case,
    resolve_complaint,
    review_standard_code,
)
from programs.review.services.requests import file_review_request

__all__ = [
    "advance_on_survey",
    "advance_on_surveys",
    "attach_survey",
    "campaign_standard",
    "change_campaign_calendar",
    "default_steps",
    "file_complaint",
    "file_review_request",
    "get_or_open_campaign",
    "move_cases",
    "post_case",
    "recognise_case",
    "record_district_opinion",
    "record_meeting",
    "reject_case",
    "report_campaign",
    "report_case",
    "resolve_complaint",
    "review_standard_code",
]
