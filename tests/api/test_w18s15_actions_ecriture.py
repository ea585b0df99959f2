"""Les actions d'un quartier s'écrivent par l'API (`indicateurs.api.ActionViewSet`), par le
service des pages (`indicateurs.services_actions`) : mêmes règles, mêmes messages par champ.
`POST` inscrit (201; le même envoi rejoué : 200 et l'action qui existe), `PATCH` modifie ou
termine (sa `fin`) sous la garde de l'ETag, l'empreinte de l'action (428 sans If-Match, 412
périmé avec l'action actuelle, rien d'écrit). La coordination du quartier, l'évaluation et
l'administration écrivent; le conseil reçoit 403; l'action d'un autre quartier 404; un quartier
invisible, dans le corps, est « inconnu » (400).

Avant : `/api/v1/actions/` était en lecture seule (405 à `POST` et à `PATCH`)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from indicateurs.models import Action
from indicateurs.services_actions import empreinte_de_l_action
from tests.factories import (
    ActionFactory,
    ChangementViseFactory,
    PartenaireFactory,
    ParticipationFactory,
    StrategieFactory,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/actions/"


def _api(utilisateur=None) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="fr")
    if utilisateur is not None:
        client.force_authenticate(utilisateur)
    return client


@pytest.fixture
def plan(quartier_a, quartier_b) -> dict:
    """Le registre de A (un organisme), ses versions (archivée, en vigueur, brouillon avec la
    copie de C1), et de quoi se tromper : un organisme et un changement de B."""
    archivee = StrategieFactory(quartier=quartier_a, version=1, statut="archivee")
    en_vigueur = StrategieFactory(quartier=quartier_a, version=2, statut="en_vigueur")
    brouillon = StrategieFactory(quartier=quartier_a, version=3, statut="brouillon")
    c1 = ChangementViseFactory(strategie=en_vigueur, code="C1")
    return {
        "organisme": ParticipationFactory(table=quartier_a.table).partenaire,
        "ancien": ChangementViseFactory(strategie=archivee, code="C1"),
        "c1": c1,
        "copie": ChangementViseFactory(strategie=brouillon, code="C1", copie_de=c1),
        "de_b": ChangementViseFactory(strategie=StrategieFactory(quartier=quartier_b)),
        "organisme_b": ParticipationFactory(table=quartier_b.table).partenaire,
    }


def _corps(plan, **autres) -> dict:
    return {
        "quartier": "quartier-a",
        "titre": "Assemblée de quartier",
        "type_action": "participation_citoyenne",
        "description": "Au centre communautaire.",
        "porteur": plan["organisme"].pk,
        "partenaires": [plan["organisme"].pk],
        "changements_servis": [plan["c1"].pk, plan["ancien"].pk],
        "debut": "2025-01-15",
        **autres,
    }


def _etag(reponse) -> str:
    return reponse["ETag"]


# --- Inscrire -----------------------------------------------------------------------------------


@pytest.mark.parametrize("qui", ["alice", "eve", "ada"])
def test_qui_tient_les_actions_en_inscrit_une_par_l_api(personas, plan, qui):
    reponse = _api(personas[qui]).post(URL, _corps(plan), format="json")
    assert reponse.status_code == 201, reponse.content
    action = Action.objects.get()
    corps = reponse.json()
    assert corps["id"] == action.pk and corps["quartier"] == "quartier-a"
    assert corps["changements"] == ["C1"]  # les codes, une fois chacun (lecture)
    assert corps["changements_servis"] == sorted([plan["c1"].pk, plan["ancien"].pk])
    assert (corps["porteur"], corps["partenaires"]) == (
        plan["organisme"].pk,
        [plan["organisme"].pk],
    )
    # Comme la page : l'action sert aussi la copie de C1 dans le brouillon.
    assert set(action.changements.all()) == {plan["c1"], plan["ancien"], plan["copie"]}
    assert _etag(reponse) == f'"{empreinte_de_l_action(action)}"'


def test_le_meme_envoi_rejoue_rend_l_action_qui_existe(alice, plan):
    api = _api(alice)
    premiere = api.post(URL, _corps(plan), format="json")
    seconde = api.post(URL, _corps(plan), format="json")
    assert (premiere.status_code, seconde.status_code) == (201, 200)
    assert seconde.json() == premiere.json() and Action.objects.count() == 1
    autre = api.post(URL, _corps(plan, titre="Autre assemblée"), format="json")
    assert autre.status_code == 201 and Action.objects.count() == 2


def test_le_conseil_recoit_403_et_un_quartier_invisible_est_inconnu(bob, charlie, plan):
    reponse = _api(bob).post(URL, _corps(plan), format="json")
    assert reponse.status_code == 403
    assert "Seules la coordination de la table" in reponse.json()["detail"]
    # Le droit avant le contenu, comme la page : un envoi invalide du conseil reçoit 403 aussi.
    assert _api(bob).post(URL, _corps(plan, titre=""), format="json").status_code == 403
    for slug in ("quartier-a", "n-existe-pas"):
        reponse = _api(charlie).post(URL, _corps(plan, quartier=slug), format="json")
        assert reponse.status_code == 400
        assert reponse.json()["quartier"] == [f"Quartier inconnu : « {slug} »."]
    assert _api().post(URL, _corps(plan), format="json").status_code == 401
    assert not Action.objects.exists()


def test_les_regles_du_formulaire_chacune_a_son_champ_et_rien_d_ecrit(eve, plan):
    reponse = _api(eve).post(
        URL,
        _corps(
            plan,
            debut="2025-05-01",
            fin="2025-04-01",
            porteur=plan["organisme_b"].pk,
            partenaires=[plan["organisme_b"].pk],
            changements_servis=[plan["de_b"].pk],
        ),
        format="json",
    )
    assert reponse.status_code == 400, reponse.content
    erreurs = reponse.json()
    assert set(erreurs) == {"fin", "porteur", "partenaires", "changements_servis"}
    assert erreurs["fin"] == ["La fin ne peut pas précéder le début."]
    assert "registre" in erreurs["porteur"][0]
    assert "ne sert que les changements visés de son quartier" in erreurs["changements_servis"][0]
    brouillon = _api(eve).post(URL, _corps(plan, changements_servis=[plan["copie"].pk]), "json")
    assert "pas ceux d'une version en préparation" in brouillon.json()["changements_servis"][0]
    assert not Action.objects.exists()


@pytest.mark.parametrize(
    ("champ", "valeur", "message"),
    [
        ("titre", "   ", "Ce champ ne peut être vide."),
        ("titre", "\u200b", "Ce champ ne peut pas être vide."),  # invisible : le service le refuse
        ("type_action", "fete", "n'est pas un choix valide"),
        ("debut", "1850-01-01", "trop ancienne"),
        ("debut", "2999-01-01", "trop loin dans l'avenir"),
        ("debut", "15/01/2025", "format"),
        ("porteur", 99999999, "Partenaire inconnu : 99999999."),
        ("porteur", True, "Partenaire inconnu : « True »"),
        ("partenaires", ["12a"], "Partenaire inconnu : « 12a »"),
        ("changements_servis", [1e30], "Changement visé inconnu"),
        ("changements_servis", ["9" * 5000], "Changement visé inconnu"),
        ("changements_servis", "C1", "liste"),
    ],
)
def test_une_entree_invalide_repond_400_sur_son_champ(alice, plan, champ, valeur, message):
    reponse = _api(alice).post(URL, _corps(plan, **{champ: valeur}), format="json")
    assert reponse.status_code == 400, reponse.content
    assert message in " ".join(reponse.json()[champ])
    assert not Action.objects.exists()


def test_un_partenaire_d_un_quartier_invisible_est_inconnu(alice, plan):
    reponse = _api(alice).post(URL, _corps(plan, porteur=plan["organisme_b"].pk), format="json")
    assert reponse.json()["porteur"] == [f"Partenaire inconnu : {plan['organisme_b'].pk}."]


# --- Modifier, terminer -------------------------------------------------------------------------


@pytest.fixture
def action(quartier_a, plan) -> Action:
    action = ActionFactory(
        quartier=quartier_a,
        titre="Jardin",
        debut=datetime.date(2024, 4, 1),
        porteur=plan["organisme"],
    )
    action.changements.add(plan["c1"], plan["copie"])
    return action


def _lire(api: APIClient, action: Action):
    reponse = api.get(f"{URL}{action.pk}/")
    assert reponse.status_code == 200
    return reponse


def test_le_detail_porte_l_etag_et_patch_modifie_ce_qui_est_envoye(alice, plan, action):
    api = _api(alice)
    etag = _etag(_lire(api, action))
    assert etag == f'"{empreinte_de_l_action(action)}"'
    reponse = api.patch(
        f"{URL}{action.pk}/", {"titre": "Jardin partagé"}, format="json", HTTP_IF_MATCH=etag
    )
    assert reponse.status_code == 200, reponse.content
    action.refresh_from_db()
    assert (action.titre, action.porteur, action.debut) == (
        "Jardin partagé",
        plan["organisme"],
        datetime.date(2024, 4, 1),
    )
    # Les changements non envoyés restent, la copie du brouillon comprise.
    assert set(action.changements.all()) == {plan["c1"], plan["copie"]}
    assert _etag(reponse) == f'"{empreinte_de_l_action(action)}"' != etag


def test_terminer_une_action_c_est_patcher_sa_fin(eve, action):
    api = _api(eve)
    etag = _etag(_lire(api, action))
    reponse = api.patch(
        f"{URL}{action.pk}/", {"fin": "2025-06-30"}, format="json", HTTP_IF_MATCH=f"W/{etag}"
    )
    assert reponse.status_code == 200 and reponse.json()["fin"] == "2025-06-30"
    avant = api.patch(
        f"{URL}{action.pk}/", {"fin": "2020-01-01"}, format="json", HTTP_IF_MATCH=reponse["ETag"]
    )
    assert avant.status_code == 400
    assert avant.json() == {"fin": ["La fin ne peut pas précéder le début."]}
    action.refresh_from_db()
    assert action.fin == datetime.date(2025, 6, 30)


def test_servir_d_autres_changements_retire_la_copie_de_celui_qu_on_quitte(alice, plan, action):
    api = _api(alice)
    reponse = api.patch(
        f"{URL}{action.pk}/",
        {"changements_servis": [plan["ancien"].pk]},
        format="json",
        HTTP_IF_MATCH=_etag(_lire(api, action)),
    )
    assert reponse.status_code == 200, reponse.content
    assert set(action.changements.all()) == {plan["ancien"]}
    assert reponse.json()["changements_servis"] == [plan["ancien"].pk]


def test_sans_if_match_428_et_rien_d_ecrit(alice, action):
    for entete in ({}, {"HTTP_IF_MATCH": "*"}):
        reponse = _api(alice).patch(f"{URL}{action.pk}/", {"titre": "Autre"}, "json", **entete)
        assert reponse.status_code == 428
        assert "If-Match" in reponse.json()["detail"]
    action.refresh_from_db()
    assert action.titre == "Jardin"


def test_un_if_match_perime_repond_412_avec_l_action_actuelle(alice, eve, action):
    etag = _etag(_lire(_api(alice), action))
    assert (
        _api(eve)
        .patch(f"{URL}{action.pk}/", {"titre": "Jardin d'Ève"}, "json", HTTP_IF_MATCH=etag)
        .status_code
        == 200
    )
    reponse = _api(alice).patch(
        f"{URL}{action.pk}/", {"titre": "Jardin d'Alice"}, "json", HTTP_IF_MATCH=etag
    )
    assert reponse.status_code == 412, reponse.content
    corps = reponse.json()
    action.refresh_from_db()
    assert action.titre == "Jardin d'Ève"
    assert corps["action"]["titre"] == "Jardin d'Ève"
    assert corps["version"] == empreinte_de_l_action(action)
    assert reponse["ETag"] == f'"{corps["version"]}"'
    assert "Quelqu'un a modifié cette action" in corps["detail"]
    # Illisible : périmé aussi.
    illisible = _api(alice).patch(f"{URL}{action.pk}/", {"titre": "X"}, "json", HTTP_IF_MATCH="?")
    assert illisible.status_code == 412
    # Renvoyé avec la version actuelle : il remplace sciemment.
    reprise = _api(alice).patch(
        f"{URL}{action.pk}/", {"titre": "Jardin d'Alice"}, "json", HTTP_IF_MATCH=reponse["ETag"]
    )
    assert reprise.status_code == 200


def test_le_meme_patch_rejoue_sous_l_ancien_etag_reussit(alice, action):
    api = _api(alice)
    etag = _etag(_lire(api, action))
    for _fois in range(2):
        reponse = api.patch(f"{URL}{action.pk}/", {"titre": "Jardin 2"}, "json", HTTP_IF_MATCH=etag)
        assert reponse.status_code == 200, reponse.content


def test_acces_a_la_modification(personas, action):
    url = f"{URL}{action.pk}/"
    etag = {"HTTP_IF_MATCH": f'"{empreinte_de_l_action(action)}"'}
    assert _api(personas["bob"]).patch(url, {"titre": "X"}, "json", **etag).status_code == 403
    assert _api(personas["charlie"]).patch(url, {"titre": "X"}, "json", **etag).status_code == 404
    assert _api().patch(url, {"titre": "X"}, "json", **etag).status_code == 401
    assert _api(personas["alice"]).put(url, {"titre": "X"}, "json", **etag).status_code == 405
    assert _api(personas["alice"]).delete(url, **etag).status_code == 405
    action.refresh_from_db()
    assert action.titre == "Jardin"


def test_un_porteur_anterieur_au_registre_se_renvoie_tel_quel(alice, quartier_a):
    """Un porteur inscrit par l'administration hors du registre reste un choix de l'action,
    comme au formulaire : le client renvoie ce qu'il a lu."""
    hors_registre = PartenaireFactory()
    action = ActionFactory(quartier=quartier_a, porteur=hors_registre)
    api = _api(alice)
    lue = _lire(api, action)
    reponse = api.patch(
        f"{URL}{action.pk}/",
        {"porteur": lue.json()["porteur"], "titre": "Corrigée"},
        "json",
        HTTP_IF_MATCH=lue["ETag"],
    )
    assert reponse.status_code == 200, reponse.content


