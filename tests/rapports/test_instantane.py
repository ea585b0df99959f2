"""L'instantané d'un bilan se lit en un nombre fixe de requêtes, quel que soit le nombre de
quartiers (le bilan du PIC en compte 17)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicateurs.models import Apprentissage
from rapports.instantane import construire_instantane
from rapports.models import Bilan, Portee
from tests.factories import construire_quartier

pytestmark = pytest.mark.django_db


def _requetes_de_l_instantane(bilan: Bilan) -> int:
    with CaptureQueriesContext(connection) as requetes:
        construire_instantane(bilan)
    return len(requetes)


def _quartier_avec_apprentissage(nom: str):
    quartier = construire_quartier(nom=nom, indicateurs=2, trimestres=4)
    saisie = quartier.table.saisies.order_by("periode__debut").last()
    Apprentissage.objects.create(
        quartier=quartier, periode=saisie.periode, categorie="defis", texte_fr=f"Défi à {nom}"
    )
    return quartier


def test_l_instantane_du_pic_coute_autant_de_requetes_pour_deux_ou_six_quartiers():
    # Requêtes attendues : fenêtre de périodes, quartiers du PIC (avec leur table), séries
    # (suivis, valeurs, cibles, repères), registres (participations, actions), catalogue,
    # stratégies en vigueur, changements visés et leurs indicateurs, apprentissages, complétude
    # (attendus, présentes), et, s'il y a des indicateurs cumulés, le total de leurs valeurs
    # d'avant la fenêtre (une de plus, evalpic-bilan-1.8). Avant : sept de plus par quartier.
    bilan = Bilan(portee=Portee.PIC, annee=2023, trimestre=4, langue="fr")
    for nom in ("Ahuntsic", "Bordeaux"):
        _quartier_avec_apprentissage(nom)
    deux = _requetes_de_l_instantane(bilan)
    for nom in ("Cartierville", "Duff-Court", "Émard", "Fleury"):
        _quartier_avec_apprentissage(nom)
    assert _requetes_de_l_instantane(bilan) == deux


def test_chaque_quartier_garde_sa_strategie_ses_changements_et_ses_apprentissages():
    for nom in ("Ahuntsic", "Bordeaux", "Cartierville"):
        _quartier_avec_apprentissage(nom)
    bilan = Bilan(portee=Portee.PIC, annee=2023, trimestre=4, langue="fr")
    quartiers = construire_instantane(bilan)["quartiers"]
    assert [q["nom"] for q in quartiers] == ["Ahuntsic", "Bordeaux", "Cartierville"]
    for quartier in quartiers:
        assert quartier["table"] == f"Table de {quartier['nom']}"
        assert quartier["strategie"]["titre"] == "Stratégie de test"
        assert len(quartier["changements"]) == 1
        assert len(quartier["changements"][0]["indicateurs"]) == 2
        assert quartier["apprentissages"]["defis"] == [f"Défi à {quartier['nom']}"]
        assert quartier["completude"]["attendues"] == 2 * 4  # deux indicateurs, quatre trimestres
        assert quartier["completude"]["renseignees"] == 2 * 4
