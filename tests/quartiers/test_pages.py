"""Les pages des quartiers : contenu et nombre de requêtes indépendant du volume."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import AffectationFactory, construire_quartier

pytestmark = pytest.mark.django_db


def _requetes(client, url) -> int:
    with CaptureQueriesContext(connection) as requetes:
        assert client.get(url).status_code == 200
    return len(requetes)


def test_la_page_d_un_quartier_montre_table_partenaires_strategie_et_indicateurs(client, eve):
    quartier = construire_quartier(nom="Villeray", indicateurs=2, trimestres=3, partenaires=4)
    client.force_login(eve)
    contenu = client.get(quartier.get_absolute_url()).content.decode()
    assert "Table de Villeray" in contenu
    assert "Partenaires actifs" in contenu
    assert "Stratégie de test" in contenu
    for suivi in quartier.indicateurs_suivis.all():
        assert suivi.indicateur.code in contenu
    # La dernière valeur est celle du trimestre le plus récent (10 + 2), au format français.
    assert "12 <span" in contenu and "T3 2023" in contenu


def test_la_page_d_un_quartier_coute_autant_de_requetes_avec_dix_fois_plus_de_donnees(client, eve):
    # Requêtes attendues : session, utilisateur, quartier accessible, quartier + table,
    # participations + partenaires + secteurs, registre (participations, actions), versions de
    # stratégie, changements, leurs indicateurs (prefetch), liens, suivis (+ dernières valeurs
    # en sous-requêtes).
    client.force_login(eve)
    petit = construire_quartier(nom="Petit", indicateurs=3, trimestres=4, partenaires=2)
    grand = construire_quartier(nom="Grand", indicateurs=30, trimestres=40, partenaires=20)
    assert _requetes(client, petit.get_absolute_url()) == _requetes(
        client, grand.get_absolute_url()
    )


def test_l_accueil_coute_autant_de_requetes_avec_dix_fois_plus_de_quartiers(client, eve):
    client.force_login(eve)
    for rang in range(2):
        construire_quartier(nom=f"Q{rang}", indicateurs=1, trimestres=1)
    avant = _requetes(client, reverse("accueil"))
    for rang in range(2, 20):
        construire_quartier(nom=f"Q{rang}", indicateurs=1, trimestres=1)
    assert _requetes(client, reverse("accueil")) == avant


def test_l_accueil_d_un_conseiller_liste_ses_quartiers_affectes(client, bob, quartier_a):
    autre = construire_quartier(nom="Ailleurs")
    AffectationFactory(utilisateur=bob, quartier=autre, role="conseiller")
    client.force_login(bob)
    contenu = client.get(reverse("accueil")).content.decode()
    assert "Quartier A" in contenu and "Ailleurs" in contenu
