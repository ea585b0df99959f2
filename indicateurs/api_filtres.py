"""Les filtres de l'API qui se vérifient, écrits une fois : un code « 2025-T2 » mal écrit
répond 400 « Période attendue sous la forme 2025-T2. » partout (filtres des saisies, des valeurs
et des apprentissages, ouverture d'une saisie), un intervalle dont la fin précède le début
répond 400 avec le message de l'export des valeurs, et un `?quartier=` inconnu, ou d'un quartier
que la personne ne voit pas, répond 400 avec le message de l'export sur chaque liste qui filtre
par quartier (`QuartierFilter`, vérifié par `FiltresVerifies`)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from indicateurs.models.saisies import annee_et_trimestre, periodes_entre
from rapports.forms_export import ExportValeursForm

PERIODE_MAL_ECRITE = gettext_lazy("Période attendue sous la forme 2025-T2.")
# Le message de l'export des valeurs (`rapports.forms_export.ExportValeursForm`).
FIN_AVANT_DEBUT = gettext_lazy("La fin de l'intervalle précède son début.")
MOTIF_CODE_PERIODE = "^[0-9]{4}-[Tt][1-4]$"


class CodePeriodeFormField(forms.CharField):
    """Un code de période lu en (année, trimestre) (`annee_et_trimestre`); vide : None."""

    default_error_messages = {"invalid": PERIODE_MAL_ECRITE}

    def to_python(self, value):
        texte = super().to_python(value)
        if texte in self.empty_values:
            return None
        annee_trimestre = annee_et_trimestre(texte)
        if annee_trimestre is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return annee_trimestre


@extend_schema_field({"type": "string", "pattern": MOTIF_CODE_PERIODE})
class CodePeriodeField(serializers.CharField):
    """Le code d'une période dans un corps JSON (« 2025-T2 »), vérifié comme les filtres."""

    default_error_messages = {"invalid": PERIODE_MAL_ECRITE}

    def to_internal_value(self, data):
        code = super().to_internal_value(data)
        if annee_et_trimestre(code) is None:
            self.fail("invalid")
        return code


class PeriodeFilter(filters.CharFilter):
    """Une borne de période : `borne` vaut « periode » (ce trimestre), « debut » ou « fin »
    (incluses), sur le chemin `chemin_periode` du jeu de filtres."""

    field_class = CodePeriodeFormField

    def __init__(self, *args, borne: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.borne = borne

    def filter(self, qs, value):
        if value is None:
            return qs
        bornes = {"debut": value, "fin": value} if self.borne == "periode" else {self.borne: value}
        return qs.filter(periodes_entre(self.parent.chemin_periode, **bornes))


class QuartierFilter(filters.CharFilter):
    """Le filtre `quartier` d'une liste : le slug d'un quartier visible. `FiltresVerifies` le
    vérifie : inconnu ou invisible, il répond 400 avec le message de l'export des valeurs, au
    lieu d'une liste vide."""

    def __init__(self, field_name: str = "quartier__slug", **kwargs):
        kwargs.setdefault("label", gettext_lazy("quartier (slug)"))
        kwargs.setdefault(
            "help_text",
            gettext_lazy(
                "Slug d'un quartier visible; un slug inconnu, ou d'un quartier invisible, "
                "répond 400."
            ),
        )
        super().__init__(field_name=field_name, **kwargs)


class FiltresVerifies(filters.FilterSet):
    """Un jeu de filtres qui vérifie ses règles dans `verifier`, les erreurs de chaque filtre
    ensemble dans un seul 400. Les filtres nommés dans `filtres_de_l_export` (`quartier`, s'il
    y en a un) sont vérifiés par le formulaire de l'export des valeurs
    (`rapports.forms_export.ExportValeursForm`), qui en décide seul : mêmes choix (les quartiers
    visibles; les indicateurs saisis connus de la personne), mêmes messages. Un quartier
    invisible y est exactement un quartier inconnu; une requête par filtre donné."""

    filtres_de_l_export: tuple[str, ...] = ("quartier",)

    def get_form_class(self):
        filtres = self
        formulaire = super().get_form_class()

        class Formulaire(formulaire):
            def clean(self):
                donnees = super().clean()
                filtres.verifier(self, donnees)
                return donnees

        Formulaire.__name__ = formulaire.__name__
        return Formulaire

    def verifier(self, formulaire: forms.Form, donnees: dict) -> None:
        choix = {
            nom: donnees[nom]
            for nom in self.filtres_de_l_export
            if nom in self.filters and donnees.get(nom)
        }
        if not choix:
            return
        export = ExportValeursForm(choix, utilisateur=self.request.user)
        # Les erreurs elles-mêmes (gabarit et paramètres), pas leur texte déjà formaté :
        # django-filters reformate chaque message avec ses paramètres, et un « % » de la valeur
        # reçue (« ?quartier=50% ») cassait ce formatage (500 au lieu de 400).
        erreurs = export.errors.as_data()
        for nom in choix:
            for erreur in erreurs.get(nom, []):
                formulaire.add_error(nom, erreur)


class FiltresParPeriode(FiltresVerifies):
    """`periode`, `periode_debut` et `periode_fin` : codes « 2025-T2 », bornes incluses, la fin
    jamais avant le début."""

    chemin_periode = "periode"
    periode = PeriodeFilter(
        borne="periode",
        label=gettext_lazy("période (2025-T2)"),
        help_text=gettext_lazy("Une période : « 2025-T2 »."),
    )
    periode_debut = PeriodeFilter(
        borne="debut",
        label=gettext_lazy("période de début (2024-T1)"),
        help_text=gettext_lazy("Depuis « 2024-T1 »."),
    )
    periode_fin = PeriodeFilter(
        borne="fin",
        label=gettext_lazy("période de fin (2025-T4)"),
        help_text=gettext_lazy("Jusqu'à « 2025-T4 »."),
    )

    def verifier(self, formulaire: forms.Form, donnees: dict) -> None:
        super().verifier(formulaire, donnees)
        debut, fin = donnees.get("periode_debut"), donnees.get("periode_fin")
        if debut and fin and debut > fin:
            formulaire.add_error("periode_fin", FIN_AVANT_DEBUT)
