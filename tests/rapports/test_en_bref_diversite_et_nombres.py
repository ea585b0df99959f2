"""« En bref » : le mot de la diversité (« plus », « moins », « aussi diversifiés ») s'accorde aux
deux chiffres que le constat cite — d'abord le nombre de secteurs, puis, à nombre égal,
l'indice de Shannon, et la phrase dit quand l'indice va contre le nombre de secteurs. Avant, il
ne lisait que le nombre de secteurs : « aussi diversifiés (de 2 à 2 secteurs; indice de Shannon
de 0,693 à 0,562) ». Les noms comptés s'accordent à leur nombre : « de 2 à 1 secteur »."""

from __future__ import annotations

import datetime

import pytest
from django.utils import translation

from rapports.en_bref import constats
from rapports.instantane import construire_instantane
from rapports.models import Bilan, Portee
from tests.factories import (
    IndicateurSuiviFactory,
    PartenaireFactory,
    ParticipationFactory,
    QuartierFactory,
    SecteurFactory,
    periode_du_trimestre,
)


def _mesures(libelle: str, secteurs: str, shannon: str, influence: str = "2") -> dict:
    return {
        "libelle": libelle,
        "partenaires_actifs": "10",
        "secteurs_distincts": secteurs,
        "diversite_shannon": shannon,
        "actions_participation": "3",
        "acteurs_influence": influence,
    }


def _constats(depart: dict, fin: dict, portee: str = "quartier", langue: str = "fr") -> dict:
    instantane = {
        "format": 2,
        "portee": portee,
        "registre": {"depart": depart, "fin": fin},
        "indicateurs": {},
        "quartiers": [{"series": []}],
    }
    with translation.override(langue):
        return {c.cle: c for c in constats(instantane)}


@pytest.mark.parametrize(
    ("secteurs", "shannon", "attendu"),
    [
        (("2", "3"), ("0.693", "1.099"), "et plus diversifiés (de 2 à 3 secteurs;"),
        (("2", "3"), ("0.693", "0.693"), "et plus diversifiés (de 2 à 3 secteurs;"),
        (
            ("2", "3"),
            ("0.693", "0.500"),
            "et plus diversifiés par le nombre de secteurs, mais moins bien répartis entre eux "
            "(de 2 à 3 secteurs;",
        ),
        (
            ("2", "2"),
            ("0.562", "0.693"),
            "et plus diversifiés, car mieux répartis entre autant de secteurs (de 2 à 2 secteurs;",
        ),
        (("2", "2"), ("0.693", "0.693"), "et aussi diversifiés (de 2 à 2 secteurs;"),
        (
            ("2", "2"),
            ("0.693", "0.562"),
            "et moins diversifiés, car moins bien répartis entre autant de secteurs "
            "(de 2 à 2 secteurs;",
        ),
        (
            ("3", "2"),
            ("0.500", "0.693"),
            "et moins diversifiés par le nombre de secteurs, mais mieux répartis entre eux "
            "(de 3 à 2 secteurs;",
        ),
        (("3", "2"), ("1.099", "0.693"), "et moins diversifiés (de 3 à 2 secteurs;"),
        (("3", "2"), ("0.693", "0.693"), "et moins diversifiés (de 3 à 2 secteurs;"),
    ],
    ids=[
        "secteurs+,indice+",
        "secteurs+,indice=",
        "secteurs+,indice-",
        "secteurs=,indice+",
        "secteurs=,indice=",
        "secteurs=,indice-",
        "secteurs-,indice+",
        "secteurs-,indice-",
        "secteurs-,indice=",
    ],
)
def test_le_mot_de_la_diversite_suit_les_secteurs_puis_l_indice(secteurs, shannon, attendu):
    depart = _mesures("2024", secteurs[0], shannon[0])
    fin = _mesures("2025", secteurs[1], shannon[1])
    constat = _constats(depart, fin)["partenaires"]
    assert attendu in constat.texte
    # Le constat garde les chiffres qu'il cite, tels que l'instantané les donne.
    assert constat.chiffres["depart"]["secteurs_distincts"] == secteurs[0]
    assert constat.chiffres["fin"]["diversite_shannon"] == shannon[1]


