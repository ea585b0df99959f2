"""Le serveur de démonstration sur un autre port, comme le dit le README.

`ADRESSE=127.0.0.1:8113 scripts/demarrer.sh` lance runserver sur ce port; sans `SITE_URL`, les
liens des courriels doivent viser ce même serveur, pas le défaut de settings.py
(`http://127.0.0.1:8000`). Les fonctions de scripts/_commun.sh sont lancées par bash, avec
l'environnement de chaque cas.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

RACINE = Path(__file__).resolve().parent.parent
COMMUN = RACINE / "scripts" / "_commun.sh"
DEMARRER = RACINE / "scripts" / "demarrer.sh"

pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason="bash absent")


def bash(script: str, racine: Path | None = None, **variables: str) -> str:
    """La sortie de `script`, lancé après `source scripts/_commun.sh`, sans SITE_URL ni ADRESSE
    venus du poste (seulement ceux de `variables`), ni le .env du poste : RACINE est `racine`
    (un dossier vide par défaut)."""
    environnement = {
        cle: valeur for cle, valeur in os.environ.items() if cle not in {"SITE_URL", "ADRESSE"}
    }
    with tempfile.TemporaryDirectory(prefix="evalpic-racine-") as vide:
        commande = f'source "$1"\nRACINE="$2"\n{script}'
        resultat = subprocess.run(
            ["bash", "-c", commande, "bash", str(COMMUN), str(racine or vide)],
            capture_output=True,
            text=True,
            env={**environnement, **variables},
            timeout=30,
            check=False,
        )
    assert resultat.returncode == 0, resultat.stderr
    return resultat.stdout.strip()


@pytest.mark.parametrize(
    ("adresse", "attendu"),
    [
        ("127.0.0.1:8113", "http://127.0.0.1:8113"),
        ("localhost:9000", "http://localhost:9000"),
        ("8113", "http://127.0.0.1:8113"),  # runserver accepte le port seul
        ("0.0.0.0:8113", "http://127.0.0.1:8113"),  # écoute partout : lien vers la machine
        ("0:8113", "http://127.0.0.1:8113"),  # le raccourci de 0.0.0.0 pour runserver
        ("[::]:8113", "http://[::1]:8113"),
        ("[::1]:8113", "http://[::1]:8113"),
    ],
)
def test_l_adresse_des_liens_vient_de_celle_du_serveur(adresse, attendu):
    assert bash('site_url_de_l_adresse "$ADRESSE"', ADRESSE=adresse) == attendu


def test_sans_site_url_les_liens_suivent_le_port_choisi():
    sortie = bash(
        'preparer_adresse; echo "$ADRESSE $SITE_URL"; bash -c \'echo "$SITE_URL"\'',
        ADRESSE="127.0.0.1:8113",
    )
    # Exportée : manage.py, lancé par le script, la lit.
    assert sortie.splitlines() == ["127.0.0.1:8113 http://127.0.0.1:8113", "http://127.0.0.1:8113"]


def test_sans_adresse_le_serveur_et_les_liens_gardent_le_port_8000():
    assert bash('preparer_adresse; echo "$ADRESSE $SITE_URL"') == (
        "127.0.0.1:8000 http://127.0.0.1:8000"
    )


def test_un_site_url_pose_est_garde():
    sortie = bash(
        'preparer_adresse; echo "$SITE_URL"',
        ADRESSE="127.0.0.1:8113",
        SITE_URL="https://evalpic.example.org",
    )
    assert sortie == "https://evalpic.example.org"


def test_un_site_url_du_fichier_env_est_garde(tmp_path):
    """settings.py lit .env sans écraser l'environnement : le script n'exporte rien qui le
    masquerait."""
    (tmp_path / ".env").write_text("SITE_URL=https://tunnel.example.org\n", encoding="utf-8")
    sortie = bash(
        'preparer_adresse; echo "[${SITE_URL:-}]"', racine=tmp_path, ADRESSE="127.0.0.1:8113"
    )
    assert sortie == "[]"
    (tmp_path / ".env").write_text("# SITE_URL=https://tunnel.example.org\n", encoding="utf-8")
    sortie = bash('preparer_adresse; echo "$SITE_URL"', racine=tmp_path, ADRESSE="8113")
    assert sortie == "http://127.0.0.1:8113"


def test_les_lignes_d_accueil_de_demarrer_passent_sous_set_u_avec_site_url_dans_env(tmp_path):
    """Avec SITE_URL dans .env (le script ne le pose pas), les lignes que demarrer.sh écrit
    avant runserver ne doivent pas arrêter le script (`set -u` : « SITE_URL: unbound
    variable », plus de serveur)."""
    (tmp_path / ".env").write_text("SITE_URL=https://tunnel.example.org\n", encoding="utf-8")
    script = DEMARRER.read_text(encoding="utf-8")
    accueil = [ligne for ligne in script.splitlines() if ligne.startswith("echo ")]
    assert any("SITE_URL" in ligne for ligne in accueil)  # le test lit bien ces lignes
    sortie = bash(
        "set -u; preparer_adresse; " + "; ".join(accueil),
        racine=tmp_path,
        ADRESSE="127.0.0.1:8113",
    )
    assert "http://127.0.0.1:8113/" in sortie


def test_demarrer_prepare_l_adresse_avant_de_lancer_le_serveur():
    script = DEMARRER.read_text(encoding="utf-8")
    appel = re.search(r"^preparer_adresse$", script, re.MULTILINE)
    serveur = script.index('manage.py runserver "$ADRESSE"')
    assert appel and appel.start() < script.index("manage.py migrate") < serveur


def test_le_readme_dit_comment_changer_de_port():
    readme = (RACINE / "README.md").read_text(encoding="utf-8")
    assert "ADRESSE=127.0.0.1:8113 scripts/demarrer.sh" in readme
