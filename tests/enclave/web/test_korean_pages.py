"""Korean pages show no English: a walk through the main pages as each role under ``?lang=ko``.

Every English word of the ``enclave`` catalogue's msgids is looked for in the
text a person sees (text nodes, and the ``placeholder``, ``title``, ``alt``
and ``aria-label`` attributes). Allowed are the words in :data:`ALLOWED`
(product and format names that stay Latin in Korean text) and the words of
the data this test itself typed in (user names, dataset titles, output names),
which no translation touches. Markup a person does not read as prose is
skipped too: ``<code>``/``<pre>`` blocks, elements marked ``translate="no"``
(the HTML attribute for text that must stay as it is, such as an audit
record's field names), commands quoted in backticks (```linkage keygen```),
paths and file names (``/api/v1/...``, ``welfare.yaml``), and snake_case identifiers
(``export_review``, ``match_key``).
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from enclave.db.models import Role
from enclave.service import EnclaveService

ROOT = Path(__file__).resolve().parents[3]

# Names that Korean text writes in Latin letters too.
ALLOWED = frozenset({
    "csv", "api", "json", "totp", "url", "id", "pdf", "sha", "yaml", "utf", "cp", "zip", "jupyterhub", "jupyter",
    "jupyterlab", "enclave", "http", "https", "ok", "ko", "en",
    "english",  # the language switch names the other language in that language "sdv", "ctgan", "gaussian", "copula",
    "hmac", "sqlite", "postgresql", "otpauth", "ed", "aes", "gcm", "pem", "parquet", "qr",
    # Notation written the same way in Korean: time zone, date pattern, HTTP method.
    "utc", "yyyy", "mm", "dd", "put", "get", "post",
})
# Keywords of an input syntax that must be typed as shown, on the page that explains them.
SYNTAX_BY_PAGE = {
    "/catalog/new": frozenset({"category", "number", "integer", "date", "text", "qi", "sensitive"}),
}
_SEEN_ATTRIBUTES = ("placeholder", "title", "alt", "aria-label")
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
                   "wbr"})
# Paths, URLs and file names are names, not prose.
_NAMES = re.compile(r"`[^`]*`|\b\w+_\w+\b|\S*/\S*|\S*\.(?:yaml|yml|csv|parquet|json|zip|pem|py|ipynb)\b")


class _VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._open: list[bool] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        hides = tag in ("script", "style", "code", "pre") or dict(attrs).get("translate") == "no"
        if tag not in _VOID:
            self._open.append(hides)
        self._hidden += hides
        if hides:
            return
        for name, value in attrs:
            if name in _SEEN_ATTRIBUTES and value:
                self.parts.append(value)
        if tag == "input" and dict(attrs).get("type") in ("submit", "button"):
            self.parts.append(dict(attrs).get("value") or "")

        if tag in _VOID:
            self._hidden -= hides

    def handle_endtag(self, tag: str) -> None:
        if tag not in _VOID and self._open:
            self._hidden -= self._open.pop()

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    """Return what a person reads on the page (no markup, scripts or code blocks)."""
    parser = _VisibleText()
    parser.feed(html)
    return " ".join(parser.parts)


def _catalogue_words() -> frozenset[str]:
    with (ROOT / "enclave" / "locale" / "ko" / "LC_MESSAGES" / "enclave.po").open("rb") as handle:
        catalogue = read_po(handle)
    words: set[str] = set()
    for message in catalogue:
        for msgid in (message.id if isinstance(message.id, tuple) else (message.id,)):
            # Placeholders are filled with data, not read as words.
            words.update(w.lower() for w in re.findall(r"[A-Za-z]{2,}", re.sub(r"\{[^}]*\}", " ", msgid or "")))
    return frozenset(words)


def english_words(text: str, typed: frozenset[str]) -> list[str]:
    """Return the catalogue's English words that ``text`` shows, besides the allowed and the typed."""
    catalogue = _catalogue_words()
    found = {w.lower() for w in re.findall(r"[A-Za-z]{2,}", _NAMES.sub(" ", text))}
    return sorted(w for w in found if w in catalogue and w not in ALLOWED and w not in typed)


