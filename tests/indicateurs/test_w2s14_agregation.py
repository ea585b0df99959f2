"""La valeur d'un indicateur sur une année ou un ensemble de trimestres, selon son agrégation
dans le temps (`indicateurs.agregation`) : somme, moyenne, dernière valeur, cumul; ce qu'elle
dit d'une période incomplète; son libellé. Fonctions pures : aucune base."""

from __future__ import annotations

import itertools
import random
from decimal import Decimal

import pytest
from django.utils import translation

from indicateurs.agregation import (
    QUATRE_DECIMALES,
    ValeurDePeriode,
    est_un_flux,
    trimestres_de_l_annee,
    valeur_de_l_annee,
    valeur_de_periode,
)
from indicateurs.models import Agregation

D = Decimal

# Les semis distribués d'une serre (Centre-Sud) en 2025, un flux : le total de l'année.
SEMIS_2025 = {"2025-T1": D(1456), "2025-T2": D(5552), "2025-T3": D(2228), "2025-T4": D(725)}


@pytest.fixture(autouse=True)
def _en_francais():
    with translation.override("fr"):
        yield


def test_trimestres_de_l_annee():
    assert trimestres_de_l_annee(2025) == ("2025-T1", "2025-T2", "2025-T3", "2025-T4")


# --- Somme --------------------------------------------------------------------------------------


def test_somme_le_total_de_l_annee():
    resultat = valeur_de_l_annee("somme", SEMIS_2025, 2025)
    assert resultat == ValeurDePeriode(
        valeur=D(9961),
        agregation="somme",
        trimestres=4,
        sur=4,
        derniere_periode="2025-T4",
        annee=2025,
    )
    assert resultat.complete and resultat.mention == ""
    assert resultat.libelle == "Total de l'année"


def test_somme_des_seuls_trimestres_presents_et_la_periode_dit_qu_il_en_manque():
    valeurs = SEMIS_2025 | {"2025-T2": None}  # non disponible
    del valeurs["2025-T4"]  # jamais saisi
    resultat = valeur_de_l_annee("somme", valeurs, 2025)
    assert resultat.valeur == D(1456 + 2228)
    assert (resultat.trimestres, resultat.sur, resultat.complete) == (2, 4, False)
    assert resultat.mention == "2 trimestres sur 4"
    assert resultat.derniere_periode == "2025-T3"


def test_une_somme_ne_lit_que_les_trimestres_de_la_periode():
    valeurs = SEMIS_2025 | {"2024-T4": D(700), "2026-T1": D(1500)}
    assert valeur_de_l_annee("somme", valeurs, 2025).valeur == D(9961)


def test_une_somme_garde_les_decimales_exactes():
    valeurs = {"2025-T1": D("0.10"), "2025-T2": D("0.20"), "2025-T3": D("1234567.0000")}
    assert valeur_de_l_annee("somme", valeurs, 2025).valeur == D("1234567.30")


# --- Moyenne ------------------------------------------------------------------------------------


def test_moyenne_des_trimestres_presents_arrondie_a_quatre_decimales():
    valeurs = {"2025-T1": D("3.5"), "2025-T2": D("3.6"), "2025-T3": D("3.8")}
    resultat = valeur_de_l_annee("moyenne", valeurs, 2025)
    assert resultat.valeur == D("3.6333")
    assert resultat.valeur.as_tuple().exponent == -4
    assert resultat.libelle == "Moyenne de l'année"
    assert resultat.mention == "3 trimestres sur 4"


def test_la_moyenne_arrondit_comme_les_bilans():
    """`rapports.statuts.QUATRE_DECIMALES`, arrondi par défaut de decimal (au pair le plus
    proche) : 1,00025 → 1,0002, pas 1,0003."""
    from rapports.statuts import QUATRE_DECIMALES as DES_BILANS

    assert QUATRE_DECIMALES == DES_BILANS
    valeurs = {"2025-T1": D("1.0002"), "2025-T2": D("1.0003")}
    assert valeur_de_l_annee("moyenne", valeurs, 2025).valeur == D("1.0002")
    assert D("1.00025").quantize(DES_BILANS) == D("1.0002")


def test_une_moyenne_sur_un_seul_trimestre_est_sa_valeur():
    resultat = valeur_de_l_annee("moyenne", {"2025-T3": D(42)}, 2025)
    assert resultat.valeur == D(42)
    assert resultat.mention == "1 trimestre sur 4"


# --- Dernière valeur ----------------------------------------------------------------------------


