"""Formulaires transversaux : langue de l'interface et profil, et ce que partagent les
formulaires des applications (`ErreursDuServiceMixin`)."""

import uuid

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from quartiers.models import Utilisateur


class ErreursDuServiceMixin:
    """Pour un formulaire dont un service vérifie les données : ses `ValidationError` par champ
    (mêmes noms que les champs) se placent à côté du champ, les autres en tête."""

    def erreurs_du_service(self, erreur: ValidationError) -> None:
        """Les erreurs du service à côté de leur champ (mêmes noms), les autres en tête."""
        if not hasattr(erreur, "error_dict"):
            self.add_error(None, erreur.messages)
            return
        for champ, messages in erreur.message_dict.items():
            self.add_error(champ if champ in self.fields else None, messages)


class LangueForm(forms.Form):
    langue = forms.ChoiceField(label=_("Langue"), choices=settings.LANGUAGES)
    suivant = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)


class ProfilForm(forms.ModelForm):
    class Meta:
        model = Utilisateur
        fields = ["first_name", "last_name", "langue"]
        # « Nom » d'une personne (nom de famille), distinct du « Nom » d'un objet (jeton,
        # indicateur) : l'anglais dit « Last name » pour l'un, « Name » pour l'autre.
        labels = {"first_name": _("Prénom"), "last_name": pgettext_lazy("personne", "Nom")}
        # Le navigateur propose le nom de la personne (WCAG 1.3.5, finalité des champs).
        widgets = {
            "first_name": forms.TextInput(attrs={"autocomplete": "given-name"}),
            "last_name": forms.TextInput(attrs={"autocomplete": "family-name"}),
        }


class JetonForm(forms.Form):
    nom = forms.CharField(
        label=_("Nom du jeton"),
        max_length=100,
        help_text=_(
            "À quoi il sert, par exemple « tableur de la table » ou « script de recherche »."
        ),
    )
    # Une clé par affichage du formulaire : l'envoyer deux fois ne crée qu'un jeton.
    envoi = forms.CharField(required=False, widget=forms.HiddenInput, initial=uuid.uuid4)

    def clean_envoi(self) -> uuid.UUID | None:
        """Une clé illisible (formulaire fabriqué) vaut l'absence de clé : rien à dédoublonner,
        plutôt qu'un refus sans message visible (le champ est caché)."""
        try:
            return uuid.UUID(self.cleaned_data["envoi"])
        except ValueError:
            return None
