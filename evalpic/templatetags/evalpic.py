"""Filtres de gabarit d'ÉvalPIC."""

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import get_language

from evalpic.dates import date_longue
from evalpic.nombres import nombre, pour_cent

register = template.Library()
register.filter("nombre", nombre)
register.filter("date_longue", date_longue, expects_localtime=True)


@register.filter("pour_cent")
def pour_cent_d_une_cellule(part) -> str:
    """`{{ part|pour_cent }}` : « 13 % » en français, « 13% » en anglais (evalpic.nombres), avec
    l'espace ordinaire : la cellule qui l'affiche ne se replie pas (classe `insecable`)."""
    return "" if part is None or part == "" else pour_cent(part, insecable=False)


@register.filter
def en_francais(texte):
    """`{{ strategie.titre|en_francais }}` : un texte écrit en français seulement (titre d'une
    stratégie, changement visé), marqué `lang="fr"` dans une page d'une autre langue, pour
    qu'un lecteur d'écran le prononce en français; tel quel (échappé) dans une page française.
    Sûr dans un `blocktranslate`."""
    if (get_language() or "fr").startswith("fr"):
        return texte
    return format_html('<span lang="fr">{}</span>', texte)


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
