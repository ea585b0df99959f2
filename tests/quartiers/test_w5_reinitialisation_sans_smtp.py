"""La réinitialisation du mot de passe quand le serveur SMTP ne répond pas : avant, 500
(ConnectionRefusedError) pour un compte qui existe et 302 pour une adresse inconnue, ce qui
disait quelles adresses ont un compte. Maintenant la même page dans les deux cas, et l'envoi
raté au journal (ERROR, avec le destinataire, sans le lien). Le courriel part maintenant hors de
la requête (tâche `evalpic.envoyer_courriel`, test_w8_courriels_hors_de_la_requete) : ces tests
sont ceux d'une installation sans file, où la tâche s'exécute dans la requête, une fois."""

from __future__ import annotations

import logging
import smtplib
from unittest import mock

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _reinitialiser(client, courriel: str):
    return client.post(reverse("account_reset_password"), {"email": courriel})


@pytest.mark.parametrize(
    "panne",
    [
        ConnectionRefusedError(111, "Connection refused"),
        smtplib.SMTPServerDisconnected("Connection unexpectedly closed"),
        smtplib.SMTPRecipientsRefused({"alice@exemple.org": (550, b"refus")}),
        TimeoutError("timed out"),
    ],
    ids=["refus", "deconnexion", "destinataire-refuse", "delai"],
)
def test_smtp_en_panne_la_page_est_celle_d_une_adresse_inconnue(client, alice, caplog, panne):
    inconnue = _reinitialiser(client, "personne@exemple.org")
    with (
        mock.patch.object(EmailMessage, "send", autospec=True, side_effect=panne),
        caplog.at_level(logging.ERROR, logger="evalpic.courriels"),
    ):
        connue = _reinitialiser(client, "alice@exemple.org")
    assert (connue.status_code, connue["Location"]) == (inconnue.status_code, inconnue["Location"])
    assert connue.status_code == 302
    assert mail.outbox == []
    (ligne,) = [r for r in caplog.records if r.name == "evalpic.courriels"]
    assert ligne.levelno == logging.ERROR
    texte = ligne.getMessage()
    assert "alice@exemple.org" in texte and type(panne).__name__ in texte
    assert "/password/reset/key/" not in texte and "http" not in texte  # jamais le lien


def test_une_autre_erreur_n_est_pas_avalee(client, alice):
    """Seules les pannes d'envoi sont rattrapées : un gabarit cassé reste une erreur du code."""
    panne = mock.patch.object(EmailMessage, "send", autospec=True, side_effect=KeyError("x"))
    with panne, pytest.raises(KeyError):
        _reinitialiser(client, "alice@exemple.org")


def test_smtp_en_service_le_courriel_part(client, alice):
    assert _reinitialiser(client, "alice@exemple.org").status_code == 302
    (courriel,) = mail.outbox
    assert courriel.to == ["alice@exemple.org"]
