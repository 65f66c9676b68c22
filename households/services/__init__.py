"""The only writers of the households app: one function per use case, one transaction, one audit entry each.

- `audit`: the audit entries every app's writers leave (`log_action`, `audit_entry` for a batch, `diff_fields`
  for the old -> new of a change), and `check_row`, Django's own checks of a row of reference data that other
  apps' writers edit whole;
- `checks`: writes nothing; the checks of a household and its members that need the database (scope, national
  IDs, one head), shared by the admin's forms, the API and the writers of `registry`;
- `registry`: households and their members (`create_household`, `create_households` for the import,
  `update_household`, `change_members` and the one-member shortcuts);
- `areas`: a commune's villages (`create_village`);
- `officers`: the officers' accounts (`create_officer`, `change_officer`);
- `access`: the access log of personal data (`record_access`, one INSERT per request; `prune_access_log`).
- `second_factor`: the second factor of a sign-in (who must give one, enrolment, checking a code, the reset).
- `sign_in`: signing in (the lockouts and their lifting, the API's expiring tokens, one's own new password).

Callers import from here (`from households.services import log_action`, `services.create_household`).
"""

from households.services.access import PRUNE_BATCH, Pruned, prune_access_log, record_access
from households.services.areas import check_new_village, create_village
from households.services.audit import audit_entry, check_row, diff_fields, log_action
from households.services.checks import (
    check_heads,
    check_household_location,
    check_member,
    check_national_ids_distinct,
    national_id_holders,
)
from households.services.officers import OFFICER_FIELDS, change_officer, create_officer, set_officer_password
from households.services.registry import (
    HOUSEHOLD_FIELDS,
    MEMBER_FIELDS,
    MemberChanges,
    add_member,
    change_members,
    create_household,
    create_households,
    remove_member,
    update_household,
    update_member,
)
from households.services.second_factor import (
    BACKUP_CODES,
    Enrolment,
    accept_code,
    confirm_enrolment,
    has_second_factor,
    pending_device,
    reset_second_factor,
    second_factor_required,
    start_enrolment,
    verify_code,
)
from households.services.sign_in import (
    TOKEN_PREFIX_LENGTH,
    change_own_password,
    issue_api_token,
    live_tokens,
    record_lockout,
    revoke_api_tokens,
    revoke_every_token,
    token_prefix,
    unlock_address,
    unlock_sign_in,
)

__all__ = [
    "PRUNE_BATCH",
    "Pruned",
    "prune_access_log",
    "record_access",
    "BACKUP_CODES",
    "Enrolment",
    "accept_code",
    "confirm_enrolment",
    "has_second_factor",
    "pending_device",
    "reset_second_factor",
    "second_factor_required",
    "start_enrolment",
    "verify_code",
    "HOUSEHOLD_FIELDS",
    "MEMBER_FIELDS",
    "OFFICER_FIELDS",
    "MemberChanges",
    "add_member",
    "audit_entry",
    "change_members",
    "change_officer",
    "set_officer_password",
    "TOKEN_PREFIX_LENGTH",
    "change_own_password",
    "live_tokens",
    "token_prefix",
    "issue_api_token",
    "record_lockout",
    "revoke_api_tokens",
    "revoke_every_token",
    "unlock_address",
    "unlock_sign_in",
    "check_heads",
    "check_household_location",
    "check_member",
    "check_national_ids_distinct",
    "check_new_village",
    "check_row",
    "create_household",
    "create_households",
    "create_officer",
    "create_village",
    "diff_fields",
    "log_action",
    "national_id_holders",
    "remove_member",
    "update_household",
    "update_member",
]
