"""Des bilans produits dans un répertoire de fichiers temporaire."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def fichiers_temporaires(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
