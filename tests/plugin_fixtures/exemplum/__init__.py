"""A complete, well-behaved plugin used by the suite to exercise the plugin host."""

__version__ = "1.0.0"
TITLE = "Exemple"
