"""Filtres de gabarit d'ÉvalPIC."""

from django import template

from evalpic.nombres import nombre

register = template.Library()
register.filter("nombre", nombre)


@register.filter
def champs_de(form, ligne) -> dict:
    """Les champs liés d'une ligne du formulaire de saisie (valeur, raison, commentaire…)."""
    return form.champs_de(ligne)


@register.filter
def cle(dictionnaire, cle_):
    """dictionnaire[cle] dans un gabarit (None si absente)."""
    return (dictionnaire or {}).get(cle_)