# --- Requêtes et schéma -------------------------------------------------------------------------


def _requetes_d_un_ajout(api: APIClient, plan, n: int) -> int:
    for i in range(n):
        ActionFactory(quartier=plan["c1"].strategie.quartier, titre=f"Existante {i}")
    with CaptureQueriesContext(connection) as requetes:
        reponse = api.post(URL, _corps(plan, titre=f"Nouvelle {n}"), format="json")
    assert reponse.status_code == 201
    return len(requetes)


def test_les_requetes_d_un_ajout_ne_croissent_pas_avec_les_actions(alice, plan):
    api = _api(alice)
    assert _requetes_d_un_ajout(api, plan, 2) == _requetes_d_un_ajout(api, plan, 20)


def test_le_schema_documente_l_ecriture(eve):
    schema = _api(eve).get("/api/schema/", {"format": "json"}).json()
    liste = schema["paths"]["/api/v1/actions/"]
    detail = schema["paths"]["/api/v1/actions/{id}/"]
    assert {"201", "200", "400", "403"} <= set(liste["post"]["responses"])
    assert {"200", "400", "403", "404", "412", "428"} <= set(detail["patch"]["responses"])
    assert "put" not in detail and "delete" not in detail
    assert any(p["name"] == "If-Match" and p["required"] for p in detail["patch"]["parameters"])
    assert "ETag" in detail["get"]["responses"]["200"]["headers"]
    proprietes = schema["components"]["schemas"]["Action"]["properties"]
    assert proprietes["changements_servis"]["items"]["type"] == "integer"


def test_un_format_inconnu_a_l_ajout_repond_le_404_documente(alice, plan):
    """Trouvé par schemathesis : `POST …/actions/?format=xyz` répondait un 404 que le schéma ne
    documentait pas."""
    reponse = _api(alice).post(f"{URL}?format=xyz", _corps(plan), format="json")
    assert reponse.status_code == 404 and not Action.objects.exists()
    schema = _api(alice).get("/api/schema/", {"format": "json"}).json()
    assert "404" in schema["paths"]["/api/v1/actions/"]["post"]["responses"]
