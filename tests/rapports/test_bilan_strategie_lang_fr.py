"""Dans un bilan anglais, la stratégie d'un quartier (titre, changements visés), écrite en
français seulement, porte lang="fr" (un lecteur d'écran la prononce en français), comme au
tableau de bord; dans un bilan français, rien ne change (filtre `en_francais`)."""

from __future__ import annotations

import pytest

from rapports import rendu
from rapports.instantane import construire_instantane
from rapports.models import Bilan, Portee
from tests.rapports.test_w1s14_strategie_du_bilan import _periodes, _quartier

pytestmark = pytest.mark.django_db


def _html(langue: str) -> str:
    _periodes(2025, 2026)
    bilan = Bilan(portee=Portee.QUARTIER, quartier=_quartier(v3=False), annee=2025, trimestre=None)
    bilan.langue = langue
    return rendu.contenu(construire_instantane(bilan), titre="Bilan")


def test_dans_un_bilan_anglais_la_strategie_est_marquee_en_francais():
    html = _html("en")
    assert '<td><span lang="fr">Stratégie v2</span></td>' in html
    assert '— <span lang="fr">' in html  # le libellé de chaque changement visé


def test_dans_un_bilan_francais_rien_n_est_marque():
    html = _html("fr")
    assert "<td>Stratégie v2</td>" in html
    assert '<span lang="fr">' not in html