def _in_context(text: str, word: str) -> str:
    """Return ``word`` with a little of the text around it, so a failure shows where to look."""
    match = re.search(rf"(?i)\b{word}\b", text)
    if match is None:
        return word
    return " ".join(text[max(0, match.start() - 30):match.end() + 30].split())


def _typed_words(svc: EnclaveService) -> frozenset[str]:
    """Words of the data the fixtures typed in: names, titles, codes, labels."""
    from sqlalchemy import select

    from enclave.db import models

    words: set[str] = set()
    with svc.session() as session:
        rows: list[str] = []
        for user in session.scalars(select(models.User)):
            rows.append(user.username)
        for project in session.scalars(select(models.Project)):
            rows += [project.title, project.purpose or ""]
        for table in ("Dataset", "DatasetVariable", "Agency", "ExportRequest", "ExportOutput"):
            model = getattr(models, table, None)
            if model is None:
                continue
            for item in session.scalars(select(model)):
                for column in ("name", "title", "description", "label", "meaning", "code"):
                    value = getattr(item, column, None)
                    if isinstance(value, str):
                        rows.append(value)
        # The labels of the researcher's own outputs (row and column names, pandas' "All" margin).
        for output in session.scalars(select(models.ExportOutput)):
            for result in json.loads(output.checks).get("results", []):
                for cell in result.get("cells", []):
                    rows += [str(x) for x in (*cell.get("row", []), *cell.get("column", []))]
                rows += [str(v) for v in (result.get("message_params") or {}).values()]
    for row in rows:
        words.update(w.lower() for w in re.findall(r"[A-Za-z]{2,}", row))
    return frozenset(words)


def _pages(world, people) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    applied = world.project("applied", title="가족 급여 연구")
    active = world.project("active", title="복지와 건강")
    closing = world.project("closing", title="종료 과제")
    export_id = world.export_request(active)
    return {
        "researcher": ["/", "/catalog", f"/catalog/{world.welfare_dataset}", "/projects", "/projects/apply",
                       f"/projects/{applied}", f"/projects/{active}", f"/exports/{export_id}",
                       "/steward/queue", f"/projects/{active}/jobs"],
        "agency": ["/", "/agency/applications", "/agency/submissions", "/catalog", "/keys"],
        "steward": ["/", "/steward/queue", f"/projects/{applied}", f"/projects/{active}", f"/projects/{closing}",
                    f"/exports/{export_id}", "/audit", "/keys", "/catalog/new"],
        "admin": ["/", "/admin/users", "/admin/agencies", "/audit", "/keys", "/catalog"],
    }


def test_every_main_page_is_korean_for_every_role(client, people, login, world, svc) -> None:  # type: ignore[no-untyped-def]
    pages = _pages(world, people)
    typed = _typed_words(svc)
    problems: dict[str, list[str]] = {}
    for role, paths in pages.items():
        client.get("/logout")
        with client.session_transaction() as session:
            session.clear()
        login(client, people[role])
        for path in paths:
            response = client.get(f"{path}{'&' if '?' in path else '?'}lang=ko")
            assert response.status_code < 500, path
            seen = visible_text(response.get_data(as_text=True))
            words = english_words(seen, typed | SYNTAX_BY_PAGE.get(path, frozenset()))
            if words:
                problems[f"{role} {path} ({response.status_code})"] = [_in_context(seen, w) for w in words]
    assert not problems, "English on Korean pages:\n" + "\n".join(f"{page}: {w}" for page, w in problems.items())


