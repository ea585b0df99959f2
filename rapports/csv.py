"""Réponses CSV des tableaux de bord : UTF-8 avec BOM (Excel), point-virgule, en-têtes traduits."""

from __future__ import annotations

import csv
from collections.abc import Iterable

from django.http import HttpResponse


def reponse_csv(nom_fichier: str, entetes: list[str], lignes: Iterable[Iterable]) -> HttpResponse:
    reponse = HttpResponse(content_type="text/csv; charset=utf-8")
    reponse["Content-Disposition"] = f'attachment; filename="{nom_fichier}.csv"'
    reponse.write("\ufeff")
    ecrivain = csv.writer(reponse, delimiter=";")
    ecrivain.writerow(entetes)
    for ligne in lignes:
        ecrivain.writerow(["" if v is None else v for v in ligne])
    return reponse
