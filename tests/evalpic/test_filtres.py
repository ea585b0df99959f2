"""Le filtre `nombre` écrit chaque nombre exactement comme `number_format` de Django (langue
active, regroupement des milliers), sans zéros inutiles ni notation scientifique."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from django.utils import translation
from django.utils.formats import number_format

from evalpic.nombres import nombre


def _attendu(valeur) -> str:
    decimal = Decimal(str(valeur))
    decimales = max(0, -decimal.normalize().as_tuple().exponent)
    return number_format(decimal, decimal_pos=decimales, use_l10n=True, force_grouping=True)


VALEURS = [
    0, 1, -1, 7, 12, 999, 1000, -1000, 1234.5, "1234567.8900", "0.0001", "-0.5", "100",
    Decimal("1E+3"), Decimal("-1234567890.1234"), Decimal("0.0000"), Decimal("-0.0000"), 3.25,
    "56.30", 10**12,
]  # fmt: skip


@pytest.mark.parametrize("langue", ["fr", "en"])
def test_comme_number_format_de_django(langue):
    hasard = random.Random(4)
    valeurs = VALEURS + [
        Decimal(hasard.randint(-(10**9), 10**9)) / Decimal(10) ** hasard.randint(0, 4)
        for _ in range(500)
    ]
    with translation.override(langue):
        for valeur in valeurs:
            assert nombre(valeur) == _attendu(valeur), valeur


def test_vide():
    assert nombre(None) == "" and nombre("") == ""


def test_exemples_lisibles():
    with translation.override("fr"):
        assert nombre(Decimal("1234.50")) == "1\xa0234,5"
    with translation.override("en"):
        assert nombre(Decimal("1234.50")) == "1,234.5"


@pytest.mark.parametrize("texte", ["abc", "inf", "-Infinity", "NaN", "sNaN", "1e9999999", "1e999"])
def test_un_texte_qui_n_est_pas_un_nombre_a_ecrire_s_ecrit_tel_quel(texte):
    """Un texte enregistré pour un indicateur chiffré (par un shell, une migration) : ni erreur
    (« 1e9999999 » faisait déborder `normalize`, une erreur 500 du formulaire de saisie), ni
    « In fin ity » découpé en milliers, ni un nombre d'un millier de chiffres."""
    with translation.override("fr"):
        assert nombre(texte) == texte
