"""``maillage referrals …``: the referrals' command, meant for cron."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import ngettext

from core.database import session, write_intent
from core.referrals import engine

referrals_group = AppGroup("referrals", help="Referrals to partners (expiry and reminders).")


@referrals_group.command(
    "remind",
    help="Expire referrals unanswered after REFERRAL_EXPIRY_DAYS, and email the referents of "
         "those unanswered after REFERRAL_REMINDER_DAYS, once. Running it twice sends once: "
         "meant for a daily cron job.",
)
def remind() -> None:
    if not current_app.config.get("BASE_URL"):
        click.echo("Attention : MAILLAGE_BASE_URL n'est pas défini, les liens des e-mails "
                   "mènent à http://localhost/ (définissez l'adresse publique de l'intranet).", err=True)
    expired, reminded = run()
    click.echo(ngettext("%(num)d orientation expirée", "%(num)d orientations expirées", expired)
               + ", " + ngettext("%(num)d relance envoyée", "%(num)d relances envoyées", reminded)
               + ".")


def run() -> tuple[int, int]:
    """Expire first (an expired referral is not reminded), each in its own transaction."""
    with write_intent():
        expired = engine.expire_due()
        session.commit()
        reminded = engine.remind_due()
        session.commit()
    return expired, reminded
