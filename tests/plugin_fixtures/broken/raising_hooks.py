"""Loads fine, but its hooks raise while pages are built."""

from core.plugin_api import hookimpl


@hookimpl
def navigation() -> list:
    raise RuntimeError("panne volontaire : navigation")


@hookimpl
def dashboard_widgets(association) -> list:
    raise RuntimeError("panne volontaire : widgets")


@hookimpl
def association_sections(association) -> list:
    raise RuntimeError("panne volontaire : sections")
