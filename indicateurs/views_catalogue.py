"""Le catalogue d'indicateurs et le plan de mesure d'un quartier (`services_catalogue`) :
proposer un indicateur, examiner les propositions, lire et tenir le plan d'un quartier.

Chaque vue part du sélecteur d'accès : un quartier invisible répond 404; visible sans le droit
d'agir, 403 (le conseil lit le plan, il ne le tient pas). Une entrée refusée répond 400 avec
son message à côté du champ, une écriture concurrente 409; rien n'est écrit dans les deux cas."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from indicateurs import services_catalogue, services_strategie
from indicateurs.forms_catalogue import AjoutSuiviForm, DecisionForm, PropositionForm, SuiviForm
from indicateurs.models import Periode
from quartiers.acces import Droit, a_le_droit, quartier_accessible_ou_404


def url_du_plan(quartier, suivi=None) -> str:
    """Le plan de mesure du quartier, ancré au besoin sur l'un de ses suivis."""
    url = reverse("plan_de_mesure", kwargs={"slug": quartier.slug})
    return f"{url}#suivi-{suivi.pk}" if suivi is not None else url


@login_required
@require_safe
def plan(request, slug: str):
    """Le plan de mesure d'un quartier, pour qui le voit : chaque indicateur mesuré avec sa
    référence et ses cibles, les propositions de la table (en attente, refusées avec leur
    motif), les suivis arrêtés. L'évaluation et l'administration y modifient référence et
    cibles, ajoutent un indicateur du catalogue, désactivent un suivi. Nombre de requêtes
    constant (tests/indicateurs/test_w3s14_catalogue_pages.py)."""
    quartier = quartier_accessible_ou_404(request.user, slug, Droit.VOIR)
    return _page_du_plan(request, quartier)


