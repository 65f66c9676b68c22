"""The officers' admin of the `programs` app, one module per subject; Django's autodiscovery imports this one."""

from programs.imports import admin as imports_admin
from programs.reporting import admin as reporting_admin
from programs.reporting import dashboard
from programs.review import admin as review_admin
from programs.standards import admin as standards_admin

__all__ = ["dashboard", "imports_admin", "reporting_admin", "review_admin", "standards_admin"]
