"""Un courriel qui part une seule fois, même avec plusieurs workers et des envois ratés : une
ligne le réserve avant l'envoi et le marque envoyé après. Les rappels de saisie
(`indicateurs.RappelEnvoye`, `indicateurs.periodes`) et les avis « bilan prêt »
(`rapports.AvisBilanPret`, `rapports.services`) en sont.

La ligne porte deux champs : `created_at`, la marque de l'exécution qui la tient (l'heure de sa
prise, posée par une mise à jour conditionnelle), et `envoye_le`, posé aussitôt le courriel
parti. Une exécution n'envoie, n'efface et ne marque que la réservation qui porte sa marque.
Une réservation jamais envoyée plus vieille que `EVALPIC_RAPPEL_DELAI_REPRISE` secondes est
abandonnée (worker arrêté, envoi raté) et peut être reprise; un envoi en cours n'y arrive pas :
chaque opération SMTP est bornée par `EMAIL_TIMEOUT`, que les réglages veulent dix fois plus
court que ce délai.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TypeVar

from django.conf import settings
from django.db import models
from django.utils import timezone

R = TypeVar("R", bound=models.Model)


def limite_de_reprise() -> datetime.datetime:
    """Une réservation plus ancienne, jamais envoyée, a été abandonnée : on peut la reprendre."""
    return timezone.now() - datetime.timedelta(seconds=settings.EVALPIC_RAPPEL_DELAI_REPRISE)


def abandonnees(modele: type[R], pks: Iterable[int], limite: datetime.datetime):
    """Parmi `pks`, les réservations encore abandonnées : jamais envoyées, et plus vieilles que
    `limite` (une autre exécution ne les a pas prises entre-temps)."""
    return modele._default_manager.filter(pk__in=pks, envoye_le__isnull=True, created_at__lt=limite)


def reprendre(modele: type[R], abandonnes: dict[int, R], limite: datetime.datetime) -> list[R]:
    """Reprend les réservations `abandonnes` (id → ligne) en y posant l'heure de la reprise,
    sauf celles qu'une autre exécution a prises ou envoyées depuis leur lecture (mise à jour
    conditionnelle), et renvoie celles reprises. Une requête; deux si une autre exécution en
    a pris."""
    if not abandonnes:
        return []
    maintenant = timezone.now()
    reprises = abandonnees(modele, abandonnes, limite).update(created_at=maintenant)
    if reprises < len(abandonnes):  # celles qui portent la marque de cette reprise
        abandonnes = {
            pk: abandonnes[pk]
            for pk in modele._default_manager.filter(
                pk__in=abandonnes, created_at=maintenant, envoye_le__isnull=True
            ).values_list("pk", flat=True)
        }
    for reservation in abandonnes.values():
        reservation.created_at = maintenant
    return list(abandonnes.values())


def _la_sienne(reservation: models.Model) -> models.QuerySet:
    """La réservation telle que cette exécution l'a lue ou prise (même `created_at`), tant
    qu'elle n'est pas envoyée."""
    return type(reservation)._default_manager.filter(
        pk=reservation.pk, created_at=reservation.created_at, envoye_le__isnull=True
    )


def prendre(reservation: models.Model) -> bool:
    """Prend `reservation` telle qu'elle a été lue (même `created_at`, pas envoyée) en y posant
    l'heure de la prise, qu'elle garde : la marque de cette exécution, qu'exigent `liberer` et
    `marquer_envoyee`. Faux si une autre exécution l'a prise ou envoyée."""
    maintenant = timezone.now()
    pris = _la_sienne(reservation).update(created_at=maintenant)
    if pris:
        reservation.created_at = maintenant
    return bool(pris)


def liberer(reservation: models.Model) -> None:
    """Efface la réservation prise par cette exécution (`prendre`), pour que le courriel soit
    réservé de nouveau plus tard, mais pas celle qu'une autre exécution aurait reprise
    entre-temps (marque différente) : l'effacer laisserait repartir un courriel que l'autre
    envoie."""
    _la_sienne(reservation).delete()


def abandonner(reservation: models.Model, **champs) -> bool:
    """Pose `champs` (heure et raison de l'abandon) sur la réservation prise par cette exécution
    (`prendre`), comme `liberer` : pas sur celle qu'une autre exécution aurait reprise ou
    envoyée entre-temps. Faux si elle n'est plus la sienne."""
    return bool(_la_sienne(reservation).update(**champs))


def marquer_envoyee(reservation: models.Model) -> bool:
    """Note que le courriel est parti, par la marque de cette exécution. Faux si la réservation
    a été reprise ailleurs pendant l'envoi (envoi plus long que le délai de reprise, malgré
    `EMAIL_TIMEOUT`) : elle n'est pas touchée, l'autre exécution la marquera; le courriel a pu
    partir deux fois, à l'appelant de l'écrire au journal."""
    return bool(
        type(reservation)
        ._default_manager.filter(pk=reservation.pk, created_at=reservation.created_at)
        .update(envoye_le=timezone.now())
    )
