"""« En bref » se vérifie : chaque constat du registre nomme sa comparaison (« depuis le début
du registre (T4 2018) »), chaque nombre qu'il cite se retrouve dans la feuille « En bref » du
classeur et dans le tableau de la méthodologie (mesure, période et valeur de départ, période et
valeur de fin), le constat des acteurs d'influence dit ce qu'il compte (le registre) sans
jugement que le statut de l'indicateur contredirait, et le constat des statuts tait les parties
qui comptent zéro. La date de la référence de chaque série s'écrit là où la référence se montre
(sous la courbe, et dans les exports).

Avant : « de 3 en T2 2016 à 34 en T2 2026 » sans dire d'où venait 2016, des chiffres dans aucun
tableau ni aucune feuille, « La table a davantage accès à des acteurs d'influence » à côté de
« Acteurs d'influence mobilisés — à surveiller », et « 0 n'a pas encore de données »."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest
from django.utils import translation

from rapports import rendu
from rapports.en_bref import _phrase_des_statuts, constats
from rapports.exports import exporter_csv, exporter_xlsx
from rapports.instantane import construire_instantane
from rapports.models import Bilan, Portee
from tests.factories import ActionFactory, construire_quartier

pytestmark = pytest.mark.django_db


def _instantane(langue: str = "fr", portee: str = Portee.QUARTIER) -> dict:
    """Alpha : trois partenaires depuis 2018 (registre), une action de participation citoyenne
    commencée en 2023, trois indicateurs de 2023 (référence 10 au 31 décembre 2022)."""
    quartier = construire_quartier(nom="Alpha", indicateurs=3, trimestres=4)
    ActionFactory(quartier=quartier, debut="2023-10-01")
    bilan = Bilan(
        portee=portee,
        quartier=quartier if portee == Portee.QUARTIER else None,
        annee=2023,
        trimestre=4,
        langue=langue,
    )
    return construire_instantane(bilan)


def _par_cle(instantane: dict) -> dict:
    with translation.override(instantane["langue"]):
        return {c.cle: c for c in constats(instantane)}


def test_chaque_constat_du_registre_nomme_sa_comparaison():
    tous = _par_cle(_instantane())
    assert tous["partenaires"].texte.startswith(
        "Depuis le début du registre (T4 2018), les partenaires mobilisés sont aussi nombreux "
        "(de 3 au cours de T4 2018 à 3 au cours de T4 2023)"
    )
    assert tous["participation"].texte == (
        "Depuis le début du registre (T4 2018), on compte plus d'actions concrètes de "
        "participation citoyenne : 1 active au cours de T4 2023, contre 0 au cours de T4 2018."
    )


@pytest.mark.parametrize(("portee", "ou"), [("quartier", "à la table"), ("pic", "aux tables")])
def test_le_constat_des_acteurs_d_influence_dit_ce_que_compte_le_registre(portee, ou):
    depart = {"libelle": "T2 2016", "acteurs_influence": "0"}
    fin = {"libelle": "T2 2026", "acteurs_influence": "8"}
    mesures = {"partenaires_actifs": "3", "secteurs_distincts": "1", "diversite_shannon": "0"}
    mesures |= {"actions_participation": "0"}
    instantane = {
        "format": 2,
        "portee": portee,
        "langue": "fr",
        "periode": {"libelle": "T2 2026"},
        "registre": {"depart": mesures | depart, "fin": mesures | fin},
        "indicateurs": {},
        "quartiers": [{"series": []}],
    }
    texte = _par_cle(instantane)["influence"].texte
    assert texte == (
        "Depuis le début du registre (T2 2016), le nombre d'acteurs d'influence "
        f"(bailleurs, chercheurs, décideurs) actifs {ou} a augmenté : 8 au cours de T2 2026, "
        "contre 0 au cours de T2 2016."
    )
    assert "accès" not in texte


def test_chaque_nombre_cite_est_dans_la_feuille_en_bref():
    instantane = _instantane()
    tous = _par_cle(instantane)
    classeur = openpyxl.load_workbook(io.BytesIO(exporter_xlsx(instantane)))
    assert classeur.sheetnames[:2] == ["Valeurs", "En bref"]
    en_tete, *lignes = list(classeur["En bref"].iter_rows(values_only=True))
    assert en_tete == (
        "Constat",
        "Code de la mesure",
        "Mesure",
        "Période de départ",
        "Valeur de départ",
        "Période de fin",
        "Valeur de fin",
    )
    par_code = {ligne[1]: ligne for ligne in lignes}
    assert par_code["partenaires_actifs"][2:] == ("Partenaires actifs", "T4 2018", 3, "T4 2023", 3)
    assert par_code["actions_participation"] == (
        tous["participation"].texte,
        "actions_participation",
        "Actions de participation citoyenne",
        "T4 2018",
        0,
        "T4 2023",
        1,
    )
    assert par_code["acteurs_influence"][0] == tous["influence"].texte
    assert par_code["statut:sans_donnees"][2:] == (
        "Indicateurs « sans données »",
        None,
        None,
        "T4 2023",
        0,
    )
    # Chaque nombre d'un constat du registre est une valeur de ses lignes.
    for cle in ("partenaires", "participation", "influence"):
        cites = set(re.findall(r"\d+(?:,\d+)?", tous[cle].texte)) - {"2018", "2023", "4"}
        valeurs = {
            str(v).replace(".", ",")
            for ligne in lignes
            if ligne[0] == tous[cle].texte
            for v in (ligne[4], ligne[6])
        }
        assert cites <= valeurs, (cle, cites, valeurs)


def test_le_bilan_montre_les_chiffres_de_en_bref_et_la_date_de_chaque_reference():
    instantane = _instantane()
    page = rendu.contenu(instantane, titre="Bilan")
    imprime = rendu.rendre(instantane, titre="Bilan", image=lambda _figure, cle: f"img:{cle}")
    for html in (page, imprime):
        methodologie = html[html.index('id="methodologie"') :]
        assert "<caption>Les chiffres de « En bref »</caption>" in methodologie
        assert (
            '<tr><th scope="row">Actions de participation citoyenne</th><td>T4 2018</td>'
            '<td class="nombre">0</td><td>T4 2023</td><td class="nombre">1</td></tr>'
        ) in methodologie
        # Sous chaque courbe, la référence et sa date (avant la fenêtre des courbes).
        assert html.count('<p class="note reference">Référence : 10 (au 31 décembre 2022)</p>') == 3


def test_les_exports_portent_la_date_de_la_reference():
    instantane = _instantane()
    en_tete, *lignes = list(
        csv.reader(io.StringIO(exporter_csv(instantane).decode("utf-8-sig")), delimiter=";")
    )
    # La date de la référence suit les apprentissages épinglés (colonne 13); les colonnes de la
    # valeur de la période du bilan viennent après (evalpic-bilan-1.8).
    assert en_tete[8] == "Référence" and en_tete[13] == "Date de la référence"
    assert {(ligne[8], ligne[13]) for ligne in lignes} == {("10", "2022-12-31")}
    classeur = openpyxl.load_workbook(io.BytesIO(exporter_xlsx(instantane)))
    valeurs = list(classeur["Valeurs"].iter_rows(values_only=True))
    assert valeurs[0][13] == "Date de la référence"
    assert {ligne[13] for ligne in valeurs[1:]} == {"2022-12-31"}


@pytest.mark.parametrize(
    ("langue", "comptes", "textes", "attendu"),
    [
        (
            "fr",
            {"atteint": 3, "en_bonne_voie": 8, "a_surveiller": 1, "sans_donnees": 0},
            1,
            "Sur 13 indicateurs suivis, 3 ont atteint leur cible, 8 sont en bonne voie, 1 est à "
            "surveiller et 1 indicateur en texte n'a pas de statut.",
        ),
        (
            "en",
            {"atteint": 3, "en_bonne_voie": 8, "a_surveiller": 1, "sans_donnees": 0},
            1,
            "Of 13 tracked indicators, 3 have reached their target, 8 are on track, 1 needs "
            "watching and 1 text indicator has no status.",
        ),
        (
            "fr",
            {"atteint": 2, "en_bonne_voie": 0, "a_surveiller": 0, "sans_donnees": 0},
            0,
            "Sur 2 indicateurs suivis, 2 ont atteint leur cible.",
        ),
        (
            "en",
            {"atteint": 0, "en_bonne_voie": 1, "a_surveiller": 0, "sans_donnees": 0},
            0,
            "Of 1 tracked indicator, 1 is on track.",
        ),
    ],
)
def test_le_constat_des_statuts_tait_les_parties_nulles(langue, comptes, textes, attendu):
    total = sum(comptes.values()) + textes
    with translation.override(langue):
        assert _phrase_des_statuts(total, comptes, textes) == attendu
        assert "0 " not in _phrase_des_statuts(total, comptes, textes)
