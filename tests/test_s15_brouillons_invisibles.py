"""Un brouillon de stratégie n'existe que pour qui tient la stratégie de son quartier (sa
coordination, l'évaluation et l'administration), partout : l'API (versions, changements visés,
changements servis par une action) comme les pages (`quartiers_des_brouillons`, une règle). Un apprentissage ne se rattache jamais au changement d'un
brouillon, qui peut être abandonné. Une action en cours sert un changement et sa copie dans la
version suivante : l'API nomme chaque code une fois.

Sur l'ancien code, l'API montrait le brouillon et ses changements à la coordination et au
conseil du quartier, nommait « C0 » deux fois parmi les changements d'une action, et le
formulaire d'un apprentissage offrait les changements du brouillon."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from indicateurs import services, services_strategie
from indicateurs.forms import ApprentissageForm
from indicateurs.models import Apprentissage
from tests.factories import periode_du_trimestre
from tests.test_w1s15_strategie_services import construire

pytestmark = pytest.mark.django_db


@pytest.fixture
def brouillon(eve, quartier_a):
    construire(quartier_a)
    return services_strategie.preparer_version(utilisateur=eve, quartier=quartier_a)[0]


def _lire(client, utilisateur, ressource: str, **parametres) -> list[dict]:
    client.force_login(utilisateur)
    reponse = client.get(f"/api/v1/{ressource}/", {"taille": 1000, **parametres})
    assert reponse.status_code == 200, reponse.content
    return reponse.json()["results"]


@pytest.mark.parametrize(("persona", "voit"), [("alice", True), ("bob", False), ("eve", True)])
def test_l_api_ne_montre_un_brouillon_qu_a_qui_tient_les_plans(
    client, personas, brouillon, persona, voit
):
    utilisateur = personas[persona]
    versions = {v["version"]: v["statut"] for v in _lire(client, utilisateur, "strategies")}
    assert versions.get(3) == ("brouillon" if voit else None)
    assert {1, 2} <= set(versions)
    changements = {c["id"] for c in _lire(client, utilisateur, "changements")}
    du_brouillon = set(brouillon.changements.values_list("pk", flat=True))
    assert (du_brouillon <= changements) is voit
    assert not voit or du_brouillon
    if not voit:
        assert not (du_brouillon & changements)
    detail = client.get(f"/api/v1/strategies/{brouillon.pk}/")
    assert detail.status_code == (200 if voit else 404)


@pytest.mark.parametrize("persona", ["alice", "eve"])
def test_une_action_nomme_chaque_changement_une_fois(client, personas, brouillon, persona):
    """« Cuisine collective » sert C0, C1 et C2 de la v2 et, pour l'évaluation, leurs copies du
    brouillon : chaque code une fois."""
    actions = {a["titre"]: a for a in _lire(client, personas[persona], "actions")}
    assert actions["Cuisine collective"]["changements"] == ["C0", "C1", "C2"]


def test_le_schema_decrit_les_changements_d_une_action(client, eve):
    client.force_login(eve)
    schema = client.get("/api/schema/", {"format": "json"}).json()
    champ = schema["components"]["schemas"]["Action"]["properties"]["changements"]
    assert champ["type"] == "array" and champ["items"]["type"] == "string"


def test_un_apprentissage_ne_se_rattache_pas_au_changement_d_un_brouillon(
    eve, quartier_a, brouillon
):
    form = ApprentissageForm(quartier=quartier_a, utilisateur=eve)
    offerts = set(form.fields["changement"].queryset.values_list("pk", flat=True))
    assert offerts.isdisjoint(brouillon.changements.values_list("pk", flat=True))
    en_vigueur = quartier_a.strategies.get(version=2)
    assert set(en_vigueur.changements.values_list("pk", flat=True)) <= offerts


@pytest.mark.parametrize(("persona", "lien"), [("alice", True), ("bob", False), ("eve", True)])
def test_le_plan_mene_a_la_strategie_qui_la_tient(client, personas, quartier_a, persona, lien):
    """Le plan de mesure mène qui tient la stratégie (la coordination du quartier, l'évaluation,
    l'administration) à la théorie du changement, où se prépare une nouvelle version; pas le
    conseil, qui la lit depuis la page du quartier."""
    client.force_login(personas[persona])
    page = client.get(reverse("plan_de_mesure", kwargs={"slug": quartier_a.slug}))
    adresse = reverse("theorie_du_changement", kwargs={"slug": quartier_a.slug})
    assert page.status_code == 200
    assert (f'href="{adresse}"' in page.content.decode()) is lien


def test_le_service_refuse_d_attacher_un_apprentissage_au_changement_d_un_brouillon(
    eve, quartier_a, brouillon
):
    """La règle est dans le service (`services._erreurs_de_rattachement`), pas seulement dans
    les listes du formulaire et de l'API : un autre appelant ne rattache pas un apprentissage à
    un changement que l'abandon du brouillon effacerait."""
    periode = periode_du_trimestre(2025, 1)
    with pytest.raises(ValidationError) as refus:
        services.ajouter_apprentissage(
            auteur=eve,
            quartier=quartier_a,
            periode=periode,
            categorie="defis",
            texte_fr="Un défi.",
            changement=brouillon.changements.first(),
        )
    assert "changement" in refus.value.message_dict
    assert not Apprentissage.objects.exists()
    en_vigueur = quartier_a.strategies.get(version=2).changements.first()
    services.ajouter_apprentissage(
        auteur=eve,
        quartier=quartier_a,
        periode=periode,
        categorie="defis",
        texte_fr="Un défi.",
        changement=en_vigueur,
    )


def test_les_liens_des_actions_se_lisent_en_anglais(client, personas, quartier_a, brouillon):
    """Le nom caché des liens « Modifier » et « Terminer » d'une action se traduit : il
    s'écrivait « « titre » » hors de toute traduction."""
    client.force_login(personas["alice"])
    client.cookies["django_language"] = "en"
    page = client.get(reverse("actions", kwargs={"slug": quartier_a.slug})).content.decode()
    assert "Edit the action “Cuisine collective”" in page
    assert "« Cuisine collective »" not in page
