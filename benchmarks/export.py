"""L'export CSV de toutes les valeurs visibles (`/export/valeurs.csv`), sur les données
d'échelle, comparé à son plancher : PostgreSQL `COPY` de la même requête, lu par psycopg et jeté
dans /dev/null. Usage : scripts/banc_export.sh (ou python -m benchmarks.export).

Le temps de la vue est mesuré à travers un vrai serveur HTTP (gunicorn, un worker sync, réglages
de production) et un client qui lit la réponse jusqu'au dernier octet, comme un navigateur : le
client de test de Django ne montrerait ni l'écriture sur la socket ni le découpage en blocs.
La mémoire est celle du worker : son pic de mémoire résidente (VmHWM) pendant l'export complet,
moins sa mémoire résidente juste avant (après une petite exportation d'échauffement). En plus,
dans un processus neuf, le pic des allocations Python (tracemalloc) pendant l'export complet
par le client de test.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.commun import port_libre, preparer_django

CHEMIN = "/export/valeurs.csv"
BLOC = 64 * 1024
RACINE = Path(__file__).resolve().parent.parent


# --- Plancher : COPY de la même requête -------------------------------------------------------


def copier_vers_dev_null(instruction: str) -> tuple[int, int]:
    """COPY lu par psycopg et écrit dans /dev/null; rend (octets, lignes)."""
    from django.db import connection

    octets = lignes = 0
    with (
        open(os.devnull, "wb") as poubelle,
        connection.cursor() as curseur,
        curseur.copy(instruction) as copie,
    ):
        for morceau in copie:
            poubelle.write(morceau)
            octets += len(morceau)
            lignes += 1
    return octets, lignes


# --- La vue, à travers gunicorn -----------------------------------------------------------------


@dataclass
class Serveur:
    processus: subprocess.Popen
    port: int
    journal: Path

    def worker(self) -> int:
        enfants = Path(f"/proc/{self.processus.pid}/task/{self.processus.pid}/children")
        return int(enfants.read_text().split()[0])

    def memoire_ko(self) -> dict[str, int]:
        """VmRSS et VmHWM (pic) du worker, en Kio."""
        etat = Path(f"/proc/{self.worker()}/status").read_text().splitlines()
        return {
            ligne.split(":")[0]: int(ligne.split()[1])
            for ligne in etat
            if ligne.startswith(("VmRSS", "VmHWM"))
        }

    def arreter(self) -> None:
        self.processus.terminate()
        self.processus.wait(timeout=30)


def demarrer_gunicorn(cle_secrete: str) -> Serveur:
    port = port_libre()
    journal = Path(tempfile.mkstemp(prefix="banc-export-gunicorn-", suffix=".log")[1])
    environnement = {
        **os.environ,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": cle_secrete,  # celle qui a signé la session de mesure
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
    }
    processus = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "evalpic.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--timeout",
            "300",
            "--error-logfile",
            str(journal),
        ],
        cwd=RACINE,
        env=environnement,
    )
    serveur = Serveur(processus, port, journal)
    for _ in range(100):
        time.sleep(0.2)
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            serveur.worker()
            return serveur
        except (OSError, ValueError, IndexError):
            if processus.poll() is not None:
                break
    serveur.arreter()
    raise SystemExit(f"gunicorn n'a pas démarré : voir {journal}")


def telecharger(port: int, session: str, requete: str = "") -> tuple[float, int, int]:
    """GET de l'export, lu jusqu'au dernier octet; rend (secondes, octets, fins de ligne)."""
    from django.conf import settings

    debut = time.perf_counter()
    connexion = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    connexion.request(
        "GET",
        CHEMIN + requete,
        headers={
            "Cookie": f"{settings.SESSION_COOKIE_NAME}={session}",
            "X-Forwarded-Proto": "https",  # réglages de production : sinon, redirection
        },
    )
    reponse = connexion.getresponse()
    assert reponse.status == 200, (reponse.status, reponse.read(500))
    octets = lignes = 0
    while morceau := reponse.read(BLOC):
        octets += len(morceau)
        lignes += morceau.count(b"\n")
    connexion.close()
    return time.perf_counter() - debut, octets, lignes


# --- Mémoire dans un processus neuf (tracemalloc) -----------------------------------------------


def memoire_en_processus() -> dict:
    """Dans ce processus (neuf) : échauffement, puis l'export complet par le client de test
    de Django, consommé bloc par bloc; pic tracemalloc et croissance de ru_maxrss."""
    import resource
    import tracemalloc

    from django.test import Client

    from benchmarks.commun import utilisateur_de_mesure

    client = Client()
    client.force_login(utilisateur_de_mesure())
    petit = _petit_filtre()
    for _ in client.get(CHEMIN, petit).streaming_content:
        pass
    rss_avant = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    octets = 0
    for morceau in client.get(CHEMIN).streaming_content:
        octets += len(morceau)
    _courant, pic = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_apres = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "octets": octets,
        "pic_tracemalloc_mio": pic / 2**20,
        "croissance_maxrss_mio": (rss_apres - rss_avant) / 1024,
    }


def _petit_filtre() -> dict[str, str]:
    """Un quartier et un indicateur : quelques dizaines de lignes, pour l'échauffement."""
    from indicateurs.models import Valeur

    premiere = Valeur.objects.values_list(
        "saisie__table__quartier__slug", "indicateur__code"
    ).first()
    return {"quartier": premiere[0], "indicateur": premiere[1]}


