"""Les réglages : la production refuse de démarrer sans secret."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent


def _importer_reglages(env: dict) -> subprocess.CompletedProcess:
    environnement = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environnement.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import evalpic.settings"],
        cwd=RACINE,
        env=environnement,
        capture_output=True,
        text=True,
        check=False,
    )


def test_la_production_refuse_de_demarrer_sans_secret():
    resultat = _importer_reglages({"DJANGO_DEBUG": "false"})
    assert resultat.returncode != 0
    assert "DJANGO_SECRET_KEY" in resultat.stderr


def test_la_production_demarre_avec_un_secret():
    resultat = _importer_reglages({"DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": "x" * 60})
    assert resultat.returncode == 0, resultat.stderr


def test_chaque_variable_lue_est_documentee_dans_env_example():
    import re

    lues = set(
        re.findall(r'env(?:\.\w+)?\(\s*"([A-Z_]+)"', (RACINE / "evalpic/settings.py").read_text())
    )
    documentees = set(re.findall(r"^#? ?([A-Z_]+)=", (RACINE / ".env.example").read_text(), re.M))
    assert lues, "aucune variable trouvée : l'expression régulière ne lit plus settings.py"
    assert lues - documentees == set()


def test_check_deploy_est_propre_avec_les_reglages_de_production():
    environnement = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environnement.update(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="une-cle-de-production-longue-et-aleatoire-" + "x" * 40,
        DJANGO_ALLOWED_HOSTS="evalpic.example.org",
        # Sans elles, check --deploy avertit (evalpic.W001 à W005 : tests/evalpic/
        # test_verifications_deploiement.py).
        SITE_URL="https://evalpic.example.org",
        DEFAULT_FROM_EMAIL="ÉvalPIC <evalpic@evalpic.ca>",
        EMAIL_URL="smtp+tls://evalpic:motdepasse@smtp.evalpic.ca:587",
        EVALPIC_MFA_CLE="une-cle-propre-aux-secrets-de-double-authentification",
    )
    resultat = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=RACINE,
        env=environnement,
        capture_output=True,
        text=True,
        check=False,
    )
    assert resultat.returncode == 0, resultat.stdout + resultat.stderr


def test_les_anciennes_cles_viennent_de_l_environnement():
    """Une rotation de DJANGO_SECRET_KEY garde les anciennes clés lisibles le temps de la
    transition (sessions, liens de réinitialisation, secrets TOTP chiffrés)."""
    resultat = subprocess.run(
        [
            sys.executable,
            "-c",
            "from evalpic import settings; print('|'.join(settings.SECRET_KEY_FALLBACKS))",
        ],
        cwd=RACINE,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": "x" * 60,
            "DJANGO_SECRET_KEY_FALLBACKS": "ancienne-a,ancienne-b",
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert resultat.returncode == 0, resultat.stderr
    assert resultat.stdout.strip() == "ancienne-a|ancienne-b"
