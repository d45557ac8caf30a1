"""Sites en transition, calls for applications on the team's side: the list with each call's
state and applications, a call's page with its public address, creating and changing a call
(the lots of its site only; a lot applications wish stays), its criteria (a criterion
already scored cannot be deleted), the applicants' files served to the team only, and
another association's records 404. Bad input is refused next to its field, nothing saved;
whatever is typed, never a server error."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from core.agenda.clock import paris_today
from core.database import session
from core.plugin_api import store_upload
from plugins.sites.models_calls import (
    Application,
    Attachment,
    Call,
    CallLot,
    Choice,
    Criterion,
    Field,
    LegalForm,
    Score,
)
from tests.conftest import World
from tests.form_checks import dump
from tests.sites_calls_world import CallWorld, add_criterion, build, flat, make_call, make_lot, make_site
from tests.support import committed, csrf_token, field_error, login, post, text_of

BASE = "/p/sites/alpha"
TABLES = ("sites_calls", "sites_call_lots", "sites_criteria")
REQUIRED = "Ce champ est obligatoire."
PDF = (Path(__file__).parent / "data" / "uploads" / "plan.pdf").read_bytes()


@pytest.fixture
def coord(client, world: World, maillage_enable_plugin):
    maillage_enable_plugin("sites", world.asso_a)
    login(client, "coord.a@test.org")
    return client


@pytest.fixture
def known(db, world: World, coord) -> CallWorld:
    return build(db, world)


def applied(db, world: World, known: CallWorld, lot_index: int = 0) -> int:
    """An application to the call wishing one of its lots, as the public form saves it."""
    application = Application(association_id=world.asso_a.id, call_id=known.call, organisation="Atelier Vélo",
                              legal_form=LegalForm.ASSOCIATION, field=Field.SOCIAL, project="Réparer.",
                              for_the_neighbourhood="Ateliers.", jobs=1, contact_name="Paul",
                              contact_email="paul@velo.example", view_token_hash="0" * 63 + str(lot_index))
    db.add(application)
    db.flush()
    db.add(Choice(association_id=world.asso_a.id, application_id=application.id,
                  lot_id=known.lots[lot_index], preference=1))
    db.commit()
    return application.id


def _day(offset: int) -> str:
    return (paris_today() + timedelta(days=offset)).isoformat()


def call_data(known: CallWorld, **changes: Any) -> dict[str, Any]:
    return {"site_id": str(known.site), "title": "Appel d'été", "presentation": "Des ateliers.",
            "opens_on": _day(1), "closes_on": _day(30), "lot_ids": [str(known.lots[0]), str(known.lots[2])],
            "published": "y", **changes}


# --- the pages -------------------------------------------------------------------------------


def test_the_list_gives_each_calls_state_dates_and_applications(app, coord, db, world, known):
    today = paris_today()
    a = world.asso_a.id
    make_call(db, a, known.site, [known.lots[0]], opens_on=today, closes_on=today, published=False,
              title="Le brouillon")
    make_call(db, a, known.site, [known.lots[0]], opens_on=today + timedelta(days=2),
              closes_on=today + timedelta(days=9), title="Celui de bientôt")
    make_call(db, a, known.other_site, [known.other_lot], opens_on=today - timedelta(days=40),
              closes_on=today - timedelta(days=1), title="Celui d'hier")
    db.commit()
    applied(db, world, known)
    applied(db, world, known, 1)
    page = flat(text_of(coord.get(f"{BASE}/appels/")))
    assert "Le brouillon Ancienne école" in page and "Brouillon" in page
    assert "Celui de bientôt Ancienne école" in page and "À venir" in page
    assert "Celui d'hier Halle" in page and "Clos" in page
    assert "Ateliers de l'ancienne école Ancienne école" in page and "Ouvert 2" in page
    home = text_of(coord.get(f"{BASE}/"))
    assert f'href="{BASE}/appels/"' in home


def test_the_calls_page_gives_its_lots_criteria_applications_and_public_address(app, coord, db, world, known):
    applied(db, world, known)
    response = coord.get(f"{BASE}/appels/{known.call}")
    assert response.status_code == 200
    page = text_of(response)
    words = flat(page)
    assert "1 candidature reçue" in words
    assert "A1 Bureau 20 m² 180 € (8 € /m² + 20 €)" in words.replace("€/m²", "€ /m²")
    assert "Ancrage dans le quartier Ce que « Ancrage dans le quartier » regarde. 3" in words
    assert f'value="http://localhost{BASE}/candidater/{known.call}"' in page
    assert f'action="{BASE}/criteres/{known.criteria[0]}/supprimer"' in page


@pytest.mark.parametrize("path", ["appels/{call}", "appels/{call}/modifier", "appels/{call}/criteres/nouveau",
                                  "criteres/{criterion}/modifier", "pieces/{attachment}"])
def test_another_associations_call_criterion_or_file_is_404(app, coord, db, world, known, path,
                                                            maillage_enable_plugin, tmp_path):
    app.config["UPLOAD_DIR"] = str(tmp_path)
    b = world.asso_b.id
    site = make_site(db, b, "Site de Bêta")
    call = make_call(db, b, site, [make_lot(db, b, site, "Z1")], opens_on=paris_today(),
                     closes_on=paris_today())
    criterion = add_criterion(db, call, "Critère de Bêta", 1, 1)
    attachment = attach(app, db, b, call)
    url = f"{BASE}/{path.format(call=call, criterion=criterion, attachment=attachment)}"
    assert coord.get(url).status_code == 404
    if "pieces" not in path and path != "appels/{call}":
        assert post(coord, url, {"label": "x", "weight": "1", "title": "x"}).status_code == 404
    assert post(coord, f"{BASE}/criteres/{criterion}/supprimer").status_code == 404
    with app.app_context():
        assert session.get(Criterion, criterion) is not None


def attach(app, db, association_id: int, call_id: int) -> int:
    application = Application(association_id=association_id, call_id=call_id, organisation="X",
                              legal_form=LegalForm.OTHER, field=Field.OTHER, project="p",
                              for_the_neighbourhood="q", contact_name="n", contact_email="n@x.example",
                              view_token_hash=f"{call_id:064d}")
    db.add(application)
    db.commit()

    def write() -> int:
        row = Attachment(association_id=association_id, application_id=application.id,
                         file=store_upload(FileStorage(io.BytesIO(PDF), "statuts.pdf"), plugin="sites",
                                           kinds=("pdf",), max_bytes=len(PDF)))
        session.add(row)
        session.flush()
        return row.id

    return committed(app, write)


def test_an_applicants_file_is_served_to_the_team(app, coord, db, world, known, tmp_path):
    app.config["UPLOAD_DIR"] = str(tmp_path)
    attachment = attach(app, db, world.asso_a.id, known.call)
    served = coord.get(f"{BASE}/pieces/{attachment}")
    assert served.status_code == 200 and served.data == PDF
    assert served.headers["Content-Type"] == "application/pdf"
    assert served.headers["Cache-Control"] == "private, no-store"


# --- creating and changing a call ------------------------------------------------------------


def test_a_new_call_is_saved_with_the_lots_ticked(app, coord, db, world, known):
    response = post(coord, f"{BASE}/appels/nouveau", call_data(known))
    assert response.status_code == 303
    with app.app_context():
        call = session.scalar(select(Call).where(Call.title == "Appel d'été"))
        lots = set(session.scalars(select(CallLot.lot_id).where(CallLot.call_id == call.id)))
    assert response.headers["Location"].endswith(f"{BASE}/appels/{call.id}")
    assert (call.site_id, call.published, call.presentation) == (known.site, True, "Des ateliers.")
    assert lots == {known.lots[0], known.lots[2]}
    # the form offers the association's lots, with their site
    page = flat(text_of(coord.get(f"{BASE}/appels/nouveau")))
    assert "Ancienne école — A1 : bureau, 20 m²" in page and "Halle — H1 : bureau, 20 m²" in page


def test_the_new_call_form_preselects_the_site_asked_for(coord, known):
    page = text_of(coord.get(f"{BASE}/appels/nouveau?site={known.other_site}"))
    assert f'<option selected value="{known.other_site}">Halle</option>' in page
    assert coord.get(f"{BASE}/appels/nouveau?site=abc").status_code == 200
    assert coord.get(f"{BASE}/appels/nouveau?site=99999999999999").status_code == 200


def test_changing_a_call_changes_its_lots_and_keeps_the_wished_ones(app, coord, db, world, known):
    response = post(coord, f"{BASE}/appels/{known.call}/modifier",
                    call_data(known, title="Nouveau titre", lot_ids=[str(known.lots[1])], published=""))
    assert response.status_code == 303
    with app.app_context():
        call = session.get(Call, known.call)
        lots = set(session.scalars(select(CallLot.lot_id).where(CallLot.call_id == call.id)))
    assert (call.title, call.published, lots) == ("Nouveau titre", False, {known.lots[1]})
    applied(db, world, known, 1)  # A2 is wished now
    before = dump(db, TABLES)
    refused = post(coord, f"{BASE}/appels/{known.call}/modifier",
                   call_data(known, lot_ids=[str(known.lots[0])]))
    assert refused.status_code == 422
    assert field_error(refused, "lot_ids") == (
        "Des candidatures demandent déjà le lot A2 : il reste dans l'appel.")
    assert dump(db, TABLES) == before


def test_the_edit_form_shows_the_call_as_saved(coord, known):
    page = text_of(coord.get(f"{BASE}/appels/{known.call}/modifier"))
    assert 'value="Ateliers de l&#39;ancienne école"' in page
    box = '<input {}id="lot_ids-\\d+" name="lot_ids" type="checkbox" value="{}">'
    for lot in known.lots:
        assert re.search(box.format("checked ", lot), page)
    assert re.search(box.format("", known.other_lot), page)
    assert re.search(r'<input [^>]*checked id="published"', page)


BAD_CALLS = [
    ({"title": "  "}, "title", REQUIRED),
    ({"title": "x" * 151}, "title", "150 caractères au maximum."),
    ({"presentation": "x" * 5001}, "presentation", "5000 caractères au maximum."),
    ({"site_id": ""}, "site_id", REQUIRED),
    ({"site_id": "999999"}, "site_id", "Ce choix n'est pas possible"),
    ({"opens_on": ""}, "opens_on", REQUIRED),
    ({"opens_on": "2026-02-30"}, "opens_on", "Date invalide"),
    ({"closes_on": "31/02/2027"}, "closes_on", "Date invalide"),
    ({"opens_on": "{day:10}", "closes_on": "{day:9}"}, "closes_on",
     "La clôture ne peut pas précéder l'ouverture."),
    ({"lot_ids": []}, "lot_ids", "Cochez au moins un lot"),
    ({"lot_ids": ["{other_lot}"]}, "lot_ids", "Cochez seulement des lots du site choisi."),
    ({"lot_ids": ["{lot}", "{other_lot}"]}, "lot_ids", "Cochez seulement des lots du site choisi."),
    ({"lot_ids": ["{beta_lot}"]}, "lot_ids", "Une des cases cochées n'est pas possible"),
    ({"lot_ids": ["abc"]}, "lot_ids", "Une des cases cochées n'est pas possible"),
]


def _fill(value: Any, ids: dict[str, int]) -> Any:
    if isinstance(value, list):
        return [_fill(item, ids) for item in value]
    if value.startswith("{day:"):
        return _day(int(value[5:-1]))
    return value.format(**ids)


@pytest.mark.parametrize("url", ["appels/nouveau", "appels/{call}/modifier"])
@pytest.mark.parametrize(("changes", "field", "message"), BAD_CALLS,
                         ids=[f"{field}-{i}" for i, (_, field, _) in enumerate(BAD_CALLS)])
def test_a_bad_call_is_refused_next_to_its_field_and_nothing_changes(app, coord, db, world, known, url,
                                                                     changes, field, message):
    b = world.asso_b.id
    beta_site = make_site(db, b, "Site de Bêta")
    ids = {"lot": known.lots[0], "other_lot": known.other_lot, "beta_lot": make_lot(db, b, beta_site, "Z1")}
    db.commit()
    data = call_data(known, **{key: _fill(value, ids) for key, value in changes.items()})
    before = dump(db, TABLES)
    response = post(coord, f"{BASE}/{url.format(call=known.call)}", data)
    assert response.status_code == 422
    assert message in (field_error(response, field) or ""), field_error(response, field)
    assert dump(db, TABLES) == before
    page = text_of(response)
    if data["title"].strip() and len(data["title"]) < 60:
        assert data["title"].replace("'", "&#39;") in page


# --- criteria --------------------------------------------------------------------------------


def test_a_criterion_is_added_last_changed_and_deleted(app, coord, db, known):
    response = post(coord, f"{BASE}/appels/{known.call}/criteres/nouveau",
                    {"label": "Solidité du budget", "description": "", "weight": "10"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{BASE}/appels/{known.call}#criteres")
    with app.app_context():
        added = session.scalar(select(Criterion).where(Criterion.label == "Solidité du budget"))
    assert (added.weight, added.position) == (10, 3)
    assert post(coord, f"{BASE}/criteres/{added.id}/modifier",
                {"label": "Budget", "description": "Réaliste ?", "weight": "4"}).status_code == 303
    with app.app_context():
        changed = session.get(Criterion, added.id)
        assert (changed.label, changed.description, changed.weight) == ("Budget", "Réaliste ?", 4)
    deleted = post(coord, f"{BASE}/criteres/{added.id}/supprimer")
    assert deleted.status_code == 303
    assert "Critère « Budget » supprimé." in flat(text_of(coord.get(deleted.headers["Location"])))
    with app.app_context():
        assert session.get(Criterion, added.id) is None


def test_a_criterion_already_scored_cannot_be_deleted(app, coord, db, world, known):
    application = applied(db, world, known)
    db.add(Score(association_id=world.asso_a.id, application_id=application, criterion_id=known.criteria[0],
                 reviewer_id=world.coordinator_a.id, score=4))
    db.commit()
    response = post(coord, f"{BASE}/criteres/{known.criteria[0]}/supprimer")
    assert response.status_code == 303
    page = flat(text_of(coord.get(response.headers["Location"])))
    assert ("Le critère « Ancrage dans le quartier » a déjà servi à noter des candidatures : il ne peut plus "
            "être supprimé") in page
    with app.app_context():
        assert session.get(Criterion, known.criteria[0]) is not None
        assert session.scalar(select(Score.id)) is not None
    # the other, not scored, can
    assert post(coord, f"{BASE}/criteres/{known.criteria[1]}/supprimer").status_code == 303
    with app.app_context():
        assert session.get(Criterion, known.criteria[1]) is None


BAD_CRITERIA = [
    ({"label": ""}, "label", REQUIRED),
    ({"label": "x" * 151}, "label", "150 caractères au maximum."),
    ({"description": "x" * 1001}, "description", "1000 caractères au maximum."),
    ({"weight": ""}, "weight", REQUIRED),
    ({"weight": "0"}, "weight", "Poids : un nombre entre 1 et 10."),
    ({"weight": "11"}, "weight", "Poids : un nombre entre 1 et 10."),
    ({"weight": "lourd"}, "weight", "Un nombre entier est attendu"),
    ({"weight": "2,5"}, "weight", "Un nombre entier est attendu"),
]


@pytest.mark.parametrize("url", ["appels/{call}/criteres/nouveau", "criteres/{criterion}/modifier"])
@pytest.mark.parametrize(("changes", "field", "message"), BAD_CRITERIA,
                         ids=[f"{field}-{i}" for i, (_, field, _) in enumerate(BAD_CRITERIA)])
def test_a_bad_criterion_is_refused_next_to_its_field_and_nothing_changes(coord, db, known, url, changes,
                                                                          field, message):
    before = dump(db, TABLES)
    data = {"label": "Ouverture au public", "description": "Horaires", "weight": "2", **changes}
    response = post(coord, f"{BASE}/{url.format(call=known.call, criterion=known.criteria[0])}", data)
    assert response.status_code == 422
    assert message in (field_error(response, field) or ""), field_error(response, field)
    assert dump(db, TABLES) == before
    if data["label"]:
        assert data["label"][:40] in text_of(response)


def test_volunteers_get_403(client, db, world, maillage_enable_plugin):
    maillage_enable_plugin("sites", world.asso_a)
    known = build(db, world)
    login(client, "benevole.a@test.org")
    for path in ("appels/", "appels/nouveau", f"appels/{known.call}",
                 f"criteres/{known.criteria[0]}/modifier"):
        assert client.get(f"{BASE}/{path}").status_code == 403, path
    assert client.post(f"{BASE}/criteres/{known.criteria[0]}/supprimer",
                       data={"csrf_token": csrf_token(client)}).status_code == 403


# --- whatever is typed -----------------------------------------------------------------------

TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_text_in_any_field_never_breaks_the_teams_forms(app, coord, db, world, data):
    known = db.info.get("sites_calls_world")
    if known is None:
        known = db.info["sites_calls_world"] = build(db, world)
    url, valid = data.draw(st.sampled_from([
        (f"{BASE}/appels/nouveau", call_data(known)),
        (f"{BASE}/appels/{known.call}/modifier", call_data(known)),
        (f"{BASE}/criteres/{known.criteria[0]}/modifier", {"label": "L", "description": "", "weight": "3"}),
    ]))
    typed = {key: data.draw(st.lists(TEXT, max_size=3) if isinstance(value, list) else TEXT | st.just(value))
             for key, value in valid.items()}
    before = dump(db, TABLES)
    response = post(coord, url, typed)
    nul = any("\x00" in value for values in typed.values()
              for value in (values if isinstance(values, list) else [values]))
    assert response.status_code in (303, 422) or (nul and response.status_code == 400), (url, typed)
    if response.status_code == 422:
        assert dump(db, TABLES) == before
