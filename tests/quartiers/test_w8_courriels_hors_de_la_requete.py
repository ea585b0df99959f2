"""Les courriels d'allauth (réinitialisation du mot de passe) partent hors de la requête.

Avec un serveur SMTP qui accepte la connexion et ne répond jamais, la page de réinitialisation
d'une adresse qui a un compte attendait EMAIL_TIMEOUT (60 s par défaut) avant de répondre, celle
d'une adresse inconnue aussitôt : le temps de réponse disait quelles adresses ont un compte, et
chaque demande tenait un processus gunicorn. L'adaptateur rédige maintenant le courriel (dans la
langue de la personne) et le met en file (tâche `evalpic.envoyer_courriel`) : la page répond
sans attendre le serveur; la tâche envoie le même courriel, reprend un envoi raté à délais
doublés, puis l'écrit au journal à ERROR, sans jamais le lien. Sans file
(CELERY_TASK_ALWAYS_EAGER), la tâche s'exécute dans la requête, une fois
(test_w5_reinitialisation_sans_smtp).
"""

from __future__ import annotations

import json
import logging
import re
import smtplib
import socket
import time
from unittest import mock

import pytest
from celery.exceptions import Retry
from django.core import mail
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import translation
from kombu.exceptions import OperationalError

pytestmark = pytest.mark.django_db

LIEN = re.compile(r"/comptes/password/reset/key/\S+/")


def _reinitialiser(client, courriel: str):
    return client.post(reverse("account_reset_password"), {"email": courriel})


@pytest.fixture
def file_de_taches():
    """La file d'une installation de production (un broker) : ce qui y est mis est noté, sans
    s'exécuter (ni envoi SMTP dans la requête)."""
    with mock.patch("celery.app.task.Task.apply_async", autospec=True) as mise_en_file:
        yield mise_en_file


def _mis_en_file(file_de_taches) -> dict:
    (appel,) = file_de_taches.call_args_list
    tache, _args, kwargs = appel.args
    assert tache.name == "evalpic.envoyer_courriel"
    assert not LIEN.search(appel.kwargs["kwargsrepr"])  # ce que Celery montre : pas le lien
    return kwargs


@pytest.fixture
def smtp_fige(settings):
    """Un serveur SMTP qui accepte la connexion et ne dit jamais rien (pas même sa bannière)."""
    serveur = socket.socket()
    serveur.bind(("127.0.0.1", 0))
    serveur.listen(5)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", serveur.getsockname()[1]
    settings.EMAIL_TIMEOUT = 2
    yield serveur
    serveur.close()


def test_un_serveur_fige_ne_fait_pas_attendre_la_page(client, alice, smtp_fige, file_de_taches):
    inconnue = _reinitialiser(client, "personne@exemple.org")
    debut = time.monotonic()
    connue = _reinitialiser(client, alice.email)
    duree = time.monotonic() - debut
    assert duree < 1, f"la page a attendu le serveur de courriel {duree:.1f} s"
    assert (connue.status_code, connue["Location"]) == (inconnue.status_code, inconnue["Location"])
    assert _mis_en_file(file_de_taches)["message"]["a"] == [alice.email]


def test_la_page_ne_touche_pas_au_serveur_de_courriel(client, alice, file_de_taches):
    with mock.patch.object(EmailMessage, "send", autospec=True) as envoi:
        assert _reinitialiser(client, alice.email).status_code == 302
    envoi.assert_not_called()
    assert mail.outbox == []


def test_la_tache_envoie_le_courriel_redige_dans_la_langue_de_la_personne(
    client, alice, file_de_taches
):
    alice.langue = "en"
    alice.save()
    _reinitialiser(client, alice.email)
    en_file = _mis_en_file(file_de_taches)
    assert en_file["modele"] == "account/email/password_reset_key"
    from evalpic.tasks import envoyer_courriel_task

    # Le worker a sa propre langue : le courriel reste celui qui a été rédigé, en anglais.
    with translation.override("fr"):
        assert envoyer_courriel_task.apply(kwargs=en_file).get() is True
    (courriel,) = mail.outbox
    assert courriel.to == [alice.email]
    assert courriel.subject == en_file["message"]["sujet"]
    assert courriel.subject.startswith("ÉvalPIC: ")
    assert courriel.body == en_file["message"]["corps"]
    assert LIEN.search(courriel.body)
    # Le lien du courriel mène bien au formulaire du nouveau mot de passe.
    assert client.get(LIEN.search(courriel.body).group(0), follow=True).status_code == 200


def test_sans_file_le_courriel_part_dans_la_requete(client, alice):
    """Développement, tests : pas de broker, la tâche s'exécute aussitôt, comme avant."""
    assert _reinitialiser(client, alice.email).status_code == 302
    (courriel,) = mail.outbox
    assert courriel.to == [alice.email] and LIEN.search(courriel.body)


