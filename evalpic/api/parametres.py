"""Les paramètres de requête que l'API documente (`taille`, `ordering`, `format`, `cursor`) : un
paramètre mal donné est refusé avec un message, au lieu d'être ignoré en silence (réponse 200
avec la valeur par défaut, que le client croyait avoir choisie). Ici ce qui sert à la pagination
(`evalpic.api.commun`) et au tri (`evalpic.api.tri`), sans rien importer qui lise les réglages
de DRF : ceux-ci nomment ces deux modules."""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from rest_framework import exceptions

PARAMETRE_VIDE = gettext_lazy("Paramètre vide : donnez une valeur ou retirez-le.")
PARAMETRE_REPETE = gettext_lazy("Paramètre donné plusieurs fois : donnez-le une seule fois.")


def valeur_unique(request, cle: str) -> str | None:
    """La valeur du paramètre `cle` de la requête, `None` s'il est absent; 400 par champ
    (`{cle: [message]}`, la forme d'un filtre invalide) s'il est vide ou donné plusieurs
    fois."""
    valeurs = request.query_params.getlist(cle)
    if not valeurs:
        return None
    if len(valeurs) > 1:
        raise exceptions.ValidationError({cle: [str(PARAMETRE_REPETE)]})
    if valeurs[0] == "":
        raise exceptions.ValidationError({cle: [str(PARAMETRE_VIDE)]})
    return valeurs[0]
