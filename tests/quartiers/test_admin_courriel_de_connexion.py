"""Le courriel de connexion changé par l'administration remplace l'ancien partout où allauth le
cherche. Avant : seul `Utilisateur.email` changeait; la ligne `EmailAddress` de l'ancienne
adresse restait, et l'ancienne boîte (une boîte partagée de la table, reprise par un successeur)
ouvrait encore le compte et en recevait le lien de réinitialisation du mot de passe : prise de
contrôle du compte (quartiers.comptes.aligner_les_courriels)."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils.http import int_to_base36

from quartiers.models import Utilisateur
from tests.factories import MOT_DE_PASSE

pytestmark = pytest.mark.django_db

DEJA_UTILISE = "Un compte utilise déjà ce courriel (majuscules et minuscules confondues)."
NOUVEAU = "alice@nouvel-organisme.org"


def _fiche(personne, **champs) -> dict:
    return {
        "email": personne.email,
        "first_name": personne.first_name,
        "last_name": personne.last_name,
        "langue": "fr",
        "role_global": personne.role_global,
        "is_active": "on",
        "date_joined_0": "2025-01-01",
        "date_joined_1": "10:00:00",
        "affectations-TOTAL_FORMS": "0",
        "affectations-INITIAL_FORMS": "0",
        **champs,
    }


def _ajout(courriel: str) -> dict:
    return {
        "email": courriel,
        "password1": "Xy-tres-long-2026!",
        "password2": "Xy-tres-long-2026!",
        "usable_password": "true",
        "role_global": "",
        "affectations-TOTAL_FORMS": "0",
        "affectations-INITIAL_FORMS": "0",
    }


def _connexion(courriel: str, mot_de_passe: str = MOT_DE_PASSE) -> bool:
    reponse = Client().post("/comptes/login/", {"login": courriel, "password": mot_de_passe})
    return reponse.status_code == 302


def _courriels(personne) -> list[tuple[str, bool, bool]]:
    return list(
        EmailAddress.objects.filter(user=personne).values_list("email", "primary", "verified")
    )


@pytest.fixture
def alice_a_sa_page_des_courriels(alice):
    """Ouvrir sa page « Courriels » (ou demander une réinitialisation) crée la ligne allauth."""
    session = Client()
    session.force_login(alice)
    assert session.get("/comptes/email/").status_code == 200
    assert _courriels(alice) == [("alice@exemple.org", True, False)]
    return alice


def _changer_le_courriel(client, ada, personne, courriel):
    client.force_login(ada)
    adresse = reverse("admin:quartiers_utilisateur_change", args=[personne.pk])
    return client.post(adresse, _fiche(personne, email=courriel))


def test_l_ancien_courriel_n_ouvre_plus_le_compte(client, ada, alice_a_sa_page_des_courriels):
    alice = alice_a_sa_page_des_courriels
    assert _changer_le_courriel(client, ada, alice, NOUVEAU).status_code == 302
    assert _courriels(alice) == [(NOUVEAU, True, True)]
    assert not _connexion("alice@exemple.org")
    assert _connexion(NOUVEAU)
    mail.outbox.clear()
    Client().post("/comptes/password/reset/", {"email": "alice@exemple.org"})
    assert mail.outbox == []


def test_le_successeur_de_l_ancienne_boite_ne_recoit_que_son_propre_compte(
    client, ada, alice_a_sa_page_des_courriels
):
    alice = alice_a_sa_page_des_courriels
    _changer_le_courriel(client, ada, alice, NOUVEAU)
    reponse = client.post(reverse("admin:quartiers_utilisateur_add"), _ajout("alice@exemple.org"))
    assert reponse.status_code == 302
    successeur = Utilisateur.objects.get(email="alice@exemple.org")
    mail.outbox.clear()
    Client().post("/comptes/password/reset/", {"email": "alice@exemple.org"})
    assert len(mail.outbox) == 1  # avant : deux liens, dont un qui ouvrait le compte d'Alice
    lien = re.findall(r"http://testserver(\S+)", mail.outbox[0].body)[0]
    assert lien.startswith(f"/comptes/password/reset/key/{int_to_base36(successeur.pk)}-")


def test_un_courriel_de_la_page_courriels_d_un_autre_compte_est_refuse(client, ada, alice, bob):
    EmailAddress.objects.create(user=bob, email="bob.perso@exemple.net", verified=True)
    client.force_login(ada)
    ajout = client.post(reverse("admin:quartiers_utilisateur_add"), _ajout("Bob.Perso@exemple.net"))
    assert ajout.status_code == 200
    assert ajout.context["adminform"].form.errors["email"] == [DEJA_UTILISE]
    changement = _changer_le_courriel(client, ada, alice, "bob.perso@exemple.net")
    assert changement.status_code == 200
    assert changement.context["adminform"].form.errors["email"] == [DEJA_UTILISE]
    # La liste des comptes le retrouve, pour savoir lequel.
    liste = client.get(reverse("admin:quartiers_utilisateur_changelist"), {"q": "bob.perso"})
    assert list(liste.context["cl"].result_list) == [bob]


def test_un_compte_cree_par_l_administration_a_son_courriel_principal_et_verifie(client, ada):
    client.force_login(ada)
    client.post(reverse("admin:quartiers_utilisateur_add"), _ajout("Nouvelle@Exemple.org"))
    nouvelle = Utilisateur.objects.get(email__iexact="nouvelle@exemple.org")
    assert _courriels(nouvelle) == [("nouvelle@exemple.org", True, True)]


def test_changer_la_casse_seulement_garde_une_ligne(client, ada, alice_a_sa_page_des_courriels):
    alice = alice_a_sa_page_des_courriels
    assert _changer_le_courriel(client, ada, alice, "Alice@Exemple.org").status_code == 302
    assert _courriels(alice) == [("alice@exemple.org", True, True)]
    assert _connexion("alice@exemple.org")


def test_les_autres_champs_ne_touchent_pas_aux_courriels(
    client, ada, alice_a_sa_page_des_courriels
):
    alice = alice_a_sa_page_des_courriels
    EmailAddress.objects.create(user=alice, email="alice.perso@exemple.net", verified=True)
    client.force_login(ada)
    adresse = reverse("admin:quartiers_utilisateur_change", args=[alice.pk])
    assert client.post(adresse, _fiche(alice, first_name="Alicia")).status_code == 302
    assert len(_courriels(alice)) == 2


def test_les_courriels_des_comptes_ne_s_ajoutent_ni_ne_se_modifient_dans_l_admin(
    client, ada, alice_a_sa_page_des_courriels
):
    alice = alice_a_sa_page_des_courriels
    ligne = EmailAddress.objects.get(user=alice)
    client.force_login(ada)
    assert client.get(reverse("admin:account_emailaddress_add")).status_code == 403
    fiche = reverse("admin:account_emailaddress_change", args=[ligne.pk])
    assert client.get(fiche).status_code == 200  # consultable
    donnees = {"user": ada.pk, "email": "pris@exemple.org", "verified": "on", "primary": "on"}
    assert client.post(fiche, donnees).status_code == 403
    liste = client.get(reverse("admin:account_emailaddress_changelist"))
    actions = [nom for nom, _ in liste.context["action_form"].fields["action"].choices]
    assert "make_verified" not in actions
    ligne.refresh_from_db()
    assert (ligne.user, ligne.email) == (alice, "alice@exemple.org")
