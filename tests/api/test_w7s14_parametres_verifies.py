"""Un paramètre que l'API documente et qu'on lui donne mal est refusé avec un message, au lieu
d'être ignoré (200 avec la valeur par défaut; schemathesis : « Schema-violating request
accepted ») : `taille` et `ordering` des listes répondent 400 par champ, comme un filtre
invalide; `format` (listes et détails) et `cursor` répondent 404, comme un format inconnu ou une
page inexistante, ce que le schéma documente."""

from __future__ import annotations

import pytest
from django.urls import get_resolver
from rest_framework.test import APIClient

from tests.factories import ParticipationFactory, QuartierFactory, periode_du_trimestre

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture
def api(eve):
    QuartierFactory(nom="Quartier A", slug="quartier-a")
    ParticipationFactory()
    periode_du_trimestre(2025, 1)
    client = APIClient()
    client.force_authenticate(eve)
    return client


def _erreur(reponse) -> dict:
    return reponse.json()


@pytest.mark.parametrize("taille", ["-5", "0", "null", "abc", "1.5", "1001", "", " 5"])
def test_une_taille_invalide_repond_400(api, taille):
    reponse = api.get(f"{API}/quartiers/", {"taille": taille})
    assert reponse.status_code == 400, reponse.content
    [message] = _erreur(reponse)["taille"]
    assert message in (
        "Taille de page invalide : un nombre entier de 1 à 1000.",
        "Paramètre vide : donnez une valeur ou retirez-le.",
    )


def test_une_taille_repetee_repond_400(api):
    reponse = api.get(f"{API}/actions/?taille=null&taille=null")
    assert reponse.status_code == 400
    assert _erreur(reponse) == {
        "taille": ["Paramètre donné plusieurs fois : donnez-le une seule fois."]
    }


def test_les_bornes_de_la_taille_sont_permises(api):
    assert api.get(f"{API}/quartiers/", {"taille": 1}).status_code == 200
    assert api.get(f"{API}/quartiers/", {"taille": 1000}).status_code == 200
    assert api.get(f"{API}/valeurs/", {"taille": 5000}).status_code == 200
    reponse = api.get(f"{API}/valeurs/", {"taille": 5001})
    assert reponse.json() == {"taille": ["Taille de page invalide : un nombre entier de 1 à 5000."]}


@pytest.mark.parametrize("tri", ["\x00", "inconnu,-nom", "nom,", "--nom"])
def test_un_tri_inconnu_repond_400_avec_les_tris_possibles(api, tri):
    reponse = api.get(f"{API}/quartiers/", {"ordering": tri})
    assert reponse.status_code == 400
    [message] = _erreur(reponse)["ordering"]
    assert message.startswith("Tri inconnu : « ")
    assert message.endswith(
        "Tris possibles : nom, slug, niveau_soutien, arrondissement, chacun précédé ou non de « - »."
    )


def test_un_tri_vide_ou_repete_repond_400(api):
    assert api.get(f"{API}/quartiers/?ordering=").status_code == 400
    assert api.get(f"{API}/quartiers/?ordering=nom&ordering=-nom").status_code == 400
    assert api.get(f"{API}/quartiers/?ordering=-nom, slug").status_code == 200


@pytest.mark.parametrize(
    "adresse",
    [
        "/quartiers/?format=",
        "/quartiers/quartier-a/?format=",
        "/periodes/?format=xml",
        "/quartiers/quartier-a/?format=json&format=csv",
    ],
)
def test_un_format_vide_inconnu_ou_repete_repond_404_avec_les_formats(api, adresse):
    reponse = api.get(f"{API}{adresse}")
    assert reponse.status_code == 404
    assert reponse["Content-Type"].startswith("application/json")
    assert reponse.json()["detail"].startswith("Format de sortie inconnu : « ")
    assert reponse.json()["detail"].endswith("Formats : json, api, csv.")


def test_les_formats_connus_repondent(api):
    assert api.get(f"{API}/quartiers/quartier-a/", {"format": "csv"}).status_code == 200
    assert api.get(f"{API}/quartiers/", {"format": "json"}).status_code == 200
    assert api.get(f"{API}/quartiers.json").status_code == 200


@pytest.mark.parametrize("curseur", ["\x00", "%%%", "cD0x&cursor=cD0y", "abc!"])
def test_un_curseur_illisible_repond_404(api, curseur):
    adresse = f"{API}/valeurs/?cursor=" + curseur.replace("\x00", "%00").replace("%%%", "%25%25")
    reponse = api.get(adresse)
    assert reponse.status_code == 404
    assert reponse.json() == {"detail": "Curseur non valide"}


def test_le_schema_donne_les_bornes_de_la_taille_et_les_tris(api):
    schema = api.get("/api/schema/", {"format": "json"}).json()
    parametres = {p["name"]: p for p in schema["paths"]["/api/v1/quartiers/"]["get"]["parameters"]}
    assert parametres["taille"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 1000}
    tri = parametres["ordering"]["schema"]["pattern"]
    assert tri.startswith("^-?(nom|slug|niveau_soutien|arrondissement)(,")
    valeurs = {p["name"]: p for p in schema["paths"]["/api/v1/valeurs/"]["get"]["parameters"]}
    assert valeurs["taille"]["schema"]["maximum"] == 5000


def test_chaque_ressource_de_l_api_verifie_son_format():
    """Une ressource ajoutée hérite de `IntrouvableTraduit` (ou déclare la négociation)."""
    # Importé ici : `evalpic.api.commun` importé le premier lit les réglages de DRF, qui le
    # nomment (RenduCSV), avant d'être défini.
    from evalpic.api.commun import NegociationVerifiee

    vues = set()

    def parcourir(motifs):
        for motif in motifs:
            if hasattr(motif, "url_patterns"):
                parcourir(motif.url_patterns)
            elif getattr(motif.callback, "cls", None) is not None:
                vues.add(motif.callback.cls)

    parcourir(get_resolver().url_patterns)
    du_projet = [
        v for v in vues if v.__module__.split(".")[0] in ("quartiers", "indicateurs", "rapports")
    ]
    assert len(du_projet) >= 14
    assert all(issubclass(v.content_negotiation_class, NegociationVerifiee) for v in du_projet)
