"""Warnings about agreements: those ending soon, and occupants' insurance expiring soon or
already expired. The dashboard widget lists them; ``maillage sites warnings`` (run from cron)
e-mails each association's team what is new.

What "new" means: a warning is sent once per agreement, kind and date (``WarningSent``,
unique on the three). Its rows are written before the e-mail goes out and committed once
it has, in the same transaction: running the command twice sends once; a failed e-mail
rolls its rows back for the next run; an agreement renewed (a new end) or a new certificate
(a new expiry) is a new date, warned again. Two runs at once: on SQLite the second waits
for the write lock (``write_intent``), then finds the rows; on PostgreSQL its insert waits
on the unique index, fails once the first commits, and the second reads again and finds
nothing new.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import click
from flask import current_app
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from core.plugin_api import (
    AssociationRef,
    Role,
    associations_enabling,
    emails_of,
    external_url,
    ngettext,
    paris_today,
    send_mail,
    session,
    write_intent,
)
from plugins.sites import NAME, TITLE
from plugins.sites.allocations import day_label
from plugins.sites.models import Allocation, Lot, Site
from plugins.sites.models_agreements import Agreement, WarningKind, WarningSent
from plugins.sites.settings import rules_of

CLAIM_ATTEMPTS = 3  # another run claimed some rows first: read again, at most this often


@dataclass(frozen=True, slots=True)
class Due:
    """One thing to warn about: an agreement's end, or its insurance's expiry."""

    agreement_id: int
    allocation_id: int
    kind: WarningKind
    about: date  # the end, or the expiry
    occupant: str
    code: str
    site_name: str


def due_warnings(association_id: int, today: date, ending_days: int, insurance_days: int, *,
                 unsent: bool = False) -> list[Due]:
    """The association's agreements running today that end within ``ending_days`` days, and
    those whose insurance expires within ``insurance_days`` days or has expired: soonest
    first, ends before insurance. ``unsent``: only those not warned yet for that date. One
    query (two with ``unsent``)."""
    ending_by, insured_until = today + timedelta(days=ending_days), today + timedelta(days=insurance_days)
    rows = session.execute(
        select(Agreement.id, Agreement.allocation_id, Agreement.ends_on, Agreement.insurance_expires_on,
               Allocation.occupant, Lot.code, Site.name)
        .join(Allocation, Allocation.id == Agreement.allocation_id)
        .join(Lot, Lot.id == Allocation.lot_id).join(Site, Site.id == Lot.site_id)
        .where(Agreement.association_id == association_id, Agreement.ends_on >= today,
               or_(Agreement.ends_on <= ending_by, Agreement.insurance_expires_on <= insured_until))
        .order_by(Agreement.id)).all()
    found = []
    for agreement_id, allocation_id, ends_on, expires_on, *labels in rows:
        if ends_on <= ending_by:
            found.append(Due(agreement_id, allocation_id, WarningKind.ENDING, ends_on, *labels))
        if expires_on is not None and expires_on <= insured_until:
            found.append(Due(agreement_id, allocation_id, WarningKind.INSURANCE, expires_on, *labels))
    if unsent and found:
        warned = select(WarningSent.agreement_id, WarningSent.kind, WarningSent.about).where(
            WarningSent.agreement_id.in_({due.agreement_id for due in found}))
        sent = set(session.execute(warned).all())
        found = [due for due in found if (due.agreement_id, due.kind, due.about) not in sent]
    return sorted(found, key=lambda d: (d.kind != WarningKind.ENDING, d.about, d.code, d.agreement_id))


# --- the command -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Warned:
    association: AssociationRef
    items: list[Due]
    recipients: list[str]


@dataclass
class WarningReport:
    today: date
    dry_run: bool = False
    warned: list[Warned] = field(default_factory=list)  # sent (or, dry run, to send)
    without_recipients: list[str] = field(default_factory=list)  # associations: nobody to write to
    failed: list[str] = field(default_factory=list)  # associations whose e-mail failed

    @property
    def warnings(self) -> int:
        return sum(len(warned.items) for warned in self.warned)


def send_warnings(today: date, *, dry_run: bool = False) -> WarningReport:
    """For every association that enabled the plugin, e-mail its coordinators and admins
    the warnings not sent yet, and record them. A dry run lists them, sends and records
    nothing."""
    report = WarningReport(today=today, dry_run=dry_run)
    # SQLite: every transaction below takes the write lock at BEGIN, so two runs queue up.
    with write_intent():
        associations = associations_enabling(NAME)
        session.commit()
        for association in associations:
            _warn(report, association)
    return report


def _warn(report: WarningReport, association: AssociationRef) -> None:
    """One association, one transaction: claim, send, commit — or roll the claim back."""
    rules = rules_of(association)
    for _attempt in range(CLAIM_ATTEMPTS):
        due = due_warnings(association.id, report.today, rules.ending_warning_days,
                           rules.insurance_warning_days, unsent=True)
        if not due:
            session.rollback()
            return
        recipients = team_addresses(association)
        if not recipients:  # left unrecorded: once someone adds an address, a later run sends
            session.rollback()
            report.without_recipients.append(association.short_name)
            return
        if report.dry_run:
            session.rollback()
            report.warned.append(Warned(association, due, recipients))
            return
        try:
            session.add_all(WarningSent(agreement_id=d.agreement_id, kind=d.kind, about=d.about) for d in due)
            session.flush()
        except IntegrityError:  # another run recorded some of them since we read: read again
            session.rollback()
            continue
        subject, body = compose(association, due, report.today,
                                (rules.ending_warning_days, rules.insurance_warning_days))
        # The rows are committed only once the e-mail is out: a crash in between must leave
        # the warnings to the next run rather than lose them.
        try:
            send_mail(", ".join(recipients), subject, body)
        except Exception:
            session.rollback()
            current_app.logger.exception("sites warnings for association %s failed; the next run retries",
                                         association.id)
            report.failed.append(association.short_name)
            return
        session.commit()
        report.warned.append(Warned(association, due, recipients))
        return
    session.rollback()
    report.failed.append(association.short_name)


def team_addresses(association: AssociationRef) -> list[str]:
    """The addresses of the association's active coordinators and admins, sorted."""
    return sorted(set(emails_of(association, (Role.COORDINATOR, Role.ADMIN)).values()))


