"""docs/plugins.md, the plugin author's guide, checked against the code it documents.

- the hook reference has one ``### `hook(arg, ...)` `` heading per hook specification,
  with the spec's arguments in the spec's order, and an example implementing that hook;
- every Python block compiles and imports nothing from ``core`` but ``core.plugin_api``,
  and only names that exist there;
- every public name of ``core.plugin_api`` (its ``__all__``) is in the guide's table of
  names and documented in its prose, and the table names nothing else;
- the form macros' example renders, with the example form of the same section;
- every ``maillage ...`` command it shows exists;
- every fixture of the testing kit is documented, with an example test, and is a real
  fixture of ``core.testing``;
- the files it says the generator writes are the files the generator writes;
- its migration recipe, run as written from a checkout next to a plugin found by a relative
  path, writes the revisions it promises.
"""

from __future__ import annotations

import ast
import csv
import inspect
import io
import itertools
import os
import re
import shlex
import subprocess
import sys
import types
from datetime import UTC, datetime
from pathlib import Path

import pluggy
import pytest
from click.testing import CliRunner
from flask import abort, g, render_template_string, request
from openpyxl import load_workbook
from sqlalchemy import Column, Integer, Table, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

import core.plugin_api as plugin_api
from core.cli import cli
from core.database import session
from core.pluginhost import hookspecs
from core.pluginhost.refs import association_ref
from core.pluginhost.scaffold import generate
from core.testing import make_app
from tests.support import csrf_token, login

ROOT = Path(__file__).resolve().parent.parent
GUIDE_PATH = ROOT / "docs" / "plugins.md"
GUIDE = GUIDE_PATH.read_text(encoding="utf-8")
CONTRIBUTING = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")

API = "core.plugin_api"
# The guide's example plugin: its own commands (``maillage carnet ...``) are not the core's.
EXAMPLE_PLUGIN = "carnet"
HOOK_REFERENCE = "## 5. Hook reference"
TESTING_KIT = "## 4. Testing kit"
GENERATED_FILES = "### What the generator writes"

