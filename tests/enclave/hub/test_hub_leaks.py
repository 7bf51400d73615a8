"""No bulk path out through a real notebook server: each way a researcher once pulled the whole dataset.

A researcher on a project of 3,000 records (a CSV of it is about 200 kB)
copies the dataset where Jupyter serves files from, writes it as a CSV, as
base64 text and into notebook outputs, and asks the server for each through
the proxy with their own token, as a script would. The notebook server
answers only JupyterLab's routes, serves kernelspecs and extensions only from
the pinned system folders, caps the contents API, and reports what it handed
out to the enclave's audit log.
"""

from __future__ import annotations

import json

import pytest
import requests
from sqlalchemy import select

from enclave.db.models import AuditEvent, Role
from enclave.hub import workspace_root
from enclave.users import add_user
from tests.enclave.hub.conftest import Room, add_project, make_study_frame
from tests.enclave.hub.live_hub import Hub, Researcher, run_in_kernel, start_server, wait_for

pytestmark = [pytest.mark.hub, pytest.mark.slow]

ROWS = 3000


@pytest.fixture(scope="module")
def frame_pseudonyms() -> list[str]:
    return list(make_study_frame(n=ROWS, seed=31)["pseudonym"])


@pytest.fixture(scope="module")
def erin(hub: Hub, room: Room) -> Researcher:
    """A researcher on a project of 3,000 records, with her server running."""
    with room.svc.session() as session:
        user = add_user(room.svc, session, username="erin", role=Role.researcher, password=room.people.password,
                        actor="test").user
    add_project(room.svc, "Large enough to leak", [user], make_study_frame(n=ROWS, seed=31))
    return start_server(hub, "erin", room.people.password)


def _get(hub: Hub, who: Researcher, path: str, method: str = "GET") -> requests.Response:
    return requests.request(method, f"{hub.url}/user/{who.name}/{path}", headers=who.auth, timeout=60)


def _project_of(room: Room) -> int:
    with room.svc.session() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "hub.provision",
                                                         AuditEvent.actor == "erin")).first()
    assert event is not None
    return int(event.object_id)


def _data_bytes(room: Room) -> bytes:
    return (workspace_root(room.settings, _project_of(room), "erin") / "data" / "linked.parquet").read_bytes()


def test_a_copy_in_jupyters_user_folders_is_not_served(hub: Hub, room: Room, erin: Researcher) -> None:
    run_in_kernel(hub, erin, """
import json, os, shutil
data = os.path.expanduser("~/.local/share/jupyter")
for folder in (f"{data}/kernels/x", f"{data}/labextensions/x/static", os.path.expanduser("~/.jupyter/kernels/x")):
    os.makedirs(folder, exist_ok=True)
    shutil.copy("data/linked.parquet", folder)
    with open(f"{folder}/kernel.json", "w") as spec:
        json.dump({"argv": ["python3", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                   "display_name": "x", "language": "python"}, spec)
""")
    data = _data_bytes(room)
    for path in ("kernelspecs/x/linked.parquet", "lab/extensions/x/static/linked.parquet",
                 "kernelspecs/x/kernel.json"):
        response = _get(hub, erin, path)
        assert response.status_code in (403, 404), (path, response.status_code)
        assert data not in response.content
    specs = _get(hub, erin, "api/kernelspecs").json()["kernelspecs"]
    assert "x" not in specs and "python3" in specs
    # The system's kernelspecs still serve their logos.
    assert _get(hub, erin, "kernelspecs/python3/logo-64x64.png").status_code == 200


@pytest.mark.parametrize("path", [
    "files/data/linked.parquet", "nbconvert/script/welcome.ipynb", "view/welcome.ipynb", "api/nbconvert",
    "lab/api/extensions", "lab/api/plugins", "lab/api/build", "api/terminals", "api/spec.yaml", "metrics",
    "lsp/status", "api/resolvePath", "api/contents/../../data", "no/such/route",
])
def test_routes_off_the_allow_list_are_refused(hub: Hub, erin: Researcher, path: str) -> None:
    response = _get(hub, erin, path)
    assert response.status_code == 403, (path, response.status_code)
    assert "export request" in response.json()["message"]


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "lab"), ("GET", "api/kernelspecs"), ("GET", "api/sessions"), ("GET", "api/status"),
    ("GET", "lab/api/settings"), ("GET", "lab/api/translations"), ("GET", "api/contents/welcome.ipynb"),
])
def test_jupyterlabs_own_routes_still_answer(hub: Hub, erin: Researcher, method: str, path: str) -> None:
    assert _get(hub, erin, path, method).status_code == 200, path