def _page_du_plan(request, quartier, *, ajout=None, erreur: str = "", status: int = 200):
    gere = services_catalogue.gere_le_catalogue(request.user)
    if gere and ajout is None:
        ajout = AjoutSuiviForm(indicateurs=services_catalogue.indicateurs_a_ajouter(quartier))
    contexte = {
        "quartier": quartier,
        "plan": services_catalogue.plan_du_quartier(quartier),
        "gere": gere,
        "peut_proposer": gere or a_le_droit(request.user, Droit.GERER_CATALOGUE, quartier),
        "ajout": ajout,
        "erreur": erreur,
    }
    return TemplateResponse(request, "indicateurs/catalogue/plan.html", contexte, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def proposer(request, slug: str):
    """Proposer un indicateur pour le quartier : sa coordination, l'évaluation,
    l'administration. 404 pour un quartier invisible, 403 sans le droit de proposer. Le code
    d'une proposition refusée du quartier la propose de nouveau (`proposer_indicateur`);
    `?reprendre=<code>` remplit le formulaire de ce qui avait été refusé (404 pour tout
    autre code)."""
    quartier = quartier_accessible_ou_404(request.user, slug, Droit.VOIR)
    if not a_le_droit(request.user, Droit.GERER_CATALOGUE, quartier):
        raise PermissionDenied(str(services_catalogue.REFUS_DE_PROPOSER))
    refusee = None
    if request.method != "POST" and "reprendre" in request.GET:
        codes = request.GET.getlist("reprendre")
        if len(codes) != 1:
            raise Http404(_("Proposition introuvable."))
        refusee = services_catalogue.proposition_refusee_du_quartier(quartier, codes[0])
    form = PropositionForm(
        request.POST if request.method == "POST" else None,
        initial=PropositionForm.reprise(refusee) if refusee else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            indicateur = services_catalogue.proposer_indicateur(
                utilisateur=request.user, quartier=quartier, **form.cleaned_data
            )
        except ValidationError as erreur:
            form.erreurs_du_service(erreur)
        else:
            if indicateur.refus_precedents:
                message = _(
                    "L'indicateur « %(code)s » est proposé de nouveau : l'évaluation l'examinera "
                    "avec le motif du refus précédent. Le formulaire trimestriel le demandera "
                    "quand elle l'aura approuvé."
                )
            else:
                message = _(
                    "L'indicateur « %(code)s » est proposé. Le formulaire trimestriel le "
                    "demandera quand l'évaluation l'aura approuvé."
                )
            messages.success(request, message % {"code": indicateur.code})
            return redirect(url_du_plan(quartier))
    return TemplateResponse(
        request,
        "indicateurs/catalogue/proposer.html",
        {"quartier": quartier, "form": form, "refusee": refusee},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def suivre(request, slug: str):
    """Ajouter un indicateur approuvé au suivi du quartier, ou reprendre un suivi désactivé
    (`reprise`, envoyé par le bouton du plan : déjà repris, la page réussit sans rien écrire)."""
    quartier = quartier_accessible_ou_404(request.user, slug, Droit.VOIR)
    services_catalogue.exiger_de_gerer_le_catalogue(request.user, quartier)
    # « Reprendre le suivi » d'un suivi arrêté peut arriver deux fois (double clic) : la
    # seconde trouve le suivi déjà repris, que le service rend sans rien écrire.
    reprise = request.POST.get("reprise") == "1"
    if reprise:
        indicateurs = services_catalogue.indicateurs_suivis_ou_arretes(quartier)
    else:
        indicateurs = services_catalogue.indicateurs_a_ajouter(quartier)
    form = AjoutSuiviForm(request.POST, indicateurs=indicateurs)
    if form.is_valid():
        try:
            suivi = services_catalogue.suivre_indicateur(
                utilisateur=request.user, quartier=quartier, reprise=reprise, **form.cleaned_data
            )
        except ValidationError as erreur:
            form.erreurs_du_service(erreur)
        else:
            messages.success(
                request,
                _("Le quartier suit maintenant l'indicateur « %(code)s ».")
                % {"code": suivi.indicateur.code},
            )
            return redirect(url_du_plan(quartier, suivi))
    if reprise:  # le formulaire d'ajout reste celui du plan; le refus s'affiche en tête
        erreurs = [message for liste in form.errors.values() for message in liste]
        return _page_du_plan(request, quartier, erreur=" ".join(erreurs), status=400)
    return _page_du_plan(request, quartier, ajout=form, status=400)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def modifier_suivi(request, slug: str, pk: int):
    """La référence et les cibles d'un suivi : erreurs à côté des champs (400), rien
    d'enregistré tant qu'il en reste une; 409 si quelqu'un l'a modifié entre-temps."""
    quartier = quartier_accessible_ou_404(request.user, slug, Droit.VOIR)
    services_catalogue.exiger_de_gerer_le_catalogue(request.user, quartier)
    suivi = services_catalogue.suivi_du_quartier_ou_404(quartier, pk)
    periodes = list(Periode.objects.order_by("debut"))
    donnees = request.POST if request.method == "POST" else None
    form = SuiviForm(donnees, suivi=suivi, periodes=periodes)
    contexte = {"quartier": quartier, "suivi": suivi, "form": form, "conflit": ""}
    if request.method != "POST":
        return TemplateResponse(request, "indicateurs/catalogue/suivi_modifier.html", contexte)
    status = 400
    if form.is_valid():
        try:
            services_catalogue.modifier_suivi(
                utilisateur=request.user,
                suivi=suivi,
                valeur_reference=form.cleaned_data["valeur_reference"],
                date_reference=form.cleaned_data["date_reference"],
                source_reference=form.cleaned_data["source_reference"],
                cibles=form.cibles(),
                version=form.cleaned_data["version"] or None,
            )
        except services_catalogue.ConflitCatalogue as conflit:
            # Rien n'est écrit; l'envoi reste dans le formulaire, à côté de ce qui est
            # enregistré maintenant, avec la version actuelle : l'envoyer de nouveau remplace
            # sciemment.
            actuel = services_catalogue.suivi_du_quartier_ou_404(quartier, pk)
            form.data = form.data.copy()
            form.data["version"] = actuel.version
            contexte.update(conflit=str(conflit), actuel=actuel)
            status = 409
        except ValidationError as erreur:
            form.erreurs_du_service(erreur)
        else:
            messages.success(
                request,
                _("La référence et les cibles de « %(code)s » sont enregistrées.")
                % {"code": suivi.indicateur.code},
            )
            return redirect(url_du_plan(quartier, suivi))
    return TemplateResponse(
        request, "indicateurs/catalogue/suivi_modifier.html", contexte, status=status
    )


@login_required
@require_POST
def desactiver_suivi(request, slug: str, pk: int):
    """Arrêter le suivi d'un indicateur (rien n'est supprimé); 409 si le suivi a changé
    depuis l'affichage du plan."""
    quartier = quartier_accessible_ou_404(request.user, slug, Droit.VOIR)
    services_catalogue.exiger_de_gerer_le_catalogue(request.user, quartier)
    suivi = services_catalogue.suivi_du_quartier_ou_404(quartier, pk)
    try:
        services_catalogue.desactiver_suivi(
            utilisateur=request.user, suivi=suivi, version=request.POST.get("version") or None
        )
    except services_catalogue.ConflitCatalogue as conflit:
        return _page_du_plan(request, quartier, erreur=str(conflit), status=409)
    messages.success(
        request,
        _(
            "Le suivi de « %(code)s » est désactivé : le formulaire trimestriel ne le demande "
            "plus; ses valeurs, sa référence et ses cibles sont gardées."
        )
        % {"code": suivi.indicateur.code},
    )
    return redirect(url_du_plan(quartier, suivi))


@login_required
@require_safe
def propositions(request):
    """Les propositions à examiner, pour l'évaluation et l'administration (403 sinon), et les
    brouillons de stratégie que la coordination leur a soumis (`services_strategie`).
    Nombre de requêtes constant (tests/indicateurs/test_w3s14_catalogue_pages.py)."""
    lignes = services_catalogue.propositions_a_examiner(request.user)
    contexte = {
        "propositions": lignes,
        "strategies_soumises": services_strategie.brouillons_soumis(request.user),
    }
    return TemplateResponse(request, "indicateurs/catalogue/propositions.html", contexte)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def proposition(request, pk: int):
    """Une proposition, telle que la table l'a écrite, et son examen : approuver, ou refuser
    avec un motif (400 sans motif); 409 si quelqu'un l'a examinée ou modifiée entre-temps.
    Proposée de nouveau après un refus, la page montre chaque refus (qui, quand, motif) et ce
    qui a changé depuis."""
    indicateur = services_catalogue.proposition_ou_404(request.user, pk)
    version = services_catalogue.empreinte_de_la_proposition(indicateur)
    donnees = request.POST if request.method == "POST" else None
    form = DecisionForm(donnees, initial={"version": version})
    contexte = {
        "indicateur": indicateur,
        "refus_precedents": services_catalogue.refus_de_la_proposition(indicateur),
        "form": form,
        "conflit": "",
    }
    if request.method != "POST":
        return TemplateResponse(request, "indicateurs/catalogue/proposition.html", contexte)
    status = 400
    if form.is_valid():
        decision, envoyee = form.cleaned_data["decision"], form.cleaned_data["version"] or None
        try:
            if decision == DecisionForm.APPROUVER:
                services_catalogue.approuver_proposition(
                    utilisateur=request.user, indicateur=indicateur, version=envoyee
                )
            else:
                services_catalogue.refuser_proposition(
                    utilisateur=request.user,
                    indicateur=indicateur,
                    motif=form.cleaned_data["motif"],
                    version=envoyee,
                )
        except services_catalogue.ConflitCatalogue as conflit:
            indicateur = services_catalogue.proposition_ou_404(request.user, pk)
            contexte.update(
                indicateur=indicateur,
                refus_precedents=services_catalogue.refus_de_la_proposition(indicateur),
                conflit=str(conflit),
            )
            form.data = form.data.copy()
            form.data["version"] = services_catalogue.empreinte_de_la_proposition(indicateur)
            status = 409
        except ValidationError as erreur:
            form.erreurs_du_service(erreur)
        else:
            if decision == DecisionForm.APPROUVER:
                message = _("La proposition « %(code)s » est approuvée : elle entre au catalogue.")
            else:
                message = _("La proposition « %(code)s » est refusée.")
            messages.success(request, message % {"code": indicateur.code})
            return redirect("propositions")
    return TemplateResponse(
        request, "indicateurs/catalogue/proposition.html", contexte, status=status
    )
