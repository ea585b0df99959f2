"""L'avis « bilan prêt » : réservé dans la transaction qui marque le bilan prêt
(`rapports.services.marquer_pret`), envoyé après elle dans la langue de la personne, marqué
envoyé aussitôt parti, repris par le rattrapage s'il n'a pas pu partir (`evalpic.reservations`,
comme les rappels de saisie). Un avis auquel on renonce est marqué abandonné, avec sa raison
(`AvisBilanPret.abandonne_le`, `raison_abandon`), au lieu d'être effacé : l'administration le
voit, et le rattrapage ne le reprend jamais."""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from evalpic import reservations
from evalpic.adresses import adresse_absolue
from evalpic.courriels import courriel_dans_sa_langue
from quartiers.models import RoleGlobal, Utilisateur
from rapports.models import AvisBilanPret, Bilan, RaisonAbandon
from rapports.selectors import bilans_accessibles

journal = logging.getLogger(__name__)
# Un avis « bilan prêt » qui n'a pas pu partir pendant ce temps est abandonné (marqué sur sa ligne
# et écrit au journal) : passé deux jours, la personne a vu le bilan dans la liste ou ne l'attend
# plus.
AVIS_ABANDONNE_APRES = datetime.timedelta(days=2)


def _peut_le_lire(personne: Utilisateur, bilan: Bilan) -> bool:
    """Encore active et encore autorisée à voir le bilan (sélecteur d'accès des bilans) : une
    affectation terminée ou un compte désactivé ne reçoit plus d'avis, comme les rappels."""
    return _pourquoi_pas(personne, bilan) is None


def _pourquoi_pas(personne: Utilisateur, bilan: Bilan) -> RaisonAbandon | None:
    """Pourquoi `personne` ne peut plus lire le bilan (compte désactivé, plus d'accès), ou None
    si elle le peut."""
    if not personne.is_active:
        return RaisonAbandon.COMPTE_DESACTIVE
    if not bilans_accessibles(personne).filter(pk=bilan.pk).exists():
        return RaisonAbandon.PLUS_D_ACCES
    return None


def _a_prevenir(bilan: Bilan) -> list[Utilisateur]:
    """La personne qui a demandé le bilan (l'évaluation active, s'il est planifié), si elle
    peut le lire."""
    if bilan.demande_par_id:
        candidats = [bilan.demande_par]
    else:
        candidats = Utilisateur.objects.filter(role_global=RoleGlobal.EVALUATEUR, is_active=True)
    return [personne for personne in candidats if _peut_le_lire(personne, bilan)]


@transaction.atomic
def reserver_avis(bilan: Bilan) -> list[AvisBilanPret]:
    """Réserve l'avis « bilan prêt » de chaque personne à prévenir qui n'en a pas encore, et
    renvoie les réservations créées, à envoyer (`_expedier_tous`) après la transaction. Le
    verrou sur le bilan fait attendre une exécution simultanée; la contrainte d'unicité refuse
    tout doublon restant."""
    Bilan.objects.select_for_update().filter(pk=bilan.pk).exists()  # le verrou
    deja = set(AvisBilanPret.objects.filter(bilan=bilan).values_list("destinataire_id", flat=True))
    return AvisBilanPret.objects.bulk_create(
        AvisBilanPret(bilan=bilan, destinataire=personne)
        for personne in _a_prevenir(bilan)
        if personne.pk not in deja
    )


def prevenir(bilan: Bilan) -> int:
    """Prévient la personne qui a demandé le bilan (ou l'évaluation, s'il est planifié), si
    elle peut encore le lire et n'a pas déjà son avis : réserve, puis envoie. Renvoie le
    nombre de courriels partis."""
    return _expedier_tous(reserver_avis(bilan))


def _expedier_tous(avis: list[AvisBilanPret]) -> int:
    return sum(_expedier(un_avis) for un_avis in avis)


