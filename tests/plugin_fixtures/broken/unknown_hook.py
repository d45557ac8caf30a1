"""Implements a hook that does not exist."""

from core.plugin_api import hookimpl


@hookimpl
def dashboard_widget() -> list:  # typo: the hook is dashboard_widgets
    return []
