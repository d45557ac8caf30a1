"""A valid module registered under a name that breaks the naming rule."""

from core.plugin_api import hookimpl


@hookimpl
def navigation() -> list:
    return []
