"""The linkage package stands alone: an agency installs it without the service."""

from __future__ import annotations

import subprocess
import sys

FORBIDDEN = ("flask", "sqlalchemy", "sdv", "statsmodels", "enclave", "export_review", "alembic", "jupyterhub",
             "requests", "httpx", "urllib3")


def test_linkage_imports_nothing_of_the_service() -> None:
    code = (
        "import sys\n"
        "import linkage, linkage.cli, linkage.partner, linkage.linkage_unit, linkage.synth, "
        "linkage.sealing, linkage.normalize, linkage.ground_truth, linkage.transfer, linkage.agency_commands, "
        "linkage.published_keys, linkage.precheck\n"
        f"bad = [m for m in {FORBIDDEN!r} if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_public_api_is_declared() -> None:
    import linkage

    assert len(linkage.__all__) == len(set(linkage.__all__))
    for name in linkage.__all__:
        assert hasattr(linkage, name), name
