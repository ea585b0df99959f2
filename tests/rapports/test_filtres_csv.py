"""Un filtre invalide répond 400 avec son message sur chaque tableau de bord, que la page ou
un de ses tableaux de données (`?csv=`) soit demandé : jamais le CSV du filtre par défaut
servi comme s'il était celui demandé."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.html import escape

from quartiers.models import Affectation
from tests.factories import construire_quartier

pytestmark = pytest.mark.django_db

INVALIDES = [
    ({"debut": "zzz"}, "debut"),
    ({"debut": "2024-T4", "fin": "2023-T1"}, "fin"),
    ({"theme": "inexistant"}, "theme"),
    ({"famille": "inconnue"}, "famille"),
]


@pytest.fixture
def quartier(alice):
    q = construire_quartier(nom="Quartier Plein", trimestres=8)
    Affectation.objects.create(utilisateur=alice, quartier=q, role="coordonnateur")
    return q


def _adresses(quartier) -> list[tuple[str, str]]:
    code = quartier.indicateurs_suivis.first().indicateur.code
    return [
        (reverse("tableau_pic"), "progression"),
        (reverse("tableau_pic"), "completude"),
        (reverse("tableau_pic"), "partenaires"),
        (reverse("tableau_quartier", kwargs={"slug": quartier.slug}), "series"),
        (reverse("indicateur_entre_quartiers", kwargs={"code": code}), "quartiers"),
    ]


@pytest.mark.parametrize(("filtre", "champ"), INVALIDES)
def test_un_filtre_invalide_refuse_le_csv_comme_la_page(client, alice, quartier, filtre, champ):
    client.force_login(alice)
    for adresse, nom in _adresses(quartier):
        page = client.get(adresse, filtre)
        assert page.status_code == 400, adresse
        reponse = client.get(adresse, {**filtre, "csv": nom})
        assert reponse.status_code == 400, (adresse, nom, reponse.get("Content-Type"))
        assert not reponse.get("Content-Type", "").startswith("text/csv")
        assert "Content-Disposition" not in reponse
        # Le message est celui de la page, à côté du champ du filtre.
        erreurs = reponse.context["form"].errors[champ]
        assert erreurs and erreurs == page.context["form"].errors[champ]
        assert escape(erreurs[0]) in reponse.content.decode()


def test_un_filtre_valide_sert_toujours_le_csv(client, alice, quartier):
    client.force_login(alice)
    for adresse, nom in _adresses(quartier):
        reponse = client.get(adresse, {"debut": "2023-T2", "fin": "2024-T1", "csv": nom})
        assert reponse.status_code == 200, (adresse, nom)
        assert reponse["Content-Type"].startswith("text/csv")


def test_un_tableau_de_donnees_inconnu_repond_toujours_404(client, alice, quartier):
    client.force_login(alice)
    for adresse, _nom in _adresses(quartier):
        assert client.get(adresse, {"csv": "inconnu"}).status_code == 404
