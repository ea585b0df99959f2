"""Pièces du test de charge qui ne dépendent pas de locust (testées dans `tests/`) : lire un
formulaire HTML comme le soumettrait un navigateur, tirer des valeurs voisines valides, et
résumer les temps de réponse par scénario.

Usage du rapport : python -m benchmarks.charge_commun <resume.json>
"""

from __future__ import annotations

import json
import math
import random
import sys
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from html.parser import HTMLParser
from typing import NamedTuple

# Les décimales et les bornes de chaque unité (indicateurs.validation.verifier_nombre).
BORNES = {
    "nombre": (0, None, 0),
    "pourcentage": (0, 100, 1),
    "dollars": (0, None, 2),
    "echelle": (1, 5, 1),
    "indice": (0, None, 2),
}


class _LecteurDeFormulaire(HTMLParser):
    """Les champs d'un formulaire (le premier dont la classe contient `classe`), tels qu'un
    navigateur les soumettrait : champs désactivés et boutons exclus, cases cochées seulement,
    contenu des zones de texte sans le saut de ligne qui suit la balise ouvrante."""

    def __init__(self, classe: str) -> None:
        super().__init__(convert_charrefs=True)
        self.classe = classe
        self.dedans = False
        self.fini = False
        self.champs: dict[str, str] = {}
        self.zone: str | None = None
        self.texte: list[str] = []
        self.select: str | None = None

    def handle_starttag(self, balise: str, attributs: list[tuple[str, str | None]]) -> None:
        attrs = {nom: valeur or "" for nom, valeur in attributs}
        if balise == "form" and not self.fini:
            self.dedans = self.classe in attrs.get("class", "").split()
            return
        if balise == "option" and self.select:
            # Sans option choisie, un navigateur envoie la première.
            if "selected" in attrs or self.select not in self.champs:
                self.champs[self.select] = attrs.get("value", "")
            return
        if not self.dedans or "disabled" in attrs or not attrs.get("name"):
            return
        nom = attrs["name"]
        if balise == "input":
            genre = attrs.get("type", "text")
            if genre in ("submit", "button", "image", "reset", "file"):
                return
            if genre in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.champs[nom] = attrs.get("value") or "on"
                return
            self.champs[nom] = attrs.get("value", "")
        elif balise == "textarea":
            self.zone, self.texte = nom, []
        elif balise == "select":
            self.select = nom

    def handle_data(self, donnees: str) -> None:
        if self.zone is not None:
            self.texte.append(donnees)

    def handle_endtag(self, balise: str) -> None:
        if balise == "textarea" and self.zone is not None:
            texte = "".join(self.texte)
            self.champs[self.zone] = texte[1:] if texte.startswith("\n") else texte
            self.zone = None
        elif balise == "select":
            self.select = None
        elif balise == "form" and self.dedans:
            self.dedans, self.fini = False, True


def champs_du_formulaire(html: str, classe: str) -> dict[str, str]:
    """Les champs du formulaire de classe `classe` de la page `html`, nom → valeur."""
    lecteur = _LecteurDeFormulaire(classe)
    lecteur.feed(html)
    lecteur.close()
    return lecteur.champs


def valeur_voisine(unite: str, actuelle: str | None, rng: random.Random) -> str | None:
    """Une valeur valide pour `unite`, à quelques pour cent de `actuelle` (une petite correction
    de saisie, pas une valeur aberrante); None pour une unité non numérique."""
    if unite not in BORNES:
        return None
    bas, haut, decimales = BORNES[unite]
    try:
        depart = Decimal(actuelle.replace(",", ".")) if actuelle else None
    except InvalidOperation:
        depart = None
    if depart is None or not depart.is_finite():
        depart = Decimal(haut if haut is not None else 100) / 2 + bas
    nouvelle = depart * Decimal(str(1 + rng.uniform(-0.03, 0.03)))
    if haut is not None:
        nouvelle = min(nouvelle, Decimal(haut))
    nouvelle = max(nouvelle, Decimal(bas))
    pas = Decimal(1).scaleb(-decimales)
    return str(nouvelle.quantize(pas, rounding=ROUND_HALF_UP))