def test_login_page_and_a_failed_login_are_korean(client, people, svc) -> None:  # type: ignore[no-untyped-def]
    typed = _typed_words(svc)
    page = client.get("/login?lang=ko")
    assert not english_words(visible_text(page.get_data(as_text=True)), typed)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
    failed = client.post("/login", data={"username": people["researcher"].username, "password": "wrong",
                                         "csrf_token": token.group(1) if token else ""}, follow_redirects=True)
    text = visible_text(failed.get_data(as_text=True))
    assert not english_words(text, typed), text


def test_accept_language_korean_is_honoured_without_a_choice(client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/login", headers={"Accept-Language": "ko-KR,ko;q=0.9,en;q=0.5"})
    assert page.headers["Content-Language"] == "ko"
    assert "Accept-Language" in page.headers["Vary"]
    assert "로그인" in page.get_data(as_text=True)
    english = client.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert english.headers["Content-Language"] == "en"


def test_an_explicit_choice_beats_the_browser(client) -> None:  # type: ignore[no-untyped-def]
    client.get("/login?lang=en")
    page = client.get("/login", headers={"Accept-Language": "ko"})
    assert page.headers["Content-Language"] == "en"


@pytest.mark.parametrize("variant", ["ko", "ko_KR", "ko_KR.UTF-8"])
def test_enclave_lang_decides_when_the_browser_says_nothing(svc, variant) -> None:  # type: ignore[no-untyped-def]
    import dataclasses

    from enclave.web import create_app

    app = create_app(dataclasses.replace(svc.settings, lang=variant), svc)
    page = app.test_client().get("/login")
    assert page.headers["Content-Language"] == "ko"


def test_a_refusal_is_korean_for_a_korean_reader(client, people, login, world) -> None:  # type: ignore[no-untyped-def]
    login(client, people["researcher"])
    page = client.get("/admin/users?lang=ko")
    assert page.status_code == 403
    assert not english_words(visible_text(page.get_data(as_text=True)), frozenset({"rita"}))
    api = client.get("/api/v1/projects/999999", headers={"Accept-Language": "ko"})
    assert re.search("[가-힣]", api.get_json()["error"])


def test_roles_are_named_in_korean(client, people, login) -> None:  # type: ignore[no-untyped-def]
    login(client, people["admin"])
    page = visible_text(client.get("/admin/users?lang=ko").get_data(as_text=True))
    for role in Role:
        assert f" {role.value} " not in f" {page} "


def test_linkage_quality_report_is_shown_in_the_readers_language(client, people, login, world, svc) -> None:  # type: ignore[no-untyped-def]
    from linkage.quality import PairRate, PassResult, QualityReport

    project_id = world.project("approved")
    report = QualityReport(
        project_id=str(project_id), scheme_name="scheme", scheme_version=1, scheme_hash="0" * 64, key_id="k1",
        created_at="2026-12-01T00:00:00+00:00", records={"welfare": 120, "health": 80},
        passes=[PassResult("p1", {"welfare": 120, "health": 80}, 70, 140, 1, 2, 0)],
        pairs=[PairRate("welfare", "health", 70, 0.5833, 0.875)], cluster_sizes={"2": 70},
        unlinked={"welfare": 50, "health": 10}, missing_counts={"health": {"birth_date": 3}})
    folder = svc.settings.reports_dir / f"project-{project_id}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "linkage-quality.json").write_text(report.to_json(), encoding="utf-8")
    login(client, people["steward"])
    korean = client.get(f"/projects/{project_id}/linkage-quality?lang=ko")
    assert korean.status_code == 200
    seen = visible_text(korean.get_data(as_text=True))
    assert "결합 품질 보고서" in seen and "기관 쌍별 결합률" in seen
    assert not english_words(seen, _typed_words(svc) | {"scheme", "p1", "birth", "date"}), seen
    english = visible_text(client.get(f"/projects/{project_id}/linkage-quality?lang=en").get_data(as_text=True))
    assert "Linkage quality report" in english and "records linked" in english
