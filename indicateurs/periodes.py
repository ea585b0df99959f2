"""Le calendrier des périodes trimestrielles et les rappels de saisie, lancés chaque jour par
Celery beat (`indicateurs.tasks`).

Le calendrier se lit dans les réglages `EVALPIC_*` : une période s'ouvre quelques jours avant la
fin du trimestre, reste ouverte après son échéance, puis se ferme. L'échéance est fixée à la
création de la période et reste modifiable dans l'admin : c'est la date enregistrée qui compte.
La tâche aligne chaque nuit le statut enregistré (listes, filtres); ce qui s'écrit et se soumet
suit le calendrier dès minuit, sans l'attendre (`Periode.statut_du_jour`).

Chaque rappel (période, table, destinataire, type) part au plus une fois : la ligne
`RappelEnvoye` est réservée avant l'envoi et marquée envoyée (`envoye_le`) aussitôt le courriel
parti. Un envoi raté efface la réservation pour qu'il soit retenté au passage suivant; une
réservation jamais envoyée (worker tué entre les deux) est reprise passé
`EVALPIC_RAPPEL_DELAI_REPRISE` secondes, par le passage suivant ou par le rattrapage
(`reprendre_rappels`). Chaque exécution prend une réservation en y posant sa marque (l'heure
de la prise, `created_at`) par une mise à jour conditionnelle; elle n'envoie, n'efface et ne
marque que celle qui porte sa marque. Un envoi dure moins que le délai de reprise
(`EMAIL_TIMEOUT`, vérifié au démarrage) : un rappel en train de partir n'est pas repris.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse

from evalpic import reservations
from evalpic.adresses import adresse_absolue
from evalpic.courriels import courriel_dans_sa_langue
from indicateurs.models import (
    IndicateurSuivi,
    Periode,
    RappelEnvoye,
    Saisie,
    StatutPeriode,
    StatutSaisie,
    TypeRappel,
)
from indicateurs.models.saisies import statut_selon_calendrier
from quartiers.models import Affectation, TableDeQuartier, Utilisateur

logger = logging.getLogger(__name__)

GABARIT = "emails/rappel_saisie"  # evalpic.courriels : rappel_saisie_sujet.txt et rappel_saisie.txt
REMISES = (StatutSaisie.SOUMISE, StatutSaisie.VALIDEE)


# --- Calendrier ---------------------------------------------------------------------------------


def bornes_du_trimestre(annee: int, trimestre: int) -> tuple[datetime.date, datetime.date]:
    """Le premier et le dernier jour du trimestre civil `trimestre` (1 à 4) de `annee`."""
    if not 1 <= trimestre <= 4:
        raise ValueError(f"Trimestre invalide : {trimestre}")
    debut = datetime.date(annee, 3 * trimestre - 2, 1)
    if trimestre == 4:
        return debut, datetime.date(annee, 12, 31)
    return debut, datetime.date(annee, 3 * trimestre + 1, 1) - datetime.timedelta(days=1)


def trimestre_de(jour: datetime.date) -> tuple[int, int]:
    """L'année et le trimestre civil qui contiennent `jour`."""
    return jour.year, (jour.month - 1) // 3 + 1


def trimestre_precedent(annee: int, trimestre: int) -> tuple[int, int]:
    """Le trimestre d'avant, en changeant d'année après le premier."""
    return (annee - 1, 4) if trimestre == 1 else (annee, trimestre - 1)


@transaction.atomic
def planifier_periodes(*, aujourd_hui: datetime.date) -> list[Periode]:
    """Crée au besoin les périodes du trimestre courant et du précédent, puis aligne le statut de
    chaque période existante sur le calendrier, en notant le jour de l'alignement
    (`statut_aligne_le`). Sans effet si rien n'a changé : on peut la lancer chaque jour, et deux
    fois le même jour. Renvoie les périodes créées ou dont le statut a changé."""
    courant = trimestre_de(aujourd_hui)
    creees = []
    for annee, trimestre in (trimestre_precedent(*courant), courant):
        periode, creee = _assurer_periode(annee=annee, trimestre=trimestre, aujourd_hui=aujourd_hui)
        if creee:
            creees.append(periode)
    changees = _aligner_statuts(aujourd_hui=aujourd_hui)
    return sorted(creees + changees, key=lambda p: (p.annee, p.trimestre))