FENCE = re.compile(r"^```([\w-]*)[^\n]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
HEADING = re.compile(r"^(#{1,6}) (.+?)[ \t]*$", re.MULTILINE)
HOOK_HEADING = re.compile(r"^`([A-Za-z_]\w*)\(([^()`]*)\)`$")
SHELL_LANGUAGES = {"sh", "shell", "bash", "console"}
COMMAND_WORD = re.compile(r"[a-z][a-z-]*")
ENV_ASSIGNMENT = re.compile(r"[A-Z_][A-Z0-9_]*=")


# --- reading the guide ---------------------------------------------------------------------


def code_blocks(text: str) -> list[tuple[str, str, int]]:
    """(language, source, line of the opening fence) of every fenced block."""
    return [(m.group(1).lower(), m.group(2), text.count("\n", 0, m.start()) + 1)
            for m in FENCE.finditer(text)]


def without_code_blocks(text: str) -> str:
    # Blank them out character for character: positions still match the original text.
    return FENCE.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


def sections(text: str, level: int) -> list[tuple[str, str]]:
    """(heading, body) of every heading of exactly ``level`` ('##' is 2), code excluded.

    A body runs to the next heading of the same or a higher level.
    """
    prose = without_code_blocks(text)
    headings = [(m.start(), m.end(), len(m.group(1)), m.group(2)) for m in HEADING.finditer(prose)]
    found = []
    for index, (_, end, depth, title) in enumerate(headings):
        if depth != level:
            continue
        stop = next((start for start, _, other, _ in headings[index + 1:] if other <= level),
                    len(text))
        found.append((title, text[end:stop]))
    return found


def section(text: str, heading: str) -> str:
    level = len(heading.split(" ", 1)[0])
    bodies = [body for title, body in sections(text, level) if f"{'#' * level} {title}" == heading]
    assert len(bodies) == 1, f"docs/plugins.md needs exactly one section {heading!r}"
    return bodies[0]


def python_blocks(text: str) -> list[tuple[str, int]]:
    return [(source, line) for language, source, line in code_blocks(text)
            if language in {"python", "py"}]


# --- hooks -----------------------------------------------------------------------------------


def hook_specs() -> dict[str, tuple[str, ...]]:
    """Hook name -> argument names, in order, as pluggy reads the specifications."""
    manager = pluggy.PluginManager(hookspecs.PROJECT)
    manager.add_hookspecs(hookspecs)
    return {
        name: tuple(caller.spec.argnames)
        for name, caller in vars(manager.hook).items()
        if isinstance(caller, pluggy.HookCaller) and caller.spec is not None
    }


def parse_hook_heading(title: str) -> tuple[str, tuple[str, ...]] | None:
    found = HOOK_HEADING.match(title)
    if found is None:
        return None
    arguments = tuple(argument.strip() for argument in found.group(2).split(","))
    return found.group(1), () if arguments == ("",) else arguments


def hook_reference_problems(text: str, specs: dict[str, tuple[str, ...]]) -> list[str]:
    """Every way the guide's hook headings disagree with the specs; [] when they agree."""
    problems = []
    documented: dict[str, tuple[str, ...]] = {}
    for title, _ in sections(text, 3):
        parsed = parse_hook_heading(title)
        if parsed is None:
            continue
        name, arguments = parsed
        if name in documented:
            problems.append(f"hook {name} is documented twice")
        documented[name] = arguments
    reference = [title for title, _ in sections(section(text, HOOK_REFERENCE), 3)]
    for title in reference:
        if parse_hook_heading(title) is None:
            problems.append(f"heading {title!r} in the hook reference is not ### `hook(args)`")
    for name in sorted(specs.keys() - documented.keys()):
        problems.append(f"hook {name}({', '.join(specs[name])}) is missing from the guide")
    for name in sorted(documented.keys() - specs.keys()):
        problems.append(f"{name}({', '.join(documented[name])}) is documented but is not a hook")
    for name in sorted(specs.keys() & documented.keys()):
        if documented[name] != specs[name]:
            problems.append(f"hook {name}: documented as ({', '.join(documented[name])}), "
                            f"the spec is ({', '.join(specs[name])})")
    return problems


def test_pluggy_reads_the_specs_as_they_are_written():
    specs = hook_specs()
    written = {
        name: tuple(inspect.signature(function).parameters)
        for name, function in vars(hookspecs).items()
        if inspect.isfunction(function) and hasattr(function, f"{hookspecs.PROJECT}_spec")
    }
    assert specs == written
    assert len(specs) >= 13


def test_every_hook_is_documented_with_its_arguments_in_order():
    assert hook_reference_problems(GUIDE, hook_specs()) == []


@pytest.mark.parametrize(("change", "expected"), [
    (("### `erase_person_data(person)`", "### `erase_person_data(people)`"),
     "hook erase_person_data: documented as (people), the spec is (person)"),
    (("### `agenda_items(association, start, end)`", "### `agenda_items(association, end, start)`"),
     "hook agenda_items: documented as (association, end, start), "
     "the spec is (association, start, end)"),
    (("### `navigation()`\n", "### Navigation\n"),
     "hook navigation() is missing from the guide"),
    (("### `permissions()`", "### `permission()`"),
     "permission() is documented but is not a hook"),
    (("### `blueprint()`", "### `blueprint(app)`"),
     "hook blueprint: documented as (app), the spec is ()"),
])
def test_the_hook_check_fails_on_a_scratch_copy_with_a_wrong_heading(tmp_path, change, expected):
    old, new = change
    assert GUIDE.count(old) == 1, f"the guide no longer contains {old!r}: update this test"
    scratch = tmp_path / "plugins.md"
    scratch.write_text(GUIDE.replace(old, new), encoding="utf-8")
    problems = hook_reference_problems(scratch.read_text(encoding="utf-8"), hook_specs())
    assert any(expected in problem for problem in problems), problems


def test_the_hook_check_fails_when_a_hook_is_added_to_the_specs():
    specs = {**hook_specs(), "new_hook": ("association",)}
    assert hook_reference_problems(GUIDE, specs) == [
        "hook new_hook(association) is missing from the guide"
    ]


def hook_implementations(source: str) -> dict[str, list[str]]:
    """Functions decorated with ``@hookimpl`` in a block -> their parameter names."""
    found = {}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef) and any(
            isinstance(decorator, ast.Name) and decorator.id == "hookimpl"
            for decorator in node.decorator_list
        ):
            arguments = node.args
            found[node.name] = [a.arg for a in [*arguments.posonlyargs, *arguments.args,
                                                *arguments.kwonlyargs]]
    return found


def test_each_hook_has_an_example_that_implements_it():
    specs = hook_specs()
    for title, body in sections(section(GUIDE, HOOK_REFERENCE), 3):
        name, _ = parse_hook_heading(title) or (title, ())
        examples = [hook_implementations(source) for source, _ in python_blocks(body)]
        implemented = [example[name] for example in examples if name in example]
        assert implemented, f"the section of {name} has no @hookimpl example of {name}"
        for arguments in implemented:
            # pluggy refuses an implementation asking for an argument the spec lacks.
            assert set(arguments) <= set(specs[name]), (name, arguments)


# --- code blocks -----------------------------------------------------------------------------


def is_core(module: str | None) -> bool:
    return module is not None and (module == "core" or module.startswith("core."))


