"""Chaque formulaire construit ici : une mauvaise saisie reçoit un message à côté du champ,
un statut 4xx, et rien n'est enregistré."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _messages_de_champ(reponse, champ: str) -> list[str]:
    return list(reponse.context["form"].errors.get(champ, []))


# --- Connexion ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("donnees", "champ"),
    [
        ({"login": "", "password": ""}, "login"),
        ({"login": "pas-un-courriel", "password": "x"}, "login"),
        ({"login": "a" * 300 + "@exemple.org", "password": "x"}, "__all__"),
        ({"login": "alice@exemple.org", "password": ""}, "password"),
    ],
)
def test_la_connexion_refuse_une_saisie_invalide(client, alice, donnees, champ):
    reponse = client.post(reverse("account_login"), donnees)
    assert reponse.status_code == 400
    assert _messages_de_champ(reponse, champ)
    assert "_auth_user_id" not in client.session


def test_un_mauvais_mot_de_passe_donne_un_message_clair_et_400(client, alice):
    reponse = client.post(
        reverse("account_login"), {"login": "alice@exemple.org", "password": "faux"}
    )
    assert reponse.status_code == 400
    assert "mot de passe" in reponse.content.decode().lower()
    assert "_auth_user_id" not in client.session


def test_la_connexion_par_courriel_fonctionne(client, alice, mot_de_passe):
    reponse = client.post(
        reverse("account_login"), {"login": "ALICE@exemple.org", "password": mot_de_passe}
    )
    assert reponse.status_code == 302
    assert client.session["_auth_user_id"] == str(alice.pk)


def test_l_inscription_publique_est_fermee(client):
    reponse = client.post(
        reverse("account_signup"),
        {"email": "intrus@exemple.org", "password1": "Xx-123456789", "password2": "Xx-123456789"},
    )
    assert reponse.status_code in (403, 404) or "signup_closed" in reponse.templates[0].name
    from quartiers.models import Utilisateur

    assert not Utilisateur.objects.filter(email="intrus@exemple.org").exists()


# --- Mot de passe ---------------------------------------------------------------------------


@pytest.mark.parametrize("courriel", ["", "pas-un-courriel", "x" * 300 + "@exemple.org"])
def test_la_reinitialisation_refuse_un_courriel_invalide(client, mailoutbox, courriel):
    reponse = client.post(reverse("account_reset_password"), {"email": courriel})
    assert reponse.status_code == 400
    assert _messages_de_champ(reponse, "email")
    assert mailoutbox == []


def test_la_reinitialisation_envoie_un_courriel(client, alice, mailoutbox):
    reponse = client.post(reverse("account_reset_password"), {"email": "alice@exemple.org"})
    assert reponse.status_code == 302
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["alice@exemple.org"]


def test_le_changement_de_mot_de_passe_refuse_l_ancien_mot_de_passe_faux(client, alice):
    client.force_login(alice)
    reponse = client.post(
        reverse("account_change_password"),
        {"oldpassword": "faux", "password1": "Nouveau-mdp-42", "password2": "Nouveau-mdp-42"},
    )
    assert reponse.status_code == 400
    alice.refresh_from_db()
    assert not alice.check_password("Nouveau-mdp-42")


# --- Profil ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("donnees", "champ"),
    [
        ({"first_name": "A" * 151, "last_name": "B", "langue": "fr"}, "first_name"),
        ({"first_name": "A", "last_name": "B" * 151, "langue": "fr"}, "last_name"),
        ({"first_name": "A", "last_name": "B", "langue": "klingon"}, "langue"),
        ({"first_name": "A", "last_name": "B", "langue": ""}, "langue"),
    ],
)
def test_le_profil_refuse_une_saisie_invalide_sans_rien_enregistrer(client, alice, donnees, champ):
    avant = (alice.first_name, alice.last_name, alice.langue)
    client.force_login(alice)
    reponse = client.post(reverse("profil"), donnees)
    assert reponse.status_code == 400
    assert _messages_de_champ(reponse, champ)
    # Les valeurs saisies restent dans le formulaire réaffiché.
    assert reponse.context["form"].data["last_name"] == donnees["last_name"]
    alice.refresh_from_db()
    assert (alice.first_name, alice.last_name, alice.langue) == avant


def test_le_profil_enregistre_et_pose_la_langue(client, alice):
    client.force_login(alice)
    reponse = client.post(
        reverse("profil"), {"first_name": "Alice", "last_name": "Tremblay", "langue": "en"}
    )
    assert reponse.status_code == 302
    alice.refresh_from_db()
    assert (alice.last_name, alice.langue) == ("Tremblay", "en")
    assert reponse.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


# --- Langue ---------------------------------------------------------------------------------


@pytest.mark.parametrize("langue", ["", "de", "x" * 500])
def test_une_langue_inconnue_recoit_400(client, langue):
    reponse = client.post(reverse("changer_langue"), {"langue": langue, "suivant": "/"})
    assert reponse.status_code == 400
    assert settings.LANGUAGE_COOKIE_NAME not in reponse.cookies


def test_le_changement_de_langue_refuse_une_redirection_externe(client):
    reponse = client.post(
        reverse("changer_langue"), {"langue": "en", "suivant": "https://ailleurs.example/"}
    )
    assert reponse.status_code == 302
    assert reponse["Location"] == reverse("accueil")


def test_le_changement_de_langue_est_retenu_pour_la_personne(client, alice):
    client.force_login(alice)
    client.post(reverse("changer_langue"), {"langue": "en", "suivant": "/profil/"})
    alice.refresh_from_db()
    assert alice.langue == "en"


def test_le_changement_de_langue_exige_post(client):
    assert client.get(reverse("changer_langue")).status_code == 405