def test_un_seul_secteur_au_singulier():
    constat = _constats(_mesures("2024", "2", "0.693"), _mesures("2025", "1", "0.000"))
    assert "(de 2 à 1 secteur; indice de Shannon de 0,693 à 0)." in constat["partenaires"].texte


@pytest.mark.parametrize(("portee", "ou"), [("quartier", "à la table"), ("pic", "aux tables")])
def test_le_constat_des_partenaires_d_influence_dit_le_compte_du_registre(portee, ou):
    """Le compte du registre, sans nom à accorder à son nombre (« 1 en 2025 »), et sans
    jugement (avant : « La table a davantage accès à des acteurs d'influence »)."""
    un = _constats(_mesures("2024", "2", "0.693", "0"), _mesures("2025", "2", "0.693", "1"), portee)
    assert un["influence"].texte == (
        "Depuis le début du registre (2024), le nombre d'acteurs d'influence (bailleurs, "
        f"chercheurs, décideurs) actifs {ou} a augmenté : 1 au cours de 2025, contre 0 au cours "
        "de 2024."
    )
    deux = _constats(
        _mesures("2024", "2", "0.693", "2"), _mesures("2025", "2", "0.693", "2"), portee
    )
    assert f"actifs {ou} est resté le même : 2 au cours de 2025, contre 2 au cours de 2024." in (
        deux["influence"].texte
    )


def test_en_anglais_le_constat_des_partenaires_d_influence():
    """Attend la traduction des nouveaux messages au catalogue anglais."""
    tous = _constats(
        _mesures("2024", "2", "0.693", "0"), _mesures("2025", "2", "0.693", "1"), langue="en"
    )
    assert tous["influence"].texte == (
        "Since the start of the registry (2024), the number of influential actors (funders, "
        "researchers, decision-makers) active at the roundtable has increased: 1 during 2025, "
        "compared with 0 during 2024."
    )


@pytest.mark.django_db
def test_le_bilan_d_un_quartier_dit_ce_que_disent_ses_chiffres():
    """Le cas relevé : en 2024, un partenaire dans chacun de deux secteurs (Shannon ln 2 =
    0,693); en 2025, trois dans le premier et un dans le second (0,562), dont un seul partenaire
    d'influence."""
    quartier = QuartierFactory(nom="Mots", slug="mots")
    IndicateurSuiviFactory(quartier=quartier)
    for rang in range(8):
        periode_du_trimestre(2024 + rang // 4, rang % 4 + 1)
    premier, second = SecteurFactory(code="m1"), SecteurFactory(code="m2")
    janvier_2024, janvier_2025 = datetime.date(2024, 1, 1), datetime.date(2025, 1, 1)
    ParticipationFactory(
        table=quartier.table, partenaire=PartenaireFactory(secteur=premier), debut=janvier_2024
    )
    ParticipationFactory(
        table=quartier.table,
        partenaire=PartenaireFactory(secteur=second, acteur_influence=True),
        debut=janvier_2024,
    )
    for _rang in range(2):
        ParticipationFactory(
            table=quartier.table, partenaire=PartenaireFactory(secteur=premier), debut=janvier_2025
        )
    bilan = Bilan(portee=Portee.QUARTIER, quartier=quartier, annee=2025, trimestre=None)
    tous = {c.cle: c for c in constats(construire_instantane(bilan))}
    assert tous["partenaires"].texte == (
        "Depuis le début du registre (2024), les partenaires mobilisés sont plus nombreux "
        "(de 2 au cours de 2024 à 4 au cours de 2025) et moins "
        "diversifiés, car moins bien répartis entre autant de secteurs (de 2 à 2 secteurs; "
        "indice de Shannon de 0,693 à 0,562)."
    )
    assert "est resté le même : 1 au cours de 2025, contre 1 au cours de 2024." in (
        tous["influence"].texte
    )
