"""The dataset catalog: metadata that researchers browse before applying.

It holds descriptions only — variables, meanings, coverage, rounded counts —
never a record.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from enclave.db.models.base import Base, UtcDateTime, utcnow

__all__ = ["Dataset", "DatasetVariable"]


class Dataset(Base):
    """A dataset an agency can provide."""

    __tablename__ = "datasets"
    __table_args__ = (UniqueConstraint("agency_code", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_code: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    coverage_start: Mapped[dt.date | None] = mapped_column(Date, default=None)
    coverage_end: Mapped[dt.date | None] = mapped_column(Date, default=None)
    # Rounded to the nearest thousand: the catalog must not disclose exact counts.
    row_count_rounded: Mapped[int] = mapped_column(Integer, default=0)
    identifier_policy: Mapped[str] = mapped_column(String(200), default="")
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)

    variables: Mapped[list[DatasetVariable]] = relationship(
        back_populates="dataset", cascade="all, delete-orphan", order_by="DatasetVariable.position")


class DatasetVariable(Base):
    """One variable of a dataset, as the catalog describes it."""

    __tablename__ = "dataset_variables"
    __table_args__ = (UniqueConstraint("dataset_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(100))
    type: Mapped[str] = mapped_column(String(30))
    meaning: Mapped[str] = mapped_column(Text, default="")
    is_quasi_identifier: Mapped[bool] = mapped_column(default=False)
    is_sensitive: Mapped[bool] = mapped_column(default=False)

    dataset: Mapped[Dataset] = relationship(back_populates="variables")
