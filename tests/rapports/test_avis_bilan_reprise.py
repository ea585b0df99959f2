"""L'avis « bilan prêt » finit par partir, une seule fois : réservé (`AvisBilanPret`) dans la
transaction qui marque le bilan prêt, envoyé après elle et marqué envoyé aussitôt parti. Un
envoi raté (SMTP) ou un worker arrêté laisse l'avis réservé sans envoi; le rattrapage
(`reprendre_avis_bilans`, beat toutes les 15 minutes) le reprend passé
`EVALPIC_RAPPEL_DELAI_REPRISE`, par une reprise conditionnelle (deux workers ne l'envoient pas
deux fois), s'il reste lisible par la personne, et y renonce deux jours après le premier essai.
Avant, un envoi raté était écrit au journal et la personne n'était jamais prévenue."""

from __future__ import annotations

import datetime
import logging
from unittest import mock

import pytest
from celery.schedules import crontab
from django.core.mail import EmailMessage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from evalpic import reservations
from rapports import avis_bilans
from rapports.avis_bilans import prevenir, reprendre_avis_bilans
from rapports.models import AvisBilanPret, Bilan, Portee, RaisonAbandon, StatutBilan
from rapports.services import marquer_pret
from tests.factories import QuartierFactory, UtilisateurFactory

pytestmark = pytest.mark.django_db

ENVOI_REEL = EmailMessage.send


@pytest.fixture(autouse=True)
def reglages(settings):
    settings.EVALPIC_RAPPEL_DELAI_REPRISE = 600  # dix minutes


def _bilan(quartier, demande_par=None, statut=StatutBilan.PRET) -> Bilan:
    return Bilan.objects.create(
        portee=Portee.QUARTIER,
        quartier=quartier,
        annee=2024,
        trimestre=4,
        statut=statut,
        demande_par=demande_par,
        planifie=demande_par is None,
    )


def panne_smtp():
    return mock.patch.object(EmailMessage, "send", side_effect=OSError("SMTP injoignable"))


def vieillir(minutes: int) -> None:
    """Les avis ont été réservés (ou pris) il y a `minutes` minutes."""
    AvisBilanPret.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=minutes))


def _destinataires(mailoutbox) -> list[list[str]]:
    return [courriel.to for courriel in mailoutbox]


def _compter_les_requetes(appel) -> tuple[object, int]:
    with CaptureQueriesContext(connection) as requetes:
        resultat = appel()
    return resultat, len(requetes.captured_queries)


# --- Un envoi raté est retenté, et l'avis part une seule fois -----------------------------------


def test_un_avis_rate_est_retente_par_le_rattrapage_et_part_une_seule_fois(
    alice, quartier_a, mailoutbox
):
    bilan = _bilan(quartier_a, demande_par=alice)
    with panne_smtp():
        assert prevenir(bilan) == 0
    avis = AvisBilanPret.objects.get()
    assert (avis.destinataire, avis.envoye_le) == (alice, None)  # réservé, pas parti

    assert reprendre_avis_bilans() == 0  # trop récent : peut-être encore en train de partir
    vieillir(minutes=11)
    assert reprendre_avis_bilans() == 1

    assert _destinataires(mailoutbox) == [["alice@exemple.org"]]
    assert f"/bilans/{bilan.pk}/" in mailoutbox[0].body
    assert AvisBilanPret.objects.get().envoye_le is not None
    vieillir(minutes=60 * 24)
    assert reprendre_avis_bilans() == 0
    assert prevenir(bilan) == 0  # déjà prévenue
    assert len(mailoutbox) == 1


def test_deux_envois_rates_puis_un_reussi_un_seul_courriel(alice, quartier_a, mailoutbox):
    bilan = _bilan(quartier_a, demande_par=alice)
    with panne_smtp():
        prevenir(bilan)
        vieillir(minutes=11)
        assert reprendre_avis_bilans() == 0
    assert reprendre_avis_bilans() == 0  # l'essai raté a posé sa marque : pas avant le délai
    vieillir(minutes=11)
    assert reprendre_avis_bilans() == 1
    vieillir(minutes=11)
    assert reprendre_avis_bilans() == 0
    assert _destinataires(mailoutbox) == [["alice@exemple.org"]]


