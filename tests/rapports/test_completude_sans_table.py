"""Un quartier sans table (l'administration le permet) n'a rien à saisir : ni rappel, ni page de
saisie, absent de la page de complétude. La vue d'ensemble lui donnait 0 % à chaque trimestre
(`lectures.parts_renseignees`, depuis ab88e97) : il n'a pas de part, une case vide (« — »); le
bilan du PIC lui comptait toutes ses valeurs manquantes (`instantane._completudes`) : aucune
n'est attendue."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from indicateurs.models import Saisie, Valeur
from rapports.instantane import construire_instantane
from rapports.lectures import parts_renseignees
from rapports.models import Bilan
from tests.factories import IndicateurSuiviFactory, QuartierFactory, periode_du_trimestre

pytestmark = pytest.mark.django_db


@pytest.fixture
def anjou_et_verdun():
    """Anjou n'a pas de table; Verdun en a une, qui a transmis son indicateur au premier
    trimestre et rien au second. Chacun suit un indicateur à saisir."""
    anjou = QuartierFactory(nom="Anjou", slug="anjou", table=None)
    IndicateurSuiviFactory(quartier=anjou)
    verdun = QuartierFactory(nom="Verdun", slug="verdun")
    suivi = IndicateurSuiviFactory(quartier=verdun)
    premier, second = periode_du_trimestre(2024, 1), periode_du_trimestre(2024, 2)
    saisie = Saisie.objects.create(table=verdun.table, periode=premier, statut="validee")
    Valeur.objects.create(saisie=saisie, indicateur=suivi.indicateur, valeur_numerique=Decimal(1))
    return anjou, verdun, [premier, second]


def test_un_quartier_sans_table_n_a_pas_de_part(anjou_et_verdun, django_assert_num_queries):
    anjou, verdun, (premier, second) = anjou_et_verdun
    with django_assert_num_queries(2):  # les valeurs attendues, puis les présentes
        parts = parts_renseignees([anjou, verdun], [premier, second])
    assert parts == {(verdun.pk, premier.pk): 100.0, (verdun.pk, second.pk): 0.0}


def test_la_vue_d_ensemble_laisse_ses_cases_vides(anjou_et_verdun, eve, client):
    client.force_login(eve)
    completude = client.get(reverse("completude"), {"periode": "2024-T2"}).content.decode()
    assert "Verdun" in completude and "Anjou" not in completude
    csv = client.get(reverse("tableau_pic"), {"csv": "completude"}).content.decode("utf-8-sig")
    assert csv.splitlines() == ["Quartier;T1 2024;T2 2024", "Anjou;;", "Verdun;100;0"]
    page = client.get(reverse("tableau_pic"))
    assert page.context["completude"] == [("Anjou", [None, None]), ("Verdun", [100.0, 0.0])]
    (trace,) = page.context["figures"]["completude"]["data"]
    assert trace["z"] == [[None, None], [100.0, 0.0]]


def test_le_bilan_du_pic_ne_lui_attend_aucune_valeur(anjou_et_verdun):
    bilan = Bilan(portee="pic", annee=2024, trimestre=2, langue="fr")
    quartiers = {q["nom"]: q for q in construire_instantane(bilan)["quartiers"]}
    rien = {
        "attendues": 0,
        "renseignees": 0,
        "validees": 0,
        "non_disponibles": 0,
        "manquantes": [],
    }
    # La fenêtre, et la période du bilan à part (depuis evalpic-bilan-1.6).
    assert quartiers["Anjou"]["completude"] == {**rien, "periode": rien}
    assert quartiers["Verdun"]["completude"]["attendues"] == 2
    assert quartiers["Verdun"]["completude"]["renseignees"] == 1
