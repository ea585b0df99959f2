"""Les filtres de l'API se valident comme ceux de l'export des valeurs : un quartier ou un
indicateur inconnu (ou invisible) sur `/valeurs/`, une période mal écrite, un intervalle à
l'envers répondent 400 avec leur message, au lieu d'une liste vide; un quartier invisible
ressemble exactement à un quartier inconnu. Une seule lecture des codes de période, pour les
filtres et pour le corps de `POST /saisies/`."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation
from rest_framework.test import APIClient

from indicateurs.models import ModeCollecte
from tests.factories import (
    IndicateurFactory,
    IndicateurSuiviFactory,
    construire_quartier,
    periode_du_trimestre,
)

pytestmark = pytest.mark.django_db

API = "/api/v1"
EXPORT = "/export/valeurs.csv"


def client_de(personne) -> APIClient:
    client = APIClient()
    client.force_authenticate(personne)
    return client


def _message_de_l_export(personne, langue: str, **filtres) -> dict[str, list[str]]:
    """Les messages que la page de l'export donne pour ces filtres (400)."""
    navigateur = Client()
    navigateur.force_login(personne)
    navigateur.cookies[settings.LANGUAGE_COOKIE_NAME] = langue
    reponse = navigateur.get(EXPORT, filtres)
    assert reponse.status_code == 400
    with translation.override(langue):  # les messages du formulaire sont traduits à la lecture
        return {nom: list(erreurs) for nom, erreurs in reponse.context["form"].errors.items()}


@pytest.fixture
def valeurs(quartier_a, quartier_b):
    quartier = construire_quartier(nom="Villeray", indicateurs=2, trimestres=2)
    return quartier


@pytest.mark.parametrize("langue", ["fr", "en"])
@pytest.mark.parametrize(
    ("filtre", "valeur"),
    [("quartier", "zzz"), ("indicateur", "zzz")],
)
def test_un_quartier_ou_un_indicateur_inconnu_repond_400_avec_le_message_de_l_export(
    eve, valeurs, filtre, valeur, langue
):
    reponse = client_de(eve).get(f"{API}/valeurs/", {filtre: valeur}, HTTP_ACCEPT_LANGUAGE=langue)
    assert reponse.status_code == 400
    assert reponse.json() == _message_de_l_export(eve, langue, **{filtre: valeur})


def test_un_quartier_invisible_ressemble_a_un_quartier_inconnu(alice, quartier_b, valeurs):
    client = client_de(alice)
    invisible = client.get(f"{API}/valeurs/", {"quartier": quartier_b.slug}).json()
    inconnu = client.get(f"{API}/valeurs/", {"quartier": "zzz"}).json()
    assert invisible == {
        "quartier": [m.replace("zzz", quartier_b.slug) for m in inconnu["quartier"]]
    }
    assert invisible == _message_de_l_export(alice, "fr", quartier=quartier_b.slug)


def test_un_indicateur_calcule_n_a_pas_de_valeurs_saisies(eve, valeurs):
    calcule = IndicateurFactory(
        code="partenaires-actifs", mode=ModeCollecte.CALCULE, calcul="partenaires_actifs"
    )
    IndicateurSuiviFactory(quartier=valeurs, indicateur=calcule)
    reponse = client_de(eve).get(f"{API}/valeurs/", {"indicateur": calcule.code})
    assert reponse.status_code == 400
    assert reponse.json() == _message_de_l_export(eve, "fr", indicateur=calcule.code)


def test_un_quartier_et_un_indicateur_connus_filtrent_comme_avant(eve, valeurs):
    code = valeurs.indicateurs_suivis.first().indicateur.code
    reponse = client_de(eve).get(f"{API}/valeurs/", {"quartier": valeurs.slug, "indicateur": code})
    assert reponse.status_code == 200
    assert len(reponse.json()["results"]) == 2


@pytest.mark.parametrize("ressource", ["valeurs", "saisies", "apprentissages"])
def test_un_intervalle_a_l_envers_repond_400(eve, valeurs, ressource):
    reponse = client_de(eve).get(
        f"{API}/{ressource}/", {"periode_debut": "2026-T2", "periode_fin": "2025-T1"}
    )
    assert reponse.status_code == 400
    assert reponse.json() == {"periode_fin": ["La fin de l'intervalle précède son début."]}


@pytest.mark.parametrize("ressource", ["valeurs", "saisies", "apprentissages"])
@pytest.mark.parametrize("filtre", ["periode", "periode_debut", "periode_fin"])
def test_une_periode_mal_ecrite_repond_400_partout(eve, valeurs, ressource, filtre):
    reponse = client_de(eve).get(f"{API}/{ressource}/", {filtre: "xx"})
    assert reponse.status_code == 400
    assert reponse.json() == {filtre: ["Période attendue sous la forme 2025-T2."]}


def test_les_erreurs_de_plusieurs_filtres_viennent_ensemble(eve, valeurs):
    reponse = client_de(eve).get(
        f"{API}/valeurs/", {"quartier": "zzz", "periode": "xx", "indicateur": "yy"}
    )
    assert reponse.status_code == 400
    assert set(reponse.json()) == {"quartier", "periode", "indicateur"}


def test_les_apprentissages_filtrent_par_periode_et_intervalle(eve, alice, quartier_a):
    from indicateurs.services import ajouter_apprentissage

    for trimestre in (1, 2, 3):
        ajouter_apprentissage(
            auteur=alice,
            quartier=quartier_a,
            periode=periode_du_trimestre(2025, trimestre),
            categorie="defis",
            texte_fr=f"Défi {trimestre}",
        )
    client = client_de(eve)

    def textes(**filtres):
        reponse = client.get(f"{API}/apprentissages/", filtres)
        return sorted(a["texte_fr"] for a in reponse.json()["results"])

    assert textes(periode="2025-T2") == ["Défi 2"]
    assert textes(periode_debut="2025-T2") == ["Défi 2", "Défi 3"]
    assert textes(periode_debut="2025-T1", periode_fin="2025-T2") == ["Défi 1", "Défi 2"]


@pytest.mark.parametrize("code", ["2026 T2", "2026-T5", "26-T1", "x"])
def test_ouvrir_une_saisie_avec_une_periode_mal_ecrite_dit_la_forme_attendue(alice, code):
    reponse = client_de(alice).post(
        f"{API}/saisies/", {"quartier": "quartier-a", "periode": code}, format="json"
    )
    assert reponse.status_code == 400
    assert reponse.json() == {"periode": ["Période attendue sous la forme 2025-T2."]}


def test_le_schema_documente_les_filtres_de_periode_des_apprentissages():
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    noms = {p["name"] for p in schema["paths"]["/api/v1/apprentissages/"]["get"]["parameters"]}
    assert {"periode", "periode_debut", "periode_fin"} <= noms
    corps = schema["components"]["schemas"]["CreationSaisieRequest"]["properties"]["periode"]
    assert corps["pattern"] == "^[0-9]{4}-[Tt][1-4]$"
