"""Le schéma OpenAPI dit vrai pour un validateur strict, et les nombres de l'API s'écrivent d'une
seule façon :

- `Table.site_web` : « » ne satisfait plus les deux branches d'un oneOf (anyOf);
- chaque opération documente 429 avec Retry-After (toutes sont limitées en débit);
- `Erreurs` admet des clés de champs (additionalProperties : une liste de messages);
- les décimaux (valeur, valeur de référence, cibles) s'écrivent par `rapports.csv.texte_decimal`
  (« 420 », « 12.5 », plus « 420.0000 »), comme `/valeurs/` et les CSV;
- un nombre en écriture scientifique (« 1e3 ») est refusé au lieu d'être lu 1000, par la lecture
  commune au formulaire et à l'import (`validation.analyser`), qui propose la valeur sans
  exposant (tests/indicateurs/test_w1_exposants.py)."""

from __future__ import annotations

from decimal import Decimal

import jsonschema
import pytest
from rest_framework.test import APIClient
from rest_framework.throttling import UserRateThrottle

from indicateurs.models import Cible, StatutPeriode, Valeur
from rapports.csv import texte_decimal
from tests.factories import (
    IndicateurFactory,
    IndicateurSuiviFactory,
    construire_quartier,
    periode_du_trimestre,
)

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture(scope="module")
def schema(django_db_blocker) -> dict:
    with django_db_blocker.unblock():
        return APIClient().get("/api/schema/", {"format": "json"}).json()


def _en_json_schema(noeud):
    """OpenAPI 3.0 → JSON Schema : `nullable` devient le type null, les $ref pointent $defs."""
    if isinstance(noeud, list):
        return [_en_json_schema(n) for n in noeud]
    if not isinstance(noeud, dict):
        return noeud
    noeud = {cle: _en_json_schema(valeur) for cle, valeur in noeud.items()}
    if noeud.pop("nullable", False):
        noeud = {"anyOf": [noeud, {"type": "null"}]}
    if isinstance(noeud.get("$ref"), str):
        noeud["$ref"] = noeud["$ref"].replace("#/components/schemas/", "#/$defs/")
    return noeud


def _erreurs(schema: dict, composant: str, donnees) -> list[str]:
    validateur = jsonschema.Draft202012Validator(
        {"$ref": f"#/$defs/{composant}", "$defs": _en_json_schema(schema["components"]["schemas"])}
    )
    return [erreur.message for erreur in validateur.iter_errors(donnees)]


def client_de(personne) -> APIClient:
    client = APIClient()
    client.force_authenticate(personne)
    return client


# --- Schéma ---------------------------------------------------------------------------------------


def test_une_table_sans_site_web_satisfait_son_schema(schema, eve, quartier_a, quartier_b):
    quartier_b.table.site_web = "https://table-b.example.org/"
    quartier_b.table.save(update_fields=["site_web"])
    tables = client_de(eve).get(f"{API}/tables/").json()["results"]
    assert {t["site_web"] for t in tables} == {"", "https://table-b.example.org/"}
    for table in tables:
        assert _erreurs(schema, "Table", table) == []


def test_chaque_operation_documente_429_avec_retry_after(schema):
    sans = [
        f"{methode.upper()} {chemin}"
        for chemin, operations in schema["paths"].items()
        for methode, operation in operations.items()
        if "Retry-After" not in operation["responses"].get("429", {}).get("headers", {})
    ]
    assert sans == []


def test_un_429_porte_retry_after(eve, monkeypatch):
    monkeypatch.setattr(UserRateThrottle, "rate", "1/hour", raising=False)
    client = client_de(eve)
    assert client.get(f"{API}/periodes/").status_code == 200
    reponse = client.get(f"{API}/saisies/")
    assert reponse.status_code == 429
    assert int(reponse["Retry-After"]) > 0


def test_le_corps_erreurs_admet_des_cles_de_champs(schema, eve):
    reponse = client_de(eve).get(f"{API}/valeurs/", {"quartier": "zzz", "periode": "xx"})
    assert reponse.status_code == 400
    assert schema["components"]["schemas"]["Erreurs"]["additionalProperties"] == {
        "type": "array",
        "items": {"type": "string"},
    }
    assert set(reponse.json()) == {"quartier", "periode"}
    assert _erreurs(schema, "Erreurs", reponse.json()) == []
    assert _erreurs(schema, "Erreurs", {"quartier": "pas une liste"}) != []


