"""« En bref » : les indicateurs en texte n'ont pas de statut; le constat sur les indicateurs
les laisse hors des statuts au lieu de les compter « sans données »."""

from __future__ import annotations

from decimal import Decimal

import pytest

from indicateurs.models import Saisie, Valeur
from rapports.en_bref import constats
from rapports.instantane import construire_instantane
from rapports.models import Bilan, Portee
from tests.factories import (
    IndicateurFactory,
    IndicateurSuiviFactory,
    QuartierFactory,
    periode_du_trimestre,
)

pytestmark = pytest.mark.django_db


def test_un_indicateur_en_texte_n_est_pas_compte_sans_donnees():
    """Un indicateur en texte renseigné compte comme renseigné dans la complétude; « En bref » le
    laisse hors des statuts au lieu de le dire « sans données »."""
    for trimestre in (1, 2, 3, 4):
        periode_du_trimestre(2023, trimestre)
    quartier = QuartierFactory(nom="Alpha", slug="alpha")
    chiffre = IndicateurFactory(code="chiffre")
    texte = IndicateurFactory(code="texte", unite="texte")
    for indicateur in (chiffre, texte):
        IndicateurSuiviFactory(quartier=quartier, indicateur=indicateur)
    saisie = Saisie.objects.create(
        table=quartier.table, periode=periode_du_trimestre(2023, 4), statut="validee"
    )
    Valeur.objects.create(saisie=saisie, indicateur=chiffre, valeur_numerique=Decimal(4))
    Valeur.objects.create(saisie=saisie, indicateur=texte, valeur_texte="Forum tenu")
    bilan = Bilan(portee=Portee.QUARTIER, quartier=quartier, annee=2023, trimestre=4)
    instantane = construire_instantane(bilan)
    assert instantane["quartiers"][0]["completude"]["renseignees"] == 2
    indicateurs = {c.cle: c for c in constats(instantane)}["indicateurs"]
    assert indicateurs.chiffres["total"] == 2  # les deux indicateurs suivis
    assert indicateurs.chiffres["sans_donnees"] == 0
    assert indicateurs.chiffres["textes"] == 1
    assert indicateurs.texte.startswith("Sur 2 indicateurs suivis,")
    assert indicateurs.texte.endswith(" et 1 indicateur en texte n'a pas de statut.")
