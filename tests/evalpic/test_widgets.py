"""`ListeDeroulante` rend, à l'octet près, ce que rend `forms.Select` par ses gabarits."""

from __future__ import annotations

import pytest
from django import forms
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from evalpic.widgets import ListeDeroulante

CHOIX = [
    ("", gettext_lazy("tous")),
    ("2025-T1", "T1 2025"),
    ("a&b", "Guillemets \" et <balises> & apostrophe '"),
    (3, "un entier"),
    ("sur", mark_safe("<em>déjà sûr</em>")),
    ("Groupe <1>", [("g1", "Premier"), ("g2", "Second")]),
    ("fin", "Fin"),
]
CAS = [
    ("champ", None, None),
    ("champ", "2025-T1", {"id": "id_champ"}),
    ("champ", "g2", {"id": "id_x", "required": True, "disabled": False, "aria-invalid": "true"}),
    ("champ", 3, {"class": 'a"b', "data-n": 4}),
    ("n<om>", "inconnue", {}),
]


@pytest.mark.parametrize("langue", ["fr", "en"])
@pytest.mark.parametrize(("nom", "valeur", "attrs"), CAS)
def test_comme_forms_select(langue, nom, valeur, attrs):
    with translation.override(langue):
        attendu = forms.Select(choices=CHOIX).render(nom, valeur, attrs)
        obtenu = ListeDeroulante(choices=CHOIX).render(nom, valeur, attrs)
    assert obtenu == attendu


def test_dans_un_formulaire_lie_avec_erreur():
    class Formulaire(forms.Form):
        liste = forms.ChoiceField(choices=CHOIX[1:4], widget=ListeDeroulante)
        temoin = forms.ChoiceField(choices=CHOIX[1:4])

    formulaire = Formulaire({"liste": "zzz", "temoin": "zzz"})
    assert not formulaire.is_valid()
    rendu = str(formulaire["liste"])
    assert rendu == str(formulaire["temoin"]).replace("temoin", "liste")
    assert 'aria-invalid="true"' in rendu
