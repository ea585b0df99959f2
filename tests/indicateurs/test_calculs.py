"""Les indicateurs calculés, comparés à un registre compté à la main."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from indicateurs.calculs import indicateurs_calcules, indice_de_shannon
from tests.factories import (
    ActionFactory,
    PartenaireFactory,
    ParticipationFactory,
    QuartierFactory,
    SecteurFactory,
)

pytestmark = pytest.mark.django_db

T1_2025 = (datetime.date(2025, 1, 1), datetime.date(2025, 3, 31))


@pytest.fixture
def registre():
    """Au premier trimestre 2025, la table compte (à la main) :
    - actifs : Org A (communautaire, deux participations), Org B (communautaire), Org C (santé,
      acteur d'influence), Org D (recherche, acteur d'influence, arrive le 31 mars) → 4;
    - pas actifs : Org E (parti en décembre 2024), Org F (arrive en avril 2025);
    - secteurs : communautaire ×2, santé ×1, recherche ×1 → 3 distincts;
    - acteurs d'influence : C et D → 2;
    - actions de participation citoyenne en cours : 2 (une finie en 2024, une de concertation).
    """
    quartier = QuartierFactory(slug="registre")
    autre = QuartierFactory(slug="autre")
    communautaire = SecteurFactory(code="communautaire")
    sante = SecteurFactory(code="sante")
    recherche = SecteurFactory(code="recherche")

    def participe(nom, secteur, debut, fin=None, influence=False, table=quartier.table):
        partenaire = PartenaireFactory(nom=nom, secteur=secteur, acteur_influence=influence)
        return ParticipationFactory(partenaire=partenaire, table=table, debut=debut, fin=fin)

    a = participe("Org A", communautaire, datetime.date(2018, 1, 1), datetime.date(2020, 1, 1))
    ParticipationFactory(
        partenaire=a.partenaire, table=quartier.table, debut=datetime.date(2024, 6, 1)
    )
    participe("Org B", communautaire, datetime.date(2019, 5, 1))
    participe("Org C", sante, datetime.date(2022, 1, 1), influence=True)
    participe("Org D", recherche, datetime.date(2025, 3, 31), influence=True)
    participe("Org E", sante, datetime.date(2019, 1, 1), datetime.date(2024, 12, 31))
    participe("Org F", recherche, datetime.date(2025, 4, 1))
    participe("Org G", recherche, datetime.date(2020, 1, 1), table=autre.table)  # autre quartier

    ActionFactory(quartier=quartier, debut=datetime.date(2024, 1, 1))
    ActionFactory(quartier=quartier, debut=datetime.date(2025, 2, 1), fin=datetime.date(2025, 2, 2))
    ActionFactory(
        quartier=quartier, debut=datetime.date(2023, 1, 1), fin=datetime.date(2024, 12, 31)
    )
    ActionFactory(quartier=quartier, debut=datetime.date(2024, 1, 1), type_action="concertation")
    ActionFactory(quartier=autre, debut=datetime.date(2024, 1, 1))
    return quartier


def test_les_indicateurs_calcules_egalent_le_compte_a_la_main(registre):
    mesures = indicateurs_calcules(registre, *T1_2025)
    # Shannon sur (2, 1, 1) : −(½ ln ½ + ¼ ln ¼ + ¼ ln ¼) = 1,040
    assert mesures == {
        "partenaires_actifs": Decimal(4),
        "secteurs_distincts": Decimal(3),
        "diversite_shannon": Decimal("1.040"),
        "acteurs_influence": Decimal(2),
        "actions_participation": Decimal(2),
    }


def test_un_partenaire_parti_avant_le_trimestre_ne_compte_pas(registre):
    avant = indicateurs_calcules(registre, datetime.date(2024, 10, 1), datetime.date(2024, 12, 31))
    # Org A, B, C, E (qui part le 31 décembre) : 4 actifs; D et F pas encore arrivés.
    assert avant["partenaires_actifs"] == Decimal(4)
    assert avant["acteurs_influence"] == Decimal(1)


def test_shannon_vaut_zero_pour_un_seul_secteur_et_ln_n_pour_n_egaux():
    assert indice_de_shannon([5]) == Decimal("0.000")
    assert indice_de_shannon([]) == Decimal("0.000")
    assert indice_de_shannon([1, 1, 1, 1]) == Decimal("1.386")
