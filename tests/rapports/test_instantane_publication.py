"""Ce qui est publié : les saisies soumises ou validées. Une saisie renvoyée à la table redevient
modifiable; tant qu'elle n'est pas soumise de nouveau, ses valeurs (et leurs corrections en
cours) ne paraissent ni au bilan, ni aux tableaux de bord, ni sur la page du quartier."""

from __future__ import annotations

from decimal import Decimal

import pytest

from indicateurs.models import Saisie, StatutSaisie, Valeur
from indicateurs.models.saisies import STATUTS_PUBLIES
from quartiers.selectors import page_quartier
from rapports.instantane import construire_instantane
from rapports.lectures import Filtre, lire_series, lire_suivis, parts_renseignees
from rapports.models import Bilan, Portee
from rapports.resumes import lire_resumes
from tests.factories import (
    AffectationFactory,
    IndicateurFactory,
    IndicateurSuiviFactory,
    QuartierFactory,
    periode_du_trimestre,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def alpha():
    """T2 soumise (4), T3 validée (5), T4 renvoyée pour correction (1234 en cours)."""
    quartier = QuartierFactory(nom="Alpha", slug="alpha")
    indicateur = IndicateurFactory(code="ok")
    IndicateurSuiviFactory(quartier=quartier, indicateur=indicateur)
    periode_du_trimestre(2023, 1)
    for trimestre, statut, valeur in (
        (2, StatutSaisie.SOUMISE, 4),
        (3, StatutSaisie.VALIDEE, 5),
        (4, StatutSaisie.RENVOYEE, 1234),
    ):
        saisie = Saisie.objects.create(
            table=quartier.table,
            periode=periode_du_trimestre(2023, trimestre),
            statut=statut,
            motif_renvoi="À revoir." if statut == StatutSaisie.RENVOYEE else "",
        )
        Valeur.objects.create(
            saisie=saisie, indicateur=indicateur, valeur_numerique=Decimal(valeur)
        )
    return quartier


def _periodes():
    return [periode_du_trimestre(2023, t) for t in (1, 2, 3, 4)]


def test_publiees_veut_dire_soumises_ou_validees(alpha):
    assert set(STATUTS_PUBLIES) == {StatutSaisie.SOUMISE, StatutSaisie.VALIDEE}
    publiees = Valeur.objects.publiees().values_list("valeur_numerique", flat=True)
    assert sorted(publiees) == [Decimal(4), Decimal(5)]


def test_le_bilan_ne_montre_pas_une_saisie_renvoyee(alpha):
    bilan = Bilan(portee=Portee.QUARTIER, quartier=alpha, annee=2023, trimestre=4, langue="fr")
    quartier = construire_instantane(bilan)["quartiers"][0]
    points = {p["periode"]: p["valeur"] for p in quartier["series"][0]["points"]}
    assert points == {"2023-T1": None, "2023-T2": "4", "2023-T3": "5", "2023-T4": None}
    assert quartier["completude"]["renseignees"] == 2
    assert {"indicateur": "ok", "periode": "2023-T4"} in quartier["completude"]["manquantes"]


def test_les_tableaux_de_bord_ne_montrent_pas_une_saisie_renvoyee(alpha):
    filtre = Filtre(periodes=tuple(_periodes()))
    serie = lire_series([alpha], filtre)[alpha.pk][0]
    assert [p.valeur for p in serie.points] == [None, Decimal(4), Decimal(5), None]
    t4 = _periodes()[-1]
    # La saisie renvoyée n'est pas transmise : 0 % au quatrième trimestre, comme la complétude.
    assert parts_renseignees([alpha], _periodes())[(alpha.pk, t4.pk)] == 0.0
    resume = next(
        iter(
            lire_resumes(
                [alpha.pk], lire_suivis([alpha], filtre), _periodes(), STATUTS_PUBLIES
            ).values()
        )
    )
    assert resume.derniere == Decimal(5)


def test_la_page_du_quartier_montre_la_derniere_valeur_publiee(alpha):
    coordination = AffectationFactory(quartier=alpha, role="coordonnateur").utilisateur
    suivi = page_quartier(coordination, "alpha").suivis[0]
    assert suivi.derniere_valeur == Decimal(5)
    assert (suivi.derniere_periode_annee, suivi.derniere_periode_trimestre) == (2023, 3)
