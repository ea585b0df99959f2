"""Tendance, cible courante, statut et écart à la référence : fonctions pures, sans base."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from rapports.series import Point, SerieIndicateur, Statut
from rapports.statuts import (
    cible_courante,
    libelle_trimestre,
    normaliser,
    rang_trimestre,
    statut,
    tendance,
    trimestre_suivant,
)


def point(code: str, valeur) -> Point:
    annee, trimestre = (int(x) for x in code.split("-T"))
    debut = datetime.date(annee, 3 * trimestre - 2, 1)
    return Point(code, libelle_trimestre(code), debut, None if valeur is None else Decimal(valeur))


def serie(
    valeurs: list,
    *,
    depuis: str = "2025-T1",
    polarite: str = "hausse",
    reference=None,
    cibles: dict[str, object] | None = None,
) -> SerieIndicateur:
    """Une série dont les points commencent à `depuis`, un par trimestre."""
    points = [point(trimestre_suivant(depuis, k), v) for k, v in enumerate(valeurs)]
    return SerieIndicateur(
        code="IND",
        nom="Indicateur",
        unite="nombre",
        polarite=polarite,
        reference=None if reference is None else Decimal(reference),
        points=points,
        cibles=[point(code, v) for code, v in (cibles or {}).items()],
    )


# --- Périodes ------------------------------------------------------------------------------------


def test_trimestre_suivant_passe_a_l_annee_suivante():
    assert trimestre_suivant("2025-T4") == "2026-T1"
    assert trimestre_suivant("2025-T2", 3) == "2026-T1"
    assert rang_trimestre("2026-T1") - rang_trimestre("2025-T4") == 1


def test_libelle_trimestre_vient_de_gettext():
    with translation.override("fr"):
        assert libelle_trimestre("2026-T1") == "T1 2026"
    with translation.override("en"):
        assert libelle_trimestre("2026-T1") == "Q1 2026"


# --- Tendance ------------------------------------------------------------------------------------


def test_tendance_droite_parfaite_et_projection_des_quatre_trimestres_suivants():
    with translation.override("fr"):
        droite = tendance(serie([10, 12, 14, 16], depuis="2025-T1"))
    assert droite.pente == Decimal("2.0000")
    assert droite.ajustees == [
        ("2025-T1", Decimal("10.0000")),
        ("2025-T2", Decimal("12.0000")),
        ("2025-T3", Decimal("14.0000")),
        ("2025-T4", Decimal("16.0000")),
    ]
    assert droite.projection == [
        ("2026-T1", "T1 2026", Decimal("18.0000")),
        ("2026-T2", "T2 2026", Decimal("20.0000")),
        ("2026-T3", "T3 2026", Decimal("22.0000")),
        ("2026-T4", "T4 2026", Decimal("24.0000")),
    ]


def test_tendance_moindres_carres_arrondis_a_quatre_decimales():
    droite = tendance(serie([1, 2, 2]))
    # x = 0, 1, 2; y = 1, 2, 2 : pente 0,5, origine 7/6.
    assert droite.pente == Decimal("0.5000")
    assert [v for _c, v in droite.ajustees] == [
        Decimal("1.1667"),
        Decimal("1.6667"),
        Decimal("2.1667"),
    ]


def test_tendance_un_trimestre_manquant_compte_dans_l_abscisse():
    droite = tendance(serie([10, None, 14]))
    assert droite.pente == Decimal("2.0000")
    assert [c for c, _v in droite.ajustees] == ["2025-T1", "2025-T3"]


def test_tendance_ne_garde_que_la_fenetre_des_dernieres_valeurs():
    valeurs = [1000, -1000, 1000, -1000] + [2 * k for k in range(8)]
    droite = tendance(serie(valeurs, depuis="2023-T1"))
    assert droite.pente == Decimal("2.0000")
    assert len(droite.ajustees) == 8
    assert droite.ajustees[0][0] == "2024-T1"
    assert tendance(serie(valeurs, depuis="2023-T1"), fenetre=3).pente == Decimal("2.0000")


def test_projection_part_du_dernier_point_meme_sans_valeur():
    droite = tendance(serie([10, 12, None, None], depuis="2025-T1"), trimestres_projetes=2)
    assert [code for code, _l, _v in droite.projection] == ["2026-T1", "2026-T2"]
    assert [v for _c, _l, v in droite.projection] == [Decimal("18.0000"), Decimal("20.0000")]


def test_projection_libelles_traduits():
    with translation.override("en"):
        droite = tendance(serie([1, 2], depuis="2025-T3"))
    assert [libelle for _c, libelle, _v in droite.projection] == [
        "Q1 2026",
        "Q2 2026",
        "Q3 2026",
        "Q4 2026",
    ]


@pytest.mark.parametrize("valeurs", [[], [None, None], [None, 5, None]])
def test_pas_de_tendance_avec_moins_de_deux_valeurs(valeurs):
    assert tendance(serie(valeurs)) is None


# --- Cible courante ------------------------------------------------------------------------------


def test_cible_courante_premiere_a_ou_apres_la_derniere_valeur():
    s = serie(
        [1, 2, None, None],
        cibles={"2026-T4": 9, "2025-T2": 3, "2025-T1": 2, "2025-T4": 5},
    )
    assert cible_courante(s).periode == "2025-T2"


def test_cible_courante_toutes_passees_donne_la_derniere():
    s = serie([1, 2, 3, 4], cibles={"2024-T2": 1, "2024-T4": 2})
    assert cible_courante(s).periode == "2024-T4"


def test_cible_courante_sans_cible_ni_valeur():
    assert cible_courante(serie([1, 2])) is None
    assert cible_courante(serie([None], cibles={"2026-T4": 3, "2026-T1": 2})).periode == "2026-T1"


# --- Statut --------------------------------------------------------------------------------------


def test_sans_donnees():
    assert statut(serie([])) == Statut.SANS_DONNEES
    assert statut(serie([None, None], cibles={"2026-T4": 3}, reference=1)) == Statut.SANS_DONNEES


@pytest.mark.parametrize(
    ("polarite", "valeurs", "cible", "attendu"),
    [
        ("hausse", [10, 20], 20, Statut.ATTEINT),
        ("hausse", [10, 21], 20, Statut.ATTEINT),
        ("baisse", [30, 20], 20, Statut.ATTEINT),
        ("baisse", [30, 19], 20, Statut.ATTEINT),
        ("neutre", [50, 104], 100, Statut.ATTEINT),
        ("neutre", [150, 95], 100, Statut.ATTEINT),
        ("neutre", [50, 106], 100, Statut.A_SURVEILLER),  # au-delà de 5 % et s'éloigne
    ],
)
def test_atteint_selon_la_polarite(polarite, valeurs, cible, attendu):
    s = serie(valeurs, polarite=polarite, cibles={"2025-T2": cible})
    assert statut(s) == attendu


def test_en_bonne_voie_hausse_projection_atteint_la_cible():
    # 10, 12, 14, 16 : projection 24 en 2026-T4.
    assert statut(serie([10, 12, 14, 16], cibles={"2026-T4": 24})) == Statut.EN_BONNE_VOIE


def test_en_bonne_voie_hausse_projection_a_dix_pour_cent_pres():
    assert statut(serie([10, 12, 14, 16], cibles={"2026-T4": "26.6"})) == Statut.EN_BONNE_VOIE
    assert statut(serie([10, 12, 14, 16], cibles={"2026-T4": "26.7"})) == Statut.A_SURVEILLER


def test_la_projection_est_lue_a_la_periode_de_la_cible():
    # En 2026-T1 la droite vaut 18 : une cible de 24 à cette date est trop loin.
    assert statut(serie([10, 12, 14, 16], cibles={"2026-T1": 24})) == Statut.A_SURVEILLER
    assert statut(serie([10, 12, 14, 16], cibles={"2026-T1": 19})) == Statut.EN_BONNE_VOIE


def test_cible_dans_la_serie_apres_la_derniere_valeur():
    # Dernière valeur 12 en 2025-T2; la droite vaut 16 en 2025-T4.
    s = serie([10, 12, None, None], cibles={"2025-T4": 16})
    assert statut(s) == Statut.EN_BONNE_VOIE
    s = serie([10, 12, None, None], cibles={"2025-T4": 20})
    assert statut(s) == Statut.A_SURVEILLER


def test_cible_plus_loin_que_la_projection_dessinee_se_juge_a_son_echeance():
    # La droite (+2 par trimestre) est dessinée jusqu'à 24 en 2026-T4; prolongée jusqu'à la
    # cible de 2030-T4 (20 trimestres après 2025-T4), elle vaut 56. Avant, le statut s'arrêtait
    # à la dernière projection dessinée : 40 en 2030 était « à surveiller ».
    assert statut(serie([10, 12, 14, 16], cibles={"2030-T4": 24})) == Statut.EN_BONNE_VOIE
    assert statut(serie([10, 12, 14, 16], cibles={"2030-T4": 40})) == Statut.EN_BONNE_VOIE
    assert statut(serie([10, 12, 14, 16], cibles={"2030-T4": 80})) == Statut.A_SURVEILLER


def test_cible_passee_et_manquee_est_a_surveiller_meme_si_la_tendance_l_atteindrait():
    # Toutes les cibles sont passées : l'échéance est échue, la cible manquée. (Avant, la
    # dernière projection, 24 en 2026-T4, l'« atteignait » et le statut disait en bonne voie.)
    s = serie([10, 12, 14, 16], cibles={"2025-T2": 22})
    assert cible_courante(s).periode == "2025-T2"
    assert statut(s) == Statut.A_SURVEILLER
    assert statut(serie([10, 12, 14, 16], cibles={"2025-T2": 30})) == Statut.A_SURVEILLER
    assert statut(serie([10, 12, 14, 22], cibles={"2025-T2": 22})) == Statut.ATTEINT


@pytest.mark.parametrize(
    ("valeurs", "polarite", "cible"),
    [([10, 12, 14], "hausse", 20), ([30, 28, 26], "baisse", 20), ([60, 65, 70], "neutre", 100)],
)
def test_cible_due_au_trimestre_de_la_derniere_valeur_et_manquee(valeurs, polarite, cible):
    """Un bilan de T3 avec une cible de T3 manquée : à surveiller, même si la tendance y
    mènerait plus tard (avant : la projection quatre trimestres plus loin disait en bonne voie)."""
    dernier = trimestre_suivant("2025-T1", len(valeurs) - 1)
    s = serie(valeurs, polarite=polarite, cibles={dernier: cible})
    assert cible_courante(s).periode == dernier
    assert statut(s) == Statut.A_SURVEILLER


def test_en_bonne_voie_baisse():
    # 20, 18, 16, 14 : projection 6 en 2026-T4.
    s = serie([20, 18, 16, 14], polarite="baisse", cibles={"2026-T4": 6})
    assert statut(s) == Statut.EN_BONNE_VOIE
    s = serie([20, 18, 16, 14], polarite="baisse", cibles={"2026-T4": 4})
    assert statut(s) == Statut.A_SURVEILLER


def test_a_surveiller_quand_la_tendance_va_dans_le_mauvais_sens():
    s = serie([16, 14, 12, 13], cibles={"2026-T4": 20})
    assert statut(s) == Statut.A_SURVEILLER
    s = serie([10, 12, 14, 16], polarite="baisse", cibles={"2030-T4": 5})
    assert statut(s) == Statut.A_SURVEILLER


def test_neutre_en_bonne_voie_vers_la_cible_a_surveiller_en_s_eloignant():
    s = serie([60, 65, 70, 75], polarite="neutre", cibles={"2026-T4": 100})
    assert statut(s) == Statut.EN_BONNE_VOIE  # projection 95, à 10 % près
    s = serie([75, 70, 65, 60], polarite="neutre", cibles={"2026-T4": 100})
    assert statut(s) == Statut.A_SURVEILLER
    s = serie([140, 135, 130, 125], polarite="neutre", cibles={"2026-T4": 100})
    assert statut(s) == Statut.EN_BONNE_VOIE  # descend vers la cible : projection 105


def test_un_seul_point_avec_cible():
    assert statut(serie([5], cibles={"2026-T4": 10})) == Statut.A_SURVEILLER
    assert statut(serie([10], cibles={"2026-T4": 10})) == Statut.ATTEINT


@pytest.mark.parametrize(
    ("polarite", "valeurs", "attendu"),
    [
        # La tendance, ici toujours contraire au verdict, ne compte pas quand il y a une référence.
        ("hausse", [100, 12], Statut.EN_BONNE_VOIE),
        ("hausse", [100, 10], Statut.EN_BONNE_VOIE),
        ("hausse", [-100, 8], Statut.A_SURVEILLER),
        ("baisse", [-100, 8], Statut.EN_BONNE_VOIE),
        ("baisse", [-100, 10], Statut.EN_BONNE_VOIE),
        ("baisse", [100, 12], Statut.A_SURVEILLER),
        ("neutre", [100, 30], Statut.EN_BONNE_VOIE),
    ],
)
def test_sans_cible_comparaison_avec_la_reference(polarite, valeurs, attendu):
    assert statut(serie(valeurs, polarite=polarite, reference=10)) == attendu


def test_sans_cible_ni_reference_selon_la_tendance():
    assert statut(serie([1, 2, 3])) == Statut.EN_BONNE_VOIE
    assert statut(serie([3, 2, 1])) == Statut.A_SURVEILLER
    assert statut(serie([2, 2])) == Statut.A_SURVEILLER
    assert statut(serie([3, 2, 1], polarite="baisse")) == Statut.EN_BONNE_VOIE
    assert statut(serie([3, 2, 1], polarite="neutre")) == Statut.EN_BONNE_VOIE


def test_un_seul_point_sans_cible():
    assert statut(serie([5])) == Statut.A_SURVEILLER
    assert statut(serie([5], reference=4)) == Statut.EN_BONNE_VOIE
    assert statut(serie([5], polarite="neutre")) == Statut.EN_BONNE_VOIE


# --- Normalisation à la référence ---------------------------------------------------------------


def test_normaliser_en_base_100():
    with translation.override("fr"):
        indices = normaliser(serie([10, None, 15, 8], reference=10))
    assert indices == [
        ("T1 2025", Decimal("100.0000")),
        ("T2 2025", None),
        ("T3 2025", Decimal("150.0000")),
        ("T4 2025", Decimal("80.0000")),
    ]
    assert normaliser(serie([10, 12])) == [("T1 2025", None), ("T2 2025", None)]
    assert [v for _l, v in normaliser(serie([10], reference=0))] == [None]
