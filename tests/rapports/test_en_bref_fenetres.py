"""« En bref » : le registre se compare sur deux fenêtres de même longueur (le même trimestre ou
la même année), nommées dans le constat; celui du PIC se mesure sur l'union des participations
de ses quartiers, depuis une seule fenêtre de départ."""

from __future__ import annotations

import datetime

import pytest

from indicateurs.models import StatutPeriode
from rapports.en_bref import constats
from rapports.instantane import construire_instantane, somme_de_controle
from rapports.models import Bilan, Portee
from tests.factories import (
    ActionFactory,
    IndicateurSuiviFactory,
    PartenaireFactory,
    ParticipationFactory,
    QuartierFactory,
    SecteurFactory,
    periode_du_trimestre,
)

pytestmark = pytest.mark.django_db
d = datetime.date


def _periodes(de: tuple[int, int], a: tuple[int, int]) -> None:
    annee, trimestre = de
    while (annee, trimestre) <= a:
        periode_du_trimestre(annee, trimestre)
        annee, trimestre = (annee + 1, 1) if trimestre == 4 else (annee, trimestre + 1)


def _bilan(quartier=None, annee=2023, trimestre=4) -> Bilan:
    portee = Portee.QUARTIER if quartier else Portee.PIC
    return Bilan(portee=portee, quartier=quartier, annee=annee, trimestre=trimestre, langue="fr")


def _constats(bilan: Bilan) -> dict:
    return {c.cle: c for c in constats(construire_instantane(bilan))}


def _quartier(nom: str):
    quartier = QuartierFactory(nom=nom, slug=nom.lower())
    IndicateurSuiviFactory(quartier=quartier)  # un quartier du PIC suit des indicateurs
    return quartier


# --- Fenêtres de même longueur ------------------------------------------------------------------


def test_bilan_trimestriel_compare_le_meme_trimestre_de_la_premiere_annee():
    """Une action ponctuelle par trimestre en 2018 et en 2023 : autant d'actions en T4 2018 qu'en
    T4 2023 (avant : les 4 de l'année 2018 contre la seule du trimestre, « moins d'actions »)."""
    _periodes((2022, 1), (2023, 4))
    quartier = _quartier("Beta")
    ParticipationFactory(table=quartier.table, debut=d(2018, 1, 1))
    # Un partenaire de janvier à mars 2018 seulement : compté en 2018, pas en T4 2018.
    ParticipationFactory(table=quartier.table, debut=d(2018, 1, 1), fin=d(2018, 3, 31))
    for annee in (2018, 2023):
        for mois in (1, 4, 7, 10):
            ActionFactory(quartier=quartier, debut=d(annee, mois, 5), fin=d(annee, mois, 20))
    tous = _constats(_bilan(quartier))
    participation = tous["participation"]
    assert participation.chiffres == {"avant": "1", "apres": "1"}
    assert participation.texte == (
        "Depuis le début du registre (T4 2018), on compte autant d'actions concrètes de "
        "participation citoyenne : 1 active au cours de T4 2023, contre 1 au cours de T4 2018."
    )
    partenaires = tous["partenaires"]
    assert partenaires.chiffres["depart"]["partenaires_actifs"] == "1"
    assert "(de 1 au cours de T4 2018 à 1 au cours de T4 2023)" in partenaires.texte
    assert "au cours de T4 2018" in tous["influence"].texte


def test_bilan_annuel_compare_deux_annees_entieres():
    _periodes((2021, 1), (2023, 4))
    quartier = _quartier("Beta")
    ParticipationFactory(table=quartier.table, debut=d(2018, 1, 1), fin=d(2018, 3, 31))
    ParticipationFactory(table=quartier.table, debut=d(2023, 2, 1), fin=d(2023, 2, 28))
    ParticipationFactory(table=quartier.table, debut=d(2023, 11, 1))
    partenaires = _constats(_bilan(quartier, trimestre=None))["partenaires"]
    assert partenaires.chiffres["depart"]["partenaires_actifs"] == "1"
    assert partenaires.chiffres["fin"]["partenaires_actifs"] == "2"
    assert "(de 1 au cours de 2018 à 2 au cours de 2023)" in partenaires.texte


def test_le_depart_est_le_premier_meme_trimestre_couvert_par_le_registre():
    """Première participation en novembre 2018 : pour un bilan du T2, le départ est le T2 2019 (le
    T2 2018 précède le registre et n'y compterait que des zéros)."""
    _periodes((2022, 1), (2023, 4))
    quartier = _quartier("Beta")
    ParticipationFactory(table=quartier.table, debut=d(2018, 11, 1))
    partenaires = _constats(_bilan(quartier, trimestre=2))["partenaires"]
    assert "(de 1 au cours de T2 2019 à 1 au cours de T2 2023)" in partenaires.texte


