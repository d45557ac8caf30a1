"""``maillage plugins …``: what is installed, and a generator for new plugins."""

from __future__ import annotations

import contextlib
import sys
from datetime import datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from core.database import session
from core.members.associations import Association
from core.pluginhost.activation import PluginActivation, PluginPolicy
from core.pluginhost.host import get_host
from core.pluginhost.refs import association_ref

plugins_group = AppGroup("plugins", help="Plugins: list them, generate a new one.")


@plugins_group.command("list", help="Each plugin: version, origin, associations using it, error.")
def list_plugins() -> None:
    host = get_host(current_app)  # type: ignore[arg-type]
    try:
        session.execute(select(PluginActivation.id).limit(1))
    except SQLAlchemyError as error:
        raise click.ClickException(
            "La base n'est pas à jour : lancez d'abord « maillage db upgrade »."
        ) from error
    rows = session.execute(
        select(PluginActivation.plugin, Association.short_name)
        .join(Association, Association.id == PluginActivation.association_id)
        .where(PluginActivation.enabled)
        .order_by(Association.short_name)
    ).all()
    forbidden = set(session.scalars(select(PluginPolicy.plugin).where(PluginPolicy.forbidden)))
    if not host.plugins:
        click.echo("Aucun module installé.")
    for name, plugin in sorted(host.plugins.items()):
        users = [short for plugin_name, short in rows if plugin_name == name]
        state = "ERREUR" if plugin.error else ("interdit" if name in forbidden else "chargé")
        click.echo(f"{name} {plugin.version or '-'} [{state}]")
        click.echo(f"  origine : {plugin.source} ({plugin.module_path})")
        click.echo(f"  activé par : {', '.join(users) if users else 'aucune association'}")
        if plugin.error:
            click.echo(f"  erreur : {plugin.error}")


@plugins_group.command("new", help="Write a new plugin package DIR/NAME whose tests pass at once.")
@click.argument("name")
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path),
              default=Path("."), show_default=True, help="Folder to create the plugin in.")
@click.option("--title", default=None,
              help="The French name users see, accents included (default: from NAME).")
def new_plugin(name: str, directory: Path, title: str | None) -> None:
    from core.pluginhost.scaffold import ScaffoldError, generate

    try:
        target = generate(name, directory, title)
    except ScaffoldError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Module créé dans {target}.")
    click.echo(f"Ensuite : {_command('pip')} install -e {target} && "
               f"{_command('maillage')} db upgrade && {_command('pytest')} {target}")


def _command(name: str) -> str:
    """A command of the environment running this one, as the reader can type it from here
    (.venv/bin/pip): a bare ``pip`` would be another environment's, or none."""
    bin_dir = Path(sys.executable).parent
    with contextlib.suppress(ValueError):  # outside the current folder: the full path
        bin_dir = bin_dir.relative_to(Path.cwd())
    return str(bin_dir / name)


@plugins_group.command("indicators", help="Funder-report counts from the association's plugins.")
@click.argument("association")
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), required=True)
def indicators(association: str, start: datetime, end: datetime) -> None:
    found = session.scalar(select(Association).where(Association.slug == association))
    if found is None:
        raise click.ClickException(f"Association inconnue : {association}")
    host = get_host(current_app)  # type: ignore[arg-type]
    enabled = set(session.scalars(
        select(PluginActivation.plugin).where(PluginActivation.association_id == found.id,
                                              PluginActivation.enabled)
    )) - set(session.scalars(select(PluginPolicy.plugin).where(PluginPolicy.forbidden)))
    results = host.call_plugins(sorted(enabled), "report_indicators",
                                association=association_ref(found),
                                period_start=start.date(), period_end=end.date())
    for plugin, items in results:
        for item in items:
            click.echo(f"{plugin}\t{item.key}\t{item.value}{' ' + item.unit if item.unit else ''}"
                       f"\t{item.label}")
