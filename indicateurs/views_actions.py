"""Les actions d'un quartier sur le site (`services_actions`) : leur liste, pour qui voit le
quartier; inscrire, modifier, terminer une action, pour sa coordination, l'évaluation et
l'administration (`services_actions.peut_tenir_les_actions`).

Accès : un quartier invisible, ou l'action d'un autre quartier, répond 404; le conseil, qui
voit le quartier, reçoit 403 sur les pages qui écrivent. Une entrée refusée : 400, ses
messages à côté des champs, rien d'écrit. Une action modifiée par quelqu'un d'autre depuis
l'ouverture de la page : 409, l'envoi à côté de ce qui est enregistré, rien d'écrit."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from evalpic.dates import date_longue
from indicateurs import services_actions as services
from indicateurs.forms_actions import ActionForm, FinForm, libelle_du_changement
from indicateurs.models import Action, ChangementVise, StatutStrategie, TypeAction
from quartiers.acces import Droit, quartier_accessible_ou_404
from quartiers.models import Partenaire, Quartier

GABARITS = "indicateurs/actions/"


def _page(request, gabarit: str, contexte: dict, statut: int = 200) -> TemplateResponse:
    return TemplateResponse(request, GABARITS + gabarit, contexte, status=statut)


def _quartier_des_actions(utilisateur, slug: str) -> Quartier:
    """Le quartier visible `slug` (404 sinon) dont `utilisateur` tient les actions (403
    sinon)."""
    quartier = quartier_accessible_ou_404(utilisateur, slug, Droit.VOIR)
    if not services.peut_tenir_les_actions(utilisateur, quartier):
        raise PermissionDenied(str(services.REFUS_DES_ACTIONS))
    return quartier


def _action_du_quartier(quartier: Quartier, pk: int) -> Action:
    """Une action de `quartier`, avec ses partenaires et ses changements; 404 pour celle d'un
    autre quartier."""
    try:
        action = Action.objects.prefetch_related(
            "partenaires",
            Prefetch("changements", ChangementVise.objects.select_related("strategie")),
        ).get(pk=pk, quartier=quartier)
    except Action.DoesNotExist as absente:
        raise Http404(_("Action introuvable.")) from absente
    action.quartier = quartier
    return action


def _url_de_la_liste(quartier: Quartier) -> str:
    return reverse("actions", kwargs={"slug": quartier.slug})


@login_required
@require_safe
def actions(request, slug: str):
    """Les actions du quartier, en cours (ou à venir) puis terminées. Nombre de requêtes
    constant (tests/test_w8s15_actions_vues.py)."""
    quartier = quartier_accessible_ou_404(request.user, slug, Droit.VOIR)
    aujourd_hui = timezone.localdate()
    en_cours, terminees = [], []
    for action in services.actions_du_quartier(request.user, quartier):
        (terminees if action.fin is not None and action.fin < aujourd_hui else en_cours).append(
            action
        )
    contexte = {
        "quartier": quartier,
        "en_cours": en_cours,
        "terminees": terminees,
        "peut_tenir": services.peut_tenir_les_actions(request.user, quartier),
    }
    return _page(request, "liste.html", contexte)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def ajouter(request, slug: str):
    """Inscrire une action du quartier."""
    quartier = _quartier_des_actions(request.user, slug)
    arguments = {"utilisateur": request.user, "quartier": quartier}
    if request.method != "POST":  # GET, ou HEAD qui lit la même page
        form = ActionForm(**arguments)
        return _page(request, "formulaire.html", {"quartier": quartier, "form": form})
    form = ActionForm(request.POST, **arguments)
    if form.is_valid():
        try:
            action, creee = services.creer_action(
                auteur=request.user, quartier=quartier, donnees=form.donnees()
            )
        except ValidationError as erreur:
            form.erreurs_du_service(erreur)
        else:
            if creee:
                message = _("L'action « %(titre)s » est inscrite.")
            else:
                message = _("L'action « %(titre)s » était déjà inscrite : rien n'a changé.")
            messages.success(request, message % {"titre": action.titre})
            return redirect(_url_de_la_liste(quartier))
    return _page(request, "formulaire.html", {"quartier": quartier, "form": form}, 400)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def modifier(request, slug: str, pk: int):
    """Modifier une action. Le formulaire porte, cachée, la version de l'action à son
    ouverture : si quelqu'un l'a modifiée depuis, rien n'est écrit (409) et la page montre les
    deux (`_conflit`)."""
    quartier = _quartier_des_actions(request.user, slug)
    action = _action_du_quartier(quartier, pk)
    arguments = {"utilisateur": request.user, "quartier": quartier, "action": action}
    contexte = {
        "quartier": quartier,
        "action": action,
        "version": services.empreinte_de_l_action(action),
    }
    if request.method != "POST":  # GET, ou HEAD qui lit la même page
        contexte["form"] = ActionForm(**arguments)
        return _page(request, "formulaire.html", contexte)
    form = contexte["form"] = ActionForm(request.POST, **arguments)
    # Absente d'un envoi (un client sans la page), pas de garde : l'envoi remplace.
    version = request.POST.get("version") or None
    contexte["version"] = version or contexte["version"]
    if form.is_valid():
        try:
            services.modifier_action(
                auteur=request.user, action=action, donnees=form.donnees(), version=version
            )
        except services.ConflitAction:
            actuelle = _action_du_quartier(quartier, pk)
            contexte["version"] = services.empreinte_de_l_action(actuelle)
            lignes = _lignes_de_l_action(form.cleaned_data, actuelle)
            return _conflit(request, "formulaire.html", contexte, lignes)
        except ValidationError as erreur:
            form.erreurs_du_service(erreur)
        else:
            messages.success(
                request, _("L'action « %(titre)s » est modifiée.") % {"titre": action.titre}
            )
            return redirect(_url_de_la_liste(quartier))
    return _page(request, "formulaire.html", contexte, 400)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def terminer(request, slug: str, pk: int):
    """Terminer une action : sa date de fin. Elle reste au registre, avec son histoire; la
    même garde des modifications simultanées que `modifier`."""
    quartier = _quartier_des_actions(request.user, slug)
    action = _action_du_quartier(quartier, pk)
    contexte = {
        "quartier": quartier,
        "action": action,
        "version": services.empreinte_de_la_fin(action),
    }
    if request.method != "POST":  # GET, ou HEAD qui lit la même page
        contexte["form"] = FinForm(initial={"fin": action.fin or timezone.localdate()})
        return _page(request, "terminer.html", contexte)
    form = contexte["form"] = FinForm(request.POST)
    version = request.POST.get("version") or None
    contexte["version"] = version or contexte["version"]
    if form.is_valid():
        fin = form.cleaned_data["fin"]
        try:
            services.terminer_action(auteur=request.user, action=action, fin=fin, version=version)
        except services.ConflitAction as conflit:
            contexte["version"] = services.empreinte_de_la_fin(conflit.actuelle)
            lignes = [
                (_("Début"), _jour(action.debut), _jour(conflit.actuelle.debut)),
                (_("Fin"), _jour(fin), _jour(conflit.actuelle.fin)),
            ]
            return _conflit(request, "terminer.html", contexte, lignes)
        except ValidationError as erreur:
            form.erreurs_du_service(erreur)
        else:
            messages.success(
                request,
                _("L'action « %(titre)s » prend fin le %(date)s.")
                % {"titre": action.titre, "date": date_longue(fin)},
            )
            return redirect(_url_de_la_liste(quartier))
    return _page(request, "terminer.html", contexte, 400)


def _conflit(request, gabarit: str, contexte: dict, lignes: list[tuple]) -> TemplateResponse:
    """Quelqu'un a modifié l'action depuis l'ouverture de la page : rien n'est écrit (409).
    L'envoi reste dans le formulaire, à côté de ce qui est enregistré maintenant, avec la
    version actuelle : l'envoyer de nouveau remplace sciemment."""
    contexte["conflit"] = [
        {"libelle": libelle, "la_votre": votre, "l_autre": autre, "differe": votre != autre}
        for libelle, votre, autre in lignes
    ]
    return _page(request, gabarit, contexte, 409)