def test_derniere_valeur_le_plus_recent_trimestre_present():
    valeurs = {"2025-T1": D(12), "2025-T2": D(15), "2025-T3": D(14), "2025-T4": None}
    resultat = valeur_de_l_annee("derniere", valeurs, 2025)
    assert (resultat.valeur, resultat.derniere_periode) == (D(14), "2025-T3")
    assert resultat.libelle == "Dernière valeur de l'année"


def test_la_derniere_valeur_suit_le_calendrier_pas_l_ordre_des_cles():
    valeurs = {"2025-T4": D(20), "2025-T1": D(12), "2026-T1": D(99), "2025-T2": D(15)}
    assert valeur_de_l_annee("derniere", valeurs, 2025).valeur == D(20)


# --- Cumul --------------------------------------------------------------------------------------

# Des logements sociaux mis en service, saisis trimestre par trimestre depuis le début du plan.
LOGEMENTS = {
    "2023-T3": D(4),
    "2023-T4": D(0),
    "2024-T1": D(6),
    "2024-T2": None,
    "2024-T3": D(10),
    "2024-T4": D(2),
    "2025-T1": D(8),
}


def test_cumul_depuis_la_premiere_valeur_jusqu_a_la_fin_de_la_periode():
    resultat = valeur_de_l_annee("cumul", LOGEMENTS, 2024)
    assert resultat.valeur == D(4 + 0 + 6 + 10 + 2)  # 2025-T1 est après la période
    assert (resultat.trimestres, resultat.sur) == (3, 4)
    assert resultat.libelle == "Cumul depuis le début"


def test_cumul_avec_ce_qui_precede_les_valeurs_fournies():
    fenetre = {code: v for code, v in LOGEMENTS.items() if code >= "2024-T1"}
    sans_avant = valeur_de_l_annee("cumul", fenetre, 2024)
    avec_avant = valeur_de_l_annee("cumul", fenetre, 2024, avant=D(4))
    assert (
        avec_avant.valeur
        == sans_avant.valeur + 4
        == valeur_de_l_annee("cumul", LOGEMENTS, 2024).valeur
    )


def test_cumul_d_une_periode_qui_n_est_pas_une_annee():
    resultat = valeur_de_periode("cumul", LOGEMENTS, ["2024-T3", "2024-T4", "2025-T1"])
    assert resultat.valeur == D(30)
    assert resultat.annee is None
    assert resultat.libelle == "Cumul depuis le début"


def test_un_cumul_sans_valeur_dans_la_periode_n_en_a_pas():
    """Sans données, plutôt que le total d'une autre année répété."""
    assert valeur_de_l_annee("cumul", LOGEMENTS, 2026) is None
    assert valeur_de_periode("cumul", LOGEMENTS, ["2024-T2"]) is None


# --- Ce qui vaut pour toutes --------------------------------------------------------------------


@pytest.mark.parametrize("agregation", Agregation.values)
def test_une_periode_sans_valeur_n_en_a_pas(agregation):
    assert valeur_de_l_annee(agregation, {}, 2025) is None
    assert valeur_de_l_annee(agregation, {"2025-T1": None, "2025-T3": None}, 2025) is None
    assert valeur_de_l_annee(agregation, SEMIS_2025, 2024) is None


@pytest.mark.parametrize("agregation", Agregation.values)
def test_un_indicateur_en_texte_n_a_pas_de_valeur_de_periode(agregation):
    assert valeur_de_l_annee(agregation, SEMIS_2025, 2025, unite="texte") is None
    assert valeur_de_l_annee(agregation, SEMIS_2025, 2025, unite="nombre") is not None


def test_une_periode_qui_n_est_pas_une_annee_civile_le_dit():
    hiver = ["2024-T4", "2025-T1"]
    valeurs = SEMIS_2025 | {"2024-T4": D(700)}
    attendus = {
        "somme": (D(2156), "Total de la période"),
        "moyenne": (D(1078), "Moyenne de la période"),
        "derniere": (D(1456), "Dernière valeur de la période"),
    }
    for agregation, (valeur, libelle) in attendus.items():
        resultat = valeur_de_periode(agregation, valeurs, hiver)
        assert (resultat.valeur, resultat.libelle, resultat.annee) == (valeur, libelle, None)
        assert (resultat.trimestres, resultat.sur, resultat.mention) == (2, 2, "")


def test_trois_trimestres_d_une_annee_ne_sont_pas_l_annee():
    resultat = valeur_de_periode("somme", SEMIS_2025, ["2025-T1", "2025-T2", "2025-T3"])
    assert resultat.annee is None and resultat.libelle == "Total de la période"


