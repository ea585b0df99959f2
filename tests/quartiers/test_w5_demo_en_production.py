"""`manage.py charger_demo` hors développement : la démonstration crée `admin@demo.evalpic.ca`
(superutilisateur au mot de passe publié dans le README) et écrit ses données dans les vrais
quartiers. Avec DJANGO_DEBUG faux, elle demande --production-de-demonstration (le service demo
de compose le passe), et refuse une base qui contient des données réelles."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from indicateurs.models import EvenementSaisie, Saisie, TypeEvenement
from quartiers.management.commands.charger_demo import donnees_reelles
from quartiers.models import Utilisateur
from tests.factories import (
    IndicateurSuiviFactory,
    PartenaireFactory,
    StrategieFactory,
    periode_du_trimestre,
)

pytestmark = pytest.mark.django_db

DRAPEAU = "--production-de-demonstration"


@pytest.fixture
def production(settings):
    """DJANGO_DEBUG faux au démarrage (les tests, eux, démarrent avec DJANGO_DEBUG=true)."""
    settings.EVALPIC_DEMO_PERMISE = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return settings


def _charger(*arguments: str) -> str:
    sortie = StringIO()
    with translation.override("fr"):
        call_command("charger_demo", *arguments, stdout=sortie)
    return sortie.getvalue()


def test_en_production_sans_le_drapeau_rien_n_est_charge(production):
    with pytest.raises(CommandError) as refus:
        _charger()
    message = str(refus.value)
    assert "DJANGO_DEBUG" in message and DRAPEAU in message
    assert "mot de passe publié" in message
    assert not Utilisateur.objects.filter(email="admin@demo.evalpic.ca").exists()
    assert not Saisie.objects.exists()


def test_en_production_avec_le_drapeau_sur_une_base_neuve_et_de_nouveau(production):
    """Le service demo de compose, lancé deux fois : la seconde fois, la base ne contient que
    ce que la démonstration a écrit, qui n'est pas « réel »."""
    assert "Données de démonstration chargées" in _charger(DRAPEAU)
    assert Utilisateur.objects.filter(email="admin@demo.evalpic.ca").exists()
    assert donnees_reelles() == []
    assert "Données de démonstration chargées" in _charger(DRAPEAU)


def _saisie(alice, quartier_a, **champs) -> Saisie:
    return Saisie.objects.create(
        table=quartier_a.table, periode=periode_du_trimestre(2025, 1), **champs
    )


DONNEES_REELLES = {
    "saisie soumise": (
        lambda alice, quartier_a: _saisie(alice, quartier_a, statut="soumise", soumise_par=alice),
        "1 saisie faite par un autre compte",
    ),
    "saisie ouverte": (
        lambda alice, quartier_a: EvenementSaisie.objects.create(
            saisie=_saisie(alice, quartier_a),
            type_evenement=TypeEvenement.CREATION,
            auteur=alice,
            version=1,
        ),
        "1 saisie faite par un autre compte",
    ),
    "partenaire": (lambda alice, quartier_a: PartenaireFactory(), "1 partenaire non marqué"),
    "stratégie": (
        lambda alice, quartier_a: StrategieFactory(quartier=quartier_a),
        "1 stratégie de changement non marquée fictive",
    ),
    "indicateur suivi": (
        lambda alice, quartier_a: IndicateurSuiviFactory(quartier=quartier_a),
        "1 indicateur suivi dont la source de la référence n'est pas fictive",
    ),
}


@pytest.mark.parametrize(("creer", "attendu"), DONNEES_REELLES.values(), ids=DONNEES_REELLES)
def test_en_production_une_base_avec_des_donnees_reelles_est_refusee(
    production, alice, quartier_a, creer, attendu
):
    creer(alice, quartier_a)
    with pytest.raises(CommandError) as refus:
        _charger(DRAPEAU)
    assert "données réelles" in str(refus.value)
    assert attendu in str(refus.value)
    assert not Utilisateur.objects.filter(email="admin@demo.evalpic.ca").exists()


def test_en_developpement_ni_drapeau_ni_verification(settings, alice, quartier_a):
    """scripts/demarrer.sh (DJANGO_DEBUG=true) : comme avant, même sur une base de travail."""
    settings.EVALPIC_DEMO_PERMISE = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    PartenaireFactory()
    assert "Données de démonstration chargées" in _charger()


@pytest.mark.parametrize(("debug", "permise"), [("true", "True"), ("false", "False")])
def test_la_demo_est_permise_selon_django_debug_au_demarrage(debug, permise):
    environnement = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environnement.update(DJANGO_DEBUG=debug, DJANGO_SECRET_KEY="x" * 60)
    resultat = subprocess.run(
        [
            sys.executable,
            "-c",
            "from evalpic import settings; print(settings.EVALPIC_DEMO_PERMISE)",
        ],
        env=environnement,
        capture_output=True,
        text=True,
        check=False,
    )
    assert resultat.returncode == 0, resultat.stderr
    assert resultat.stdout.strip() == permise


def test_scripts_demarrer_sh_charge_la_demo_en_developpement():
    """Le script de démonstration pose DJANGO_DEBUG=true (à moins qu'on le fixe) avant
    charger_demo : il n'a pas besoin du drapeau."""
    from django.conf import settings

    script = (settings.BASE_DIR / "scripts" / "demarrer.sh").read_text(encoding="utf-8")
    assert 'export DJANGO_DEBUG="${DJANGO_DEBUG:-true}"' in script
    assert script.index("DJANGO_DEBUG") < script.index("charger_demo")