def _assurer_periode(
    *, annee: int, trimestre: int, aujourd_hui: datetime.date
) -> tuple[Periode, bool]:
    debut, fin = bornes_du_trimestre(annee, trimestre)
    echeance = fin + datetime.timedelta(days=settings.EVALPIC_ECHEANCE_JOURS_APRES_FIN)
    statut = statut_selon_calendrier(fin=fin, echeance=echeance, aujourd_hui=aujourd_hui)
    return Periode.objects.get_or_create(
        annee=annee,
        trimestre=trimestre,
        defaults={
            "debut": debut,
            "fin": fin,
            "echeance": echeance,
            "statut": statut,
            "statut_aligne_le": aujourd_hui,
        },
    )


def _aligner_statuts(*, aujourd_hui: datetime.date) -> list[Periode]:
    # Quatre périodes par an : les lire toutes coûte moins qu'une requête par période. Le verrou
    # sérialise deux exécutions simultanées; la mise à jour conditionnelle n'écrit que les écarts.
    a_changer: dict[str, list[Periode]] = defaultdict(list)
    a_dater = []
    for periode in Periode.objects.select_for_update().order_by("annee", "trimestre"):
        statut = periode.statut_au_calendrier(aujourd_hui)
        if statut != periode.statut:
            periode.statut = statut
            a_changer[statut].append(periode)
        if periode.statut_aligne_le != aujourd_hui:
            a_dater.append(periode.pk)
    for statut, periodes in a_changer.items():
        Periode.objects.filter(pk__in=[p.pk for p in periodes]).exclude(statut=statut).update(
            statut=statut
        )
    if a_dater:
        Periode.objects.filter(pk__in=a_dater).update(statut_aligne_le=aujourd_hui)
    return [periode for periodes in a_changer.values() for periode in periodes]


# --- Rappels ------------------------------------------------------------------------------------


def type_de_rappel(periode: Periode, aujourd_hui: datetime.date) -> str | None:
    """« avant » pendant les N derniers jours avant l'échéance (incluse), « retard » après,
    rien plus tôt."""
    if aujourd_hui > periode.echeance:
        return TypeRappel.RETARD
    delai = datetime.timedelta(days=settings.EVALPIC_RAPPEL_JOURS_AVANT_ECHEANCE)
    if aujourd_hui >= periode.echeance - delai:
        return TypeRappel.AVANT
    return None


def envoyer_rappels(*, aujourd_hui: datetime.date) -> int:
    """Pour chaque période ouverte ce jour-là (`Periode.statut_du_jour`), rappelle à la
    coordination de chaque table qui a quelque chose à saisir et dont la saisie n'est ni
    soumise ni validée que l'échéance approche ou est passée. Chaque rappel part une seule fois
    par personne, table, période et type; ceux réservés mais jamais envoyés (worker arrêté) sont
    repris, et ceux qui ne sont plus dus ce jour-là (« avant » d'une échéance passée, période
    fermée) sont effacés. Renvoie le nombre de courriels envoyés."""
    periodes = list(Periode.objects.order_by("debut"))  # quatre par an
    _effacer_les_abandonnes_du_passe(periodes, aujourd_hui=aujourd_hui)
    return _envoyer(periodes, aujourd_hui=aujourd_hui, nouveaux=True)


def reprendre_rappels(*, aujourd_hui: datetime.date) -> int:
    """Le rattrapage, lancé souvent par beat : envoie les rappels réservés depuis plus de
    `EVALPIC_RAPPEL_DELAI_REPRISE` secondes sans être partis (worker tué entre la réservation
    et l'envoi), s'ils sont encore dus ce jour-là; n'en réserve aucun nouveau (les rappels du
    jour partent le matin, `envoyer_rappels`). Une seule requête quand il n'y a rien à
    reprendre, même s'il reste des réservations abandonnées qui ne sont plus dues (effacées
    par le passage du matin). Renvoie le nombre de courriels envoyés."""
    abandonnes = RappelEnvoye.objects.filter(
        envoye_le__isnull=True, created_at__lt=reservations.limite_de_reprise()
    ).select_related("periode")
    periodes = {
        rappel.periode_id: rappel.periode
        for rappel in abandonnes
        if rappel.type_rappel == type_du_jour(rappel.periode, aujourd_hui)
    }
    if not periodes:
        return 0
    periodes_en_ordre = sorted(periodes.values(), key=lambda periode: periode.debut)
    return _envoyer(periodes_en_ordre, aujourd_hui=aujourd_hui, nouveaux=False)


