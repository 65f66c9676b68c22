"""The officers' admin of the `programs` app, one module per subject; Django's autodiscovery imports this one."""

from households.admin import Key, describe_audit
from households.models import Area
from programs.imports import admin as imports_admin
from programs.reporting import admin as reporting_admin
from programs.reporting import dashboard
from programs.review import admin as review_admin
from programs.standards import admin as standards_admin

__all__ = ["dashboard", "imports_admin", "reporting_admin", "review_admin", "standards_admin"]

describe_audit(
    actions={"programs.demo.reviews_seeded": "tạo dữ liệu demo: phiếu khảo sát và quyết định công nhận"},
    keys={Area: {"assessments": Key("Số phiếu khảo sát"), "status_changes": Key("Số thay đổi tình trạng")}},
)
