"""Le schéma OpenAPI et l'API navigable demandés en anglais ne gardent pas de français : chaque
description, résumé et libellé de filtre passe par gettext (traduit à chaque requête, dans la
langue de la requête), et les docstrings des vues, écrits pour les développeurs, ne sont pas
publiés."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from tests.api.test_saisies_bilans import client_de

pytestmark = pytest.mark.django_db

CLES_DE_TEXTE = {"description", "summary", "title"}
# Heuristique : une lettre accentuée du français, un guillemet français, ou un mot outil
# français qu'aucune phrase anglaise n'emploie.
FRANCAIS = re.compile(
    r"[éèêàçôùûîœ«»]|\b(le|la|les|des|du|une|et|ou|est|sont|pour|par|avec|sans|dans|sur|qui|"
    r"que|aux|ce|cette|ces|leur|leurs|pas|ne|tant|selon|chaque|sinon|requis|liste|lister|"
    r"détail|quartier|quartiers|période|valeur|valeurs|saisie|saisies|bilan|bilans|jeton)\b",
    re.IGNORECASE,
)
# Ce qui reste tel quel dans les deux langues : les valeurs entre accents graves (« `pret` »,
# « `brouillon` ») et les noms propres.
PERMIS = re.compile(r"`[^`]*`|Français|Montréal|ÉvalPIC|Centraide")


def _textes(noeud, chemin=""):
    if isinstance(noeud, dict):
        for cle, valeur in noeud.items():
            if cle in CLES_DE_TEXTE and isinstance(valeur, str):
                yield f"{chemin}/{cle}", valeur
            yield from _textes(valeur, f"{chemin}/{cle}")
    elif isinstance(noeud, list):
        for rang, valeur in enumerate(noeud):
            yield from _textes(valeur, f"{chemin}[{rang}]")


def _francais(schema) -> list[tuple[str, str]]:
    return [
        (chemin, texte)
        for chemin, texte in _textes(schema)
        if FRANCAIS.search(PERMIS.sub("", texte))
    ]


@pytest.mark.parametrize(
    "requete",
    [
        {"HTTP_ACCEPT_LANGUAGE": "en"},
        {"data": {"lang": "en"}},
        {"temoin": "en"},
    ],
    ids=["accept-language", "lang", "temoin"],
)
def test_le_schema_en_anglais_n_a_pas_de_francais(requete):
    client = APIClient()
    if langue := requete.pop("temoin", None):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = langue
    data = {"format": "json", **requete.pop("data", {})}
    schema = client.get("/api/schema/", data, **requete).json()
    fautes = _francais(schema)
    assert not fautes, "\n".join(f"{chemin} : {texte!r}" for chemin, texte in fautes[:40])


def test_le_schema_en_francais_reste_en_francais():
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    textes = dict(_textes(schema))
    assert textes["/info/description"].startswith("Indicateurs d'impact collectif")
    assert len(_francais(schema)) > 100


def test_les_filtres_de_periode_ont_un_libelle():
    schema = APIClient().get("/api/schema/", {"format": "json", "lang": "en"}).json()
    for chemin in ("/api/v1/saisies/", "/api/v1/valeurs/"):
        parametres = {p["name"]: p for p in schema["paths"][chemin]["get"]["parameters"]}
        for nom in ("periode_debut", "periode_fin"):
            description = parametres[nom].get("description", "")
            assert description and "invalid name" not in description, (chemin, nom)


@pytest.mark.parametrize("adresse", ["/api/v1/valeurs/", "/api/v1/saisies/", "/api/v1/quartiers/"])
def test_l_api_navigable_en_anglais(eve, adresse):
    client = client_de(eve)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(adresse, HTTP_ACCEPT="text/html").content.decode()
    description = re.search(r'<div class="description">(.*?)</div>', page, re.DOTALL)
    texte = description.group(1) if description else ""
    assert not FRANCAIS.search(PERMIS.sub("", texte)), texte
    assert "[invalid name]" not in page
