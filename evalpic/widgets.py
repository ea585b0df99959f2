"""Des widgets de formulaire rendus en Python, pour les listes longues des pages fréquentes."""

from __future__ import annotations

from django import forms
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString


def _attributs(attrs: dict) -> str:
    """Comme `django/forms/widgets/attrs.html` : ` nom="valeur"`, ` nom` seul pour True, rien
    pour False."""
    return "".join(
        f" {conditional_escape(nom)}"
        + ("" if valeur is True else f'="{conditional_escape(str(valeur))}"')
        for nom, valeur in attrs.items()
        if valeur is not False
    )


class ListeDeroulante(forms.Select):
    """Une liste déroulante rendue en Python, à l'octet près ce que rend `forms.Select` par ses
    gabarits (tests/evalpic/test_widgets.py), sans leur coût : Django inclut deux gabarits par
    option, ~35 µs l'option; les deux listes de trimestres des filtres d'un tableau de bord
    coûtaient ~6 ms à chaque page. Même contexte (`get_context`), donc mêmes options, même
    sélection, mêmes attributs (id, required, aria-*)."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        morceaux = [f'<select name="{conditional_escape(widget["name"])}"']
        morceaux.append(_attributs(widget["attrs"]) + ">")
        for groupe, options, _rang in widget["optgroups"]:
            if groupe:
                morceaux.append(f'\n  <optgroup label="{conditional_escape(groupe)}">')
            for option in options:
                valeur = conditional_escape(str(option["value"]))
                morceaux.append(
                    f'\n  <option value="{valeur}"{_attributs(option["attrs"])}>'
                    f"{conditional_escape(option['label'])}</option>\n"
                )
            if groupe:
                morceaux.append("\n  </optgroup>")
        morceaux.append("\n</select>")
        return SafeString("".join(morceaux))
