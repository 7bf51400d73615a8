"""The demo journey: a fresh enclave walked through all six stages by its own interfaces.

Everything here is something a person could do by hand: operators and
agencies type the product's commands, researchers and stewards call the JSON
API of ``enclave serve`` with their own tokens, and the stage-4 jobs run in the
server's embedded worker. The demo imports none of the service's internals;
every figure it prints is read back from what the service answered.

The separated mode (``separate=True``) is the same journey as the parties are
deployed apart (docs/deployment.md): the linkage unit is its own service with
its own folder and database (:mod:`enclave.demo.linkage_unit`), the jobs run
in an ``enclave worker`` process beside ``enclave serve``, agencies send
match keys to the linkage unit's URL, and its operator starts linking and
destroys its own part of a destroyed project. Only those steps differ.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import secrets
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from enclave.demo.agencies import AGENCIES, describe_datasets, prepare_agencies, register_agencies, send_packages
from enclave.demo.linkage_unit import LU_SERVICE_ACCOUNT, SeparateLinkageUnit
from enclave.demo.processes import ApiClient, Commands, DemoStepFailed, free_port, run_jobs, run_worker, serve_enclave

__all__ = ["DEMO_USERS", "DemoResult", "DemoUser", "run_demo"]

#: The policies shipped with the project (identifier policies the agencies link with).
_POLICIES = Path(__file__).resolve().parent.parent.parent / "policies"


@dataclass(frozen=True)
class DemoUser:
    """A demo account."""

    username: str
    role: str
    display_name: str
    agency_code: str | None = None


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("demo-admin", "admin", "Demo administrator"),
    DemoUser("demo-steward-1", "steward", "Demo steward 1 (데이터 심사자)"),
    DemoUser("demo-steward-2", "steward", "Demo steward 2 (데이터 심사자)"),
    DemoUser("demo-researcher", "researcher", "Demo researcher (연구자)"),
    DemoUser("demo-researcher-2", "researcher", "Second demo researcher"),
    DemoUser("agency-welfare", "agency", "Welfare registry (사회보장정보원)", "welfare"),
    DemoUser("agency-health", "agency", "Health registry (건강보험)", "health"),
    DemoUser("agency-employment", "agency", "Employment registry (고용정보원)", "employment"),
)


@dataclass
class DemoResult:
    """What the demo did, for its summary."""

    workspace: Path
    data_dir: Path
    database_url: str
    credentials_file: Path
    steps: list[str] = field(default_factory=list)
    project_id: int | None = None
    provided_project_id: int | None = None
    destroyed_project_id: int | None = None
    release_package: Path | None = None
    provided_release_package: Path | None = None
    certificates: dict[int, Path] = field(default_factory=dict)
    risk_report: Path | None = None
    linkage_report: Path | None = None
    certificate: Path | None = None
    separate: bool = False
    enclave_environment: dict[str, str] = field(default_factory=dict)
    linkage_unit_environment: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def linkage_unit_dir(self) -> Path | None:
        """The separate linkage unit's data folder (``None`` when it ran in the enclave's process)."""
        folder = self.linkage_unit_environment.get("LINKAGE_UNIT_DATA_DIR")
        return Path(folder) if folder else None


def _write_private(path: Path, content: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(content)


def _create_users(commands: Commands, credentials: Path) -> dict[str, str]:
    """Create every demo account with the ``enclave users`` commands; return their API tokens."""
    lines = ["# Demo credentials. Demo only: delete this workspace when done.", ""]
    tokens = {}
    for user in DEMO_USERS:
        password = secrets.token_urlsafe(12)
        args = ["users", "add", user.username, "--role", user.role, "--name", user.display_name,
                "--password", password]
        if user.agency_code:
            args += ["--agency", user.agency_code]
        printed = commands.enclave(*args)
        line = f"{user.username:<20} role={user.role:<10} password={password}"
        totp = re.search(r"secret=([A-Z2-7]+)", printed)
        if totp:
            line += f" totp_secret={totp.group(1)}"
        lines.append(line)
        tokens[user.username] = commands.enclave("users", "token", user.username, "--label", "demo",
                                                 "--days", "1").strip().splitlines()[-1]
    _write_private(credentials, "\n".join(lines) + "\n")
    return tokens


def _apply(researcher: ApiClient, datasets: dict[str, dict[str, Any]], *, title: str,
           agencies: tuple[str, ...]) -> int:
    project = researcher.post("/projects", {
        "title": title,
        "purpose": "Study how benefit take-up relates to health care use and employment (demo).",
        "analysis_plan": "Cross-tabulations by household type and region; regression of health care use.",
        "retention_end": (dt.date.today() + dt.timedelta(days=365)).isoformat(),
        "requests": {str(datasets[code]["id"]): [v["name"] for v in datasets[code]["variables"]]
                     for code in agencies},
        "team": ["demo-researcher-2"],
        "keep_unlinked": False,
    })
    return int(project["id"])


def _approve(clients: dict[str, ApiClient], project_id: int, agencies: tuple[str, ...]) -> None:
    for code in agencies:
        clients[f"agency-{code}"].post(f"/projects/{project_id}/agency-decision", {"decision": "approved"})
    clients["demo-steward-1"].post(f"/projects/{project_id}/decision", {"decision": "approved"})


def _approve_risk_review(steward: ApiClient, project_id: int) -> dict[str, Any]:
    reviews = steward.get(f"/projects/{project_id}/risk-reviews")
    pending = [r for r in reviews if r["state"] == "pending"]
    if not pending:
        raise DemoStepFailed(f"project {project_id} has no pending risk review to approve")
    review = max(pending, key=lambda r: r["id"])
    if not review["meets_thresholds"]:
        raise DemoStepFailed(f"the risk review of project {project_id} does not meet its thresholds")
    steward.post(f"/projects/{project_id}/risk-reviews/{review['id']}/decision", {"decision": "approve"})
    return dict(review)


def _review_export(clients: dict[str, ApiClient], request_id: int) -> None:
    """Both stewards vote on every output, blind to each other, as a person would judge it."""
    for name in ("demo-steward-1", "demo-steward-2"):
        steward = clients[name]
        request = steward.get(f"/export-requests/{request_id}")
        for output in request["outputs"]:
            if output["status"] == "fail":
                vote = {"vote": "reject", "comment": "Disclosive: a cell is below the minimum count."}
            elif output["status"] == "review":
                vote = {"vote": "approve", "comment": "Checked by hand: flagged values are not disclosive here."}
            else:
                vote = {"vote": "approve"}
            steward.post(f"/export-requests/{request_id}/outputs/{output['id']}/votes", vote)


def _analyse(commands: Commands, researcher: ApiClient, project_id: int, url: str) -> tuple[int, list[str], int]:
    """The researcher's example analysis runs in the workspace; returns its export request."""
    ran = commands.enclave("run-notebook", "demo-researcher", "example_analysis.ipynb", "--project",
                           str(project_id), extra_env={"ENCLAVE_PUBLIC_URL": url})
    found = re.search(r"export requests made: (\d+)", ran)
    if not found:
        raise DemoStepFailed(f"the example notebook ran in project {project_id} but made no export request")
    request_id = int(found.group(1))
    request = researcher.get(f"/export-requests/{request_id}")
    failing = [o["name"] for o in request["outputs"] if o["status"] == "fail"]
    return request_id, failing, len(request["outputs"])


