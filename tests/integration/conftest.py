"""Un vrai worker Celery, dans un processus à part, sur un vrai Redis et la base de test.

Le worker est lancé par la session de test (`celery -A evalpic worker`, pool prefork), avec :

- `DATABASE_URL` : la base de test que pytest-django vient de créer (`test_<NAME>`); les tests
  sont transactionnels, pour que le worker voie des données validées;
- `CELERY_BROKER_URL` : le Redis de test (`TEST_REDIS_URL`, base vidée avant chaque test);
- `MEDIA_ROOT` : un répertoire temporaire que le processus de test lit aussi.

Le processus de test, lui, envoie ses tâches à ce même Redis (plus de mode embarqué). Sans Redis
joignable, ou sans PostgreSQL, les tests d'intégration sont sautés avec la raison.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
DELAI_DEMARRAGE = 60  # secondes pour qu'un worker réponde au ping
DELAI_ARRET = 20  # secondes d'arrêt à chaud avant SIGKILL


def redis_joignable(url: str = REDIS_URL) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2).ping())
    except Exception:
        return False


# --- Les processus ------------------------------------------------------------------------------


def _parents() -> dict[int, int]:
    """pid → pid du parent, pour tous les processus visibles (lu dans /proc)."""
    parents = {}
    for entree in Path("/proc").iterdir():
        if not entree.name.isdigit():
            continue
        try:
            stat = (entree / "stat").read_text()
        except OSError:
            continue
        # « pid (comm) état ppid … » : comm peut contenir espaces et parenthèses.
        champs = stat[stat.rindex(")") + 2 :].split()
        parents[int(entree.name)] = int(champs[1])
    return parents


def descendants(pid: int) -> list[int]:
    """Tous les descendants d'un processus (les chromium de kaleido sont dans leur propre
    session : tuer le groupe du worker ne les atteint pas)."""
    parents = _parents()
    trouves, a_voir = [], [pid]
    while a_voir:
        courant = a_voir.pop()
        enfants = [p for p, parent in parents.items() if parent == courant]
        trouves += enfants
        a_voir += enfants
    return trouves


def _tuer(pids: list[int]) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)


class Worker:
    """Un worker Celery lancé, tué, relancé par le test. Chaque lancement a son journal."""

    def __init__(self, *, database_url: str, media_root: Path, journaux: Path):
        self.database_url = database_url
        self.media_root = media_root
        self.journaux = journaux
        self.processus: subprocess.Popen | None = None
        self.nom = ""
        self.lancements: list[Path] = []

    # -- lancer ---------------------------------------------------------------------------------

    def environnement(self, *, resultats: bool = False) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            DATABASE_URL=self.database_url,
            CELERY_BROKER_URL=REDIS_URL,
            DJANGO_DEBUG="true",
            DJANGO_SETTINGS_MODULE="evalpic.settings",
            MEDIA_ROOT=str(self.media_root),
            PYTHONUNBUFFERED="1",
        )
        env.pop("CELERY_RESULT_BACKEND", None)
        if resultats:  # le stockage des résultats des chords : le bilan du PIC se répartit
            env["CELERY_RESULT_BACKEND"] = REDIS_URL
        return env

    def demarrer(self, *, concurrence: int = 1, resultats: bool = False) -> None:
        from django.conf import settings

        assert self.processus is None or self.processus.poll() is not None, "déjà lancé"
        self.nom = f"integ-{uuid.uuid4().hex[:10]}"
        journal = self.journaux / f"worker-{len(self.lancements) + 1}-{self.nom}.log"
        self.lancements.append(journal)
        commande = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "evalpic",
            "worker",
            "--pool",
            "prefork",
            "--concurrency",
            str(concurrence),
            "-l",
            "info",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
            "-n",
            f"{self.nom}@%h",
        ]
        with journal.open("wb") as sortie:
            self.processus = subprocess.Popen(
                commande,
                cwd=settings.BASE_DIR,
                env=self.environnement(resultats=resultats),
                stdout=sortie,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # son propre groupe : on tue le worker et ses enfants
            )
        self._attendre_pret()

    def _attendre_pret(self) -> None:
        from evalpic.celery import app

        fin = time.monotonic() + DELAI_DEMARRAGE
        while time.monotonic() < fin:
            if self.processus.poll() is not None:
                raise AssertionError(
                    f"Le worker s'est arrêté au démarrage (code {self.processus.returncode}).\n"
                    + self.journal()
                )
            reponses = app.control.ping(timeout=1.0)
            if any(nom.startswith(f"{self.nom}@") for r in reponses for nom in r):
                return
        raise AssertionError(
            f"Le worker n'a pas répondu au ping en {DELAI_DEMARRAGE} s.\n" + self.journal()
        )

    # -- arrêter --------------------------------------------------------------------------------

    @property
    def vivant(self) -> bool:
        return self.processus is not None and self.processus.poll() is None

    def tuer(self) -> None:
        """SIGKILL au worker, à ses processus du pool et à leurs chromium, sans rien nettoyer :
        comme un conteneur tué ou une machine qui s'éteint."""
        if not self.vivant:
            return
        pid = self.processus.pid
        enfants = descendants(pid)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGKILL)
        _tuer([pid, *enfants])
        self.processus.wait(timeout=10)

    def arreter(self) -> None:
        """Arrêt à chaud (SIGTERM), puis SIGKILL après DELAI_ARRET; aucun chromium orphelin."""
        if self.processus is None:
            return
        pid = self.processus.pid
        enfants = descendants(pid) if self.vivant else []
        if self.vivant:
            self.processus.terminate()
            try:
                self.processus.wait(timeout=DELAI_ARRET)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(pid, signal.SIGKILL)
                self.processus.wait(timeout=10)
        _tuer(enfants)  # les survivants (chromium dans leur propre session)

    # -- lire -----------------------------------------------------------------------------------

    def journal(self) -> str:
        morceaux = []
        for chemin in self.lancements:
            texte = chemin.read_text(errors="replace") if chemin.exists() else ""
            morceaux.append(f"===== {chemin.name} =====\n{texte}")
        return "\n".join(morceaux)


