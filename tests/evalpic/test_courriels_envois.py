"""Les courriels qui partent d'ÉvalPIC (rappels de saisie, avis « bilan prêt », comptes) : leurs
liens bâtis d'une seule façon sur SITE_URL (evalpic.adresses), un envoi raté écrit au journal
sans rien bloquer, le préfixe du sujet dans la langue du courriel."""

from __future__ import annotations

import datetime
import logging
import smtplib
from unittest import mock
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.urls import resolve, reverse, set_script_prefix

from evalpic.adresses import adresse_absolue
from indicateurs.models import RappelEnvoye, StatutPeriode
from indicateurs.periodes import envoyer_rappels
from quartiers.models import RoleGlobal
from rapports.avis_bilans import prevenir
from rapports.models import Bilan, Portee, StatutBilan
from rapports.services import marquer_pret
from tests.factories import IndicateurSuiviFactory, UtilisateurFactory, periode_du_trimestre

pytestmark = pytest.mark.django_db

SITE = "https://evalpic.exemple.org"
ENVOI_REEL = EmailMessage.send


def _bilan(quartier=None, demande_par=None, statut=StatutBilan.PRET) -> Bilan:
    return Bilan.objects.create(
        portee=Portee.QUARTIER if quartier else Portee.PIC,
        quartier=quartier,
        annee=2024,
        trimestre=4,
        statut=statut,
        demande_par=demande_par,
        planifie=demande_par is None,
    )


def _lien(courriel: EmailMessage) -> str:
    (lien,) = [ligne for ligne in courriel.body.splitlines() if ligne.startswith("http")]
    return lien


def _en_panne_pour(adresse: str, erreur: Exception):
    """Remplace l'envoi : `erreur` pour `adresse`, l'envoi réel (boîte de test) pour les autres."""

    def envoyer(courriel: EmailMessage, *args, **kwargs):
        if adresse in courriel.to:
            raise erreur
        return ENVOI_REEL(courriel, *args, **kwargs)

    return mock.patch.object(EmailMessage, "send", autospec=True, side_effect=envoyer)


# --- Une seule façon de bâtir un lien -----------------------------------------------------------


@pytest.mark.parametrize("site_url", [SITE, SITE + "/"])
@pytest.mark.parametrize("chemin", ["/bilans/2/", "bilans/2/"])
def test_adresse_absolue_une_seule_barre_entre_site_url_et_chemin(settings, site_url, chemin):
    settings.SITE_URL = site_url
    assert adresse_absolue(chemin) == "https://evalpic.exemple.org/bilans/2/"


def test_le_lien_du_bilan_pret_avec_un_site_url_a_barre_finale(settings, alice, quartier_a):
    settings.SITE_URL = SITE + "/"
    bilan = _bilan(quartier_a, demande_par=alice)
    prevenir(bilan)
    lien = _lien(mail.outbox[0])
    assert lien == f"{SITE}/bilans/{bilan.pk}/"
    assert resolve(urlsplit(lien).path).url_name == "bilan_detail"


def test_le_lien_du_rappel_avec_un_site_url_a_barre_finale(settings, alice, quartier_a):
    settings.SITE_URL = SITE + "/"
    IndicateurSuiviFactory(quartier=quartier_a)
    periode_du_trimestre(2025, 1, statut=StatutPeriode.OUVERTE)
    envoyer_rappels(aujourd_hui=datetime.date(2025, 4, 23))
    lien = _lien(mail.outbox[0])
    assert lien == SITE + reverse(
        "saisie_formulaire", kwargs={"slug": quartier_a.slug, "code": "2025-T1"}
    )


# --- Avis « bilan prêt » raté -------------------------------------------------------------------


def test_un_avis_de_bilan_rate_est_ecrit_au_journal_sans_son_texte(alice, quartier_a, caplog):
    bilan = _bilan(quartier_a, demande_par=alice)
    panne = smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
    with _en_panne_pour("alice@exemple.org", panne), caplog.at_level(logging.WARNING):
        prevenir(bilan)
    assert mail.outbox == []
    (ligne,) = [r for r in caplog.records if r.name == "rapports.avis_bilans"]
    assert ligne.levelno >= logging.WARNING
    texte = ligne.getMessage()
    assert str(bilan.pk) in texte and "alice@exemple.org" in texte
    assert "Bonjour" not in texte and "/bilans/" not in texte  # jamais le contenu


