"""Courses entre exécutions de l'envoi des rappels (le passage du matin, le rattrapage toutes les
15 minutes, sur des workers différents). Chaque exécution prend une réservation en y posant sa
marque (`created_at`, par une mise à jour conditionnelle) et n'envoie, n'efface et ne marque
que celle qui porte sa marque; un envoi dure moins que le délai de reprise (`EMAIL_TIMEOUT`,
vérifié au démarrage); les réservations abandonnées qui ne seront plus reprises ne coûtent
rien au rattrapage. Sans cela : une reprise sans condition écrasait la prise d'un autre worker
(deux courriels), l'échec d'un worker effaçait la réservation qu'un autre envoyait (le rappel
repartait le lendemain), et une réservation « avant » abandonnée coûtait sept requêtes au
rattrapage, 96 fois par jour, pour toujours."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.core.mail import get_connection
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import indicateurs.periodes as periodes_mod
from indicateurs.models import RappelEnvoye, Saisie, StatutPeriode, StatutSaisie, TypeRappel
from indicateurs.periodes import envoyer_rappels, reprendre_rappels
from tests.factories import IndicateurSuiviFactory, periode_du_trimestre
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
RACINE = Path(__file__).resolve().parent.parent.parent


@pytest.fixture(autouse=True)
def reglages(settings):
    regler_les_rappels(settings)


@pytest.fixture
def periode(quartier_a, quartier_b):
    return periode_ouverte_a_deux_tables(quartier_a, quartier_b)


def plus_tard(minutes: int):
    """Un autre worker, `minutes` minutes plus tard (les marques déjà posées ne bougent pas)."""
    instant = timezone.now() + datetime.timedelta(minutes=minutes)
    return mock.patch("django.utils.timezone.now", return_value=instant)


def test_une_reprise_n_ecrase_pas_la_prise_d_un_autre_worker(alice, charlie, periode, mailoutbox):
    """Le rattrapage (W2) lit deux réservations abandonnées; avant qu'il les reprenne, un
    passage lent (W1) prend celle d'alice pour l'envoyer. W2 n'envoie que celle de charlie."""
    with tuer_le_worker_a_l_envoi(), pytest.raises(TravailleurTue):
        envoyer_rappels(aujourd_hui=LE_23_AVRIL)
    vieillir(minutes=11)
    d_alice = RappelEnvoye.objects.get(destinataire=alice)
    prise_de_w1 = []
    vraies_destinataires = periodes_mod._destinataires

    def w1_prend_pendant_la_lecture(**arguments):
        # Entre la lecture des réservations par W2 et leur reprise : la prise de W1, la mise à
        # jour conditionnelle de `_expedier`.
        marque = timezone.now()
        prise_de_w1.append(marque)
        assert RappelEnvoye.objects.filter(
            pk=d_alice.pk, created_at=d_alice.created_at, envoye_le__isnull=True
        ).update(created_at=marque)
        return vraies_destinataires(**arguments)

    with mock.patch.object(periodes_mod, "_destinataires", w1_prend_pendant_la_lecture):
        assert reprendre_rappels(aujourd_hui=LE_23_AVRIL) == 1

    assert [courriel.to for courriel in mailoutbox] == [["charlie@exemple.org"]]
    d_alice.refresh_from_db()
    assert d_alice.created_at == prise_de_w1[0]  # toujours à W1, qui l'envoie
    assert d_alice.envoye_le is None


