"""Le tableau d'un indicateur en texte dans un bilan (page et PDF) : « Période | Texte », comme
au tableau de bord, écrit par le même code (`graphiques_html.tableau_de_textes`). Avant :
« Période | Valeur | Cible | Référence », chaque texte étalé sur les trois dernières colonnes."""

from __future__ import annotations

import re

import pytest

from rapports import rendu
from rapports.instantane import construire_instantane
from rapports.models import Bilan, Portee
from rapports.templatetags.graphiques_html import _textes_du_tableau_de_textes
from tests.rapports.test_indicateurs_en_texte import _quartier_avec_un_texte

pytestmark = pytest.mark.django_db


def _tableau_des_textes(html: str) -> str:
    tableaux = re.findall(r"<table[^>]*>.*?</table>", html, re.S)
    (tableau,) = [t for t in tableaux if "Politique adoptée &amp; publiée" in t]
    return tableau


def test_le_tableau_des_textes_du_bilan_dit_periode_et_texte():
    quartier = _quartier_avec_un_texte()
    bilan = Bilan(portee=Portee.QUARTIER, quartier=quartier, annee=2023, trimestre=4, langue="fr")
    instantane = construire_instantane(bilan)
    _legende, entetes = _textes_du_tableau_de_textes()
    page = rendu.contenu(instantane, titre="Bilan")
    imprime = rendu.rendre(instantane, titre="Bilan", image=lambda _figure, cle: f"img:{cle}")
    for html in (page, imprime):
        tableau = _tableau_des_textes(html)
        assert f"<thead><tr>{entetes}</tr></thead>" in tableau
        assert re.findall(r"<th scope=\"col\"[^>]*>([^<]*)</th>", tableau) == ["Période", "Texte"]
        assert "colspan" not in tableau
        assert "Textes de Politique municipale, par trimestre" in tableau
    # Les courbes chiffrées gardent leurs quatre colonnes.
    assert '<th scope="col" class="nombre">Cible</th>' in page
