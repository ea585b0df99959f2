"""Le catalogue d'indicateurs lu et tenu depuis le site : la liste, la page d'un indicateur, et,
pour l'évaluation et l'administration (`gere_le_catalogue`), créer un indicateur approuvé,
modifier sa définition, le retirer du catalogue avec un motif et le rétablir.

Qui lit : toute personne qui voit au moins un quartier. Les définitions ne sont pas secrètes,
mais un indicateur proposé par un autre quartier (ou refusé, ou retiré, que suit un autre
quartier) reste inconnu de la coordination et du conseil : la règle `connus_de`. L'évaluation
et l'administration lisent tout le catalogue.

Ce qui se modifie : les champs que propose une table (`CHAMPS_PROPOSES`). Le code ne change plus
dès qu'un quartier suit l'indicateur ou que des valeurs existent (`Indicateur.code_est_fige`,
règle du modèle, que l'administration applique aussi); l'unité change selon la règle des unités
(`Indicateur.clean`, `services_unites`) : les valeurs déjà enregistrées doivent rester dans les
bornes de la nouvelle unité. Un indicateur calculé l'est par le code (`Calcul`) : seuls ses noms,
ses définitions et ses sources, des textes, se modifient. Une proposition (en attente ou
refusée) appartient à sa table et à son examen (`services_catalogue`) : elle ne se modifie pas
ici.

Retirer un indicateur approuvé le sort du catalogue (`StatutIndicateur.RETIRE`, avec motif, qui
et quand) : le formulaire trimestriel ne le demande plus (`suivi_a_saisir`), les tableaux de bord
et les stratégies le marquent « retiré » (`EtatDeMesure.RETIRE`); ses valeurs, ses références et
ses cibles restent. Le rétablir le remet au catalogue.

Deux onglets : la page porte l'empreinte de ce qu'elle a montré (`empreinte_de_la_definition`),
comparée sous le verrou de la ligne à l'écriture; différente, rien n'est écrit
(`ConflitCatalogue`, 409), sauf si ce qui est enregistré est déjà exactement ce que l'envoi
écrirait (un double clic) : la page réussit sans rien écrire.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from evalpic.empreintes import empreinte
from evalpic.textes import texte_saisi
from indicateurs.models import Indicateur, IndicateurSuivi, ModeCollecte, StatutIndicateur
from indicateurs.models.catalogue import Calcul
from indicateurs.propositions_refusees import RefusLu, lire_les_refus
from indicateurs.services import LONGUEUR_MOTIF_MAX
from indicateurs.services_catalogue import (
    CHAMPS_PROPOSES,
    CODE_PRIS,
    ConflitCatalogue,
    erreurs_de,
    exiger_de_gerer_le_catalogue,
    gere_le_catalogue,
    titulaire_verrouille,
)
from quartiers.acces import Droit, quartiers_accessibles

# Ce qui se modifie d'un indicateur calculé : des textes, rien de son calcul ni de sa lecture.
CHAMPS_D_UN_CALCULE = ("nom_fr", "nom_en", "definition_fr", "definition_en", "source", "source_en")


# --- Lire ---------------------------------------------------------------------------------------


def indicateurs_lisibles(utilisateur) -> QuerySet[Indicateur]:
    """Les indicateurs que `utilisateur` peut lire au catalogue : tous pour l'évaluation et
    l'administration, ceux que connaissent ses quartiers sinon (`connus_de`). 403 pour qui ne
    voit aucun quartier."""
    if gere_le_catalogue(utilisateur):
        return Indicateur.objects.all()
    if not quartiers_accessibles(utilisateur, Droit.VOIR).exists():
        raise PermissionDenied(
            _("Le catalogue se lit depuis un quartier : aucun ne vous est affecté.")
        )
    return Indicateur.objects.connus_de(utilisateur)


@dataclass(frozen=True)
class FiltreDuCatalogue:
    statut: str = ""
    famille: str = ""
    theme: int | None = None
    recherche: str = ""


def catalogue(utilisateur, filtre: FiltreDuCatalogue) -> list[Indicateur]:
    """Les indicateurs lisibles qui répondent au filtre, par code, chacun avec son thème et
    `nb_quartiers` : combien de quartiers visibles le suivent (suivi actif). Une requête (et
    celle du droit de lire pour qui ne gère pas le catalogue), quel que soit leur nombre."""
    indicateurs = indicateurs_lisibles(utilisateur)
    suivis = Q(suivis__actif=True)
    if not gere_le_catalogue(utilisateur):
        suivis &= Q(suivis__quartier__in=quartiers_accessibles(utilisateur, Droit.VOIR))
    if filtre.statut:
        indicateurs = indicateurs.filter(statut=filtre.statut)
    if filtre.famille:
        indicateurs = indicateurs.filter(famille=filtre.famille)
    if filtre.theme is not None:
        indicateurs = indicateurs.filter(theme_id=filtre.theme)
    if filtre.recherche:
        mots = filtre.recherche
        indicateurs = indicateurs.filter(
            Q(code__icontains=mots) | Q(nom_fr__icontains=mots) | Q(nom_en__icontains=mots)
        )
    return list(
        indicateurs.select_related("theme")
        .annotate(nb_quartiers=Count("suivis", filter=suivis, distinct=True))
        .order_by("code")
    )


def indicateur_ou_404(utilisateur, code: str) -> Indicateur:
    """L'indicateur `code` s'il est lisible par `utilisateur` (`indicateurs_lisibles`), avec
    son thème et qui l'a proposé, examiné, retiré; 404 sinon, comme un code qui n'existe pas."""
    indicateur = (
        indicateurs_lisibles(utilisateur)
        .filter(code=code)
        .select_related("theme", "propose_par", "examine_par", "retire_par")
        .first()
    )
    if indicateur is None:
        raise Http404(_("Indicateur introuvable."))
    return indicateur


def relire(indicateur: Indicateur) -> Indicateur:
    """`indicateur` tel qu'enregistré maintenant (après un conflit), par sa clé : son code a
    pu changer entre-temps. 404 s'il n'existe plus."""
    actuel = (
        Indicateur.objects.filter(pk=indicateur.pk)
        .select_related("theme", "propose_par", "examine_par", "retire_par")
        .first()
    )
    if actuel is None:
        raise Http404(_("Indicateur introuvable."))
    return actuel


@dataclass
class SuivisLus:
    """Les suivis d'un indicateur que la personne voit, et les refus de sa proposition quand
    elle voit le quartier qui l'a proposée."""

    visibles: list[IndicateurSuivi]
    refus: list[RefusLu]


