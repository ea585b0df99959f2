"""Les commentaires d'une saisie (`CommentaireSaisie`) : écrire, retirer le sien, lire.

Qui peut : commenter demande le droit de commenter le quartier (`Droit.COMMENTER` : sa
coordination, le conseil qui y est affecté, l'évaluation, l'administration); qui voit le
quartier lit ses commentaires; un autre quartier répond 404. Un commentaire porte sur la saisie
entière ou sur un des indicateurs que montre son formulaire (les suivis actifs et approuvés du
quartier) ou dont elle a une valeur.

Un commentaire n'est pas une donnée : il s'écrit quel que soit le statut de la saisie (validée
comprise), sans toucher à sa version, à son statut ni à son historique, et ne paraît ni aux
bilans ni aux tableaux de bord. Il ne se corrige pas; son auteur·e le retire (le texte est
effacé, la ligne reste, « commentaire retiré », pour que la réponse qui suivait garde son
sens). La coordination de la table reçoit un courriel quand une autre personne commente
(`prevenir_du_commentaire`, mis en file après la transaction, comme l'avis d'un renvoi).

Le même envoi reçu deux fois (double clic sur « Ajouter le commentaire », client d'API qui
réessaie, même au même instant) n'écrit qu'un commentaire et n'envoie qu'un courriel : l'envoi
porte un jeton (caché dans le formulaire, tiré à l'affichage de la page; l'en-tête
`Idempotency-Key` à l'API), unique par auteur·e (`commentaire_saisie_jeton_unique`); le rejouer
rend le commentaire qu'il a écrit. Le même jeton avec un autre contenu est refusé
(`JetonDejaUtilise`, 409). Pas de fenêtre de temps : deux commentaires identiques envoyés
exprès, chacun avec son jeton, s'écrivent tous deux."""

from __future__ import annotations

import logging
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from evalpic.taches import en_file_sinon_ici
from evalpic.textes import texte_saisi
from indicateurs.avis import ecrire_a_la_coordination
from indicateurs.models import CommentaireSaisie, Indicateur, Saisie, StatutIndicateur
from indicateurs.validation import LONGUEUR_TEXTE_MAX
from quartiers.acces import Droit, a_le_droit, exiger_le_droit

journal = logging.getLogger(__name__)

GABARIT = "emails/commentaire_saisie"


def indicateurs_commentables(saisie: Saisie) -> QuerySet[Indicateur]:
    """Les indicateurs sur lesquels un commentaire de `saisie` peut porter : ceux que montre son
    formulaire (suivis actifs et approuvés du quartier, `selectors.page_de_saisie`) et ceux dont
    elle a une valeur (une saisie validée garde les siens si le suivi s'est arrêté depuis)."""
    suivis = Q(
        suivis__quartier_id=saisie.table.quartier_id,
        suivis__actif=True,
        statut=StatutIndicateur.APPROUVE,
    )
    return (
        Indicateur.objects.filter(suivis | Q(valeurs__saisie=saisie))
        .distinct()
        .order_by("famille", "code")
    )


def verifier_commentaire(saisie: Saisie, texte: str | None, indicateur: Indicateur | None) -> str:
    """Le texte nettoyé (`texte_saisi`), ou une `ValidationError` par champ : aucun texte
    visible, plus de `LONGUEUR_TEXTE_MAX` caractères, un indicateur que la saisie ne demande
    pas (`indicateurs_commentables`)."""
    texte = texte_saisi(texte)
    erreurs: dict[str, list[str]] = {}
    if not texte:
        erreurs["texte"] = [_("Écrivez le commentaire.")]
    elif len(texte) > LONGUEUR_TEXTE_MAX:
        erreurs["texte"] = [_("Le texte dépasse %(max)s caractères.") % {"max": LONGUEUR_TEXTE_MAX}]
    if (
        indicateur is not None
        and not indicateurs_commentables(saisie).filter(pk=indicateur.pk).exists()
    ):
        erreurs["indicateur"] = [_("Cet indicateur ne fait pas partie de cette saisie.")]
    if erreurs:
        raise ValidationError(erreurs)
    return texte


