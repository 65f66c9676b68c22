"""The officers' admin of support (domain A8), one module per subject; Django's autodiscovery imports this one.

A UI over `support.services` (STYLE 17): lists and pages start from the user's scope (`visible_to`), an object
outside it is a 404; records and loans are read-only pages whose moves are buttons to small forms carrying the
version, each calling one service; a refusal is a form error on the field the service names.

- `intervention_types`: the types of support (the program administrator's reference data);
- `records`: the support records with their moves and follow-ups, the targeting and outcome pages, and the
  household page's supports (an inline contributed to the household admin);
- `loans`: the policy bank's loans with their repayments;
- `budgets`: the budget lines and the overview of budget against delivery;
- `forms`: the forms of the services' inputs; `views`: the pages that read, the small form pages, the list
  filters and what the admins share.

The registrations are in the subject modules, not here: a name bound in this module would be rebound by importing
a submodule of the same name.
"""

from support.admin import budgets, intervention_types, loans, records

__all__ = ["budgets", "intervention_types", "loans", "records"]
