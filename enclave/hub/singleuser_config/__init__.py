"""Jupyter configuration folder for researchers' notebook servers (``JUPYTER_CONFIG_DIR``).

It ships with the package so that it is read-only to researchers and is
the same on every server. ``labconfig/page_config.json`` hides JupyterLab's
download commands; the server-side refusals that actually enforce the rule
are passed as command-line arguments by :class:`enclave.hub.spawner.EnclaveSpawner`
(command-line settings win over any configuration file a researcher could write).

``migrated`` is jupyter_core's marker: with it, no server start tries to
migrate a workspace's ``~/.ipython`` into this read-only folder (which failed
every second start). ``data/`` is the pinned ``JUPYTER_DATA_DIR``
(:mod:`enclave.hub.jupyter_paths`).
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["CONFIG_DIR"]

#: The folder to use as ``JUPYTER_CONFIG_DIR``.
CONFIG_DIR = Path(__file__).resolve().parent
