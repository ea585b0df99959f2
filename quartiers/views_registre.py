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
from django.utils import formats
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from evalpic.textes import texte_saisi
from quartiers import services_registre as services
from quartiers.acces import Droit, a_le_droit, quartier_accessible_ou_404
from quartiers.forms_registre import FicheForm, InscriptionForm, ParticipationForm
from quartiers.models import Partenaire, Participation, Quartier, RoleParticipation


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
    """Le rôle, le début et la fin (le départ) d'une participation à la table du quartier. Le
    formulaire porte, cachée, la version de la participation à son ouverture : si quelqu'un l'a
    modifiée depuis, rien n'est écrit (409) et la page montre les deux (`_conflit`)."""
    quartier = _quartier_du_registre(request.user, slug)
    participation = _participation_du_quartier(quartier, pk)
    contexte = {
        "quartier": quartier,
        "participation": participation,
        "fiche_modifiable": services.fiche_modifiable(request.user, participation.partenaire),
        "version": services.empreinte_de_la_participation(participation),
    }
    if request.method != "POST":  # GET, ou HEAD qui lit la même page
        initial = {"role": participation.role, "debut": participation.debut}
        initial["fin"] = participation.fin
        contexte["form"] = ParticipationForm(initial=initial)
        return _page(request, "participation.html", contexte)
    form = contexte["form"] = ParticipationForm(request.POST)
    # Absente d'un envoi (un client sans la page), pas de garde : l'envoi remplace.
    version = request.POST.get("version") or None
    contexte["version"] = version or contexte["version"]
    if form.is_valid():
        try:
            services.modifier_participation(
                auteur=request.user,
                participation=participation,
                version=version,
                **form.participation(),
            )
        except services.ConflitRegistre as conflit:
            return _conflit(request, "participation.html", contexte, form, conflit.actuel)
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
    aussi à une table que la personne ne coordonne pas. La même garde des modifications
    simultanées que la participation (409)."""
    quartier = _quartier_du_registre(request.user, slug)
    participation = _participation_du_quartier_par_partenaire(quartier, pk)
    partenaire = participation.partenaire
    if not services.fiche_modifiable(request.user, partenaire):
        raise PermissionDenied(str(services.REFUS_FICHE_PARTAGEE))
    # Le nom enregistré, pour le titre : un envoi refusé ne le change pas.
    contexte = {
        "quartier": quartier,
        "partenaire": partenaire,
        "nom": partenaire.nom,
        "version": services.empreinte_de_la_fiche(partenaire),
    }
    if request.method != "POST":  # GET, ou HEAD qui lit la même page
        champs = ("nom", "secteur", "acteur_influence", "site_web")
        initial = {champ: getattr(partenaire, champ) for champ in champs}
        contexte["form"] = FicheForm(initial=initial)
        return _page(request, "fiche.html", contexte)
    form = contexte["form"] = FicheForm(request.POST)
    version = request.POST.get("version") or None
    contexte["version"] = version or contexte["version"]
    if form.is_valid():
        try:
            services.modifier_partenaire(
                auteur=request.user,
                quartier=quartier,
                partenaire=partenaire,
                donnees=form.fiche(),
                version=version,
            )
        except services.ConflitRegistre as conflit:
            return _conflit(request, "fiche.html", contexte, form, conflit.actuel)
        except ValidationError as erreur:
            form.erreurs_du_service(erreur)
        else:
            messages.success(
                request, _("La fiche de %(partenaire)s est modifiée.") % {"partenaire": partenaire}
            )
            return _retour(quartier)
    return _page(request, "fiche.html", contexte, 400)


def _conflit(request, gabarit: str, contexte: dict, form, actuel) -> TemplateResponse:
    """Quelqu'un a modifié la participation ou la fiche depuis l'ouverture de la page : rien
    n'est écrit (409). L'envoi reste dans le formulaire, à côté de ce qui est enregistré
    maintenant, avec la version actuelle : l'envoyer de nouveau remplace sciemment."""
    if isinstance(actuel, Participation):
        contexte["version"] = services.empreinte_de_la_participation(actuel)
        lignes = _lignes_de_la_participation(form.cleaned_data, actuel)
    else:
        contexte["version"] = services.empreinte_de_la_fiche(actuel)
        lignes = _lignes_de_la_fiche(form.cleaned_data, actuel)
    contexte["conflit"] = [
        {"libelle": libelle, "la_votre": votre, "l_autre": autre, "differe": votre != autre}
        for libelle, votre, autre in lignes
    ]
    return _page(request, gabarit, contexte, 409)


def _jour(date) -> str:
    return formats.date_format(date, "SHORT_DATE_FORMAT") if date else ""


def _lignes_de_la_participation(envoi: dict, actuelle: Participation) -> list[tuple]:
    def role(valeur: str) -> str:
        return capfirst(RoleParticipation(valeur).label)

    return [
        (_("Rôle"), role(envoi["role"]), role(actuelle.role)),
        (_("Début"), _jour(envoi["debut"]), _jour(actuelle.debut)),
        (_("Fin"), _jour(envoi["fin"]), _jour(actuelle.fin)),
    ]


def _lignes_de_la_fiche(envoi: dict, actuel: Partenaire) -> list[tuple]:
    def oui_non(valeur: bool) -> str:
        return _("oui") if valeur else _("non")

    return [
        (_("Nom"), texte_saisi(envoi["nom"]), actuel.nom),
        (_("Secteur"), envoi["secteur"].nom, actuel.secteur.nom),
        (
            _("Acteur d'influence"),
            oui_non(envoi["acteur_influence"]),
            oui_non(actuel.acteur_influence),
        ),
        (_("Site web"), envoi["site_web"] or "", actuel.site_web),
    ]


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
