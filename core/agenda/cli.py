"""``maillage agenda …``: the agenda's commands, meant for cron."""

from __future__ import annotations

from datetime import date, datetime

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import ngettext

from core.agenda.reminders import ReminderReport, day_label, send_reminders, time_label

agenda_group = AppGroup("agenda", help="The shared agenda (reminders).")


@agenda_group.command(
    "remind",
    help="Email each person their confirmed bookings of tomorrow (Paris time). Running it "
         "twice sends once: meant for a daily cron job.",
)
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Send for this day (YYYY-MM-DD) instead of tomorrow, e.g. to catch up a missed run.")
@click.option("--dry-run", is_flag=True, help="List the reminders without sending or marking them.")
def remind(day: datetime | None, dry_run: bool) -> None:
    if not current_app.config.get("BASE_URL"):
        click.echo("Attention : MAILLAGE_BASE_URL n'est pas défini, les e-mails ne contiennent "
                   "pas de lien.", err=True)
    report = send_reminders(day.date() if day else None, dry_run=dry_run)
    if dry_run:
        _list(report)
    click.echo(summary(report))
    if report.failed:
        failed = ngettext("%(num)d personne", "%(num)d personnes", len(report.failed))
        click.echo(f"Échec de l'envoi pour {failed} : "
                   f"{', '.join(report.failed)}. Relancez la commande pour réessayer.", err=True)
        raise click.exceptions.Exit(1)  # a failed job: cron mails its output to its owner


def _list(report: ReminderReport) -> None:
    for reminder in report.reminders:
        click.echo(f"{reminder.email} :")
        for item in reminder.items:
            click.echo(f"  {time_label(item.starts_at)}  {item.title}")


def summary(report: ReminderReport) -> str:
    if report.dry_run:
        sent = ngettext("%(num)d rappel à envoyer", "%(num)d rappels à envoyer", report.bookings)
    else:
        sent = ngettext("%(num)d rappel envoyé", "%(num)d rappels envoyés", report.bookings)
    people = ngettext("%(num)d personne", "%(num)d personnes", report.people)
    without = ngettext("%(num)d personne sans e-mail", "%(num)d personnes sans e-mail",
                       report.without_email)
    counts = f"{_day(report.day)} : {sent} à {people}, {without}."
    return f"Simulation, rien n'est envoyé ni marqué. {counts}" if report.dry_run else counts


def _day(day: date) -> str:
    label = day_label(day)
    return label[0].upper() + label[1:]
