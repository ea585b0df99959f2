"""Sous un filtre invalide (la fin avant le début), le tableau de bord répond 400 avec le message
à côté du champ, et ses liens ne répètent plus l'erreur : ils recopiaient l'adresse telle
quelle (`request.GET.urlencode`), si bien que chaque lien CSV et chaque quartier répondait un
autre 400. Les liens CSV sont cachés, les autres mènent au filtre par défaut; sous un filtre
valide, ils le gardent (seuls ses champs choisis)."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse

from tests.factories import construire_quartier

pytestmark = pytest.mark.django_db

INVALIDE = {"debut": "2023-T2", "fin": "2023-T1"}
VALIDE = {"debut": "2023-T2", "fin": "2023-T3", "famille": "processus"}


@pytest.fixture
def pages(client, eve):
    alpha = construire_quartier(nom="Alpha", indicateurs=2, trimestres=4)
    construire_quartier(nom="Beta", indicateurs=2, trimestres=4)
    client.force_login(eve)
    code = alpha.indicateurs_suivis.first().indicateur.code
    return [
        reverse("tableau_pic"),
        reverse("tableau_quartier", args=[alpha.slug]),
        reverse("indicateur_entre_quartiers", args=[code]),
    ]


def _liens_du_tableau_de_bord(page: str, adresse: str) -> list[str]:
    """Les liens de la page vers les tableaux de bord (et ses CSV, `?…`), en adresses."""
    liens = [html.unescape(lien) for lien in re.findall(r'href="([^"]*)"', page)]
    return [
        adresse + lien if lien.startswith("?") else lien
        for lien in liens
        if lien.startswith(("?", "/tableau-de-bord/"))
    ]


@pytest.mark.parametrize("rang", [0, 1, 2], ids=["pic", "quartier", "indicateur"])
def test_sous_un_filtre_invalide_les_liens_menent_au_filtre_par_defaut(client, pages, rang):
    adresse = pages[rang]
    reponse = client.get(adresse, INVALIDE)
    assert reponse.status_code == 400
    page = reponse.content.decode()
    assert "La fin de l&#x27;intervalle précède son début." in page
    liens = _liens_du_tableau_de_bord(page, adresse)
    assert liens  # fil d'Ariane, quartiers, indicateurs
    assert not [lien for lien in liens if "csv=" in lien]
    assert not [lien for lien in liens if "debut=" in lien or "fin=" in lien]
    for lien in liens:
        assert client.get(lien).status_code == 200, lien


@pytest.mark.parametrize("rang", [0, 1, 2], ids=["pic", "quartier", "indicateur"])
def test_sous_un_filtre_valide_les_liens_le_gardent(client, pages, rang):
    adresse = pages[rang]
    reponse = client.get(adresse, {**VALIDE, "inconnu": "x"})
    assert reponse.status_code == 200
    liens = _liens_du_tableau_de_bord(reponse.content.decode(), adresse)
    csv = [lien for lien in liens if "csv=" in lien]
    assert csv and all("debut=2023-T2&fin=2023-T3&famille=processus&csv=" in lien for lien in csv)
    for lien in csv:
        assert client.get(lien)["Content-Type"].startswith("text/csv"), lien
    # Le fil d'Ariane et les quartiers le gardent (le menu et la théorie du changement, sans
    # filtre de périodes, non).
    filtres = [lien for lien in liens if lien not in csv and "?" in lien]
    assert filtres
    assert all(lien.endswith("?debut=2023-T2&fin=2023-T3&famille=processus") for lien in filtres)
