"""Imports every core model so that ``Base.metadata`` describes the whole core schema."""

from __future__ import annotations


def load_core_models() -> None:
    import core.agenda.bookables
    import core.agenda.bookings
    import core.agenda.events
    import core.agenda.feed_tokens
    import core.auth.accounts
    import core.auth.reset_tokens
    import core.auth.sessions
    import core.auth.throttle
    import core.members
    import core.partners
    import core.pluginhost.activation
    import core.referrals.models  # noqa: F401
