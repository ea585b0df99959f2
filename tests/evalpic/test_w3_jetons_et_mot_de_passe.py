"""Les jetons d'API et la reprise d'un compte.

Un jeton se créait depuis n'importe quelle session, sans confirmer son identité (le courriel,
lui, la demande), et survivait au changement comme à la réinitialisation du mot de passe, qui
déconnectent pourtant les autres sessions : une session volée se donnait un accès à l'API qui
lui survivait. Créer un jeton demande maintenant une confirmation récente (allauth : mot de passe,
ou code de l'application pour qui a la double authentification, puis la demande est rejouée), et
un nouveau mot de passe — profil, lien de réinitialisation, administration — révoque les jetons
de sa personne, ce que sa liste de jetons dit.
"""

from __future__ import annotations

import re

import pytest
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from quartiers.jetons import creer_jeton, revoquer_jeton
from quartiers.models import JetonAPI, MotifRevocation
from tests.factories import MOT_DE_PASSE

pytestmark = pytest.mark.django_db

NOUVEAU = "un-tout-nouveau-mot-de-passe-2026"


def _api_repond(cle: str) -> int:
    return APIClient().get("/api/v1/quartiers/", HTTP_AUTHORIZATION=f"Bearer {cle}").status_code


def _creer(client, nom: str = "script"):
    return client.post(reverse("creer_jeton_api"), {"nom": nom})


# --- Créer un jeton demande une confirmation récente ---------------------------------------------


def test_une_session_seule_ne_cree_pas_de_jeton(client, alice):
    client.force_login(alice)  # une session (volée, laissée ouverte), sans confirmation récente
    reponse = _creer(client)
    assert reponse.status_code == 302
    assert reponse["Location"].startswith(reverse("account_reauthenticate"))
    assert not JetonAPI.objects.exists()


def test_le_mot_de_passe_redonne_cree_le_jeton_demande(client, alice):
    client.force_login(alice)
    suite = _creer(client, "Tableur de la table")["Location"]
    # La page de confirmation du site; la demande suspendue est rejouée après elle.
    assert client.get(suite).status_code == 200
    reponse = client.post(suite, {"password": MOT_DE_PASSE})
    assert reponse.status_code == 302
    assert reponse["Location"] == reverse("profil") + "#jetons"
    jeton = JetonAPI.objects.get(utilisateur=alice)
    assert jeton.nom == "Tableur de la table"
    profil = client.get(reverse("profil"))
    assert _api_repond(profil.context["cle"]) == 200
    # Dans les cinq minutes, un autre jeton se crée sans redemander.
    assert _creer(client, "autre")["Location"] == reverse("profil") + "#jetons"
    assert JetonAPI.objects.filter(utilisateur=alice).count() == 2


def test_un_mauvais_mot_de_passe_ne_cree_rien(client, alice):
    client.force_login(alice)
    suite = _creer(client)["Location"]
    assert client.post(suite, {"password": "pas le bon"}).status_code == 400
    assert not JetonAPI.objects.exists()


def test_la_double_authentification_confirme_par_un_code(client, alice):
    secret = generate_totp_secret()
    TOTP.activate(alice, secret)
    client.force_login(alice)
    suite = _creer(client)["Location"]
    assert suite.startswith(reverse("account_reauthenticate"))
    # L'autre moyen offert : le code de l'application, pour la même demande.
    code = format_hotp_value(hotp_value(secret, next(iter(yield_hotp_counters_from_time()))))
    reponse = client.post(
        reverse("mfa_reauthenticate") + "?next=" + reverse("creer_jeton_api"), {"code": code}
    )
    assert reponse.status_code == 302
    assert JetonAPI.objects.filter(utilisateur=alice, nom="script").exists()


def test_la_page_du_profil_le_dit(client, alice):
    client.force_login(alice)
    contenu = client.get(reverse("profil")).content.decode()
    assert "Créer un jeton demande de confirmer votre identité" in contenu
    assert "réinitialiser votre mot de passe révoque tous vos jetons" in contenu


# --- Un nouveau mot de passe révoque les jetons ----------------------------------------------------


