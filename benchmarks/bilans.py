"""Le temps de production des bilans : un bilan de quartier (HTML + PDF, à chaud, dans le
processus) et le bilan du PIC avec 1 puis 2 processus de worker Celery réels (Redis). Usage :
scripts/banc.sh (ou python -m benchmarks.bilans, avec DATABASE_URL)."""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time

from benchmarks.commun import mediane_ms, preparer_django, utilisateur_de_mesure

REDIS = os.environ.get("BANC_REDIS_URL", "redis://127.0.0.1:6379/12")


def un_quartier(repetitions: int) -> tuple[float, str]:
    """Médiane (ms) d'un bilan de quartier complet : instantané, HTML, PDF, XLSX, CSV."""
    from indicateurs.models import Periode, StatutPeriode
    from quartiers.models import Quartier
    from rapports.images import demarrer_kaleido
    from rapports.instantane import construire_instantane
    from rapports.models import Bilan, Portee
    from rapports.services import fabriquer_fichiers, titre_du_bilan

    demarrer_kaleido(prechauffer=True)
    quartier = Quartier.objects.filter(indicateurs_suivis__isnull=False).order_by("slug").first()
    periode = Periode.objects.filter(statut=StatutPeriode.FERMEE).order_by("-debut").first()
    bilan = Bilan(
        portee=Portee.QUARTIER, quartier=quartier, annee=periode.annee, trimestre=periode.trimestre
    )

    def produire() -> None:
        fabriquer_fichiers(construire_instantane(bilan), titre_du_bilan(bilan))

    return mediane_ms(produire, repetitions), f"{quartier.nom}, {periode.libelle}"


def _worker(concurrence: int, journal, onglets: int, tranches: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "CELERY_BROKER_URL": REDIS,
        "CELERY_RESULT_BACKEND": REDIS,
        "EVALPIC_KALEIDO_ONGLETS": str(onglets),
        "EVALPIC_BILAN_TRANCHES_PDF": str(tranches),
    }
    commande = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "evalpic",
        "worker",
        "-l",
        os.environ.get("BANC_NIVEAU_JOURNAL", "warning"),
        "--concurrency",
        str(concurrence),
        "--without-heartbeat",
        "--without-mingle",
        "--without-gossip",
        "-n",
        f"banc-{concurrence}@%h",
    ]
    return subprocess.Popen(
        commande, env=env, stdout=journal, stderr=journal, start_new_session=True
    )


def le_pic(concurrence: int, onglets: int, tranches: int) -> float:
    """Secondes entre la demande du bilan du PIC et le bilan prêt, avec `concurrence`
    processus de worker, chacun avec `onglets` onglets de chromium pour kaleido, et le PDF peint
    en `tranches` tranches (1 : d'un seul tenant, dans la tâche du bilan)."""
    import redis
    from django.conf import settings

    from evalpic.celery import app
    from indicateurs.models import Periode, StatutPeriode
    from rapports import services
    from rapports.models import Bilan, Portee, StatutBilan

    redis.Redis.from_url(REDIS).flushdb()
    settings.CELERY_BROKER_URL = settings.CELERY_RESULT_BACKEND = REDIS
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.update(broker_url=REDIS, result_backend=REDIS, task_always_eager=False)
    periode = Periode.objects.filter(statut=StatutPeriode.FERMEE).order_by("-debut").first()
    with tempfile.TemporaryFile() as journal:
        worker = _worker(concurrence, journal, onglets, tranches)
        try:
            time.sleep(8)  # démarrage des processus et préchauffage de kaleido
            debut = time.perf_counter()
            bilan = services.demander_bilan(
                auteur=utilisateur_de_mesure(),
                portee=Portee.PIC,
                annee=periode.annee,
                trimestre=periode.trimestre,
            )
            while Bilan.objects.get(pk=bilan.pk).statut not in (
                StatutBilan.PRET,
                StatutBilan.ECHEC,
            ):
                time.sleep(0.2)
            duree = time.perf_counter() - debut
            statut = Bilan.objects.get(pk=bilan.pk)
            assert statut.statut == StatutBilan.PRET, statut.erreur
            return duree
        finally:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=60)


def main() -> None:
    parseur = argparse.ArgumentParser(description=__doc__)
    parseur.add_argument("--repetitions", type=int, default=3)
    parseur.add_argument(
        "--repetitions-pic", type=int, default=3, help="mesures du bilan du PIC par réglage"
    )
    parseur.add_argument(
        "--onglets",
        default="1",
        help="onglets de chromium par processus de worker, à mesurer tour à tour (ex. 4,1)",
    )
    arguments = parseur.parse_args()
    preparer_django()
    from django.conf import settings

    from quartiers.models import Quartier

    quartier_ms, de_quoi = un_quartier(arguments.repetitions)
    nombre = Quartier.objects.filter(indicateurs_suivis__isnull=False).distinct().count()
    print("\nBilans")
    print(
        f"  un quartier ({de_quoi}), HTML + PDF + XLSX + CSV, à chaud : {quartier_ms / 1000:.2f} s"
    )
    tranches = settings.EVALPIC_BILAN_TRANCHES_PDF
    # Trois réglages, en alternance (le bruit de la machine touche les trois) : le déploiement
    # par défaut (`tranches` tranches) avec 1 puis 2 processus, et 1 processus réglé pour lui
    # (une seule tranche : ni mise en page en double, ni réunion).
    seul_regle, seul, deux = (
        "1 processus, 1 tranche",
        f"1 processus, {tranches} tranches",
        f"2 processus, {tranches} tranches",
    )
    reglages = {seul_regle: (1, 1), seul: (1, tranches), deux: (2, tranches)}
    for onglets in (int(n) for n in arguments.onglets.split(",")):
        durees: dict[str, list[float]] = {nom: [] for nom in reglages}
        for _ in range(arguments.repetitions_pic):
            for nom, (concurrence, nombre_de_tranches) in reglages.items():
                durees[nom].append(le_pic(concurrence, onglets, nombre_de_tranches))
        medianes = {nom: statistics.median(liste) for nom, liste in durees.items()}
        print(
            f"  bilan du PIC ({nombre} quartiers), {onglets} onglet(s) de kaleido par processus,"
            f" médiane de {arguments.repetitions_pic} :"
        )
        for nom, liste in durees.items():
            print(f"    {nom} : {medianes[nom]:.1f} s  ({_liste(liste)})")
        print(
            f"    accélération de 1 à 2 processus, même réglage ({tranches} tranches) :"
            f" {medianes[seul] / medianes[deux]:.2f}×"
        )
        print(
            f"    accélération de « {seul_regle} » à « {deux} » :"
            f" {medianes[seul_regle] / medianes[deux]:.2f}×"
        )


def _liste(durees: list[float]) -> str:
    return ", ".join(f"{d:.1f}" for d in durees)


if __name__ == "__main__":
    main()
