"""Formulaires des comptes : ceux d'allauth, dans les mots du site (« courriel »)."""

from allauth.account.forms import LoginForm, ResetPasswordForm
from django import forms
from django.utils.translation import gettext_lazy as _

# Django et allauth disent « adresse e-mail » (« Saisissez une adresse e-mail valide. »).
COURRIEL_INVALIDE = _("Saisissez une adresse courriel valide.")


class ConnexionForm(LoginForm):
    """Le formulaire d'allauth, dont le champ du courriel parle comme le site : son libellé (que
    seul l'ordre des applications faisait venir de django.contrib.auth), son texte indicatif
    (« Adresse e-mail » chez allauth) et son message d'erreur."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        champ = self.fields["login"]
        champ.label = _("Courriel")
        champ.widget.attrs["placeholder"] = _("Courriel")
        champ.error_messages["invalid"] = COURRIEL_INVALIDE


class ReinitialisationMotDePasseForm(ResetPasswordForm):
    """Le formulaire d'allauth, avec la longueur maximale d'un courriel (254 caractères)."""

    email = forms.EmailField(
        label=_("Courriel"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"invalid": COURRIEL_INVALIDE},
    )
