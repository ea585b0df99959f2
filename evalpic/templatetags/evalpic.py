"""Filtres de gabarit d'ÉvalPIC."""

from decimal import Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def nombre(valeur) -> str:
    """Un nombre sans zéros inutiles ni notation scientifique, au format de la langue active
    (« 1 234,5 » en français, « 1,234.5 » en anglais)."""
    if valeur is None or valeur == "":
        return ""
    decimal = Decimal(str(valeur))
    decimales = max(0, -decimal.normalize().as_tuple().exponent)
    return number_format(decimal, decimal_pos=decimales, use_l10n=True, force_grouping=True)


@register.filter
def champs_de(form, ligne) -> dict:
    """Les champs liés d'une ligne du formulaire de saisie (valeur, raison, commentaire…)."""
    return form.champs_de(ligne)


@register.filter
def cle(dictionnaire, cle_):
    """dictionnaire[cle] dans un gabarit (None si absente)."""
    return (dictionnaire or {}).get(cle_)
