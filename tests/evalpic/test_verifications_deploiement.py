"""`manage.py check --deploy` avertit quand la production garde les valeurs du poste local :
liens des courriels vers http://127.0.0.1:8000, expéditeur d'exemple, courriels à la console
(evalpic.verifications). Des avertissements : le démarrage reste possible."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import checks

RACINE = Path(__file__).resolve().parent.parent.parent
SMTP = "django.core.mail.backends.smtp.EmailBackend"
CONSOLE = "django.core.mail.backends.console.EmailBackend"


@pytest.fixture
def production(settings):
    """Des réglages de production complets : aucune vérification ne dit rien."""
    settings.DEBUG = False
    settings.SITE_URL = "https://evalpic.centraide.org"
    settings.DEFAULT_FROM_EMAIL = "ÉvalPIC <evalpic@centraide.org>"
    settings.EMAIL_BACKEND = SMTP
    settings.EVALPIC_MFA_CLE = "une-cle-propre-aux-secrets-de-double-authentification"
    return settings


def _avertissements(deploiement: bool = True) -> dict[str, checks.CheckMessage]:
    messages = checks.run_checks(include_deployment_checks=deploiement, tags=["evalpic"])
    return {message.id: message for message in messages}


def test_des_reglages_de_production_complets_ne_donnent_aucun_avertissement(production):
    assert _avertissements() == {}


@pytest.mark.parametrize(
    ("site_url", "attendus"),
    [
        ("http://127.0.0.1:8000", {"evalpic.W001", "evalpic.W002"}),
        ("http://localhost:8000/", {"evalpic.W001", "evalpic.W002"}),
        ("https://localhost", {"evalpic.W002"}),
        ("https://[::1]:8443", {"evalpic.W002"}),
        ("http://evalpic.centraide.org", {"evalpic.W001"}),
        ("evalpic.centraide.org", {"evalpic.W001", "evalpic.W002"}),  # sans schéma : pas un lien
        ("https://evalpic.centraide.org/", set()),
    ],
)
def test_site_url_en_https_et_pas_la_machine_locale(production, site_url, attendus):
    production.SITE_URL = site_url
    avertissements = _avertissements()
    assert set(avertissements) == attendus
    for avertissement in avertissements.values():
        assert avertissement.level == checks.WARNING
        assert site_url in avertissement.msg
        assert "SITE_URL=https://" in avertissement.hint


@pytest.mark.parametrize(
    "expediteur",
    [
        "ÉvalPIC <evalpic@example.org>",
        "evalpic@example.com",
        "ÉvalPIC <evalpic@courriel.example.net>",
        "evalpic@evalpic.invalid",
        "root@localhost",
        "ÉvalPIC",
    ],
)
def test_l_expediteur_d_exemple_est_signale(production, expediteur):
    production.DEFAULT_FROM_EMAIL = expediteur
    avertissements = _avertissements()
    assert set(avertissements) == {"evalpic.W003"}
    assert "DEFAULT_FROM_EMAIL" in avertissements["evalpic.W003"].hint


def test_un_domaine_qui_contient_example_sans_en_etre_un_n_est_pas_signale(production):
    production.DEFAULT_FROM_EMAIL = "ÉvalPIC <evalpic@counterexample.org>"
    assert _avertissements() == {}


@pytest.mark.parametrize(
    "moteur",
    [
        CONSOLE,
        "django.core.mail.backends.dummy.EmailBackend",
        "django.core.mail.backends.locmem.EmailBackend",
    ],
)
def test_un_moteur_de_courriel_qui_n_envoie_rien_est_signale(production, moteur):
    production.EMAIL_BACKEND = moteur
    avertissements = _avertissements()
    assert set(avertissements) == {"evalpic.W004"}
    assert "EMAIL_URL=smtp" in avertissements["evalpic.W004"].hint


def test_une_production_sans_cle_propre_aux_secrets_mfa_est_signalee(production):
    """Sans EVALPIC_MFA_CLE, une rotation de SECRET_KEY rendrait les secrets TOTP illisibles."""
    production.EVALPIC_MFA_CLE = ""
    avertissements = _avertissements()
    assert set(avertissements) == {"evalpic.W005"}
    assert "EVALPIC_MFA_CLE=" in avertissements["evalpic.W005"].hint


def test_rien_en_developpement_ni_sans_deploy(production):
    production.SITE_URL = "http://127.0.0.1:8000"
    production.DEFAULT_FROM_EMAIL = "evalpic@example.org"
    production.EMAIL_BACKEND = CONSOLE
    assert len(_avertissements()) == 4
    assert _avertissements(deploiement=False) == {}  # `manage.py check` et runserver : rien
    production.DEBUG = True
    assert _avertissements() == {}


def _check_deploy(variables: dict[str, str], *options: str) -> subprocess.CompletedProcess:
    """`manage.py check --deploy` dans un processus neuf : les réglages relus de l'environnement."""
    lues = ("DJANGO_", "SITE_URL", "EMAIL_URL", "DEFAULT_FROM_EMAIL", "EVALPIC_MFA_CLE")
    environnement = {k: v for k, v in os.environ.items() if not k.startswith(lues)}
    environnement.update(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="une-cle-de-production-longue-et-aleatoire-" + "x" * 40,
        DJANGO_ALLOWED_HOSTS="evalpic.centraide.org",
        **variables,
    )
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", *options],
        cwd=RACINE,
        env=environnement,
        capture_output=True,
        text=True,
        check=False,
    )


def test_la_production_sans_ses_variables_de_courriel_est_signalee_par_check_deploy():
    resultat = _check_deploy({})
    sortie = resultat.stdout + resultat.stderr
    assert resultat.returncode == 0, sortie  # des avertissements : le démarrage reste possible
    for identifiant in ("evalpic.W001", "evalpic.W002", "evalpic.W003", "evalpic.W004"):
        assert identifiant in sortie
    assert "http://127.0.0.1:8000" in sortie and "evalpic@example.org" in sortie
    for variable in ("SITE_URL=", "DEFAULT_FROM_EMAIL=", "EMAIL_URL="):
        assert variable in sortie
    assert _check_deploy({}, "--fail-level", "WARNING").returncode != 0


def test_check_deploy_se_tait_avec_les_variables_de_courriel_de_production():
    resultat = _check_deploy(
        {
            "SITE_URL": "https://evalpic.centraide.org",
            "DEFAULT_FROM_EMAIL": "ÉvalPIC <evalpic@centraide.org>",
            "EMAIL_URL": "smtp+tls://evalpic:motdepasse@smtp.centraide.org:587",
            "EVALPIC_MFA_CLE": "une-cle-propre-aux-secrets-de-double-authentification",
        },
        "--fail-level",
        "WARNING",
    )
    assert resultat.returncode == 0, resultat.stdout + resultat.stderr