def _review_and_release(commands: Commands, clients: dict[str, ApiClient], project_id: int, request_id: int,
                        workspace: Path) -> Path:
    """Two stewards vote; the researcher downloads the signed release; anyone can verify it."""
    _review_export(clients, request_id)
    package = clients["demo-researcher"].download(
        f"/projects/{project_id}/export-requests/{request_id}/release",
        workspace / "releases" / f"project-{project_id}-request-{request_id}.zip")
    public_key = workspace / "enclave.signing.pub.pem"
    public_key.write_text(commands.enclave("keys", "public", "--kind", "signing"))
    commands.run("export-review", "verify", package, "--public-key", public_key)
    return package


def run_demo(
    workspace: Path,
    *,
    echo: Callable[[str], None] = print,
    fresh: bool = True,
    persons: int = 3000,
    seed: int = 20261122,
    database_url: str | None = None,
    destroy_all: bool = False,
    separate: bool = False,
    linkage_unit_database_url: str | None = None,
) -> DemoResult:
    """Create a fresh demo workspace and walk it through the whole journey.

    Args:
        workspace: Folder of the demo; replaced when ``fresh``.
        echo: Where progress lines go.
        fresh: Remove an earlier demo workspace first.
        persons: Size of the synthetic population the agencies draw from.
        seed: Seed of the synthetic data.
        database_url: Use this database instead of the workspace's own SQLite
            file (the tests use it for PostgreSQL).
        destroy_all: Destroy the combination project too at the end (by default it
            stays active, so its workspace can be opened with ``enclave hub``).
        separate: Deploy the parties apart: the linkage unit as its own service
            (folder ``linkage-unit/`` in the workspace, its own database and
            port) and the jobs in a separate ``enclave worker`` process.
        linkage_unit_database_url: The separate linkage unit's database; by
            default a SQLite file in its own folder. Never the enclave's.

    Returns:
        What was done, and where its reports and packages are.

    Raises:
        DemoStepFailed: A step did not do what it should (the message says which).
    """
    started = time.monotonic()
    workspace = workspace.resolve()
    if fresh and workspace.exists():
        shutil.rmtree(workspace)
    workspace.mkdir(parents=True, exist_ok=True)
    data_dir = workspace / "data"
    database_url = database_url or f"sqlite:///{data_dir / 'enclave.db'}"
    result = DemoResult(workspace=workspace, data_dir=data_dir, database_url=database_url,
                        credentials_file=workspace / "demo-credentials.txt")
    environment = {"ENCLAVE_MODE": "development", "ENCLAVE_DATA_DIR": str(data_dir),
                   "ENCLAVE_DATABASE_URL": database_url, "ENCLAVE_ACTOR": "demo-operator",
                   "ENCLAVE_POLICIES_DIR": str(_POLICIES)}
    enclave_port = free_port()
    linkage_unit = None
    if separate:
        # Both addresses are fixed first: each service is configured with the other's URL.
        linkage_unit = SeparateLinkageUnit(workspace / "linkage-unit", free_port(), f"http://127.0.0.1:{enclave_port}",
                                           linkage_unit_database_url or "")
        environment["ENCLAVE_LINKAGE_UNIT_URL"] = linkage_unit.url
        result.separate, result.linkage_unit_environment = True, dict(linkage_unit.environment)
    commands = Commands(environment, cwd=workspace)
    result.enclave_environment = dict(environment)

    def step(line: str) -> None:
        result.steps.append(line)
        echo(line)

    step("mode: separated parties — the linkage unit is its own service (own folder, database and port) and "
         "stage-4 jobs run in a separate `enclave worker`" if separate else
         "mode: one machine — the linkage unit runs in the enclave's process and stage-4 jobs in the server's "
         "embedded worker")
    commands.enclave("init")
    step(f"stage 6-1: `enclave init` made the encrypted data folder, key file (0600), database and audit log "
         f"in {data_dir}")
    if linkage_unit is not None:
        enclave_fingerprint = linkage_unit.set_up(commands, workspace / "handover")
        step(f"stage 6-1 (linkage unit): `enclave linkage-unit init` made its own folder, keys and database in "
             f"{linkage_unit.data_dir}; `enclave linkage-unit trust-enclave` registered the enclave's sealing key "
             f"({enclave_fingerprint}, the fingerprint `enclave keys public --fingerprint` reads out)")
    agencies, secret = prepare_agencies(commands, workspace / "agencies", persons, seed)
    fingerprints = register_agencies(commands, agencies)
    tokens = _create_users(commands, result.credentials_file)
    describe_datasets(commands, _POLICIES)
    step(f"stage 1-2: `enclave agencies add` registered {len(agencies)} agencies' signing keys "
         f"({len(fingerprints)} fingerprints printed for confirmation); `enclave users` made {len(DEMO_USERS)} "
         f"accounts (credentials in {result.credentials_file}); `enclave catalog import` described "
         f"{len(AGENCIES)} datasets from the identifier policies")
    if linkage_unit is not None:
        linkage_unit.trust_agencies({code: agency.signing_public_key for code, agency in agencies.items()})
        linkage_unit.accept_enclave_account(commands)
        step(f"stage 1-2 (linkage unit): `enclave linkage-unit trust-agency` trusted {len(agencies)} agencies' "
             f"signing keys and `tokens add` issued them and its operator their tokens; the enclave's account "
             f"{LU_SERVICE_ACCOUNT} (role linkage_unit) gave it the token it delivers linkage maps with")

    with _services(commands, linkage_unit, workspace, enclave_port, step) as url:
        clients = {name: ApiClient(url, token, name) for name, token in tokens.items()}
        researcher, steward1, steward2 = (clients[n] for n in ("demo-researcher", "demo-steward-1",
                                                               "demo-steward-2"))
        datasets = {d["agency_code"]: d for d in researcher.get("/catalog/datasets")}
        project_id = _apply(researcher, datasets, title="Benefit take-up, health and work (demo)",
                            agencies=AGENCIES)
        result.project_id = project_id
        _approve(clients, project_id, AGENCIES)
        step(f"stages 1 and 3: demo-researcher applied for project {project_id} over the API; "
             f"{len(AGENCIES)} agencies approved their parts and demo-steward-1 the whole")

        receipts = [r for code, agency in agencies.items()
                    for r in send_packages(commands, agency, url=url, token=tokens[f"agency-{code}"],
                                           project_id=project_id, secret=secret, policies=_POLICIES,
                                           match_keys_to=None if linkage_unit is None else
                                           (linkage_unit.url, linkage_unit.agency_tokens[code]))]
        step(f"stage 4-1..4-3: each agency ran `linkage fetch-keys`, `linkage prepare` (identifiers normalized "
             f"and keyed-hashed on its own machine) and `linkage upload`: {len(receipts)} sealed packages, "
             f"match keys to the linkage unit{' at its own URL' if linkage_unit else ''} and content to the enclave")

        if linkage_unit is None:
            link, combine = run_jobs(clients["demo-admin"], project_id, ("link", "combine"))
            linked = f"demo-admin started the `link` and `combine` jobs (jobs {link['id']}, {combine['id']})"
        else:
            run = linkage_unit.link(project_id)
            (combine,) = run_jobs(clients["demo-admin"], project_id, ("combine",))
            linked = (f"the linkage unit's operator started linking (POST /api/v1/projects/{project_id}/link at the "
                      f"linkage unit, run {run['run']}, {run['map_rows']} map rows), which delivered the sealed map "
                      f"to the enclave; demo-admin started the `combine` job (job {combine['id']})")
        quality = steward1.get(f"/projects/{project_id}/linkage-quality")
        result.linkage_report = workspace / "reports" / f"project-{project_id}-linkage-quality.json"
        _write_private(result.linkage_report, json.dumps(quality, indent=1, ensure_ascii=False))
        step(f"stage 4-4/4-5: {linked}; the linkage unit linked one-to-one pass by pass ({_linked(quality)}) and "
             f"the enclave combined the content with project pseudonyms; quality report {result.linkage_report}")

        (process,) = run_jobs(clients["demo-admin"], project_id, ("process",))
        review = _approve_risk_review(steward1, project_id)
        result.risk_report = workspace / "reports" / f"project-{project_id}-risk-review-{review['id']}.json"
        _write_private(result.risk_report, json.dumps(review, indent=1, ensure_ascii=False))
        steward2.post(f"/projects/{project_id}/activate")
        step(f"stage 4-6: the `process` job (job {process['id']}) applied the pseudonymization policy and "
             f"additional processing until the thresholds held; demo-steward-1 approved the risk review "
             f"(적정성 검토, demo-admin ran it) and demo-steward-2 opened the workspace")

        request_id, failing, outputs = _analyse(commands, researcher, project_id, url)
        step(f"stage 5-1/5-4: `enclave run-notebook` ran notebooks/example_analysis.ipynb in demo-researcher's "
             f"workspace; its kernel submitted {outputs} outputs in export request {request_id} and the server "
             f"re-checked them: {len(failing)} failing ({', '.join(failing) or 'none'})")

        result.release_package = _review_and_release(commands, clients, project_id, request_id, workspace)
        step(f"stage 5-2/5-3: demo-steward-1 and demo-steward-2 voted on each output blind; the approved outputs "
             f"were released in a signed package {result.release_package}, checked with `export-review verify`")

        second = _apply(researcher, datasets, title="Welfare take-up pilot, one registry (demo)",
                        agencies=("welfare",))
        result.provided_project_id = second
        _approve(clients, second, ("welfare",))
        send_packages(commands, agencies["welfare"], url=url, token=tokens["agency-welfare"], project_id=second,
                      secret=secret, policies=_POLICIES, match_keys=False)
        provide, _ = run_jobs(clients["demo-admin"], second, ("provide", "process"))
        _approve_risk_review(steward1, second)
        steward2.post(f"/projects/{second}/activate")
        flow = researcher.get(f"/projects/{second}")["flow"]
        second_request, _, _ = _analyse(commands, researcher, second, url)
        result.provided_release_package = _review_and_release(commands, clients, second, second_request, workspace)
        step(f"provision (가명정보 제공): project {second} asked for the welfare dataset only ({flow} flow): the "
             f"`provide` job (job {provide['id']}) replaced serials by project pseudonyms without any linkage; the "
             f"same processing, adequacy review, analysis and export review followed "
             f"({result.provided_release_package})")

        to_destroy = (second, project_id) if destroy_all else (second,)
        for finished in to_destroy:
            researcher.post(f"/projects/{finished}/close")
            certificate = steward2.post(f"/projects/{finished}/destruction")
            path = workspace / "certificates" / f"project-{finished}-destruction.json"
            _write_private(path, json.dumps(certificate, indent=1))
            result.certificates[finished] = path
        result.destroyed_project_id, result.certificate = second, result.certificates[second]
        step(f"stage 6-2: demo-researcher closed project{'s' if destroy_all else ''} "
             f"{', '.join(map(str, to_destroy))} and demo-steward-2 destroyed "
             f"{'them' if destroy_all else 'it'}: keys shredded, data deleted, certificates signed by the enclave "
             f"({', '.join(str(p) for p in result.certificates.values())})")
        if linkage_unit is not None:
            removed = linkage_unit.destroy(to_destroy)
            step(f"stage 6-2 (linkage unit): its operator ran `enclave linkage-unit destroy` for project"
                 f"{'s' if destroy_all else ''} {', '.join(map(str, to_destroy))}: {' '.join(removed)}")

    verified = commands.enclave("audit", "verify")
    step(f"audit log verified by `enclave audit verify`: {verified.strip()}")
    if linkage_unit is not None:
        step(f"the linkage unit's own audit log verified by `enclave linkage-unit audit-verify`: "
             f"{linkage_unit.audit_verify()}")
    result.seconds = time.monotonic() - started
    return result