def _jour(date) -> str:
    return date_longue(date) if date else ""


def _noms(partenaires) -> str:
    return ", ".join(sorted(partenaire.nom for partenaire in partenaires))


def _changements(changements) -> str:
    return "; ".join(sorted(libelle_du_changement(changement) for changement in changements))


def _lignes_de_l_action(envoi: dict, actuelle: Action) -> list[tuple]:
    def type_(valeur: str) -> str:
        return capfirst(TypeAction(valeur).label)

    def porteur(partenaire: Partenaire | None) -> str:
        return partenaire.nom if partenaire else ""

    publies = [
        c for c in actuelle.changements.all() if c.strategie.statut != StatutStrategie.BROUILLON
    ]
    return [
        (_("Titre"), envoi["titre"].strip(), actuelle.titre),
        (_("Type d'action"), type_(envoi["type_action"]), type_(actuelle.type_action)),
        (_("Description"), envoi["description"].strip(), actuelle.description),
        (_("Porteur de projet"), porteur(envoi["porteur"]), porteur(actuelle.porteur)),
        (
            _("Partenaires impliqués"),
            _noms(envoi["partenaires"]),
            _noms(actuelle.partenaires.all()),
        ),
        (_("Changements servis"), _changements(envoi["changements"]), _changements(publies)),
        (_("Début"), _jour(envoi["debut"]), _jour(actuelle.debut)),
        (_("Fin"), _jour(envoi["fin"]), _jour(actuelle.fin)),
    ]
