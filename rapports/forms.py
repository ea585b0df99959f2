"""Les filtres des tableaux de bord, gardés dans l'adresse pour qu'une vue se partage."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from evalpic.widgets import ListeDeroulante
from indicateurs.models import Famille, Periode, StatutPeriode, Theme
from rapports.lectures import Filtre

NB_PERIODES_PAR_DEFAUT = 12


class FiltreForm(forms.Form):
    debut = forms.ChoiceField(widget=ListeDeroulante, label=_("De"), required=False)
    fin = forms.ChoiceField(widget=ListeDeroulante, label=_("À"), required=False)
    theme = forms.ChoiceField(widget=ListeDeroulante, label=_("Thème"), required=False)
    famille = forms.ChoiceField(
        widget=ListeDeroulante,
        label=_("Famille"),
        required=False,
        choices=[("", _("toutes")), *Famille.choices],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.periodes = list(
            Periode.objects.exclude(statut=StatutPeriode.A_VENIR).order_by("debut")
        )
        choix = [(p.code, p.libelle) for p in self.periodes]
        self.fields["debut"].choices = [("", self._debut_par_defaut()), *choix]
        self.fields["fin"].choices = [("", _("la dernière période")), *choix]
        self.fields["theme"].choices = [("", _("tous"))] + [
            (t.code, t.nom) for t in Theme.objects.all()
        ]

    def _debut_par_defaut(self) -> str:
        """Sans début choisi, le tableau montre les douze trimestres qui finissent à « À »
        (`filtre`), et non tout depuis le début : le choix vide le dit, avec le nombre qu'il
        montrera s'il y en a moins (moins de douze trimestres commencés, ou « À » plus tôt)."""
        codes = [p.code for p in self.periodes]
        fin = self["fin"].data if self.is_bound else None
        rang_fin = codes.index(fin) + 1 if fin in codes else len(codes)
        nombre = min(NB_PERIODES_PAR_DEFAUT, rang_fin)
        if nombre == 0:
            return _("aucun trimestre commencé")
        return ngettext(
            "le trimestre « À » seul", "les %(nombre)s trimestres finissant à « À »", nombre
        ) % {"nombre": nombre}

    def clean(self):
        donnees = super().clean()
        codes = [p.code for p in self.periodes]
        debut, fin = donnees.get("debut"), donnees.get("fin")
        if debut and fin and codes.index(debut) > codes.index(fin):
            self.add_error("fin", _("La fin de l'intervalle précède son début."))
        return donnees

    def filtre(self) -> Filtre:
        """Le filtre choisi; sans choix, les douze dernières périodes."""
        donnees = self.cleaned_data if self.is_bound and self.is_valid() else {}
        codes = [p.code for p in self.periodes]
        fin = codes.index(donnees["fin"]) + 1 if donnees.get("fin") else len(codes)
        if donnees.get("debut"):
            debut = codes.index(donnees["debut"])
        else:
            debut = max(0, fin - NB_PERIODES_PAR_DEFAUT)
        return Filtre(
            periodes=tuple(self.periodes[debut:fin]),
            theme=donnees.get("theme", ""),
            famille=donnees.get("famille", ""),
        )