def _expedier(avis: AvisBilanPret) -> int:
    """Envoie un avis réservé, dans la langue de la personne, et le marque envoyé aussitôt
    parti. Il est d'abord pris au nom de cette exécution (`reservations.prendre`) : un avis
    qu'une autre exécution a repris ou envoyé entre-temps ne part pas une seconde fois. Une
    personne qui ne peut plus lire le bilan (affectation terminée, compte désactivé) ne le
    reçoit pas : son avis est marqué abandonné, avec la raison. Un envoi raté (serveur SMTP injoignable, adresse
    refusée) est écrit au journal (bilan et destinataire, jamais le texte) et laisse l'avis
    réservé, sans envoi : le rattrapage le reprend (`reprendre_avis_bilans`). Renvoie 1 si le
    courriel est parti."""
    if not reservations.prendre(avis):
        return 0
    bilan, personne = avis.bilan, avis.destinataire
    raison = _pourquoi_pas(personne, bilan)
    if raison is not None:
        journal.info(
            "Avis « bilan prêt » du bilan %s abandonné : l'utilisateur %s ne peut plus le lire "
            "(%s).",
            bilan.pk,
            personne.pk,
            raison.value,
        )
        reservations.abandonner(avis, abandonne_le=timezone.now(), raison_abandon=raison)
        return 0
    contexte = {
        "bilan": bilan,
        "personne": personne,
        "lien": adresse_absolue(reverse("bilan_detail", args=[bilan.pk])),
    }
    try:
        courriel_dans_sa_langue(personne, "emails/bilan_pret", contexte).send()
    except Exception:
        journal.exception(
            "Avis « bilan prêt » du bilan %s non envoyé à l'utilisateur %s (%s), il sera retenté.",
            bilan.pk,
            personne.pk,
            personne.email,
        )
        return 0
    if not reservations.marquer_envoyee(avis):
        journal.warning(
            "Avis « bilan prêt » %s envoyé, mais sa réservation a été reprise pendant l'envoi : "
            "EMAIL_TIMEOUT est-il bien plus court que EVALPIC_RAPPEL_DELAI_REPRISE ?",
            avis.pk,
        )
    return 1


def reprendre_avis_bilans() -> int:
    """Le rattrapage, lancé par beat toutes les 15 minutes : envoie les avis « bilan prêt »
    réservés depuis plus de `EVALPIC_RAPPEL_DELAI_REPRISE` secondes sans être partis (envoi
    raté, worker arrêté), chacun une seule fois même si deux rattrapages se croisent (reprise
    conditionnelle). Deux jours après le premier essai (`AVIS_ABANDONNE_APRES`), il y renonce :
    l'avis est marqué abandonné (`abandonne_le`, raison « délai ») et c'est écrit au journal (le
    bilan reste dans la liste des bilans). Un avis abandonné n'est jamais repris. Une seule
    requête quand il n'y a rien à reprendre. Renvoie le nombre de courriels envoyés."""
    limite = reservations.limite_de_reprise()
    abandonnes = {
        avis.pk: avis
        for avis in AvisBilanPret.objects.filter(
            envoye_le__isnull=True, abandonne_le__isnull=True, created_at__lt=limite
        )
        .select_related("bilan__quartier", "destinataire")
        .defer("bilan__instantane")
        .order_by("pk")
    }
    if not abandonnes:
        return 0
    trop_vieux = timezone.now() - AVIS_ABANDONNE_APRES
    perimes = {pk: avis for pk, avis in abandonnes.items() if avis.premier_essai_le < trop_vieux}
    if perimes:
        _renoncer(perimes, limite)
    a_reprendre = {pk: avis for pk, avis in abandonnes.items() if pk not in perimes}
    return _expedier_tous(reservations.reprendre(AvisBilanPret, a_reprendre, limite))


def _renoncer(perimes: dict[int, AvisBilanPret], limite: datetime.datetime) -> None:
    """Marque abandonnés les avis `perimes` qui le sont encore (pas pris ailleurs
    entre-temps), et le note au journal : la personne n'a jamais été prévenue. L'abandon pose
    aussi sa marque (`created_at`) : une exécution qui les aurait lus avant ne peut plus les
    reprendre (`reservations.reprendre`, `prendre` exigent l'ancienne)."""
    for avis in perimes.values():
        journal.warning(
            "Avis « bilan prêt » du bilan %s jamais envoyé à l'utilisateur %s (%s) depuis le %s : "
            "abandonné.",
            avis.bilan_id,
            avis.destinataire_id,
            avis.destinataire.email,
            timezone.localtime(avis.premier_essai_le).isoformat(timespec="minutes"),
        )
    maintenant = timezone.now()
    reservations.abandonnees(AvisBilanPret, perimes, limite).update(
        abandonne_le=maintenant, raison_abandon=RaisonAbandon.DELAI, created_at=maintenant
    )
