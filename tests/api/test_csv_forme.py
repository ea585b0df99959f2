"""La forme du CSV de l'API (`?format=csv`) : l'en-tête vient des champs du sérialiseur, même
sans aucune ligne (un résultat vide n'est plus le seul BOM); une liste ou un objet imbriqué
s'écrit en JSON (plus de représentation Python « [{'id': 43, … 'theme': None}] »); un booléen
s'écrit « true » / « false », comme en JSON (l'API écrit des codes, pas des libellés)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from rest_framework.test import APIClient

from tests.factories import (
    ChangementViseFactory,
    PartenaireFactory,
    ParticipationFactory,
    StrategieFactory,
    construire_quartier,
)

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture
def api(eve) -> APIClient:
    client = APIClient()
    client.force_authenticate(eve)
    return client


def _csv(reponse) -> list[list[str]]:
    assert reponse.status_code == 200, reponse.content[:300]
    assert reponse["Content-Type"].startswith("text/csv")
    texte = reponse.content.decode("utf-8")
    assert texte.startswith("\ufeff")
    return list(csv.reader(io.StringIO(texte[1:])))


@pytest.mark.parametrize(
    ("adresse", "entete"),
    [
        (
            "valeurs/?periode=2031-T1",
            [
                "id",
                "saisie",
                "quartier",
                "periode",
                "indicateur",
                "valeur",
                "valeur_texte",
                "non_disponible",
                "raison_non_disponible",
                "commentaire",
                "preuve_url",
                "updated_at",
                "statut_saisie",
            ],
        ),
        (
            "saisies/?periode=2031-T1",
            [
                "id",
                "quartier",
                "table",
                "periode",
                "statut",
                "version",
                "motif_renvoi",
                "soumise_le",
                "validee_le",
            ],
        ),
        (
            "participations/?role=bailleur",
            ["id", "partenaire", "table", "quartier", "role", "debut", "fin"],
        ),
    ],
)
def test_une_liste_vide_a_son_en_tete(api, adresse, entete):
    assert _csv(api.get(f"{API}/{adresse}", {"format": "csv"})) == [entete]


def test_une_liste_remplie_a_le_meme_en_tete_que_vide(api):
    construire_quartier(nom="Villeray", indicateurs=1, trimestres=1)
    vide = _csv(api.get(f"{API}/valeurs/", {"format": "csv", "periode": "2031-T1"}))
    remplie = _csv(api.get(f"{API}/valeurs/", {"format": "csv"}))
    assert remplie[0] == vide[0]
    assert len(remplie) == 2


def test_les_champs_imbriques_s_ecrivent_en_json(api, quartier_a):
    strategie = StrategieFactory(quartier=quartier_a)
    ChangementViseFactory(strategie=strategie, code="C1", libelle="Sécurité « alimentaire »")
    lignes = list(
        csv.DictReader(
            io.StringIO(
                api.get(f"{API}/strategies/", {"format": "csv"}).content.decode("utf-8-sig")
            )
        )
    )
    changements = json.loads(lignes[0]["changements"])  # du JSON, pas une repr Python
    assert changements[0]["code"] == "C1"
    assert changements[0]["theme"] is None
    assert "Sécurité « alimentaire »" in lignes[0]["changements"]  # ensure_ascii=False
    assert json.loads(lignes[0]["liens"]) == []


def test_les_booleens_s_ecrivent_true_et_false(api, quartier_a):
    ParticipationFactory(
        table=quartier_a.table, partenaire=PartenaireFactory(acteur_influence=True)
    )
    ParticipationFactory(
        table=quartier_a.table, partenaire=PartenaireFactory(acteur_influence=False)
    )
    reponse = api.get(f"{API}/partenaires/", {"format": "csv", "ordering": "id"})
    lignes = list(csv.DictReader(io.StringIO(reponse.content.decode("utf-8-sig"))))
    assert sorted(ligne["acteur_influence"] for ligne in lignes) == ["false", "true"]
    assert {ligne["donnees_fictives"] for ligne in lignes} <= {"true", "false"}


def test_une_erreur_garde_ses_colonnes_champ_et_message(api):
    reponse = api.get(f"{API}/valeurs/", {"format": "csv", "periode": "xx"})
    assert reponse.status_code == 400
    lignes = list(csv.reader(io.StringIO(reponse.content.decode("utf-8-sig"))))
    assert lignes == [["champ", "message"], ["periode", "Période attendue sous la forme 2025-T2."]]