def test_l_avis_rate_au_moment_ou_le_bilan_devient_pret_est_retente(
    quartier_a, eve, mailoutbox, django_capture_on_commit_callbacks
):
    zoe = UtilisateurFactory(email="zoe@exemple.org", role_global=eve.role_global)
    bilan = _bilan(quartier_a, statut=StatutBilan.EN_COURS)  # planifié : toute l'évaluation

    def en_panne_pour_eve(courriel, *args, **kwargs):
        if "eve@exemple.org" in courriel.to:
            raise OSError("adresse refusée")
        return ENVOI_REEL(courriel, *args, **kwargs)

    with (
        mock.patch.object(EmailMessage, "send", autospec=True, side_effect=en_panne_pour_eve),
        django_capture_on_commit_callbacks(execute=True),
    ):
        marquer_pret(bilan, {}, {})

    assert Bilan.objects.get(pk=bilan.pk).statut == StatutBilan.PRET
    assert _destinataires(mailoutbox) == [["zoe@exemple.org"]]
    vieillir(minutes=11)
    assert reprendre_avis_bilans() == 1
    assert _destinataires(mailoutbox) == [["zoe@exemple.org"], ["eve@exemple.org"]]
    assert set(AvisBilanPret.objects.values_list("destinataire", flat=True)) == {eve.pk, zoe.pk}
    assert not AvisBilanPret.objects.filter(envoye_le__isnull=True).exists()


def test_l_avis_est_reserve_avec_le_bilan_pret_et_part_apres_la_transaction(
    alice, quartier_a, mailoutbox, django_capture_on_commit_callbacks
):
    """Réservé dans la transaction qui marque le bilan prêt, envoyé seulement après elle : un
    worker arrêté entre les deux laisse l'avis réservé, que le rattrapage envoie."""
    bilan = _bilan(quartier_a, demande_par=alice, statut=StatutBilan.EN_COURS)
    with django_capture_on_commit_callbacks(execute=False) as rappels:
        marquer_pret(bilan, {}, {})
    assert rappels and not mailoutbox  # rien n'est parti avant la fin de la transaction
    assert AvisBilanPret.objects.get().envoye_le is None

    vieillir(minutes=11)  # le worker s'est arrêté avant d'exécuter les rappels
    assert reprendre_avis_bilans() == 1
    for rappel in rappels:  # le rappel d'un autre worker, trop tard : rien de plus
        rappel()
    assert _destinataires(mailoutbox) == [["alice@exemple.org"]]


def test_l_avis_anglais_repart_en_anglais(alice, quartier_a, mailoutbox):
    """La langue du courriel reste celle de la personne (`evalpic.courriels`), au rattrapage
    aussi."""
    alice.langue = "en"
    alice.save()
    bilan = _bilan(quartier_a, demande_par=alice)
    with panne_smtp():
        prevenir(bilan)
    vieillir(minutes=11)
    assert reprendre_avis_bilans() == 1
    (courriel,) = mailoutbox
    assert courriel.subject.startswith("ÉvalPIC: ")
    assert "is ready" in courriel.subject and "Q4 2024" in courriel.subject


# --- Deux workers n'envoient pas le même avis deux fois ----------------------------------------


def test_deux_prevenir_du_meme_bilan_un_seul_courriel(alice, quartier_a, mailoutbox):
    bilan = _bilan(quartier_a, demande_par=alice)
    assert prevenir(bilan) == 1
    assert prevenir(bilan) == 0
    assert _destinataires(mailoutbox) == [["alice@exemple.org"]]


def test_deux_rattrapages_qui_se_croisent_n_envoient_l_avis_qu_une_fois(
    alice, quartier_a, mailoutbox
):
    """W1 a repris l'avis et l'envoie; W2, lancé pendant l'envoi, ne le reprend pas."""
    bilan = _bilan(quartier_a, demande_par=alice)
    with panne_smtp():
        prevenir(bilan)
    vieillir(minutes=11)
    pendant_l_envoi = []

    def envoi_de_w1(courriel, *args, **kwargs):
        pendant_l_envoi.append(reprendre_avis_bilans())  # W2, sur un autre worker
        return ENVOI_REEL(courriel, *args, **kwargs)

    with mock.patch.object(EmailMessage, "send", autospec=True, side_effect=envoi_de_w1):
        assert reprendre_avis_bilans() == 1

    assert pendant_l_envoi == [0]
    assert _destinataires(mailoutbox) == [["alice@exemple.org"]]


