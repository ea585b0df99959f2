"""Les tags du schéma OpenAPI (`evalpic.api.schema.TAGS`) : des noms stables (identifiants des
clients, jamais traduits), chacun avec une description passée par gettext, que le schéma servi
écrit dans la langue de la requête (témoin, Accept-Language ou `?lang=`)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import trans_real
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from evalpic.api.schema import TAGS

pytestmark = pytest.mark.django_db

# Les noms publiés : en changer un casse les clients qui s'en servent.
NOMS_STABLES = ["territoire", "catalogue et stratégies", "apprentissages", "v1"]


def _schema(client: APIClient | None = None, **requete) -> dict:
    reponse = (client or APIClient()).get(
        "/api/schema/", {"format": "json", **requete.pop("data", {})}, **requete
    )
    assert reponse.status_code == 200
    return reponse.json()


def _tags_des_operations(schema: dict) -> set[str]:
    return {
        tag
        for operations in schema["paths"].values()
        for operation in operations.values()
        for tag in operation.get("tags", [])
    }


@pytest.fixture
def anglais_factice():
    """Une traduction anglaise reconnaissable de chaque description, le temps du test : ce qui est
    vérifié est le chemin (gettext, langue de la requête), quel que soit l'état du catalogue."""
    catalogue = trans_real.translation("en")._catalog
    with translation.override("fr"):
        msgids = {nom: str(texte) for nom, texte in TAGS.items()}
    avant = {msgid: catalogue.get(msgid) for msgid in msgids.values()}
    for nom, msgid in msgids.items():
        catalogue[msgid] = f"[en] {nom}"
    yield {nom: f"[en] {nom}" for nom in msgids}
    for msgid, ancien in avant.items():
        if ancien is None:
            del catalogue._catalogs[0][msgid]
        else:
            catalogue[msgid] = ancien


def test_chaque_tag_d_operation_est_declare_avec_une_description():
    schema = _schema()
    declares = [tag["name"] for tag in schema["tags"]]
    assert declares == NOMS_STABLES
    assert _tags_des_operations(schema) == set(NOMS_STABLES)
    for tag in schema["tags"]:
        assert len(tag["description"]) > 40, tag


def test_le_schema_avec_ses_tags_reste_valide():
    validate_schema(_schema())


def test_en_francais_par_defaut():
    descriptions = {tag["name"]: tag["description"] for tag in _schema()["tags"]}
    assert descriptions["territoire"].startswith("Les quartiers visibles, leurs tables")
    assert descriptions["v1"].startswith("Les saisies trimestrielles et leur circuit")


@pytest.mark.parametrize(
    "requete",
    [{"HTTP_ACCEPT_LANGUAGE": "en"}, {"data": {"lang": "en"}}, {"temoin": "en"}],
    ids=["accept-language", "lang", "temoin"],
)
def test_le_schema_servi_en_anglais_decrit_les_tags_en_anglais(anglais_factice, requete):
    client = APIClient()
    if langue := requete.pop("temoin", None):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = langue
    schema = _schema(client, **requete)
    assert {tag["name"]: tag["description"] for tag in schema["tags"]} == anglais_factice
    # Les noms ne se traduisent pas, ni dans la liste ni sur les opérations.
    assert _tags_des_operations(schema) == set(NOMS_STABLES)
    # Et la requête suivante, sans choix de langue, est de nouveau en français.
    assert _schema()["tags"][0]["description"].startswith("Les quartiers visibles")
