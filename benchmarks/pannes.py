"""Le script des pannes (pas un test) : un vrai serveur gunicorn traverse une panne de Redis et,
si l'exploitant le permet, un redémarrage de PostgreSQL; on compte les requêtes réussies et
échouées pendant et après chaque panne.

Sans rien demander, il coupe aussi les connexions de son gunicorn à la base
(`pg_terminate_backend`, celles-là seulement : ce qu'un redémarrage fait aux connexions
persistantes, sans toucher aux autres clients du serveur).

Le script possède son Redis (un redis-server sur un port libre, sans persistance : il le tue, le
fige et le relance sans toucher au Redis partagé) et son gunicorn (2 processus, connexions
persistantes à la base, `CONN_MAX_AGE=600`, file de tâches et cache des limites de débit sur
ce Redis). La base est celle de
`DATABASE_URL`, migrée, avec les données de démonstration (`manage.py charger_demo`).

    DATABASE_URL=postgres://…/evalpic_pannes python -m benchmarks.pannes
    DATABASE_URL=… python -m benchmarks.pannes --redemarrer-postgresql \\
        "pg_ctlcluster --skip-systemctl-redirect 15 main restart"

Le redémarrage de PostgreSQL coupe **toutes** les bases du serveur : ne le demandez que si
personne d'autre ne s'en sert (tests, autres applications).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shlex
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.commun import attendre, port_libre, preparer_django, utilisateur_de_mesure
from benchmarks.redis_a_part import RedisAPart

RACINE = Path(__file__).resolve().parent.parent
NOM_APPLICATION = "evalpic-pannes"  # les connexions de notre gunicorn, et elles seules


# --- Ce que le script possède : un Redis, un gunicorn -------------------------------------------


class Gunicorn:
    def __init__(self, redis_url: str, journal: Path, processus: int):
        self.port = port_libre()
        self.redis_url = redis_url
        self.journal = journal
        self.nombre = processus
        self.processus: subprocess.Popen | None = None

    def demarrer(self) -> None:
        base = os.environ["DATABASE_URL"]
        env = {
            **os.environ,
            "DATABASE_URL": f"{base}{'&' if '?' in base else '?'}application_name={NOM_APPLICATION}",
            "DATABASE_CONN_MAX_AGE": "600",
            "DJANGO_DEBUG": os.environ.get("DJANGO_DEBUG", "true"),
            "CELERY_BROKER_URL": self.redis_url,
            # Le cache des limites de débit sur le même Redis, comme en production partagée.
            "CACHE_URL": self.redis_url.rsplit("/", 1)[0] + "/2",
            "PYTHONUNBUFFERED": "1",
        }
        commande = [sys.executable, "-m", "gunicorn", "evalpic.wsgi:application"]
        commande += ["--bind", f"127.0.0.1:{self.port}", "--workers", str(self.nombre)]
        commande += ["--timeout", "60", "--graceful-timeout", "5"]
        with self.journal.open("wb") as sortie:
            self.processus = subprocess.Popen(
                commande,
                cwd=RACINE,
                env=env,
                stdout=sortie,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        attendre(
            lambda: requete(f"{self.base}/sante/", {}, None)[0] in (200, 503),
            60,
            "gunicorn ne répond pas",
        )

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def arreter(self) -> None:
        if self.processus and self.processus.poll() is None:
            os.killpg(self.processus.pid, signal.SIGTERM)
            try:
                self.processus.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.processus.pid, signal.SIGKILL)
                self.processus.wait(timeout=10)


# --- Les requêtes -------------------------------------------------------------------------------


class SansRedirection(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OUVREUR = urllib.request.build_opener(SansRedirection())


def requete(url: str, entetes: dict, corps: dict | None) -> tuple[int, bytes, float]:
    """(statut, contenu, durée en ms); statut 0 si la connexion elle-même a échoué."""
    donnees = json.dumps(corps).encode() if corps is not None else None
    if donnees is not None:
        entetes = {**entetes, "Content-Type": "application/json"}
    demande = urllib.request.Request(url, data=donnees, headers=entetes)
    debut = time.perf_counter()
    try:
        with OUVREUR.open(demande, timeout=60) as reponse:
            statut, contenu = reponse.status, reponse.read()
    except urllib.error.HTTPError as erreur:
        statut, contenu = erreur.code, erreur.read()
    except (urllib.error.URLError, ConnectionError, TimeoutError) as erreur:
        statut, contenu = 0, str(erreur).encode()
    return statut, contenu, (time.perf_counter() - debut) * 1000


@dataclass
class Cible:
    nom: str
    chemin: str
    attendu: int = 200
    corps: dict | None = None


@dataclass
class Phase:
    """Les comptes d'une phase, par cible."""

    phase: str
    requetes: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
    bilans_demandes: list[dict] = field(default_factory=list)

    def noter(self, cible: Cible, statut: int, duree: float, contenu: bytes) -> None:
        self.requetes.setdefault(cible.nom, []).append((statut, duree))
        if cible.corps is not None and statut == 202:
            self.bilans_demandes.append(json.loads(contenu))

    def lignes(self, attendus: dict[str, int]) -> list[str]:
        lignes = []
        for nom, resultats in self.requetes.items():
            reussies = sum(1 for statut, _d in resultats if statut == attendus[nom])
            statuts = sorted({statut for statut, _d in resultats if statut != attendus[nom]})
            lignes.append(
                f"  {self.phase:<30} {nom:<22} {len(resultats):>5} {reussies:>8} "
                f"{len(resultats) - reussies:>8}  {max(d for _s, d in resultats):>9.0f} ms"
                + (f"   échecs : {statuts}" if statuts else "")
            )
        return lignes


