"""La tendance ne se projette pas au-delà de ce que l'unité permet : une échelle reste entre 1 et
5, un pourcentage entre 0 et 100, un nombre n'est jamais négatif. La ligne dessinée et la valeur
que lit le statut sont les mêmes, bornées dans `rapports.statuts`."""

from __future__ import annotations

import datetime
from decimal import Decimal

import plotly.graph_objects as go
import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from indicateurs.models import Unite
from indicateurs.validation import verifier_nombre
from rapports.graphiques import courbe_a_renverser
from rapports.series import Point, SerieIndicateur
from rapports.statuts import (
    BORNES_DES_UNITES,
    BORNES_PAR_DEFAUT,
    borner,
    droite,
    resumer,
    tendance,
    trimestre_suivant,
    valeur_projetee,
)


def serie(valeurs: list, unite: str, polarite: str = "hausse", cibles=None) -> SerieIndicateur:
    def point(code: str, valeur) -> Point:
        annee, trimestre = (int(x) for x in code.split("-T"))
        return Point(code, code, datetime.date(annee, 3 * trimestre - 2, 1), Decimal(str(valeur)))

    return SerieIndicateur(
        code="IND",
        nom="Indicateur",
        unite=unite,
        polarite=polarite,
        points=[point(trimestre_suivant("2025-T1", k), v) for k, v in enumerate(valeurs)],
        cibles=[point(code, v) for code, v in (cibles or {}).items()],
    )


# Les cas du constat : une échelle projetée à 6,4, un pourcentage à 134,3, un nombre à −46,3.
CAS = [
    (["3.6", "4.0", "4.4", "4.8"], "echelle", "hausse", Decimal(1), Decimal(5)),
    ([70, 80, 90, 97], "pourcentage", "hausse", Decimal(0), Decimal(100)),
    ([40, 25, 12, 4], "nombre", "baisse", Decimal(0), None),
    (["1.2", "0.8", "0.4", "0.1"], "indice", "baisse", Decimal(0), None),
    ([900, 500, 200, 50], "dollars", "baisse", Decimal(0), None),
    (["1.8", "1.5", "1.3", "1.1"], "echelle", "baisse", Decimal(1), Decimal(5)),
]


@pytest.mark.parametrize(("valeurs", "unite", "polarite", "bas", "haut"), CAS)
def test_la_tendance_reste_dans_les_bornes_de_l_unite(valeurs, unite, polarite, bas, haut):
    droite_tracee = tendance(serie(valeurs, unite, polarite), libelles=False)
    ys = [v for _c, v in droite_tracee.ajustees] + [v for _c, _l, v in droite_tracee.projection]
    assert all(v >= bas for v in ys), ys
    assert haut is None or all(v <= haut for v in ys), ys
    # La projection atteint la borne (elle la dépassait) : la borne, pas une valeur tronquée.
    assert droite_tracee.projection[-1][2] == (haut if polarite == "hausse" else bas)


@pytest.mark.parametrize(("valeurs", "unite", "polarite", "bas", "haut"), CAS)
def test_la_courbe_dessine_la_projection_bornee(valeurs, unite, polarite, bas, haut):
    with translation.override("fr"):
        figure = courbe_a_renverser(serie(valeurs, unite, polarite))
    go.Figure(figure)
    (trace,) = [t for t in figure["data"] if t["name"] == "Tendance"]
    assert min(trace["y"]) >= float(bas)
    assert haut is None or max(trace["y"]) <= float(haut)


def test_le_statut_lit_la_projection_bornee():
    # Une échelle qui monte de 0,4 par trimestre : 6,4 en 2026-T4 sans bornes, 5 avec.
    s = serie(["3.6", "4.0", "4.4", "4.8"], "echelle", cibles={"2026-T4": 5})
    resume = resumer(s)
    assert valeur_projetee(resume, droite(resume.sommes), "2026-T4") == Decimal(5)
    assert valeur_projetee(resume, droite(resume.sommes), "2030-T4") == Decimal(5)
    s = serie([40, 25, 12, 4], "nombre", "baisse", cibles={"2026-T4": 0})
    resume = resumer(s)
    assert valeur_projetee(resume, droite(resume.sommes), "2026-T4") == Decimal(0)


def test_la_pente_n_est_pas_bornee():
    assert tendance(serie(["3.6", "4.0", "4.4", "4.8"], "echelle")).pente == Decimal("0.4000")


@pytest.mark.parametrize("unite", [u for u in Unite.values if u != Unite.TEXTE])
def test_les_bornes_sont_celles_de_la_saisie(unite):
    """Les bornes de la projection sont celles que la saisie applique (`verifier_nombre`)."""
    bas, haut = BORNES_DES_UNITES.get(unite, BORNES_PAR_DEFAUT)
    verifier_nombre(unite, bas)
    with pytest.raises(ValidationError):
        verifier_nombre(unite, bas - 1)
    if haut is None:
        verifier_nombre(unite, Decimal(10**9))
    else:
        verifier_nombre(unite, haut)
        with pytest.raises(ValidationError):
            verifier_nombre(unite, haut + 1)


def test_borner_ne_touche_ni_ce_qui_est_dans_les_bornes_ni_le_texte():
    assert borner(Decimal("42.1234"), "pourcentage") == Decimal("42.1234")
    assert borner(Decimal("-3"), "texte") == Decimal("-3")
    assert borner(Decimal("-0.0001"), "dollars") == Decimal("0.0000")
    assert borner(Decimal("5.0001"), "echelle") == Decimal("5.0000")
