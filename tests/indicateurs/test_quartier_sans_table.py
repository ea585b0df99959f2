"""Un quartier peut exister sans table de quartier (l'admin le permet) : ses pages de saisie et
d'import répondent 404 avec un message clair, jamais 500."""

from __future__ import annotations

import pytest
from django.http import Http404
from django.urls import reverse
from rest_framework.test import APIClient

from indicateurs import selectors
from tests.factories import QuartierFactory

pytestmark = pytest.mark.django_db

SLUG = "quartier-sans-table"
MESSAGE = "Ce quartier n'a pas de table."
PAGES = [
    ("get", "saisie_formulaire", {"code": "2025-T1"}),
    ("post", "saisie_formulaire", {"code": "2025-T1"}),
    ("get", "saisie_historique", {"code": "2025-T1"}),
    ("post", "saisie_revision", {"code": "2025-T1"}),
    ("get", "import_valeurs", {}),
    ("post", "import_valeurs", {}),
    ("get", "modele_import", {"format": "csv"}),
    ("get", "modele_import", {"format": "xlsx"}),
]


@pytest.fixture
def sans_table(db):
    return QuartierFactory(nom="Quartier sans table", slug=SLUG, table=None)


@pytest.mark.parametrize(("methode", "nom", "parametres"), PAGES)
def test_les_pages_de_saisie_et_d_import_repondent_404(
    client, ada, sans_table, periode, methode, nom, parametres
):
    assert periode.code == "2025-T1"  # la période existe : seul le quartier manque
    client.force_login(ada)
    url = reverse(nom, kwargs={"slug": SLUG, **parametres})
    reponse = getattr(client, methode)(url, {"version": "1", "action": "valider"})
    assert reponse.status_code == 404


def test_le_selecteur_dit_pourquoi(ada, sans_table):
    with pytest.raises(Http404) as erreur:
        selectors.quartier_et_table(ada, SLUG)
    assert str(erreur.value) == MESSAGE


def test_l_api_refuse_d_ouvrir_une_saisie_sans_table(ada, sans_table, periode):
    client = APIClient()
    client.force_login(ada)
    corps = {"quartier": SLUG, "periode": periode.code}
    reponse = client.post("/api/v1/saisies/", corps, format="json")
    assert reponse.status_code == 404
    assert reponse.json()["detail"] == MESSAGE
