"""The only writers of support (domain A8, Part B §5): every change to a type of support, a support record, a
follow-up, a loan or a budget is one of these functions, one transaction each, audited.

- `intervention_types`: the types of support, reference data of the program administrator
  (`create_intervention_type`, `change_intervention_type`);
- `records`: a household's support records (`record_support`) and their moves (`approve_support`,
  `deliver_support`, `cancel_support`), with what eligibility reads about a household (`household_at`,
  `status_history`) and the override of an ineligible one;
- `follow_ups`: the follow-ups of a delivered support, scheduled at delivery, their results (`record_follow_up`)
  and the reminders of those due (`send_follow_up_reminders`, notifications written for the commune officers);
- `loans`: the policy bank's preferential loans (`record_loan`, which writes its support record too) and their
  repayments (`record_repayment`);
- `budgets`: the budget envelopes of an area, project, source and year (`set_budget`) and the arithmetic that
  keeps a line adding up (`budget_problem`);
- `checks`: what every writer checks first (the actor's right, a day in range, a household in scope, an active
  type, the most money one support may carry); it writes nothing.
"""

from support.services.budgets import BUDGET_LEVELS, budget_problem, set_budget
from support.services.checks import EARLIEST, MAX_AMOUNT
from support.services.follow_ups import record_follow_up, send_follow_up_reminders
from support.services.intervention_types import (
    FIXED_TYPE_FIELDS,
    INTERVENTION_TYPE_FIELDS,
    change_intervention_type,
    create_intervention_type,
)
from support.services.loans import record_loan, record_repayment
from support.services.records import (
    approve_support,
    cancel_support,
    deliver_support,
    household_at,
    record_support,
    status_history,
)

__all__ = [
    "BUDGET_LEVELS",
    "EARLIEST",
    "FIXED_TYPE_FIELDS",
    "INTERVENTION_TYPE_FIELDS",
    "MAX_AMOUNT",
    "approve_support",
    "budget_problem",
    "cancel_support",
    "change_intervention_type",
    "create_intervention_type",
    "deliver_support",
    "household_at",
    "record_follow_up",
    "record_loan",
    "record_repayment",
    "record_support",
    "send_follow_up_reminders",
    "set_budget",
    "status_history",
]