class Client:
    def __init__(self, base: str, cibles: list[Cible], sessionid: str, jeton: str):
        self.base = base
        self.cibles = cibles
        self.sessionid = sessionid
        self.jeton = jeton
        self.attendus = {c.nom: c.attendu for c in cibles}

    def un_tour(self, phase: Phase) -> int:
        """Chaque cible une fois; le nombre d'échecs."""
        echecs = 0
        for cible in self.cibles:
            entetes = {"Cookie": f"sessionid={self.sessionid}"}
            if cible.chemin.startswith("/api/"):
                entetes = {"Authorization": f"Bearer {self.jeton}"}
            statut, contenu, duree = requete(self.base + cible.chemin, entetes, cible.corps)
            phase.noter(cible, statut, duree, contenu)
            echecs += statut != cible.attendu
        return echecs

    def pendant(self, phase: Phase, secondes: float) -> None:
        fin = time.monotonic() + secondes
        while time.monotonic() < fin:
            self.un_tour(phase)


# --- Les phases ---------------------------------------------------------------------------------


def preparer_cibles() -> tuple[list[Cible], str, str]:
    """Les pages et la demande de bilan, pour la personne de mesure (rôle d'évaluation)."""
    from django.test import Client as ClientDjango

    from indicateurs.models import Periode, StatutPeriode
    from quartiers.jetons import creer_jeton
    from quartiers.models import Quartier

    personne = utilisateur_de_mesure()
    client = ClientDjango()
    client.force_login(personne)
    _jeton, cle = creer_jeton(utilisateur=personne, nom="benchmarks.pannes")
    quartier = Quartier.objects.filter(indicateurs_suivis__isnull=False).order_by("slug").first()
    fermee = Periode.objects.filter(statut=StatutPeriode.FERMEE).order_by("-debut").first()
    if quartier is None or fermee is None:
        raise SystemExit("Base sans données : lancez manage.py charger_demo.")
    cibles = [
        Cible("sante", "/sante/"),
        Cible("vue d'ensemble", "/tableau-de-bord/"),
        Cible("tableau du quartier", f"/tableau-de-bord/quartiers/{quartier.slug}/"),
        Cible("boîte de saisie", "/saisie/"),
        Cible("bilans", "/bilans/"),
        Cible("API valeurs", f"/api/v1/valeurs/?quartier={quartier.slug}&taille=100"),
        Cible(
            "API demande de bilan",
            "/api/v1/bilans/",
            202,
            {
                "portee": "quartier",
                "quartier": quartier.slug,
                "annee": fermee.annee,
                "trimestre": fermee.trimestre,
            },
        ),
    ]
    return cibles, client.cookies["sessionid"].value, cle


def phase_redis(client: Client, redis: RedisAPart, duree: float) -> list[Phase]:
    phases = [Phase("avant")]
    client.pendant(phases[-1], min(duree, 5))
    redis.tuer()
    phases.append(Phase("Redis arrêté"))
    client.pendant(phases[-1], duree)
    redis.demarrer()
    redis.figer()
    phases.append(Phase("Redis figé (SIGSTOP)"))
    client.pendant(phases[-1], duree)
    redis.degeler()
    phases.append(Phase("après (Redis de retour)"))
    client.pendant(phases[-1], min(duree, 5))
    return phases


