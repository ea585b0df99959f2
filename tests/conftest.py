"""Personas partagés par toute la suite (à la manière de healthchecks) :

- Alice coordonne la table du quartier A;
- Bob, conseiller Centraide, accompagne le quartier A;
- Charlie coordonne la table du quartier B et ne doit rien voir de A;
- Ève évalue pour Dynamo (tous les quartiers);
- Ada administre la plateforme.
"""

from __future__ import annotations

import os

import pytest

from quartiers.models import RoleGlobal
from tests.factories import (
    MOT_DE_PASSE,
    AffectationFactory,
    QuartierFactory,
    UtilisateurFactory,
)

# Le serveur de test de Playwright (live_server) tourne dans un fil; Django refuse l'ORM
# depuis un contexte asynchrone sans ce réglage, propre aux tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def mot_de_passe() -> str:
    return MOT_DE_PASSE


@pytest.fixture
def quartier_a(db):
    return QuartierFactory(nom="Quartier A", slug="quartier-a")


@pytest.fixture
def quartier_b(db):
    return QuartierFactory(nom="Quartier B", slug="quartier-b")


@pytest.fixture
def alice(quartier_a):
    utilisateur = UtilisateurFactory(email="alice@exemple.org", first_name="Alice")
    AffectationFactory(utilisateur=utilisateur, quartier=quartier_a, role="coordonnateur")
    return utilisateur


@pytest.fixture
def bob(quartier_a):
    utilisateur = UtilisateurFactory(email="bob@exemple.org", first_name="Bob")
    AffectationFactory(utilisateur=utilisateur, quartier=quartier_a, role="conseiller")
    return utilisateur


@pytest.fixture
def charlie(quartier_b):
    utilisateur = UtilisateurFactory(email="charlie@exemple.org", first_name="Charlie")
    AffectationFactory(utilisateur=utilisateur, quartier=quartier_b, role="coordonnateur")
    return utilisateur


@pytest.fixture
def eve(db):
    return UtilisateurFactory(
        email="eve@exemple.org", first_name="Ève", role_global=RoleGlobal.EVALUATEUR
    )


@pytest.fixture
def ada(db):
    return UtilisateurFactory(
        email="ada@exemple.org",
        first_name="Ada",
        role_global=RoleGlobal.ADMIN,
        is_staff=True,
        is_superuser=True,
    )


@pytest.fixture
def personas(alice, bob, charlie, eve, ada) -> dict:
    return {"alice": alice, "bob": bob, "charlie": charlie, "eve": eve, "ada": ada}


@pytest.fixture(autouse=True)
def hachage_rapide(settings):
    """Des mots de passe hachés en MD5 dans les tests : PBKDF2 coûte des secondes par persona."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def cache_neuf():
    """Les limites de débit (connexions échouées, API) comptent dans le cache, partagé par tout
    le processus de test : chaque test part d'un cache vide, sans hériter des échecs d'un autre."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def fichiers_temporaires(settings, tmp_path):
    """Les fichiers (bilans) écrits dans un dossier temporaire du test, pas dans `media/`."""
    dossier = tmp_path / "media"
    settings.MEDIA_ROOT = dossier
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(dossier)},
        },
    }
    return dossier
