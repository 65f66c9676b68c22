"""Schemathesis over every operation of the API's schema, with all its checks, as a province user and as a commune
officer, against the live server with the demo (tests/contract/conftest.py).

The schema is the one `/api/schema/` serves (drf-spectacular's generator, built here at collection so that each
operation is a test of its own; `test_served_schema_is_the_one_tested` proves the server serves the same). Each
operation draws its examples, its coverage cases (the schema's boundaries, valid and invalid) and `MAX_EXAMPLES`
generated cases, in both modes (valid requests must be accepted, invalid ones refused); a sample of them is sent
(`SAMPLED`), within a wall-clock deadline for both roles together (`known.DEADLINE`, CONTRACT_SECONDS): each
operation gets its share of what is left, at most CONTRACT_OPERATION_SECONDS, and always its first case. The summary
at the end counts the cases sent and the operations the deadline cut short.

`auth/logout/` and `auth/logout-all/` are sent with a token minted for the case (deleted after it), so that logging
out does not end the role's session; after a `logout-all` that succeeded, the role signs in again.

Every check runs on every response; a failure is recorded (operation, check) instead of stopping the operation, so
that one run lists everything. `known_failures.toml` names what fails today, each with its reason: a failure it does
not name fails the operation's test; a named one that did not fail in this run is listed at the end of the session
(the file shrinks as the API is fixed; `CONTRACT_STALE=fail` makes those fail the session).
"""

import json
import os

import hypothesis
import pytest
import requests
import schemathesis
from django.contrib.auth import get_user_model
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from knox.models import AuthToken
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.core.failures import FailureGroup

from tests.contract import known

pytestmark = pytest.mark.contract

MAX_EXAMPLES = int(os.environ.get("CONTRACT_MAX_EXAMPLES", "8"))  # generated cases per operation, after coverage
LOGOUTS = {"POST /api/v1/auth/logout/", "POST /api/v1/auth/logout-all/"}


def _schema_as_served() -> dict:
    return json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))


load_all_checks()
ALL_CHECKS = [check for check in CHECKS.get_all() if check.__name__ != "max_response_time"]
RAW_SCHEMA = _schema_as_served()
schema = schemathesis.openapi.from_dict(RAW_SCHEMA)
if os.environ.get("CONTRACT_ONLY"):  # a regular expression of paths, to run a few operations while working on them
    schema = schema.include(path_regex=os.environ["CONTRACT_ONLY"])
OPERATIONS = 2 * sum(1 for result in schema.get_all_operations())  # tests to come: both roles
schema.config.generation.update(
    modes=["positive", "negative"], max_examples=MAX_EXAMPLES, deterministic=True, database="none"
)


@pytest.mark.django_db  # asks pytest-django for the test database (the server's); nothing of it is written here
def test_served_schema_is_the_one_tested(contract_server, logins):
    served = requests.get(f"{contract_server}/api/schema/?format=json", headers=logins["province"].headers, timeout=60)
    assert served.status_code == 200
    assert served.json()["paths"] == RAW_SCHEMA["paths"]
    assert served.json()["components"] == RAW_SCHEMA["components"]


# Which of an operation's drawn cases are sent: the first six, then ever sparser (8, 11, 16, 23, 32, …, each about
# √2 times the last), so that the cases sent span the coverage phase's whole sequence (valid values first, then each
# parameter's and each field's invalid ones) and the generated ones after it.
SAMPLED = {*range(1, 7), *(round(8 * 2 ** (k / 2)) for k in range(40))}


def _run(case, role: str, contract_server: str, logins) -> None:
    label = f"{case.operation.method.upper()} {case.operation.path}"
    drawn = known.RUN.draw(role, label)
    if drawn not in SAMPLED or not known.RUN.may_send(role, label, OPERATIONS):
        return
    known.RUN.sent(role, label)
    login = logins[role]
    headers, minted = login.headers, None
    if label in LOGOUTS:  # a token of its own per case: logging out must not end the role's session
        minted, token = AuthToken.objects.create(get_user_model().objects.get(username=login.username))
        headers = {"Authorization": f"Token {token}"}
    response = None
    try:
        response = case.call(base_url=contract_server, headers=headers, timeout=30)
        for check in ALL_CHECKS:
            try:
                case.validate_response(
                    response, checks=[check], headers=headers, transport_kwargs={"base_url": contract_server}
                )
            except FailureGroup as group:
                refused = known.refused_by_data(response) if check.__name__ == "positive_data_acceptance" else None
                if refused:  # counted in the summary: the data's state, not the schema, refused it
                    known.RUN.refusals[refused] += 1
                    continue
                known.RUN.record(role, label, check.__name__, group.exceptions, case)
    finally:
        if minted is not None:  # not left to count against the account's limit of live tokens
            AuthToken.objects.filter(pk=minted.pk).delete()
        if label == "POST /api/v1/auth/logout-all/" and response is not None and response.status_code < 300:
            login.token = ""  # every token of the account is revoked: the next case signs in again


@schema.parametrize()
@hypothesis.settings(deadline=None, suppress_health_check=list(hypothesis.HealthCheck))
def test_as_province(case, contract_server, logins):
    _run(case, "province", contract_server, logins)


@schema.parametrize()
@hypothesis.settings(deadline=None, suppress_health_check=list(hypothesis.HealthCheck))
def test_as_commune_officer(case, contract_server, logins):
    _run(case, "commune", contract_server, logins)
