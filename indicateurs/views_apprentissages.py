"""Les apprentissages d'un quartier : la liste (qui voit le quartier la lit), corriger et
retirer un apprentissage (le droit de commenter, et les règles de
`services_apprentissages` : la coordination, l'évaluation et l'administration touchent à tous
ceux du quartier, le conseil seulement aux siens). L'ajout est `views.apprentissage_nouveau`."""

from __future__ import annotations

from dataclasses import dataclass, field

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from evalpic.widgets import ListeDeroulante
from indicateurs import selectors, services_apprentissages
from indicateurs.forms import ApprentissageForm
from indicateurs.models import Apprentissage, CategorieApprentissage, Periode
from quartiers.acces import Droit, quartier_accessible_ou_404


def url_de_la_liste(quartier, apprentissage: Apprentissage | None = None) -> str:
    """La liste des apprentissages du quartier, ancrée au besoin sur l'un d'eux."""
    url = reverse("apprentissages", kwargs={"slug": quartier.slug})
    return f"{url}#apprentissage-{apprentissage.pk}" if apprentissage else url


class FiltreApprentissagesForm(forms.Form):
    """Les filtres de la liste : une période commencée, une rubrique; vides, tout."""

    periode = forms.ChoiceField(
        label=gettext_lazy("Période"), required=False, widget=ListeDeroulante
    )
    categorie = forms.ChoiceField(
        label=gettext_lazy("Rubrique"),
        required=False,
        choices=[("", gettext_lazy("Toutes les rubriques"))]
        + [(valeur, capfirst(libelle)) for valeur, libelle in CategorieApprentissage.choices],
        widget=ListeDeroulante,
    )

    def __init__(self, *args, periodes: list[Periode], **kwargs):
        super().__init__(*args, **kwargs)
        self.periodes = {p.code: p for p in periodes}
        self.fields["periode"].choices = [("", _("Toutes les périodes"))] + [
            (p.code, p.libelle) for p in periodes
        ]

    def clean_periode(self) -> Periode | None:
        code = self.cleaned_data["periode"]
        return self.periodes[code] if code else None


@dataclass
class GroupePeriode:
    """Les apprentissages d'une période, par rubrique dans l'ordre du bilan."""

    periode: Periode
    rubriques: list[tuple[str, list[Apprentissage]]] = field(default_factory=list)


def _grouper(apprentissages: list[Apprentissage]) -> list[GroupePeriode]:
    """Par période (la plus récente d'abord), puis par rubrique dans l'ordre du bilan; les
    apprentissages arrivent déjà triés (période, date d'écriture)."""
    groupes: dict[int, dict[str, list[Apprentissage]]] = {}
    periodes: dict[int, Periode] = {}
    for apprentissage in apprentissages:
        periodes[apprentissage.periode_id] = apprentissage.periode
        rubriques = groupes.setdefault(apprentissage.periode_id, {})
        rubriques.setdefault(apprentissage.categorie, []).append(apprentissage)
    ordre = {valeur: rang for rang, valeur in enumerate(CategorieApprentissage.values)}
    return [
        GroupePeriode(
            periodes[pk],
            [
                (capfirst(liste[0].get_categorie_display()), liste)
                for _valeur, liste in sorted(
                    rubriques.items(), key=lambda paire: ordre.get(paire[0], len(ordre))
                )
            ],
        )
        for pk, rubriques in groupes.items()
    ]


@login_required
@require_safe
def apprentissages(request, slug: str):
    """La liste des apprentissages d'un quartier, pour qui le voit, filtrable par période et
    par rubrique; un filtre invalide répond 400 avec son message. Chaque apprentissage dit sa
    rubrique, son auteur·e, sa date, son indicateur et son changement visé, et son texte dans
    la langue de l'interface, sinon dans l'autre (`Apprentissage.texte`, la règle des
    bilans). Nombre de requêtes constant (tests/indicateurs/test_apprentissages_liste.py)."""
    quartier = quartier_accessible_ou_404(request.user, slug, Droit.VOIR)
    droits = services_apprentissages.droits_sur_les_apprentissages(request.user, quartier)
    filtre = FiltreApprentissagesForm(request.GET, periodes=Periode.objects.commencees_ce_jour())
    if not filtre.is_valid():
        contexte = {"quartier": quartier, "form": filtre, "groupes": [], "droits": droits}
        return TemplateResponse(request, "indicateurs/apprentissages.html", contexte, status=400)
    lignes = selectors.apprentissages_du_quartier(
        quartier,
        periode=filtre.cleaned_data["periode"],
        categorie=filtre.cleaned_data["categorie"],
    )
    for apprentissage in lignes:
        apprentissage.modifiable = droits.peut_modifier(apprentissage)
    contexte = {
        "quartier": quartier,
        "form": filtre,
        "groupes": _grouper(lignes),
        "droits": droits,
        "filtre": bool(filtre.cleaned_data["periode"] or filtre.cleaned_data["categorie"]),
    }
    return TemplateResponse(request, "indicateurs/apprentissages.html", contexte)


