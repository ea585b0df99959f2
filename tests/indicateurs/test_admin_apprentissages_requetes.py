"""La liste des apprentissages de l'administration coûte autant de requêtes avec dix fois plus
de lignes. L'auteur·e, facultatif (null=True), n'était pas lu avec eux par le select_related
automatique de Django : une requête par ligne (46 requêtes pour 40 lignes)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicateurs.models import Apprentissage
from tests.factories import QuartierFactory, UtilisateurFactory, periode_du_trimestre

pytestmark = pytest.mark.django_db


def _requetes(client, adresse: str) -> int:
    client.get(adresse)  # le type de contenu et ce qui se met en cache, une fois
    with CaptureQueriesContext(connection) as requetes:
        assert client.get(adresse).status_code == 200
    return len(requetes)


def _apprentissages(nombre: int) -> None:
    periode = periode_du_trimestre(2024, 1)
    Apprentissage.objects.bulk_create(
        Apprentissage(
            quartier=QuartierFactory(),
            periode=periode,
            categorie="defis",
            texte_fr=f"Appris {rang}",
            auteur=UtilisateurFactory(),
        )
        for rang in range(nombre)
    )


def test_la_liste_des_apprentissages_et_leurs_auteurs(client, ada):
    client.force_login(ada)
    adresse = reverse("admin:indicateurs_apprentissage_changelist")
    _apprentissages(4)
    petit = _requetes(client, adresse)
    _apprentissages(36)
    assert _requetes(client, adresse) == petit
