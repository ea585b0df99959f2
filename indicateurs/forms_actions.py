"""Les formulaires des actions d'un quartier (`views_actions`) : ils lisent ce qui est envoyé;
les règles (registre de la table, changements visés du quartier et d'une version adoptée,
dates) sont celles de `services_actions`, dont les erreurs reviennent à côté de leur champ.

Les listes proposent le registre de la table et les changements des versions adoptées; ce qui
est envoyé se lit plus largement (les partenaires et les changements visés que la personne
voit), pour que le service dise pourquoi un choix ne convient pas (« d'un autre quartier »,
« d'une version en préparation ») au lieu d'un « choix invalide »."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from evalpic.dates import PREMIER_JOUR_PLAUSIBLE, dans_n_annees
from evalpic.forms import ErreursDuServiceMixin
from evalpic.widgets import ListeDeroulante
from indicateurs.models import Action, ChangementVise, StatutStrategie, TypeAction
from indicateurs.services_actions import (
    DonneesAction,
    changements_proposables,
    partenaires_proposables,
)
from quartiers.forms_registre import ChampDate
from quartiers.models import Partenaire, Quartier
from quartiers.services_registre import partenaires_visibles


def libelle_du_changement(changement: ChangementVise) -> str:
    """« C1 — libellé (v2, en vigueur) » : le code et la version distinguent la copie d'un
    changement dans la version suivante."""
    strategie = changement.strategie
    return gettext("%(code)s — %(libelle)s (v%(version)s, %(statut)s)") % {
        "code": changement.code,
        "libelle": changement.libelle,
        "version": strategie.version,
        "statut": StatutStrategie(strategie.statut).label,
    }


def _bornes_des_dates() -> dict:
    """Les bornes de la règle du modèle (`Action.clean`), pour le sélecteur de date du
    navigateur; le service les vérifie de toute façon."""
    return {
        "min": PREMIER_JOUR_PLAUSIBLE.isoformat(),
        "max": dans_n_annees(Action.ANNEES_A_VENIR).isoformat(),
    }


class ActionForm(ErreursDuServiceMixin, forms.Form):
    """Titre, type, description, porteur, partenaires, changements servis, début et fin.
    Deux requêtes pour les listes (les partenaires, les changements)."""

    titre = forms.CharField(label=_("Titre"), max_length=200)
    type_action = forms.ChoiceField(
        label=_("Type d'action"),
        choices=[(valeur, capfirst(libelle)) for valeur, libelle in TypeAction.choices],
        widget=ListeDeroulante,
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    porteur = forms.ModelChoiceField(
        label=_("Porteur de projet"),
        help_text=_("Un partenaire qui participe (ou a participé) à la table du quartier."),
        queryset=Partenaire.objects.none(),
        required=False,
        widget=ListeDeroulante,
    )
    partenaires = forms.ModelMultipleChoiceField(
        label=_("Partenaires impliqués"),
        help_text=_(
            "Les partenaires du registre de la table. Un partenaire absent de la liste s'inscrit "
            "d'abord au registre."
        ),
        queryset=Partenaire.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    changements = forms.ModelMultipleChoiceField(
        label=_("Changements servis"),
        help_text=_(
            "Les changements visés des versions adoptées de la stratégie du quartier, la "
            "version en vigueur d'abord."
        ),
        queryset=ChangementVise.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    debut = forms.DateField(label=_("Début"), widget=ChampDate)
    fin = forms.DateField(
        label=_("Fin"),
        required=False,
        help_text=_("Vide tant que l'action se poursuit; le jour où elle a pris fin sinon."),
        widget=ChampDate,
    )

    def __init__(self, *args, utilisateur, quartier: Quartier, action: Action | None = None, **kw):
        super().__init__(*args, **kw)
        proposables = list(partenaires_proposables(quartier, action))
        choix = [(partenaire.pk, partenaire.nom) for partenaire in proposables]
        # Ce qui est envoyé se lit parmi les partenaires que la personne voit, et ceux proposés.
        lisibles = Partenaire.objects.filter(
            Q(pk__in=partenaires_visibles(utilisateur).values("pk"))
            | Q(pk__in=[partenaire.pk for partenaire in proposables])
        )
        for nom in ("porteur", "partenaires"):
            self.fields[nom].queryset = lisibles
        # Les choix posés à la main : le champ les montre tels quels et ne lit pas de nouveau
        # la liste (`ModelChoiceField._get_choices`).
        self.fields["porteur"].choices = [("", _("Aucun porteur désigné")), *choix]
        self.fields["partenaires"].choices = choix
        self.fields["changements"].queryset = ChangementVise.objects.visibles_de(
            utilisateur
        ).select_related("strategie")
        self.fields["changements"].choices = [
            (changement.pk, libelle_du_changement(changement))
            for changement in changements_proposables(quartier)
        ]
        for nom in ("debut", "fin"):
            self.fields[nom].widget.attrs.update(_bornes_des_dates())
        if action is not None and not self.is_bound:
            self.initial = initial_de_l_action(action)

    def donnees(self) -> DonneesAction:
        donnees = self.cleaned_data
        return DonneesAction(
            titre=donnees["titre"],
            type_action=donnees["type_action"],
            description=donnees["description"],
            porteur=donnees["porteur"],
            partenaires=tuple(donnees["partenaires"]),
            changements=tuple(donnees["changements"]),
            debut=donnees["debut"],
            fin=donnees["fin"],
        )


def initial_de_l_action(action: Action) -> dict:
    """Ce que le formulaire montre d'une action enregistrée : les changements servis des
    versions adoptées seulement (ceux d'un brouillon ne sont pas des choix)."""
    publies = [
        changement.pk
        for changement in action.changements.all()
        if changement.strategie.statut != StatutStrategie.BROUILLON
    ]
    return {
        "titre": action.titre,
        "type_action": action.type_action,
        "description": action.description,
        "porteur": action.porteur_id,
        "partenaires": [partenaire.pk for partenaire in action.partenaires.all()],
        "changements": publies,
        "debut": action.debut,
        "fin": action.fin,
    }


class FinForm(ErreursDuServiceMixin, forms.Form):
    """La date de fin d'une action qu'on termine."""

    fin = forms.DateField(
        label=_("Fin"),
        help_text=_("Le jour où l'action a pris fin (ou prendra fin)."),
        widget=ChampDate,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fin"].widget.attrs.update(_bornes_des_dates())