# --- the e-mail ------------------------------------------------------------------------------


def line_of(due: Due, today: date) -> str:
    """« Lot A1, Friche — « Coopérative » : la convention se termine le 30 juin 2026. »"""
    where = f"Lot {due.code}, {due.site_name} — « {due.occupant} »"
    if due.kind == WarningKind.ENDING:
        return f"{where} : la convention se termine le {day_label(due.about)}."
    if due.about < today:
        return f"{where} : l'attestation d'assurance a expiré le {day_label(due.about)}."
    return f"{where} : l'attestation d'assurance expire le {day_label(due.about)}."


def compose(association: AssociationRef, due: list[Due], today: date,
            days: tuple[int, int]) -> tuple[str, str]:
    """Subject and plain-text body, in French."""
    count = ngettext("%(num)d alerte", "%(num)d alertes", len(due))
    subject = f"Conventions d'occupation — {association.short_name} : {count}"
    links = _links_for(association)
    lines = ["Bonjour,", "", f"{TITLE} signale, pour {association.name} :"]
    for kind, heading in ((WarningKind.ENDING, f"Conventions qui se terminent dans les {days[0]} jours :"),
                          (WarningKind.INSURANCE,
                           f"Assurances qui expirent dans les {days[1]} jours ou ont expiré :")):
        items = [d for d in due if d.kind == kind]
        if not items:
            continue
        lines += ["", heading]
        for item in items:
            lines.append(f"- {line_of(item, today)}")
            if links is not None:
                lines.append(f"  {links(item)}")
    lines += [
        "",
        "Renouvelez la convention avec l'occupant, ou demandez-lui sa nouvelle attestation "
        "d'assurance, puis enregistrez-la sur la page de la convention.",
        "Chaque alerte n'est envoyée qu'une fois ; une nouvelle date de fin ou d'expiration "
        "en donnera une nouvelle.",
        "",
        "Ce message est envoyé aux coordinateurs et aux administrateurs de l'association.",
        "",
    ]
    return subject, "\n".join(lines)


def _links_for(association: AssociationRef) -> Callable[[Due], str] | None:
    base = current_app.config.get("BASE_URL")
    if not base:
        return None

    def link(due: Due) -> str:
        with current_app.test_request_context():  # url_for needs one outside a request
            return external_url("sites.agreement_edit", association=association.slug,
                                allocation_id=due.allocation_id)
    return link


# --- maillage sites warnings -----------------------------------------------------------------


@click.command("warnings", help=(
    "Envoyer aux coordinateurs et administrateurs de chaque association les conventions qui "
    "se terminent bientôt et les assurances qui expirent bientôt ou ont expiré, pas encore "
    "signalées. Lancée deux fois, elle n'envoie qu'une fois : pour une tâche cron quotidienne."))
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Faire comme si l'on était ce jour-là (AAAA-MM-JJ), pour rattraper un oubli.")
@click.option("--dry-run", is_flag=True, help="Lister les alertes sans les envoyer ni les enregistrer.")
def warnings_command(day: datetime | None, dry_run: bool) -> None:
    if not current_app.config.get("BASE_URL"):
        click.echo("Attention : MAILLAGE_BASE_URL n'est pas défini, les e-mails ne contiennent "
                   "pas de lien.", err=True)
    report = send_warnings(day.date() if day else paris_today(), dry_run=dry_run)
    for warned in report.warned:
        alerts = ngettext("%(num)d alerte", "%(num)d alertes", len(warned.items))
        people = ngettext("%(num)d personne", "%(num)d personnes", len(warned.recipients))
        verb = "à envoyer" if dry_run else ngettext("envoyée", "envoyées", len(warned.items))
        click.echo(f"{warned.association.short_name} : {alerts} {verb} à {people}.")
        for item in warned.items:
            click.echo(f"  {line_of(item, report.today)}")
    for name in report.without_recipients:
        click.echo(f"{name} : alertes en attente, aucun coordinateur ni administrateur n'a d'adresse "
                   "e-mail.", err=True)
    click.echo(summary(report))
    if report.failed:
        click.echo(f"Échec de l'envoi pour : {', '.join(report.failed)}. Relancez la commande pour "
                   "réessayer.", err=True)
        raise click.exceptions.Exit(1)  # a failed job: cron mails its output to its owner


def summary(report: WarningReport) -> str:
    day = day_label(report.today)
    if report.dry_run:
        return (f"Simulation, rien n'est envoyé ni enregistré. Le {day} : "
                f"{ngettext('%(num)d alerte à envoyer', '%(num)d alertes à envoyer', report.warnings)}.")
    mails = ngettext("%(num)d e-mail envoyé", "%(num)d e-mails envoyés", len(report.warned))
    alerts = ngettext("%(num)d alerte nouvelle", "%(num)d alertes nouvelles", report.warnings)
    return f"Le {day} : {mails}, {alerts}."
