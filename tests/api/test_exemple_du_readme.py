"""L'exemple de bout en bout de l'API dans le README (section « API REST »), tel qu'il est écrit,
sur les données de démonstration : ouvrir la saisie de Saint-Michel, y écrire les valeurs du
fichier `valeurs.json` du README, la soumettre. Les valeurs de la démo changent avec son
générateur : ce test dit quand l'exemple ne passe plus (une valeur devenue « inhabituelle »)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from rest_framework.test import APIClient

from indicateurs.models import Periode, StatutPeriode
from quartiers.models import Utilisateur

pytestmark = pytest.mark.django_db

README = Path(settings.BASE_DIR) / "README.md"


def _exemple() -> tuple[str, dict]:
    """La période et le contenu de `valeurs.json` de l'exemple du README."""
    texte = README.read_text(encoding="utf-8")
    (periode,) = re.findall(r'"quartier": "saint-michel", "periode": "(\d{4}-T\d)"', texte)
    (contenu,) = re.findall(r"cat > valeurs\.json <<'JSON'\n(.*?)\nJSON\n", texte, re.S)
    return periode, json.loads(contenu)


def test_l_exemple_de_l_api_du_readme_va_jusqu_a_soumise():
    call_command("charger_demo", verbosity=0)
    periode, valeurs = _exemple()
    ouverte = Periode.objects.get(annee=int(periode[:4]), trimestre=int(periode[-1]))
    if ouverte.statut != StatutPeriode.OUVERTE:  # le README date d'une autre saison
        ouverte = Periode.objects.filter(statut=StatutPeriode.OUVERTE).order_by("-debut").first()
    client = APIClient()
    client.force_authenticate(Utilisateur.objects.get(email="coordination@demo.evalpic.ca"))
    api = "/api/v1"

    ouverture = client.post(
        f"{api}/saisies/", {"quartier": "saint-michel", "periode": ouverte.code}, format="json"
    )
    assert ouverture.status_code in (200, 201), ouverture.content
    saisie, version = ouverture.json()["id"], ouverture["ETag"]

    ecriture = client.put(
        f"{api}/saisies/{saisie}/valeurs/", valeurs, format="json", HTTP_IF_MATCH=version
    )
    assert ecriture.status_code == 200, ecriture.content.decode()

    soumission = client.post(f"{api}/saisies/{saisie}/soumettre/", HTTP_IF_MATCH=ecriture["ETag"])
    assert soumission.status_code == 200, soumission.content.decode()
    assert soumission.json()["statut"] == "soumise"
