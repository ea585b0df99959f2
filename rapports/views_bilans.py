"""Pages des bilans : liste et demande, lecture, téléchargements, comparaison."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from rapports import comparaison, rendu, selectors, services
from rapports.fichiers import reponse_du_fichier
from rapports.forms_bilans import ComparaisonForm, DemandeBilanForm
from rapports.models import StatutBilan


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def liste(request):
    form = DemandeBilanForm(request.POST or None, utilisateur=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            bilan = services.demander_bilan(auteur=request.user, **form.arguments())
        except ValidationError as erreur:
            form.add_error("periode", erreur.messages)
        except services.DemandesTropNombreuses as refus:
            # La limite par personne et par heure : la page, son formulaire rempli, et pourquoi.
            page = _page_des_bilans(
                request, form, status=429, extra={"trop_de_demandes": refus.detail}
            )
            page["Retry-After"] = str(refus.wait)
            return page
        else:
            _annoncer_la_demande(request, bilan)
            return redirect("bilan_detail", pk=bilan.pk)
    return _page_des_bilans(request, form)


def _annoncer_la_demande(request, bilan) -> None:
    """Le message qui suit la demande, d'après l'état du bilan à son retour : sans file de tâches
    (tâches dans le processus), il est déjà prêt, ou déjà en échec, quand la page s'affiche."""
    if bilan.statut == StatutBilan.PRET:
        messages.success(request, _("Le bilan est prêt."))
    elif bilan.statut == StatutBilan.ECHEC:
        messages.error(request, _("Le bilan n'a pas pu être produit : le motif est ci-dessous."))
    elif services.attend_la_file(bilan):
        messages.warning(request, services.MESSAGE_FILE_INDISPONIBLE)
    else:
        messages.success(
            request, _("Le bilan est demandé : vous serez prévenu·e quand il sera prêt.")
        )


def _page_des_bilans(
    request, form, comparaison=None, status: int | None = None, extra: dict | None = None
):
    """La liste des bilans, avec le formulaire de demande et celui de comparaison (ses erreurs
    et les bilans cochés quand un choix est refusé)."""
    bilans = selectors.bilans_accessibles(request.user)[:200]
    contexte = {
        "form": form,
        "bilans": bilans,
        "comparaison": comparaison or ComparaisonForm(),
        **(extra or {}),
    }
    return TemplateResponse(request, "rapports/bilans.html", contexte, status=status)


@login_required
@require_safe
def detail(request, pk: int):
    bilan = selectors.bilan_accessible_ou_404(request.user, pk)
    contexte = {"bilan": bilan, "attend_la_file": services.attend_la_file(bilan)}
    if bilan.statut == StatutBilan.PRET:
        # Le bilan dans sa langue, le site autour dans celle de la personne qui le lit.
        contexte["contenu"] = rendu.contenu(
            bilan.instantane,
            titre=services.titre_du_bilan(bilan),
            extra={"somme_controle": bilan.somme_controle},
        )
    return TemplateResponse(request, "rapports/bilan.html", contexte)


@login_required
@require_safe
def telecharger(request, pk: int, format: str):
    """Chaque téléchargement revérifie l'accès; seul un bilan prêt a des fichiers."""
    bilan = selectors.bilan_accessible_ou_404(request.user, pk)
    return reponse_du_fichier(bilan, format)


@login_required
@require_safe
def comparer(request):
    """Compare deux bilans cochés dans la liste. Un choix manquant, illisible ou le même bilan
    deux fois : la liste à nouveau, avec ce qu'il faut corriger (400); un bilan d'ailleurs : 404."""
    choix = ComparaisonForm(request.GET)
    if not choix.is_valid():
        demande = DemandeBilanForm(utilisateur=request.user)
        return _page_des_bilans(request, demande, comparaison=choix, status=400)
    a = selectors.bilan_accessible_ou_404(request.user, choix.cleaned_data["a"])
    b = selectors.bilan_accessible_ou_404(request.user, choix.cleaned_data["b"])
    if (a.portee, a.quartier_id) != (b.portee, b.quartier_id):
        return TemplateResponse(
            request,
            "rapports/comparaison.html",
            {"erreur": _("On ne compare que deux bilans de même portée.")},
            status=400,
        )
    if not (a.est_pret and b.est_pret):
        raise Http404(_("Ce bilan n'est pas prêt."))
    contexte = {"a": a, "b": b, **comparaison.comparer(a, b)}
    return TemplateResponse(request, "rapports/comparaison.html", contexte)
