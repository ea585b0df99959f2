"""La stratégie de changement d'un quartier sur le site (`services_strategie`) : préparer une
nouvelle version, modifier le brouillon (titre, vision, changements visés, liens), l'adopter
ou l'abandonner; la coordination du quartier le soumet à l'évaluation (et peut retirer sa
soumission), qui l'adopte ou le lui renvoie avec un motif.

Accès : un quartier invisible répond 404. Préparer une version (une action sur le quartier) :
403 pour qui voit le quartier sans y tenir la stratégie (le conseil). Les adresses d'une
version, d'un changement ou d'un lien : 404 pour lui, un brouillon lui étant invisible.
Adopter, renvoyer : 403 pour la coordination, qui soumet. Soumis, le brouillon ne se modifie
plus pour la coordination : 409 jusqu'à son renvoi ou au retrait de sa soumission. Une version
en vigueur ou archivée ne se modifie pas : 409, comme une écriture arrivée après une adoption
ou un abandon; une entrée refusée, 400 avec son message à côté du champ; rien n'est écrit dans
les deux cas."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from evalpic.dates import date_longue
from indicateurs import services_strategie as services
from indicateurs.forms_strategie import (
    AdoptionForm,
    BrouillonForm,
    ChangementForm,
    LienForm,
    RenvoiForm,
)
from quartiers.acces import Droit, quartier_accessible_ou_404

GABARITS = "indicateurs/strategie/"


def url_du_brouillon(strategie, ancre: str = "") -> str:
    url = reverse(
        "strategie_brouillon", kwargs={"slug": strategie.quartier.slug, "pk": strategie.pk}
    )
    return f"{url}#{ancre}" if ancre else url


def url_de_la_theorie(quartier, strategie=None) -> str:
    url = reverse("theorie_du_changement", kwargs={"slug": quartier.slug})
    return f"{url}?version={strategie.version}" if strategie is not None else url


def _conflit(request, quartier, strategie, conflit, status: int = 409):
    """409 : la version n'est pas (ou plus) un brouillon, ou elle est soumise; rien n'a été
    écrit. Aussi pour un refus sans champ (400 : soumettre un brouillon vide)."""
    contexte = {"quartier": quartier, "strategie": strategie, "conflit": str(conflit)}
    return TemplateResponse(request, GABARITS + "conflit.html", contexte, status=status)


@login_required
@require_POST
def preparer(request, slug: str):
    """Le brouillon du quartier : créé (copie de la version en vigueur), ou celui qui existe
    déjà (un seul à la fois), où mène la réponse."""
    quartier = quartier_accessible_ou_404(request.user, slug, Droit.VOIR)
    strategie, creee = services.preparer_version(utilisateur=request.user, quartier=quartier)
    if creee:
        messages.success(
            request,
            _("La version %(version)s est prête à modifier : c'est un brouillon.")
            % {"version": strategie.version},
        )
    else:
        messages.info(
            request,
            _(
                "Une nouvelle version est déjà en préparation (v%(version)s) : la voici. Un "
                "quartier n'a qu'un brouillon à la fois."
            )
            % {"version": strategie.version},
        )
    return redirect(url_du_brouillon(strategie))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def brouillon(request, slug: str, pk: int):
    """Le brouillon : son titre et sa vision (le formulaire), ses changements visés et ses
    liens, de quoi en ajouter. Nombre de requêtes constant
    (tests/test_w1s15_strategie_vues.py)."""
    quartier = quartier_accessible_ou_404(request.user, slug, Droit.VOIR)
    strategie = services.strategie_ou_404(request.user, quartier, pk)
    try:
        services.exiger_un_brouillon(strategie)
    except services.ConflitStrategie as conflit:
        return _conflit(request, quartier, strategie, conflit)
    if request.method != "POST":
        return _page_du_brouillon(request, strategie)
    form = BrouillonForm(request.POST, strategie=strategie)
    if form.is_valid():
        try:
            services.modifier_brouillon(
                utilisateur=request.user, strategie=strategie, **form.cleaned_data
            )
        except services.ConflitStrategie as conflit:
            return _conflit(request, quartier, strategie, conflit)
        except ValidationError as erreur:
            form.erreurs_du_service(erreur)
        else:
            messages.success(request, _("Le titre et la vision sont enregistrés."))
            return redirect(url_du_brouillon(strategie))
    return _page_du_brouillon(request, strategie, form=form, status=400)


def _page_du_brouillon(request, strategie, *, form=None, lien=None, status: int = 200):
    contexte = {
        "quartier": strategie.quartier,
        "page": services.page_du_brouillon(strategie),
        "form": form or BrouillonForm(strategie=strategie),
        "lien": lien or LienForm(strategie=strategie),
        "peut_modifier": services.peut_modifier(request.user, strategie),
        "examine": services.gere_les_strategies(request.user),
    }
    return TemplateResponse(request, GABARITS + "brouillon.html", contexte, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def ajouter_changement(request, slug: str, pk: int):
    quartier = quartier_accessible_ou_404(request.user, slug, Droit.VOIR)
    strategie = services.strategie_ou_404(request.user, quartier, pk)
    return _formulaire_du_changement(request, strategie, None)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def modifier_changement(request, slug: str, pk: int):
    quartier = quartier_accessible_ou_404(request.user, slug, Droit.VOIR)
    changement = services.changement_ou_404(request.user, quartier, pk)
    changement.strategie.quartier = quartier
    return _formulaire_du_changement(request, changement.strategie, changement)


def _formulaire_du_changement(request, strategie, changement):
    """Ajouter ou modifier un changement visé : erreurs à côté des champs (400), rien
    d'enregistré tant qu'il en reste une."""
    quartier = strategie.quartier
    try:
        services.exiger_un_brouillon_modifiable(request.user, strategie)
    except services.ConflitStrategie as conflit:
        return _conflit(request, quartier, strategie, conflit)
    donnees = request.POST if request.method == "POST" else None
    form = ChangementForm(donnees, changement=changement)
    contexte = {"quartier": quartier, "strategie": strategie, "changement": changement}
    if request.method == "POST" and form.is_valid():
        try:
            enregistre = services.enregistrer_changement(
                utilisateur=request.user,
                strategie=strategie,
                changement=changement,
                **form.cleaned_data,
            )
        except services.ConflitStrategie as conflit:
            return _conflit(request, quartier, strategie, conflit)
        except ValidationError as erreur:
            form.erreurs_du_service(erreur)
        else:
            messages.success(
                request,
                _("Le changement visé « %(code)s » est enregistré.") % {"code": enregistre.code},
            )
            return redirect(url_du_brouillon(strategie, f"changement-{enregistre.pk}"))
    contexte["form"] = form
    status = 400 if request.method == "POST" else 200
    return TemplateResponse(request, GABARITS + "changement.html", contexte, status=status)


@login_required
@require_POST
def supprimer_changement(request, slug: str, pk: int):
    quartier = quartier_accessible_ou_404(request.user, slug, Droit.VOIR)
    changement = services.changement_ou_404(request.user, quartier, pk)
    strategie = changement.strategie
    strategie.quartier = quartier
    try:
        services.supprimer_changement(utilisateur=request.user, changement=changement)
    except services.ConflitStrategie as conflit:
        return _conflit(request, quartier, strategie, conflit)
    messages.success(
        request,
        _("Le changement visé « %(code)s » et ses liens sont retirés du brouillon.")
        % {"code": changement.code},
    )
    return redirect(url_du_brouillon(strategie))


@login_required
@require_POST
def ajouter_lien(request, slug: str, pk: int):
    """Un lien entre deux changements du brouillon; refusé : la page du brouillon, le message à
    côté du champ (400)."""
    quartier = quartier_accessible_ou_404(request.user, slug, Droit.VOIR)
    strategie = services.strategie_ou_404(request.user, quartier, pk)
    try:
        services.exiger_un_brouillon_modifiable(request.user, strategie)
    except services.ConflitStrategie as conflit:
        return _conflit(request, quartier, strategie, conflit)
    form = LienForm(request.POST, strategie=strategie)
    if form.is_valid():
        try:
            lien = services.ajouter_lien(
                utilisateur=request.user, strategie=strategie, **form.cleaned_data
            )
        except services.ConflitStrategie as conflit:
            return _conflit(request, quartier, strategie, conflit)
        except ValidationError as erreur:
            form.erreurs_du_service(erreur)
        else:
            messages.success(request, _("Le lien « %(lien)s » est ajouté.") % {"lien": lien})
            return redirect(url_du_brouillon(strategie, "liens"))
    return _page_du_brouillon(request, strategie, lien=form, status=400)


@login_required
@require_POST
def supprimer_lien(request, slug: str, pk: int):
    quartier = quartier_accessible_ou_404(request.user, slug, Droit.VOIR)
    lien = services.lien_ou_404(request.user, quartier, pk)
    strategie = lien.strategie
    strategie.quartier = quartier
    try:
        services.supprimer_lien(utilisateur=request.user, lien=lien)
    except services.ConflitStrategie as conflit:
        return _conflit(request, quartier, strategie, conflit)
    messages.success(request, _("Le lien « %(lien)s » est retiré.") % {"lien": lien})
    return redirect(url_du_brouillon(strategie, "liens"))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def adopter(request, slug: str, pk: int):
    """Adopter le brouillon à une date : la version en vigueur est archivée (400 pour une date
    refusée ou un brouillon vide; 409 s'il a été adopté ou abandonné entre-temps). 403 pour
    la coordination, qui le soumet à l'évaluation."""
    quartier = quartier_accessible_ou_404(request.user, slug, Droit.VOIR)
    strategie = services.strategie_ou_404(request.user, quartier, pk)
    services.exiger_d_examiner(request.user, quartier)
    try:
        services.exiger_un_brouillon(strategie)
    except services.ConflitStrategie as conflit:
        return _conflit(request, quartier, strategie, conflit)
    form = AdoptionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.adopter_brouillon(
                utilisateur=request.user, strategie=strategie, **form.cleaned_data
            )
        except services.ConflitStrategie as conflit:
            return _conflit(request, quartier, strategie, conflit)
        except ValidationError as erreur:
            form.erreurs_du_service(erreur)
        else:
            messages.success(
                request,
                _("La version %(version)s est en vigueur depuis le %(date)s.")
                % {"version": strategie.version, "date": date_longue(strategie.adoptee_le)},
            )
            return redirect(url_de_la_theorie(quartier))
    contexte = {
        "quartier": quartier,
        "strategie": strategie,
        "en_vigueur": quartier.strategies.en_vigueur().first(),
        "form": form,
    }
    status = 400 if request.method == "POST" else 200
    return TemplateResponse(request, GABARITS + "adopter.html", contexte, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def abandonner(request, slug: str, pk: int):
    """Abandonner le brouillon : la page le confirme, l'envoi le supprime avec ses copies."""
    quartier = quartier_accessible_ou_404(request.user, slug, Droit.VOIR)
    strategie = services.strategie_ou_404(request.user, quartier, pk)
    try:
        services.exiger_un_brouillon_modifiable(request.user, strategie)
        if request.method == "POST":
            services.abandonner_brouillon(utilisateur=request.user, strategie=strategie)
    except services.ConflitStrategie as conflit:
        return _conflit(request, quartier, strategie, conflit)
    if request.method != "POST":
        contexte = {"quartier": quartier, "strategie": strategie}
        return TemplateResponse(request, GABARITS + "abandonner.html", contexte)
    messages.success(
        request,
        _("Le brouillon v%(version)s est abandonné : rien d'autre n'a changé.")
        % {"version": strategie.version},
    )
    return redirect(url_de_la_theorie(quartier))


@login_required
@require_POST
def soumettre(request, slug: str, pk: int):
    """Soumettre le brouillon à l'évaluation (la coordination) : 400 s'il n'a aucun changement
    visé, 409 s'il est déjà soumis, adopté ou abandonné; rien n'est écrit dans les deux cas."""
    quartier = quartier_accessible_ou_404(request.user, slug, Droit.VOIR)
    strategie = services.strategie_ou_404(request.user, quartier, pk)
    try:
        services.soumettre_brouillon(utilisateur=request.user, strategie=strategie)
    except services.ConflitStrategie as conflit:
        return _conflit(request, quartier, strategie, conflit)
    except ValidationError as erreur:
        return _conflit(request, quartier, strategie, " ".join(erreur.messages), status=400)
    messages.success(
        request,
        _(
            "La version %(version)s est soumise à l'évaluation : elle l'adoptera ou vous la "
            "renverra. D'ici là, le brouillon ne se modifie plus."
        )
        % {"version": strategie.version},
    )
    return redirect(url_du_brouillon(strategie))


@login_required
@require_POST
def retirer_la_soumission(request, slug: str, pk: int):
    """Retirer la soumission du brouillon (qui tient la stratégie du quartier) : il redevient
    modifiable. 409 s'il n'est plus soumis (renvoyé, retiré, adopté ou abandonné entre-temps);
    rien n'est écrit."""
    quartier = quartier_accessible_ou_404(request.user, slug, Droit.VOIR)
    strategie = services.strategie_ou_404(request.user, quartier, pk)
    try:
        services.retirer_la_soumission(utilisateur=request.user, strategie=strategie)
    except services.ConflitStrategie as conflit:
        return _conflit(request, quartier, strategie, conflit)
    messages.success(
        request,
        _(
            "La soumission de la version %(version)s est retirée : le brouillon se modifie de "
            "nouveau. Soumettez-le quand il est prêt."
        )
        % {"version": strategie.version},
    )
    return redirect(url_du_brouillon(strategie))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def renvoyer(request, slug: str, pk: int):
    """Renvoyer le brouillon soumis à la coordination, avec un motif (l'évaluation et
    l'administration; 403 pour la coordination) : 400 sans motif, 409 s'il n'est plus soumis
    (renvoyé, adopté ou abandonné entre-temps)."""
    quartier = quartier_accessible_ou_404(request.user, slug, Droit.VOIR)
    strategie = services.strategie_ou_404(request.user, quartier, pk)
    services.exiger_d_examiner(request.user, quartier)
    try:
        services.exiger_un_brouillon_soumis(strategie)
    except services.ConflitStrategie as conflit:
        return _conflit(request, quartier, strategie, conflit)
    form = RenvoiForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.renvoyer_brouillon(
                utilisateur=request.user, strategie=strategie, **form.cleaned_data
            )
        except services.ConflitStrategie as conflit:
            return _conflit(request, quartier, strategie, conflit)
        except ValidationError as erreur:
            form.erreurs_du_service(erreur)
        else:
            messages.success(
                request,
                _("Le brouillon v%(version)s est renvoyé à la coordination avec votre motif.")
                % {"version": strategie.version},
            )
            return redirect(url_de_la_theorie(quartier))
    contexte = {"quartier": quartier, "strategie": strategie, "form": form}
    status = 400 if request.method == "POST" else 200
    return TemplateResponse(request, GABARITS + "renvoyer.html", contexte, status=status)