def corriger(
    champs: dict[str, str], indicateurs: list[dict], rng: random.Random, combien: int = 5
) -> dict[str, str]:
    """Le formulaire `champs` avec `combien` valeurs numériques corrigées (indicateurs tirés
    parmi ceux qui ont une valeur, et ne sont pas « non disponibles »)."""
    modifiables = [
        i
        for i in indicateurs
        if i["unite"] in BORNES and champs.get(f"v{i['id']}") and f"nd{i['id']}" not in champs
    ]
    donnees = dict(champs)
    for indicateur in rng.sample(modifiables, min(combien, len(modifiables))):
        cle = f"v{indicateur['id']}"
        donnees[cle] = valeur_voisine(indicateur["unite"], donnees[cle], rng)
    return donnees


# --- Résumé par scénario ------------------------------------------------------------------------


class Mesure(NamedTuple):
    fin: float  # instant de la fin de la requête (time.perf_counter)
    duree: float  # ms
    erreur: bool


def regrouper(
    mesures: dict[str, list[Mesure]], separateur: str | None = None, depuis: float = 0.0
) -> tuple[dict[str, list[float]], dict[str, int]]:
    """Les durées et le nombre d'erreurs par requête nommée — ou, avec `separateur`, par
    scénario (le début du nom) — des requêtes terminées à partir de l'instant `depuis`."""
    durees: dict[str, list[float]] = defaultdict(list)
    erreurs: dict[str, int] = defaultdict(int)
    for nom, liste in mesures.items():
        groupe = nom.split(separateur)[0] if separateur else nom
        for mesure in liste:
            if mesure.fin >= depuis:
                durees[groupe].append(mesure.duree)
                erreurs[groupe] += mesure.erreur
    return durees, erreurs


def centile(durees: list[float], rang: float) -> float:
    """Le centile `rang` (0–100) par la méthode du rang le plus proche; 0 si aucune durée."""
    if not durees:
        return 0.0
    ordonnees = sorted(durees)
    return ordonnees[max(0, math.ceil(rang / 100 * len(ordonnees)) - 1)]


def resumer(durees: dict[str, list[float]], erreurs: dict[str, int], secondes: float) -> list:
    """Une ligne par groupe (scénario ou requête) puis l'ensemble : requêtes, débit (req/s),
    p50 et p95 (ms), erreurs."""
    lignes = []
    for nom in sorted(durees):
        liste = durees[nom]
        lignes.append(_ligne(nom, liste, erreurs.get(nom, 0), secondes))
    tout = [d for liste in durees.values() for d in liste]
    lignes.append(_ligne("ensemble", tout, sum(erreurs.values()), secondes))
    return lignes


def _ligne(nom: str, liste: list[float], erreurs: int, secondes: float) -> dict:
    return {
        "nom": nom,
        "requetes": len(liste),
        "debit": len(liste) / secondes if secondes else 0.0,
        "p50": centile(liste, 50),
        "p95": centile(liste, 95),
        "erreurs": erreurs,
    }


def imprimer(resume: dict) -> None:
    print(f"\nTest de charge : {resume['utilisateurs']} utilisateurs, {resume['secondes']:.0f} s")
    tableaux = (
        ("par scénario, tout le test", "scenarios"),
        (f"par scénario, régime établi ({resume['secondes_regime']:.0f} s)", "scenarios_regime"),
        ("par requête, tout le test", "requetes"),
    )
    for titre, cle in tableaux:
        print(f"\n{titre:<46} {'requêtes':>9} {'req/s':>7} {'p50':>8} {'p95':>8} {'erreurs':>8}")
        for ligne in resume[cle]:
            print(
                f"{ligne['nom']:<46} {ligne['requetes']:>9} {ligne['debit']:>7.1f} "
                f"{ligne['p50']:>5.0f} ms {ligne['p95']:>5.0f} ms {ligne['erreurs']:>8}"
            )
    for message, nombre in resume.get("exemples_d_erreurs", {}).items():
        print(f"  erreur ×{nombre} : {message}")


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as fichier:
        imprimer(json.load(fichier))
