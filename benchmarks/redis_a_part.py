"""Un redis-server à nous, sur un port libre et sans persistance : on peut le tuer, le figer et
le relancer sans gêner le Redis partagé. Servi aux tests de pannes (`tests/integration/`) et au
script `benchmarks/pannes.py`."""

from __future__ import annotations

import contextlib
import shutil
import signal
import subprocess
import time
from pathlib import Path

from benchmarks.commun import port_libre

REDIS_SERVER = shutil.which("redis-server")


class RedisAPart:
    """Un redis-server sur un port libre, sans persistance : on peut le tuer, le figer et le
    relancer sur le même port sans gêner le Redis partagé."""

    def __init__(self, dossier: Path):
        self.port = port_libre()
        self.dossier = dossier
        self.processus: subprocess.Popen | None = None
        self.fige = False

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self):
        import redis

        return redis.Redis(port=self.port, socket_connect_timeout=1, socket_timeout=2)

    def demarrer(self) -> None:
        commande = [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1"]
        commande += ["--save", "", "--appendonly", "no", "--dir", str(self.dossier)]
        with (self.dossier / "redis.log").open("ab") as journal:
            self.processus = subprocess.Popen(
                commande, stdout=journal, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )
        fin = time.monotonic() + 10
        while True:
            with contextlib.suppress(Exception):
                if self.client().ping():
                    return
            if time.monotonic() > fin or self.processus.poll() is not None:
                raise AssertionError(f"redis-server ne démarre pas sur le port {self.port}.")
            time.sleep(0.05)

    def tuer(self) -> None:
        """Une panne franche : SIGKILL, la file en mémoire est perdue avec lui."""
        if self.fige:
            self.degeler()
        if self.processus is not None and self.processus.poll() is None:
            self.processus.kill()
            self.processus.wait(timeout=10)

    def figer(self) -> None:
        """Redis accepte encore les connexions (le noyau) mais ne répond plus."""
        self.processus.send_signal(signal.SIGSTOP)
        self.fige = True

    def degeler(self) -> None:
        self.processus.send_signal(signal.SIGCONT)
        self.fige = False
