"""Les pages des quartiers : contenu et nombre de requêtes indépendant du volume."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicateurs.models import Saisie, Valeur
from tests.factories import AffectationFactory, construire_quartier, periode_du_trimestre

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


def test_la_derniere_valeur_d_un_quartier_n_est_jamais_un_brouillon(client, eve):
    # Comme les tableaux de bord : un brouillon de la table n'est pas encore transmis.
    quartier = construire_quartier(nom="Villeray", indicateurs=1, trimestres=3)
    brouillon = Saisie.objects.create(
        table=quartier.table, periode=periode_du_trimestre(2023, 4), statut="brouillon"
    )
    suivi = quartier.indicateurs_suivis.get()
    Valeur.objects.create(saisie=brouillon, indicateur=suivi.indicateur, valeur_numerique=99)
    client.force_login(eve)
    contenu = client.get(quartier.get_absolute_url()).content.decode()
    assert "12 <span" in contenu and "T3 2023" in contenu
    assert "99 <span" not in contenu and "T4 2023" not in contenu


def test_la_page_d_un_quartier_coute_autant_de_requetes_avec_dix_fois_plus_de_donnees(client, eve):
    # Requêtes attendues : session, utilisateur, quartier + table, participations + partenaires
    # + secteurs, registre (participations, actions), versions de stratégie, changements, leurs
    # indicateurs (prefetch), liens, suivis (+ dernières valeurs en sous-requêtes), puis les
    # droits de saisir et de commenter (une requête chacun).
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
