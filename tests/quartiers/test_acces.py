"""La matrice d'accès : le sélecteur unique, puis chaque page pour chaque rôle."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from quartiers.acces import Droit, a_le_droit, peut_generer_bilan_pic, quartiers_accessibles
from tests.factories import AffectationFactory, UtilisateurFactory

pytestmark = pytest.mark.django_db

# Droit → personas qui l'ont sur le quartier A (Charlie n'a jamais rien sur A).
ATTENDU_SUR_A = {
    Droit.VOIR: {"alice", "bob", "eve", "ada"},
    Droit.SAISIR: {"alice", "ada"},
    Droit.VALIDER: {"eve", "ada"},
    Droit.COMMENTER: {"alice", "bob", "eve", "ada"},
    Droit.GENERER_BILAN: {"alice", "bob", "eve", "ada"},
    Droit.GERER_CATALOGUE: {"alice", "eve", "ada"},
}


@pytest.mark.parametrize("droit", list(Droit))
def test_le_selecteur_applique_la_matrice_des_roles(personas, quartier_a, droit):
    ont_le_droit = {nom for nom, p in personas.items() if a_le_droit(p, droit, quartier_a)}
    assert ont_le_droit == ATTENDU_SUR_A[droit]


def test_charlie_ne_voit_que_son_quartier(charlie, quartier_a, quartier_b):
    assert list(quartiers_accessibles(charlie)) == [quartier_b]


def test_eve_voit_tous_les_quartiers(eve, quartier_a, quartier_b):
    assert set(quartiers_accessibles(eve)) == {quartier_a, quartier_b}


def test_une_affectation_terminee_ne_donne_plus_acces(quartier_a):
    ancienne = UtilisateurFactory()
    AffectationFactory(
        utilisateur=ancienne,
        quartier=quartier_a,
        debut=datetime.date(2019, 1, 1),
        fin=datetime.date(2020, 1, 1),
    )
    assert not quartiers_accessibles(ancienne).exists()


def test_un_compte_desactive_ne_voit_rien(alice):
    alice.is_active = False
    assert not quartiers_accessibles(alice).exists()


def test_seuls_evaluation_et_administration_generent_le_bilan_pic(personas):
    autorises = {nom for nom, p in personas.items() if peut_generer_bilan_pic(p)}
    assert autorises == {"eve", "ada"}


# --- Pages ----------------------------------------------------------------------------------

PAGE_A = ("quartier_detail", {"slug": "quartier-a"})
PAGE_B = ("quartier_detail", {"slug": "quartier-b"})
PAGES_PERSONNELLES = [("accueil", {}), ("profil", {}), ("mfa_index", {})]


@pytest.mark.parametrize(
    ("persona", "page", "statut"),
    [
        ("alice", PAGE_A, 200),
        ("alice", PAGE_B, 404),
        ("bob", PAGE_A, 200),
        ("bob", PAGE_B, 404),
        ("charlie", PAGE_A, 404),
        ("charlie", PAGE_B, 200),
        ("eve", PAGE_A, 200),
        ("eve", PAGE_B, 200),
        ("ada", PAGE_A, 200),
        ("ada", PAGE_B, 200),
    ],
)
def test_matrice_des_pages_de_quartier(client, personas, quartier_b, persona, page, statut):
    client.force_login(personas[persona])
    nom, kwargs = page
    assert client.get(reverse(nom, kwargs=kwargs)).status_code == statut


def test_charlie_recoit_404_sur_le_quartier_a_comme_sur_un_quartier_inexistant(client, charlie):
    client.force_login(charlie)
    assert client.get(reverse(*PAGE_A[:1], kwargs=PAGE_A[1])).status_code == 404
    url_inconnue = reverse("quartier_detail", kwargs={"slug": "n-existe-pas"})
    assert client.get(url_inconnue).status_code == 404


@pytest.mark.parametrize("page", [*PAGES_PERSONNELLES, PAGE_A, PAGE_B])
def test_anonyme_est_renvoye_a_la_connexion(client, quartier_a, quartier_b, page):
    nom, kwargs = page
    url = reverse(nom, kwargs=kwargs)
    reponse = client.get(url)
    assert reponse.status_code == 302
    assert reponse["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("persona", ["alice", "bob", "charlie", "eve", "ada"])
@pytest.mark.parametrize("page", PAGES_PERSONNELLES)
def test_chacun_ouvre_ses_pages_personnelles(client, personas, persona, page):
    client.force_login(personas[persona])
    nom, kwargs = page
    assert client.get(reverse(nom, kwargs=kwargs)).status_code == 200


def test_l_accueil_ne_liste_que_les_quartiers_accessibles(client, charlie, quartier_a):
    client.force_login(charlie)
    contenu = client.get(reverse("accueil")).content.decode()
    assert "Quartier B" in contenu
    assert "Quartier A" not in contenu


def test_l_administration_est_reservee_au_personnel(client, alice, ada):
    client.force_login(alice)
    assert client.get("/admin/").status_code == 302
    client.force_login(ada)
    assert client.get("/admin/").status_code == 200