# --- Les fixtures -------------------------------------------------------------------------------


def _url_de_la_base(reglages: dict) -> str:
    utilisateur = quote(reglages.get("USER") or "", safe="")
    mot_de_passe = quote(reglages.get("PASSWORD") or "", safe="")
    authentification = f"{utilisateur}:{mot_de_passe}@" if utilisateur else ""
    hote = reglages.get("HOST") or "localhost"
    port = f":{reglages['PORT']}" if reglages.get("PORT") else ""
    return f"postgres://{authentification}{hote}{port}/{quote(reglages['NAME'], safe='')}"


def _oublier_les_connexions(app) -> None:
    """Les connexions au broker mises en commun par l'app visent peut-être l'ancienne URL. (Pas
    de `force_close_all` : kombu garde le pool dans son registre global, par connexion, et le
    rendrait fermé au prochain usage.)"""
    app._pool = None
    with contextlib.suppress(AttributeError, KeyError):
        app.__dict__["amqp"]._producer_pool = None


@pytest.fixture
def celery_sur_redis(settings):
    """Le processus de test envoie ses tâches au Redis de test au lieu de les exécuter lui-même."""
    from evalpic.celery import app

    anciens = {cle: app.conf[cle] for cle in ("broker_url", "task_always_eager")}
    settings.CELERY_BROKER_URL = REDIS_URL
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.broker_url = REDIS_URL
    app.conf.task_always_eager = False
    _oublier_les_connexions(app)
    yield app
    for cle, valeur in anciens.items():
        app.conf[cle] = valeur
    _oublier_les_connexions(app)


@pytest.fixture
def fichiers_partages(settings, tmp_path) -> Path:
    """Le stockage des fichiers, partagé par le test et le worker."""
    media = tmp_path / "media"
    media.mkdir()
    settings.MEDIA_ROOT = media
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(media)},
        },
    }
    return media


@pytest.fixture
def worker_arrete(transactional_db, celery_sur_redis, fichiers_partages, tmp_path):
    """Un worker prêt à lancer (`demarrer`), arrêté et ses chromium tués au démontage, avant que
    pytest-django ne vide la base."""
    import redis
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip(
            "Les tests d'intégration partagent la base de test avec un worker : il faut "
            "PostgreSQL (DATABASE_URL=postgres://…), pas SQLite."
        )
    redis.Redis.from_url(REDIS_URL).flushdb()
    journaux = tmp_path / "journaux"
    journaux.mkdir()
    worker = Worker(
        database_url=_url_de_la_base(connection.settings_dict),
        media_root=fichiers_partages,
        journaux=journaux,
    )
    try:
        yield worker
    finally:
        worker.arreter()
        redis.Redis.from_url(REDIS_URL).flushdb()


@pytest.fixture
def worker(worker_arrete) -> Worker:
    """Un worker lancé (une seule tâche à la fois) et qui répond au ping."""
    worker_arrete.demarrer()
    return worker_arrete


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Sur un échec, le journal de chaque worker lancé par le test accompagne le rapport."""
    rapport = yield
    if rapport.failed:
        worker = item.funcargs.get("worker") or item.funcargs.get("worker_arrete")
        if isinstance(worker, Worker) and worker.lancements:
            rapport.sections.append(("journal du worker Celery", worker.journal()))
    return rapport