def type_du_jour(periode: Periode, aujourd_hui: datetime.date) -> str | None:
    """Le type des rappels dus ce jour-là pour `periode` : aucun si elle n'est pas ouverte
    (`Periode.statut_du_jour`), sinon `type_de_rappel`."""
    if periode.statut_du_jour(aujourd_hui) != StatutPeriode.OUVERTE:
        return None
    return type_de_rappel(periode, aujourd_hui)


def _effacer_les_abandonnes_du_passe(periodes: list[Periode], *, aujourd_hui: datetime.date):
    """Efface les réservations abandonnées (jamais envoyées, plus vieilles que le délai de
    reprise) d'un type qui n'est plus dû ce jour-là : un « avant » dont l'échéance est passée,
    une période fermée. Personne ne les reprendrait plus; effacées, elles ne coûtent plus rien
    au rattrapage, et un rappel redevenu dû (échéance repoussée dans l'admin) est réservé de
    nouveau. Une requête."""
    abandonnes = RappelEnvoye.objects.filter(
        envoye_le__isnull=True, created_at__lt=reservations.limite_de_reprise()
    )
    for periode in periodes:
        if (type_rappel := type_du_jour(periode, aujourd_hui)) is not None:
            abandonnes = abandonnes.exclude(periode=periode, type_rappel=type_rappel)
    abandonnes.delete()


def _envoyer(periodes: list[Periode], *, aujourd_hui: datetime.date, nouveaux: bool) -> int:
    a_envoyer: list[tuple[RappelEnvoye, str]] = []
    for periode in periodes:
        type_rappel = type_du_jour(periode, aujourd_hui)
        if type_rappel is not None:
            reserves = _reserver_rappels(
                periode=periode, type_rappel=type_rappel, aujourd_hui=aujourd_hui, nouveaux=nouveaux
            )
            motifs = _motifs_de_renvoi(periode) if reserves else {}
            a_envoyer += [(rappel, motifs.get(rappel.table_id, "")) for rappel in reserves]
    return sum(_expedier(rappel, motif) for rappel, motif in a_envoyer)


def _motifs_de_renvoi(periode: Periode) -> dict[int, str]:
    """Table → motif, pour les saisies de `periode` renvoyées : leur rappel redit le renvoi et
    son motif au lieu de dire la saisie « pas encore » soumise. Une requête par période."""
    return dict(
        Saisie.objects.filter(periode=periode, statut=StatutSaisie.RENVOYEE).values_list(
            "table_id", "motif_renvoi"
        )
    )


@transaction.atomic
def _reserver_rappels(
    *, periode: Periode, type_rappel: str, aujourd_hui: datetime.date, nouveaux: bool = True
) -> list[RappelEnvoye]:
    """Réserve les rappels dus et les renvoie : ceux encore jamais réservés (si `nouveaux`), et
    ceux réservés il y a plus de `EVALPIC_RAPPEL_DELAI_REPRISE` secondes sans être partis. Un
    rappel envoyé ou pris entre-temps par une autre exécution n'est pas repris : la reprise
    est conditionnelle, et seules les réservations qu'elle a reprises sont renvoyées. Une
    réservation abandonnée qui n'est plus due (saisie remise, coordination partie) est effacée.
    Le verrou sur la période fait attendre une exécution simultanée; la contrainte d'unicité
    refuse tout doublon restant."""
    Periode.objects.select_for_update().get(pk=periode.pk)
    deja = {
        (rappel.table_id, rappel.destinataire_id): rappel
        for rappel in RappelEnvoye.objects.filter(periode=periode, type_rappel=type_rappel)
    }
    limite = reservations.limite_de_reprise()
    a_creer, abandonnes = [], {}
    for table, personne in _destinataires(periode=periode, aujourd_hui=aujourd_hui):
        rappel = deja.pop((table.pk, personne.pk), None)
        if rappel is None:
            if nouveaux:
                a_creer.append(
                    RappelEnvoye(
                        periode=periode, table=table, destinataire=personne, type_rappel=type_rappel
                    )
                )
        elif rappel.envoye_le is None and rappel.created_at < limite:
            rappel.periode, rappel.table, rappel.destinataire = periode, table, personne
            abandonnes[rappel.pk] = rappel
    plus_dus = [r.pk for r in deja.values() if r.envoye_le is None and r.created_at < limite]
    if plus_dus:  # redevenus dus (saisie renvoyée), ils seraient réservés de nouveau
        reservations.abandonnees(RappelEnvoye, plus_dus, limite).delete()
    reprises = reservations.reprendre(RappelEnvoye, abandonnes, limite)
    return reprises + RappelEnvoye.objects.bulk_create(a_creer)