def test_un_avis_rate_n_empeche_ni_les_autres_ni_le_bilan_pret(
    quartier_a, eve, caplog, django_capture_on_commit_callbacks
):
    UtilisateurFactory(email="zoe@exemple.org", role_global=RoleGlobal.EVALUATEUR)
    bilan = _bilan(quartier_a, statut=StatutBilan.EN_COURS)  # planifié : toute l'évaluation
    panne = RuntimeError("moteur de courriel en panne")
    with (
        _en_panne_pour("eve@exemple.org", panne),
        caplog.at_level(logging.WARNING),
        # L'avis part après la transaction qui marque le bilan prêt (on_commit).
        django_capture_on_commit_callbacks(execute=True),
    ):
        marquer_pret(bilan, {}, {})
    bilan.refresh_from_db()
    assert bilan.statut == StatutBilan.PRET
    assert [courriel.to for courriel in mail.outbox] == [["zoe@exemple.org"]]
    assert any("eve@exemple.org" in r.getMessage() for r in caplog.records)


# --- Rappel raté --------------------------------------------------------------------------------


def test_un_rappel_rate_quelle_que_soit_l_erreur_est_retente_et_les_suivants_partent(
    alice, charlie, quartier_a, quartier_b, caplog
):
    for quartier in (quartier_a, quartier_b):
        IndicateurSuiviFactory(quartier=quartier)
    periode_du_trimestre(2025, 1, statut=StatutPeriode.OUVERTE)

    panne = RuntimeError("moteur de courriel en panne")
    with _en_panne_pour("alice@exemple.org", panne), caplog.at_level(logging.WARNING):
        assert envoyer_rappels(aujourd_hui=datetime.date(2025, 4, 23)) == 1
    assert [courriel.to for courriel in mail.outbox] == [["charlie@exemple.org"]]
    # La réservation du rappel raté est effacée, celle du rappel parti reste.
    assert list(RappelEnvoye.objects.values_list("destinataire__email", flat=True)) == [
        "charlie@exemple.org"
    ]
    (ligne,) = [r for r in caplog.records if r.name == "indicateurs.periodes"]
    assert ligne.levelno >= logging.WARNING and "retenté" in ligne.getMessage()

    assert envoyer_rappels(aujourd_hui=datetime.date(2025, 4, 24)) == 1
    assert [courriel.to for courriel in mail.outbox][1:] == [["alice@exemple.org"]]


# --- Préfixe du sujet dans la langue du courriel ------------------------------------------------


def _reinitialiser(client, courriel: str, langue_de_la_page: str):
    return client.post(
        reverse("account_reset_password"),
        {"email": courriel},
        HTTP_ACCEPT_LANGUAGE=langue_de_la_page,
    )


@pytest.mark.parametrize(
    ("langue", "sujet"),
    [
        ("en", "ÉvalPIC: Reset your password"),
        ("fr", "ÉvalPIC : Réinitialisation de votre mot de passe"),
    ],
)
def test_le_sujet_de_la_reinitialisation_a_le_prefixe_de_sa_langue(client, langue, sujet):
    UtilisateurFactory(email="alice@exemple.org", langue=langue)
    autre_langue = "fr" if langue == "en" else "en"
    assert _reinitialiser(client, "alice@exemple.org", autre_langue).status_code == 302
    (courriel,) = mail.outbox
    assert courriel.subject == sujet


def test_l_avis_de_bilan_anglais_a_le_meme_prefixe_que_les_courriels_du_compte(
    alice, quartier_a, client
):
    alice.langue = "en"
    alice.save()
    prevenir(_bilan(quartier_a, demande_par=alice))
    _reinitialiser(client, "alice@exemple.org", "fr")
    bilan, reinitialisation = mail.outbox
    assert bilan.subject.startswith("ÉvalPIC: ")
    assert reinitialisation.subject.startswith("ÉvalPIC: ")


def test_site_servi_sous_un_prefixe_le_meme_lien_dans_une_requete_et_dans_un_worker(settings):
    """`reverse` ajoute le préfixe du site (SCRIPT_NAME) pendant une requête, pas dans un
    worker : l'avis « bilan prêt » parti d'une requête (tâches en processus, sans file) menait à
    « …/evalpic/evalpic/bilans/2/ »."""
    settings.SITE_URL = "https://exemple.org/evalpic/"
    attendu = "https://exemple.org/evalpic/bilans/2/"
    assert adresse_absolue(reverse("bilan_detail", args=[2])) == attendu  # worker
    set_script_prefix("/evalpic/")
    try:
        assert reverse("bilan_detail", args=[2]) == "/evalpic/bilans/2/"
        assert adresse_absolue(reverse("bilan_detail", args=[2])) == attendu  # requête
    finally:
        set_script_prefix("/")
