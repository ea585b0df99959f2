"""Exports CSV et XLSX d'un bilan : fabriqués à partir de l'instantané seul, sans base, et
identiques à l'octet près d'un appel (et d'un jour) à l'autre."""

from __future__ import annotations

import copy
import csv
import datetime
import io
import time
import types
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.utils import translation

from rapports import exports
from rapports.exports import exporter_csv, exporter_xlsx, nom_de_fichier, nombre_pour_excel

EN_TETES = [
    "Quartier",
    "Indicateur",
    "Nom de l'indicateur",
    "Unité",
    "Période",
    "Libellé de la période",
    "Valeur",
    "Cible",
    "Référence",
    "Statut",
    "Non disponible",
    "Raison de l'absence",
    "Apprentissages épinglés",
    "Date de la référence",
    "Agrégation dans le temps",
    "Valeur de la période du bilan",
    "Trimestres de la période avec une valeur",
    "Trimestres de la période",
]
FEUILLES = [
    "Valeurs",
    "En bref",
    "Indicateurs",
    "Apprentissages",
    "Complétude",
    "Stratégies",
    "À propos",
]


def serie(code: str, valeurs: list[str | None], statut: str, reference: str | None = None):
    periodes = ["2026-T1", "2026-T2", "2026-T3"]
    return {
        "code": code,
        "reference": reference,
        "date_reference": "2025-12-31" if reference else None,
        "statut": statut,
        "points": [
            {"periode": p, "libelle": f"T{p[-1]} 2026", "valeur": v}
            for p, v in zip(periodes, valeurs, strict=True)
        ],
        "cibles": [{"periode": "2026-T3", "libelle": "T3 2026", "valeur": "60"}]
        if code == "PART-01"
        else [],
        "reperes": [],
    }


def quartier(slug: str, nom: str, series: list[dict], apprentissages: dict) -> dict:
    return {
        "slug": slug,
        "nom": nom,
        "niveau_soutien": "soutien intensif",
        "table": f"Table de {nom}",
        "strategie": None,
        "changements": [],
        "series": series,
        "registre": {"depart": None, "fin": None},
        "apprentissages": apprentissages,
        "completude": {
            "attendues": 6,
            "renseignees": 5,
            "validees": 4,
            "manquantes": [{"indicateur": "PART-01", "periode": "2026-T2"}],
        },
    }


@pytest.fixture
def instantane() -> dict:
    """Deux quartiers (dans le désordre), deux indicateurs (dans le désordre), trois trimestres,
    une valeur absente, une cible, des apprentissages. Les catégories d'apprentissage sont
    volontairement dans le désordre, comme après un aller-retour par jsonb."""
    return {
        "format": 1,
        "generateur": "evalpic-bilan-1.0",
        "portee": "pic",
        "langue": "fr",
        "periode": {
            "annee": 2026,
            "trimestre": 3,
            "code": "2026-T3",
            "libelle": "T3 2026",
            "debut": "2026-07-01",
            "fin": "2026-09-30",
            "fenetre": ["2026-T1", "2026-T2", "2026-T3"],
        },
        "indicateurs": {
            "SEC-02": {
                "nom": "Ménages en insécurité alimentaire",
                "definition": "Part des ménages interrogés.",
                "unite": "pourcentage",
                "polarite": "baisse",
                "famille": "conditions de vie",
                "source": "Sondage annuel",
                "mode": "saisi",
            },
            "PART-01": {
                "nom": "Personnes participantes",
                "definition": "Nombre de personnes distinctes.",
                "unite": "nombre",
                "polarite": "hausse",
                "famille": "personnes",
                "source": "Registre",
                "mode": "calcule",
            },
        },
        "quartiers": [
            quartier(
                "saint-michel",
                "Saint-Michel",
                [
                    serie("SEC-02", ["12.5", "11.75", "10"], "en_bonne_voie", "14"),
                    serie("PART-01", ["40", None, "55"], "a_surveiller", "30"),
                ],
                {
                    "defis": ["Roulement des bénévoles."],
                    "processus_resultats": ["=Le comité se réunit chaque mois."],
                },
            ),
            quartier(
                "centre-sud",
                "Centre-Sud",
                [serie("PART-01", ["20", "25", "-3.5"], "sans_donnees")],
                {"au_dela": ["Un nouveau partenariat."]},
            ),
        ],
    }