# --- Nombres --------------------------------------------------------------------------------------


def test_references_cibles_et_valeurs_s_ecrivent_comme_les_csv(eve):
    quartier = construire_quartier(nom="Villeray", indicateurs=1, trimestres=1)
    suivi = quartier.indicateurs_suivis.get()
    suivi.valeur_reference = Decimal("420.0000")
    suivi.save(update_fields=["valeur_reference"])
    Cible.objects.create(suivi=suivi, periode=periode_du_trimestre(2024, 4), valeur=Decimal("12.5"))
    Valeur.objects.update(valeur_numerique=Decimal("562.0000"))
    client = client_de(eve)
    detail = client.get(f"{API}/indicateurs-suivis/{suivi.pk}/").json()
    assert detail["valeur_reference"] == texte_decimal(Decimal("420.0000")) == "420"
    assert detail["cibles"] == [{"periode": "2024-T4", "valeur": "12.5"}]
    valeur = client.get(f"{API}/valeurs/").json()["results"][0]
    assert valeur["valeur"] == "562"
    assert client.get(f"{API}/valeurs/{valeur['id']}/").json()["valeur"] == "562"


def _sans_exposant(brut: str, soit: str | None = None) -> str:
    debut = f"« {brut} » est en écriture scientifique : écrivez le nombre sans exposant"
    return f"{debut}, soit {soit}." if soit else f"{debut}."


@pytest.mark.parametrize(
    ("brut", "messages"),
    [
        ("1e3", [_sans_exposant("1e3", "1\xa0000")]),
        ("1E3", [_sans_exposant("1E3", "1\xa0000")]),
        ("1.5e2", [_sans_exposant("1.5e2", "150")]),
        ("2e-1", [_sans_exposant("2e-1"), "Entrez un nombre entier (sans décimales)."]),
        ("1 e 3", [_sans_exposant("1 e 3", "1\xa0000")]),
    ],
)
def test_un_nombre_en_ecriture_scientifique_est_refuse(alice, quartier_a, brut, messages):
    IndicateurSuiviFactory(quartier=quartier_a, indicateur=IndicateurFactory(code="menages"))
    periode = periode_du_trimestre(2025, 1, statut=StatutPeriode.OUVERTE)
    client = client_de(alice)
    saisie = client.post(
        f"{API}/saisies/", {"quartier": quartier_a.slug, "periode": periode.code}, format="json"
    )
    reponse = client.put(
        f"{API}/saisies/{saisie.json()['id']}/valeurs/",
        {"valeurs": [{"indicateur": "menages", "valeur": brut}]},
        format="json",
        HTTP_IF_MATCH=saisie["ETag"],
    )
    assert reponse.status_code == 400
    assert reponse.json() == {"valeurs": {"0": {"valeur": messages}}}
    assert not Valeur.objects.exists()


def test_un_nombre_sans_exposant_et_un_texte_avec_un_e_passent(alice, quartier_a):
    IndicateurSuiviFactory(quartier=quartier_a, indicateur=IndicateurFactory(code="menages"))
    IndicateurSuiviFactory(
        quartier=quartier_a, indicateur=IndicateurFactory(code="politique", unite="texte")
    )
    periode = periode_du_trimestre(2025, 1, statut=StatutPeriode.OUVERTE)
    client = client_de(alice)
    saisie = client.post(
        f"{API}/saisies/", {"quartier": quartier_a.slug, "periode": periode.code}, format="json"
    )
    reponse = client.put(
        f"{API}/saisies/{saisie.json()['id']}/valeurs/",
        {
            "valeurs": [
                {"indicateur": "menages", "valeur": "1000"},
                {"indicateur": "politique", "valeur": "Adoptée le 3e jour, article 1e3"},
            ]
        },
        format="json",
        HTTP_IF_MATCH=saisie["ETag"],
    )
    assert reponse.status_code == 200, reponse.json()
    assert Valeur.objects.get(indicateur__code="menages").valeur_numerique == Decimal("1000")
