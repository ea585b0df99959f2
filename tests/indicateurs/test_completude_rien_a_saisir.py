"""La complétude d'une table qui n'a aucun indicateur à saisir (0 valeur attendue) dit « rien à
saisir », et non « en retard · 0 % »; les autres tables gardent leur état et leur part."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import QuartierFactory, construire_quartier, periode_du_trimestre

pytestmark = pytest.mark.django_db


def _ligne(contenu: str, nom: str) -> str:
    debut = contenu.index(nom)
    return " ".join(contenu[debut : contenu.index("</tr>", debut)].split())


def test_une_table_sans_rien_a_saisir_n_est_ni_en_retard_ni_a_zero(client, eve):
    construire_quartier(nom="Villeray", indicateurs=2, trimestres=1)
    QuartierFactory(nom="Sans indicateur", slug="sans-indicateur")
    periode = periode_du_trimestre(2023, 2)  # échéance passée : les tables sont en retard
    client.force_login(eve)
    contenu = client.get(reverse("completude"), {"periode": periode.code}).content.decode()

    vide = _ligne(contenu, "Sans indicateur")
    assert "rien à saisir" in vide
    assert "en retard" not in vide and "0 %" not in vide and "0 / 0" not in vide
    suivie = _ligne(contenu, "Villeray")
    assert "en retard" in suivie and "0 / 2" in suivie and "0 %" in suivie