@pytest.fixture
def jetons(alice, charlie):
    """Deux jetons actifs d'Alice, un déjà révoqué par elle, et celui de Charlie."""
    actifs = [creer_jeton(utilisateur=alice, nom=nom) for nom in ("tableur", "script")]
    ancien, _cle = creer_jeton(utilisateur=alice, nom="ancien")
    revoquer_jeton(jeton=ancien)
    ancien.refresh_from_db()
    autre = creer_jeton(utilisateur=charlie, nom="de Charlie")
    return {"actifs": actifs, "ancien": ancien, "autre": autre}


def _verifier_la_revocation(alice, jetons) -> None:
    for jeton, cle in jetons["actifs"]:
        jeton.refresh_from_db()
        assert jeton.revoque_le is not None
        assert jeton.motif_revocation == MotifRevocation.MOT_DE_PASSE
        assert _api_repond(cle) == 401
    # Le jeton déjà révoqué garde sa date et son motif (aucun); celui de Charlie répond encore.
    ancien = JetonAPI.objects.get(pk=jetons["ancien"].pk)
    assert (ancien.revoque_le, ancien.motif_revocation) == (jetons["ancien"].revoque_le, "")
    jeton_de_charlie, cle_de_charlie = jetons["autre"]
    jeton_de_charlie.refresh_from_db()
    assert jeton_de_charlie.revoque_le is None and _api_repond(cle_de_charlie) == 200


def test_changer_son_mot_de_passe_revoque_ses_jetons_et_le_profil_le_dit(client, alice, jetons):
    client.force_login(alice)
    client.post(reverse("account_reauthenticate"), {"password": MOT_DE_PASSE})
    reponse = client.post(
        reverse("account_change_password"),
        {"oldpassword": MOT_DE_PASSE, "password1": NOUVEAU, "password2": NOUVEAU},
    )
    assert reponse.status_code == 302, reponse.content.decode()[:2000]
    _verifier_la_revocation(alice, jetons)
    contenu = client.get(reverse("profil")).content.decode()
    assert len(re.findall(r"révoqué le [\d/.-]+ : votre mot de passe a changé", contenu)) == 2
    assert contenu.count("révoqué le") == 3  # et l'ancien, sans motif


def test_reinitialiser_son_mot_de_passe_revoque_ses_jetons(alice, jetons):
    navigateur = Client()
    navigateur.post(reverse("account_reset_password"), {"email": alice.email})
    lien = re.search(r"https?://[^/\s]+(/comptes/password/reset/key/\S+/)", mail.outbox[-1].body)
    formulaire = navigateur.get(lien.group(1), follow=True)
    assert formulaire.status_code == 200
    reponse = navigateur.post(
        formulaire.redirect_chain[-1][0] if formulaire.redirect_chain else lien.group(1),
        {"password1": NOUVEAU, "password2": NOUVEAU},
    )
    assert reponse.status_code == 302, reponse.content.decode()[:2000]
    alice.refresh_from_db()
    assert alice.check_password(NOUVEAU)
    _verifier_la_revocation(alice, jetons)


def test_l_administration_qui_change_le_mot_de_passe_revoque_les_jetons(client, ada, alice, jetons):
    client.force_login(ada)
    reponse = client.post(
        reverse("admin:auth_user_password_change", args=[alice.pk]),
        {"password1": NOUVEAU, "password2": NOUVEAU, "usable_password": "true"},
    )
    assert reponse.status_code == 302, reponse.content.decode()[:2000]
    _verifier_la_revocation(alice, jetons)


def test_la_mise_a_niveau_du_hachage_a_la_connexion_ne_revoque_rien(settings, alice, jetons):
    """Même mot de passe, haché autrement (Django le réécrit à la connexion) : rien ne change."""
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    type(alice).objects.filter(pk=alice.pk).update(
        password=make_password(MOT_DE_PASSE, hasher="md5")
    )
    navigateur = Client()
    reponse = navigateur.post(
        reverse("account_login"), {"login": alice.email, "password": MOT_DE_PASSE}
    )
    assert reponse.status_code == 302
    alice.refresh_from_db()
    assert alice.password.startswith("pbkdf2_")  # réécrit
    for _jeton, cle in jetons["actifs"]:
        assert _api_repond(cle) == 200


def test_modifier_son_profil_ne_revoque_rien(client, alice, jetons):
    client.force_login(alice)
    reponse = client.post(
        reverse("profil"), {"first_name": "Alicia", "last_name": "", "langue": "fr"}
    )
    assert reponse.status_code == 302
    for _jeton, cle in jetons["actifs"]:
        assert _api_repond(cle) == 200