def rattraper(redis: RedisAPart, ids: list[int]) -> str:
    """Ce que fait le rattrapage lancé par beat quand Redis revient : les bilans restés en
    attente sans être mis en file y sont mis."""
    from django.conf import settings
    from django.utils import timezone

    from evalpic.celery import app
    from rapports import services
    from rapports.models import Bilan, StatutBilan

    settings.CELERY_BROKER_URL = redis.url
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.update(broker_url=redis.url, task_always_eager=False)
    lignes = Bilan.objects.filter(pk__in=ids)
    presents = lignes.count()
    en_attente = lignes.filter(statut=StatutBilan.EN_ATTENTE, mis_en_file_le__isnull=True).count()
    avant = redis.client().llen("celery")
    plus_tard = timezone.now() + datetime.timedelta(minutes=2)
    relances = set(services.recuperer_bilans_bloques(maintenant=plus_tard)) & set(ids)
    ajoutes = redis.client().llen("celery") - avant
    return (
        f"  bilans acceptés (202) pendant les pannes : {len(ids)}; lignes présentes : {presents}; "
        f"en attente jamais mis en file : {en_attente}\n"
        f"  rattrapage, Redis revenu : {len(relances)} remis en file, {ajoutes} messages ajoutés "
        "dans Redis"
    )


def phase_coupure(client: Client, apres: float) -> list[Phase]:
    """Ce qu'un redémarrage fait aux connexions persistantes de gunicorn, sur cette base
    seulement (les autres bases du serveur ne sont pas touchées) : elles sont coupées."""
    from django.db import connection

    with connection.cursor() as curseur:
        curseur.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND application_name = %s",
            [NOM_APPLICATION],
        )
        coupees = curseur.fetchone()[0]
    time.sleep(0.5)  # le signal est asynchrone
    phase = Phase(f"{coupees} connexions coupées")
    client.pendant(phase, apres)
    return [phase]


def phase_postgresql(client: Client, commande: str, apres: float) -> list[Phase]:
    pendant, ensuite = Phase("PostgreSQL redémarré"), Phase("après (PostgreSQL de retour)")
    redemarrage = subprocess.Popen(shlex.split(commande))
    while redemarrage.poll() is None:
        client.un_tour(pendant)
    if redemarrage.returncode:
        print(f"  la commande de redémarrage a échoué (code {redemarrage.returncode})")
    client.pendant(ensuite, apres)
    return [pendant, ensuite]


def main() -> None:
    parseur = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parseur.add_argument("--duree", type=float, default=10, help="secondes de chaque panne")
    parseur.add_argument("--processus", type=int, default=2, help="processus gunicorn")
    parseur.add_argument(
        "--redemarrer-postgresql",
        metavar="COMMANDE",
        help="redémarre PostgreSQL avec cette commande (coupe toutes ses bases)",
    )
    arguments = parseur.parse_args()
    preparer_django()
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit("DATABASE_URL doit viser PostgreSQL.")
    from rapports.models import Bilan

    with tempfile.TemporaryDirectory(prefix="pannes-") as dossier:
        redis = RedisAPart(Path(dossier))
        redis.demarrer()
        serveur = Gunicorn(redis.url, Path(dossier) / "gunicorn.log", arguments.processus)
        cibles, sessionid, jeton = preparer_cibles()
        deja = set(Bilan.objects.values_list("pk", flat=True))
        try:
            serveur.demarrer()
            client = Client(serveur.base, cibles, sessionid, jeton)
            phases = phase_redis(client, redis, arguments.duree)
            ids = [b["id"] for p in phases[1:3] for b in p.bilans_demandes]
            rattrapage = rattraper(redis, ids)
            phases += phase_coupure(client, 5)
            if arguments.redemarrer_postgresql:
                connection.close()
                phases += phase_postgresql(client, arguments.redemarrer_postgresql, 10)
        finally:
            serveur.arreter()
            redis.tuer()
            journal = (Path(dossier) / "gunicorn.log").read_text(errors="replace")
        Bilan.objects.exclude(pk__in=deja).delete()  # les bilans de la mesure

    print(f"\nPannes — gunicorn ({arguments.processus} processus, CONN_MAX_AGE=600)")
    print(f"  {'phase':<30} {'requête':<22} {'total':>5} {'réussies':>8} {'échouées':>8}  max")
    for phase in phases:
        print("\n".join(phase.lignes(client.attendus)))
    print(rattrapage)
    if not arguments.redemarrer_postgresql:
        print("  PostgreSQL : non redémarré (--redemarrer-postgresql COMMANDE pour le faire)")
    erreurs = journal.count("Traceback")
    print(f"  tracebacks dans le journal de gunicorn : {erreurs}")


if __name__ == "__main__":
    main()
