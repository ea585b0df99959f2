"""Réponses CSV des tableaux de bord : UTF-8 avec BOM (Excel), point-virgule, en-têtes traduits;
un texte qu'un tableur prendrait pour une formule est neutralisé (`evalpic.tableurs`)."""

from __future__ import annotations

import csv
from collections.abc import Iterable

from django.http import HttpResponse

from evalpic.tableurs import neutraliser_formule


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
    return valeur
