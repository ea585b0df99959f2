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