def core_import_problems(source: str) -> list[str]:
    """Imports from ``core`` other than ``core.plugin_api``, and names it does not have."""
    problems = []
    tree = ast.parse(source)
    api_aliases: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == API and alias.asname:
                    api_aliases.add(alias.asname)
                elif is_core(alias.name) and alias.name != API:
                    problems.append(f"import {alias.name}")
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and is_core(node.module):
            if node.module == "core" and all(alias.name == "plugin_api" for alias in node.names):
                api_aliases.update(alias.asname or alias.name for alias in node.names)
            elif node.module != API:
                problems.append(f"from {node.module} import ...")
            else:
                problems += [f"{API} has no {alias.name}" for alias in node.names
                             if alias.name == "*" or not hasattr(plugin_api, alias.name)]
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and node.value.id in api_aliases and not hasattr(plugin_api, node.attr)):
            problems.append(f"{API} has no {node.attr}")
    return problems


def test_the_guide_has_python_examples():
    assert len(python_blocks(GUIDE)) >= len(hook_specs()) + len(plugin_api.TEST_FIXTURES)


@pytest.mark.parametrize(("source", "line"), python_blocks(GUIDE),
                         ids=[f"line-{line}" for _, line in python_blocks(GUIDE)])
def test_python_block_compiles_and_imports_only_the_plugin_api(source, line):
    compile(source, f"docs/plugins.md (block at line {line})", "exec")
    assert core_import_problems(source) == [], f"block at line {line}"


def test_the_import_check_catches_core_internals():
    assert core_import_problems("from core.members import Person") == [
        "from core.members import ..."
    ]
    assert core_import_problems("import core.testing") == ["import core.testing"]
    assert core_import_problems("from core.plugin_api import Person") == [f"{API} has no Person"]
    assert core_import_problems("import core.plugin_api as api\napi.Nope") == [f"{API} has no Nope"]
    assert core_import_problems("from core.plugin_api import Section, hookimpl") == []


# --- the names of core.plugin_api --------------------------------------------------------

NAMES_TABLE = "### Import only `core.plugin_api`"
NAME_IN_CODE = re.compile(r"`([A-Za-z_]\w*)[`(]")


def names_problems(text: str) -> list[str]:
    """Public names of the API missing from the table of names or from the prose around it
    (inline code outside the table), and names in the table the API does not have; [] when
    the guide and ``__all__`` agree."""
    table = section(text, NAMES_TABLE)
    rows = re.findall(r"^\|[^|\n]*\|([^\n]*)\|$", table, re.MULTILINE)
    in_table = set(NAME_IN_CODE.findall("\n".join(rows)))
    spans = re.findall(r"`([^`]+)`", without_code_blocks(text.replace(table, "")))
    in_prose = {word for span in spans for word in re.findall(r"[A-Za-z_]\w*", span)}
    public = set(plugin_api.__all__)
    problems = [f"{name} is not in the table of names" for name in sorted(public - in_table)]
    problems += [f"{name} is in the table but documented nowhere else"
                 for name in sorted(public & in_table - in_prose - EXPLAINED_BY_THE_TABLE)]
    problems += [f"{name} is in the table but not in {API}.__all__"
                 for name in sorted(in_table - public)]
    return problems


# Names whose row in the table is all there is to say.
EXPLAINED_BY_THE_TABLE = {"hookimpl", "TEST_FIXTURES"}


def test_every_public_name_of_the_api_is_documented():
    assert names_problems(GUIDE) == []


def test_the_names_check_fails_on_a_name_left_out(monkeypatch):
    monkeypatch.setattr(plugin_api, "__all__", [*plugin_api.__all__, "brand_new"])
    assert names_problems(GUIDE) == ["brand_new is not in the table of names"]
    scratch = GUIDE.replace("`fold(text)` lowers", "It lowers")
    assert "fold is in the table but documented nowhere else" in names_problems(scratch)


# --- the form macros ---------------------------------------------------------------------

FORMS = "### Forms: validators, fields and the form macros"


def test_the_form_macros_example_renders_with_the_example_form(app, world):
    from html import unescape

    from flask import render_template_string
    from sqlalchemy import select

    body = section(GUIDE, FORMS)
    [python] = [source for source, _ in python_blocks(body)]
    [template] = [source for language, source, _ in code_blocks(body) if language == "html"]
    example: dict = {}
    exec(compile(python, "docs/plugins.md (forms)", "exec"), example)  # noqa: S102 - the guide's own code
    bad_input = {"title": "  ", "starts_at": "", "seats": "0", "room": "9", "topics": ["budget"]}
    with app.test_request_context("/login?page=2", method="POST", data=bad_input):
        form = example["MeetingForm"](meta={"csrf": False})
        assert not form.validate()
        names = plugin_api.Page(select(plugin_api.people_names.c.first_name)
                                .order_by(plugin_api.people_names.c.first_name), size=2)
        page = render_template_string(template, form=form, names=names,
                                      delete_url="/p/carnet/test/reunions/1/supprimer")
    flat = " ".join(unescape(page).split())
    assert "Le formulaire contient 4 erreurs" in flat
    assert '<a href="#seats">Places : Places : un nombre entre 1 et 40.</a>' in flat
    assert "Ce choix n'est pas possible : choisissez dans la liste." in flat
    assert "id=\"title-aide\">Visible dans l'agenda" in flat
    assert 'aria-describedby="title-aide title-erreur"' in page and 'aria-invalid="true"' in page
    assert "<legend>Sujets</legend>" in page and '<input checked id="topics-0"' in page
    assert '<a href="/p/carnet/" class="button button--secondary">Annuler</a>' in flat
    assert 'data-confirm="Supprimer la réunion du 12 mars ?"' in page
    assert '<input type="hidden" name="retour" value="liste">' in page
    assert page.count('name="csrf_token"') == 1  # the button's (the form was built without)
    assert "Page 2 sur 5" in flat and 'rel="prev"' in page and 'rel="next"' in page
    assert page.count("<li>") >= 2


