"""Filtres de gabarit d'ÉvalPIC."""

from django import template
from django.utils import timezone

from evalpic.dates import date_longue
from evalpic.nombres import nombre

register = template.Library()
register.filter("nombre", nombre)
register.filter("date_longue", date_longue, expects_localtime=True)


@register.simple_tag
def date_du_jour():
    """La date du jour à Montréal, pour l'écrire avec `date_longue`."""
    return timezone.localdate()


@register.filter
def champs_de(form, ligne) -> dict:
    """Les champs liés d'une ligne du formulaire de saisie (valeur, raison, commentaire…)."""
    return form.champs_de(ligne)


@register.filter
def cle(dictionnaire, cle_):
    """dictionnaire[cle] dans un gabarit (None si absente)."""
    return (dictionnaire or {}).get(cle_)
