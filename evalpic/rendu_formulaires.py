"""Le rendu des champs de formulaire : les widgets les plus courants écrits en Python.

Django rend chaque widget par un gabarit (`django/forms/widgets/input.html` et
`attrs.html`, inclus l'un dans l'autre). Le formulaire trimestriel en compte ~600 (cinq champs
par indicateur suivi) : sur les données d'échelle (120 indicateurs), leur rendu prenait environ
le tiers de la page. `RenduDesFormulaires` écrit les mêmes octets directement pour les champs de
saisie (`<input>` de tous types, cases à cocher comprises) et les zones de texte, et laisse les
autres (listes, dates en trois listes…) aux gabarits de Django.

La sortie est celle des gabarits de Django à l'octet près (test qui compare les deux rendus sur
des valeurs et des attributs de toutes sortes). Si un gabarit de widget est remplacé (par une
application ou par le projet), il reprend la main : seuls les gabarits livrés avec Django sont
écrits en Python.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import django.forms
from django.forms.renderers import DjangoTemplates
from django.utils.functional import cached_property
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeData

_GABARITS_DE_DJANGO = Path(django.forms.__file__).parent / "templates"


def _texte(valeur) -> str:
    """`{{ valeur|stringformat:'s' }}` dans un gabarit qui échappe : `"%s" % valeur` (hors tuple,
    `str`), échappé sauf si la valeur est déjà sûre."""
    try:
        texte = str(valeur)
    except (ValueError, TypeError):
        return ""
    return texte if isinstance(valeur, SafeData) else escape(texte)


def _attributs(attrs: dict) -> str:
    """`django/forms/widgets/attrs.html`."""
    morceaux = []
    for nom, valeur in attrs.items():
        if valeur is False:
            continue
        morceaux.append(" " + str(conditional_escape(nom)))
        if valeur is not True:
            morceaux.append(f'="{_texte(valeur)}"')
    return "".join(morceaux)


def _champ_de_saisie(widget: dict) -> str:
    """`django/forms/widgets/input.html` (et text, number, checkbox… qui l'incluent)."""
    valeur = widget["value"]
    valeur = f' value="{_texte(valeur)}"' if valeur != None else ""  # noqa: E711 (comme le gabarit)
    return (
        f'<input type="{conditional_escape(widget["type"])}"'
        f' name="{conditional_escape(widget["name"])}"{valeur}{_attributs(widget["attrs"])}>'
    )


def _zone_de_texte(widget: dict) -> str:
    """`django/forms/widgets/textarea.html` (le retour à la ligne après la balise ouvrante est
    celui du gabarit; le navigateur l'ignore)."""
    valeur = widget["value"]
    contenu = str(conditional_escape(valeur)) if valeur else ""
    return (
        f'<textarea name="{conditional_escape(widget["name"])}"{_attributs(widget["attrs"])}>\n'
        f"{contenu}</textarea>"
    )


_ECRITS_EN_PYTHON: dict[str, Callable[[dict], str]] = {
    **{
        f"django/forms/widgets/{nom}.html": _champ_de_saisie
        for nom in (
            "input",
            "text",
            "number",
            "email",
            "url",
            "password",
            "hidden",
            "checkbox",
            "date",
            "datetime",
            "time",
            "search",
            "tel",
            "color",
        )
    },
    "django/forms/widgets/textarea.html": _zone_de_texte,
}


class RenduDesFormulaires(DjangoTemplates):
    """Le moteur de formulaires par défaut de Django, plus rapide pour les widgets courants."""

    @cached_property
    def _en_python(self) -> dict[str, Callable[[dict], str]]:
        """Les widgets écrits en Python, si tous les gabarits qu'ils remplacent (et ceux qu'ils
        incluent : `input.html`, `attrs.html`) sont bien ceux de Django; sinon aucun."""
        gabarits = {*_ECRITS_EN_PYTHON, "django/forms/widgets/attrs.html"}
        if all(
            Path(self.get_template(nom).origin.name).is_relative_to(_GABARITS_DE_DJANGO)
            for nom in gabarits
        ):
            return _ECRITS_EN_PYTHON
        return {}

    def render(self, template_name, context, request=None):
        ecrire = self._en_python.get(template_name)
        if ecrire is None or set(context) != {"widget"}:
            return super().render(template_name, context, request)
        return ecrire(context["widget"]).strip()
