"""Pages du registre des partenaires d'une table : inscrire un partenaire, modifier une
participation, modifier la fiche d'un partenaire. Droit de saisir sur le quartier (sa
coordination, l'administration) : 404 pour un quartier invisible ou l'objet d'un autre quartier,
403 pour un quartier visible sans ce droit. Les règles sont dans `quartiers.services_registre`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from quartiers import services_registre as services
from quartiers.acces import Droit, a_le_droit, quartier_accessible_ou_404
from quartiers.forms_registre import FicheForm, InscriptionForm, ParticipationForm
from quartiers.models import Participation, Quartier


def _quartier_du_registre(utilisateur, slug: str) -> Quartier:
    quartier = quartier_accessible_ou_404(utilisateur, slug, Droit.VOIR)
    if not a_le_droit(utilisateur, Droit.SAISIR, quartier):
        raise PermissionDenied(str(services.REFUS_DU_REGISTRE))
    services.table_du_quartier(quartier)  # 404 sans table : pas de registre
    return quartier


def _participation_du_quartier(quartier: Quartier, pk: int) -> Participation:
    """Une participation à la table de `quartier`; 404 pour celle d'une autre table."""
    try:
        return Participation.objects.select_related("partenaire__secteur", "table__quartier").get(
            pk=pk, table__quartier=quartier
        )
    except Participation.DoesNotExist as absente:
        raise Http404(_("Participation introuvable.")) from absente


def _retour(quartier: Quartier):
    """La page du quartier, en haut : son message de confirmation y est visible (une ancre sur
    la section des partenaires le laissait hors de l'écran)."""
    return redirect(quartier.get_absolute_url())


def _page(request, gabarit: str, contexte: dict, statut: int = 200) -> TemplateResponse:
    return TemplateResponse(request, f"quartiers/registre/{gabarit}", contexte, status=statut)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def inscrire_partenaire(request, slug: str):
    """Inscrire au registre un partenaire déjà connu ou nouveau, avec sa participation."""
    quartier = _quartier_du_registre(request.user, slug)
    if request.method != "POST":  # GET, ou HEAD qui lit la même page
        form = InscriptionForm(utilisateur=request.user)
        return _page(request, "inscrire.html", {"quartier": quartier, "form": form})
    form = InscriptionForm(request.POST, utilisateur=request.user)
    if form.is_valid():
        arguments = form.arguments()
        try:
            participation = services.inscrire_partenaire(
                auteur=request.user, quartier=quartier, **arguments
            )
        except ValidationError as erreur:
            form.erreurs_du_service(erreur)
        else:
            partenaire = participation.partenaire
            messages.success(
                request,
                _("%(partenaire)s figure maintenant au registre de la table.")
                % {"partenaire": partenaire.nom},
            )
            if services.fiche_gardee_autre_que_la_saisie(arguments.get("nouveau"), partenaire):
                # Rien de la fiche d'une autre table (son secteur) : le message dit seulement
                # qu'un partenaire existant est inscrit, avec sa fiche.
                messages.info(
                    request,
                    _(
                        "%(partenaire)s était déjà au registre : ce partenaire existant est "
                        "inscrit à votre table avec sa fiche, et non ce que vous avez saisi pour "
                        "lui. Les indicateurs de la table se calculent sur cette fiche; "
                        "l'administration peut la corriger."
                    )
                    % {"partenaire": partenaire.nom},
                )
            return _retour(quartier)
    return _page(request, "inscrire.html", {"quartier": quartier, "form": form}, 400)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def modifier_participation(request, slug: str, pk: int):
    """Le rôle, le début et la fin (le départ) d'une participation à la table du quartier."""
    quartier = _quartier_du_registre(request.user, slug)
    participation = _participation_du_quartier(quartier, pk)
    contexte = {
        "quartier": quartier,
        "participation": participation,
        "fiche_modifiable": services.fiche_modifiable(request.user, participation.partenaire),
    }
    if request.method != "POST":  # GET, ou HEAD qui lit la même page
        initial = {"role": participation.role, "debut": participation.debut}
        initial["fin"] = participation.fin
        contexte["form"] = ParticipationForm(initial=initial)
        return _page(request, "participation.html", contexte)
    form = contexte["form"] = ParticipationForm(request.POST)
    if form.is_valid():
        try:
            services.modifier_participation(
                auteur=request.user, participation=participation, **form.participation()
            )
        except ValidationError as erreur:
            form.erreurs_du_service(erreur)
        else:
            messages.success(
                request,
                _("La participation de %(partenaire)s est modifiée.")
                % {"partenaire": participation.partenaire.nom},
            )
            return _retour(quartier)
    return _page(request, "participation.html", contexte, 400)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def modifier_partenaire(request, slug: str, pk: int):
    """La fiche d'un partenaire qui siège (ou a siégé) à la table du quartier; 403 s'il siège
    aussi à une table que la personne ne coordonne pas."""
    quartier = _quartier_du_registre(request.user, slug)
    participation = _participation_du_quartier_par_partenaire(quartier, pk)
    partenaire = participation.partenaire
    if not services.fiche_modifiable(request.user, partenaire):
        raise PermissionDenied(str(services.REFUS_FICHE_PARTAGEE))
    # Le nom enregistré, pour le titre : un envoi refusé ne le change pas.
    contexte = {"quartier": quartier, "partenaire": partenaire, "nom": partenaire.nom}
    if request.method != "POST":  # GET, ou HEAD qui lit la même page
        champs = ("nom", "secteur", "acteur_influence", "site_web")
        initial = {champ: getattr(partenaire, champ) for champ in champs}
        contexte["form"] = FicheForm(initial=initial)
        return _page(request, "fiche.html", contexte)
    form = contexte["form"] = FicheForm(request.POST)
    if form.is_valid():
        try:
            services.modifier_partenaire(
                auteur=request.user, quartier=quartier, partenaire=partenaire, donnees=form.fiche()
            )
        except ValidationError as erreur:
            form.erreurs_du_service(erreur)
        else:
            messages.success(
                request, _("La fiche de %(partenaire)s est modifiée.") % {"partenaire": partenaire}
            )
            return _retour(quartier)
    return _page(request, "fiche.html", contexte, 400)


def _participation_du_quartier_par_partenaire(quartier: Quartier, pk: int) -> Participation:
    """Une participation du partenaire `pk` à la table de `quartier`; 404 s'il n'y siège pas."""
    participation = (
        Participation.objects.select_related("partenaire__secteur")
        .filter(partenaire_id=pk, table__quartier=quartier)
        .first()
    )
    if participation is None:
        raise Http404(_("Partenaire introuvable."))
    return participation