def test_l_echec_d_un_worker_n_efface_pas_la_reservation_reprise_par_un_autre(
    alice, quartier_a, mailoutbox
):
    """W1 prend le rappel, son envoi traîne plus que le délai de reprise; W2 (le rattrapage)
    le reprend et commence à l'envoyer; W1 échoue alors : il n'efface pas la réservation de W2,
    que W2 marque envoyée, et le rappel ne repart pas le lendemain."""
    IndicateurSuiviFactory(quartier=quartier_a)
    periode_du_trimestre(2025, 1, statut=StatutPeriode.OUVERTE)
    marque_de_w2 = []

    class W2EnvoieEncore(BaseException):
        """W2 est au milieu de son envoi : la suite de son exécution est jouée plus bas."""

    envois = []

    def envoi(courriel, *args, **kwargs):
        envois.append(courriel.to)
        if len(envois) == 1:  # W1, dont l'envoi traîne
            with plus_tard(minutes=11), pytest.raises(W2EnvoieEncore):
                reprendre_rappels(aujourd_hui=LE_23_AVRIL)  # W2, sur un autre worker
            raise OSError("SMTP : délai dépassé")  # W1 échoue et libère sa réservation
        marque_de_w2.append(RappelEnvoye.objects.get().created_at)  # W2 l'a prise
        raise W2EnvoieEncore

    with mock.patch("indicateurs.periodes.EmailMessage.send", envoi):
        assert envoyer_rappels(aujourd_hui=LE_23_AVRIL) == 0

    rappel = RappelEnvoye.objects.get()  # la réservation de W2 est restée
    assert rappel.created_at == marque_de_w2[0] and rappel.envoye_le is None
    # W2 finit son envoi et le marque par sa marque.
    rappel.created_at = marque_de_w2[0]
    periodes_mod._marquer_envoye(rappel)
    assert RappelEnvoye.objects.get().envoye_le is not None
    assert envoyer_rappels(aujourd_hui=LE_23_AVRIL + datetime.timedelta(days=1)) == 0


def test_un_worker_qui_echoue_efface_sa_propre_reservation(alice, periode, mailoutbox):
    with mock.patch("indicateurs.periodes.EmailMessage.send", side_effect=OSError("SMTP")):
        assert envoyer_rappels(aujourd_hui=LE_23_AVRIL) == 0

    assert not RappelEnvoye.objects.exists()
    assert envoyer_rappels(aujourd_hui=LE_23_AVRIL + datetime.timedelta(days=1)) == 1


# --- Un envoi dure moins que le délai de reprise ------------------------------------------------


LIRE_LES_DELAIS = (
    "import evalpic.settings as r; print(r.EMAIL_TIMEOUT, r.EVALPIC_RAPPEL_DELAI_REPRISE)"
)


def _importer_reglages(**variables) -> subprocess.CompletedProcess:
    environnement = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environnement |= {"DJANGO_DEBUG": "true", **variables}
    return subprocess.run(
        [sys.executable, "-c", LIRE_LES_DELAIS],
        cwd=RACINE,
        env=environnement,
        capture_output=True,
        text=True,
        check=False,
    )


def test_le_delai_smtp_est_borne_bien_en_deca_du_delai_de_reprise(settings):
    """Sans délai, un serveur SMTP figé garde un envoi au-delà du délai de reprise : le
    rattrapage reprend alors un rappel en train de partir, qui part deux fois."""
    assert settings.EMAIL_TIMEOUT is not None
    assert 0 < settings.EMAIL_TIMEOUT * 10 <= settings.EVALPIC_RAPPEL_DELAI_REPRISE
    smtp = get_connection("django.core.mail.backends.smtp.EmailBackend")
    assert smtp.timeout == settings.EMAIL_TIMEOUT


def test_les_reglages_par_defaut_bornent_l_envoi_a_une_minute():
    resultat = _importer_reglages()

    assert resultat.returncode == 0, resultat.stderr
    assert resultat.stdout.split() == ["60", "600"]


def test_le_demarrage_refuse_un_delai_smtp_trop_long_pour_la_reprise():
    resultat = _importer_reglages(EMAIL_TIMEOUT="120", EVALPIC_RAPPEL_DELAI_REPRISE="600")

    assert resultat.returncode != 0
    assert "EMAIL_TIMEOUT" in resultat.stderr and "EVALPIC_RAPPEL_DELAI_REPRISE" in resultat.stderr
    assert (
        _importer_reglages(EMAIL_TIMEOUT="30", EVALPIC_RAPPEL_DELAI_REPRISE="300").returncode == 0
    )


