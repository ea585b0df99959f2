"""Les formulaires de l'administration des indicateurs : ils appellent les règles des services et
des modèles (une seule fois écrites) que les formulaires générés de Django ne connaissent pas."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from indicateurs.models import ChangementVise
from indicateurs.models.strategie import libelle_complet, verifier_changements_de_l_action
from indicateurs.services import verifier_apprentissage
from indicateurs.services_apprentissages import verifier_correction


def changements_nommes():
    """Les changements visés de tous les quartiers, dans l'ordre où les listes les proposent,
    avec ce qu'il faut pour les nommer (`libelle_complet`) sans une requête par choix."""
    return ChangementVise.objects.select_related("strategie__quartier").order_by(
        "strategie__quartier__nom", "-strategie__version", "ordre", "code"
    )


class _ChangementNomme:
    # Dix quartiers ont chacun leur « C1 » : chaque choix dit son quartier et sa version.
    def label_from_instance(self, obj: ChangementVise) -> str:
        return libelle_complet(obj)


class ChangementNommeField(_ChangementNomme, forms.ModelChoiceField):
    pass


class ChangementsNommesField(_ChangementNomme, forms.ModelMultipleChoiceField):
    pass


class ActionAdminForm(forms.ModelForm):
    def clean(self):
        donnees = super().clean()
        quartier, changements = donnees.get("quartier"), donnees.get("changements")
        if quartier is not None and changements:
            try:
                verifier_changements_de_l_action(quartier, changements)
            except ValidationError as erreur:
                self.add_error("changements", erreur)
        return donnees


class ApprentissageAdminForm(forms.ModelForm):
    """Les règles de la page d'ajout et de l'API (`verifier_apprentissage`) : un texte au
    moins, pas de période à venir, un indicateur que le quartier suit, un changement visé d'une
    stratégie du quartier. Une correction suit celles de `verifier_correction` (un rattachement
    inchangé reste admis, la période de sa saisie est gardée)."""

    def clean(self):
        donnees = super().clean()
        # Écrit dans une saisie, il garde son quartier (lecture seule, absent du formulaire).
        lecture_seule = "quartier" not in self.fields
        quartier = self.instance.quartier if lecture_seule else donnees.get("quartier")
        periode = donnees.get("periode")
        if quartier is None or periode is None:  # leur champ dit déjà pourquoi
            return donnees
        valeurs = {
            "periode": periode,
            "texte_fr": donnees.get("texte_fr", ""),
            "texte_en": donnees.get("texte_en", ""),
            "indicateur": donnees.get("indicateur"),
            "changement": donnees.get("changement"),
        }
        try:
            if self.instance.pk and self.instance.quartier_id == quartier.pk:
                textes = verifier_correction(self.instance, **valeurs)
            else:
                textes = verifier_apprentissage(quartier=quartier, **valeurs)
        except ValidationError as erreur:
            self.add_error(None, erreur)
        else:
            donnees["texte_fr"], donnees["texte_en"] = textes
        return donnees
