"""The ``maillage`` command: Flask's commands plus the project's own."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup, FlaskGroup
from sqlalchemy import select

from core.agenda.cli import agenda_group
from core.app import create_app
from core.database import migrate as migrations
from core.database import session, write_intent
from core.pluginhost.cli import plugins_group
from core.referrals.cli import referrals_group

db_group = AppGroup("db", help="Database schema (Alembic migrations).")

@db_group.command("upgrade", help="Apply every pending migration.")
@click.argument("revision", default="heads")
def db_upgrade(revision: str) -> None:
    migrations.upgrade(current_app._get_current_object(), revision)  # type: ignore[attr-defined]
    click.echo("Base de données à jour.")


@db_group.command("downgrade", help="Go back to REVISION (e.g. core@base to empty the core).")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    migrations.downgrade(current_app._get_current_object(), revision)  # type: ignore[attr-defined]
    click.echo(f"Base de données ramenée à {revision}.")


@db_group.command("current", help="Show the applied revisions.")
def db_current() -> None:
    heads = migrations.current_heads(current_app._get_current_object())  # type: ignore[attr-defined]
    click.echo(", ".join(sorted(heads)) or "(aucune migration appliquée)")


@db_group.command("revision", help="Write PLUGIN's next migration, from its models (read it!).")
@click.argument("plugin")
@click.argument("message")
def db_revision(plugin: str, message: str) -> None:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    try:
        path = migrations.new_revision(app, plugin, message)
    except migrations.RevisionRefused as refusal:
        raise click.ClickException(str(refusal)) from refusal
    click.echo(f"Migration écrite : {path}")
    click.echo("Relisez-la, puis : maillage db upgrade")


demo_group = AppGroup("demo", help="Demonstration data.")

@demo_group.command("load", help="Load the demo collective (only into an empty database).")
def demo_load() -> None:
    from core.demo import is_empty, load_demo

    with write_intent():
        if not is_empty():
            click.echo("Données déjà présentes : données de démonstration non chargées.")
            return
        load_demo()
    click.echo("Données de démonstration chargées (mot de passe des comptes : demo-maillage).")


admin_group = AppGroup("admin", help="Collective administrators.")

@admin_group.command("create", help="Create a collective administrator and email them a link.")
@click.option("--email", required=True)
@click.option("--first-name", required=True)
@click.option("--last-name", required=True)
def admin_create(email: str, first_name: str, last_name: str) -> None:
    from core.auth.accounts import Account
    from core.auth.views import send_password_link
    from core.members.people import Person

    with current_app.test_request_context(base_url=current_app.config["BASE_URL"] or None), \
            write_intent():
        person = session.scalar(select(Person).where(Person.email == email.strip().lower()))
        if person is None:
            person = Person(first_name=first_name, last_name=last_name, email=email)
            session.add(person)
        if person.account is None:
            person.account = Account()
        person.account.is_collective_admin = True
        session.flush()
        send_password_link(person.account, invitation=True)
        session.commit()
    click.echo(f"{email} est administrateur·rice du collectif ; un lien d'accès lui a été envoyé.")


cli = FlaskGroup(create_app=create_app, name="maillage", add_version_option=True,
                 load_dotenv=False, set_debug_flag=False,
                 help="Maillage, the collective's intranet.")
cli.add_command(db_group)
cli.add_command(demo_group)
cli.add_command(admin_group)
cli.add_command(plugins_group)
cli.add_command(agenda_group)
cli.add_command(referrals_group)


def main() -> None:
    cli.main(prog_name="maillage")
