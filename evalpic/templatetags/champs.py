"""Un champ de formulaire — libellé, aide, widget, erreurs — écrit en Python.

`{% champ champ %}` (ou `{% champ champ aide_apres=True %}`, l'aide après le widget quand elle
contient un lien : l'ordre de tabulation reste libellé → champ → lien). Le formulaire
trimestriel en compte ~480 sur les données d'échelle (quatre par indicateur suivi) : autant
d'inclusions de gabarit, chacune avec son contexte, coûtaient l'essentiel de son rendu.
`_partials/_champ.html` appelle cette balise, pour les gabarits qui l'incluent.
"""

from __future__ import annotations

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag
def champ(champ, aide_apres=False) -> SafeString:
    identifiant = champ.id_for_label
    aide = (
        format_html('<p class="aide" id="{}_helptext">{}</p>', identifiant, champ.help_text)
        if champ.help_text
        else ""
    )
    requis = ' <span class="requis" aria-hidden="true">*</span>' if champ.field.required else ""
    erreurs = champ.errors
    liste = (
        format_html('\n    <ul class="erreurs" id="{}_error">', identifiant)
        + "".join(f"<li>{conditional_escape(erreur)}</li>" for erreur in erreurs)
        + "</ul>\n  "
        if erreurs
        else ""
    )
    return mark_safe(
        f'<div class="champ{" champ--erreur" if erreurs else ""}">\n'
        f'  <label for="{conditional_escape(identifiant)}">{conditional_escape(champ.label)}'
        f"{requis}</label>\n"
        f"  {'' if aide_apres else aide}\n"
        f"  {conditional_escape(champ)}\n"
        f"  {aide if aide_apres else ''}\n"
        f"  {liste}\n"
        "</div>"
    )
