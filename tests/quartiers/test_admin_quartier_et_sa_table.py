"""Un quartier ajouté dans l'admin a toujours sa table de quartier. Avant : la table laissée vide
dans le formulaire n'était pas créée, et les pages de saisie, d'import et du registre du nouveau
quartier répondaient 404 (« Ce quartier n'a pas de table. »)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from quartiers.models import TableDeQuartier

pytestmark = pytest.mark.django_db


def _ajout(slug: str, **table) -> dict:
    return {
        "nom": slug.replace("-", " ").title(),
        "slug": slug,
        "niveau_soutien": "modere",
        "arrondissement": "",
        "description": "",
        "table-TOTAL_FORMS": "1",
        "table-INITIAL_FORMS": "0",
        "table-MIN_NUM_FORMS": "0",
        "table-MAX_NUM_FORMS": "1",
        "table-0-nom": "",
        "table-0-organisme_coordonnateur": "",
        "table-0-annee_fondation": "",
        "table-0-site_web": "",
        **{f"table-0-{champ}": valeur for champ, valeur in table.items()},
    }


def test_un_quartier_ajoute_sans_details_de_table_a_sa_table(client, ada):
    client.force_login(ada)
    reponse = client.post(reverse("admin:quartiers_quartier_add"), _ajout("nouveau-quartier"))
    assert reponse.status_code == 302
    table = TableDeQuartier.objects.get(quartier__slug="nouveau-quartier")
    assert table.nom == ""
    assert client.get("/quartiers/nouveau-quartier/import/").status_code == 200


def test_la_table_remplie_dans_le_formulaire_est_gardee(client, ada):
    client.force_login(ada)
    donnees = _ajout("autre-quartier", nom="Table de concertation d'Autre quartier")
    assert client.post(reverse("admin:quartiers_quartier_add"), donnees).status_code == 302
    table = TableDeQuartier.objects.get(quartier__slug="autre-quartier")
    assert table.nom == "Table de concertation d'Autre quartier"
