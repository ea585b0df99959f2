"""« En bref » du PIC à quartiers égaux : un quartier dont le registre commence après la fenêtre
de départ comptait zéro au départ et tous ses partenaires à la fin (Parc-Extension, registre de
2018 : « de 24 en 2016 à 148 en 2025 » au lieu de 24 → 127 à quartiers égaux). Avant le début
d'un registre, les valeurs sont inconnues, pas nulles (`calculs.couvert_par_le_registre`) : ce
quartier n'est compté ni au départ ni à la fin (`instantane._registre`), et un constat le nomme
(`en_bref._perimetre`)."""

from __future__ import annotations

import copy
import datetime

import pytest
from django.utils import translation

from quartiers.models import Quartier
from rapports.en_bref import constats
from rapports.instantane import construire_instantane
from rapports.models import Bilan, Portee
from tests.factories import (
    IndicateurSuiviFactory,
    ParticipationFactory,
    QuartierFactory,
    periode_du_trimestre,
)

pytestmark = pytest.mark.django_db
d = datetime.date


def _quartier(nom: str):
    quartier = QuartierFactory(nom=nom, slug=nom.lower().replace(" ", "-"))
    IndicateurSuiviFactory(quartier=quartier)  # un quartier du PIC suit des indicateurs
    return quartier


@pytest.fixture
def registres_decales():
    """Saint-Michel depuis 2016 (3 partenaires, 4 en 2025), Parc-Extension depuis avril 2018
    (2, actifs en 2025); un bilan du PIC pour 2025."""
    for trimestre in (1, 2, 3, 4):
        periode_du_trimestre(2025, trimestre)
    saint_michel, parc_ex = _quartier("Saint-Michel"), _quartier("Parc-Extension")
    for _ in range(3):
        ParticipationFactory(table=saint_michel.table, debut=d(2016, 1, 1))
    ParticipationFactory(table=saint_michel.table, debut=d(2024, 6, 1))
    for _ in range(2):
        ParticipationFactory(table=parc_ex.table, debut=d(2018, 4, 12))
    bilan = Bilan(portee=Portee.PIC, annee=2025, trimestre=None, langue="fr")
    return construire_instantane(bilan)


def test_le_pic_compare_a_quartiers_egaux(registres_decales):
    registre = registres_decales["registre"]
    # Avant : 6 à la fin (Parc-Extension compté), contre 3 au départ.
    assert (registre["depart"]["partenaires_actifs"], registre["fin"]["partenaires_actifs"]) == (
        "3",
        "4",
    )
    assert registre["quartiers"] == 1
    assert registre["sans"] == [{"nom": "Parc-Extension", "debut": "2018-04-12"}]
    tous = {c.cle: c for c in constats(registres_decales)}
    assert "(de 3 au cours de 2016 à 4 au cours de 2025)" in tous["partenaires"].texte
    assert tous["perimetre"].texte == (
        "À quartiers égaux, les constats du registre comptent le seul quartier dont le registre "
        "couvre déjà 2016, en 2016 comme en 2025. Parc-Extension (registre commencé en T2 2018) "
        "n'y est pas compté."
    )
    (mesure,) = tous["perimetre"].mesures
    assert (mesure.periode_depart, mesure.valeur_depart, mesure.valeur_fin) == ("2016", "1", "1")


def test_le_constat_du_perimetre_s_accorde_au_pluriel(registres_decales):
    instantane = copy.deepcopy(registres_decales)
    instantane["registre"]["quartiers"] = 3
    instantane["registre"]["sans"].append({"nom": "Verdun", "debut": "2021-11-02"})
    with translation.override("fr"):
        texte = {c.cle: c.texte for c in constats(instantane)}["perimetre"]
    assert "comptent les 3 quartiers dont le registre couvre déjà 2016" in texte
    assert texte.endswith(
        "Parc-Extension (registre commencé en T2 2018) et Verdun (registre commencé en T4 2021) "
        "n'y sont pas comptés."
    )


def test_un_bilan_de_quartier_et_un_ancien_instantane_n_ont_pas_de_perimetre(registres_decales):
    ancien = copy.deepcopy(registres_decales)
    for cle in ("quartiers", "sans"):
        ancien["registre"].pop(cle)
    assert "perimetre" not in {c.cle for c in constats(ancien)}
    parc_ex = Quartier.objects.get(nom="Parc-Extension")
    bilan = Bilan(portee=Portee.QUARTIER, quartier=parc_ex, annee=2025, langue="fr")
    instantane = construire_instantane(bilan)
    assert set(instantane["registre"]) == {"depart", "fin"}
    assert "perimetre" not in {c.cle for c in constats(instantane)}
