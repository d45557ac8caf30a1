"""Which association enabled which plugin, and what the collective forbids."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.database import Base, utcnow


class PluginActivation(Base):
    __tablename__ = "plugin_activations"
    __table_args__ = (UniqueConstraint("plugin", "association_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plugin: Mapped[str] = mapped_column(String(40))
    association_id: Mapped[int] = mapped_column(
        ForeignKey("associations.id", ondelete="CASCADE"), index=True
    )
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # Only the values someone saved; defaults come from the plugin at read time.
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class PluginPolicy(Base):
    """A plugin the collective forbids: no association may use it."""

    __tablename__ = "plugin_policies"

    plugin: Mapped[str] = mapped_column(String(40), primary_key=True)
    forbidden: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
