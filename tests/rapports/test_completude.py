"""La complétude compte, partout, ce que la table a à saisir (`suivi_a_saisir`, la règle du
formulaire) : ni un indicateur proposé ou retiré, ni un suivi inactif, ni un brouillon."""

from __future__ import annotations

from decimal import Decimal

import pytest

from indicateurs import selectors, services
from indicateurs.models import IndicateurSuivi, Saisie, StatutIndicateur, Valeur
from rapports.instantane import _completudes
from rapports.lectures import parts_renseignees
from tests.factories import IndicateurSuiviFactory, QuartierFactory, periode_du_trimestre

pytestmark = pytest.mark.django_db


@pytest.fixture
def quartier_et_periodes():
    """A et B sont à saisir; C est suivi mais inactif (des valeurs d'avant restent); D est
    proposé, pas encore approuvé (le formulaire ne le demande pas). Au premier trimestre, A et C
    ont une valeur transmise, B manque; au second, seul un brouillon existe (A)."""
    quartier = QuartierFactory(nom="Villeray", slug="villeray")
    a, b, c, d = (IndicateurSuiviFactory(quartier=quartier) for _ in range(4))
    IndicateurSuivi.objects.filter(pk=c.pk).update(actif=False)
    d.indicateur.statut = StatutIndicateur.PROPOSE
    d.indicateur.save()
    premier, second = periode_du_trimestre(2024, 1), periode_du_trimestre(2024, 2)
    transmise = Saisie.objects.create(table=quartier.table, periode=premier, statut="soumise")
    for suivi in (a, c):
        Valeur.objects.create(saisie=transmise, indicateur=suivi.indicateur, valeur_numerique=1)
    brouillon = Saisie.objects.create(table=quartier.table, periode=second, statut="brouillon")
    Valeur.objects.create(saisie=brouillon, indicateur=a.indicateur, valeur_numerique=Decimal(2))
    return quartier, [premier, second], (a, b)


def test_la_completude_du_tableau_de_bord_compte_ce_que_la_table_a_a_saisir(
    quartier_et_periodes,
):
    quartier, (premier, second), _ = quartier_et_periodes
    parts = parts_renseignees([quartier], [premier, second])
    # Une valeur attendue (A) sur deux (A, B); C et D ne comptent ni en haut ni en bas.
    assert parts[(quartier.pk, premier.pk)] == 50.0
    # Le brouillon du second trimestre n'est pas transmis : rien de ce qui était attendu, 0 %
    # (comme la page de complétude), et non une case vide.
    assert parts[(quartier.pk, second.pk)] == 0.0


def test_la_completude_du_bilan_compte_ce_que_la_table_a_a_saisir(quartier_et_periodes):
    quartier, periodes, (a, b) = quartier_et_periodes
    completude = _completudes([quartier.pk], periodes)[quartier.pk]
    assert completude["attendues"] == 4  # A et B, deux trimestres
    assert completude["renseignees"] == 1  # A au premier trimestre
    assert completude["validees"] == 0
    assert completude["manquantes"] == [
        {"indicateur": b.indicateur.code, "periode": "2024-T1"},
        *sorted(
            ({"indicateur": s.indicateur.code, "periode": "2024-T2"} for s in (a, b)),
            key=lambda m: m["indicateur"],
        ),
    ]


def test_la_page_de_completude_compte_ce_que_la_table_a_a_saisir(quartier_et_periodes, eve):
    quartier, (premier, _second), _ = quartier_et_periodes
    (ligne,) = selectors.completude(eve, premier)
    assert (ligne.table, ligne.attendues, ligne.renseignees, ligne.part) == (
        quartier.table,
        2,
        1,
        50,
    )


def test_le_formulaire_demande_ce_que_la_completude_attend(quartier_et_periodes):
    quartier, _periodes, (a, b) = quartier_et_periodes
    attendus = services.indicateurs_a_saisir(quartier.table)
    assert {i.pk for i in attendus} == {a.indicateur_id, b.indicateur_id}
