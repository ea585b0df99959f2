"""Formulaires du registre des partenaires d'une table : inscrire un partenaire (déjà connu ou
nouveau) avec sa participation, modifier une participation, modifier la fiche d'un partenaire.
Les règles (chevauchement, fin avant le début, nom déjà pris) sont celles du service
(`quartiers.services_registre`); ses erreurs se placent à côté des champs."""

from __future__ import annotations

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from evalpic.dates import PREMIER_JOUR_PLAUSIBLE, dans_n_annees
from evalpic.forms import ErreursDuServiceMixin
from evalpic.widgets import ListeDeroulante
from quartiers.models import Partenaire, Participation, RoleParticipation, Secteur
from quartiers.services_registre import DonneesPartenaire, partenaires_visibles


class ChampDate(forms.DateInput):
    """Le sélecteur de date du navigateur; la valeur voyage au format ISO (AAAA-MM-JJ)."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class FicheForm(ErreursDuServiceMixin, forms.Form):
    """La fiche d'un partenaire, commune à toutes ses tables."""

    nom = forms.CharField(label=_("Nom"), max_length=200)
    secteur = forms.ModelChoiceField(
        label=_("Secteur"),
        queryset=Secteur.objects.all(),
        empty_label=_("Choisissez un secteur"),
        widget=ListeDeroulante,
    )
    acteur_influence = forms.BooleanField(
        label=_("Acteur d'influence"),
        help_text=Partenaire._meta.get_field("acteur_influence").help_text,
        required=False,
    )
    site_web = forms.URLField(
        label=_("Site web"), required=False, max_length=200, assume_scheme="https"
    )

    def fiche(self) -> DonneesPartenaire:
        donnees = self.cleaned_data
        return DonneesPartenaire(
            nom=donnees["nom"],
            secteur=donnees["secteur"],
            acteur_influence=donnees["acteur_influence"],
            site_web=donnees["site_web"],
        )


class ParticipationForm(ErreursDuServiceMixin, forms.Form):
    """Rôle, début et fin (facultative : vide tant que le partenaire siège)."""

    role = forms.ChoiceField(
        label=_("Rôle"),
        choices=[(valeur, capfirst(libelle)) for valeur, libelle in RoleParticipation.choices],
        initial=RoleParticipation.MEMBRE,
        widget=ListeDeroulante,
    )
    debut = forms.DateField(label=_("Début"), widget=ChampDate)
    fin = forms.DateField(
        label=_("Fin"),
        required=False,
        help_text=_("Vide tant que le partenaire siège à la table; sa date de départ sinon."),
        widget=ChampDate,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Les bornes de la règle du modèle (`Participation.clean`), pour le sélecteur de date
        # du navigateur; le service les vérifie de toute façon.
        bornes = {
            "min": PREMIER_JOUR_PLAUSIBLE.isoformat(),
            "max": dans_n_annees(Participation.ANNEES_A_VENIR).isoformat(),
        }
        for champ in ("debut", "fin"):
            self.fields[champ].widget.attrs.update(bornes)

    def participation(self) -> dict:
        return {champ: self.cleaned_data[champ] for champ in ("role", "debut", "fin")}


class InscriptionForm(ParticipationForm, FicheForm):
    """Un partenaire déjà inscrit à une table visible (une organisation siège souvent à
    plusieurs) ou un nouveau, puis sa participation. Deux requêtes pour les listes."""

    partenaire = forms.ModelChoiceField(
        label=_("Partenaire déjà inscrit"),
        help_text=_("Une organisation qui siège déjà à une table que vous voyez."),
        queryset=Partenaire.objects.none(),
        required=False,
        widget=ListeDeroulante,
    )

    field_order = ["partenaire", "nom", "secteur", "acteur_influence", "site_web"]

    def __init__(self, *args, utilisateur, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partenaire"].queryset = partenaires_visibles(utilisateur).order_by("nom")
        self.fields["partenaire"].empty_label = _("Un nouveau partenaire (ci-dessous)")
        self.fields["nom"].label = _("Nom du nouveau partenaire")
        for champ in ("nom", "secteur"):  # exigés pour un nouveau partenaire seulement
            self.fields[champ].required = False

    def clean(self):
        donnees = super().clean()
        if donnees.get("nom", "").strip() and not donnees.get("secteur"):
            self.add_error("secteur", _("Le secteur du nouveau partenaire est obligatoire."))
        return donnees

    def arguments(self) -> dict:
        """Les arguments de `inscrire_partenaire` : le partenaire choisi, ou la fiche du
        nouveau dès qu'un nom est donné (le service refuse les deux à la fois)."""
        nouveau = self.fiche() if self.cleaned_data["nom"].strip() else None
        return {
            "partenaire": self.cleaned_data["partenaire"],
            "nouveau": nouveau,
            **self.participation(),
        }
