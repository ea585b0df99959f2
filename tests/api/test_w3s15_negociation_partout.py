"""Toute vue de l'API vérifie `?format=` et l'en-tête Accept de la même façon
(`evalpic.api.negociation.NegociationVerifiee`, DEFAULT_CONTENT_NEGOTIATION_CLASS) : ressources,
racine `/api/v1/`, schéma OpenAPI et sa documentation. Un format vide, inconnu ou donné deux
fois répond 404 avec les formats de la vue; un Accept qu'aucun format ne satisfait, 406.

Avant, seules les ressources (`IntrouvableTraduit`) le faisaient : la racine et le schéma
servaient `?format=` (vide) comme s'il était absent, et un format inconnu y recevait « Non
trouvé. » sans dire pourquoi. Le test parcourt le résolveur (`tests.adresses`) : une vue ajoutée
sous /api/ est vérifiée sans qu'on y pense. `/api/schema/?format=json` et `?format=yaml`, que
les clients lisent, répondent toujours."""

from __future__ import annotations

import re

import pytest
from django.urls import get_resolver, reverse
from rest_framework.test import APIClient

from tests.adresses import Adresse, toutes_les_adresses

pytestmark = pytest.mark.django_db

# Vues de l'API qui ne négocient pas leur format, et pourquoi.
EXCEPTIONS = {
    # Toute adresse inconnue sous /api/ : un 404 en JSON quel que soit le format demandé.
    "evalpic.api.views.RessourceIntrouvable": "adresse inconnue : 404 en JSON, toujours",
}
# Actions qui servent un fichier quel que soit le format demandé (`NegociationTolerante`).
TOLERANTES = {"api:bilans-fichier", "bilans-fichier"}


def _adresses_de_l_api() -> list[Adresse]:
    vues = {}
    for adresse in toutes_les_adresses():
        if not adresse.route.startswith("api/") or adresse.vue in EXCEPTIONS:
            continue
        if adresse.nom in TOLERANTES or "format" in adresse.parametres:
            continue
        vues.setdefault((adresse.vue, adresse.nom), adresse)
    return sorted(vues.values(), key=lambda a: a.cle)


def _url(adresse: Adresse) -> str:
    kwargs = {p: (999999 if p in ("pk", "id") else "inconnu") for p in adresse.parametres}
    return reverse(adresse.nom, kwargs=kwargs)


def _formats(adresse: Adresse) -> list[str]:
    """Les formats de la vue, dans l'ordre de ses rendus (sans doublon)."""
    vue = get_resolver().resolve(_url(adresse)).func
    classe = vue.cls
    rendus = getattr(vue, "initkwargs", {}).get("renderer_classes") or classe.renderer_classes
    return list(dict.fromkeys(rendu.format for rendu in rendus))


ADRESSES = _adresses_de_l_api()


@pytest.fixture
def api(eve):
    client = APIClient()
    client.force_authenticate(eve)
    return client


def test_le_parcours_trouve_la_racine_le_schema_sa_documentation_et_les_ressources():
    vues = {a.vue for a in ADRESSES}
    assert {
        "rest_framework.routers.APIRootView",
        "drf_spectacular.views.SpectacularAPIView",
        "drf_spectacular.views.SpectacularSwaggerSplitView",
        "drf_spectacular.views.SpectacularRedocView",
    } <= vues
    assert len(ADRESSES) >= 30


@pytest.mark.parametrize("adresse", ADRESSES, ids=lambda a: a.cle)
@pytest.mark.parametrize("format_demande", ["", "xyz", "json&format=json"])
def test_un_format_vide_inconnu_ou_repete_repond_404_partout(api, adresse, format_demande):
    reponse = api.get(f"{_url(adresse)}?format={format_demande}")
    assert reponse.status_code == 404, reponse.content[:200]
    formats = _formats(adresse)
    if formats == ["html"]:  # documentation : la page 404 du site
        return
    assert reponse["Content-Type"].startswith(("application/json", "application/vnd.oai"))
    texte = reponse.content.decode()
    assert "Format de sortie inconnu : « " in texte
    assert f"Formats : {', '.join(formats)}." in texte


@pytest.mark.parametrize("adresse", ADRESSES, ids=lambda a: a.cle)
def test_un_accept_que_rien_ne_satisfait_repond_406_partout(api, adresse):
    reponse = api.get(_url(adresse), HTTP_ACCEPT="application/xyz")
    assert reponse.status_code == 406


@pytest.mark.parametrize("adresse", ADRESSES, ids=lambda a: a.cle)
def test_chaque_vue_de_l_api_negocie_par_negociation_verifiee(adresse):
    from evalpic.api.negociation import NegociationVerifiee

    vue = get_resolver().resolve(_url(adresse)).func
    assert issubclass(vue.cls.content_negotiation_class, NegociationVerifiee)


def test_un_suffixe_de_format_inconnu_repond_404_avec_les_formats(api):
    reponse = api.get("/api/v1/quartiers.xyz")
    assert reponse.status_code == 404
    assert reponse.json()["detail"] == (
        "Format de sortie inconnu : « xyz ». Formats : json, api, csv."
    )
    assert api.get("/api/v1/quartiers.json").status_code == 200


def test_la_racine_refuse_un_format_vide_comme_une_ressource(api):
    racine = api.get("/api/v1/?format=")
    ressource = api.get("/api/v1/quartiers/?format=")
    assert (racine.status_code, racine.json()) == (ressource.status_code, ressource.json())
    assert racine.json() == {"detail": "Format de sortie inconnu : «  ». Formats : json, api, csv."}
    assert api.get("/api/v1/").status_code == 200
    assert api.get("/api/v1/", {"format": "csv"}).status_code == 200


def test_le_schema_se_lit_toujours_en_json_et_en_yaml(api):
    json_ = api.get("/api/schema/", {"format": "json"})
    assert json_.status_code == 200 and json_["Content-Type"].startswith(
        "application/vnd.oai.openapi+json"
    )
    assert json_.json()["openapi"].startswith("3.")
    yaml = api.get("/api/schema/", {"format": "yaml"})
    assert yaml.status_code == 200 and yaml.content.startswith(b"openapi: 3.")
    par_defaut = api.get("/api/schema/")
    assert par_defaut.status_code == 200 and par_defaut.content.startswith(b"openapi: 3.")
    assert api.get("/api/schema/", HTTP_ACCEPT="application/json").json()["openapi"]
    # Un format vide ou inconnu n'est plus servi comme s'il était absent.
    for demande in ("", "xml", "json&format=yaml"):
        reponse = api.get(f"/api/schema/?format={demande}")
        assert reponse.status_code == 404, demande
        assert re.search(r"Formats : yaml, json\.", reponse.content.decode())


def test_la_documentation_s_ouvre_toujours(api, client, eve):
    client.force_login(eve)
    assert client.get("/api/docs/").status_code == 200
    assert client.get("/api/docs/?script").status_code == 200
    assert client.get("/api/redoc/").status_code == 200
    assert client.get("/api/docs/?format=html").status_code == 200
