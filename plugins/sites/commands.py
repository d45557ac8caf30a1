"""The plugin's commands, under ``maillage sites``: cron-friendly, each safe to run again."""

from __future__ import annotations

import click

from core.plugin_api import associations_enabling, paris_today, session, write_intent
from plugins.sites.retention import purge_association
from plugins.sites.settings import rules_of
from plugins.sites.warnings import warnings_command


@click.command("purger-candidatures")
def purge_applications() -> None:
    """Supprimer les candidatures des appels clos depuis plus longtemps que la durée de
    conservation de chaque association (les nombres de candidatures et de décisions restent)."""
    today = paris_today()
    for association in associations_enabling("sites"):
        months = rules_of(association).retention_months
        with write_intent():
            purged = purge_association(association, months, today)
            session.commit()
        if purged.applications:
            click.echo(f"{association.name} : {purged.applications} candidature(s) de "
                       f"{purged.calls} appel(s) clos depuis plus de {months} mois supprimée(s).")
    click.echo("Purge des candidatures terminée.")


COMMANDS = [purge_applications, warnings_command]  # and maillage sites warnings
