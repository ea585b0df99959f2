"""Un indicateur en texte n'a pas de statut : ni le constat « En bref », ni la figure des
quartiers du bilan du PIC, ni la vue d'ensemble ne le comptent « sans données »
(`rapports.statuts.a_un_statut`, une seule règle)."""

from __future__ import annotations

import pytest

from rapports.en_bref import constats
from rapports.lectures import Filtre
from rapports.rendu import figure_vue_pic
from rapports.selectors import tableau_pic
from tests.factories import (
    IndicateurFactory,
    IndicateurSuiviFactory,
    QuartierFactory,
    UtilisateurFactory,
    periode_du_trimestre,
)

VIDE = {"atteint": 0, "en_bonne_voie": 0, "a_surveiller": 0}


def test_la_figure_du_pic_et_en_bref_comptent_pareil():
    instantane = {
        "portee": "pic",
        "indicateurs": {"chiffre": {"unite": "nombre"}, "mot": {"unite": "texte"}},
        "quartiers": [
            {
                "nom": "Alpha",
                "series": [
                    {"code": "chiffre", "statut": "sans_donnees"},
                    {"code": "mot", "statut": "sans_donnees"},
                ],
            }
        ],
    }
    _figure, lignes = figure_vue_pic(instantane)
    assert lignes == [("Alpha", {**VIDE, "sans_donnees": 1})]
    (indicateurs,) = [c for c in constats(instantane) if c.cle == "indicateurs"]
    assert indicateurs.chiffres == {"total": 2, **VIDE, "sans_donnees": 1, "textes": 1}


@pytest.mark.django_db
def test_la_vue_d_ensemble_ne_compte_pas_un_indicateur_en_texte():
    quartier = QuartierFactory(nom="Alpha", slug="alpha")
    for code, unite in (("chiffre", "nombre"), ("mot", "texte")):
        IndicateurSuiviFactory(
            quartier=quartier, indicateur=IndicateurFactory(code=code, unite=unite)
        )
    periode = periode_du_trimestre(2023, 1)
    evaluation = UtilisateurFactory(role_global="evaluateur")
    (ligne,) = tableau_pic(evaluation, Filtre(periodes=(periode,))).lignes
    assert ligne.statuts == {**VIDE, "sans_donnees": 1}
