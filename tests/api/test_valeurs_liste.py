"""La liste des valeurs (lue en tuples, pour la vitesse) a exactement la forme du détail
(`ValeurSerializer`)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from indicateurs.models import Valeur
from tests.factories import construire_quartier

pytestmark = pytest.mark.django_db


def test_la_liste_et_le_detail_donnent_la_meme_forme(eve):
    quartier = construire_quartier(nom="Villeray", indicateurs=2, trimestres=2)
    valeurs = list(Valeur.objects.filter(saisie__table__quartier=quartier).order_by("pk"))
    valeurs[0].valeur_numerique = Decimal("12.5000")
    valeurs[1].valeur_numerique = None
    valeurs[1].non_disponible, valeurs[1].raison_non_disponible = True, "Enquête reportée"
    Valeur.objects.bulk_update(
        valeurs[:2], ["valeur_numerique", "non_disponible", "raison_non_disponible"]
    )
    client = APIClient()
    client.force_authenticate(eve)
    liste = client.get("/api/v1/valeurs/").json()["results"]
    assert [v["valeur"] for v in liste[:2]] == ["12.5", None]
    for element in liste:
        assert element == client.get(f"/api/v1/valeurs/{element['id']}/").json()
