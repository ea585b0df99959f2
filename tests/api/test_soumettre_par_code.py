"""L'API refuse de soumettre une saisie incomplète en nommant chaque indicateur par son code,
le seul nom qu'elle montre (jamais l'id interne, que le client ne peut relier à rien), comme
`avertissements` et les conflits; le schéma décrit cette réponse."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from indicateurs import services
from indicateurs.models import Saisie, StatutPeriode, StatutSaisie, Valeur
from tests.factories import IndicateurFactory, IndicateurSuiviFactory, periode_du_trimestre

pytestmark = pytest.mark.django_db

MANQUANTE = "Valeur manquante : entrez-la ou cochez « non disponible » avec une raison."


@pytest.fixture
def periode(db):
    return periode_du_trimestre(2025, 1, statut=StatutPeriode.OUVERTE)


@pytest.fixture
def indicateurs_a(quartier_a) -> dict:
    indicateurs = {
        "menages": IndicateurFactory(code="menages", unite="nombre"),
        "taux": IndicateurFactory(code="taux", unite="pourcentage", agregation="moyenne"),
        "politique": IndicateurFactory(code="politique", unite="texte", agregation="derniere"),
    }
    for indicateur in indicateurs.values():
        IndicateurSuiviFactory(quartier=quartier_a, indicateur=indicateur)
    return indicateurs


@pytest.fixture
def table_a(quartier_a):
    return quartier_a.table


@pytest.fixture
def api(alice) -> APIClient:
    client = APIClient()
    client.force_authenticate(alice)
    return client


def ouvrir(api: APIClient, periode) -> tuple[int, str]:
    corps = {"quartier": "quartier-a", "periode": periode.code}
    reponse = api.post("/api/v1/saisies/", corps, format="json")
    return reponse.json()["id"], reponse["ETag"]


def test_soumettre_incomplet_400_nomme_chaque_indicateur_par_son_code(api, indicateurs_a, periode):
    pk, etag = ouvrir(api, periode)
    corps = {"valeurs": [{"indicateur": "menages", "valeur": "4"}]}
    reponse = api.put(f"/api/v1/saisies/{pk}/valeurs/", corps, format="json", HTTP_IF_MATCH=etag)
    reponse = api.post(f"/api/v1/saisies/{pk}/soumettre/", HTTP_IF_MATCH=reponse["ETag"])

    assert reponse.status_code == 400
    assert reponse.json() == {
        "valeurs": {"taux": {"valeur": [MANQUANTE]}, "politique": {"valeur": [MANQUANTE]}}
    }
    codes = {i["code"] for i in api.get("/api/v1/indicateurs/").json()["results"]}
    assert set(reponse.json()["valeurs"]) <= codes
    assert Saisie.objects.get(pk=pk).statut == StatutSaisie.BROUILLON


def test_une_valeur_inhabituelle_sans_commentaire_est_nommee_par_son_code(
    api, alice, table_a, indicateurs_a, periode
):
    menages = indicateurs_a["menages"]
    for trimestre, valeur in zip([1, 2, 3, 4], [100, 104, 98, 102], strict=True):
        ancienne = services.saisie_pour(
            table=table_a,
            periode=periode_du_trimestre(2024, trimestre),
            periode_fermee_permise=True,
        )
        Valeur.objects.create(saisie=ancienne, indicateur=menages, valeur_numerique=valeur)
    pk, etag = ouvrir(api, periode)
    corps = {
        "valeurs": [
            {"indicateur": "menages", "valeur": "1000"},
            {"indicateur": "taux", "valeur": "40"},
            {"indicateur": "politique", "valeur": "Adoptée"},
        ]
    }
    reponse = api.put(f"/api/v1/saisies/{pk}/valeurs/", corps, format="json", HTTP_IF_MATCH=etag)
    reponse = api.post(f"/api/v1/saisies/{pk}/soumettre/", HTTP_IF_MATCH=reponse["ETag"])

    assert reponse.status_code == 400
    (message,) = reponse.json()["valeurs"]["menages"]["valeur"]
    assert message.startswith("Valeur inhabituelle") and "commentaire" in message


def test_un_statut_incompatible_garde_son_message_d_ensemble(api, alice, table_a, periode):
    saisie = services.saisie_pour(table=table_a, periode=periode, auteur=alice)
    Saisie.objects.filter(pk=saisie.pk).update(statut=StatutSaisie.VALIDEE)
    reponse = api.post(f"/api/v1/saisies/{saisie.pk}/soumettre/", HTTP_IF_MATCH='"1"')
    assert reponse.status_code == 400
    assert reponse.json() == {"detail": ["Seul un brouillon ou une saisie renvoyée se soumet."]}


def test_le_schema_decrit_le_refus_de_soumettre_par_code():
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    reponse = schema["paths"]["/api/v1/saisies/{id}/soumettre/"]["post"]["responses"]["400"]
    assert "code" in reponse["description"]
    nom = reponse["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    proprietes = schema["components"]["schemas"][nom]["properties"]
    assert set(proprietes) == {"valeurs", "periode", "detail"}
    assert "code d'indicateur" in proprietes["valeurs"]["description"]
