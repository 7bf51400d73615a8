"""Row ids in URLs: bounded where the route is matched, so a number past any row is a 404.

Werkzeug's ``int`` converter takes any number of digits. An id past what the
id columns hold names no row, but looking it up would fail in the database
driver (``OverflowError`` from psycopg, a 500) instead of finding nothing. The
converter installed here replaces ``int`` for every route of an app, so no
view — page, API or linkage unit — ever sees such a number: the URL does not
match and the answer is the ordinary 404.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter, Map, ValidationError

from enclave.db.models import MAX_ROW_ID

__all__ = ["RowIdConverter", "bound_row_ids"]


class RowIdConverter(IntegerConverter):
    """Werkzeug's ``int`` converter, bounded to ``0 … MAX_ROW_ID`` unless a route says otherwise.

    An id out of range is a 404 outright. Werkzeug's own bound (a
    ``ValidationError``) would report the path's *other* methods as allowed — a
    405 for ``GET /projects/<huge>/export-requests`` because a POST rule shares
    the pattern — when no row of any method is there.
    """

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:  # noqa: A002  # werkzeug's name
        kwargs.setdefault("max", MAX_ROW_ID)
        super().__init__(map, *args, **kwargs)

    def to_python(self, value: str) -> Any:
        """Return the id, or raise 404 when it is past every row."""
        try:
            return super().to_python(value)
        except ValidationError:
            raise NotFound() from None


def bound_row_ids(app: Flask) -> None:
    """Make ``<int:…>`` in every route of ``app`` a :class:`RowIdConverter`; call before adding routes.

    Args:
        app: The app, before its blueprints are registered.
    """
    app.url_map.converters["int"] = RowIdConverter
