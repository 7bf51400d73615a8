"""The notebook server's egress guard, without a server: the allow-list and the cut of stored outputs."""

from __future__ import annotations

import pytest

from enclave.hub.egress import cap_notebook_outputs, is_allowed_route


@pytest.mark.parametrize(("path", "method"), [
    ("", "GET"), ("lab", "GET"), ("lab/tree/welcome.ipynb", "GET"), ("api/contents/outputs/x.csv", "PUT"),
    ("api/kernels/1b2c3d4e-0000-0000-0000-000000000000/channels", "GET"), ("api/kernelspecs", "GET"),
    ("lab/api/settings/@jupyterlab/apputils-extension:themes", "PUT"), ("static/lab/main.js", "GET"),
])
def test_jupyterlabs_routes_are_allowed(path: str, method: str) -> None:
    assert is_allowed_route(path, method)


@pytest.mark.parametrize(("path", "method"), [
    ("files/data/linked.parquet", "GET"), ("nbconvert/html", "POST"), ("view/x.ipynb", "GET"),
    ("api/terminals", "POST"), ("lab/api/extensions", "POST"), ("api/config/notebook", "PATCH"),
    ("api/contents/../files/x", "GET"), ("static/%2e%2e/files/x", "GET"), ("api/kernelspecs", "DELETE"),
])
def test_everything_else_is_refused(path: str, method: str) -> None:
    assert not is_allowed_route(path, method)


def test_stored_outputs_are_cut_to_the_limits_and_replaced_by_a_note() -> None:
    table = "\n".join(f"row {i}, value {i * 7}" for i in range(2000))
    content = {"cells": [
        {"cell_type": "code", "outputs": [
            {"output_type": "stream", "name": "stdout", "text": "small"},
            {"output_type": "execute_result", "data": {"text/plain": table, "image/png": "iVBOR" * 10}},
        ]},
        {"cell_type": "code", "outputs": [{"output_type": "stream", "name": "stdout", "text": "x" * 900}
                                          for _ in range(10)]},
    ]}
    cut = cap_notebook_outputs(content, text_limit=1000, notebook_text_limit=5000, image_limit=100)
    first, second = content["cells"][0]["outputs"], content["cells"][1]["outputs"]
    assert first[0]["text"] == "small"
    assert first[1]["data"] == {"image/png": "iVBOR" * 10}  # the table went, the small image stayed
    kept = [o for o in second if o["text"].startswith("x")]
    assert len(kept) == 5 and all("export_review" in o["text"] for o in second if o not in kept)
    assert cut == 6