def suivis_et_refus(utilisateur, indicateur: Indicateur) -> SuivisLus:
    """Les suivis de `indicateur` dans les quartiers que voit `utilisateur` (quartier, actif ou
    arrêté), par nom de quartier. Les refus précédents d'une proposition (qui l'a proposée, sa
    référence) sont ceux d'un seul quartier, celui qui l'a proposée : ils ne se lisent que de
    qui le voit. Une requête, et celle des thèmes nommés s'il y a des refus."""
    visibles = quartiers_accessibles(utilisateur, Droit.VOIR).filter(pk=OuterRef("quartier_id"))
    suivis = list(
        IndicateurSuivi.objects.filter(indicateur=indicateur)
        .select_related("quartier")
        .annotate(visible=Exists(visibles))
        .order_by("quartier__nom")
    )
    lisibles = [suivi for suivi in suivis if suivi.visible]
    refus: list[RefusLu] = []
    if indicateur.refus_precedents and len(suivis) <= 1 and len(lisibles) == len(suivis):
        refus = lire_les_refus(indicateur, suivis[0] if suivis else None)
    return SuivisLus(lisibles, refus)


def est_une_proposition(indicateur: Indicateur) -> bool:
    """En attente d'examen, ou refusée (retirée avec un motif de refus) : elle appartient à sa
    table et à son examen, pas à la page de l'indicateur."""
    return indicateur.statut == StatutIndicateur.PROPOSE or bool(indicateur.motif_refus)


def est_modifiable(indicateur: Indicateur) -> bool:
    """Approuvé, ou retiré du catalogue (pas une proposition refusée)."""
    return not est_une_proposition(indicateur)


def peut_etre_retabli(indicateur: Indicateur) -> bool:
    return indicateur.statut == StatutIndicateur.RETIRE and not indicateur.motif_refus


def champs_modifiables(indicateur: Indicateur | None) -> tuple[str, ...]:
    """Les champs que la page de modification montre : tous ceux d'une proposition pour un
    nouvel indicateur; sans le code s'il est figé; les textes seuls d'un indicateur calculé."""
    if indicateur is None:
        return CHAMPS_PROPOSES
    if indicateur.est_calcule:
        return CHAMPS_D_UN_CALCULE
    if indicateur.code_est_fige():
        return tuple(nom for nom in CHAMPS_PROPOSES if nom != "code")
    return CHAMPS_PROPOSES


