"""La part de complétude s'arrondit à l'unité demi vers le haut, par une seule règle
(`evalpic.nombres.pour_cent_entier`) : 12,5 % s'écrit « 13 % » sur la page de complétude
et sur la carte de la vue d'ensemble, comme 37,5 % s'écrit « 38 % ». La page (`round` de Python,
au pair) et la carte (`f"{v:.0f}"`, au pair aussi) écrivaient 12. Le CSV et le tableau de
données gardent leur décimale."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from evalpic.nombres import pour_cent_entier
from indicateurs.models import Saisie, Valeur
from rapports.graphiques import carte_completude
from tests.factories import IndicateurSuiviFactory, QuartierFactory, periode_du_trimestre


@pytest.mark.parametrize(
    ("part", "attendu"),
    [
        (12.5, 13),
        (37.5, 38),
        (0.5, 1),
        (0, 0),
        (100, 100),
        (33.3, 33),
        (66.7, 67),
        (Decimal("62.5"), 63),
        (Decimal(500) / Decimal(11), 46),  # 45,4545… : 45,5 au dixième, comme le CSV
    ],
)
def test_demi_vers_le_haut(part, attendu):
    assert pour_cent_entier(part) == attendu


def test_la_carte_ecrit_la_part_demi_vers_le_haut():
    figure = carte_completude(["Anjou"], ["T1 2024", "T2 2024", "T3 2024"], [[12.5, 37.5, None]])
    (trace,) = figure["data"]
    assert trace["text"] == [["13\u00a0%", "38\u00a0%", ""]]
    assert trace["z"] == [[12.5, 37.5, None]]  # la valeur garde sa décimale


@pytest.mark.django_db
def test_la_page_et_la_carte_disent_13_pour_un_sur_huit(client, eve):
    """Huit indicateurs à saisir, un transmis : 12,5 %."""
    quartier = QuartierFactory(nom="Villeray", slug="villeray")
    suivis = [IndicateurSuiviFactory(quartier=quartier) for _ in range(8)]
    periode = periode_du_trimestre(2024, 1)
    saisie = Saisie.objects.create(table=quartier.table, periode=periode, statut="validee")
    Valeur.objects.create(saisie=saisie, indicateur=suivis[0].indicateur, valeur_numerique=1)
    client.force_login(eve)

    contenu = client.get(reverse("completude"), {"periode": periode.code}).content.decode()
    ligne = " ".join(contenu[contenu.index(">Villeray<") :].split("</tr>")[0].split())
    assert "1 / 8" in ligne and "13 %" in ligne and "12 %" not in ligne
    page = client.get(reverse("tableau_pic"), {"debut": periode.code, "fin": periode.code})
    (trace,) = page.context["figures"]["completude"]["data"]
    assert trace["text"] == [["13\u00a0%"]]
    csv = client.get(
        reverse("tableau_pic"), {"csv": "completude", "debut": periode.code, "fin": periode.code}
    ).content.decode("utf-8-sig")
    assert csv.splitlines()[-1] == "Villeray;12.5"