# --- funder indicators -------------------------------------------------------------------

INDICATORS = "### `report_indicators(association, period_start, period_end)`"


def test_the_small_cells_example_masks_one_and_two_and_keeps_zero_and_more():
    from datetime import date

    body = section(GUIDE, INDICATORS)
    source = next(source for source, _ in python_blocks(body) if "def exits_by_outcome" in source)
    example: dict = {}
    exec(compile(source, "docs/plugins.md (small cells)", "exec"), example)  # noqa: S102 - the guide's own code
    spring = (date(2025, 4, 1), date(2025, 6, 30))
    shown = {item.key: (item.value, item.unit)
             for item in example["exits_by_outcome"]({"job": 4, "training": 2}, *spring)}
    assert shown == {"carnet.exits.job": (4, "personnes"),
                     "carnet.exits.training": (0, plugin_api.MASKED_UNIT),
                     "carnet.exits.other": (0, "personnes")}
    assert plugin_api.MASKED_UNIT == "masqué : moins de 3"
    one = example["exits_by_outcome"]({"other": 1, "job": 3}, *spring)
    assert [(item.value, item.unit) for item in one] == [
        (3, "personnes"), (0, "personnes"), (0, plugin_api.MASKED_UNIT)]
    assert {(item.period_start, item.period_end) for item in one} == {spring}


# --- charts ------------------------------------------------------------------------------

CHARTS = "## 9. Graphiques: charts with their table"


def test_the_charts_example_draws_what_it_says(app):
    import xml.etree.ElementTree as ET

    from flask import render_template_string

    body = section(GUIDE, CHARTS)
    [python] = [source for source, _ in python_blocks(body)]
    [template] = [source for language, source, _ in code_blocks(body) if language == "html"]
    example: dict = {}
    exec(compile(python, "docs/plugins.md (charts)", "exec"), example)  # noqa: S102 - the guide's own code
    with app.test_request_context("/"):
        waiting = example["waiting_chart"]([3, 30, 31, 45, 200, 365, 366, 1000])
        fte = example["fte_chart"](["janv. 2026", "févr. 2026"], [12.35, 10], [3.5, 4.25])
        page = render_template_string(template, waiting=waiting, fte=fte)
        nothing = example["fte_chart"]([], [], [])
    figures = [ET.fromstring(figure)  # noqa: S314 - our own output
               for figure in re.findall(r"<figure.*?</figure>", page, re.DOTALL)]
    assert len(figures) == 2
    rows = [[["".join(cell.itertext()) for cell in row] for row in figure.iter("tr")]
            for figure in figures]
    assert rows[0] == [["Temps d'attente", "Personnes"], ["0–30 j", "2"], ["31–90 j", "2"],
                       ["91–180 j", "0"], ["181–365 j", "2"], ["Plus d'un an", "2"]]
    assert rows[1] == [["Mois", "PPDE (ETP)", "Non-PPDE (ETP)", "Total (ETP)"],
                       ["janv. 2026", "12,35", "3,50", "15,85"],
                       ["févr. 2026", "10,00", "4,25", "14,25"]]
    assert "En moyenne 11,18 ETP de PPDE par mois." in page
    assert 'id="chart-1"' in page and 'id="chart-2"' in page
    assert "Aucune donnée pour cette période." in nothing


# --- exports ---------------------------------------------------------------------------------

EXPORTS = "## 7. Exports: lists as CSV and Excel files"


class StandIn(DeclarativeBase):
    """A metadata of its own: the core's is the one the migrations are compared with."""

    type_annotation_map = {datetime: plugin_api.UTCDateTime}


class StandInNote(StandIn):
    """What the guide's ``carnet.models.Note`` holds, for its export example."""

    __tablename__ = "carnet_notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    association_id: Mapped[int]
    person_id: Mapped[int | None]
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


