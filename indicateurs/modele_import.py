"""Le modèle d'import à télécharger, en CSV ou en XLSX : l'en-tête des colonnes lues par
`lecture_import`, puis une ligne par indicateur saisi par la table, préremplie d'une période."""

from __future__ import annotations

import csv
import io

import openpyxl
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation

from indicateurs import services
from indicateurs.lecture_import import COLONNES_MODELE
from indicateurs.models import Periode, StatutPeriode
from quartiers.models import TableDeQuartier

TYPE_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def periode_du_modele() -> Periode | None:
    """La période préremplie dans le modèle : la dernière ouverte, sinon la dernière fermée
    (l'import refuse une période à venir), ce jour-là (`Periode.statut_du_jour`). Une
    requête."""
    aujourd_hui = timezone.localdate()
    periodes = Periode.objects.commencees_ce_jour(aujourd_hui)
    ouvertes = (p for p in periodes if p.statut_du_jour(aujourd_hui) == StatutPeriode.OUVERTE)
    return next(ouvertes, None) or next(iter(periodes), None)


def _rangees_modele(table: TableDeQuartier, periode: Periode | None) -> list[list[str]]:
    code = periode.code if periode else ""
    return [
        [code, i.code, i.nom, str(i.get_unite_display()), "", "", "", "", ""]
        for i in services.indicateurs_a_saisir(table)
    ]


def modele_csv(table: TableDeQuartier, periode: Periode | None) -> str:
    """Le modèle CSV de la table : en-tête, puis une ligne par indicateur saisi. Séparateur « ; »,
    celui qu'attend Excel en français (la lecture accepte aussi « , » et la tabulation)."""
    tampon = io.StringIO()
    ecrivain = csv.writer(tampon, delimiter=";", lineterminator="\r\n")
    ecrivain.writerow(COLONNES_MODELE)
    ecrivain.writerows(_rangees_modele(table, periode))
    return tampon.getvalue()


def modele_xlsx(table: TableDeQuartier, periode: Periode | None) -> bytes:
    """Le même modèle en XLSX, avec une liste oui/non pour « non_disponible »."""
    classeur = openpyxl.Workbook()
    feuille = classeur.active
    feuille.title = _("Valeurs")[:31]
    feuille.append(list(COLONNES_MODELE))
    rangees = _rangees_modele(table, periode)
    for rangee in rangees:
        feuille.append(rangee)
    for cellule in feuille[1]:
        cellule.font = Font(bold=True)
    feuille.freeze_panes = "A2"
    for lettre, largeur in zip("ABCDEFGHI", (10, 28, 45, 18, 12, 15, 30, 40, 30), strict=True):
        feuille.column_dimensions[lettre].width = largeur
    # La liste dans la langue du modèle; l'import reconnaît oui/non et yes/no (importation.VRAI).
    liste = DataValidation(type="list", formula1=f'"{_("oui")},{_("non")}"', allow_blank=True)
    feuille.add_data_validation(liste)
    liste.add(f"F2:F{max(len(rangees), 1) + 1}")
    tampon = io.BytesIO()
    classeur.save(tampon)
    return tampon.getvalue()