def exiger_de_pouvoir_commenter(utilisateur, saisie: Saisie) -> None:
    """404 si le quartier de `saisie` est invisible pour `utilisateur`, 403 s'il le voit sans
    le droit de commenter."""
    exiger_le_droit(
        utilisateur,
        Droit.COMMENTER,
        saisie.table.quartier,
        introuvable=_("Saisie introuvable."),
        refus=_("Vous n'avez pas le droit de commenter cette saisie."),
    )


class JetonDejaUtilise(Exception):
    """Le jeton de l'envoi a déjà écrit un autre commentaire de la même personne (une autre
    saisie, un autre indicateur ou un autre texte) : rien n'est écrit (409)."""

    def __init__(self):
        super().__init__(
            _(
                "Cet envoi a déjà écrit un autre commentaire : un nouveau commentaire demande "
                "un nouveau jeton."
            )
        )


def commenter(
    *,
    auteur,
    saisie: Saisie,
    texte: str | None,
    indicateur: Indicateur | None = None,
    jeton: uuid.UUID | None = None,
) -> CommentaireSaisie:
    """Ajoute le commentaire de `auteur` à `saisie` (ou à son `indicateur`) et le rend; le
    même `jeton` reçu de nouveau rend le commentaire déjà écrit (`ecrire_commentaire`)."""
    return ecrire_commentaire(
        auteur=auteur, saisie=saisie, texte=texte, indicateur=indicateur, jeton=jeton
    )[0]


def ecrire_commentaire(
    *,
    auteur,
    saisie: Saisie,
    texte: str | None,
    indicateur: Indicateur | None = None,
    jeton: uuid.UUID | None = None,
) -> tuple[CommentaireSaisie, bool]:
    """Ajoute le commentaire de `auteur` à `saisie` (ou à son `indicateur`); rend le
    commentaire et vrai s'il vient d'être écrit. 404 si le quartier est invisible, 403 sans le
    droit de commenter; `ValidationError` par champ (`verifier_commentaire`) et rien d'écrit.
    La saisie n'est ni verrouillée ni modifiée : ni sa version, ni son statut, ni son
    historique ne bougent. La coordination de la table est prévenue après la transaction,
    sauf l'auteur·e.

    `jeton` (facultatif) nomme l'envoi : s'il a déjà écrit ce commentaire (même saisie, même
    indicateur, même texte; un commentaire retiré depuis reste retiré), celui-ci est rendu,
    avec faux, sans rien écrire ni prévenir personne; s'il a écrit autre chose,
    `JetonDejaUtilise`. Deux envois simultanés du même jeton : le second bute sur l'index
    d'unicité, dans un point de sauvegarde, et relit le premier."""
    exiger_de_pouvoir_commenter(auteur, saisie)
    texte = verifier_commentaire(saisie, texte, indicateur)
    voulu = CommentaireSaisie(
        saisie=saisie, indicateur=indicateur, auteur=auteur, texte=texte, jeton=jeton
    )
    if jeton is not None and (deja := _ecrit_par(auteur, jeton)) is not None:
        return _le_meme(deja, voulu), False
    try:
        with transaction.atomic():
            voulu.save()
            commentaire_id = voulu.pk
            transaction.on_commit(lambda: _mettre_en_file(commentaire_id), robust=True)
    except IntegrityError:
        if jeton is None or (deja := _ecrit_par(auteur, jeton)) is None:
            raise
        return _le_meme(deja, voulu), False
    return voulu, True


def _ecrit_par(auteur, jeton: uuid.UUID) -> CommentaireSaisie | None:
    """Le commentaire que le jeton `jeton` de `auteur` a écrit, avec ce que l'API en montre."""
    return (
        CommentaireSaisie.objects.filter(auteur=auteur, jeton=jeton)
        .select_related("saisie__table__quartier", "saisie__periode", "indicateur", "auteur")
        .first()
    )


