"""Demander un bilan."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from evalpic.widgets import ListeDeroulante
from indicateurs.models import Periode
from indicateurs.models.saisies import StatutPeriode, annee_et_trimestre
from quartiers.acces import Droit, peut_generer_bilan_pic, quartiers_accessibles
from rapports.models import Portee


class DemandeBilanForm(forms.Form):
    quartier = forms.ChoiceField(widget=ListeDeroulante, label=_("Portée"))
    periode = forms.ChoiceField(widget=ListeDeroulante, label=_("Période"))
    langue = forms.ChoiceField(label=_("Langue"), choices=settings.LANGUAGES)

    def __init__(self, *args, utilisateur, **kwargs):
        super().__init__(*args, **kwargs)
        # Par défaut, la langue de l'interface : demandé depuis l'anglais, le bilan est anglais.
        self.fields["langue"].initial = translation.get_language() or settings.LANGUAGE_CODE
        choix = []
        if peut_generer_bilan_pic(utilisateur):
            choix.append((Portee.PIC, _("Tout le PIC")))
        quartiers = quartiers_accessibles(utilisateur, Droit.GENERER_BILAN).order_by("nom")
        self.quartiers = {q.slug: q for q in quartiers}
        choix += [(q.slug, q.nom) for q in quartiers]
        self.fields["quartier"].choices = choix
        periodes = list(Periode.objects.commencees())
        annees = sorted({p.annee for p in periodes}, reverse=True)
        self.fields["periode"].choices = [(p.code, p.libelle) for p in periodes] + [
            (str(a), capfirst(_("année %(annee)s") % {"annee": a})) for a in annees
        ]
        # Par défaut, le dernier trimestre fermé, celui dont le calendrier produit les bilans
        # (`services.planifier_bilans`), et non le trimestre ouvert, encore en saisie.
        fermees = (p for p in periodes if p.statut == StatutPeriode.FERMEE)
        self.fields["periode"].initial = next((p.code for p in fermees), None)

    def arguments(self) -> dict:
        """Les arguments de `demander_bilan` tirés du formulaire valide."""
        cle = self.cleaned_data["quartier"]
        code = self.cleaned_data["periode"]  # un choix validé : « 2025-T2 » ou « 2025 »
        annee, trimestre = annee_et_trimestre(code) or (int(code), None)
        return {
            "portee": Portee.PIC if cle == Portee.PIC else Portee.QUARTIER,
            "quartier": self.quartiers.get(cle),
            "annee": annee,
            "trimestre": trimestre,
            "langue": self.cleaned_data["langue"],
        }


class ComparaisonForm(forms.Form):
    """Les deux bilans cochés dans la liste : deux identifiants, différents."""

    a = forms.IntegerField(min_value=1, max_value=2**31 - 1)
    b = forms.IntegerField(min_value=1, max_value=2**31 - 1)

    def clean(self):
        donnees = super().clean()
        if self.errors:
            raise forms.ValidationError(
                _("Choisissez deux bilans prêts dans la liste : un bilan A et un bilan B."),
                code="choix",
            )
        if donnees["a"] == donnees["b"]:
            raise forms.ValidationError(
                _("A et B sont le même bilan : choisissez deux bilans différents."),
                code="meme_bilan",
            )
        return donnees
