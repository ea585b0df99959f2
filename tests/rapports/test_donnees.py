"""Les tableaux de données écrits en Python (`rapports/templatetags/donnees.py`) sortent, à
l'octet, ce que sortaient les boucles de gabarit qu'ils remplacent : mêmes nombres au format de
la langue, même tiret pour une valeur manquante, même échappement."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from rapports.series import Point, SerieIndicateur
from rapports.templatetags.donnees import cellules_de_serie, lignes_de_courbe

# Les boucles d'avant, telles qu'elles étaient dans rapports/_courbe.html (supprimé depuis, voir
# tests/rapports/test_graphiques_html.py) et indicateur.html.
BOUCLE_DES_LIGNES = Template(
    "{% load evalpic %}"
    '{% for ligne in lignes %}<tr><th scope="row">{{ ligne.periode }}</th>'
    '<td class="nombre">{{ ligne.valeur|nombre|default:"—" }}</td>'
    '<td class="nombre">{{ ligne.cible|nombre }}</td>'
    '<td class="nombre">{{ ligne.reference|nombre }}</td></tr>{% endfor %}'
)
BOUCLE_DES_CELLULES = Template(
    "{% load evalpic %}"
    '<td class="nombre">{{ serie.reference|nombre|default:"—" }}</td>'
    "{% for point in serie.points %}"
    '<td class="nombre">{{ point.valeur|nombre|default:"—" }}</td>{% endfor %}'
)


def _nombres(hasard: random.Random, combien: int) -> list:
    speciaux = [None, 0, 0.0, -1.5, 1234567.25, 1e-4, 10**9, Decimal("-0.000"), Decimal("12.50")]
    aleatoires = [
        None if hasard.random() < 0.2 else round(hasard.uniform(-1e6, 1e6), hasard.randint(0, 4))
        for _ in range(combien)
    ]
    return speciaux + aleatoires


@pytest.mark.parametrize("langue", ["fr", "en"])
def test_les_lignes_d_une_courbe_comme_la_boucle_du_gabarit(langue):
    hasard = random.Random(7)
    nombres = _nombres(hasard, 300)
    lignes = [
        {
            "periode": f"T{rang % 4 + 1} {2000 + rang} <&\"'>",  # échappé comme le gabarit
            "valeur": valeur,
            "cible": hasard.choice([None, valeur, 3.5]),
            "reference": hasard.choice([None, 100.0, -2.25]),
        }
        for rang, valeur in enumerate(nombres)
    ]
    with translation.override(langue):
        attendu = BOUCLE_DES_LIGNES.render(Context({"lignes": lignes}))
        assert lignes_de_courbe(lignes) == attendu
    assert "&lt;&amp;&quot;&#x27;&gt;" in attendu and "—" in attendu


@pytest.mark.parametrize("langue", ["fr", "en"])
def test_les_cellules_d_une_serie_comme_la_boucle_du_gabarit(langue):
    hasard = random.Random(11)
    debut = datetime.date(2020, 1, 1)
    for reference in [None, Decimal("0"), Decimal("1234.5")]:
        points = [
            Point(f"p{rang}", f"T{rang}", debut, None if v is None else Decimal(str(v)))
            for rang, v in enumerate(_nombres(hasard, 40))
        ]
        serie = SerieIndicateur(
            code="X", nom="X", unite="nombre", polarite="hausse", quartier="Q",
            reference=reference, date_reference=None, points=points, cibles=[], reperes=[],
        )  # fmt: skip
        with translation.override(langue):
            attendu = BOUCLE_DES_CELLULES.render(Context({"serie": serie}))
            assert cellules_de_serie(serie) == attendu