def _le_meme(deja: CommentaireSaisie, voulu: CommentaireSaisie) -> CommentaireSaisie:
    """`deja` s'il est ce que `voulu` écrirait (le texte d'un commentaire retiré est effacé :
    la saisie et l'indicateur suffisent alors), sinon `JetonDejaUtilise`."""
    meme = (
        deja.saisie_id == voulu.saisie_id
        and deja.indicateur_id == voulu.indicateur_id
        and (deja.est_retire or deja.texte == voulu.texte)
    )
    if not meme:
        raise JetonDejaUtilise()
    return deja


def retirer_commentaire(*, auteur, commentaire: CommentaireSaisie) -> CommentaireSaisie:
    """Retire le commentaire de `auteur` : son texte est effacé, la ligne reste (« commentaire
    retiré »). 404 si le quartier est invisible; 403 sans le droit de commenter ou sur le
    commentaire d'une autre personne. Un commentaire déjà retiré reste tel quel (double clic)."""
    exiger_le_droit(
        auteur,
        Droit.COMMENTER,
        commentaire.saisie.table.quartier,
        introuvable=_("Saisie introuvable."),
        refus=_("Vous ne pouvez retirer que vos propres commentaires."),
    )
    if commentaire.auteur_id is None or commentaire.auteur_id != auteur.pk:
        raise PermissionDenied(_("Vous ne pouvez retirer que vos propres commentaires."))
    # Conditionnelle : deux retraits simultanés n'en écrivent qu'un.
    CommentaireSaisie.objects.filter(pk=commentaire.pk, retire_le__isnull=True).update(
        texte="", retire_le=timezone.now()
    )
    commentaire.refresh_from_db(fields=["texte", "retire_le"])
    return commentaire


def commentaires_de(saisie: Saisie) -> list[CommentaireSaisie]:
    """Les commentaires de `saisie`, du plus ancien au plus récent, avec auteur·e et
    indicateur : une requête, quel qu'en soit le nombre. L'accès se vérifie avant (la saisie
    vient d'un quartier lu par le sélecteur d'accès)."""
    return list(
        CommentaireSaisie.objects.filter(saisie=saisie).select_related("auteur", "indicateur")
    )


def peut_commenter(utilisateur, saisie: Saisie) -> bool:
    """Pour afficher ou non le formulaire (la règle est celle de `commenter`)."""
    return a_le_droit(utilisateur, Droit.COMMENTER, saisie.table.quartier)


# --- L'avis à la coordination -------------------------------------------------------------------


def _mettre_en_file(commentaire_id: int) -> None:
    """La tâche en file; la file injoignable, l'avis part tout de suite plutôt que pas du tout."""
    from indicateurs.tasks import prevenir_du_commentaire_task

    en_file_sinon_ici(
        lambda: prevenir_du_commentaire_task.delay(commentaire_id),
        lambda: prevenir_du_commentaire(commentaire_id=commentaire_id),
        quoi=f"avis du commentaire {commentaire_id}",
        journal=journal,
    )


def prevenir_du_commentaire(*, commentaire_id: int) -> int:
    """Écrit à la coordination de la table qu'une autre personne a commenté sa saisie : le
    quartier, le trimestre, l'indicateur s'il y en a un, qui, le texte, le lien de la saisie; à
    chacune dans sa langue (`indicateurs.avis.ecrire_a_la_coordination`, comme l'avis d'un
    renvoi). Rien pour un commentaire retiré entre-temps. Renvoie le nombre de courriels
    partis."""
    commentaire = (
        CommentaireSaisie.objects.filter(pk=commentaire_id, retire_le__isnull=True)
        .select_related("saisie__periode", "saisie__table__quartier", "auteur", "indicateur")
        .first()
    )
    if commentaire is None:
        return 0
    contexte = {"indicateur": commentaire.indicateur, "texte": commentaire.texte}
    return ecrire_a_la_coordination(
        commentaire.saisie, GABARIT, contexte, auteur=commentaire.auteur, ancre="commentaires"
    )