def _apprentissage_modifiable_ou_404(request, slug: str, pk: int) -> Apprentissage:
    """L'apprentissage `pk` du quartier `slug` : 404 si le quartier est invisible ou si
    l'apprentissage n'est pas le sien, 403 si la personne ne peut pas y toucher."""
    quartier = quartier_accessible_ou_404(request.user, slug, Droit.VOIR)
    try:
        apprentissage = Apprentissage.objects.select_related(
            "periode", "auteur", "indicateur", "changement", "saisie"
        ).get(pk=pk, quartier=quartier)
    except Apprentissage.DoesNotExist as absent:
        raise Http404(_("Apprentissage introuvable.")) from absent
    apprentissage.quartier = quartier  # déjà lu, avec sa table
    services_apprentissages.exiger_de_pouvoir_modifier(request.user, apprentissage)
    return apprentissage


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def apprentissage_modifier(request, slug: str, pk: int):
    """Corriger un apprentissage : le formulaire de l'ajout, prérempli; mêmes erreurs à côté
    des champs (400), rien d'enregistré tant qu'il en reste une."""
    apprentissage = _apprentissage_modifiable_ou_404(request, slug, pk)
    quartier = apprentissage.quartier
    donnees = request.POST if request.method == "POST" else None
    form = ApprentissageForm(
        donnees, quartier=quartier, utilisateur=request.user, apprentissage=apprentissage
    )
    # La version lue à l'ouverture du formulaire, renvoyée cachée (voir
    # services_apprentissages.modifier_apprentissage); absente d'un envoi, pas de garde.
    version = request.POST.get("version") if donnees else None
    contexte = {
        "quartier": quartier,
        "form": form,
        "apprentissage": apprentissage,
        "version": version or services_apprentissages.empreinte(apprentissage),
    }
    if request.method != "POST":  # GET, ou HEAD qui lit la même page
        return TemplateResponse(request, "indicateurs/apprentissage_modifier.html", contexte)
    if form.is_valid():
        try:
            services_apprentissages.modifier_apprentissage(
                utilisateur=request.user,
                apprentissage=apprentissage,
                version=version,
                **form.cleaned_data,
            )
        except services_apprentissages.ConflitApprentissage as conflit:
            # Rien n'est écrit; la correction reste dans le formulaire, à côté de ce qui est
            # enregistré, avec la version actuelle : l'envoyer de nouveau remplace sciemment.
            contexte["version"] = services_apprentissages.empreinte(conflit.actuel)
            contexte["conflit"] = _comparer(form.cleaned_data, conflit.actuel)
            return TemplateResponse(
                request, "indicateurs/apprentissage_modifier.html", contexte, status=409
            )
        except ValidationError as erreur:
            form.erreurs_du_service(erreur)
        else:
            messages.success(request, _("L'apprentissage est corrigé."))
            return redirect(url_de_la_liste(quartier, apprentissage))
    return TemplateResponse(
        request, "indicateurs/apprentissage_modifier.html", contexte, status=400
    )


def _comparer(la_votre: dict, actuel: Apprentissage) -> list[dict]:
    """La correction envoyée et l'apprentissage tel qu'il est enregistré maintenant, champ par
    champ : les deux textes toujours, les autres champs s'ils diffèrent."""

    def rubrique(valeur: str) -> str:
        return capfirst(CategorieApprentissage(valeur).label) if valeur else ""

    def changement(objet) -> str:
        return f"{objet.code} — {objet.libelle}" if objet else ""

    champs = [
        (_("Rubrique"), rubrique(la_votre["categorie"]), rubrique(actuel.categorie), False),
        (_("Période"), la_votre["periode"].libelle, actuel.periode.libelle, False),
        (
            _("Indicateur"),
            str(la_votre["indicateur"] or ""),
            str(actuel.indicateur or ""),
            False,
        ),
        (
            _("Changement visé"),
            changement(la_votre["changement"]),
            changement(actuel.changement),
            False,
        ),
        (_("Texte en français"), la_votre["texte_fr"].strip(), actuel.texte_fr, True),
        (_("Texte en anglais"), la_votre["texte_en"].strip(), actuel.texte_en, True),
    ]
    return [
        {"libelle": libelle, "la_votre": votre, "l_autre": autre}
        for libelle, votre, autre, texte in champs
        if votre != autre or (texte and (votre or autre))
    ]


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def apprentissage_supprimer(request, slug: str, pk: int):
    """Retirer un apprentissage : GET montre ce qui sera retiré et demande confirmation, POST
    le retire. Les bilans déjà produits le gardent."""
    apprentissage = _apprentissage_modifiable_ou_404(request, slug, pk)
    quartier = apprentissage.quartier
    if request.method != "POST":  # GET, ou HEAD qui lit la même page
        return TemplateResponse(
            request,
            "indicateurs/apprentissage_supprimer.html",
            {"quartier": quartier, "apprentissage": apprentissage},
        )
    services_apprentissages.supprimer_apprentissage(
        utilisateur=request.user, apprentissage=apprentissage
    )
    messages.success(request, _("L'apprentissage est retiré."))
    return redirect(url_de_la_liste(quartier))
