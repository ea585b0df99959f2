"""Formulaires transversaux : langue de l'interface et profil."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from quartiers.models import Utilisateur


class LangueForm(forms.Form):
    langue = forms.ChoiceField(label=_("Langue"), choices=settings.LANGUAGES)
    suivant = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)


class ProfilForm(forms.ModelForm):
    class Meta:
        model = Utilisateur
        fields = ["first_name", "last_name", "langue"]
        labels = {"first_name": _("Prénom"), "last_name": _("Nom")}


class JetonForm(forms.Form):
    nom = forms.CharField(
        label=_("Nom du jeton"),
        max_length=100,
        help_text=_(
            "À quoi il sert, par exemple « tableur de la table » ou « script de recherche »."
        ),
    )
