"""Calling hooks one plugin at a time: only enabled plugins, failures contained, timed."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from typing import Any

import pluggy
from flask import current_app

logger = logging.getLogger("maillage.plugins")


class HookFailed(Exception):
    pass


def call_each(manager: pluggy.PluginManager, hook_name: str, plugins: Iterable[str] | None,
              **kwargs: Any) -> list[tuple[str, Any]]:
    """Call ``hook_name`` of each plugin in ``plugins`` (None: every registered one).

    Returns (plugin, result) pairs, skipping None results. A plugin whose hook raises
    is left out and logged with its name, unless the app is strict (tests), where the
    error propagates so that it cannot go unnoticed.
    """
    hook = getattr(manager.hook, hook_name)
    wanted = None if plugins is None else set(plugins)
    strict = current_app.config.get("PLUGINS_STRICT", False)
    trace = current_app.config.get("TRACE_HOOKS", False)
    results: list[tuple[str, Any]] = []
    for implementation in reversed(hook.get_hookimpls()):
        name = implementation.plugin_name
        if wanted is not None and name not in wanted:
            continue
        arguments = {arg: kwargs[arg] for arg in implementation.argnames if arg in kwargs}
        started = time.perf_counter()
        try:
            result = implementation.function(**arguments)
        except Exception as error:
            logger.exception("plugin %s: hook %s failed", name, hook_name)
            if strict:
                raise HookFailed(f"plugin {name}: hook {hook_name} failed: {error}") from error
            continue
        finally:
            if trace:
                logger.info("hook %s plugin=%s %.3f ms", hook_name, name,
                            (time.perf_counter() - started) * 1000)
        if result is not None:
            results.append((name, result))
    return results
