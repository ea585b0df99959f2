"""Le tableau de bord d'un quartier dans un vrai navigateur (le chromium de Debian, par
Playwright) : quand le premier graphique est dessiné, quand tous le sont, et les tâches longues
du fil principal (plus de 50 ms : la page ne répond pas pendant ce temps). Sur les données
d'échelle; un serveur `runserver` lancé pour la mesure. Usage : scripts/banc.sh (ou
python -m benchmarks.navigateur, avec DATABASE_URL)."""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import urllib.error
import urllib.request

from benchmarks.commun import attendre, port_libre, preparer_django, utilisateur_de_mesure

# Les tâches longues, notées dès le début du chargement.
OBSERVATEUR = """
window.__taches_longues = [];
new PerformanceObserver((liste) => {
  for (const e of liste.getEntries()) window.__taches_longues.push([e.startTime, e.duration]);
}).observe({type: "longtask", buffered: true});
"""
TOUS_DESSINES = (
    "() => [...document.querySelectorAll('[data-figure]')]"
    ".every(zone => zone.querySelector('svg.main-svg'))"
)


def _serveur(port: int) -> subprocess.Popen:
    commande = [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"]
    serveur = subprocess.Popen(
        commande, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        attendre(lambda: _repond(port), 30, "le serveur de mesure ne répond pas")
    except SystemExit:
        serveur.terminate()
        raise
    return serveur


def _repond(port: int) -> bool:
    # Une HTTPError est une réponse (une redirection vers la connexion, etc.).
    with contextlib.suppress(urllib.error.HTTPError):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
    return True


def _cookie_de_session() -> str:
    from django.test import Client

    client = Client()
    client.force_login(utilisateur_de_mesure())
    return client.cookies["sessionid"].value


def mesurer(adresse: str, cookie: str, repetitions: int) -> list[dict]:
    from playwright.sync_api import sync_playwright

    from rapports.images import chemin_chromium

    mesures = []
    with sync_playwright() as playwright:
        navigateur = playwright.chromium.launch(
            executable_path=chemin_chromium(), args=["--no-sandbox"]
        )
        for _ in range(repetitions):
            contexte = navigateur.new_context(viewport={"width": 1280, "height": 900})
            contexte.add_cookies([{"name": "sessionid", "value": cookie, "url": adresse}])
            contexte.add_init_script(OBSERVATEUR)
            page = contexte.new_page()
            page.goto(adresse)
            page.wait_for_function(
                "() => document.querySelector('[data-figure] svg.main-svg')", polling=10
            )
            premier = page.evaluate("() => performance.now()")
            page.wait_for_function(TOUS_DESSINES, polling=20, timeout=120_000)
            tous = page.evaluate("() => performance.now()")
            chargement = page.evaluate(
                "() => performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd"
            )
            longues = page.evaluate("() => window.__taches_longues")
            apres = [duree for debut, duree in longues if debut >= chargement]
            mesures.append(
                {
                    "premier": premier,
                    "tous": tous,
                    "plus_longue": max((duree for _debut, duree in longues), default=0),
                    "plus_longue_apres": max(apres, default=0),
                    "total": sum(duree for _debut, duree in longues),
                    "graphiques": page.locator("[data-figure]").count(),
                }
            )
            contexte.close()
        navigateur.close()
    return mesures


def main() -> None:
    parseur = argparse.ArgumentParser(description=__doc__)
    parseur.add_argument("--repetitions", type=int, default=5)
    parseur.add_argument("--quartier", default="echelle-001")
    arguments = parseur.parse_args()
    preparer_django()
    cookie = _cookie_de_session()
    port = port_libre()
    serveur = _serveur(port)
    try:
        adresse = f"http://127.0.0.1:{port}/tableau-de-bord/quartiers/{arguments.quartier}/"
        mesures = mesurer(adresse, cookie, arguments.repetitions)
    finally:
        os.killpg(serveur.pid, 15)
        serveur.wait(timeout=30)

    def mediane(cle: str) -> float:
        return statistics.median(m[cle] for m in mesures)

    print(
        f"\nNavigateur : tableau du quartier {arguments.quartier}, "
        f"{mesures[0]['graphiques']} graphiques, médiane de {len(mesures)}"
    )
    print(f"  premier graphique dessiné : {mediane('premier'):.0f} ms")
    print(f"  tous les graphiques dessinés : {mediane('tous'):.0f} ms")
    print(f"  plus longue tâche du fil principal : {mediane('plus_longue'):.0f} ms")
    print(f"  plus longue tâche après DOMContentLoaded : {mediane('plus_longue_apres'):.0f} ms")
    print(f"  total des tâches longues : {mediane('total'):.0f} ms")


if __name__ == "__main__":
    main()
