"""Its table does not carry its name."""

from sqlalchemy.orm import Mapped, mapped_column

from core.plugin_api import Base


class Stray(Base):
    __tablename__ = "sans_prefixe"

    id: Mapped[int] = mapped_column(primary_key=True)
