"""Le catalogue d'indicateurs (`services_definitions`) : la liste, la page d'un indicateur, et,
pour l'évaluation et l'administration, créer un indicateur, modifier sa définition, le retirer
du catalogue et le rétablir.

Qui voit au moins un quartier lit le catalogue; un indicateur qu'il ne connaît pas répond 404.
Écrire est réservé à l'évaluation et à l'administration : 403 pour les autres, avant toute
lecture. Une entrée refusée répond 400 avec son message à côté du champ, une écriture
concurrente 409; rien n'est écrit dans les deux cas."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from indicateurs import services_definitions
from indicateurs.forms_catalogue import CatalogueFiltreForm, DefinitionForm, RetraitForm
from indicateurs.models import Indicateur, StatutIndicateur
from indicateurs.services_catalogue import (
    ConflitCatalogue,
    exiger_de_gerer_le_catalogue,
    gere_le_catalogue,
)


@login_required
@require_safe
def catalogue(request):
    """Le catalogue : chaque indicateur lisible (code, nom dans la langue de qui lit, unité,
    famille, thème, mode, état, quartiers visibles qui le suivent), filtré par état, famille,
    thème et recherche; 400 sous un filtre invalide. Nombre de requêtes constant
    (tests/test_w9s15_catalogue_pages.py)."""
    form = CatalogueFiltreForm(request.GET or None)
    valide = not form.is_bound or form.is_valid()
    indicateurs = services_definitions.catalogue(request.user, form.filtre()) if valide else []
    if not valide:
        services_definitions.indicateurs_lisibles(request.user)  # 403 d'abord, s'il y a lieu
    contexte = {
        "form": form,
        "indicateurs": indicateurs,
        "filtre": form.is_bound and valide and any(form.cleaned_data.values()),
        "gere": gere_le_catalogue(request.user),
    }
    return TemplateResponse(
        request, "indicateurs/catalogue/liste.html", contexte, status=200 if valide else 400
    )


@login_required
@require_safe
def indicateur(request, code: str):
    """La page d'un indicateur : sa définition en français et en anglais, chaque champ, les
    quartiers visibles qui le suivent, les refus de sa proposition (pour qui voit le quartier
    qui l'a proposée); pour l'évaluation et l'administration, modifier, retirer, rétablir."""
    indicateur = services_definitions.indicateur_ou_404(request.user, code)
    return _page(request, indicateur)


def _page(request, indicateur: Indicateur, *, retrait=None, conflit: str = "", status=200):
    gere = gere_le_catalogue(request.user)
    version = services_definitions.empreinte_de_la_definition(indicateur)
    if gere and retrait is None and indicateur.statut == StatutIndicateur.APPROUVE:
        retrait = RetraitForm(initial={"version": version})
    lus = services_definitions.suivis_et_refus(request.user, indicateur)
    contexte = {
        "indicateur": indicateur,
        "suivis": lus.visibles,
        "refus_precedents": lus.refus,
        "gere": gere,
        "version": version,
        "retrait": retrait,
        "conflit": conflit,
        "proposition": services_definitions.est_une_proposition(indicateur),
        "modifiable": gere and services_definitions.est_modifiable(indicateur),
        "retablissable": gere and services_definitions.peut_etre_retabli(indicateur),
    }
    return TemplateResponse(
        request, "indicateurs/catalogue/indicateur.html", contexte, status=status
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def nouveau(request):
    """Créer un indicateur saisi, approuvé d'emblée : erreurs à côté des champs (400), rien
    d'enregistré tant qu'il en reste une. Le même envoi reçu deux fois n'en crée qu'un."""
    exiger_de_gerer_le_catalogue(request.user)
    champs = services_definitions.champs_modifiables(None)
    donnees = request.POST if request.method == "POST" else None
    form = DefinitionForm(donnees, champs=champs, indicateur=None)
    if request.method == "POST" and form.is_valid():
        try:
            cree = services_definitions.creer_indicateur(
                utilisateur=request.user, contenu=form.contenu()
            )
        except ValidationError as erreur:
            form.erreurs_du_service(erreur)
        else:
            messages.success(
                request,
                _(
                    "L'indicateur « %(code)s » entre au catalogue. Ajoutez-le au plan des "
                    "quartiers qui le suivront."
                )
                % {"code": cree.code},
            )
            return redirect("catalogue_indicateur", code=cree.code)
    contexte = {"form": form, "indicateur": None, "conflit": ""}
    return TemplateResponse(
        request,
        "indicateurs/catalogue/definition.html",
        contexte,
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def modifier(request, code: str):
    """Modifier la définition d'un indicateur approuvé ou retiré : erreurs à côté des champs
    (400), dont l'unité que des valeurs déjà enregistrées refusent; 409, avec ce qui est
    enregistré maintenant, si quelqu'un l'a modifié entre-temps."""
    exiger_de_gerer_le_catalogue(request.user)
    indicateur = services_definitions.indicateur_ou_404(request.user, code)
    if not services_definitions.est_modifiable(indicateur):
        raise Http404(_("Une proposition se modifie par sa table et s'examine."))
    champs = services_definitions.champs_modifiables(indicateur)
    version = services_definitions.empreinte_de_la_definition(indicateur)
    donnees = request.POST if request.method == "POST" else None
    form = DefinitionForm(
        donnees, champs=champs, indicateur=indicateur, initial={"version": version}
    )
    contexte = {"form": form, "indicateur": indicateur, "conflit": ""}
    if request.method != "POST":
        return TemplateResponse(request, "indicateurs/catalogue/definition.html", contexte)
    status = 400
    if form.is_valid():
        try:
            modifie = services_definitions.modifier_definition(
                utilisateur=request.user,
                indicateur=indicateur,
                contenu=form.contenu(),
                version=form.cleaned_data["version"] or None,
            )
        except ConflitCatalogue as conflit:
            # Rien n'est écrit; l'envoi reste dans le formulaire, à côté de ce qui est
            # enregistré maintenant, avec la version actuelle : l'envoyer de nouveau remplace
            # sciemment.
            actuel = services_definitions.relire(indicateur)
            form.data = form.data.copy()
            form.data["version"] = services_definitions.empreinte_de_la_definition(actuel)
            contexte.update(conflit=str(conflit), enregistre=_definition_lue(actuel, champs))
            status = 409
        except ValidationError as erreur:
            form.erreurs_du_service(erreur)
        else:
            messages.success(
                request,
                _("La définition de « %(code)s » est enregistrée.") % {"code": modifie.code},
            )
            return redirect("catalogue_indicateur", code=modifie.code)
    return TemplateResponse(
        request, "indicateurs/catalogue/definition.html", contexte, status=status
    )


def _definition_lue(indicateur: Indicateur, champs: tuple[str, ...]) -> list[tuple[str, str]]:
    """(libellé, valeur affichée) de chaque champ de `champs`, pour montrer ce qui est
    enregistré à côté d'un envoi refusé (409)."""
    lignes = []
    for nom in champs:
        champ = Indicateur._meta.get_field(nom)
        if nom == "theme":
            valeur = str(indicateur.theme) if indicateur.theme else "—"
        elif champ.choices:
            valeur = str(getattr(indicateur, f"get_{nom}_display")())
        else:
            valeur = getattr(indicateur, nom) or "—"
        lignes.append((capfirst(str(champ.verbose_name)), valeur))
    return lignes


@login_required
@require_POST
def retirer(request, code: str):
    """Retirer un indicateur approuvé du catalogue, avec un motif (400 sans motif); 409 s'il
    a changé depuis l'affichage de sa page. Rien n'est supprimé."""
    exiger_de_gerer_le_catalogue(request.user)
    indicateur = services_definitions.indicateur_ou_404(request.user, code)
    form = RetraitForm(request.POST)
    if form.is_valid():
        try:
            services_definitions.retirer_indicateur(
                utilisateur=request.user,
                indicateur=indicateur,
                motif=form.cleaned_data["motif"],
                version=form.cleaned_data["version"] or None,
            )
        except ConflitCatalogue as conflit:
            # Rien n'est écrit; encore approuvé, le motif envoyé reste dans le formulaire, avec
            # la version actuelle de la page.
            actuel = services_definitions.relire(indicateur)
            reste = actuel.statut == StatutIndicateur.APPROUVE
            envoi = RetraitForm(initial={"motif": form.cleaned_data["motif"]}) if reste else None
            return _page(request, actuel, retrait=envoi, conflit=str(conflit), status=409)
        except ValidationError as erreur:
            form.erreurs_du_service(erreur)
        else:
            messages.success(
                request,
                _(
                    "L'indicateur « %(code)s » est retiré du catalogue : le formulaire "
                    "trimestriel ne le demande plus; ses valeurs sont gardées."
                )
                % {"code": indicateur.code},
            )
            return redirect("catalogue_indicateur", code=indicateur.code)
    return _page(request, indicateur, retrait=form, status=400)


@login_required
@require_POST
def retablir(request, code: str):
    """Remettre au catalogue un indicateur retiré; 409 s'il a changé depuis l'affichage de sa
    page. Déjà rétabli (double clic) : la page réussit sans rien écrire."""
    exiger_de_gerer_le_catalogue(request.user)
    indicateur = services_definitions.indicateur_ou_404(request.user, code)
    try:
        services_definitions.retablir_indicateur(
            utilisateur=request.user,
            indicateur=indicateur,
            version=request.POST.get("version") or None,
        )
    except ConflitCatalogue as conflit:
        return _page(
            request, services_definitions.relire(indicateur), conflit=str(conflit), status=409
        )
    except ValidationError as erreur:
        return _page(request, indicateur, conflit=" ".join(erreur.messages), status=400)
    messages.success(
        request,
        _(
            "L'indicateur « %(code)s » est rétabli au catalogue : le formulaire trimestriel des "
            "quartiers qui le suivent le demande de nouveau."
        )
        % {"code": indicateur.code},
    )
    return redirect("catalogue_indicateur", code=indicateur.code)