def lire_csv(contenu: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(contenu.decode("utf-8-sig"), newline=""), delimiter=";"))


def ouvrir(contenu: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(contenu))


# --- CSV ----------------------------------------------------------------------------------------


def test_csv_bom_point_virgule_et_fins_de_ligne(instantane):
    contenu = exporter_csv(instantane)
    assert contenu.startswith(b"\xef\xbb\xbf")
    texte = contenu.decode("utf-8-sig")
    assert texte.splitlines()[0] == ";".join(EN_TETES)
    assert texte.count("\r\n") == 1 + 9  # en-tête + 3 séries × 3 périodes
    assert "\n" not in texte.replace("\r\n", "")


def test_csv_lignes_triees_quartier_indicateur_periode(instantane):
    en_tete, *lignes = lire_csv(exporter_csv(instantane))
    assert en_tete == EN_TETES
    assert [(q, i, p) for q, i, _n, _u, p, *_ in lignes] == [
        ("Centre-Sud", "PART-01", "2026-T1"),
        ("Centre-Sud", "PART-01", "2026-T2"),
        ("Centre-Sud", "PART-01", "2026-T3"),
        ("Saint-Michel", "PART-01", "2026-T1"),
        ("Saint-Michel", "PART-01", "2026-T2"),
        ("Saint-Michel", "PART-01", "2026-T3"),
        ("Saint-Michel", "SEC-02", "2026-T1"),
        ("Saint-Michel", "SEC-02", "2026-T2"),
        ("Saint-Michel", "SEC-02", "2026-T3"),
    ]


def test_csv_valeurs_cibles_reference_et_statut(instantane):
    _en_tete, *lignes = lire_csv(exporter_csv(instantane))
    par_cle = {(ligne[0], ligne[1], ligne[4]): ligne for ligne in lignes}
    assert par_cle["Saint-Michel", "SEC-02", "2026-T2"] == [
        "Saint-Michel",
        "SEC-02",
        "Ménages en insécurité alimentaire",
        "pourcentage",
        "2026-T2",
        "T2 2026",
        "11.75",
        "",
        "14",
        "en bonne voie",
        "non",
        "",
        "",
        "2025-12-31",
        # Un instantané d'avant evalpic-bilan-1.8 : ni agrégation ni valeur de la période.
        "",
        "",
        "",
        "",
    ]
    absente = par_cle["Saint-Michel", "PART-01", "2026-T2"]
    assert absente[6] == ""  # valeur nulle → case vide
    assert absente[7] == ""  # pas de cible pour ce trimestre
    avec_cible = par_cle["Saint-Michel", "PART-01", "2026-T3"]
    assert (avec_cible[6], avec_cible[7], avec_cible[8]) == ("55", "60", "30")
    assert avec_cible[9] == "à surveiller"
    # Un nombre négatif n'est pas pris pour une formule.
    assert par_cle["Centre-Sud", "PART-01", "2026-T3"][6] == "-3.5"


def test_csv_neutralise_les_formules_dans_le_texte(instantane):
    instantane["quartiers"][1]["nom"] = "=HYPERLINK(1)"
    _en_tete, *lignes = lire_csv(exporter_csv(instantane))
    assert lignes[0][0] == "'=HYPERLINK(1)"


# --- XLSX ---------------------------------------------------------------------------------------


