"""Les formulaires de l'administration des indicateurs : ils appellent les règles des services et
des modèles (une seule fois écrites) que les formulaires générés de Django ne connaissent pas."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from indicateurs import services_apprentissages
from indicateurs.models import Apprentissage, ChangementVise
from indicateurs.models.strategie import libelle_complet, verifier_changements_de_l_action
from indicateurs.services import verifier_apprentissage
from indicateurs.services_apprentissages import CHAMPS_ADMINISTRES, verifier_correction
from indicateurs.validation import lire_nombre


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


class NombreLuCommeLaSaisieField(forms.DecimalField):
    """Une valeur de référence ou une cible lue comme une valeur du formulaire trimestriel
    (`validation.lire_nombre`) : « 1e3 » ou « 1.2E+07 » sont refusés avec le nombre sans
    exposant proposé, au lieu d'être lus 1 000 en silence; « 12,5 » se lit comme « 12.5 ». Le
    modèle vérifie ensuite les bornes de l'unité."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        return lire_nombre(str(value))


NOMBRES_LUS_COMME_LA_SAISIE = {models.DecimalField: {"form_class": NombreLuCommeLaSaisieField}}


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
    inchangé reste admis, la période de sa saisie est gardée).

    Et la garde de la page de correction : le formulaire porte, cachée, la version de
    l'apprentissage à son ouverture (`services_apprentissages.empreinte`, faite ici aussi du
    quartier et de l'auteur·e, que seule l'administration change). Si quelqu'un l'a modifié
    depuis (page, API, autre administrateur·rice), rien n'est écrit : une erreur dit ce qui est
    enregistré maintenant, et le formulaire porte la version actuelle, pour qu'un nouvel envoi
    remplace en connaissance de cause. `ApprentissageAdmin` verrouille la ligne pendant l'envoi
    et écrit par `services_apprentissages.ecrire_si_inchange`."""

    version = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and "version" in self.fields:
            self.fields["version"].initial = services_apprentissages.empreinte(
                self.instance, CHAMPS_ADMINISTRES
            )

    def clean(self):
        donnees = super().clean()
        if self.instance.pk and not self._version_a_jour(donnees.get("version")):
            return donnees
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

    def _version_a_jour(self, version: str | None) -> bool:
        """Faux, avec l'erreur qui dit ce qui est enregistré maintenant, si l'apprentissage a
        changé depuis l'ouverture du formulaire. Sans version (un envoi qui ne la porte pas),
        pas de garde, comme la page."""
        if not version:
            return True
        actuel = (
            Apprentissage.objects.select_related(
                "quartier", "periode", "indicateur", "changement__strategie__quartier", "auteur"
            )
            .filter(pk=self.instance.pk)
            .first()
        )
        if (
            actuel is None
            or services_apprentissages.empreinte(actuel, CHAMPS_ADMINISTRES) == version
        ):
            return True  # (retiré : impossible, `ApprentissageAdmin` tient le verrou)
        erreurs = [
            _(
                "Quelqu'un a corrigé cet apprentissage pendant que vous le corrigiez. Rien de ce "
                "que vous avez envoyé n'a été enregistré."
            ),
            _(
                "Votre correction est restée dans le formulaire. Comparez-la ci-dessous avec ce "
                "qui est enregistré maintenant : si vous enregistrez de nouveau, la vôtre "
                "remplacera l'autre."
            ),
        ]
        for nom, enregistre in self._enregistre_maintenant(actuel):
            erreurs.append(
                _("Enregistré maintenant — %(champ)s : %(valeur)s")
                % {"champ": capfirst(self.fields[nom].label), "valeur": enregistre or "—"}
            )
        self.add_error(None, erreurs)
        # Le nouvel envoi porte la version actuelle : il remplacera, en connaissance de cause.
        self.data = self.data.copy()
        self.data[self.add_prefix("version")] = services_apprentissages.empreinte(
            actuel, CHAMPS_ADMINISTRES
        )
        return False

    def _enregistre_maintenant(self, actuel: Apprentissage) -> list[tuple[str, str]]:
        """Les champs du formulaire dont l'envoi diffère de l'apprentissage enregistré, avec
        ce qu'il porte maintenant, et ses deux textes s'il en a (comme la page)."""
        lignes = []
        for nom in ("quartier", "periode", "categorie", "indicateur", "changement", "auteur"):
            if nom not in self.fields or nom not in self.cleaned_data:
                continue
            valeur = getattr(actuel, nom)
            envoye = self.cleaned_data[nom]
            if (getattr(envoye, "pk", envoye) or None) == (getattr(valeur, "pk", valeur) or None):
                continue
            if nom == "categorie":
                lignes.append((nom, str(actuel.get_categorie_display())))
            elif nom == "changement" and valeur is not None:
                lignes.append((nom, libelle_complet(valeur)))
            else:
                lignes.append((nom, "" if valeur is None else str(valeur)))
        lignes.extend(
            (nom, getattr(actuel, nom))
            for nom in ("texte_fr", "texte_en")
            if nom in self.fields and getattr(actuel, nom)
        )
        return lignes
