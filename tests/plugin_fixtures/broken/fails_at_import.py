"""A plugin whose import fails."""

raise RuntimeError("panne volontaire à l'import")
