"""Les exports de données d'un bilan (CSV, XLSX) portent aussi la cible d'un trimestre sans
valeur, comme le tableau de la courbe : c'est souvent elle qui décide du statut (une cible à
venir lue dans l'instantané)."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from rapports.exports import exporter_csv
from tests.rapports.test_bilans_rendu_corrections import coordination, produire, villeray

pytestmark = pytest.mark.django_db


__all__ = ["coordination", "villeray"]  # les fixtures, réutilisées telles quelles


def lire_csv(contenu: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(contenu.decode("utf-8-sig"), newline=""), delimiter=";"))


def test_le_csv_porte_la_cible_d_un_trimestre_sans_valeur(coordination, villeray):
    bilan = produire(coordination, villeray)
    _en_tete, *lignes = lire_csv(bilan.fichier_csv.read())
    de_zz = [ligne for ligne in lignes if ligne[1] == "zz-9"]
    assert [ligne[4] for ligne in de_zz] == [
        *bilan.instantane["periode"]["fenetre"],
        "2024-T4",
    ]
    assert de_zz[-1] == [
        "Villeray",
        "zz-9",
        "Indicateur zz-9",
        "nombre",
        "2024-T4",
        "T4 2024",
        "",
        "10",
        "10",
        "à surveiller",
        "non",
        "",
        "",
        "2022-12-31",
        # La valeur du trimestre du bilan (T4 2023) selon l'agrégation (evalpic-bilan-1.8).
        "somme",
        "3",
        "1",
        "1",
    ]


def test_le_xlsx_porte_la_cible_d_un_trimestre_sans_valeur(coordination, villeray):
    bilan = produire(coordination, villeray, langue="en")
    feuille = openpyxl.load_workbook(io.BytesIO(bilan.fichier_xlsx.read()))["Values"]
    lignes = [list(r) for r in feuille.iter_rows(min_row=2, values_only=True)]
    cible = [ligne for ligne in lignes if ligne[1] == "zz-9" and ligne[4] == "2024-T4"]
    assert cible == [
        [
            "Villeray",
            "zz-9",
            "Indicator zz-9",
            "number",
            "2024-T4",
            "Q4 2024",
            None,
            10,
            10,
            "to watch",
            "no",
            None,
            None,
            "2022-12-31",
            "sum",
            3,
            1,
            1,
        ]
    ]


def test_une_cible_d_un_trimestre_avec_valeur_reste_sur_sa_ligne():
    """Une cible dans un trimestre qui a un point reste sur la ligne de ce point; les cibles
    seules s'ajoutent à leur place dans l'ordre chronologique, avant comme après la fenêtre."""
    instantane = {
        "format": 1,
        "generateur": "evalpic-bilan-1.0",
        "portee": "quartier",
        "langue": "fr",
        "periode": {
            "annee": 2026,
            "trimestre": 2,
            "code": "2026-T2",
            "libelle": "T2 2026",
            "debut": "2026-04-01",
            "fin": "2026-06-30",
            "fenetre": ["2026-T1", "2026-T2"],
        },
        "indicateurs": {"A": {"nom": "A", "unite": "nombre"}},
        "quartiers": [
            {
                "slug": "q",
                "nom": "Q",
                "series": [
                    {
                        "code": "A",
                        "reference": None,
                        "statut": "atteint",
                        "points": [
                            {"periode": "2026-T1", "libelle": "T1 2026", "valeur": "4"},
                            {"periode": "2026-T2", "libelle": "T2 2026", "valeur": "6"},
                        ],
                        "cibles": [
                            {"periode": "2027-T1", "libelle": "T1 2027", "valeur": "9"},
                            {"periode": "2026-T2", "libelle": "T2 2026", "valeur": "5"},
                            {"periode": "2025-T4", "libelle": "T4 2025", "valeur": "3"},
                        ],
                    }
                ],
            }
        ],
    }
    _en_tete, *lignes = lire_csv(exporter_csv(instantane))
    assert [(ligne[4], ligne[6], ligne[7]) for ligne in lignes] == [
        ("2025-T4", "", "3"),
        ("2026-T1", "4", ""),
        ("2026-T2", "6", "5"),
        ("2027-T1", "", "9"),
    ]