def test_un_bilan_anterieur_au_registre_ne_compare_pas_a_rebours():
    """Bilan de 2017, registre ouvert en 2018 : pas de constat tiré du registre (avant : « moins
    nombreux (de 2 en 2018 à 0) »)."""
    _periodes((2016, 1), (2018, 4))
    quartier = _quartier("Gamma")
    ParticipationFactory(table=quartier.table, debut=d(2018, 1, 1))
    ParticipationFactory(table=quartier.table, debut=d(2018, 2, 1))
    instantane = construire_instantane(_bilan(quartier, annee=2017, trimestre=4))
    assert instantane["registre"] is None
    assert [c.cle for c in constats(instantane)] == ["indicateurs"]


def test_un_bilan_de_la_premiere_annee_n_a_rien_a_comparer():
    _periodes((2022, 1), (2023, 4))
    quartier = _quartier("Gamma")
    ParticipationFactory(table=quartier.table, debut=d(2023, 1, 1))
    assert [c.cle for c in constats(construire_instantane(_bilan(quartier)))] == ["indicateurs"]


def test_bilan_annuel_de_l_annee_en_cours_s_arrete_au_dernier_trimestre_de_donnees():
    """Année 2023 en cours, T1 ouvert et T2–T4 à venir : le registre se mesure sur T1 2023, contre
    T1 2022 (avant : toute l'année 2023, y compris une participation qui ne commence qu'en
    novembre, contre toute l'année 2022)."""
    _periodes((2022, 1), (2022, 4))
    periode_du_trimestre(2023, 1, statut=StatutPeriode.OUVERTE)
    for trimestre in (2, 3, 4):
        periode_du_trimestre(2023, trimestre, statut=StatutPeriode.A_VENIR)
    quartier = _quartier("Alpha")
    ParticipationFactory(table=quartier.table, debut=d(2022, 1, 1))
    ParticipationFactory(table=quartier.table, debut=d(2023, 11, 1))
    ActionFactory(quartier=quartier, debut=d(2022, 8, 1), fin=d(2022, 8, 2))
    instantane = construire_instantane(_bilan(quartier, trimestre=None))
    registre = instantane["registre"]
    assert (registre["fin"]["debut"], registre["fin"]["fin"]) == ("2023-01-01", "2023-03-31")
    assert (registre["depart"]["debut"], registre["depart"]["fin"]) == ("2022-01-01", "2022-03-31")
    tous = {c.cle: c for c in constats(instantane)}
    assert "(de 1 au cours de T1 2022 à 1 au cours de T1 2023)" in tous["partenaires"].texte
    assert tous["participation"].chiffres == {"avant": "0", "apres": "0"}


def test_bilan_annuel_arrete_en_cours_d_annee_nomme_ses_trimestres():
    _periodes((2022, 1), (2022, 4))
    for trimestre in (1, 2, 3):
        periode_du_trimestre(2023, trimestre)
    periode_du_trimestre(2023, 4, statut=StatutPeriode.A_VENIR)
    quartier = _quartier("Alpha")
    ParticipationFactory(table=quartier.table, debut=d(2021, 5, 1))
    partenaires = _constats(_bilan(quartier, trimestre=None))["partenaires"]
    assert "(de 1 au cours de T1–T3 2021 à 1 au cours de T1–T3 2023)" in partenaires.texte


# --- Le registre du PIC : l'union des participations ----------------------------------------------


def test_le_pic_compte_une_fois_un_partenaire_et_un_secteur_partages():
    """Deux quartiers, le même partenaire et les deux mêmes secteurs : 3 partenaires et 2 secteurs
    (avant : les comptes des quartiers additionnés, 4 et 4)."""
    _periodes((2022, 1), (2023, 4))
    communautaire, sante = SecteurFactory(code="communautaire"), SecteurFactory(code="sante")
    commun = PartenaireFactory(secteur=communautaire, acteur_influence=True)
    for nom in ("Delta", "Epsilon"):
        quartier = _quartier(nom)
        ParticipationFactory(table=quartier.table, partenaire=commun, debut=d(2018, 1, 1))
        ParticipationFactory(
            table=quartier.table, partenaire=PartenaireFactory(secteur=sante), debut=d(2018, 1, 1)
        )
    tous = _constats(_bilan())
    fin = tous["partenaires"].chiffres["fin"]
    assert (fin["partenaires_actifs"], fin["secteurs_distincts"]) == ("3", "2")
    assert "à 2 secteurs" in tous["partenaires"].texte
    assert tous["influence"].chiffres == {"avant": "1", "apres": "1"}


