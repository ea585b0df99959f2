"""scripts/sauvegarder.sh puis scripts/restaurer.sh, pour de vrai : la base de test (données
de démonstration et un bilan prêt, validées) est sauvegardée avec ses fichiers, puis restaurée
dans une base neuve et un dossier neuf; la copie a les mêmes lignes, les mêmes fichiers, et
passe `verifier_integrite`. Une base non vide est refusée; une sauvegarde altérée aussi."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
from pathlib import Path

import psycopg
import pytest
from django.conf import settings as reglages
from django.core.management import call_command
from django.db import connection
from psycopg import sql

from indicateurs.models import Periode, StatutPeriode
from quartiers.models import Quartier
from tests.evalpic.donnees_integrite import bilan_pret

RACINE = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not (shutil.which("pg_dump") and shutil.which("pg_restore") and shutil.which("psql")),
        reason="outils clients PostgreSQL absents",
    ),
]


def url_de(base: str) -> str:
    p = connection.settings_dict
    return f"postgres://{p['USER']}:{p['PASSWORD']}@{p['HOST']}:{p['PORT']}/{base}"


def lancer(script: str, *arguments: str, base: str, media: Path) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DJANGO_DEBUG": "true",
        "DATABASE_URL": url_de(base),
        "MEDIA_ROOT": str(media),
    }
    env.pop("CELERY_BROKER_URL", None)
    return subprocess.run(
        [str(RACINE / "scripts" / script), *arguments],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def connexion(base: str) -> psycopg.Connection:
    p = connection.settings_dict
    return psycopg.connect(
        host=p["HOST"],
        port=p["PORT"],
        user=p["USER"],
        password=p["PASSWORD"],
        dbname=base,
        autocommit=True,
    )


def effectifs(base: str) -> dict[str, int]:
    """Le nombre de lignes de chaque table du schéma public."""
    with connexion(base) as c:
        tables = [
            t
            for (t,) in c.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        return {
            t: c.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(t))).fetchone()[0]
            for t in tables
        }


@pytest.fixture
def base_neuve():
    """Une base vide, supprimée à la fin (même si le test échoue)."""
    nom = f"{connection.settings_dict['NAME']}_restauree_{secrets.token_hex(4)}"
    with connexion("postgres") as c:
        c.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(nom)))
    yield nom
    with connexion("postgres") as c:
        c.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(nom)))


@pytest.fixture
def media(settings, tmp_path) -> Path:
    dossier = tmp_path / "media"
    settings.MEDIA_ROOT = dossier
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(dossier)},
        },
    }
    return dossier


def test_sauvegarder_puis_restaurer_dans_une_base_neuve(media, tmp_path, base_neuve):
    call_command("charger_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    fermee = Periode.objects.filter(statut=StatutPeriode.FERMEE).order_by("-debut").first()
    bilan = bilan_pret(Quartier.objects.get(slug="saint-michel"), fermee.annee, fermee.trimestre)
    source = reglages.DATABASES["default"]["NAME"]

    sauvegarde = lancer("sauvegarder.sh", str(tmp_path / "sauvegardes"), base=source, media=media)
    assert sauvegarde.returncode == 0, sauvegarde.stderr
    dossier = Path(sauvegarde.stdout.strip().splitlines()[-1])
    assert sorted(p.name for p in dossier.iterdir()) == [
        "base.dump",
        "manifeste.json",
        "media.tar.gz",
    ]
    manifeste = json.loads((dossier / "manifeste.json").read_text())
    assert manifeste["base"] == source
    derniere = max(p.stem for p in (RACINE / "rapports" / "migrations").glob("0*.py"))
    assert manifeste["migrations"]["rapports"] == derniere  # la dernière appliquée
    assert set(manifeste["versions"]) >= {"evalpic", "django", "postgresql", "pg_dump"}

    copie = tmp_path / "media-restaure"
    restauration = lancer("restaurer.sh", str(dossier), base=base_neuve, media=copie)
    assert restauration.returncode == 0, restauration.stdout + restauration.stderr
    assert "aucun problème" in restauration.stdout
    assert effectifs(base_neuve) == effectifs(source)
    assert effectifs(base_neuve)["indicateurs_valeur"] > 500
    for nom in (bilan.fichier_pdf.name, bilan.fichier_csv.name):
        assert (copie / nom).read_bytes() == (media / nom).read_bytes()

    # Une seconde restauration sur la copie, désormais non vide, est refusée sans --force.
    refus = lancer("restaurer.sh", str(dossier), base=base_neuve, media=tmp_path / "vide")
    assert refus.returncode != 0
    assert "n'est pas vide" in refus.stderr


def test_une_sauvegarde_alteree_n_est_pas_restauree(media, tmp_path, base_neuve):
    source = reglages.DATABASES["default"]["NAME"]
    sauvegarde = lancer("sauvegarder.sh", str(tmp_path / "sauvegardes"), base=source, media=media)
    assert sauvegarde.returncode == 0, sauvegarde.stderr
    dossier = Path(sauvegarde.stdout.strip().splitlines()[-1])
    with open(dossier / "base.dump", "r+b") as archive:
        archive.seek(200)
        octet = archive.read(1)
        archive.seek(200)
        archive.write(bytes([octet[0] ^ 0xFF]))

    restauration = lancer("restaurer.sh", str(dossier), base=base_neuve, media=tmp_path / "copie")
    assert restauration.returncode != 0
    assert "base.dump" in restauration.stderr
    assert effectifs(base_neuve) == {}
