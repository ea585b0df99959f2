"""Les courriels d'allauth (réinitialisation du mot de passe) : au nom d'ÉvalPIC, dans la langue
de la personne, et rien pour une adresse inconnue (pas d'inscription publique)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import UtilisateurFactory

pytestmark = pytest.mark.django_db


def _demander(client, courriel: str, langue_de_la_page: str = "fr"):
    return client.post(
        reverse("account_reset_password"),
        {"email": courriel},
        HTTP_ACCEPT_LANGUAGE=langue_de_la_page,
    )


def test_en_francais_au_nom_d_evalpic(client, mailoutbox):
    UtilisateurFactory(email="alice@exemple.org", langue="fr")
    assert _demander(client, "alice@exemple.org", "en").status_code == 302
    (courriel,) = mailoutbox
    assert courriel.subject == "ÉvalPIC : Réinitialisation de votre mot de passe"
    assert courriel.body.startswith("Bonjour,")
    assert "Pour choisir un nouveau mot de passe :\nhttp://testserver/" in courriel.body
    assert courriel.body.rstrip().endswith("L'équipe ÉvalPIC")
    assert "testserver!" not in courriel.body and "Hello" not in courriel.body


def test_dans_la_langue_de_la_personne_et_non_de_la_page(client, mailoutbox):
    UtilisateurFactory(email="bob@exemple.org", langue="en")
    assert _demander(client, "BOB@exemple.org", "fr").status_code == 302
    (courriel,) = mailoutbox
    assert courriel.subject == "ÉvalPIC: Reset your password"
    assert courriel.body.startswith("Hello,")
    assert "To choose a new password:" in courriel.body
    assert courriel.body.rstrip().endswith("The ÉvalPIC team")


def test_une_adresse_inconnue_ne_recoit_rien_et_la_reponse_est_la_meme(client, mailoutbox):
    UtilisateurFactory(email="alice@exemple.org")
    connue = _demander(client, "alice@exemple.org")
    inconnue = _demander(client, "intrus@exemple.org")
    assert (inconnue.status_code, inconnue["Location"]) == (connue.status_code, connue["Location"])
    assert [c.to for c in mailoutbox] == [["alice@exemple.org"]]
