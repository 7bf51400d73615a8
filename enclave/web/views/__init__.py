"""The server-rendered pages, one blueprint per group of users."""

from __future__ import annotations

from flask import Blueprint

__all__ = ["page_blueprints"]


def page_blueprints() -> list[Blueprint]:
    """Every page blueprint, in registration order."""
    from enclave.web.views import (
        account,
        admin,
        agencies,
        agency,
        audit,
        auth,
        catalog,
        exports,
        jobs,
        keys,
        projects,
        steward,
    )

    return [auth.blueprint, admin.blueprint, audit.blueprint, catalog.blueprint, projects.blueprint,
            exports.blueprint, agency.blueprint, steward.blueprint, jobs.blueprint, agencies.blueprint, keys.blueprint,
            account.blueprint]