def test_the_exports_example_serves_its_file_and_its_links(database_url, world, monkeypatch):
    """The guide's export view, run as written: its ``carnet.models.Note`` is a table made
    for this test, and the host's gate is played by the blueprint (the association of the
    URL, if it is one of the user's)."""
    package, models = types.ModuleType("carnet"), types.ModuleType("carnet.models")
    models.Note = Note = StandInNote  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "carnet", package)
    monkeypatch.setitem(sys.modules, "carnet.models", models)
    body = section(GUIDE, EXPORTS)
    view = next(source for source, _ in python_blocks(body) if "def export_notes" in source)
    [template] = [source for language, source, _ in code_blocks(body) if language == "html"]
    example: dict = {"__name__": __name__}  # the blueprint's root: a module with a file
    exec(compile(view, "docs/plugins.md (exports)", "exec"), example)  # noqa: S102 - the guide's own code

    app = make_app(database_url)
    with app.app_context():
        refs = {a.slug: association_ref(a) for a in (world.asso_a, world.asso_b)}

    def gate() -> None:  # the host's, for this test: the URL's association, if the user's
        ref = refs.get((request.view_args or {}).get("association", ""))
        if ref is None or not plugin_api.has_role(ref.id, plugin_api.Role.VOLUNTEER):
            abort(404)
        g.plugin_association = ref

    example["bp"].before_request(gate)
    app.register_blueprint(example["bp"])
    with app.app_context():
        StandIn.metadata.create_all(session.connection())
        session.commit()
    try:
        with app.app_context():
            session.add_all([
                Note(association_id=world.asso_a.id, person_id=world.coordinator_a.id,
                     text="Réunion des bénévoles", created_at=datetime(2026, 7, 14, 8, 5, tzinfo=UTC)),
                Note(association_id=world.asso_a.id, text="=HYPERLINK(\"http://x\")",
                     created_at=datetime(2026, 1, 15, 23, 30, tzinfo=UTC)),
                Note(association_id=world.asso_b.id, text="Pas pour Alpha",
                     created_at=datetime(2026, 1, 1, tzinfo=UTC)),
            ])
            session.commit()
        client = app.test_client()
        login(client, "coord.a@test.org")
        response = client.get("/p/carnet/alpha/notes/export.csv")
        assert response.status_code == 200
        assert response.headers["Content-Disposition"].startswith(
            'attachment; filename="Notes - Alpha.csv"')
        text = response.data.decode("utf-8")
        assert text.startswith("\ufeff")
        assert list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=";")) == [
            ["Écrite le", "Auteur·rice", "Note"],
            ["16/01/2026 00:30", "", "'=HYPERLINK(\"http://x\")"],
            ["14/07/2026 10:05", "Chloé Coord", "Réunion des bénévoles"],
        ]
        sheet = load_workbook(io.BytesIO(client.get("/p/carnet/alpha/notes/export.xlsx").data)).active
        assert sheet.title == "Notes"
        assert [c.value for c in list(sheet.iter_rows())[2]] == [
            datetime(2026, 7, 14, 10, 5), "Chloé Coord", "Réunion des bénévoles"]
        assert client.get("/p/carnet/alpha/notes/export.pdf").status_code == 404
        assert client.get("/p/carnet/beta/notes/export.csv").status_code == 404
        volunteer = app.test_client()
        login(volunteer, "benevole.a@test.org")
        assert volunteer.get("/p/carnet/alpha/notes/export.csv").status_code == 403
        with app.test_request_context("/p/carnet/alpha/"):
            links = render_template_string(template, association=refs["alpha"])
        assert ('Télécharger : <a href="/p/carnet/alpha/notes/export.csv" type="text/csv" download>'
                "CSV</a> · ") in links
        assert '<a href="/p/carnet/alpha/notes/export.xlsx"' in links and ">Excel</a>" in links
    finally:
        with app.app_context():
            StandIn.metadata.drop_all(session.connection())
            session.commit()


# --- commands --------------------------------------------------------------------------------


def command_lines(text: str) -> list[str]:
    """Shell lines of the guide's shell blocks, and its inline code spans."""
    lines = []
    for language, source, _ in code_blocks(text):
        if language in SHELL_LANGUAGES:
            joined = source.replace("\\\n", " ")
            lines += [line.split(" #")[0] for line in joined.splitlines()
                      if not line.lstrip().startswith("#")]
    lines += re.findall(r"`([^`\n]+)`", without_code_blocks(text))
    return lines


def maillage_commands(text: str) -> list[tuple[str, ...]]:
    """The subcommand words of each ``maillage ...`` the guide shows (up to the first
    option, placeholder or argument that is not a lowercase word)."""
    found = []
    for line in command_lines(text):
        for segment in re.split(r"&&|\|\||;|\|", line):
            tokens = segment.split()
            tokens = list(itertools.dropwhile(ENV_ASSIGNMENT.match, tokens))
            if not tokens or tokens[0].rsplit("/", 1)[-1] != "maillage":
                continue
            words = tuple(itertools.takewhile(COMMAND_WORD.fullmatch, tokens[1:]))
            if words and words[0] != EXAMPLE_PLUGIN:
                found.append(words)
    return found


