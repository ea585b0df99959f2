"""Formulaires des comptes."""

from allauth.account.forms import ResetPasswordForm
from django import forms
from django.utils.translation import gettext_lazy as _


class ReinitialisationMotDePasseForm(ResetPasswordForm):
    """Le formulaire d'allauth, avec la longueur maximale d'un courriel (254 caractères)."""

    email = forms.EmailField(
        label=_("Courriel"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