def test_les_codes_s_ecrivent_comme_ailleurs():
    """Le « t » minuscule est admis (`annee_et_trimestre`); la période rendue est normalisée."""
    resultat = valeur_de_periode("derniere", {"2025-t2": D(3)}, ["2025-t1", "2025-T2"])
    assert resultat.derniere_periode == "2025-T2"


def test_une_periode_donnee_deux_fois_compte_une_fois():
    resultat = valeur_de_periode("somme", SEMIS_2025, ["2025-T1", "2025-T1", "2025-t1"])
    assert (resultat.valeur, resultat.sur) == (D(1456), 1)


@pytest.mark.parametrize(
    ("agregation", "valeurs", "periode"),
    [
        ("total", SEMIS_2025, ["2025-T1"]),  # agrégation inconnue
        ("somme", SEMIS_2025, []),  # période vide
        ("somme", SEMIS_2025, ["2025-Q1"]),  # code mal formé
        ("somme", SEMIS_2025, ["2025-T5"]),
        ("somme", {"2025-T1": D(1), "2025-t1": D(2)}, ["2025-T1"]),  # trimestre donné deux fois
        ("somme", {"T1 2025": D(1)}, ["2025-T1"]),
    ],
)
def test_ce_qui_ne_se_lit_pas_est_refuse(agregation, valeurs, periode):
    with pytest.raises(ValueError):
        valeur_de_periode(agregation, valeurs, periode)


def test_le_libelle_se_lit_dans_la_langue_du_moment():
    resultat = valeur_de_l_annee("somme", SEMIS_2025, 2025)
    with translation.override("en"):
        en_anglais = resultat.libelle  # traduit par le .po (l'anglais, une fois la traduction là)
    assert resultat.libelle == "Total de l'année"
    assert isinstance(en_anglais, str) and en_anglais


def test_les_flux_sont_la_somme_et_le_cumul():
    assert [a for a in Agregation.values if est_un_flux(a)] == ["somme", "cumul"]


# --- Toutes les absences possibles d'une année --------------------------------------------------


ANTERIEURES = {"2024-T2": D(7), "2024-T4": D(3)}


@pytest.mark.parametrize(
    "presents",
    [p for n in range(5) for p in itertools.combinations((1, 2, 3, 4), n)],
    ids=lambda p: "T" + "".join(map(str, p)) if p else "aucun",
)
def test_chaque_combinaison_de_trimestres_manquants(presents):
    """Les seize façons d'avoir ou non chaque trimestre de 2025, avec un historique en 2024 et
    une valeur en 2026 : chaque agrégation suit sa règle, et compte les trimestres présents."""
    hasard = random.Random(f"{presents}")
    nombres = {t: D(hasard.randint(0, 5000)) / 100 for t in presents}
    valeurs = dict(ANTERIEURES) | {"2026-T1": D(1000)}
    valeurs |= {f"2025-T{t}": nombres.get(t) for t in (1, 2, 3, 4) if hasard.random() < 0.5}
    valeurs |= {f"2025-T{t}": v for t, v in nombres.items()}
    resultats = {a: valeur_de_l_annee(a, valeurs, 2025) for a in Agregation.values}
    if not presents:
        assert set(resultats.values()) == {None}
        return
    total = sum(nombres.values())
    assert resultats["somme"].valeur == total
    assert resultats["moyenne"].valeur == (total / len(presents)).quantize(QUATRE_DECIMALES)
    assert min(nombres.values()) <= resultats["moyenne"].valeur <= max(nombres.values())
    assert resultats["derniere"].valeur == nombres[max(presents)]
    assert resultats["cumul"].valeur == total + D(10)
    for agregation, resultat in resultats.items():
        assert resultat.agregation == agregation
        assert (resultat.trimestres, resultat.sur) == (len(presents), 4)
        assert resultat.derniere_periode == f"2025-T{max(presents)}"
        assert resultat.complete == (len(presents) == 4)
        assert resultat.annee == 2025


def test_l_ordre_des_donnees_ne_change_rien():
    valeurs = LOGEMENTS | SEMIS_2025
    periode = ["2024-T3", "2025-T2", "2024-T4", "2025-T1"]
    hasard = random.Random(14)
    attendus = {a: valeur_de_periode(a, valeurs, periode) for a in Agregation.values}
    for _ in range(20):
        cles = list(valeurs)
        hasard.shuffle(cles)
        hasard.shuffle(periode)
        melangees = {cle: valeurs[cle] for cle in cles}
        for agregation, attendu in attendus.items():
            assert valeur_de_periode(agregation, melangees, periode) == attendu