def test_every_maillage_command_in_the_guide_exists():
    commands = set(maillage_commands(GUIDE))
    shown = {" ".join(words[:2]) for words in commands}
    assert {"plugins new", "plugins list", "db upgrade", "db downgrade", "db current"} <= shown
    runner = CliRunner()
    for words in sorted(commands):
        result = runner.invoke(cli, [*words, "--help"])
        assert result.exit_code == 0, (words, result.output)


def test_the_command_check_reads_shell_blocks_and_inline_code():
    text = ("Run `maillage db upgrade`, then `maillage <plugin> …`.\n\n```sh\n"
            "PYTHONPATH=.. .venv/bin/maillage plugins new carnet --dir ..  # a comment\n"
            "pip install -e ../carnet && maillage plugin lst\n```\n")
    assert maillage_commands(text) == [("plugins", "new", "carnet"), ("plugin", "lst"),
                                       ("db", "upgrade")]
    result = CliRunner().invoke(cli, ["plugin", "lst", "--help"])
    assert result.exit_code != 0


# --- migrations ------------------------------------------------------------------------------

MIGRATIONS = "## 3. Migrations"


def revision_command() -> list[str]:
    """The guide's ``maillage db revision`` line, as arguments."""
    lines = [line for line in command_lines(section(GUIDE, MIGRATIONS)) if " db revision " in line]
    assert len(lines) == 1, lines
    return shlex.split(lines[0])


