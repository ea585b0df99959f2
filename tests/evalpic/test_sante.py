"""`/sante/` dit l'état de chaque dépendance sans jamais planter."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db.utils import OperationalError

pytestmark = pytest.mark.django_db

BROKER_MORT = "redis://127.0.0.1:1/0"  # aucun service n'écoute sur le port 1


def test_en_mode_embarque_tout_est_ok(client, settings):
    settings.CELERY_BROKER_URL = ""
    corps = client.get("/sante/").json()
    assert corps["database"] == "ok"
    assert corps["broker"] == "ok"
    assert corps["worker"] == "ok"


def test_un_broker_injoignable_est_signale_et_la_page_reste_200(client, settings):
    from evalpic.celery import app

    settings.CELERY_BROKER_URL = BROKER_MORT
    ancien = app.conf.broker_url
    app.conf.broker_url = BROKER_MORT
    try:
        reponse = client.get("/sante/")
    finally:
        app.conf.broker_url = ancien
    assert reponse.status_code == 200
    corps = reponse.json()
    assert corps["database"] == "ok"
    assert corps["broker"] == "not ok"
    assert corps["worker"] == "not ok"


def test_une_base_injoignable_repond_503(client):
    with mock.patch("evalpic.sante.connection.cursor", side_effect=OperationalError("panne")):
        reponse = client.get("/sante/")
    assert reponse.status_code == 503
    assert reponse.json()["database"] == "not ok"


def test_la_sante_refuse_les_ecritures(client):
    assert client.post("/sante/").status_code == 405


def test_chaque_processus_de_worker_charge_les_adresses_des_deux_langues(monkeypatch):
    from django.urls import get_resolver

    from evalpic.celery import _preparer_les_adresses

    resolveur = get_resolver()
    monkeypatch.setattr(resolveur, "_reverse_dict", {})  # un processus neuf
    _preparer_les_adresses()
    assert {"fr", "en"} <= set(resolveur._reverse_dict)


# --- La sonde de compose : ni le nom d'hôte ni la redirection HTTPS ne l'arrêtent ---------------


@pytest.fixture
def production(settings):
    """Les réglages d'un .env de production : le seul vrai nom d'hôte, la redirection HTTPS."""
    settings.CELERY_BROKER_URL = ""
    settings.ALLOWED_HOSTS = ["evalpic.example.org"]
    settings.SECURE_SSL_REDIRECT = True
    return settings


@pytest.mark.parametrize(
    "hotes",
    [["evalpic.example.org"], ["evalpic.example.org", "127.0.0.1"]],
    ids=["seul-le-vrai-nom", "avec-127.0.0.1"],
)
def test_sante_repond_a_la_sonde_de_compose_en_production(client, production, hotes):
    """La sonde appelle http://127.0.0.1:8000/sante/ : avant, 400 (DisallowedHost) avec le seul
    vrai nom d'hôte dans DJANGO_ALLOWED_HOSTS, et 301 vers https même avec 127.0.0.1."""
    production.ALLOWED_HOSTS = hotes
    reponse = client.get("/sante/", HTTP_HOST="127.0.0.1:8000")
    assert reponse.status_code == 200
    assert reponse.json()["database"] == "ok"
    assert reponse["X-Content-Type-Options"] == "nosniff"  # SecurityMiddleware est passé


def test_le_reste_du_site_valide_toujours_l_hote_et_redirige(client, production):
    assert client.get("/", HTTP_HOST="127.0.0.1:8000").status_code == 400
    assert client.get("/sante/x", HTTP_HOST="127.0.0.1:8000").status_code == 400
    redirection = client.get("/", HTTP_HOST="evalpic.example.org")
    assert redirection.status_code == 301
    assert redirection["Location"] == "https://evalpic.example.org/"


def test_sante_refuse_toujours_les_ecritures_en_production(client, production):
    assert client.post("/sante/", HTTP_HOST="127.0.0.1:8000").status_code == 405


# --- Le ping des workers : court, et gardé quelques secondes ------------------------------------


@pytest.fixture
def broker_factice(settings):
    """Un broker « joignable » sans Redis : seul le ping des workers est en jeu."""
    from django.core.cache import cache

    settings.CELERY_BROKER_URL = "redis://broker.invalid:6379/0"
    cache.delete("evalpic:sante:worker")
    with mock.patch("evalpic.sante._verifier_broker", return_value=("ok", "redis")):
        yield
    cache.delete("evalpic:sante:worker")


def test_le_ping_s_arrete_a_la_premiere_reponse(client, broker_factice):
    """Sans `limit`, le ping attend toujours sa seconde entière, même quand un worker répond."""
    with mock.patch("evalpic.sante.celery_app.control.ping", return_value=[{"w": "pong"}]) as ping:
        corps = client.get("/sante/").json()
    assert corps["worker"] == "ok"
    ping.assert_called_once()
    assert ping.call_args.kwargs["limit"] == 1
    assert ping.call_args.kwargs["timeout"] <= 1


def test_le_verdict_du_ping_est_garde_dix_secondes(client, broker_factice):
    """Des appels anonymes répétés sans worker ne coûtent plus une seconde de gunicorn chacun."""
    with mock.patch("evalpic.sante.celery_app.control.ping", return_value=[]) as ping:
        for _ in range(5):
            assert client.get("/sante/").json()["worker"] == "not ok"
    assert ping.call_count == 1

    from evalpic.sante import DUREE_DU_PING

    assert 0 < DUREE_DU_PING <= 10
    # Passé ce délai (le cache oublie), le ping suivant repart.
    from django.core.cache import cache

    cache.delete("evalpic:sante:worker")
    with mock.patch("evalpic.sante.celery_app.control.ping", return_value=[{"w": "pong"}]):
        assert client.get("/sante/").json()["worker"] == "ok"


def test_un_broker_injoignable_ne_lit_pas_un_vieux_verdict(client, settings):
    """Le verdict gardé ne vaut que si le broker répond : sinon « not ok » tout de suite."""
    from django.core.cache import cache

    settings.CELERY_BROKER_URL = BROKER_MORT
    cache.set("evalpic:sante:worker", ("ok", "un worker a répondu"), 10)
    try:
        with mock.patch("evalpic.sante._verifier_broker", return_value=("not ok", "Erreur")):
            corps = client.get("/sante/").json()
    finally:
        cache.delete("evalpic:sante:worker")
    assert (corps["broker"], corps["worker"]) == ("not ok", "not ok")
