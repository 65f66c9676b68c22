"""The officers' admin of support: `site` registers the admins (intervention types, support records, loans,
budgets), `forms` holds their forms, `views` the pages of their own (targeting, outcomes, budget overview)."""

from support.admin import site

__all__ = ["site"]
