"""La connexion a son propre message d'erreur (elle n'enregistre rien et un refus ne signale
aucun champ), un seul lien « Mot de passe oublié ? »; les pages de réinitialisation du mot de
passe sont celles du site (carte, champs du site, sans validation du navigateur) et parlent de
« courriel », en français comme en anglais."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

MESSAGE_DES_FORMULAIRES = "rien n'a été enregistré"


def _en_anglais(client) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def test_un_refus_de_connexion_a_son_propre_message(client, alice):
    reponse = client.post(
        reverse("account_login"), {"login": "alice@exemple.org", "password": "faux"}
    )
    contenu = reponse.content.decode()
    assert reponse.status_code == 400
    assert "Connexion refusée." in contenu
    assert "Ce courriel et ce mot de passe ne correspondent à aucun compte" in contenu
    assert MESSAGE_DES_FORMULAIRES not in contenu and "signalés" not in contenu
    alerte = contenu.split('role="alert"', 1)[1].split("</div>", 1)[0]
    assert "e-mail" not in alerte.lower()


def test_une_connexion_incomplete_renvoie_aux_champs_signales(client, alice):
    reponse = client.post(reverse("account_login"), {"login": "", "password": ""})
    contenu = reponse.content.decode()
    assert reponse.status_code == 400
    assert "Pour vous connecter, remplissez les champs signalés." in contenu
    assert MESSAGE_DES_FORMULAIRES not in contenu


def test_la_page_de_connexion_n_a_qu_un_lien_mot_de_passe_oublie(client):
    contenu = client.get(reverse("account_login")).content.decode()
    assert contenu.count(f'href="{reverse("account_reset_password")}"') == 1
    assert contenu.count("Mot de passe oublié ?") == 1
    # La case « rester connecté·e » : la case puis son libellé, sur une ligne.
    assert re.search(
        r'<div class="champ case-a-cocher">\s*<input type="checkbox" name="remember" id="id_remember">'
        r'\s*<label for="id_remember">Rester connecté·e sur cet appareil</label>',
        contenu,
    )


def _page_du_site(contenu: str) -> None:
    assert 'class="carte carte--etroite"' in contenu
    assert 'class="entete"' in contenu  # l'en-tête du site (base.html)


@pytest.mark.parametrize("langue", ["fr", "en"])
def test_la_demande_de_reinitialisation_est_une_page_du_site(client, langue):
    if langue == "en":
        _en_anglais(client)
    contenu = client.get(reverse("account_reset_password")).content.decode()
    _page_du_site(contenu)
    assert f'<html lang="{langue}">' in contenu
    assert re.search(r'<form method="post" action="[^"]+" novalidate class="formulaire">', contenu)
    assert '<div class="champ">' in contenu and 'id="id_email"' in contenu
    assert "Reset My Password" not in contenu and "e-mail" not in contenu.lower()
    if langue == "fr":
        assert "<title>Réinitialisation de votre mot de passe · ÉvalPIC</title>" in contenu
        assert "Entrez le courriel de votre compte ÉvalPIC" in contenu
    else:
        assert "<title>Reset your password · ÉvalPIC</title>" in contenu


def test_un_courriel_invalide_est_signale_a_cote_du_champ(client):
    reponse = client.post(reverse("account_reset_password"), {"email": "pas-un-courriel"})
    assert reponse.status_code == 400
    assert '<div class="champ champ--erreur">' in reponse.content.decode()


@pytest.mark.parametrize("langue", ["fr", "en"])
def test_tout_le_parcours_de_reinitialisation_est_dans_le_site(client, alice, mailoutbox, langue):
    if langue == "en":
        _en_anglais(client)
    reponse = client.post(
        reverse("account_reset_password"), {"email": "alice@exemple.org"}, follow=True
    )
    _page_du_site(reponse.content.decode())
    if langue == "fr":
        assert "Si ce courriel est celui d'un compte ÉvalPIC" in reponse.content.decode()

    lien = re.search(r"https?://\S+/password/reset/key/\S+", mailoutbox[0].body)[0]
    reponse = client.get(lien, follow=True)
    contenu = reponse.content.decode()
    _page_du_site(contenu)
    assert 'novalidate class="formulaire"' in contenu and 'id="id_password1"' in contenu
    if langue == "fr":
        assert "Choisir un nouveau mot de passe" in contenu

    nouveau = "Un-nouveau-mot-de-passe-2026"
    reponse = client.post(
        reponse.redirect_chain[-1][0] if reponse.redirect_chain else lien,
        {"password1": nouveau, "password2": nouveau},
        follow=True,
    )
    _page_du_site(reponse.content.decode())
    if langue == "fr":
        assert "Votre nouveau mot de passe est enregistré." in reponse.content.decode()
    alice.refresh_from_db()
    assert alice.check_password(nouveau)


def test_un_lien_de_reinitialisation_perime_le_dit_dans_le_site(client, alice):
    reponse = client.get(
        reverse("account_reset_password_from_key", kwargs={"uidb36": "1", "key": "perime"}),
        follow=True,
    )
    contenu = reponse.content.decode()
    _page_du_site(contenu)
    assert "Lien expiré ou déjà utilisé" in contenu
    assert f'href="{reverse("account_reset_password")}"' in contenu


@pytest.mark.parametrize("langue", ["fr", "en"])
def test_changer_son_mot_de_passe_est_une_page_du_site(client, alice, mot_de_passe, langue):
    if langue == "en":
        _en_anglais(client)
    client.force_login(alice)
    contenu = client.get(reverse("account_change_password")).content.decode()
    _page_du_site(contenu)
    assert 'novalidate class="formulaire"' in contenu
    # L'aide du nouveau mot de passe (une liste) est entière dans l'élément que le champ cite.
    assert re.search(r'<div class="aide" id="id_password1_helptext"><ul>', contenu)
    assert 'aria-describedby="id_password1_helptext"' in contenu
    nouveau = "Un-nouveau-mot-de-passe-2026"
    reponse = client.post(
        reverse("account_change_password"),
        {"oldpassword": mot_de_passe, "password1": nouveau, "password2": nouveau},
    )
    assert reponse.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password(nouveau)