# --- Les réservations qui ne seront plus reprises -----------------------------------------------


def _compter_les_requetes(appel) -> tuple[object, int]:
    with CaptureQueriesContext(connection) as requetes:
        resultat = appel()
    return resultat, len(requetes.captured_queries)


def test_une_reservation_avant_abandonnee_ne_coute_qu_une_requete_au_rattrapage(
    alice, periode, mailoutbox
):
    """Un « avant » abandonné le jour de l'échéance n'est plus dû le lendemain (« retard ») :
    le rattrapage l'ignore en une requête, le passage du matin suivant l'efface."""
    with tuer_le_worker_a_l_envoi(), pytest.raises(TravailleurTue):
        envoyer_rappels(aujourd_hui=J(2025, 4, 30))  # l'échéance : « avant »
    vieillir(minutes=60 * 10)

    envoyes, requetes = _compter_les_requetes(lambda: reprendre_rappels(aujourd_hui=J(2025, 5, 1)))
    assert (envoyes, requetes) == (0, 1)

    assert envoyer_rappels(aujourd_hui=J(2025, 5, 1)) == 1  # le « retard »
    assert [r.type_rappel for r in RappelEnvoye.objects.all()] == [TypeRappel.RETARD]
    envoyes, requetes = _compter_les_requetes(lambda: reprendre_rappels(aujourd_hui=J(2025, 5, 2)))
    assert (envoyes, requetes) == (0, 1)
    assert len(mailoutbox) == 1


def test_une_reservation_d_une_periode_fermee_est_ignoree_puis_effacee(alice, periode, mailoutbox):
    with tuer_le_worker_a_l_envoi(), pytest.raises(TravailleurTue):
        envoyer_rappels(aujourd_hui=J(2025, 6, 29))  # dernier jour ouvert (30 avril + 60)
    vieillir(minutes=60 * 24)
    apres_la_fermeture = J(2025, 6, 30)
    periode.statut = StatutPeriode.FERMEE  # posé à la main : fait foi
    periode.save(update_fields=["statut"])

    envoyes, requetes = _compter_les_requetes(
        lambda: reprendre_rappels(aujourd_hui=apres_la_fermeture)
    )
    assert (envoyes, requetes) == (0, 1)

    assert envoyer_rappels(aujourd_hui=apres_la_fermeture) == 0
    assert not RappelEnvoye.objects.exists()
    assert not mailoutbox


def test_une_reservation_abandonnee_qui_n_est_plus_due_est_effacee(
    alice, periode, quartier_a, mailoutbox
):
    """La saisie a été remise depuis : le rattrapage efface la réservation au lieu de la relire
    à chaque passage; renvoyée plus tard, la saisie vaut de nouveau un rappel."""
    with tuer_le_worker_a_l_envoi(), pytest.raises(TravailleurTue):
        envoyer_rappels(aujourd_hui=LE_23_AVRIL)
    saisie = Saisie.objects.create(
        table=quartier_a.table, periode=periode, statut=StatutSaisie.SOUMISE
    )
    vieillir(minutes=11)

    assert reprendre_rappels(aujourd_hui=LE_23_AVRIL) == 0
    assert not RappelEnvoye.objects.exists()
    assert _compter_les_requetes(lambda: reprendre_rappels(aujourd_hui=LE_23_AVRIL)) == (0, 1)

    Saisie.objects.filter(pk=saisie.pk).update(statut=StatutSaisie.RENVOYEE, motif_renvoi="x")
    assert envoyer_rappels(aujourd_hui=LE_23_AVRIL + datetime.timedelta(days=1)) == 1
    assert [courriel.to for courriel in mailoutbox] == [["alice@exemple.org"]]