@contextlib.contextmanager
def _services(commands: Commands, linkage_unit: SeparateLinkageUnit | None, workspace: Path, port: int,
              step: Callable[[str], None]) -> Iterator[str]:
    """Run the services the journey talks to; yield the enclave's URL.

    On one machine that is ``enclave serve`` with its embedded worker. Apart,
    the linkage unit serves first, the enclave's admin imports its published
    keys, and ``enclave serve`` runs without a worker beside a separate
    ``enclave worker`` (stopped with SIGTERM at the end).
    """
    if linkage_unit is None:
        with serve_enclave(commands, workspace / "serve.log", port=port) as url:
            yield url
        return
    with linkage_unit.serving() as lu_url:
        imported = commands.enclave("linkage-unit-keys", "import", "--url", lu_url)
        fingerprints = [w.strip(".,()") for w in imported.split() if w.startswith("sha256:")]
        with serve_enclave(commands, workspace / "serve.log", port=port,
                           extra_env={"ENCLAVE_EMBEDDED_WORKER": "false"}) as url, \
                run_worker(commands, workspace / "worker.log"):
            step(f"stage 6-1 (services): `enclave linkage-unit serve` at {lu_url}; `enclave linkage-unit-keys import "
                 f"--url` registered its {len(fingerprints)} public keys with the enclave; `enclave serve` at {url} "
                 f"(ENCLAVE_EMBEDDED_WORKER=false) and a separate `enclave worker` for the stage-4 jobs")
            yield url


def _linked(quality: dict[str, Any]) -> str:
    passes = quality.get("passes")
    records = quality.get("records")
    if not isinstance(passes, list) or not isinstance(records, dict):
        return "see the quality report"
    links = sum(int(p.get("links", 0)) for p in passes if isinstance(p, dict))
    ambiguous = sum(int(p.get(k, 0)) for p in passes if isinstance(p, dict)
                    for k in ("ambiguous_duplicate", "ambiguous_conflict", "ambiguous_multiple"))
    probabilistic = [p for p in passes if isinstance(p, dict) and p.get("kind") == "probabilistic"]
    tail = ""
    if probabilistic:
        # The probabilistic pass (keyed Bloom filters, Fellegi-Sunter) links what the exact keys missed.
        tail = (f"; the probabilistic pass linked {sum(int(p.get('records_linked', 0)) for p in probabilistic)} "
                f"records the exact keys missed and left {sum(int(p.get('review_pairs', 0)) for p in probabilistic)} "
                "pairs for clerical review")
    return (f"{links} links over {len(passes)} passes among {sum(records.values())} records, "
            f"{ambiguous} ambiguous candidates left unlinked{tail}")
