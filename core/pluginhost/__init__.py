"""Hosts the plugins: discovery, registration checks, enabling per association, hook calls."""

from core.pluginhost.host import PluginHost, get_host, init_app

__all__ = ["PluginHost", "get_host", "init_app"]