def empreinte_de_la_definition(indicateur: Indicateur) -> str:
    """La version de la page d'un indicateur : sa définition, son statut et son retrait. Toute
    écriture qui les change (site, administration, examen) la change."""
    contenu = [str(_valeur(indicateur, nom)) for nom in CHAMPS_PROPOSES]
    return empreinte([*contenu, indicateur.statut, indicateur.motif_retrait])


def _valeur(indicateur: Indicateur, nom: str):
    return indicateur.theme_id if nom == "theme" else getattr(indicateur, nom)


def _porte_deja(indicateur: Indicateur, contenu: Mapping[str, object]) -> bool:
    """Vrai si `indicateur` porte déjà chaque valeur de `contenu` (le thème par son id)."""
    return all(
        _valeur(indicateur, nom) == (getattr(valeur, "pk", valeur) if nom == "theme" else valeur)
        for nom, valeur in contenu.items()
    )


# --- Écrire -------------------------------------------------------------------------------------


def _verrouille(indicateur: Indicateur) -> Indicateur:
    actuel = (
        Indicateur.objects.select_for_update(of=("self",))
        .select_related("retire_par")
        .filter(pk=indicateur.pk)
        .first()
    )
    if actuel is None:
        raise Http404(_("Indicateur introuvable."))
    return actuel


def _conflit() -> ConflitCatalogue:
    return ConflitCatalogue(
        _(
            "Quelqu'un a modifié cet indicateur depuis que vous l'avez ouvert : rien de ce que "
            "vous avez envoyé n'a été enregistré. Relisez-le, puis recommencez."
        )
    )


@transaction.atomic
def creer_indicateur(*, utilisateur, contenu: Mapping[str, object]) -> Indicateur:
    """Crée un indicateur saisi, approuvé d'emblée (`contenu` : les `CHAMPS_PROPOSES`). Les
    règles du modèle valent (`full_clean`); une `ValidationError` par champ, rien d'écrit. Le
    même envoi reçu deux fois (même code, même contenu, indicateur approuvé créé ici, que rien
    ne suit encore) réussit sans rien écrire; tout autre code pris reçoit `CODE_PRIS`."""
    exiger_de_gerer_le_catalogue(utilisateur)
    code = str(contenu.get("code") or "")
    titulaire = titulaire_verrouille(code) if code else None
    if titulaire is not None and _deja_cree(titulaire, contenu):
        return titulaire
    indicateur = Indicateur(
        mode=ModeCollecte.SAISI, calcul=Calcul.AUCUN, statut=StatutIndicateur.APPROUVE
    )
    for nom, valeur in contenu.items():
        setattr(indicateur, nom, valeur)
    erreurs = erreurs_de(indicateur.full_clean, validate_unique=False)
    if titulaire is not None:
        erreurs["code"] = [str(CODE_PRIS)]
    if erreurs:
        raise ValidationError(erreurs)
    try:
        with transaction.atomic():
            indicateur.save()
    except IntegrityError as doublon:  # le même code créé au même instant
        titulaire = titulaire_verrouille(code)
        if titulaire is not None and _deja_cree(titulaire, contenu):
            return titulaire
        raise ValidationError({"code": str(CODE_PRIS)}) from doublon
    return indicateur


def _deja_cree(indicateur: Indicateur, contenu: Mapping[str, object]) -> bool:
    return (
        indicateur.statut == StatutIndicateur.APPROUVE
        and indicateur.mode == ModeCollecte.SAISI
        and indicateur.propose_par_id is None
        and not indicateur.code_est_fige()
        and _porte_deja(indicateur, contenu)
    )


