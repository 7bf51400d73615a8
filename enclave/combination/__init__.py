"""Stage 4, combination and additional processing (결합 및 추가처리): one module per use case.

4-3 :mod:`~enclave.combination.intake` receives agencies' sealed packages;
4-4 :mod:`~enclave.combination.linkage_map` receives the linkage unit's
sealed map (from the role in this process or from a separate linkage unit);
4-4/4-5 :mod:`~enclave.combination.combine` joins the
content through the map (:mod:`~enclave.combination.join`, a pure library);
a project asking for one dataset skips both: :mod:`~enclave.combination.provision`
replaces its serials by project pseudonyms (가명정보 제공); 4-6
:mod:`~enclave.combination.processing` pseudonymizes, processes and
reviews the risk, :mod:`~enclave.combination.adequacy` records the steward's
adequacy decision and :mod:`~enclave.combination.replicas` builds synthetic
replicas. :mod:`~enclave.combination.jobs` makes these use cases jobs a
steward starts and a worker runs; :mod:`~enclave.combination.leftovers`
removes what an unfinished run left. :mod:`~enclave.combination.datasets` stores every version of a
project's data, encrypted, and is the one way the approved version is read.
Before 4-4, :mod:`~enclave.combination.prechecks` shows the steward the
identification-risk pre-checks (stage 2) the agencies sealed in their content.
Views, API routes, commands and jobs all call these functions.
"""

from __future__ import annotations

from enclave.combination.adequacy import decide_adequacy, latest_review
from enclave.combination.combine import combine_project
from enclave.combination.datasets import DEFAULT_POLICY, policy_path, read_project_dataset
from enclave.combination.intake import (
    PayloadTooLarge,
    ReceivedPackage,
    latest_submissions,
    receive_package,
    stream_to_file,
    submissions_for,
)
from enclave.combination.jobs import STAGE4_JOBS, next_step, start_embedded_worker, startable_kinds
from enclave.combination.join import (
    PSEUDONYM_COLUMN,
    SHARED_COLUMNS,
    combine_submissions,
    derive_pseudonyms,
    pseudonymize_serials,
)
from enclave.combination.leftovers import remove_leftovers
from enclave.combination.linkage_map import (
    ReceivedLinkageMap,
    check_linkage_unit_account,
    deliver_linkage_map,
    receive_linkage_map,
)
from enclave.combination.prechecks import SubmissionPrecheck, project_prechecks, submission_precheck
from enclave.combination.processing import NOT_IN_REGISTRY, review_risk
from enclave.combination.provision import provide_project
from enclave.combination.replicas import build_project_replica, decide_replica
from enclave.combination.reports import linkage_quality_path, read_linkage_quality

__all__ = [
    "DEFAULT_POLICY",
    "NOT_IN_REGISTRY",
    "PSEUDONYM_COLUMN",
    "SHARED_COLUMNS",
    "STAGE4_JOBS",
    "PayloadTooLarge",
    "ReceivedLinkageMap",
    "ReceivedPackage",
    "SubmissionPrecheck",
    "build_project_replica",
    "check_linkage_unit_account",
    "combine_project",
    "combine_submissions",
    "decide_adequacy",
    "decide_replica",
    "deliver_linkage_map",
    "derive_pseudonyms",
    "latest_review",
    "latest_submissions",
    "linkage_quality_path",
    "next_step",
    "policy_path",
    "provide_project",
    "project_prechecks",
    "pseudonymize_serials",
    "read_linkage_quality",
    "read_project_dataset",
    "receive_linkage_map",
    "receive_package",
    "remove_leftovers",
    "review_risk",
    "start_embedded_worker",
    "startable_kinds",
    "stream_to_file",
    "submission_precheck",
    "submissions_for",
]
