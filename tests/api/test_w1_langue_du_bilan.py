"""Un bilan demandé par l'API sans `langue` est dans la langue de la requête (celle des
réponses : témoin de langue, sinon Accept-Language, sinon la langue préférée de la personne à
qui est le jeton, sinon le français), comme depuis la page, dont le formulaire propose la
langue de l'interface. Avant, il était toujours en français. Une `langue` donnée l'emporte."""

from __future__ import annotations

from unittest import mock

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from rapports.models import Bilan
from tests.api import test_saisies_bilans as base
from tests.api.test_saisies_bilans import client_de

# Les données des tests de l'API des bilans (A et B remplis pour 2025-T1).
_fichiers_temporaires = base._fichiers_temporaires
periode = base.periode
indicateurs = base.indicateurs
monde = base.monde

pytestmark = pytest.mark.django_db

API = "/api/v1"
DEMANDE = {"portee": "quartier", "quartier": "quartier-a", "annee": 2025, "trimestre": 1}


def _demander(client, corps=None, **entetes) -> Bilan:
    with mock.patch("rapports.tasks.generer_bilan_task.delay"):
        reponse = client.post(f"{API}/bilans/", corps or DEMANDE, format="json", **entetes)
    assert reponse.status_code == 202, reponse.content
    bilan = Bilan.objects.get(pk=reponse.json()["id"])
    assert reponse.json()["langue"] == bilan.langue
    return bilan


@pytest.mark.parametrize("mode", ["jeton", "session"])
@pytest.mark.parametrize(
    ("entete", "langue"), [("en", "en"), ("en-CA,fr;q=0.5", "en"), ("fr", "fr")]
)
def test_sans_langue_le_bilan_est_dans_celle_d_accept_language(monde, eve, mode, entete, langue):
    client = client_de(eve, mode)
    assert _demander(client, HTTP_ACCEPT_LANGUAGE=entete).langue == langue


def test_sans_langue_ni_en_tete_le_bilan_est_dans_la_langue_preferee_du_jeton(monde, eve):
    eve.langue = "en"
    eve.save(update_fields=["langue"])
    assert _demander(client_de(eve, "jeton")).langue == "en"


def test_le_temoin_de_langue_l_emporte(monde, eve):
    client = client_de(eve, "session")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert _demander(client, HTTP_ACCEPT_LANGUAGE="fr").langue == "en"


def test_sans_rien_le_bilan_est_en_francais(monde, eve):
    assert _demander(client_de(eve, "jeton")).langue == "fr"


@pytest.mark.parametrize("langue", ["fr", "en"])
def test_une_langue_donnee_l_emporte(monde, eve, langue):
    autre = "en" if langue == "fr" else "fr"
    corps = {**DEMANDE, "langue": langue}
    assert _demander(client_de(eve, "jeton"), corps, HTTP_ACCEPT_LANGUAGE=autre).langue == langue


def test_le_schema_le_dit():
    schema = APIClient().get("/api/schema/", {"format": "json", "lang": "fr"}).json()
    demande = schema["components"]["schemas"]["DemandeBilanRequest"]
    langue = demande["properties"]["langue"]
    assert "default" not in langue  # plus « fr » toujours
    assert langue["description"].startswith("Langue du bilan. Sans elle, la langue de la requête")
    assert "langue" not in demande.get("required", [])