def test_une_reprise_n_ecrase_pas_la_prise_d_un_autre_worker(alice, bob, quartier_a, mailoutbox):
    """Le rattrapage (W2) lit deux avis abandonnés; avant qu'il les reprenne, W1 prend celui
    d'alice pour l'envoyer. W2 n'envoie que celui de bob; celui d'alice reste à W1."""
    for personne in (alice, bob):
        with panne_smtp():
            prevenir(_bilan(quartier_a, demande_par=personne))
    vieillir(minutes=11)
    d_alice = AvisBilanPret.objects.get(destinataire=alice)
    prise_de_w1 = []
    vraie_reprise = reservations.reprendre

    def w1_prend_pendant_la_lecture(modele, abandonnes, limite):
        # Entre la lecture des avis par W2 et leur reprise : la prise de W1.
        assert reservations.prendre(d_alice)
        prise_de_w1.append(d_alice.created_at)
        return vraie_reprise(modele, abandonnes, limite)

    with mock.patch.object(avis_bilans.reservations, "reprendre", w1_prend_pendant_la_lecture):
        assert reprendre_avis_bilans() == 1

    assert _destinataires(mailoutbox) == [["bob@exemple.org"]]
    d_alice.refresh_from_db()
    assert d_alice.created_at == prise_de_w1[0] and d_alice.envoye_le is None  # toujours à W1


def test_un_avis_repris_ailleurs_n_est_pas_envoye_par_qui_le_gardait_en_memoire(
    alice, quartier_a, mailoutbox
):
    bilan = _bilan(quartier_a, demande_par=alice)
    with panne_smtp():
        prevenir(bilan)
    vieillir(minutes=11)
    garde_en_memoire = AvisBilanPret.objects.select_related("bilan", "destinataire").get()
    assert reprendre_avis_bilans() == 1

    assert avis_bilans._expedier(garde_en_memoire) == 0
    assert len(mailoutbox) == 1


def test_l_envoi_en_retard_d_un_worker_ne_double_pas_celui_du_rattrapage(
    alice, quartier_a, mailoutbox, django_capture_on_commit_callbacks
):
    """Le worker qui a marqué le bilan prêt traîne avant d'envoyer l'avis; passé le délai, le
    rattrapage le reprend et l'envoie. Le retardataire, qui arrive pendant cet envoi, n'envoie
    rien : sa prise exige la marque qu'il a lue à la réservation."""
    bilan = _bilan(quartier_a, demande_par=alice, statut=StatutBilan.EN_COURS)
    with django_capture_on_commit_callbacks(execute=False) as rappels:
        marquer_pret(bilan, {}, {})
    (envoi_en_retard,) = rappels
    envoyes_par_le_retardataire = []

    def envoi_du_rattrapage(courriel, *args, **kwargs):
        if not envoyes_par_le_retardataire:
            envoyes_par_le_retardataire.append(envoi_en_retard())  # sur un autre worker
        return ENVOI_REEL(courriel, *args, **kwargs)

    onze_minutes_plus_tard = timezone.now() + datetime.timedelta(minutes=11)
    with (
        mock.patch("django.utils.timezone.now", return_value=onze_minutes_plus_tard),
        mock.patch.object(EmailMessage, "send", autospec=True, side_effect=envoi_du_rattrapage),
    ):
        assert reprendre_avis_bilans() == 1

    assert envoyes_par_le_retardataire == [0]
    assert _destinataires(mailoutbox) == [["alice@exemple.org"]]


# --- Plus d'accès, compte désactivé, trop tard -------------------------------------------------


def test_pas_de_reprise_pour_qui_n_est_plus_affecte_au_quartier(
    alice, quartier_a, mailoutbox, caplog
):
    bilan = _bilan(quartier_a, demande_par=alice)
    with panne_smtp():
        prevenir(bilan)
    alice.affectations.update(fin=timezone.localdate() - datetime.timedelta(days=1))
    vieillir(minutes=11)

    with caplog.at_level(logging.INFO, logger="rapports.avis_bilans"):
        assert reprendre_avis_bilans() == 0

    assert not mailoutbox
    # Abandonné, avec sa raison (il était effacé) : le rattrapage ne le relit plus.
    assert AvisBilanPret.objects.get().raison_abandon == RaisonAbandon.PLUS_D_ACCES
    assert any(str(bilan.pk) in r.getMessage() for r in caplog.records)
    assert _compter_les_requetes(reprendre_avis_bilans) == (0, 1)


def test_pas_de_reprise_pour_un_compte_desactive(alice, quartier_a, mailoutbox):
    bilan = _bilan(quartier_a, demande_par=alice)
    with panne_smtp():
        prevenir(bilan)
    alice.is_active = False
    alice.save()
    vieillir(minutes=11)

    assert reprendre_avis_bilans() == 0
    assert not mailoutbox
    assert AvisBilanPret.objects.get().raison_abandon == RaisonAbandon.COMPTE_DESACTIVE


