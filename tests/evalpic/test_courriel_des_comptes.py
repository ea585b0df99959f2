"""Les pages des comptes (allauth) parlent de « courriel », comme le reste du site : le champ de
connexion (libellé et texte indicatif, « Adresse e-mail » chez allauth) et le message d'une
adresse mal formée (« Saisissez une adresse e-mail valide. » chez Django), à la connexion comme
à la réinitialisation du mot de passe; en anglais, « Email »."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

MESSAGES = {
    "fr": "Saisissez une adresse courriel valide.",
    "en": "Enter a valid email address.",
}


def _dans_la_langue(client, langue: str) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = langue


def _champ(contenu: str, nom: str) -> str:
    (champ,) = re.findall(
        rf'<div class="champ[^"]*">\s*<label for="id_{nom}">.*?</div>', contenu, re.S
    )
    return champ


@pytest.mark.parametrize(("langue", "mot"), [("fr", "Courriel"), ("en", "Email")])
def test_le_champ_de_connexion_dit_courriel(client, langue, mot):
    _dans_la_langue(client, langue)
    champ = _champ(client.get(reverse("account_login")).content.decode(), "login")
    assert f'<label for="id_login">{mot} <span class="requis"' in champ
    assert f'placeholder="{mot}"' in champ
    assert "e-mail" not in champ.lower() and "Email address" not in champ


@pytest.mark.parametrize("langue", ["fr", "en"])
@pytest.mark.parametrize(
    ("page", "donnees", "champ"),
    [
        ("account_login", {"login": "pas-un-courriel", "password": "x"}, "login"),
        ("account_reset_password", {"email": "pas-un-courriel"}, "email"),
    ],
)
def test_un_courriel_mal_forme_a_le_message_du_site(client, langue, page, donnees, champ):
    _dans_la_langue(client, langue)
    reponse = client.post(reverse(page), donnees)
    assert reponse.status_code == 400
    ecrit = _champ(reponse.content.decode(), champ)
    assert re.findall(r"<li>(.*?)</li>", ecrit) == [MESSAGES[langue]]
    assert "e-mail" not in ecrit.lower()


@pytest.mark.parametrize(
    ("page", "connecte"),
    [
        ("account_login", False),
        ("account_reset_password", False),
        ("account_reset_password_done", False),
        ("account_reset_password_from_key_done", False),
        ("account_change_password", True),
    ],
)
def test_aucune_page_des_comptes_ne_dit_e_mail(client, alice, page, connecte):
    """Les pages d'allauth que le site réécrit (templates/account/), en français."""
    if connecte:
        client.force_login(alice)
    reponse = client.get(reverse(page))
    assert reponse.status_code == 200
    assert "e-mail" not in reponse.content.decode().lower()


@pytest.mark.parametrize("vue", ["add", "change"])
def test_l_administration_des_comptes_dit_aussi_courriel(client, ada, vue):
    client.force_login(ada)
    args = [ada.pk] if vue == "change" else []
    reponse = client.post(
        reverse(f"admin:quartiers_utilisateur_{vue}", args=args),
        {"email": "pas-un-courriel", "password1": "x", "password2": "x", "role_global": "admin"},
    )
    erreurs = reponse.context["adminform"].form.errors
    assert erreurs["email"] == [MESSAGES["fr"]]
    ada.refresh_from_db()
    assert ada.email == "ada@exemple.org"