def test_xlsx_feuilles_et_valeurs(instantane):
    classeur = ouvrir(exporter_xlsx(instantane))
    assert classeur.sheetnames == FEUILLES

    valeurs = list(classeur["Valeurs"].iter_rows(values_only=True))
    assert list(valeurs[0]) == EN_TETES
    assert len(valeurs) == 1 + 9
    ligne = next(v for v in valeurs if v[:2] == ("Saint-Michel", "SEC-02") and v[4] == "2026-T2")
    assert ligne[6] == Decimal("11.75")
    assert isinstance(ligne[6], float)
    assert ligne[8] == Decimal("14")
    absente = next(v for v in valeurs if v[:2] == ("Saint-Michel", "PART-01") and v[4] == "2026-T2")
    assert absente[6] is None
    cible = next(v for v in valeurs if v[:2] == ("Saint-Michel", "PART-01") and v[4] == "2026-T3")
    assert (cible[6], cible[7]) == (55, 60)

    indicateurs = list(classeur["Indicateurs"].iter_rows(values_only=True))
    assert indicateurs[0] == (
        "Code",
        "Nom",
        "Définition",
        "Unité",
        "Polarité",
        "Famille",
        "Source",
        "Mode",
        "Agrégation dans le temps",
    )
    assert [i[0] for i in indicateurs[1:]] == ["PART-01", "SEC-02"]
    assert indicateurs[2][4] == "une baisse est souhaitée"

    apprentissages = list(classeur["Apprentissages"].iter_rows(values_only=True))
    assert apprentissages == [
        ("Quartier", "Période", "Indicateur", "Catégorie", "Texte"),
        ("Centre-Sud", "T3 2026", None, "au-delà des changements", "Un nouveau partenariat."),
        (
            "Saint-Michel",
            "T3 2026",
            None,
            "processus et résultats",
            "=Le comité se réunit chaque mois.",
        ),
        ("Saint-Michel", "T3 2026", None, "défis", "Roulement des bénévoles."),
    ]
    # Un texte qui commence par « = » reste du texte, pas une formule.
    assert classeur["Apprentissages"]["E3"].data_type == "s"

    completude = list(classeur["Complétude"].iter_rows(values_only=True))
    assert completude[0] == (
        "Quartier",
        "Période",
        "Attendues",
        "Renseignées",
        "Validées",
        "dont non disponibles",
        "Manquantes",
    )
    # D'avant evalpic-bilan-1.4 (pas de « non disponibles ») et 1.6 (la fenêtre seule, nommée).
    fenetre = "Fenêtre des données (T1 2026 à T3 2026, 3 trimestres)"
    assert completude[1] == ("Centre-Sud", fenetre, 6, 5, 4, None, 1)

    a_propos = dict(classeur["À propos"].iter_rows(min_row=2, values_only=True))
    assert a_propos["Générateur"] == "evalpic-bilan-1.0"
    assert a_propos["Portée"] == "tout le PIC"
    assert a_propos["Période"] == "T3 2026"
    assert a_propos["Fin de la période"] == datetime.datetime(2026, 9, 30)
    assert classeur.properties.created == datetime.datetime(2026, 9, 30)
    assert classeur.properties.modified == datetime.datetime(2026, 9, 30)
    assert classeur.properties.lastModifiedBy == "evalpic-bilan-1.0"


def test_xlsx_archive_aux_entrees_fixes(instantane):
    with zipfile.ZipFile(io.BytesIO(exporter_xlsx(instantane))) as archive:
        infos = archive.infolist()
        assert infos[0].filename == "[Content_Types].xml"
        assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
        assert {i.compress_type for i in infos} == {zipfile.ZIP_DEFLATED}
        assert len({i.external_attr for i in infos}) == 1
        assert b"2026-09-30T00:00:00Z" in archive.read("docProps/core.xml")


def test_nombre_pour_excel():
    assert nombre_pour_excel("12.5") == 12.5
    assert nombre_pour_excel("40") == 40
    assert isinstance(nombre_pour_excel("40"), int)
    assert nombre_pour_excel(None) is None
    # Au-delà de 15 chiffres significatifs, le texte exact plutôt qu'un arrondi.
    assert nombre_pour_excel("0.1234567890123456") == "0.1234567890123456"


# --- Identiques à l'octet près -------------------------------------------------------------------


@pytest.mark.parametrize("exporter", [exporter_csv, exporter_xlsx])
def test_memes_octets_d_un_appel_a_l_autre(instantane, exporter):
    premier = exporter(copy.deepcopy(instantane))
    time.sleep(1.1)
    assert exporter(copy.deepcopy(instantane)) == premier


