"""Les widgets écrits en Python (evalpic/rendu_formulaires.py) : le même HTML que les gabarits de
Django, à l'octet près, et les gabarits reprennent la main s'ils sont remplacés."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal
from pathlib import Path
from unittest import mock

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.template.backends.django import DjangoTemplates as MoteurDjango
from django.utils.functional import cached_property
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy, override

from evalpic.rendu_formulaires import RenduDesFormulaires

WIDGETS = [
    forms.TextInput,
    forms.NumberInput,
    forms.EmailInput,
    forms.URLInput,
    forms.PasswordInput,
    lambda **k: forms.PasswordInput(render_value=True, **k),
    forms.HiddenInput,
    forms.CheckboxInput,
    forms.DateInput,
    forms.DateTimeInput,
    forms.TimeInput,
    forms.SearchInput,
    forms.TelInput,
    forms.ColorInput,
    forms.Textarea,
]

VALEURS = [
    None,
    "",
    " ",
    "abc",
    "12 345,5",
    "<b>\"guillemets\" & 'apostrophes'</b>",
    "ligne 1\nligne 2",
    "\u00e9t\u00e9 \u2014 \u00ab x \u00bb",
    0,
    12.5,
    Decimal("1.50"),
    True,
    False,
    mark_safe("<i>déjà sûr</i>"),
    gettext_lazy("Courriel"),
    ("a", "b"),
    datetime.date(2026, 11, 27),
]

ATTRIBUTS = [
    {},
    {"id": "id_v12", "required": True, "disabled": False},
    {
        "placeholder": '<x> & "y"',
        "aria-describedby": "id_v12_helptext id_v12_error",
        "aria-invalid": "true",
        "maxlength": 10,
        "step": "any",
        "rows": 2,
        "data-sur": mark_safe("&amp;"),
        "title": gettext_lazy("cible"),
        "inputmode": "decimal",
        "autocomplete": "off",
        "vide": "",
        "zero": 0,
        "aucun": None,
    },
]


@pytest.mark.parametrize("langue", ["fr", "en"])
def test_chaque_widget_courant_ecrit_le_html_des_gabarits_de_django(langue):
    python, gabarits = RenduDesFormulaires(), DjangoTemplates()
    assert python._en_python, "les gabarits de Django doivent être reconnus"
    with override(langue):
        for fabrique, valeur, attrs in itertools.product(WIDGETS, VALEURS, ATTRIBUTS):
            widget = fabrique(attrs={"class": "champ"})
            attendu = widget.render("v12", valeur, attrs=dict(attrs), renderer=gabarits)
            obtenu = widget.render("v12", valeur, attrs=dict(attrs), renderer=python)
            assert obtenu == attendu, (fabrique, valeur, attrs)


class _Formulaire(forms.Form):
    nom = forms.CharField(label="Nom", help_text="Votre nom", max_length=20)
    valeur = forms.DecimalField(required=False)
    texte = forms.CharField(widget=forms.Textarea, required=False)
    accord = forms.BooleanField(required=False)
    lien = forms.URLField(required=False, assume_scheme="https")
    choix = forms.ChoiceField(choices=[("a", "A <b>"), ("b", "B")])
    jour = forms.DateField(widget=forms.SelectDateWidget, required=False)


def test_un_formulaire_entier_avec_ses_erreurs_est_le_meme_avec_les_deux_moteurs():
    donnees = {"nom": "<script>" * 5, "valeur": "abc", "texte": "a & b", "lien": "pas une url"}
    rendus = [
        str(_Formulaire(donnees, renderer=moteur))
        for moteur in (DjangoTemplates(), RenduDesFormulaires())
    ]
    assert rendus[0] == rendus[1]
    assert 'aria-invalid="true"' in rendus[1] and "<select" in rendus[1]


def test_le_site_rend_ses_widgets_sans_passer_par_les_gabarits():
    moteur = get_default_renderer()
    assert isinstance(moteur, RenduDesFormulaires)
    with mock.patch.object(DjangoTemplates, "render", side_effect=AssertionError("gabarit")):
        html = forms.TextInput().render("v1", "12", renderer=moteur)
        html += forms.Textarea().render("c1", "texte", renderer=moteur)
    assert html == (
        '<input type="text" name="v1" value="12">'
        '<textarea name="c1" cols="40" rows="10">\ntexte</textarea>'
    )


class _MoteurAvecGabaritRemplace(RenduDesFormulaires):
    dossier: Path

    @cached_property
    def engine(self):
        return MoteurDjango(
            {
                "APP_DIRS": True,
                "DIRS": [self.dossier, Path(forms.__file__).parent / "templates"],
                "NAME": "djangoforms-test",
                "OPTIONS": {},
            }
        )


def test_un_gabarit_de_widget_remplace_reprend_la_main(tmp_path):
    widgets = tmp_path / "django" / "forms" / "widgets"
    widgets.mkdir(parents=True)
    (widgets / "input.html").write_text('<input class="maison" name="{{ widget.name }}">')
    moteur = _MoteurAvecGabaritRemplace()
    moteur.dossier = tmp_path
    assert moteur._en_python == {}
    assert (
        forms.TextInput().render("v1", "12", renderer=moteur) == '<input class="maison" name="v1">'
    )
    assert forms.Textarea(attrs={"rows": 2}).render("c1", "x", renderer=moteur) == (
        '<textarea name="c1" cols="40" rows="2">\nx</textarea>'
    )
