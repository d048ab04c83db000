"""The Mission Locale's own catalogue: its offers and the diagnostic's families → offers links,
edited by administrators in the studio and published as numbered versions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tempo.models.base import Base, utcnow
from tempo.models.staff import StaffAccount


class CatalogueVersion(Base):
    """One state of the catalogue: `offers.yaml` and `diagnostic.yaml` as YAML text.

    The row without a `number` is the draft being edited (there is one); published rows are
    numbered 1, 2, 3… and never change. The highest number is the catalogue scenarios freeze.
    """

    __tablename__ = "catalogue_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int | None] = mapped_column(unique=True)
    offers: Mapped[str] = mapped_column(Text)
    diagnostic: Mapped[str] = mapped_column(Text)
    changelog: Mapped[str | None] = mapped_column(String(300))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_account.id", ondelete="SET NULL")
    )
    saved_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[StaffAccount | None] = relationship()

    def files(self) -> dict[str, str]:
        """The two content files this version stands for (name under content/ → text)."""
        return {"offers.yaml": self.offers, "diagnostic.yaml": self.diagnostic}