@pytest.mark.slow
def test_the_revision_recipe_works_from_a_checkout_with_the_plugin_at_a_relative_path(
        tmp_path, monkeypatch):
    name = "guide_revision_check"  # not carnet: the reader may have it installed
    checkout = tmp_path / "maillage"
    checkout.mkdir()
    monkeypatch.chdir(checkout)
    versions = generate(name, Path("..")) / name / "migrations" / "versions"
    (versions / f"{name}_0001_initial.py").unlink()  # the recipe starts the branch too
    env = {key: value for key, value in os.environ.items() if not key.startswith("MAILLAGE_")}
    env.update(PYTHONPATH=f"../{name}", MAILLAGE_PLUGIN_MODULES=f"{name}={name}.plugin",
               MAILLAGE_INSTANCE_PATH=str(tmp_path / "instance"))
    bin_dir = Path(sys.executable).parent

    def run(arguments: list[str]) -> str:
        if arguments[0].endswith("/maillage"):
            arguments = [str(bin_dir / "maillage"), *arguments[1:]]
        arguments = [word.replace(EXAMPLE_PLUGIN, name) for word in arguments]
        done = subprocess.run(arguments, cwd=checkout, env=env, capture_output=True, text=True,
                              timeout=120, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    maillage = str(bin_dir / "maillage")
    run([maillage, "db", "upgrade"])
    first = [*revision_command()[:-1], "initial"]
    assert f"{name}_0001_initial.py" in run(first)
    written = (versions / f"{name}_0001_initial.py").read_text(encoding="utf-8")
    assert f"branch_labels: str | Sequence[str] | None = ('{name}',)" in written
    assert "depends_on: str | Sequence[str] | None = 'core_0001'" in written
    assert f"op.create_table('{name}_notes'" in written
    assert "'people'" not in written  # only the plugin's tables are compared
    run([maillage, "db", "upgrade"])

    models = Path("..") / name / name / "models.py"
    models.write_text(models.read_text(encoding="utf-8") + f"""

class Meeting(Base):
    __tablename__ = "{name}_meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    starts_at: Mapped[datetime]
""", encoding="utf-8")
    assert f"{name}_0002_meetings.py" in run(revision_command())
    written = (versions / f"{name}_0002_meetings.py").read_text(encoding="utf-8")
    assert f"down_revision: str | None = '{name}_0001'" in written
    assert f"op.create_table('{name}_meetings'" in written
    assert f"{name}_notes" not in written
    run([maillage, "db", "upgrade"])
    assert f"{name}_0002" in run([maillage, "db", "current"])


# --- testing kit -----------------------------------------------------------------------------


def test_every_fixture_of_the_kit_is_documented_with_an_example_and_real(request):
    kit = dict(sections(section(GUIDE, TESTING_KIT), 3))
    plugin = request.config.pluginmanager.get_plugin("maillage")
    assert plugin is not None and plugin.__name__ == "core.testing", "pytest11 entry point"
    for name in plugin_api.TEST_FIXTURES:
        assert f"`{name}`" in kit, f"no ### `{name}` section in {TESTING_KIT}"
        tests = [
            node for source, _ in python_blocks(kit[f"`{name}`"])
            for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
        ]
        assert any(name in [a.arg for a in node.args.args] for node in tests), (
            f"the section of {name} has no example test using it"
        )
        # Private, but the only way to ask pytest which fixture a name resolves to.
        definitions = request._fixturemanager.getfixturedefs(name, request.node) or ()
        assert any(d.func.__module__ == "core.testing" for d in definitions), (
            f"{name} is not a fixture of core.testing"
        )


# --- generator and CONTRIBUTING --------------------------------------------------------------


def test_the_guide_lists_the_files_the_generator_writes(tmp_path):
    # Not the example's own name: a reader who followed the guide has ``carnet`` installed,
    # and the generator refuses a name that is already an importable module.
    name = "guide_layout_check"
    table = section(GUIDE, GENERATED_FILES)
    documented = {path.replace(EXAMPLE_PLUGIN, name)
                  for path in re.findall(r"^\| `([^`]+)` \|", table, re.MULTILINE)}
    target = generate(name, tmp_path)
    written = {path.relative_to(target).as_posix() for path in target.rglob("*")
               if path.is_file() and "__pycache__" not in path.parts}
    assert written - documented == set(), "written by the generator, not in the guide's table"
    assert documented - written == set(), "in the guide's table, not written by the generator"


def test_contributing_points_plugin_authors_to_the_guide():
    assert "## Writing a plugin" in CONTRIBUTING
    assert "(docs/plugins.md)" in CONTRIBUTING
    assert "will join" not in CONTRIBUTING
    assert "make install-test" in CONTRIBUTING



# --- uploads ---------------------------------------------------------------------------------

UPLOADS = "## 10. Uploads: photos, plans and signed documents"


class UploadsStandIn(DeclarativeBase):
    """The guide's upload model is made in a metadata of its own (the core's is the one the
    migrations are compared with), next to stand-ins of the core tables it refers to."""


for _core_table in ("associations", "people"):
    Table(_core_table, UploadsStandIn.metadata, Column("id", Integer, primary_key=True))

JPEG = (ROOT / "tests" / "data" / "uploads" / "python.jpg").read_bytes()


def test_the_uploads_example_stores_serves_and_removes_its_photos(database_url, world,
                                                                  monkeypatch, tmp_path):
    """The guide's model and views, run as written (the model in a stand-in metadata, the
    host's gate played by the blueprint, as for the exports)."""
    from jinja2 import ChoiceLoader, DictLoader

    body = section(GUIDE, UPLOADS)
    model_source = next(source for source, _ in python_blocks(body) if "class NotePhoto" in source)
    view = next(source for source, _ in python_blocks(body) if "def add_photo" in source)
    [template] = [source for language, source, _ in code_blocks(body) if language == "html"]
    package, models = types.ModuleType("carnet"), types.ModuleType("carnet.models")
    monkeypatch.setitem(sys.modules, "carnet", package)
    monkeypatch.setitem(sys.modules, "carnet.models", models)
    with monkeypatch.context() as patched:
        patched.setattr(plugin_api, "Base", UploadsStandIn)
        exec(compile(model_source, "docs/plugins.md (uploads model)", "exec"), models.__dict__)  # noqa: S102 - the guide's own code
    example: dict = {"__name__": __name__}
    exec(compile(view, "docs/plugins.md (uploads)", "exec"), example)  # noqa: S102 - the guide's own code
    NotePhoto = models.NotePhoto

    app = make_app(database_url, UPLOAD_DIR=str(tmp_path / "uploads"))
    app.jinja_loader = ChoiceLoader([DictLoader({"carnet/photo_form.html": template}),
                                     app.jinja_loader])
    with app.app_context():
        refs = {a.slug: association_ref(a) for a in (world.asso_a, world.asso_b)}

    def gate() -> None:
        ref = refs.get((request.view_args or {}).get("association", ""))
        if ref is None or not plugin_api.has_role(ref.id, plugin_api.Role.VOLUNTEER):
            abort(404)
        g.plugin_association = ref

    example["bp"].before_request(gate)
    app.register_blueprint(example["bp"])
    with app.app_context():
        UploadsStandIn.metadata.create_all(session.connection(), tables=[NotePhoto.__table__])
        session.commit()
    folder = tmp_path / "uploads" / "carnet"
    try:
        client = app.test_client()
        login(client, "coord.a@test.org")
        form = client.get("/p/carnet/alpha/photos")
        assert 'enctype="multipart/form-data"' in form.get_data(as_text=True)

        def send(name: str, content: bytes):
            return client.post("/p/carnet/alpha/photos", content_type="multipart/form-data",
                               data={"csrf_token": csrf_token(client),
                                     "photo": (io.BytesIO(content), name)})

        refused = send("photo.jpg", b"<svg onload='alert(1)'/>")
        assert refused.status_code == 422
        assert "Type de fichier refusé : JPEG, PNG ou PDF seulement." in refused.get_data(as_text=True)
        assert not folder.exists() or list(folder.iterdir()) == []

        sent = send("Chantier été.jpg", JPEG)
        assert sent.status_code == 303
        url = sent.headers["Location"]
        shown = client.get(url)
        assert shown.data == JPEG
        assert shown.headers["Content-Type"] == "image/jpeg"
        assert shown.headers["X-Content-Type-Options"] == "nosniff"
        assert shown.headers["Cache-Control"] == "private, no-store"
        [path] = folder.iterdir()
        assert "Chantier" not in path.name

        other = app.test_client()
        login(other, "coord.b@test.org")
        assert other.get(url).status_code == 404
        assert other.get(url.replace("/alpha/", "/beta/")).status_code == 404
        volunteer = app.test_client()
        login(volunteer, "benevole.a@test.org")
        assert volunteer.get(url).status_code == 403

        photo_id = int(url.rsplit("/", 1)[1])
        deleted = client.post(f"{url}/supprimer", data={"csrf_token": csrf_token(client)})
        assert deleted.status_code == 303 and not path.exists()
        assert client.get(url).status_code == 404
        with app.app_context():
            assert session.get(NotePhoto, photo_id) is None

        assert send("plan.png", JPEG).status_code == 422  # a JPEG named .png
        assert send("scan", JPEG).status_code == 303
        [kept] = folder.iterdir()
        with app.app_context():
            person = plugin_api.PersonRef(id=world.coordinator_a.id, first_name="Chloé",
                                          last_name="Coord")
            assert example["erase_person_data"](person) == 1
            session.commit()
        assert not kept.exists()
    finally:
        with app.app_context():
            UploadsStandIn.metadata.drop_all(session.connection(), tables=[NotePhoto.__table__])
            session.commit()


REFERRALS = "## 12. Referrals to partners"


def test_the_referrals_example_sends_one_and_puts_a_refusal_next_to_its_field(database_url, world, db):
    """The guide's view, run as written: a referral to the service chosen leaves after the
    commit with its id kept on the plugin's row; an empty reason comes back next to its field."""
    from dataclasses import dataclass

    from flask_wtf import FlaskForm
    from jinja2 import ChoiceLoader, DictLoader
    from sqlalchemy import select as select_rows
    from wtforms import IntegerField, SelectMultipleField, StringField

    from core.referrals.models import Referral

    [view] = [source for source, _ in python_blocks(section(GUIDE, REFERRALS)) if "def refer" in source]

    @dataclass
    class Step:
        person_id: int
        id: int = 7
        referral_id: int | None = None

    models = types.ModuleType("carnet.models")
    models.Step = Step
    with pytest.MonkeyPatch.context() as patched:
        patched.setitem(sys.modules, "carnet", types.ModuleType("carnet"))
        patched.setitem(sys.modules, "carnet.models", models)
        example: dict = {"__name__": __name__}
        exec(compile(view, "docs/plugins.md (referrals)", "exec"), example)  # noqa: S102 - the guide's own code

    class ReferForm(FlaskForm):
        service = IntegerField()
        reason = StringField()
        barriers = SelectMultipleField()

    from flask import Blueprint

    world.partner.email = "accueil@mission-locale.test"
    db.commit()
    app = make_app(database_url, WTF_CSRF_ENABLED=False, BASE_URL="https://intranet.test")
    steps = Blueprint("carnet", __name__, url_prefix="/p/carnet")
    steps.add_url_rule("/<association>/etapes/<int:step_id>", "step", lambda association, step_id: "")
    app.register_blueprint(steps)
    app.jinja_loader = ChoiceLoader([DictLoader({"carnet/refer.html": "{{ form.reason.errors }}"}),
                                     app.jinja_loader])
    service = world.partner.services[0].id
    with app.app_context():
        alpha = association_ref(world.asso_a)
    outbox = app.extensions.setdefault("maillage.outbox", [])

    def refer(data: dict[str, str], step: Step):
        with app.test_request_context("/p/carnet/alpha/", method="POST", data=data):
            g.plugin_association = alpha
            with plugin_api.write_intent():
                return example["refer"](ReferForm(), step)

    empty = Step(person_id=world.supported_a.id)
    body, status = refer({"service": str(service), "reason": "", "barriers": "childcare"}, empty)
    assert status == plugin_api.INVALID_FORM_STATUS
    assert "Indiquez le motif" in body and empty.referral_id is None and outbox == []

    step = Step(person_id=world.supported_a.id)
    answer = refer({"service": str(service), "reason": "Garde pour reprendre une formation",
                    "barriers": "childcare"}, step)
    assert answer.status_code == 303
    assert answer.headers["Location"].endswith("/p/carnet/alpha/etapes/7")
    db.expire_all()
    referral = db.scalar(select_rows(Referral))
    assert step.referral_id == referral.id
    assert (referral.plugin, referral.service_id, [b.value for b in referral.barriers]) == (
        "carnet", service, ["childcare"])
    assert [message["To"] for message in outbox] == ["accueil@mission-locale.test"]
