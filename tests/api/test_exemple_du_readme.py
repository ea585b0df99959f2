"""L'exemple de bout en bout de l'API dans le README (section « API REST »), tel qu'il est écrit,
sur les données de démonstration : lire la période ouverte, ouvrir la saisie de Saint-Michel, y
écrire les valeurs du fichier `valeurs.json` du README, la soumettre. Les périodes de la démo
suivent la date du jour : l'exemple lit la période ouverte au lieu d'en écrire une (avant,
« 2026-T3 » écrit en dur). Les valeurs de la démo changent avec son générateur : ce test dit
quand l'exemple ne passe plus (une valeur devenue « inhabituelle »)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from rest_framework.test import APIClient

from indicateurs.models import Periode, StatutPeriode
from quartiers.models import Utilisateur

pytestmark = pytest.mark.django_db

README = Path(settings.BASE_DIR) / "README.md"


def _exemple() -> tuple[str, str, str, dict]:
    """Dans l'exemple du README : la requête des périodes et le script python3 qui en tire
    PERIODE, le corps (mot du shell) qui ouvre la saisie, et le contenu de `valeurs.json`."""
    texte = README.read_text(encoding="utf-8")
    ((requete, extraction),) = re.findall(
        r'PERIODE=\$\(curl -s -H "Authorization: Bearer \$JETON" "\$API(/periodes/\?[^"]+)" \\\n'
        r"  \| python3 -c '([^']+)'\)",
        texte,
    )
    (corps,) = re.findall(r"""-d ('\{"quartier": "saint-michel".*?\}') "\$API/saisies/" """, texte)
    (contenu,) = re.findall(r"cat > valeurs\.json <<'JSON'\n(.*?)\nJSON\n", texte, re.S)
    return requete, extraction, corps, json.loads(contenu)


def _shell(mot: str, **variables: str) -> str:
    """Ce que bash fait d'un mot du README (guillemets, $VARIABLE)."""
    resultat = subprocess.run(
        ["bash", "-c", f"printf %s {mot}"],
        env={**os.environ, **variables},
        capture_output=True,
        text=True,
        check=True,
    )
    return resultat.stdout


def test_l_exemple_de_l_api_du_readme_va_jusqu_a_soumise():
    call_command("charger_demo", verbosity=0)
    requete, extraction, corps, valeurs = _exemple()
    client = APIClient()
    client.force_authenticate(Utilisateur.objects.get(email="coordination@demo.evalpic.ca"))
    api = "/api/v1"

    # 0) La période ouverte, lue comme le README la lit (la réponse passée au script python3).
    periodes = client.get(f"{api}{requete}")
    assert periodes.status_code == 200, periodes.content
    lue = subprocess.run(
        [sys.executable, "-c", extraction],
        input=periodes.content.decode(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    ouverte = Periode.objects.filter(statut=StatutPeriode.OUVERTE).order_by("-debut").first()
    assert lue == ouverte.code

    ouverture = client.post(
        f"{api}/saisies/", json.loads(_shell(corps, PERIODE=lue)), format="json"
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
