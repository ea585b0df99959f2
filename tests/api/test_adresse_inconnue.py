"""Une adresse de l'API qui n'existe pas (`evalpic.api.commun.RessourceIntrouvable`) passe par
l'authentification de l'API comme une vraie ressource : sans jeton valide, la même réponse
qu'une vraie ressource (401, ou 403 pour une session sans jeton CSRF); sinon un 404 en JSON,
dans la langue de la requête, quelle que soit la méthode. Jamais d'erreur serveur."""

from __future__ import annotations

import pytest
from django.conf import settings
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from quartiers.jetons import creer_jeton, revoquer_jeton

pytestmark = pytest.mark.django_db

INCONNUE = "/api/v1/inexistant/"
VRAIE = "/api/v1/periodes/"  # une vraie ressource, ouverte à toute personne authentifiée
INTROUVABLE = {"fr": "Ressource introuvable.", "en": "Resource not found."}
METHODES = ("get", "post", "put", "patch", "delete", "options")


def _client(alice, identite: str) -> APIClient:
    client = APIClient()
    if identite == "jeton":
        client.credentials(
            HTTP_AUTHORIZATION=f"Bearer {creer_jeton(utilisateur=alice, nom='t')[1]}"
        )
    elif identite == "jeton révoqué":
        jeton, cle = creer_jeton(utilisateur=alice, nom="t")
        revoquer_jeton(jeton=jeton)
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {cle}")
    elif identite == "jeton inconnu":
        client.credentials(HTTP_AUTHORIZATION="Bearer evp_inconnu")
    elif identite == "jeton mal formé":
        client.credentials(HTTP_AUTHORIZATION="Bearer deux morceaux")
    elif identite == "jeton non ASCII":
        client.credentials(HTTP_AUTHORIZATION="Bearer évp_é")
    elif identite == "session":
        client.force_login(alice)
    return client


def _forme(reponse) -> tuple:
    return (
        reponse.status_code,
        reponse["Content-Type"],
        reponse.json(),
        reponse.get("WWW-Authenticate"),
        reponse["Content-Language"],
    )


@pytest.mark.parametrize("langue", ["fr", "en"])
@pytest.mark.parametrize(
    "identite",
    ["anonyme", "jeton révoqué", "jeton inconnu", "jeton mal formé", "jeton non ASCII"],
)
def test_sans_jeton_valide_la_meme_reponse_qu_une_vraie_ressource(alice, identite, langue):
    client = _client(alice, identite)
    for methode in METHODES:
        vraie = getattr(client, methode)(VRAIE, HTTP_ACCEPT_LANGUAGE=langue)
        inconnue = getattr(client, methode)(INCONNUE, HTTP_ACCEPT_LANGUAGE=langue)
        assert vraie.status_code == 401, (methode, vraie.content)
        assert _forme(inconnue) == _forme(vraie), methode
        assert inconnue["Content-Language"] == langue
        assert inconnue["WWW-Authenticate"] == 'Bearer realm="api"'


@pytest.mark.parametrize("identite", ["jeton", "session"])
@pytest.mark.parametrize("langue", ["fr", "en"])
def test_authentifie_un_404_en_json_pour_toute_methode(alice, identite, langue):
    client = _client(alice, identite)
    assert client.get(VRAIE).status_code == 200
    for methode in METHODES:
        reponse = getattr(client, methode)(INCONNUE, HTTP_ACCEPT_LANGUAGE=langue)
        assert reponse.status_code == 404, (methode, reponse.content)
        assert reponse["Content-Type"] == "application/json"
        assert reponse.json() == {"detail": INTROUVABLE[langue]}
    assert client.head(INCONNUE).status_code == 404


def test_un_jeton_donne_la_langue_de_sa_personne(alice):
    alice.langue = "en"
    alice.save(update_fields=["langue"])
    reponse = _client(alice, "jeton").delete(INCONNUE)
    assert reponse.status_code == 404
    assert reponse.json() == {"detail": INTROUVABLE["en"]}
    assert reponse["Content-Language"] == "en"


def test_le_temoin_de_langue_l_emporte_pour_une_session(alice):
    client = _client(alice, "session")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert client.get(INCONNUE).json() == {"detail": INTROUVABLE["en"]}


def test_une_session_sans_jeton_csrf_est_refusee_comme_sur_une_vraie_ressource(alice):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(alice)
    vraie, inconnue = client.post(VRAIE), client.post(INCONNUE)
    assert vraie.status_code == 403
    assert _forme(inconnue) == _forme(vraie)
    # Une lecture n'a pas besoin du jeton CSRF.
    assert client.get(INCONNUE).status_code == 404


@pytest.mark.parametrize(
    "entetes",
    [{"HTTP_ACCEPT": "text/html,application/xhtml+xml"}, {"QUERY_STRING": "format=csv"}],
    ids=["navigateur", "csv"],
)
def test_toujours_du_json(alice, entetes):
    anonyme = APIClient().get(INCONNUE, **entetes)
    assert anonyme.status_code == 401
    assert anonyme["Content-Type"] == "application/json"
    reponse = _client(alice, "jeton").get(INCONNUE, **entetes)
    assert reponse.status_code == 404
    assert reponse["Content-Type"] == "application/json"
    assert reponse.json() == {"detail": INTROUVABLE["fr"]}


@pytest.mark.parametrize(
    "chemin", ["/api/", "/api/v2/quartiers/", "/api/v1/quartiers/pas%20un%20slug/"]
)
def test_toute_adresse_inconnue_sous_api(alice, chemin):
    assert APIClient().get(chemin).status_code == 401
    assert _client(alice, "jeton").get(chemin).json() == {"detail": INTROUVABLE["fr"]}


def test_l_adresse_inconnue_n_est_pas_dans_le_schema():
    chemins = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    assert chemins and all(chemin.startswith("/api/v1/") for chemin in chemins)
