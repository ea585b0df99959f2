"""`/api/v1/valeurs/` dit le statut de la saisie de chaque valeur (`statut_saisie`) et filtre
`statut=transmises` (soumises ou validées) comme l'export des valeurs : un outil qui additionne
les valeurs n'additionne plus celles d'une saisie renvoyée, que les tableaux de bord ne montrent
pas."""

from __future__ import annotations

import csv
import io

import pytest
from rest_framework.test import APIClient

from indicateurs.models import Saisie, StatutSaisie, Valeur
from tests.factories import construire_quartier

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture
def api(eve) -> APIClient:
    client = APIClient()
    client.force_authenticate(eve)
    return client


@pytest.fixture
def saisies(eve) -> dict[str, Saisie]:
    """Quatre trimestres d'un quartier, un par statut de saisie."""
    quartier = construire_quartier(nom="Villeray", indicateurs=2, trimestres=4)
    rangees = list(Saisie.objects.filter(table=quartier.table).order_by("periode__debut"))
    statuts = [
        StatutSaisie.BROUILLON,
        StatutSaisie.SOUMISE,
        StatutSaisie.VALIDEE,
        StatutSaisie.RENVOYEE,
    ]
    for saisie, statut in zip(rangees, statuts, strict=True):
        motif = "Vérifiez les ménages." if statut == StatutSaisie.RENVOYEE else ""
        Saisie.objects.filter(pk=saisie.pk).update(statut=statut, motif_renvoi=motif)
    return {statut: saisie for saisie, statut in zip(rangees, statuts, strict=True)}


def _periodes(reponse) -> list[tuple[str, str]]:
    return sorted({(v["periode"], v["statut_saisie"]) for v in reponse.json()["results"]})


def test_chaque_valeur_porte_le_statut_de_sa_saisie(api, saisies):
    liste = api.get(f"{API}/valeurs/").json()["results"]
    attendus = {s.pk: s.statut for s in Saisie.objects.all()}
    assert len(liste) == 8
    for element in liste:
        assert element["statut_saisie"] == attendus[element["saisie"]]
        # le détail a la même forme que la liste, lue en tuples
        assert api.get(f"{API}/valeurs/{element['id']}/").json() == element


def test_statut_transmises_garde_les_seules_saisies_soumises_ou_validees(api, saisies):
    reponse = api.get(f"{API}/valeurs/", {"statut": "transmises"})
    assert reponse.status_code == 200
    assert _periodes(reponse) == [("2023-T2", "soumise"), ("2023-T3", "validee")]
    attendu = Valeur.objects.publiees().count()
    assert len(reponse.json()["results"]) == attendu == 4


def test_un_statut_precis_filtre_comme_avant(api, saisies):
    assert _periodes(api.get(f"{API}/valeurs/", {"statut": "renvoyee"})) == [
        ("2023-T4", "renvoyee")
    ]


def test_un_statut_inconnu_repond_400(api, saisies):
    reponse = api.get(f"{API}/valeurs/", {"statut": "perdue"})
    assert reponse.status_code == 400
    assert "statut" in reponse.json()


def test_le_csv_des_valeurs_a_la_colonne_statut_saisie(api, saisies):
    reponse = api.get(f"{API}/valeurs/", {"format": "csv", "statut": "transmises"})
    lignes = list(csv.DictReader(io.StringIO(reponse.content.decode("utf-8-sig"))))
    assert {ligne["statut_saisie"] for ligne in lignes} == {"soumise", "validee"}


def test_le_schema_documente_statut_saisie_et_transmises():
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    proprietes = schema["components"]["schemas"]["Valeur"]["properties"]
    # le type des statuts d'une saisie, le même que `statut` d'une saisie : pas un second nom
    # pour les mêmes choix (manage.py check --deploy le signalerait)
    assert proprietes["statut_saisie"]["allOf"] == [
        {"$ref": "#/components/schemas/SaisieStatutEnum"}
    ]
    assert schema["components"]["schemas"]["SaisieStatutEnum"]["enum"] == [
        "brouillon",
        "soumise",
        "renvoyee",
        "validee",
    ]
    parametres = {p["name"]: p for p in schema["paths"]["/api/v1/valeurs/"]["get"]["parameters"]}
    assert "transmises" in parametres["statut"]["schema"]["enum"]
