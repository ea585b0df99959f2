"""`une_fois_par_langue` : un texte traduit une fois par langue, puis resservi."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext as _

from evalpic.traduction import une_fois_par_langue
from rapports import graphiques
from rapports.series import Point, SerieIndicateur
from rapports.statuts import libelles_des_statuts


def test_calcule_une_fois_par_langue_et_suit_la_langue_active():
    appels = []

    @une_fois_par_langue
    def libelle() -> str:
        appels.append(translation.get_language())
        return _("Valeurs")

    with translation.override("fr"):
        assert libelle() == "Valeurs"
        assert libelle() == "Valeurs"
    with translation.override("en"):
        assert libelle() == "Values"
        assert libelle() == "Values"
    with translation.override("fr"):
        assert libelle() == "Valeurs"
    assert appels == ["fr", "en"]


def test_les_courbes_et_les_statuts_changent_de_langue():
    serie = SerieIndicateur(
        code="EMP",
        nom="Taux d'emploi",
        unite="pourcentage",
        polarite="hausse",
        quartier="Quartier A",
        points=[Point("2025-T1", "T1 2025", datetime.date(2025, 1, 1), Decimal("10"))],
        reference=Decimal("9"),
    )
    with translation.override("en"):
        anglais = graphiques.courbe_a_renverser(serie)
        statuts_en = libelles_des_statuts()
    with translation.override("fr"):
        francais = graphiques.courbe_a_renverser(serie)
        statuts_fr = libelles_des_statuts()
    assert [t["name"] for t in anglais["data"]][:2] == ["Values", "Baseline"]
    assert [t["name"] for t in francais["data"]][:2] == ["Valeurs", "Référence"]
    assert anglais["layout"]["annotations"][0]["text"] == "↑ an increase is desired"
    assert anglais["layout"]["yaxis"]["title"]["text"] == "percentage"
    assert francais["layout"]["yaxis"]["title"]["text"] == "pourcentage"
    assert statuts_en["en_bonne_voie"] == "on track"
    assert statuts_fr["en_bonne_voie"] == "en bonne voie"