@transaction.atomic
def modifier_definition(
    *, utilisateur, indicateur: Indicateur, contenu: Mapping[str, object], version: str | None
) -> Indicateur:
    """Écrit la définition de `indicateur` (approuvé ou retiré du catalogue) : `contenu` donne
    les champs de `champs_modifiables`; un autre champ est refusé à son nom. Les règles du
    modèle valent (code figé, mots réservés, unité et valeurs déjà enregistrées); une
    `ValidationError` par champ, rien d'écrit. `ConflitCatalogue` si l'indicateur a changé
    depuis `version`, sauf s'il porte déjà exactement `contenu` (double clic) : rien n'est
    écrit, comme pour un envoi qui ne change rien."""
    exiger_de_gerer_le_catalogue(utilisateur)
    actuel = _verrouille(indicateur)
    if version is not None and empreinte_de_la_definition(actuel) != version:
        if est_modifiable(actuel) and _porte_deja(actuel, contenu):
            return actuel
        raise _conflit()
    if not est_modifiable(actuel):
        raise ValidationError(
            _("Une proposition se modifie par sa table et s'examine : pas depuis le catalogue.")
        )
    permis = champs_modifiables(actuel)
    if interdits := [nom for nom in contenu if nom not in permis]:
        raise ValidationError(
            {nom: _("Ce champ ne se modifie pas pour cet indicateur.") for nom in interdits}
        )
    if _porte_deja(actuel, contenu):
        return actuel
    code_change = contenu.get("code", actuel.code) != actuel.code
    for nom, valeur in contenu.items():
        setattr(actuel, nom, valeur)
    erreurs = erreurs_de(actuel.full_clean, validate_unique=False)
    if code_change and Indicateur.objects.filter(code=actuel.code).exclude(pk=actuel.pk).exists():
        erreurs.setdefault("code", []).append(str(CODE_PRIS))
    if erreurs:
        raise ValidationError(erreurs)
    try:
        with transaction.atomic():
            actuel.save(update_fields=list(contenu))
    except IntegrityError as doublon:  # le même code pris au même instant
        raise ValidationError({"code": str(CODE_PRIS)}) from doublon
    return actuel


@transaction.atomic
def retirer_indicateur(
    *, utilisateur, indicateur: Indicateur, motif: str, version: str | None
) -> Indicateur:
    """Retire du catalogue un indicateur approuvé, avec un motif (obligatoire) : le formulaire
    trimestriel ne le demande plus, les tableaux de bord le marquent « retiré »; rien n'est
    supprimé. Déjà retiré par la même personne avec le même motif : rien n'est écrit (double
    clic). `ConflitCatalogue` s'il a changé depuis `version`."""
    exiger_de_gerer_le_catalogue(utilisateur)
    motif = texte_saisi(motif)
    if not motif:
        raise ValidationError({"motif": _("Dites pourquoi l'indicateur est retiré.")})
    if len(motif) > LONGUEUR_MOTIF_MAX:
        raise ValidationError(
            {"motif": _("Le motif dépasse %(max)s caractères.") % {"max": LONGUEUR_MOTIF_MAX}}
        )
    actuel = _verrouille(indicateur)
    if (
        peut_etre_retabli(actuel)
        and actuel.motif_retrait == motif
        and actuel.retire_par_id == utilisateur.pk
    ):
        return actuel
    if version is not None and empreinte_de_la_definition(actuel) != version:
        raise _conflit()
    if actuel.statut != StatutIndicateur.APPROUVE:
        raise ValidationError(_("Seul un indicateur approuvé au catalogue se retire."))
    actuel.statut = StatutIndicateur.RETIRE
    actuel.motif_retrait = motif
    actuel.retire_par = utilisateur
    actuel.retire_le = timezone.now()
    actuel.save(update_fields=["statut", "motif_retrait", "retire_par", "retire_le"])
    return actuel


@transaction.atomic
def retablir_indicateur(*, utilisateur, indicateur: Indicateur, version: str | None) -> Indicateur:
    """Remet au catalogue un indicateur retiré (pas une proposition refusée, que sa table
    propose de nouveau) : le formulaire trimestriel des quartiers qui le suivent le demande de
    nouveau. Déjà approuvé : rien n'est écrit (double clic). `ConflitCatalogue` s'il a changé
    depuis `version`."""
    exiger_de_gerer_le_catalogue(utilisateur)
    actuel = _verrouille(indicateur)
    if actuel.statut == StatutIndicateur.APPROUVE:
        return actuel
    if version is not None and empreinte_de_la_definition(actuel) != version:
        raise _conflit()
    if not peut_etre_retabli(actuel):
        raise ValidationError(
            _("Seul un indicateur retiré du catalogue se rétablit; une proposition s'examine.")
        )
    actuel.statut = StatutIndicateur.APPROUVE
    actuel.motif_retrait = ""
    actuel.retire_par = None
    actuel.retire_le = None
    actuel.save(update_fields=["statut", "motif_retrait", "retire_par", "retire_le"])
    return actuel
