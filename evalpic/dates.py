"""Les dates écrites en toutes lettres dans la langue active, pour les pages, les courriels et
les bilans : « 1er juillet 2026 » en français (le format de Django écrit « 1 juillet 2026 »),
« July 1, 2026 » en anglais."""

from __future__ import annotations

import datetime

from django.utils import formats, timezone
from django.utils.translation import get_language


def date_longue(valeur: datetime.date | None, format_: str = "DATE_FORMAT") -> str:
    """`valeur` au format `format_` de la langue active (`DATE_FORMAT`, ou `DATETIME_FORMAT`
    pour une date et heure, à écrire déjà à l'heure locale), le premier du mois écrit « 1er »
    en français. Rien pour `None`."""
    if valeur is None or valeur == "":
        return ""
    texte = formats.date_format(valeur, format_)
    if valeur.day == 1 and (get_language() or "fr").startswith("fr") and texte.startswith("1 "):
        return "1er" + texte[1:]
    return texte


def date_heure_longue(moment: datetime.datetime) -> str:
    """Un instant en toutes lettres, à l'heure de Montréal (« 1er juillet 2026 14:05 »)."""
    return date_longue(timezone.localtime(moment), "DATETIME_FORMAT")
