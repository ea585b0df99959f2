"""La théorie du changement montre l'horizon de chaque changement en libellé traduit (« court
terme », « short term »), jamais la valeur brute « court / moyen / long »."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import reverse

from indicateurs.models import StatutStrategie
from tests.factories import ChangementViseFactory, QuartierFactory, StrategieFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def quartier():
    quartier = QuartierFactory(nom="Gamma")
    strategie = StrategieFactory(quartier=quartier, statut=StatutStrategie.EN_VIGUEUR)
    for horizon in ("court", "moyen", "long"):
        ChangementViseFactory(strategie=strategie, horizon=horizon)
    return quartier


def _horizons(client, quartier, langue: str) -> list[str]:
    """La troisième colonne (Horizon) du tableau des changements visés."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = langue
    contenu = client.get(reverse("theorie_du_changement", args=[quartier.slug])).content.decode()
    tableau = contenu.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    # Une cellule peut porter des attributs (data-colonne : son nom, sur un téléphone; lang="fr"
    # : le libellé du changement, écrit en français seulement, dans une page anglaise).
    return re.findall(
        r"<tr><th scope=\"row\">[^<]*</th><td[^>]*>[^<]*</td><td[^>]*>([^<]*)</td>", tableau
    )


def test_l_horizon_est_traduit_en_anglais(client, eve, quartier):
    client.force_login(eve)
    assert sorted(_horizons(client, quartier, "en")) == ["long term", "medium term", "short term"]


def test_l_horizon_est_un_libelle_en_francais(client, eve, quartier):
    client.force_login(eve)
    assert sorted(_horizons(client, quartier, "fr")) == ["court terme", "long terme", "moyen terme"]
