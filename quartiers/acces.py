"""Le sélecteur d'accès unique : toute vue, tout export et toute tâche part d'ici.

Chaque droit (`Droit`) dit, pour chaque rôle, s'il vaut pour les quartiers affectés ou pour
tous. Un objet d'un quartier inaccessible répond 404 (jamais 403), pour ne rien révéler.
"""

from __future__ import annotations

from enum import Enum

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from quartiers.models import Affectation, Quartier, RoleAffectation, RoleGlobal


class Droit(Enum):
    VOIR = "voir"  # tableaux de bord, bilans, page du quartier
    SAISIR = "saisir"  # saisir, modifier un brouillon, soumettre
    VALIDER = "valider"  # valider, renvoyer, rouvrir
    COMMENTER = "commenter"  # commentaires, apprentissages
    GENERER_BILAN = "generer_bilan"
    GERER_CATALOGUE = "gerer_catalogue"  # la coordination propose pour son quartier


# Pour chaque droit : les rôles d'affectation qui l'ont sur leurs quartiers, puis les rôles
# transversaux qui l'ont sur tous les quartiers. L'admin (et le superutilisateur) a tout.
_MATRICE: dict[Droit, tuple[set[str], set[str]]] = {
    Droit.VOIR: (
        {RoleAffectation.COORDONNATEUR, RoleAffectation.CONSEILLER},
        {RoleGlobal.EVALUATEUR, RoleGlobal.ADMIN},
    ),
    Droit.SAISIR: ({RoleAffectation.COORDONNATEUR}, {RoleGlobal.ADMIN}),
    Droit.VALIDER: (set(), {RoleGlobal.EVALUATEUR, RoleGlobal.ADMIN}),
    Droit.COMMENTER: (
        {RoleAffectation.COORDONNATEUR, RoleAffectation.CONSEILLER},
        {RoleGlobal.EVALUATEUR, RoleGlobal.ADMIN},
    ),
    Droit.GENERER_BILAN: (
        {RoleAffectation.COORDONNATEUR, RoleAffectation.CONSEILLER},
        {RoleGlobal.EVALUATEUR, RoleGlobal.ADMIN},
    ),
    Droit.GERER_CATALOGUE: (
        {RoleAffectation.COORDONNATEUR},
        {RoleGlobal.EVALUATEUR, RoleGlobal.ADMIN},
    ),
}


def a_le_droit_partout(utilisateur, droit: Droit) -> bool:
    """Vrai si `utilisateur` a `droit` sur tous les quartiers par son rôle transversal
    (évaluation, administration) ou comme superutilisateur, et non par ses affectations."""
    if utilisateur.is_superuser:
        return True
    return utilisateur.role_global in _MATRICE[droit][1]


def quartiers_accessibles(utilisateur, droit: Droit = Droit.VOIR) -> QuerySet[Quartier]:
    """Les quartiers sur lesquels `utilisateur` a `droit`. Point de départ de toute lecture."""
    if utilisateur is None or not utilisateur.is_authenticated or not utilisateur.is_active:
        return Quartier.objects.none()
    if a_le_droit_partout(utilisateur, droit):
        return Quartier.objects.all()
    roles = _MATRICE[droit][0]
    if not roles:
        return Quartier.objects.none()
    affectes = Affectation.objects.en_vigueur().filter(utilisateur=utilisateur, role__in=roles)
    return Quartier.objects.filter(pk__in=affectes.values("quartier_id"))


def quartier_accessible_ou_404(utilisateur, slug: str, droit: Droit = Droit.VOIR) -> Quartier:
    """Le quartier `slug` (avec sa table) si `utilisateur` y a `droit`, sinon 404 (qu'il existe
    ou non)."""
    try:
        return quartiers_accessibles(utilisateur, droit).select_related("table").get(slug=slug)
    except Quartier.DoesNotExist as absent:
        raise Http404(_("Quartier introuvable.")) from absent


def exiger_le_droit(
    utilisateur, droit: Droit, quartier: Quartier, *, introuvable: str = "", refus: str = ""
) -> None:
    """404 si `quartier` est invisible pour `utilisateur` (message `introuvable`); 403 s'il le
    voit sans avoir `droit` (message `refus`). Pour les services qui écrivent."""
    if not quartiers_accessibles(utilisateur, Droit.VOIR).filter(pk=quartier.pk).exists():
        raise Http404(introuvable or _("Quartier introuvable."))
    if not a_le_droit(utilisateur, droit, quartier):
        raise PermissionDenied(refus or _("Vous n'avez pas le droit de faire cette opération."))


def a_le_droit(utilisateur, droit: Droit, quartier: Quartier) -> bool:
    """Vrai si `utilisateur` a `droit` sur `quartier` (pour afficher ou masquer une action)."""
    return quartiers_accessibles(utilisateur, droit).filter(pk=quartier.pk).exists()


def peut_generer_bilan_pic(utilisateur) -> bool:
    """Le bilan de tout le PIC est réservé à l'évaluation et à l'administration."""
    return bool(utilisateur.is_authenticated) and a_le_droit_partout(utilisateur, Droit.VALIDER)
