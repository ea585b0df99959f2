"""Les filtres de l'export des valeurs, gardés dans l'adresse : un filtre invalide répond 400
avec son message, à côté du champ."""

from __future__ import annotations

from functools import cache

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from evalpic.widgets import ListeDeroulante
from indicateurs.models import Indicateur, ModeCollecte, Periode, StatutSaisie
from indicateurs.models.saisies import annee_et_trimestre
from quartiers.acces import Droit, quartiers_accessibles
from rapports.export_valeurs import STATUTS_TRANSMIS, FiltresExport


class ExportValeursForm(forms.Form):
    """Les choix (quartiers visibles, périodes, indicateurs) ne sont lus que si le formulaire
    est affiché ou si le filtre correspondant est donné, et une seule fois chacun : un export
    sans filtre ne coûte aucune requête de plus. Une fonction de choix est relue à chaque
    parcours (`Select.use_required_attribute` en lit la première option avant le rendu) :
    `functools.cache` la garde lue pour ce formulaire."""

    quartier = forms.ChoiceField(widget=ListeDeroulante, label=_("Quartier"), required=False)
    debut = forms.ChoiceField(widget=ListeDeroulante, label=_("De"), required=False)
    fin = forms.ChoiceField(widget=ListeDeroulante, label=_("À"), required=False)
    indicateur = forms.ChoiceField(widget=ListeDeroulante, label=_("Indicateur"), required=False)
    statut = forms.ChoiceField(
        widget=ListeDeroulante,
        label=_("Statut de la saisie"),
        required=False,
        choices=[
            ("", _("tous, brouillons compris")),
            (STATUTS_TRANSMIS, _("transmises (soumises ou validées)")),
            *StatutSaisie.choices,
        ],
    )

    def __init__(self, *args, utilisateur, **kwargs):
        super().__init__(*args, **kwargs)
        periodes = cache(_periodes)
        self.fields["quartier"].choices = cache(
            lambda: [
                ("", _("tous les quartiers visibles")),
                *quartiers_accessibles(utilisateur, Droit.VOIR)
                .order_by("nom")
                .values_list("slug", "nom"),
            ]
        )
        self.fields["debut"].choices = lambda: [("", _("le début")), *periodes()]
        self.fields["fin"].choices = lambda: [("", _("la dernière période")), *periodes()]
        self.fields["indicateur"].choices = cache(lambda: _indicateurs(utilisateur))

    def clean(self):
        donnees = super().clean()
        debut = annee_et_trimestre(donnees.get("debut", ""))
        fin = annee_et_trimestre(donnees.get("fin", ""))
        if debut and fin and debut > fin:
            self.add_error("fin", _("La fin de l'intervalle précède son début."))
        return donnees

    def filtres(self) -> FiltresExport:
        """Les filtres choisis (à appeler sur un formulaire valide ou non lié)."""
        donnees = self.cleaned_data if self.is_bound else {}
        return FiltresExport(
            quartier=donnees.get("quartier", ""),
            debut=annee_et_trimestre(donnees.get("debut", "")),
            fin=annee_et_trimestre(donnees.get("fin", "")),
            indicateur=donnees.get("indicateur", ""),
            statut=donnees.get("statut", ""),
        )


def _periodes() -> list[tuple[str, str]]:
    """Les trimestres commencés : un trimestre à venir n'a encore aucune valeur à exporter."""
    periodes = Periode.objects.commencees().order_by("annee", "trimestre")
    return [(p.code, p.libelle) for p in periodes]


def _indicateurs(utilisateur) -> list[tuple[str, str]]:
    """Les indicateurs saisis connus de la personne. Un indicateur proposé par un autre
    quartier n'est ni offert ni accepté, comme un code qui n'existe pas; un indicateur calculé
    à partir du registre non plus : il n'a pas de valeurs saisies à exporter (ses mesures sont
    dans les tableaux de bord et les bilans)."""
    nom = "nom_en" if (get_language() or "fr").startswith("en") else "nom_fr"
    lignes = (
        Indicateur.objects.connus_de(utilisateur)
        .exclude(mode=ModeCollecte.CALCULE)
        .order_by("code")
        .values_list("code", nom)
    )
    return [("", _("tous")), *((code, f"{code} — {libelle}") for code, libelle in lignes)]
