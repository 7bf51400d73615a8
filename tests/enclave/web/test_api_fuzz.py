"""Every API route, fuzzed from its own OpenAPI document: no answer is a 5xx.

Schemathesis reads ``/api/v1/openapi.json`` from the app and generates
requests for each operation — valid bodies and parameters, and invalid ones
(wrong types, missing fields, out-of-range numbers). Each request carries a
token of a role the operation allows, so the fuzz reaches the handlers rather
than stopping at 401; projects exist in several states, so small generated ids
name real rows. The number of cases is bounded (``FUZZ_EXAMPLES`` per
operation and generation mode) to keep the pass to about a minute per backend.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any

import schemathesis
from flask import Flask
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from enclave.db.models import Role

#: Cases per operation and generation mode; every operation gets them, however small.
FUZZ_EXAMPLES = 10

_ROLE_ACCOUNT = {Role.researcher: "researcher", Role.agency: "agency", Role.steward: "steward", Role.admin: "admin"}


def _fuzz_operation(operation: Any, headers: dict[str, str], mode: GenerationMode, failures: list[str],
                    reached: set[str]) -> int:
    sent = 0
    name = f"{operation.method.upper()} {operation.path} ({mode.value})"

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=FUZZ_EXAMPLES, deadline=None, database=None, derandomize=True,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    def send(case: Any) -> None:
        nonlocal sent
        sent += 1
        try:
            response = case.call(headers=headers)
        except Exception as error:  # noqa: BLE001 — an escaped exception is a finding, not a crash
            failures.append(f"{name}: {type(error).__name__}")
            return
        if response.status_code >= 500:
            failures.append(f"{name}: {response.status_code}")
        elif response.status_code not in (401, 403):
            reached.add(operation.label)

    try:
        send()
    except Unsatisfiable:
        # Negative mode on an operation with nothing to make invalid (no parameters, no body).
        nothing = not (operation.path_parameters.items or operation.query.items or operation.body.items)
        assert mode is GenerationMode.NEGATIVE and nothing, name
    return sent


def fuzz_operations(schema: Any, headers_for: Callable[[Any], dict[str, str]]) -> tuple[int, set[str], list[str]]:
    """Send bounded fuzz cases to every operation of ``schema``.

    Returns:
        The cases sent, the labels of the operations whose handler answered at least once
        (anything but 401 and 403), and the failures: each names the method,
        path template and status of an answer ≥ 500 (or an exception the app
        let escape); the case's values stay out of it.
    """
    sent = 0
    failures: list[str] = []
    reached: set[str] = set()
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            sent += _fuzz_operation(operation, headers_for(operation), mode, failures, reached)
    return sent, reached, failures


def _enclave_role(endpoint: str) -> Role | None:
    from enclave.web.api.spec import OPERATIONS

    roles = next((op.roles for op in OPERATIONS if op.endpoint == endpoint), ())
    return next((r for r in roles if isinstance(r, Role)), None)


def test_fuzzing_every_enclave_api_route_gives_no_5xx(app: Flask, people, token_for, world) -> None:  # noqa: ANN001
    for state in ("applied", "approved", "active", "closing"):
        world.export_request(world.project(state)) if state == "active" else world.project(state)
    tokens = {role: token_for(people[key]) for role, key in _ROLE_ACCOUNT.items()}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)

    def headers_for(operation: Any) -> dict[str, str]:
        role = _enclave_role(operation.definition.raw.get("operationId", ""))
        return tokens[role or Role.researcher]

    sent, reached, failures = fuzz_operations(schema, headers_for)
    operations = len(list(schema.get_all_operations()))
    assert operations >= 30
    assert sent >= operations * 2  # every operation got cases in both modes
    labels = {result.ok().label for result in schema.get_all_operations()}
    assert reached == labels  # the tokens let every operation's handler answer
    assert failures == [], "\n".join(sorted(set(failures)))


def test_fuzzing_every_linkage_unit_api_route_gives_no_5xx(tmp_path) -> None:  # noqa: ANN001
    from enclave.db.models import TokenHolder
    from enclave.linkage_unit.api import LINKAGE_UNIT_API
    from enclave.linkage_unit.app import create_linkage_unit_app
    from enclave.linkage_unit.service import initialize_linkage_unit, open_linkage_unit_service
    from enclave.linkage_unit.settings import load_linkage_unit_settings
    from enclave.linkage_unit.tokens import issue_linkage_unit_token
    from tests.enclave.linkage_unit.test_service_api import PG_URL, second_postgres_database

    database = second_postgres_database(PG_URL) if PG_URL.startswith("postgresql") else ""
    lu_settings = load_linkage_unit_settings(environ={}, mode="development", data_dir=str(tmp_path / "lu"),
                                             database_url=database)
    initialize_linkage_unit(lu_settings)
    service = open_linkage_unit_service(lu_settings)
    try:
        with service.session() as session:
            tokens = {holder: issue_linkage_unit_token(session, service.audit, holder=holder, name=name, actor="test")
                      for holder, name in ((TokenHolder.operator, "ops"), (TokenHolder.agency, "welfare"))}
        app = create_linkage_unit_app(service=service)
        schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
        roles = {op.endpoint: op.roles for op in LINKAGE_UNIT_API.operations}

        def headers_for(operation: Any) -> dict[str, str]:
            allowed: tuple[enum.Enum, ...] = roles.get(operation.definition.raw.get("operationId", ""), ())
            holder = next((r for r in allowed if isinstance(r, TokenHolder)), TokenHolder.operator)
            return {"Authorization": f"Bearer {tokens[holder]}"}

        sent, reached, failures = fuzz_operations(schema, headers_for)
        assert sent >= 2 * len(LINKAGE_UNIT_API.operations)
        assert reached == {result.ok().label for result in schema.get_all_operations()}
        assert failures == [], "\n".join(sorted(set(failures)))
    finally:
        service.close()
