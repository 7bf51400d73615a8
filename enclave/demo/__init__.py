"""``enclave demo``: the whole journey on synthetic data, as a script over the product's own interfaces."""

from __future__ import annotations

from enclave.demo.journey import DEMO_USERS, DemoResult, DemoUser, run_demo
from enclave.demo.processes import DemoStepFailed

__all__ = ["DEMO_USERS", "DemoResult", "DemoStepFailed", "DemoUser", "run_demo"]
