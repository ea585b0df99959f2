"""Des bilans produits dans un répertoire de fichiers temporaire."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _fichiers_temporaires(fichiers_temporaires):
    """Chaque test écrit ses fichiers dans un dossier temporaire (tests/conftest.py)."""
