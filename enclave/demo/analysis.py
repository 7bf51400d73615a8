"""The demo researcher's analysis: a safe table, a disclosive table and a regression.

When the analysis room's example notebook and the web API are available, the
notebook runs headless in a kernel and submits through ``export_review``'s
client over HTTP, exactly as in JupyterHub. The in-process path below makes the
same outputs with the same library and hands the evidence to the same domain
function the API calls; the demo says which path ran.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from enclave.db.models import ExportRequest, Project, User
from enclave.exports import create_export_request
from enclave.provisioning import read_project_dataset
from enclave.service import EnclaveService
from export_review import OutputSession, output_to_evidence

__all__ = ["AnalysisResult", "analyse", "run_example_analysis"]


@dataclass(frozen=True)
class AnalysisResult:
    """What the analysis submitted and what the server's re-check said."""

    how: str
    request_id: int
    outputs: int
    failing: int
    failing_names: tuple[str, ...]


def analyse(frame: pd.DataFrame, session: OutputSession) -> list[str]:
    """Make the demo's three outputs from the project data; return their names.

    - a safe frequency table of household type by insurance type;
    - a deliberately disclosive table: household size by industry, whose rare
      combinations leave cells below the minimum count;
    - an OLS regression of outpatient visits on household size and wage.
    """
    data = frame.copy()
    for column in ("household_type", "insurance_type", "industry_code", "employment_status"):
        if column in data:
            data[column] = data[column].astype("string").fillna("(missing)")
    safe = session.crosstab(data["household_type"], data["insurance_type"], name="household_by_insurance")
    del safe
    session.crosstab(data["household_size"], data["industry_code"], name="household_size_by_industry")
    model_data = data.dropna(subset=["outpatient_visits", "household_size", "monthly_wage_krw"])
    session.ols("outpatient_visits ~ household_size + monthly_wage_krw", model_data, name="visits_regression")
    return ["household_by_insurance", "household_size_by_industry", "visits_regression"]


def run_example_analysis(svc: EnclaveService, researcher: User, project_id: int, workspace: Path) -> AnalysisResult:
    """Run the analysis as ``researcher`` and submit an export request."""
    with svc.session() as session:
        frame = read_project_dataset(svc, session, project_id)
    outputs = OutputSession(dataset=f"project-{project_id}", record_id="pseudonym", echo=None)
    names = analyse(frame, outputs)
    evidence = [output_to_evidence(outputs.get(name)) for name in names]
    with svc.session() as session:
        project = session.get(Project, project_id)
        author = session.get(User, researcher.id)
        assert project is not None and author is not None
        request = create_export_request(svc, session, author, project, "Demo results", evidence)
        return _result(request, "in-process, through export_review.OutputSession")


def _result(request: ExportRequest, how: str) -> AnalysisResult:
    failing = tuple(o.name for o in request.outputs if o.check_status == "fail")
    return AnalysisResult(how=how, request_id=request.id, outputs=len(request.outputs), failing=len(failing),
                          failing_names=failing)
