"""Les formulaires de la stratégie de changement (`views_strategie`) : ils lisent ce qui est
envoyé; les règles sont celles des modèles, appliquées par `services_strategie`, dont les
erreurs reviennent à côté de leur champ (`ErreursDuServiceMixin`)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from evalpic.forms import ErreursDuServiceMixin
from evalpic.widgets import ListeDeroulante
from indicateurs.models import ChangementVise, LienDeChangement, StrategieDeChangement, Theme
from indicateurs.services_strategie import indicateurs_proposables


def _champ(modele, nom: str, **options) -> forms.Field:
    """Le champ de formulaire du champ `nom` du modèle : même libellé, mêmes choix, même
    longueur; les listes rendues par `ListeDeroulante`."""
    champ = modele._meta.get_field(nom).formfield(**options)
    if type(champ.widget) is forms.Select:
        champ.widget = ListeDeroulante(choices=champ.widget.choices)
    return champ


class BrouillonForm(ErreursDuServiceMixin, forms.Form):
    """Le titre et la vision d'un brouillon."""

    def __init__(self, *args, strategie: StrategieDeChangement, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["titre"] = _champ(StrategieDeChangement, "titre", initial=strategie.titre)
        self.fields["vision"] = _champ(
            StrategieDeChangement,
            "vision",
            initial=strategie.vision,
            widget=forms.Textarea(attrs={"rows": 4}),
        )


class IndicateursField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, indicateur) -> str:
        return f"{indicateur.code} — {indicateur.nom}"


class ChangementForm(ErreursDuServiceMixin, forms.Form):
    """Un changement visé du brouillon : code, libellé, description, horizon, famille, thème et
    les indicateurs (approuvés du catalogue) qui en marquent le progrès."""

    CHAMPS = ("code", "libelle", "description", "horizon", "famille")

    def __init__(self, *args, changement: ChangementVise | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for nom in self.CHAMPS:
            self.fields[nom] = _champ(ChangementVise, nom)
        self.fields["description"].widget = forms.Textarea(attrs={"rows": 3})
        self.fields["theme"] = forms.ModelChoiceField(
            Theme.objects.order_by("pk"),
            required=False,
            label=_("Thème"),
            widget=ListeDeroulante,
        )
        self.fields["indicateurs"] = IndicateursField(
            indicateurs_proposables(changement),
            required=False,
            label=_("Indicateurs (marqueurs de progrès)"),
            help_text=_(
                "Les indicateurs approuvés du catalogue. Un indicateur que le quartier ne suit "
                "pas paraîtra « non suivi » sur la théorie du changement."
            ),
            widget=forms.CheckboxSelectMultiple,
        )
        if changement is not None:
            for nom in self.CHAMPS:
                self.fields[nom].initial = getattr(changement, nom)
            self.fields["theme"].initial = changement.theme_id
            self.fields["indicateurs"].initial = [i.pk for i in changement.indicateurs.all()]


class LienForm(ErreursDuServiceMixin, forms.Form):
    """Un lien entre deux changements visés du brouillon, et son hypothèse."""

    def __init__(self, *args, strategie: StrategieDeChangement, **kwargs):
        super().__init__(*args, prefix="lien", **kwargs)
        changements = strategie.changements.order_by("ordre", "code")
        for nom in ("source", "cible"):
            self.fields[nom] = forms.ModelChoiceField(
                changements,
                label=capfirst(LienDeChangement._meta.get_field(nom).verbose_name),
                widget=ListeDeroulante,
            )
        self.fields["hypothese"] = _champ(
            LienDeChangement, "hypothese", widget=forms.Textarea(attrs={"rows": 2})
        )


class AdoptionForm(ErreursDuServiceMixin, forms.Form):
    adoptee_le = forms.DateField(
        label=_("Date d'adoption"),
        help_text=_(
            "Le jour où la table a adopté cette version (ou l'adoptera, dans l'année au plus)."
        ),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["adoptee_le"].initial = timezone.localdate()


class RenvoiForm(ErreursDuServiceMixin, forms.Form):
    """Le motif du renvoi d'un brouillon soumis, que la coordination lira sur le brouillon."""

    motif = forms.CharField(
        label=_("Motif du renvoi"),
        help_text=_("Ce que la coordination doit revoir avant de soumettre de nouveau."),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
