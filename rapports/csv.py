"""Réponses CSV des tableaux de bord : UTF-8 avec BOM (Excel), point-virgule, en-têtes traduits;
un texte qu'un tableur prendrait pour une formule est neutralisé (`evalpic.tableurs`); un nombre
s'écrit en texte décimal (`texte_decimal`), comme dans l'export des valeurs et les bilans."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.http import HttpResponse

from evalpic.tableurs import neutraliser_formule

# Les valeurs s'enregistrent avec quatre décimales (`Valeur.valeur_numerique`) : un flottant
# n'a pas de chiffre significatif au-delà.
PAS_DES_VALEURS = Decimal("0.0001")


def texte_decimal(nombre: Decimal | float | int) -> str:
    """Un nombre en décimal à point, sans zéros inutiles ni exposant : « 300 », « 12.5 »,
    « 0.0001 », « 1000000 », jamais « -0 ». C'est le texte de l'export des valeurs
    (`trim_scale(n)::text`), de l'API et de l'instantané d'un bilan, pour que tous les CSV
    écrivent une même valeur de la même façon.

    Un décimal s'écrit exact (`Decimal.normalize()` seul donnerait « 3E+2 »). Un flottant (celui
    des graphiques) est arrondi aux quatre décimales des valeurs, sans les restes de
    l'arithmétique binaire (0.1 + 0.2 → « 0.3 »)."""
    if isinstance(nombre, float):
        decimal = Decimal(repr(nombre))  # le plus court texte qui redonne ce flottant
        if (
            decimal.is_finite()
            and decimal.as_tuple().exponent < PAS_DES_VALEURS.as_tuple().exponent
        ):
            decimal = decimal.quantize(PAS_DES_VALEURS, rounding=ROUND_HALF_UP)
    else:
        decimal = Decimal(nombre)
    if decimal.is_zero():
        return "0"
    return format(decimal.normalize(), "f")


def reponse_csv(nom_fichier: str, entetes: list[str], lignes: Iterable[Iterable]) -> HttpResponse:
    reponse = HttpResponse(content_type="text/csv; charset=utf-8")
    reponse["Content-Disposition"] = f'attachment; filename="{nom_fichier}.csv"'
    reponse.write("\ufeff")
    ecrivain = csv.writer(reponse, delimiter=";")
    ecrivain.writerow(entetes)
    for ligne in lignes:
        ecrivain.writerow([_case(v) for v in ligne])
    return reponse


def _case(valeur) -> object:
    if valeur is None:
        return ""
    if isinstance(valeur, str):  # noms, libellés, textes d'un indicateur en texte
        return neutraliser_formule(valeur)
    if isinstance(valeur, Decimal | float | int) and not isinstance(valeur, bool):
        return texte_decimal(valeur)
    return valeur
