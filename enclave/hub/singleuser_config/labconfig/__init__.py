"""JupyterLab's page configuration for researchers' servers (``page_config.json``).

A package only so that the JSON file is installed with the wheel; nothing here is imported.
"""

from __future__ import annotations

__all__: list[str] = []
