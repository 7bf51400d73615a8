"""How the ``linkage`` commands end on a library error: one sentence on stderr and the error's exit code.

Kept apart from :mod:`linkage.cli` so that command modules registered on the
``linkage`` group (such as :mod:`linkage.agency_commands`) share it without
importing the group itself.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import click

from linkage.errors import LinkageError

__all__ = ["exit_on_linkage_error"]

F = TypeVar("F", bound=Callable[..., Any])


def exit_on_linkage_error(func: F) -> F:
    """Turn library errors into one clear line on stderr and the error's exit code.

    Args:
        func: A click command's callback.

    Returns:
        The wrapped callback.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except LinkageError as exc:
            click.echo(exc.message, err=True)
            raise SystemExit(exc.exit_code) from None

    return wrapper  # type: ignore[return-value]
