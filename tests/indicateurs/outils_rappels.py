"""Ce que partagent les tests de la reprise des rappels et des courses entre workers : les
réglages du calendrier, une période ouverte à deux tables, un worker tué net à l'envoi, des
réservations vieillies."""

from __future__ import annotations

import datetime
from unittest import mock

from django.utils import timezone

from indicateurs.models import Periode, RappelEnvoye, StatutPeriode
from tests.factories import IndicateurSuiviFactory, periode_du_trimestre

LE_23_AVRIL = datetime.date(2025, 4, 23)  # sept jours avant l'échéance du T1 2025 (30 avril)


class TravailleurTue(BaseException):
    """Un arrêt net du worker : rien après lui ne s'exécute, pas même un `except Exception`."""


def regler_les_rappels(settings) -> None:
    """Échéance 30 jours après la fin du trimestre, rappel 7 jours avant, reprise après 10
    minutes, fermeture 60 jours après l'échéance."""
    settings.EVALPIC_ECHEANCE_JOURS_APRES_FIN = 30
    settings.EVALPIC_RAPPEL_JOURS_AVANT_ECHEANCE = 7
    settings.EVALPIC_RAPPEL_DELAI_REPRISE = 600
    settings.EVALPIC_FERMETURE_JOURS_APRES_ECHEANCE = 60


def periode_ouverte_a_deux_tables(*quartiers) -> Periode:
    """Le T1 2025 ouvert, chaque quartier avec un indicateur à saisir."""
    for quartier in quartiers:
        IndicateurSuiviFactory(quartier=quartier)
    return periode_du_trimestre(2025, 1, statut=StatutPeriode.OUVERTE)


def tuer_le_worker_a_l_envoi():
    return mock.patch("indicateurs.periodes.EmailMessage.send", side_effect=TravailleurTue)


def vieillir(minutes: int) -> None:
    """Les réservations ont été faites il y a `minutes` minutes."""
    RappelEnvoye.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=minutes))
