"""The commune officers' UI: a thin layer over the selectors (scope) and the services (writes). Django's admin
autodiscovery imports this package, which imports each page's module (they register their admins):

- `base`: the pieces every app's admin is built from (rights, scope, plain area choices);
- `areas`: areas, a commune's villages, the ethnic groups;
- `households`: the household page with its members, its filters and the contributions of the higher apps;
- `audit`: the audit log;
- `history`: one object's history table, on other apps' pages and on every object's history page;
- `access`: the access log of personal data (who read which households), read-only;
- `changes`: the change log as people read it, and the door through which each app names its actions and keys;
- `officers`: the officers' accounts;
- `second_factor`: the step after the password (its middleware and pages), and on the officers' page the state of
  an account's second factor and its reset.
- `sign_in`: signing in: an account's lock and API tokens, django-axes' records, one's own new password.

What other apps use is imported from here (`from households.admin import RightsAdminMixin`).
"""

from households.admin.access import (
    SHOWN_CODES,
    AccessChangeList,
    AccessRecordAdmin,
    DaysFilter,
    HouseholdFilter,
    InputFilter,
    ReaderFilter,
)
from households.admin.areas import AreaAdmin, EthnicityAdmin, VillageForm
from households.admin.audit import ActionFilter, AuditEntryAdmin, DescribedFormSet, DescribedMixin
from households.admin.base import RightsAdminMixin, RightsInlineMixin, code_column, plain_choices, unlink_refused
from households.admin.changes import (
    CHANGE_LOG,
    EMPTY,
    ChangeLine,
    ChangeLog,
    Described,
    Key,
    Names,
    day,
    decimal,
    describe_audit,
    describe_entries,
    field_key,
    labelled,
    moment,
    plain,
    vnd,
    yes_no,
)
from households.admin.history import audit_entries_of, audit_history_table, changes_html
from households.admin.households import (
    HOUSEHOLD_PAGE,
    AuditInline,
    CommuneFilter,
    HouseholdAdmin,
    HouseholdChangeList,
    HouseholdForm,
    MemberForm,
    MemberFormSet,
    MemberInline,
    ScopedChoicesFilter,
    VillageFilter,
    contribute_to_household_page,
)
from households.admin.officers import (
    OfficerChangeForm,
    OfficerCreationForm,
    PasswordStateWidget,
    ScopeCheckMixin,
    UserAdmin,
)
from households.admin.second_factor import (
    OPEN_WHILE_DUE,
    CodeForm,
    EnrolForm,
    SecondFactorFilter,
    SecondFactorMiddleware,
    enrol_view,
    is_due,
    reset_second_factor_action,
    second_factor_status,
    verify_view,
)
from households.admin.sign_in import (
    AccessAttemptAdmin,
    AccessLogAdmin,
    AuditedPasswordChangeForm,
    AuditedPasswordChangeView,
    ReadOnlyRecordsAdmin,
    SignInAdminMixin,
    password_change,
)

__all__ = [
    "OPEN_WHILE_DUE",
    "CodeForm",
    "EnrolForm",
    "SecondFactorFilter",
    "SecondFactorMiddleware",
    "enrol_view",
    "is_due",
    "reset_second_factor_action",
    "second_factor_status",
    "verify_view",
    "AccessAttemptAdmin",
    "AccessLogAdmin",
    "AuditedPasswordChangeForm",
    "AuditedPasswordChangeView",
    "ReadOnlyRecordsAdmin",
    "CHANGE_LOG",
    "EMPTY",
    "ActionFilter",
    "ChangeLine",
    "ChangeLog",
    "Described",
    "DescribedFormSet",
    "DescribedMixin",
    "HOUSEHOLD_PAGE",
    "SHOWN_CODES",
    "AccessChangeList",
    "AccessRecordAdmin",
    "DaysFilter",
    "HouseholdFilter",
    "InputFilter",
    "ReaderFilter",
    "AreaAdmin",
    "AuditEntryAdmin",
    "AuditInline",
    "CommuneFilter",
    "EthnicityAdmin",
    "HouseholdAdmin",
    "HouseholdChangeList",
    "HouseholdForm",
    "Key",
    "MemberForm",
    "MemberFormSet",
    "MemberInline",
    "Names",
    "OfficerChangeForm",
    "OfficerCreationForm",
    "PasswordStateWidget",
    "RightsAdminMixin",
    "RightsInlineMixin",
    "ScopeCheckMixin",
    "ScopedChoicesFilter",
    "SignInAdminMixin",
    "UserAdmin",
    "VillageFilter",
    "VillageForm",
    "audit_entries_of",
    "audit_history_table",
    "changes_html",
    "code_column",
    "unlink_refused",
    "contribute_to_household_page",
    "password_change",
    "day",
    "decimal",
    "describe_audit",
    "describe_entries",
    "field_key",
    "labelled",
    "moment",
    "plain",
    "plain_choices",
    "vnd",
    "yes_no",
]
