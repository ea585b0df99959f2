"""`{% champ %}` (evalpic/templatetags/champs.py) écrit le HTML de l'ancien gabarit
`_partials/_champ.html`, que ce gabarit appelle désormais."""

from __future__ import annotations

import pytest
from django import forms
from django.template import Context, Template
from django.utils.safestring import mark_safe
from django.utils.translation import override

# L'ancien gabarit, tel qu'il était avant la balise (la référence du HTML attendu).
ANCIEN_GABARIT = '{% comment %}Un champ de formulaire : libellé, aide, widget, erreurs. aide_apres=True met l\'aide après\nle widget (quand elle contient un lien, l\'ordre de tabulation reste libellé → champ → lien).{% endcomment %}{% with id=champ.id_for_label %}\n<div class="champ{% if champ.errors %} champ--erreur{% endif %}">\n  <label for="{{ id }}">{{ champ.label }}{% if champ.field.required %} <span class="requis" aria-hidden="true">*</span>{% endif %}</label>\n  {% if champ.help_text and not aide_apres %}<p class="aide" id="{{ id }}_helptext">{{ champ.help_text }}</p>{% endif %}\n  {{ champ }}\n  {% if champ.help_text and aide_apres %}<p class="aide" id="{{ id }}_helptext">{{ champ.help_text }}</p>{% endif %}\n  {% if champ.errors %}\n    <ul class="erreurs" id="{{ id }}_error">{% for erreur in champ.errors %}<li>{{ erreur }}</li>{% endfor %}</ul>\n  {% endif %}\n</div>\n{% endwith %}\n'


class _Formulaire(forms.Form):
    nom = forms.CharField(
        label="Nom <b> & « x »", help_text="Votre nom & <i>prénom</i>", max_length=5
    )
    lien = forms.URLField(
        required=False,
        assume_scheme="https",
        help_text=mark_safe('Voir <a href="/aide/">l\'aide</a>'),
    )
    accord = forms.BooleanField(required=False, label="D'accord ?")
    texte = forms.CharField(widget=forms.Textarea, required=False)
    cache = forms.CharField(widget=forms.HiddenInput, required=False)
    choix = forms.ChoiceField(choices=[("a", "A"), ("b", "B <b>")], label="")
    jour = forms.DateField(required=False, show_hidden_initial=True)


@pytest.mark.parametrize("langue", ["fr", "en"])
@pytest.mark.parametrize(
    "donnees",
    [
        None,
        {},
        {"nom": "<script>trop long", "lien": "pas une url", "choix": "z", "jour": "31/02"},
        {"nom": "abc", "lien": "https://exemple.org/", "choix": "a", "accord": "on"},
    ],
)
def test_la_balise_ecrit_le_html_de_l_ancien_gabarit(langue, donnees):
    ancien = Template(ANCIEN_GABARIT)
    nouveau = Template("{% load champs %}{% champ champ aide_apres %}")
    with override(langue):
        formulaire = _Formulaire(donnees, auto_id="id_%s" if donnees != {} else False)
        for champ in formulaire:
            for aide_apres in (False, True):
                contexte = {"champ": champ, "aide_apres": aide_apres}
                attendu = ancien.render(Context(contexte)).strip("\n")
                assert nouveau.render(Context(contexte)) == attendu, (champ.name, aide_apres)


def test_le_gabarit_partiel_passe_par_la_balise():
    champ = _Formulaire({"nom": ""})["nom"]
    inclus = Template('{% include "_partials/_champ.html" with champ=c aide_apres=True %}')
    attendu = Template(ANCIEN_GABARIT).render(Context({"champ": champ, "aide_apres": True}))
    assert inclus.render(Context({"c": champ})).strip("\n") == attendu.strip("\n")
