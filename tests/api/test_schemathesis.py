"""schemathesis contre le schéma OpenAPI de drf-spectacular, servi par un vrai serveur de test :
sur toutes les opérations, avec le jeton d'une évaluatrice et des données, aucune erreur serveur
et aucune réponse qui contredit le schéma (statut documenté, type de contenu, forme du corps)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from quartiers.jetons import creer_jeton
from quartiers.models import Utilisateur

pytestmark = pytest.mark.django_db(transaction=True)

VERIFICATIONS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
    ]
)


def test_l_api_respecte_son_schema(live_server, tmp_path):
    call_command("charger_demo", verbosity=0)  # des données variées : champs vides compris
    evaluatrice = Utilisateur.objects.get(email="evaluation@demo.evalpic.ca")
    _jeton, cle = creer_jeton(utilisateur=evaluatrice, nom="schemathesis")
    commande = [
        str(Path(sys.executable).with_name("schemathesis")),
        "run",
        f"{live_server.url}/api/schema/",
        "--header",
        f"Authorization: Bearer {cle}",
        "--checks",
        VERIFICATIONS,
        "--max-examples",
        "8",
        "--workers",
        "1",  # plus de 1 : bogue de CPython 3.11 (DESIGN.md)
        "--seed",
        "2026",
        "--phases",
        "examples,fuzzing",
        "--generation-allow-x00",
        "false",
        "--suppress-health-check",
        "all",
    ]
    if not Path(commande[0]).exists():
        commande[0] = shutil.which("schemathesis") or commande[0]
    resultat = subprocess.run(
        commande,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, "NO_COLOR": "1"},
        check=False,
    )
    sortie = resultat.stdout + resultat.stderr
    assert resultat.returncode == 0, sortie[-8000:]
