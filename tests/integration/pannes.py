"""Les outils des tests de pannes : un Redis à nous (tué, figé, relancé), un worker sur ce Redis,
un gunicorn à connexions persistantes, et la coupure des connexions de la base de test."""

from __future__ import annotations

import contextlib
import http.cookiejar
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from django.db import connection

from benchmarks.commun import port_libre
from tests.integration.conftest import Worker

GARDE_BLOCAGE = 30  # secondes : au-delà, une requête est tenue pour bloquée (Redis figé)


def oublier_les_connexions(app) -> None:
    """Les connexions au broker mises en commun visent peut-être l'ancien Redis (ou un Redis
    tué)."""
    app._pool = None
    with contextlib.suppress(AttributeError, KeyError):
        app.__dict__["amqp"]._producer_pool = None


class WorkerSurNotreRedis(Worker):
    def __init__(self, *, redis_url: str, **autres):
        super().__init__(**autres)
        self.redis_url = redis_url

    def environnement(self, *, resultats: bool = False) -> dict[str, str]:
        return {**super().environnement(resultats=resultats), "CELERY_BROKER_URL": self.redis_url}


@contextlib.contextmanager
def sans_blocage(secondes: int = GARDE_BLOCAGE):
    """Garde-fou, pas une mesure : sans délai de socket, une requête vers un Redis figé attend
    indéfiniment; on l'interrompt au bout de `secondes` et le test échoue avec la raison."""

    def bloque(_signum, _frame):
        raise AssertionError(f"Requête bloquée plus de {secondes} s par le Redis figé.")

    ancien = signal.signal(signal.SIGALRM, bloque)
    signal.alarm(secondes)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, ancien)


# --- La base de données ------------------------------------------------------------------------


class ServeurWeb:
    """Un gunicorn (1 processus, connexions persistantes) sur la base de test."""

    NOM = "evalpic-pannes-web"

    def __init__(self, journal: Path):
        self.port = port_libre()
        self.journal = journal
        self.processus: subprocess.Popen | None = None
        self.biscuits = http.cookiejar.CookieJar()
        self.ouvreur = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.biscuits), PasDeRedirection()
        )

    def demarrer(self, database_url: str) -> None:
        from django.conf import settings

        env = {
            **os.environ,
            "DATABASE_URL": f"{database_url}?application_name={self.NOM}",
            "DATABASE_CONN_MAX_AGE": "600",
            "DJANGO_DEBUG": "true",
            "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "evalpic.settings"),
            "CELERY_BROKER_URL": "",
        }
        commande = [sys.executable, "-m", "gunicorn", "evalpic.wsgi:application"]
        commande += ["--bind", f"127.0.0.1:{self.port}", "--workers", "1", "--timeout", "60"]
        with self.journal.open("wb") as sortie:
            self.processus = subprocess.Popen(
                commande,
                cwd=settings.BASE_DIR,
                env=env,
                stdout=sortie,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        fin = time.monotonic() + 60
        while self.get("/sante/")[0] != 200:
            if time.monotonic() > fin or self.processus.poll() is not None:
                raise AssertionError("gunicorn ne répond pas.\n" + self.lire_journal())
            time.sleep(0.2)

    def arreter(self) -> None:
        if self.processus is not None and self.processus.poll() is None:
            self.processus.terminate()
            try:
                self.processus.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.processus.kill()
                self.processus.wait(timeout=10)

    def lire_journal(self) -> str:
        return self.journal.read_text(errors="replace") if self.journal.exists() else ""

    def requete(self, chemin: str, donnees: dict | None = None) -> tuple[int, bytes]:
        corps = None
        entetes = {}
        if donnees is not None:
            corps = urllib.parse.urlencode(donnees).encode()
            jeton = next((b.value for b in self.biscuits if b.name == "csrftoken"), "")
            entetes = {"X-CSRFToken": jeton, "Content-Type": "application/x-www-form-urlencoded"}
        demande = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{chemin}", data=corps, headers=entetes
        )
        try:
            with self.ouvreur.open(demande, timeout=30) as reponse:
                return reponse.status, reponse.read()
        except urllib.error.HTTPError as erreur:
            return erreur.code, erreur.read()
        except (urllib.error.URLError, ConnectionError) as erreur:
            return 0, str(erreur).encode()

    def get(self, chemin: str) -> tuple[int, bytes]:
        return self.requete(chemin)

    def connecter(self, sessionid: str) -> None:
        from django.conf import settings

        biscuit = http.cookiejar.Cookie(
            0, settings.SESSION_COOKIE_NAME, sessionid, None, False, "127.0.0.1", False, False,
            "/", True, False, None, True, None, None, {},
        )  # fmt: skip
        self.biscuits.set_cookie(biscuit)


class PasDeRedirection(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # un 302 est une réponse comme une autre


def connexions_du_serveur() -> list[int]:
    with connection.cursor() as curseur:
        curseur.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND application_name = %s ORDER BY pid",
            [ServeurWeb.NOM],
        )
        return [ligne[0] for ligne in curseur.fetchall()]


def couper_les_connexions() -> int:
    """Ce que fait un redémarrage de PostgreSQL aux connexions ouvertes : il les ferme toutes.
    Attend que les processus coupés aient disparu (le signal est asynchrone)."""
    with connection.cursor() as curseur:
        curseur.execute(
            "SELECT pid, pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        coupees = [pid for pid, fait in curseur.fetchall() if fait]
        fin = time.monotonic() + 30
        while coupees and time.monotonic() < fin:
            curseur.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(%s)", [coupees])
            if not curseur.fetchone()[0]:
                break
            time.sleep(0.05)
    return len(coupees)


@contextlib.contextmanager
def base_fermee():
    """La base refuse toute nouvelle connexion (comme pendant un redémarrage) et ses connexions
    ouvertes sont coupées; la nôtre reste, pour la rouvrir."""
    nom = connection.settings_dict["NAME"]
    with connection.cursor() as curseur:
        curseur.execute(f'ALTER DATABASE "{nom}" CONNECTION LIMIT 0')
    try:
        couper_les_connexions()
        yield
    finally:
        with connection.cursor() as curseur:
            curseur.execute(f'ALTER DATABASE "{nom}" CONNECTION LIMIT -1')