def _destinataires(
    *, periode: Periode, aujourd_hui: datetime.date
) -> list[tuple[TableDeQuartier, Utilisateur]]:
    """Les coordinations actives, en poste ce jour-là, des tables dont la saisie de `periode`
    n'est pas remise (absente, en brouillon ou renvoyée). Une table qui n'a aucun indicateur à
    saisir (`suivi_a_saisir`, le « rien à saisir » de la complétude) n'a rien à remettre : pas
    de rappel. Une seule requête."""
    remises = Saisie.objects.filter(periode=periode, statut__in=REMISES).values("table_id")
    a_saisir = IndicateurSuivi.objects.a_saisir().values("quartier_id")
    affectations = (
        Affectation.objects.coordinations_en_poste(aujourd_hui)
        .filter(quartier__table__isnull=False, quartier__in=a_saisir)
        .exclude(quartier__table__in=remises)
        .select_related("utilisateur", "quartier__table")
        .order_by("quartier__nom", "utilisateur__email")
    )
    # Deux affectations qui se chevauchent ne doivent pas donner deux rappels.
    paires = {(a.quartier.table.pk, a.utilisateur_id): a for a in affectations}
    return [(a.quartier.table, a.utilisateur) for a in paires.values()]


def _expedier(rappel: RappelEnvoye, motif_renvoi: str = "") -> int:
    """Envoie un rappel réservé et le marque envoyé aussitôt parti. Il est d'abord pris au nom
    de cette exécution (mise à jour conditionnelle, `reservations.prendre`) : une réservation
    qu'une autre exécution a reprise entre-temps n'est pas envoyée une seconde fois. Quel que
    soit l'échec (SMTP, gabarit, moteur de courriel), il est écrit au journal et la réservation
    prise est effacée pour le retenter au passage suivant (`reservations.liberer`); les rappels
    suivants partent quand même. Un worker tué avant le marquage laisse la réservation, reprise
    plus tard."""
    if not reservations.prendre(rappel):
        return 0
    try:
        _courriel(rappel, motif_renvoi).send()
    except Exception:
        logger.exception(
            "Rappel %s (période %s, table %s, utilisateur %s) non envoyé, il sera retenté.",
            rappel.pk,
            rappel.periode_id,
            rappel.table_id,
            rappel.destinataire_id,
        )
        reservations.liberer(rappel)
        return 0
    _marquer_envoye(rappel)
    return 1


def _marquer_envoye(rappel: RappelEnvoye) -> None:
    """Note que le courriel est parti, par la marque de cette exécution. Une réservation
    reprise ailleurs pendant l'envoi (envoi plus long que le délai de reprise, malgré
    `EMAIL_TIMEOUT`) n'est pas touchée : l'autre exécution la marquera; c'est écrit au journal,
    le rappel a pu partir deux fois."""
    if not reservations.marquer_envoyee(rappel):
        logger.warning(
            "Rappel %s envoyé, mais sa réservation a été reprise pendant l'envoi : "
            "EMAIL_TIMEOUT est-il bien plus court que EVALPIC_RAPPEL_DELAI_REPRISE ?",
            rappel.pk,
        )


def _courriel(rappel: RappelEnvoye, motif_renvoi: str) -> EmailMessage:
    """Le courriel, rédigé dans la langue choisie par la personne."""
    return courriel_dans_sa_langue(rappel.destinataire, GABARIT, _contexte(rappel, motif_renvoi))


def _contexte(rappel: RappelEnvoye, motif_renvoi: str) -> dict:
    periode, table, personne = rappel.periode, rappel.table, rappel.destinataire
    chemin = reverse(
        "saisie_formulaire", kwargs={"slug": table.quartier.slug, "code": periode.code}
    )
    return {
        "nom": personne.first_name or personne.get_full_name() or personne.email,
        "quartier": table.quartier.nom,
        "periode": periode,  # son libellé, dans la langue du courriel
        "echeance": periode.echeance,
        "en_retard": rappel.type_rappel == TypeRappel.RETARD,
        "lien": adresse_absolue(chemin),
        "motif_renvoi": motif_renvoi,
    }
