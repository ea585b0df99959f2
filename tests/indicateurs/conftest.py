"""Un quartier A prêt à saisir : une période ouverte et trois indicateurs suivis (nombre,
pourcentage, texte), plus un indicateur calculé."""

from __future__ import annotations

from decimal import Decimal

import pytest

from indicateurs.models import Calcul, ModeCollecte, StatutPeriode
from tests.factories import IndicateurFactory, IndicateurSuiviFactory, periode_du_trimestre


@pytest.fixture
def periode(db):
    return periode_du_trimestre(2025, 1, statut=StatutPeriode.OUVERTE)


@pytest.fixture
def indicateurs_a(quartier_a) -> dict:
    indicateurs = {
        "menages": IndicateurFactory(code="menages", unite="nombre"),
        "taux": IndicateurFactory(code="taux", unite="pourcentage", agregation="moyenne"),
        "politique": IndicateurFactory(code="politique", unite="texte", agregation="derniere"),
        "partenaires": IndicateurFactory(
            code="partenaires",
            mode=ModeCollecte.CALCULE,
            calcul=Calcul.PARTENAIRES_ACTIFS,
        ),
    }
    for indicateur in indicateurs.values():
        IndicateurSuiviFactory(quartier=quartier_a, indicateur=indicateur)
    return indicateurs


@pytest.fixture
def table_a(quartier_a):
    return quartier_a.table


def nombre(texte: str) -> Decimal:
    return Decimal(texte)
