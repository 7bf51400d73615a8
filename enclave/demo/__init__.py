"""``enclave demo``: the whole journey, headless, on synthetic data."""

from __future__ import annotations

from enclave.demo.journey import DemoResult, run_demo

__all__ = ["DemoResult", "run_demo"]
