"""Un rappel réservé puis jamais envoyé (worker tué net entre la réservation et l'envoi :
SIGKILL, manque de mémoire) repart : `RappelEnvoye.envoye_le` dit s'il est parti, et une
réservation restée sans envoi plus de `EVALPIC_RAPPEL_DELAI_REPRISE` secondes est reprise par le
rattrapage (`reprendre_rappels`, toutes les 15 minutes) ou le passage suivant. Un rappel parti
ne repart jamais. Sans cela, la réservation restait et le rappel ne partait jamais."""

from __future__ import annotations

import datetime
import importlib
from unittest import mock

import pytest
from celery.schedules import crontab
from django.apps import apps as apps_du_projet
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from indicateurs.models import RappelEnvoye, Saisie, StatutSaisie
from indicateurs.periodes import _expedier, envoyer_rappels, reprendre_rappels
from tests.indicateurs.outils_rappels import (
    LE_23_AVRIL,
    TravailleurTue,
    periode_ouverte_a_deux_tables,
    regler_les_rappels,
    tuer_le_worker_a_l_envoi,
    vieillir,
)

pytestmark = pytest.mark.django_db

J = datetime.date


@pytest.fixture(autouse=True)
def reglages(settings):
    regler_les_rappels(settings)


@pytest.fixture
def periode(quartier_a, quartier_b):
    return periode_ouverte_a_deux_tables(quartier_a, quartier_b)


def test_un_rappel_parti_est_marque_envoye(alice, periode, mailoutbox):
    avant = timezone.now()

    assert envoyer_rappels(aujourd_hui=LE_23_AVRIL) == 1

    rappel = RappelEnvoye.objects.get()
    assert rappel.envoye_le is not None and rappel.envoye_le >= avant


def test_un_rappel_abandonne_par_un_worker_tue_repart_au_rattrapage(alice, periode, mailoutbox):
    with tuer_le_worker_a_l_envoi(), pytest.raises(TravailleurTue):
        envoyer_rappels(aujourd_hui=LE_23_AVRIL)
    assert RappelEnvoye.objects.get().envoye_le is None  # réservé, pas parti
    assert not mailoutbox

    vieillir(minutes=11)
    assert reprendre_rappels(aujourd_hui=LE_23_AVRIL) == 1

    assert [courriel.to for courriel in mailoutbox] == [["alice@exemple.org"]]
    assert RappelEnvoye.objects.get().envoye_le is not None


def test_un_rappel_abandonne_repart_aussi_au_passage_suivant(alice, periode, mailoutbox):
    with tuer_le_worker_a_l_envoi(), pytest.raises(TravailleurTue):
        envoyer_rappels(aujourd_hui=LE_23_AVRIL)
    vieillir(minutes=60 * 24)

    assert envoyer_rappels(aujourd_hui=LE_23_AVRIL + datetime.timedelta(days=1)) == 1
    assert len(mailoutbox) == 1


def test_les_rappels_d_un_worker_tue_au_milieu_partent_tous_une_seule_fois(
    alice, charlie, periode, mailoutbox
):
    envoyes = []

    def envoyer_puis_mourir(courriel, *args, **kwargs):
        if envoyes:
            raise TravailleurTue
        envoyes.append(courriel)
        return 1

    envoi = mock.patch("indicateurs.periodes.EmailMessage.send", envoyer_puis_mourir)
    with envoi, pytest.raises(TravailleurTue):
        envoyer_rappels(aujourd_hui=LE_23_AVRIL)
    assert RappelEnvoye.objects.filter(envoye_le__isnull=False).count() == 1
    premier = envoyes[0].to

    vieillir(minutes=11)
    assert reprendre_rappels(aujourd_hui=LE_23_AVRIL) == 1
    assert reprendre_rappels(aujourd_hui=LE_23_AVRIL) == 0
    assert envoyer_rappels(aujourd_hui=LE_23_AVRIL) == 0

    assert len(mailoutbox) == 1 and mailoutbox[0].to != premier
    assert not RappelEnvoye.objects.filter(envoye_le__isnull=True).exists()


def test_une_reservation_recente_n_est_pas_reprise(alice, periode, mailoutbox):
    """Réservée il y a moins du délai, elle est peut-être en train de partir."""
    with tuer_le_worker_a_l_envoi(), pytest.raises(TravailleurTue):
        envoyer_rappels(aujourd_hui=LE_23_AVRIL)
    vieillir(minutes=9)

    assert reprendre_rappels(aujourd_hui=LE_23_AVRIL) == 0
    assert envoyer_rappels(aujourd_hui=LE_23_AVRIL) == 0
    assert not mailoutbox


