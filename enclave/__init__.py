"""The enclave service: the combination role (결합전문기관) and the analysis room.

Importing this package is cheap on purpose: the privacy library in
``enclave.privacy`` and the combination module must stay importable without
Flask or a database, so nothing here pulls in the service.
"""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.1.0"
