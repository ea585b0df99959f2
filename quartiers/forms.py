"""Formulaires des comptes : ceux d'allauth, dans les mots du site (« courriel »)."""

from allauth.account.forms import AddEmailForm, LoginForm, ResetPasswordForm
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


class AjoutCourrielForm(AddEmailForm):
    """Le formulaire d'allauth qui ajoute un courriel au compte (/comptes/email/) : le champ
    dit « Courriel » (« E-mail » chez allauth, avec le texte indicatif « Adresse e-mail »), avec
    la longueur maximale d'un courriel (254 caractères) et les messages du site."""

    email = forms.EmailField(
        label=_("Courriel"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"invalid": COURRIEL_INVALIDE},
    )

    def clean_email(self) -> str:
        try:
            return super().clean_email()
        except forms.ValidationError as erreur:
            # « Cette adresse e-mail est déjà associée à ce compte. » chez allauth.
            if erreur.code == "duplicate_email":
                raise forms.ValidationError(
                    _("Ce courriel est déjà associé à votre compte."), code=erreur.code
                ) from erreur
            raise