def test_le_pic_calcule_l_indice_de_shannon_sur_l_union():
    """Chaque quartier n'a qu'un secteur (indice 0 pour chacun, donc 0 en moyenne); le PIC en a
    deux à parts égales : ln 2 = 0,693."""
    _periodes((2022, 1), (2023, 4))
    for nom, code in (("Delta", "communautaire"), ("Epsilon", "sante")):
        quartier, secteur = _quartier(nom), SecteurFactory(code=code)
        for _ in range(2):
            ParticipationFactory(
                table=quartier.table, partenaire=PartenaireFactory(secteur=secteur)
            )
    partenaires = _constats(_bilan())["partenaires"]
    assert partenaires.chiffres["fin"]["diversite_shannon"] == "0.693"
    assert "indice de Shannon de 0,693 à 0,693" in partenaires.texte  # virgule du français


def test_le_pic_part_d_une_seule_fenetre_commune():
    """Ahuntsic depuis 2016 (1 partenaire), Bordeaux depuis 2022 (5) : le départ est T4 2016 pour
    tous, 1 partenaire (avant : « 6 en 2016 », Ahuntsic en 2016 plus Bordeaux en 2022). À
    quartiers égaux (evalpic-bilan-1.6), Bordeaux, qui n'a rien en 2016, n'est pas compté à la
    fin non plus (avant : « de 1 en T4 2016 à 6 en T4 2023 »), et un constat le dit."""
    _periodes((2022, 1), (2023, 4))
    ahuntsic, bordeaux = _quartier("Ahuntsic"), _quartier("Bordeaux")
    ParticipationFactory(table=ahuntsic.table, debut=d(2016, 1, 1))
    for _ in range(5):
        ParticipationFactory(table=bordeaux.table, debut=d(2022, 1, 1))
    tous = _constats(_bilan())
    assert "(de 1 au cours de T4 2016 à 1 au cours de T4 2023)" in tous["partenaires"].texte
    assert "Bordeaux (registre commencé en T1 2022) n'y est pas compté." in tous["perimetre"].texte


def test_l_instantane_du_pic_est_reproductible():
    _periodes((2022, 1), (2023, 4))
    secteurs = [SecteurFactory(code=c) for c in ("communautaire", "sante", "education")]
    for rang, nom in enumerate(("Delta", "Epsilon", "Zeta")):
        quartier = _quartier(nom)
        for secteur in secteurs[: rang + 1]:
            ParticipationFactory(
                table=quartier.table, partenaire=PartenaireFactory(secteur=secteur)
            )
        ActionFactory(quartier=quartier, debut=d(2023, 10, 1))
    bilan = _bilan()
    premier = construire_instantane(bilan)
    assert somme_de_controle(construire_instantane(bilan)) == somme_de_controle(premier)
    assert premier["registre"]["fin"]["partenaires_actifs"] == "6"


# --- Les instantanés déjà stockés (format 1) --------------------------------------------------------


def _instantane_format_1(portee: str, registres: list[dict]) -> dict:
    return {
        "format": 1,
        "portee": portee,
        "langue": "fr",
        "periode": {"annee": 2023, "trimestre": 4, "libelle": "T4 2023"},
        "indicateurs": {},
        "quartiers": [
            {"nom": f"Q{i}", "series": [], "registre": r} for i, r in enumerate(registres)
        ],
    }


def _mesures(date: str, partenaires: str) -> dict:
    return {
        "date": date,
        "partenaires_actifs": partenaires,
        "secteurs_distincts": "1",
        "diversite_shannon": "0.000",
        "acteurs_influence": "0",
        "actions_participation": "0",
    }


def test_un_instantane_de_quartier_du_format_1_dit_ce_qu_il_compare():
    registre = {"depart": _mesures("2018-12-31", "2"), "fin": _mesures("2023-12-31", "3")}
    tous = {c.cle: c for c in constats(_instantane_format_1("quartier", [registre]))}
    assert "(de 2 au cours de 2018 à 3 au cours de T4 2023)" in tous["partenaires"].texte


def test_un_instantane_du_pic_du_format_1_n_additionne_plus_les_quartiers():
    registre = {"depart": _mesures("2018-12-31", "2"), "fin": _mesures("2023-12-31", "3")}
    instantane = _instantane_format_1("pic", [registre, registre])
    assert [c.cle for c in constats(instantane)] == ["indicateurs"]
