"""The researcher's session: outputs, local advice, saving, and what never leaks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from export_review import OutputError, OutputSession, UnknownOutputError
from export_review.messages import text


def test_crosstab_matches_pandas_and_records_evidence(
        session: OutputSession, people: Callable[..., pd.DataFrame]) -> None:
    data = people({("F", "A"): 12, ("F", "B"): 30, ("M", "A"): 27, ("M", "B"): 44})
    table = session.crosstab(data, "sex", "region", name="t", cohort="adults",
                             comment="Table 1")
    expected = pd.crosstab(data["sex"], data["region"], margins=True).astype(float)
    pd.testing.assert_frame_equal(table, expected, check_names=False)
    output = session.get("t")
    assert output.cohort.description == "adults" and output.cohort.size == len(data)
    assert output.comment == "Table 1" and output.variables == ("sex", "region")
    cell = next(c for c in output.table.cells if c.coordinates == (("F",), ("A",)))  # type: ignore[union-attr]
    assert cell.count == 12 and cell.members.size == 12


def test_pivot_table_keeps_top_contributions_and_matches_pandas(
        session: OutputSession, people: Callable[..., pd.DataFrame]) -> None:
    data = people({("F", "A"): 12, ("M", "A"): 27})
    table = session.pivot_table(data, "cost", "sex", "region", aggfunc="sum", name="p")
    expected = pd.pivot_table(data, values="cost", index="sex", columns="region",
                              aggfunc="sum", margins=True)
    assert table.loc["F", "A"] == pytest.approx(expected.loc["F", "A"])
    cell = next(c for c in session.get("p").table.cells if c.row == ("F",))  # type: ignore[union-attr]
    assert len(cell.top) == 2 and cell.top[0] >= cell.top[1]


def test_local_check_prints_plain_advice(people: Callable[..., pd.DataFrame]) -> None:
    lines: list[str] = []
    session = OutputSession(record_id="pid", echo=lines.append)
    session.crosstab(people({("F", "A"): 3, ("M", "A"): 40}), "sex", "region", name="t")
    assert "FAILS" in lines[0] and "F / A" in lines[0]
    assert "session.suppress('t')" in lines[0]


def test_input_frame_is_not_modified(session: OutputSession,
                                     people: Callable[..., pd.DataFrame]) -> None:
    data = people({("F", "A"): 12, ("M", "A"): 27})
    before = data.copy()
    session.crosstab(data, "sex", "region")
    session.summary(data, "cost")
    session.histogram(data, "cost", bins=[0, 150, 300])
    pd.testing.assert_frame_equal(data, before)


def test_errors_name_columns_but_never_values(session: OutputSession) -> None:
    data = pd.DataFrame({"pid": ["900101-1234567", "x"], "rrn": ["900101-1234567", "y"]})
    with pytest.raises(OutputError) as caught:
        session.summary(data, "rrn")
    assert "rrn" in str(caught.value) and "900101" not in str(caught.value)
    with pytest.raises(OutputError, match="no column"):
        session.crosstab(data, "nope", "rrn")


def test_duplicate_and_unknown_names_are_clear(session: OutputSession,
                                               people: Callable[..., pd.DataFrame]) -> None:
    data = people({("F", "A"): 12})
    session.frequency(data, "sex", name="t")
    with pytest.raises(OutputError, match="already exists"):
        session.frequency(data, "sex", name="t")
    with pytest.raises(UnknownOutputError, match="no output named"):
        session.suppress("missing")
    with pytest.raises(OutputError, match="names may use"):
        session.frequency(data, "sex", name="../evil")


def test_save_writes_outputs_and_evidence(session: OutputSession,
                                          people: Callable[..., pd.DataFrame],
                                          tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                          ) -> None:
    data = people({("F", "A"): 12, ("M", "A"): 27})
    session.frequency(data, "sex", name="t")
    monkeypatch.setenv("ENCLAVE_OUTPUTS_DIR", str(tmp_path / "out"))
    folder = session.save()
    assert sorted(p.name for p in folder.iterdir()) == ["t.csv", "t.evidence.json"]
    evidence = json.loads((folder / "t.evidence.json").read_text(encoding="utf-8"))
    assert evidence["name"] == "t"
    assert (folder / "t.csv").read_text(encoding="utf-8").startswith("sex,count\n")


def test_save_without_a_folder_says_what_to_do(session: OutputSession,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ENCLAVE_OUTPUTS_DIR", raising=False)
    with pytest.raises(OutputError, match="session.save"):
        session.save()


def test_models_record_degrees_of_freedom(session: OutputSession,
                                          people: Callable[..., pd.DataFrame]) -> None:
    data = people({("F", "A"): 30, ("M", "A"): 30})
    data["y"] = (data["sex"] == "F").astype(int)
    data["x"] = range(len(data))
    session.ols("cost ~ x", data, name="o")
    session.logit("y ~ x", data, name="l")
    session.probit("y ~ x", data.iloc[20:31], name="p")
    assert session.get("o").model.df_resid == 58  # type: ignore[union-attr]
    assert session.get("p").model.df_resid == 9  # type: ignore[union-attr]
    assert "ResidualDegreesOfFreedom" in [r.rule for r in session.results("p")
                                          if r.status == "fail"]


def test_library_imports_no_service_code() -> None:
    code = ("import sys, export_review, export_review.cli; "
            "bad = [m for m in sys.modules if m.split('.')[0] in "
            "('enclave', 'linkage', 'flask', 'sqlalchemy', 'requests')]; print(bad)")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=env, check=True)
    assert result.stdout.strip() == "[]"


def test_language_follows_enclave_lang(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENCLAVE_LANG", "ko")
    assert text("rule.zeros.pass") == "빈 칸이 없습니다."
    monkeypatch.setenv("ENCLAVE_LANG", "fr")
    assert text("rule.zeros.pass") == "No empty cells."