def test_text_copies_of_the_data_are_refused_by_the_contents_api(hub: Hub, erin: Researcher,
                                                                 frame_pseudonyms: list[str]) -> None:
    run_in_kernel(hub, erin, """
import base64, pandas as pd
df = pd.read_parquet("data/linked.parquet")
df.to_csv("outputs/linked.csv", index=False)
with open("outputs/linked.txt", "w") as out:
    out.write(base64.b64encode(open("data/linked.parquet", "rb").read()).decode())
with open("outputs/note.txt", "w") as out:
    out.write("a short note\\n")
""")
    for name in ("linked.csv", "linked.txt"):
        for query in ("", "?type=file&format=text", "?content=1"):
            response = _get(hub, erin, f"api/contents/outputs/{name}{query}")
            assert response.status_code == 403, (name, query, response.status_code)
            assert "export request" in response.json()["message"]
            assert frame_pseudonyms[0] not in response.text
    assert _get(hub, erin, "api/contents/outputs/note.txt").json()["content"] == "a short note\n"


def test_a_notebook_cannot_carry_a_table_of_the_data(hub: Hub, room: Room, erin: Researcher,
                                                     frame_pseudonyms: list[str]) -> None:
    run_in_kernel(hub, erin, """
import nbformat, pandas as pd
df = pd.read_parquet("data/linked.parquet")
whole = nbformat.v4.new_notebook()
cell = nbformat.v4.new_code_cell("df")
cell.outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": df.to_string(),
                                                               "text/html": df.to_html()}, execution_count=1)]
whole.cells = [cell]
nbformat.write(whole, "outputs/whole.ipynb")
pieces = nbformat.v4.new_notebook()
for start in range(0, len(df), 20):
    cell = nbformat.v4.new_code_cell("print(part)")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=df[start:start + 20].to_csv())]
    pieces.cells.append(cell)
nbformat.write(pieces, "outputs/pieces.ipynb")
""")
    for name in ("whole.ipynb", "pieces.ipynb"):
        response = _get(hub, erin, f"api/contents/outputs/{name}")
        assert response.status_code == 200, name
        shown = sum(p in response.text for p in frame_pseudonyms)
        # At most 50 kB of text outputs per notebook (here about 860 of the 3,000 rows, cut up as
        # finely as a script likes; every read is audited and counted against the steward's limit).
        assert shown < ROWS // 3, (name, shown)
        assert "notebooks keep only small outputs" in response.text
    # Saved through the API, the notebook is stored cut, too.
    model = _get(hub, erin, "api/contents/outputs/pieces.ipynb").json()
    content = model["content"]
    content["cells"].append({"cell_type": "code", "source": "df", "metadata": {}, "execution_count": 2,
                             "outputs": [{"output_type": "stream", "name": "stdout",
                                          "text": "\n".join(frame_pseudonyms)}]})
    saved = requests.put(f"{hub.url}/user/erin/api/contents/outputs/saved.ipynb", headers=erin.auth, timeout=60,
                         json={"type": "notebook", "format": "json", "content": content})
    assert saved.status_code in (200, 201), saved.text
    stored = (workspace_root(room.settings, _project_of(room), "erin") / "outputs" / "saved.ipynb").read_text()
    assert sum(p in stored for p in frame_pseudonyms) < ROWS // 3


def test_what_the_contents_api_hands_out_is_audited(hub: Hub, room: Room, erin: Researcher) -> None:
    assert _get(hub, erin, "api/contents/welcome.ipynb").status_code == 200

    def reads() -> int:
        with room.svc.session() as session:
            events = session.scalars(select(AuditEvent).where(AuditEvent.action == "hub.contents_read",
                                                              AuditEvent.actor == "erin")).all()
        return sum(json.loads(e.details)["bytes"] for e in events)

    assert wait_for(reads, "a hub.contents_read audit event", timeout=30) > 0


def test_jupyterlab_settings_and_workspaces_cannot_carry_the_data(hub: Hub, erin: Researcher,
                                                                 frame_pseudonyms: list[str]) -> None:
    run_in_kernel(hub, erin, """
import json, os, pandas as pd
csv = pd.read_parquet("data/linked.parquet").to_csv()
lab = os.path.expanduser("~/.jupyter/lab")
os.makedirs(f"{lab}/user-settings/@jupyterlab/apputils-extension", exist_ok=True)
with open(f"{lab}/user-settings/@jupyterlab/apputils-extension/themes.jupyterlab-settings", "w") as out:
    out.write(json.dumps({"theme": "JupyterLab Light"}) + "// " + csv.replace("\\n", " "))
os.makedirs(f"{lab}/workspaces", exist_ok=True)
with open(f"{lab}/workspaces/x-0000.jupyterlab-workspace", "w") as out:
    json.dump({"data": {"table": csv}, "metadata": {"id": "x"}}, out)
""")
    for path in ("lab/api/settings", "lab/api/settings/@jupyterlab/apputils-extension:themes",
                 "lab/api/workspaces", "lab/api/workspaces/x"):
        response = _get(hub, erin, path)
        assert frame_pseudonyms[0] not in response.text, path
        if path.startswith("lab/api/settings") or path == "lab/api/workspaces":
            assert response.status_code == 403, (path, response.status_code)