def test_l_acces_est_reverifie_juste_avant_l_envoi(alice, quartier_a, mailoutbox):
    """Réservé pendant qu'elle pouvait lire le bilan, l'avis ne part pas si elle ne le peut
    plus au moment de l'envoi."""
    bilan = _bilan(quartier_a, demande_par=alice)
    (avis,) = avis_bilans.reserver_avis(bilan)
    alice.is_active = False
    alice.save()

    assert avis_bilans._expedier_tous([avis]) == 0
    assert not mailoutbox
    assert AvisBilanPret.objects.get().raison_abandon == RaisonAbandon.COMPTE_DESACTIVE


def test_le_rattrapage_renonce_deux_jours_apres_le_premier_essai(
    alice, quartier_a, mailoutbox, caplog
):
    bilan = _bilan(quartier_a, demande_par=alice)
    with panne_smtp():
        prevenir(bilan)
    vieillir(minutes=11)
    AvisBilanPret.objects.update(
        premier_essai_le=timezone.now() - datetime.timedelta(days=2, minutes=1)
    )

    caplog.clear()  # l'essai raté, déjà au journal
    with caplog.at_level(logging.WARNING, logger="rapports.avis_bilans"):
        assert reprendre_avis_bilans() == 0

    assert not mailoutbox
    assert AvisBilanPret.objects.get().raison_abandon == RaisonAbandon.DELAI  # il était effacé
    (ligne,) = [r for r in caplog.records if r.name == "rapports.avis_bilans"]
    assert ligne.levelno == logging.WARNING
    assert str(bilan.pk) in ligne.getMessage() and "alice@exemple.org" in ligne.getMessage()
    assert "abandonné" in ligne.getMessage()
    assert _compter_les_requetes(reprendre_avis_bilans) == (0, 1)


def test_le_rattrapage_reessaie_encore_juste_avant_deux_jours(alice, quartier_a, mailoutbox):
    bilan = _bilan(quartier_a, demande_par=alice)
    with panne_smtp():
        prevenir(bilan)
    AvisBilanPret.objects.update(
        premier_essai_le=timezone.now() - datetime.timedelta(days=1, hours=23)
    )
    vieillir(minutes=11)

    assert reprendre_avis_bilans() == 1
    assert _destinataires(mailoutbox) == [["alice@exemple.org"]]


# --- Une requête quand il n'y a rien à reprendre ------------------------------------------------


def _avis_sans_rien_a_reprendre(nombre: int) -> None:
    """`nombre` bilans de quartiers différents : chacun un avis parti, et un avis réservé à
    l'instant (peut-être en train de partir), qu'on ne reprend pas."""
    for rang in range(nombre):
        quartier = QuartierFactory()
        for envoye in (True, False):
            personne = UtilisateurFactory()
            AvisBilanPret.objects.create(
                bilan=_bilan(quartier, demande_par=personne),
                destinataire=personne,
                envoye_le=timezone.now() - datetime.timedelta(days=rang) if envoye else None,
            )


@pytest.mark.parametrize("nombre", [1, 10])
def test_le_rattrapage_sans_rien_a_reprendre_coute_une_requete(nombre, mailoutbox):
    _avis_sans_rien_a_reprendre(nombre)
    AvisBilanPret.objects.filter(envoye_le__isnull=False).update(
        created_at=timezone.now() - datetime.timedelta(days=3)
    )
    # Une requête : les avis jamais envoyés réservés avant le délai (aucun).
    assert _compter_les_requetes(reprendre_avis_bilans) == (0, 1)
    assert not mailoutbox


# --- Tâche et calendrier de beat ----------------------------------------------------------------


def test_beat_lance_le_rattrapage_des_avis_toutes_les_15_minutes(settings):
    par_tache = {e["task"]: e["schedule"] for e in settings.CELERY_BEAT_SCHEDULE.values()}

    assert par_tache["rapports.reprendre_avis_bilans"] == crontab(minute="*/15")


def test_la_tache_du_rattrapage_des_avis_appelle_le_service():
    import rapports.tasks
    from evalpic.celery import app

    assert "rapports.reprendre_avis_bilans" in app.tasks
    with mock.patch("rapports.avis_bilans.reprendre_avis_bilans", return_value=2) as service:
        resultat = rapports.tasks.reprendre_avis_bilans_task.apply()

    assert resultat.get() == 2
    service.assert_called_once_with()