# --- Le banc ------------------------------------------------------------------------------------


def mesurer(repetitions: int) -> dict:
    from urllib.parse import urlencode

    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from benchmarks.commun import utilisateur_de_mesure
    from indicateurs.models import Valeur
    from rapports.export_valeurs import FiltresExport, requete_copy

    utilisateur = utilisateur_de_mesure()
    valeurs = Valeur.objects.count()
    instruction = requete_copy(utilisateur, FiltresExport())
    client = Client()
    client.force_login(utilisateur)
    petit = _petit_filtre()
    with CaptureQueriesContext(connection) as requetes:
        for _ in client.get(CHEMIN, petit).streaming_content:
            pass
    session = client.cookies[settings.SESSION_COOKIE_NAME].value

    serveur = demarrer_gunicorn(settings.SECRET_KEY)
    try:
        telecharger(serveur.port, session, "?" + urlencode(petit))  # échauffement
        avant = serveur.memoire_ko()
        premier = telecharger(serveur.port, session)
        apres = serveur.memoire_ko()
        vue, plancher = [premier[0]], []
        copie = copier_vers_dev_null(instruction)
        for _ in range(repetitions):  # en alternance, pour que la charge de la machine pèse
            plancher.append(_chrono(lambda: copier_vers_dev_null(instruction)))  # autant
            vue.append(telecharger(serveur.port, session)[0])
    finally:
        serveur.arreter()
    serveur.journal.unlink()  # gardé seulement si la mesure a échoué
    return {
        "valeurs_en_base": valeurs,
        "lignes_copy": copie[1],
        "octets_copy": copie[0],
        "octets_vue": premier[1],
        "lignes_vue": premier[2],
        "vue_s": statistics.median(vue),
        "copy_s": statistics.median(plancher),
        "rss_avant_mio": avant["VmRSS"] / 1024,
        "pic_mio": apres["VmHWM"] / 1024,
        "croissance_mio": (apres["VmHWM"] - avant["VmRSS"]) / 1024,
        "requetes": len(requetes),
    }


def _chrono(fonction) -> float:
    debut = time.perf_counter()
    fonction()
    return time.perf_counter() - debut


def imprimer(resultat: dict, memoire: dict | None) -> None:
    r = resultat
    entete = r["octets_vue"] - r["octets_copy"]  # BOM et ligne d'en-tête, écrits par la vue
    ratio = r["vue_s"] / r["copy_s"]
    print("\nExport CSV de toutes les valeurs visibles (évaluation : tous les quartiers)")
    print(f"  valeurs en base               {_milliers(r['valeurs_en_base']):>12}")
    print(
        f"  lignes : vue / COPY           {_milliers(r['lignes_vue']):>12} / "
        f"{_milliers(r['lignes_copy'])}  (la vue compte aussi l'en-tête)"
    )
    print(
        f"  octets : vue / COPY           {_milliers(r['octets_vue']):>12} / "
        f"{_milliers(r['octets_copy'])}  (BOM et en-tête : {entete} o)"
    )
    print(f"  vue par HTTP (médiane)        {r['vue_s']:>10.2f} s")
    print(f"  COPY vers /dev/null (médiane) {r['copy_s']:>10.2f} s")
    print(f"  ratio                         {ratio:>10.2f}×   (objectif ≤ 2)")
    print(f"  worker gunicorn : RSS avant {r['rss_avant_mio']:.1f} Mio, pic {r['pic_mio']:.1f} Mio")
    print(f"  croissance du pic mémoire     {r['croissance_mio']:>10.1f} Mio (objectif < 100)")
    print(f"  requêtes SQL de la vue        {r['requetes']:>10}   (filtrée : quartier, indicateur)")
    if memoire:
        print(
            "  processus neuf, client de test : pic tracemalloc "
            f"{memoire['pic_tracemalloc_mio']:.2f} Mio, croissance de ru_maxrss "
            f"{memoire['croissance_maxrss_mio']:.1f} Mio ({_milliers(memoire['octets'])} octets)"
        )


def _milliers(nombre: int) -> str:
    return f"{nombre:,}".replace(",", "\u202f")


def main() -> None:
    parseur = argparse.ArgumentParser(description=__doc__)
    parseur.add_argument("--repetitions", type=int, default=3)
    parseur.add_argument("--sans-tracemalloc", action="store_true")
    parseur.add_argument("--memoire-seule", action="store_true", help=argparse.SUPPRESS)
    arguments = parseur.parse_args()
    preparer_django()
    if arguments.memoire_seule:
        print(json.dumps(memoire_en_processus()))
        return
    resultat = mesurer(arguments.repetitions)
    memoire = None
    if not arguments.sans_tracemalloc:
        sortie = subprocess.run(
            [sys.executable, "-m", "benchmarks.export", "--memoire-seule"],
            cwd=RACINE,
            check=True,
            capture_output=True,
            text=True,
        )
        memoire = json.loads(sortie.stdout.strip().splitlines()[-1])
    imprimer(resultat, memoire)


if __name__ == "__main__":
    main()
