"""Les formulaires du catalogue et du plan de mesure : ils lisent ce qui est envoyé (les nombres
comme le formulaire trimestriel, `validation.lire_nombre`); les règles sont celles des modèles,
appliquées par `services_catalogue`, dont les erreurs reviennent à côté de leur champ."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from evalpic.forms import ErreursDuServiceMixin
from evalpic.widgets import ListeDeroulante
from indicateurs.admin_forms import NombreLuCommeLaSaisieField
from indicateurs.models import (
    Cible,
    Famille,
    Indicateur,
    IndicateurSuivi,
    Periode,
    StatutIndicateur,
    Theme,
)
from indicateurs.services import LONGUEUR_MOTIF_MAX
from indicateurs.services_catalogue import CHAMPS_PROPOSES
from indicateurs.services_definitions import FiltreDuCatalogue
from indicateurs.validation import ecrire_pour_saisie

# Les lignes vides du formulaire d'un suivi, pour ajouter des cibles à d'autres périodes.
NOUVELLES_CIBLES = 3


def _champ_du_modele(modele, nom: str, **options) -> forms.Field:
    """Le champ de formulaire du champ `nom` du modèle : même libellé, mêmes choix, même
    longueur. Les listes se rendent par `ListeDeroulante`."""
    champ = modele._meta.get_field(nom).formfield(**options)
    if isinstance(champ.widget, forms.Select):
        champ.widget = ListeDeroulante(choices=champ.widget.choices)
    return champ


def _champ_nombre(modele, nom: str, **options) -> forms.Field:
    """Un nombre lu comme une valeur du formulaire trimestriel (« 1e3 » refusé, « 12,5 »
    lu 12.5); les bornes de l'unité sont celles du modèle (`clean`)."""
    return _champ_du_modele(
        modele,
        nom,
        form_class=NombreLuCommeLaSaisieField,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        **options,
    )


def _ecrit(valeur: Decimal | None) -> str:
    """Un nombre enregistré tel que le champ le montre et le relit (« 462 », pas « 462.0000 »)."""
    return "" if valeur is None else ecrire_pour_saisie(valeur)


