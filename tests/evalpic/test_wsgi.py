"""Le point d'entrée WSGI gèle, pour le ramasse-miettes, ce que l'application a chargé (vues
comprises) : les collectes complètes ne reparcourent plus ces objets à chaque fois."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from django.conf import settings


def test_l_application_chargee_est_gelee_pour_le_ramasse_miettes():
    code = (
        "import gc, json, sys; import evalpic.wsgi; "
        "print(json.dumps({'geles': gc.get_freeze_count(), "
        "'vues': 'rapports.views' in sys.modules}))"
    )
    environnement = {
        **os.environ,
        "DJANGO_DEBUG": "true",
        "DJANGO_SETTINGS_MODULE": "evalpic.settings",
    }
    sortie = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=environnement,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    resultat = json.loads(sortie.strip().splitlines()[-1])
    assert resultat["vues"]  # les vues sont chargées avant le gel
    assert resultat["geles"] > 50_000