@pytest.fixture
def en_file(client, alice, file_de_taches) -> dict:
    _reinitialiser(client, alice.email)
    return _mis_en_file(file_de_taches)


def _executer_par_un_worker(kwargs: dict, *, reprises: int):
    """La tâche comme un worker l'exécute : hors de la requête, à sa `reprises`-ième reprise."""
    from evalpic.tasks import envoyer_courriel_task

    envoyer_courriel_task.push_request(id="tache", retries=reprises, is_eager=False)
    try:
        return envoyer_courriel_task.run(**kwargs)
    finally:
        envoyer_courriel_task.pop_request()


def test_un_envoi_rate_est_repris_a_delais_doubles(en_file, caplog):
    from evalpic.tasks import COURRIEL_REPRISES, envoyer_courriel_task

    panne = smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
    delais = []
    for reprises in range(COURRIEL_REPRISES):
        with (
            mock.patch.object(EmailMessage, "send", autospec=True, side_effect=panne),
            mock.patch.object(envoyer_courriel_task, "retry", side_effect=Retry()) as reprise,
            caplog.at_level(logging.ERROR),
            pytest.raises(Retry),
        ):
            _executer_par_un_worker(en_file, reprises=reprises)
        assert reprise.call_args.kwargs["exc"] is panne
        assert reprise.call_args.kwargs["max_retries"] == COURRIEL_REPRISES
        delais.append(reprise.call_args.kwargs["countdown"])
    assert delais == [60, 120, 240, 480, 960]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert mail.outbox == []
    # La reprise qui réussit envoie le courriel.
    assert _executer_par_un_worker(en_file, reprises=2) is True
    assert len(mail.outbox) == 1


def test_apres_la_derniere_reprise_l_echec_est_journalise_sans_le_lien(en_file, caplog):
    from evalpic.tasks import COURRIEL_REPRISES, envoyer_courriel_task

    panne = TimeoutError("timed out")
    with (
        mock.patch.object(EmailMessage, "send", autospec=True, side_effect=panne),
        mock.patch.object(envoyer_courriel_task, "retry") as reprise,
        caplog.at_level(logging.ERROR, logger="evalpic.courriels"),
    ):
        assert _executer_par_un_worker(en_file, reprises=COURRIEL_REPRISES) is False
    reprise.assert_not_called()
    (ligne,) = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert ligne.name == "evalpic.courriels"
    texte = ligne.getMessage()
    assert "alice@exemple.org" in texte and "TimeoutError" in texte
    assert "password_reset_key" in texte
    assert not LIEN.search(texte) and "http" not in texte


def test_une_file_injoignable_n_empeche_pas_le_courriel(client, alice, caplog):
    """Redis arrêté : la mise en file échoue vite (TacheSansAttente), le courriel part d'ici."""
    refus = OperationalError("Error 111 connecting to redis:6379. Connection refused.")
    with (
        mock.patch("celery.app.task.Task.apply_async", autospec=True, side_effect=refus),
        caplog.at_level(logging.WARNING, logger="evalpic.courriels"),
    ):
        assert _reinitialiser(client, alice.email).status_code == 302
    (courriel,) = mail.outbox
    assert courriel.to == [alice.email]
    assert any("File de tâches injoignable" in r.getMessage() for r in caplog.records)


def test_le_courriel_en_donnees_est_le_meme_courriel():
    """Sujet, corps, adresses, en-têtes et variante HTML passent par la file (JSON) intacts;
    un courriel en HTML seul (allauth, sans gabarit texte) garde son type."""
    from django.core.mail import EmailMultiAlternatives

    from evalpic.courriels import message_des_donnees, message_en_donnees

    def decrire(courriel):
        return (
            courriel.subject,
            courriel.body,
            courriel.content_subtype,
            courriel.from_email,
            courriel.to,
            courriel.cc,
            courriel.bcc,
            courriel.reply_to,
            courriel.extra_headers,
            [tuple(v) for v in getattr(courriel, "alternatives", [])],
        )

    texte = EmailMultiAlternatives(
        "Sujet", "Texte", "ÉvalPIC <evalpic@exemple.org>", ["a@exemple.org"], headers={"X-A": "1"}
    )
    texte.attach_alternative("<p>Texte</p>", "text/html")
    html = EmailMessage("Sujet", "<p>Texte</p>", "evalpic@exemple.org", ["a@exemple.org"])
    html.content_subtype = "html"
    for courriel in (texte, html):
        copie = message_des_donnees(json.loads(json.dumps(message_en_donnees(courriel))))
        assert decrire(copie) == decrire(courriel)
    with pytest.raises(ValueError):
        avec_piece = EmailMessage("Sujet", "Texte", "evalpic@exemple.org", ["a@exemple.org"])
        avec_piece.attach("a.txt", "contenu", "text/plain")
        message_en_donnees(avec_piece)