def test_un_rappel_parti_ne_repart_jamais(alice, periode, mailoutbox):
    envoyer_rappels(aujourd_hui=LE_23_AVRIL)
    vieillir(minutes=60 * 24 * 3)

    assert reprendre_rappels(aujourd_hui=LE_23_AVRIL) == 0
    assert envoyer_rappels(aujourd_hui=LE_23_AVRIL + datetime.timedelta(days=1)) == 0
    assert len(mailoutbox) == 1


def test_une_reservation_abandonnee_ne_repart_pas_si_la_saisie_a_ete_remise(
    alice, periode, quartier_a, mailoutbox
):
    with tuer_le_worker_a_l_envoi(), pytest.raises(TravailleurTue):
        envoyer_rappels(aujourd_hui=LE_23_AVRIL)
    Saisie.objects.create(table=quartier_a.table, periode=periode, statut=StatutSaisie.SOUMISE)
    vieillir(minutes=11)

    assert reprendre_rappels(aujourd_hui=LE_23_AVRIL) == 0
    assert not mailoutbox


def test_le_rattrapage_ne_reserve_aucun_rappel_nouveau(alice, periode, mailoutbox):
    """Les rappels du jour partent le matin (`envoyer_rappels`), pas toutes les 15 minutes; sans
    réservation abandonnée, le rattrapage coûte une requête."""
    with CaptureQueriesContext(connection) as requetes:
        assert reprendre_rappels(aujourd_hui=LE_23_AVRIL) == 0

    assert len(requetes.captured_queries) == 1
    assert not RappelEnvoye.objects.exists() and not mailoutbox


def test_une_reservation_reprise_par_une_autre_execution_n_est_pas_envoyee_deux_fois(
    alice, periode, mailoutbox
):
    """Un passage trop lent garde en mémoire une réservation que le rattrapage a reprise et
    envoyée entre-temps : il ne l'envoie pas à son tour."""
    with tuer_le_worker_a_l_envoi(), pytest.raises(TravailleurTue):
        envoyer_rappels(aujourd_hui=LE_23_AVRIL)
    vieillir(minutes=11)
    garde_en_memoire = RappelEnvoye.objects.select_related(
        "periode", "table__quartier", "destinataire"
    ).get()
    assert reprendre_rappels(aujourd_hui=LE_23_AVRIL) == 1

    assert _expedier(garde_en_memoire) == 0
    assert len(mailoutbox) == 1


def test_un_envoi_rate_efface_encore_la_reservation(alice, periode, mailoutbox):
    with mock.patch("indicateurs.periodes.EmailMessage.send", side_effect=OSError("SMTP")):
        assert envoyer_rappels(aujourd_hui=LE_23_AVRIL) == 0

    assert not RappelEnvoye.objects.exists()


def test_la_migration_marque_envoyes_les_rappels_existants(alice, periode, mailoutbox):
    envoyer_rappels(aujourd_hui=LE_23_AVRIL)
    RappelEnvoye.objects.update(envoye_le=None)  # comme avant la migration
    migration = importlib.import_module("indicateurs.migrations.0008_rappels_existants_envoyes")

    migration.marquer_envoyes(apps_du_projet, None)

    rappel = RappelEnvoye.objects.get()
    assert rappel.envoye_le == rappel.created_at
    vieillir(minutes=11)
    assert reprendre_rappels(aujourd_hui=LE_23_AVRIL) == 0


# --- Tâche et calendrier de beat ----------------------------------------------------------------


def test_beat_lance_le_rattrapage_toutes_les_15_minutes(settings):
    par_tache = {e["task"]: e["schedule"] for e in settings.CELERY_BEAT_SCHEDULE.values()}

    assert par_tache["indicateurs.reprendre_rappels"] == crontab(minute="*/15")


def test_la_tache_du_rattrapage_appelle_le_service_avec_la_date_du_jour():
    import indicateurs.tasks
    from evalpic.celery import app

    assert "indicateurs.reprendre_rappels" in app.tasks
    with mock.patch("indicateurs.tasks.reprendre_rappels", return_value=2) as service:
        resultat = indicateurs.tasks.reprendre_rappels_task.apply()

    assert resultat.get() == 2
    service.assert_called_once_with(aujourd_hui=timezone.localdate())