def _champ_date(modele, nom: str) -> forms.Field:
    return _champ_du_modele(
        modele, nom, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class ReferenceMixin:
    """Les trois champs de la référence d'un suivi : valeur, date, source."""

    def _ajouter_la_reference(self, suivi: IndicateurSuivi | None = None) -> None:
        self.fields["valeur_reference"] = _champ_nombre(IndicateurSuivi, "valeur_reference")
        self.fields["date_reference"] = _champ_date(IndicateurSuivi, "date_reference")
        self.fields["source_reference"] = _champ_du_modele(IndicateurSuivi, "source_reference")
        if suivi is not None:
            self.fields["valeur_reference"].initial = _ecrit(suivi.valeur_reference)
            self.fields["date_reference"].initial = suivi.date_reference
            self.fields["source_reference"].initial = suivi.source_reference


class PropositionForm(ErreursDuServiceMixin, ReferenceMixin, forms.Form):
    """Proposer un indicateur : les champs du catalogue (libellés et choix du modèle), puis la
    référence du quartier, facultative."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for nom in CHAMPS_PROPOSES:
            self.fields[nom] = _champ_du_modele(Indicateur, nom)
        self.fields["code"].help_text = _(
            "Lettres minuscules sans accents, chiffres et traits d'union, par exemple "
            "« menages-joints ». Il identifie l'indicateur dans les adresses et les fichiers."
        )
        self.fields["source"].help_text = _("D'où vient la valeur : registre, sondage, etc.")
        self._ajouter_la_reference()
        self.fields["valeur_reference"].help_text = _(
            "Facultative : la valeur de départ du quartier, datée, à laquelle comparer la suite."
        )

    @staticmethod
    def reprise(suivi: IndicateurSuivi) -> dict:
        """Le formulaire rempli de ce qu'avait proposé une proposition refusée (son suivi), pour
        la proposer de nouveau corrigée."""
        initial = {nom: getattr(suivi.indicateur, nom) for nom in CHAMPS_PROPOSES}
        initial.update(
            valeur_reference=_ecrit(suivi.valeur_reference),
            date_reference=suivi.date_reference,
            source_reference=suivi.source_reference,
        )
        return initial

    @property
    def champs_de_l_indicateur(self) -> list:
        return [self[nom] for nom in CHAMPS_PROPOSES]

    @property
    def champs_de_la_reference(self) -> list:
        return [self[nom] for nom in ("valeur_reference", "date_reference", "source_reference")]


class DecisionForm(ErreursDuServiceMixin, forms.Form):
    """Approuver ou refuser une proposition; le motif, exigé par le service pour un refus."""

    APPROUVER, REFUSER = "approuver", "refuser"

    decision = forms.ChoiceField(
        choices=[(APPROUVER, _("Approuver")), (REFUSER, _("Refuser"))],
        widget=forms.HiddenInput,
    )
    motif = forms.CharField(
        label=_("Motif du refus"),
        required=False,
        max_length=LONGUEUR_MOTIF_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Exigé pour refuser : la table le lira sur le plan de son quartier."),
    )
    version = forms.CharField(required=False, widget=forms.HiddenInput)


class SuiviForm(ErreursDuServiceMixin, ReferenceMixin, forms.Form):
    """La référence d'un suivi et ses cibles : un champ par cible existante (`cible_<id de la
    période>`; vide, la cible est retirée), puis `NOUVELLES_CIBLES` lignes période + valeur
    pour en ajouter."""

    version = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, suivi: IndicateurSuivi, periodes: list[Periode], **kwargs):
        super().__init__(*args, **kwargs)
        self.suivi = suivi
        self.periodes = {str(periode.pk): periode for periode in periodes}
        self._ajouter_la_reference(suivi)
        self.fields["version"].initial = suivi.version
        for cible in suivi.cibles_lues:
            self.fields[f"cible_{cible.periode_id}"] = _champ_nombre(
                Cible, "valeur", label=cible.periode.libelle, required=False
            )
            self.fields[f"cible_{cible.periode_id}"].initial = _ecrit(cible.valeur)
        choix = [("", _("Choisir une période"))] + [
            (pk, p.libelle) for pk, p in self.periodes.items()
        ]
        for rang in range(NOUVELLES_CIBLES):
            self.fields[f"periode_{rang}"] = forms.ChoiceField(
                label=_("Période"), choices=choix, required=False, widget=ListeDeroulante
            )
            self.fields[f"nouvelle_{rang}"] = _champ_nombre(
                Cible, "valeur", label=_("Valeur cible"), required=False
            )
        # Nom du champ d'où vient la cible de chaque période (erreurs du service).
        self.champ_de_la_periode: dict[int, str] = {
            cible.periode_id: f"cible_{cible.periode_id}" for cible in suivi.cibles_lues
        }
        # Envoyé depuis une page d'avant (le même envoi reçu deux fois, ou un suivi modifié
        # entre-temps) : ses cibles sont lues telles que cette page les montrait, même celles
        # qui ne sont plus enregistrées, pour que le service compare tout ce qu'il écrirait.
        envoyee = self.data.get("version") if self.is_bound else ""
        self.perimee = bool(envoyee) and envoyee != suivi.version
        self.cibles_disparues: list[Periode] = []
        for cle in list(self.data) if self.perimee else []:
            periode = self.periodes.get(cle[6:]) if cle.startswith("cible_") else None
            if periode is not None and cle not in self.fields:
                self.fields[cle] = _champ_nombre(
                    Cible, "valeur", label=periode.libelle, required=False
                )
                self.cibles_disparues.append(periode)
                self.champ_de_la_periode[periode.pk] = cle

    @property
    def champs_des_cibles(self) -> list:
        return [self[f"cible_{cible.periode_id}"] for cible in self.suivi.cibles_lues]

    @property
    def lignes_nouvelles(self) -> list[tuple]:
        return [
            (self[f"periode_{rang}"], self[f"nouvelle_{rang}"]) for rang in range(NOUVELLES_CIBLES)
        ]

    def clean(self):
        donnees = super().clean()
        for rang in range(NOUVELLES_CIBLES):
            code, valeur = donnees.get(f"periode_{rang}"), donnees.get(f"nouvelle_{rang}")
            if f"periode_{rang}" in self.errors or f"nouvelle_{rang}" in self.errors:
                continue
            if not code and valeur is not None:
                self.add_error(f"periode_{rang}", _("Choisissez la période de cette cible."))
            elif code and valeur is None:
                self.add_error(f"nouvelle_{rang}", _("Donnez la valeur visée pour cette période."))
            elif code:
                periode = self.periodes[code]
                # La page d'avant ne montrait pas cette cible (ajoutée depuis, peut-être par
                # le même envoi) : le service compare, puis écrit ou refuse (409).
                montree = not self.perimee or f"cible_{periode.pk}" in self.data
                if periode.pk in self.champ_de_la_periode and montree:
                    self.add_error(
                        f"periode_{rang}",
                        _("Cette période a déjà une cible : corrigez-la plus haut."),
                    )
                else:
                    self.champ_de_la_periode[periode.pk] = f"nouvelle_{rang}"
        return donnees

    def cibles(self) -> dict[Periode, Decimal | None]:
        """Les cibles envoyées, par période (None : retirée), pour `modifier_suivi`."""
        cibles: dict[Periode, Decimal | None] = {
            cible.periode: self.cleaned_data.get(f"cible_{cible.periode_id}")
            for cible in self.suivi.cibles_lues
        }
        for periode in self.cibles_disparues:
            cibles[periode] = self.cleaned_data.get(f"cible_{periode.pk}")
        for rang in range(NOUVELLES_CIBLES):
            if code := self.cleaned_data.get(f"periode_{rang}"):
                cibles[self.periodes[code]] = self.cleaned_data[f"nouvelle_{rang}"]
        return cibles

    def erreurs_du_service(self, erreur: ValidationError) -> None:
        """Comme `ErreursDuServiceMixin`, l'erreur d'une cible (`cible_<période>`) à côté du
        champ d'où elle vient."""
        if hasattr(erreur, "error_dict"):
            renommees = {}
            for cle, messages in erreur.message_dict.items():
                if cle.startswith("cible_") and cle[6:].isdigit():
                    cle = self.champ_de_la_periode.get(int(cle[6:]), cle)
                renommees.setdefault(cle, []).extend(messages)
            erreur = ValidationError(renommees)
        super().erreurs_du_service(erreur)


class AjoutSuiviForm(ErreursDuServiceMixin, forms.Form):
    """Un indicateur approuvé du catalogue que le quartier ne suit pas, ou plus
    (`services_catalogue.indicateurs_a_ajouter`)."""

    indicateur = forms.ModelChoiceField(
        label=_("Indicateur du catalogue"),
        queryset=Indicateur.objects.none(),
        widget=ListeDeroulante,
        empty_label=_("Choisir un indicateur"),
    )

    def __init__(self, *args, indicateurs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicateur"].queryset = indicateurs
        self.fields["indicateur"].label_from_instance = lambda i: f"{i.code} — {capfirst(i.nom)}"


# --- Le catalogue : la liste, la définition d'un indicateur, son retrait ------------------------


class CatalogueFiltreForm(forms.Form):
    """Le filtre de la liste du catalogue (`services_definitions.catalogue`), lu dans l'adresse :
    état, famille, thème, et un mot cherché dans le code et les noms."""

    statut = forms.ChoiceField(
        label=_("État"),
        required=False,
        choices=[("", _("Tous les états")), *StatutIndicateur.choices],
        widget=ListeDeroulante,
    )
    famille = forms.ChoiceField(
        label=_("Famille"),
        required=False,
        choices=[("", _("Toutes les familles")), *Famille.choices],
        widget=ListeDeroulante,
    )
    theme = forms.ModelChoiceField(
        label=_("Thème"),
        required=False,
        queryset=Theme.objects.all(),
        empty_label=_("Tous les thèmes"),
        widget=ListeDeroulante,
    )
    q = forms.CharField(label=_("Code ou nom"), required=False, max_length=100, strip=True)

    def filtre(self) -> FiltreDuCatalogue:
        if not self.is_bound or not self.is_valid():
            return FiltreDuCatalogue()
        donnees = self.cleaned_data
        return FiltreDuCatalogue(
            statut=donnees["statut"],
            famille=donnees["famille"],
            theme=donnees["theme"].pk if donnees["theme"] else None,
            recherche=donnees["q"],
        )


class DefinitionForm(ErreursDuServiceMixin, forms.Form):
    """La définition d'un indicateur : les champs de `champs` (libellés et choix du modèle),
    remplis de ce qu'il porte, et l'empreinte de ce que la page a montré (`version`)."""

    version = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, champs: tuple[str, ...], indicateur: Indicateur | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.champs = champs
        for nom in champs:
            self.fields[nom] = _champ_du_modele(Indicateur, nom)
            if indicateur is not None:
                valeur = getattr(indicateur, "theme_id" if nom == "theme" else nom)
                self.fields[nom].initial = valeur
        if "code" in self.fields:
            self.fields["code"].help_text = _(
                "Lettres minuscules sans accents, chiffres et traits d'union, par exemple "
                "« menages-joints ». Il identifie l'indicateur dans les adresses et les fichiers."
            )

    @property
    def champs_de_l_indicateur(self) -> list:
        return [self[nom] for nom in self.champs]

    def contenu(self) -> dict:
        """Ce que l'envoi écrit, champ par champ (`services_definitions`)."""
        return {nom: self.cleaned_data[nom] for nom in self.champs}


class RetraitForm(ErreursDuServiceMixin, forms.Form):
    """Retirer un indicateur du catalogue : le motif, exigé par le service."""

    motif = forms.CharField(
        label=_("Motif du retrait"),
        required=False,
        max_length=LONGUEUR_MOTIF_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Exigé : il paraît sur la page de l'indicateur. Le formulaire trimestriel ne le "
            "demandera plus; ses valeurs sont gardées."
        ),
    )
    version = forms.CharField(required=False, widget=forms.HiddenInput)
