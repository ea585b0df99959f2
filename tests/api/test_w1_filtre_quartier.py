"""`?quartier=` se vérifie de la même façon sur chaque liste de l'API qui filtre par quartier :
un slug inconnu répond 400 avec le message de l'export des valeurs (celui de `/valeurs/`), au
lieu d'une liste vide (200) qui ne disait pas que le filtre était faux; un quartier que la
personne ne voit pas répond exactement comme un quartier inconnu (rien ne dit qu'il existe).
Une seule vérification (`indicateurs.api_filtres.FiltresVerifies`), et le schéma le dit."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from indicateurs.models import CommentaireSaisie, Saisie, Valeur
from indicateurs.services import ajouter_apprentissage
from rapports.models import Bilan, Portee
from tests.factories import (
    ActionFactory,
    ChangementViseFactory,
    IndicateurSuiviFactory,
    ParticipationFactory,
    StrategieFactory,
    periode_du_trimestre,
)

pytestmark = pytest.mark.django_db

API = "/api/v1"
# Chaque liste qui accepte `?quartier=` (le schéma le vérifie ci-dessous).
LISTES = [
    "actions",
    "apprentissages",
    "bilans",
    "changements",
    "commentaires",
    "indicateurs-suivis",
    "partenaires",
    "participations",
    "saisies",
    "strategies",
    "tables",
    "valeurs",
]
AIDE = "Slug d'un quartier visible; un slug inconnu, ou d'un quartier invisible, répond 400."


def client_de(personne) -> APIClient:
    client = APIClient()
    client.force_authenticate(personne)
    return client


@pytest.fixture
def monde(quartier_a, quartier_b, ada):
    """De chaque ressource, un objet dans A et un dans B."""
    periode = periode_du_trimestre(2025, 1)
    for quartier in (quartier_a, quartier_b):
        ParticipationFactory(table=quartier.table)
        ChangementViseFactory(strategie=StrategieFactory(quartier=quartier))
        ActionFactory(quartier=quartier)
        suivi = IndicateurSuiviFactory(quartier=quartier)
        saisie = Saisie.objects.create(table=quartier.table, periode=periode, statut="validee")
        Valeur.objects.create(saisie=saisie, indicateur=suivi.indicateur, valeur_numerique=1)
        CommentaireSaisie.objects.create(saisie=saisie, auteur=ada, texte="Question")
        ajouter_apprentissage(
            auteur=ada, quartier=quartier, periode=periode, categorie="defis", texte_fr="Défi"
        )
        Bilan.objects.create(portee=Portee.QUARTIER, quartier=quartier, annee=2025)


def _liste(client, ressource: str, **parametres):
    return client.get(f"{API}/{ressource}/", parametres, HTTP_ACCEPT_LANGUAGE="fr")


@pytest.fixture(scope="module")
def schema(django_db_blocker) -> dict:
    with django_db_blocker.unblock():
        return APIClient().get("/api/schema/", {"format": "json", "lang": "fr"}).json()


def test_le_schema_nomme_chaque_liste_qui_filtre_par_quartier(schema):
    filtrees = {
        chemin.removeprefix(f"{API}/").rstrip("/")
        for chemin, operations in schema["paths"].items()
        if "{" not in chemin
        and any(p["name"] == "quartier" for p in operations.get("get", {}).get("parameters", []))
    }
    assert filtrees == set(LISTES)


@pytest.mark.parametrize("ressource", LISTES)
def test_le_schema_dit_qu_un_quartier_inconnu_repond_400(schema, ressource):
    operation = schema["paths"][f"{API}/{ressource}/"]["get"]
    (parametre,) = [p for p in operation["parameters"] if p["name"] == "quartier"]
    assert parametre["description"] == AIDE
    assert "400" in operation["responses"]


@pytest.mark.parametrize("langue", ["fr", "en"])
@pytest.mark.parametrize("ressource", LISTES)
def test_un_quartier_inconnu_repond_400_comme_sur_les_valeurs(eve, monde, ressource, langue):
    client = client_de(eve)
    reponse = client.get(f"{API}/{ressource}/", {"quartier": "zzz"}, HTTP_ACCEPT_LANGUAGE=langue)
    valeurs = client.get(f"{API}/valeurs/", {"quartier": "zzz"}, HTTP_ACCEPT_LANGUAGE=langue)
    assert (reponse.status_code, valeurs.status_code) == (400, 400)
    assert reponse.json() == valeurs.json()
    assert list(reponse.json()) == ["quartier"]


@pytest.mark.parametrize("ressource", LISTES)
def test_un_quartier_invisible_ressemble_a_un_quartier_inconnu(alice, quartier_b, monde, ressource):
    client = client_de(alice)
    invisible = _liste(client, ressource, quartier=quartier_b.slug)
    inconnu = _liste(client, ressource, quartier="quartier-z")
    assert (invisible.status_code, inconnu.status_code) == (400, 400)
    assert invisible.json() == {
        "quartier": [m.replace("quartier-z", quartier_b.slug) for m in inconnu.json()["quartier"]]
    }


@pytest.mark.parametrize("ressource", LISTES)
def test_un_quartier_visible_filtre_comme_avant(eve, quartier_a, monde, ressource):
    client = client_de(eve)
    tout = _liste(client, ressource).json()["results"]
    filtre = _liste(client, ressource, quartier=quartier_a.slug)
    assert filtre.status_code == 200
    lignes = filtre.json()["results"]
    assert 0 < len(lignes) < len(tout)
    if ressource != "partenaires":  # un partenaire n'a pas de quartier : ses participations
        assert {ligne["quartier"] for ligne in lignes} == {quartier_a.slug}
    assert _liste(client, ressource, quartier="").json()["results"] == tout


@pytest.mark.parametrize("ressource", ["saisies", "apprentissages", "valeurs"])
def test_le_quartier_et_la_periode_se_verifient_ensemble(eve, monde, ressource):
    reponse = _liste(client_de(eve), ressource, quartier="zzz", periode="xx")
    assert reponse.status_code == 400
    assert set(reponse.json()) == {"quartier", "periode"}


@pytest.mark.parametrize("ressource", LISTES)
def test_un_pour_cent_dans_le_quartier_repond_400_et_non_500(eve, monde, ressource):
    """« ?quartier=50% » : le message cite la valeur reçue, et django-filters le reformatait
    avec ses paramètres (« not enough arguments for format string », 500)."""
    reponse = _liste(client_de(eve), ressource, quartier="50%")
    assert reponse.status_code == 400
    assert "50%" in reponse.json()["quartier"][0]


def test_un_pour_cent_dans_l_indicateur_des_valeurs_repond_400(eve, monde):
    client = client_de(eve)
    for parametres in ({"indicateur": "%"}, {"indicateur": "%s%d", "quartier": "%"}):
        reponse = _liste(client, "valeurs", **parametres)
        assert reponse.status_code == 400, parametres
    csv = client.get(f"{API}/valeurs.csv", {"quartier": "%"})
    assert csv.status_code == 400