def test_xlsx_memes_octets_un_autre_jour(instantane, monkeypatch):
    """Ni l'horloge d'openpyxl (core.xml) ni celle de zipfile (dates des entrées) ne passent
    dans le fichier."""
    aujourd_hui = exporter_xlsx(instantane)

    class Horloge(datetime.datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime.datetime(2031, 5, 17, 13, 37, 42, tzinfo=tz)

    autre_jour = types.SimpleNamespace(datetime=Horloge, timezone=datetime.timezone)
    monkeypatch.setattr("openpyxl.writer.excel.datetime", autre_jour)
    monkeypatch.setattr("openpyxl.packaging.core.datetime", autre_jour)
    horloge = types.SimpleNamespace(
        time=lambda: 1_952_000_000.0, localtime=time.localtime, gmtime=time.gmtime
    )
    monkeypatch.setattr(zipfile, "time", horloge)

    assert exporter_xlsx(instantane) == aujourd_hui


def test_l_ordre_des_cles_du_json_ne_change_rien(instantane):
    """Un aller-retour par jsonb peut réordonner les clés des dictionnaires."""
    renverse = copy.deepcopy(instantane)
    renverse["indicateurs"] = dict(reversed(list(renverse["indicateurs"].items())))
    for q in renverse["quartiers"]:
        q["apprentissages"] = dict(reversed(list(q["apprentissages"].items())))
    assert exporter_csv(renverse) == exporter_csv(instantane)
    assert exporter_xlsx(renverse) == exporter_xlsx(instantane)


@pytest.mark.parametrize("exporter", [exporter_csv, exporter_xlsx])
def test_une_valeur_changee_change_les_octets(instantane, exporter):
    avant = exporter(instantane)
    modifie = copy.deepcopy(instantane)
    modifie["quartiers"][0]["series"][0]["points"][0]["valeur"] = "12.6"
    assert exporter(modifie) != avant


# --- Langue -------------------------------------------------------------------------------------


@pytest.mark.parametrize("exporter", [exporter_csv, exporter_xlsx])
def test_en_tetes_dans_la_langue_de_l_instantane(instantane, exporter, monkeypatch):
    """Les en-têtes passent par gettext dans la langue de l'instantané, pas dans celle de la
    requête en cours."""
    monkeypatch.setattr(exports, "_", lambda msgid: f"<{translation.get_language()}> {msgid}")
    anglais = copy.deepcopy(instantane)
    anglais["langue"] = "en"
    with translation.override("fr"):
        contenu_fr = exporter(instantane)
        contenu_en = exporter(anglais)
    assert contenu_en != contenu_fr
    if exporter is exporter_csv:
        assert lire_csv(contenu_en)[0][0] == "<en> Quartier"
        assert lire_csv(contenu_fr)[0][0] == "<fr> Quartier"
    else:
        assert ouvrir(contenu_en).sheetnames[0] == "<en> Valeurs"
        assert ouvrir(contenu_en)["<en> Valeurs"]["A1"].value == "<en> Quartier"
        assert ouvrir(contenu_fr)["<fr> Valeurs"]["A1"].value == "<fr> Quartier"


# --- Noms de fichier ----------------------------------------------------------------------------


def test_nom_de_fichier_du_pic(instantane):
    assert nom_de_fichier(instantane, "xlsx") == "bilan-pic-2026-T3.xlsx"
    annuel = copy.deepcopy(instantane)
    annuel["periode"].update(trimestre=None, code="2026")
    assert nom_de_fichier(annuel, ".CSV") == "bilan-pic-2026.csv"


def test_nom_de_fichier_d_un_quartier_en_ascii(instantane):
    un_quartier = copy.deepcopy(instantane)
    un_quartier["portee"] = "quartier"
    un_quartier["quartiers"] = [un_quartier["quartiers"][0]]
    assert nom_de_fichier(un_quartier, "xlsx") == "bilan-saint-michel-2026-T3.xlsx"
    un_quartier["quartiers"][0]["slug"] = "Côte-des-Neiges"
    nom = nom_de_fichier(un_quartier, "csv")
    assert nom == "bilan-cote-des-neiges-2026-T3.csv"
    assert nom.isascii()
