"""Chargement du référentiel : quartiers du PIC et leurs tables, secteurs des partenaires, thèmes
et catalogue d'indicateurs, lus dans `fixtures/referentiel/*.json`.

Le chargement est idempotent : chaque ligne est retrouvée par sa clé naturelle (slug du quartier,
code du secteur, du thème ou de l'indicateur), créée si elle manque, mise à jour si le fichier a
changé, laissée telle quelle sinon. Chaque ligne est validée (`full_clean()`) avant d'être écrite,
et tout est fait dans une seule transaction : un fichier invalide ne laisse rien à moitié chargé.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction

from indicateurs.models import Indicateur, Theme
from quartiers.models import Quartier, Secteur, TableDeQuartier

DOSSIER_REFERENTIEL = Path(settings.BASE_DIR) / "fixtures" / "referentiel"


class ReferentielInvalide(Exception):
    """Un fichier du référentiel est absent, illisible ou contient une donnée invalide."""


class Resultat(StrEnum):
    CREE = "cree"
    MIS_A_JOUR = "mis_a_jour"
    INCHANGE = "inchange"


@dataclass
class Decompte:
    """Ce que le chargement a fait pour un modèle."""

    crees: int = 0
    mis_a_jour: int = 0
    inchanges: int = 0

    def compter(self, resultat: Resultat) -> None:
        if resultat is Resultat.CREE:
            self.crees += 1
        elif resultat is Resultat.MIS_A_JOUR:
            self.mis_a_jour += 1
        else:
            self.inchanges += 1

    def __str__(self) -> str:
        return f"{self.crees} créés / {self.mis_a_jour} mis à jour / {self.inchanges} inchangés"


# --- Lecture et validation ----------------------------------------------------------------------


def lire_fichier(dossier: Path, nom: str) -> list[dict[str, Any]]:
    """Les entrées d'un fichier JSON du référentiel : une liste d'objets."""
    chemin = Path(dossier) / nom
    try:
        donnees = json.loads(chemin.read_text(encoding="utf-8"))
    except FileNotFoundError as erreur:
        raise ReferentielInvalide(f"Fichier du référentiel introuvable : {chemin}") from erreur
    except json.JSONDecodeError as erreur:
        raise ReferentielInvalide(
            f"{nom} : JSON invalide (ligne {erreur.lineno}, colonne {erreur.colno}) : {erreur.msg}"
        ) from erreur
    if not isinstance(donnees, list) or not all(isinstance(e, dict) for e in donnees):
        raise ReferentielInvalide(f"{nom} : le fichier doit contenir une liste d'objets JSON.")
    return donnees


def champs_permis(modele: type[models.Model], exclus: frozenset[str] = frozenset()) -> set[str]:
    """Les champs qu'un fichier peut renseigner : les champs concrets modifiables, sauf la clé
    primaire et les champs exclus."""
    return {
        champ.name
        for champ in modele._meta.concrete_fields
        if champ.editable and not champ.primary_key and champ.name not in exclus
    }


def verifier_cles(entree: dict[str, Any], permis: set[str], contexte: str) -> None:
    """Refuse toute clé inconnue : une faute de frappe ne doit pas passer inaperçue."""
    inconnues = sorted(set(entree) - permis)
    if inconnues:
        raise ReferentielInvalide(
            f"{contexte} : clé(s) inconnue(s) {', '.join(inconnues)} "
            f"(clés permises : {', '.join(sorted(permis))})."
        )


def cle_naturelle(entree: dict[str, Any], champ: str, contexte: str, vus: set[str]) -> str:
    """La clé naturelle de l'entrée, obligatoire et unique dans le fichier."""
    valeur = entree.get(champ)
    if not isinstance(valeur, str) or not valeur:
        raise ReferentielInvalide(f"{contexte} : le champ « {champ} » est obligatoire.")
    if valeur in vus:
        raise ReferentielInvalide(f"{contexte} : « {valeur} » apparaît deux fois dans le fichier.")
    vus.add(valeur)
    return valeur


def _valider(objet: models.Model, contexte: str) -> None:
    try:
        objet.full_clean()
    except ValidationError as erreur:
        details = "; ".join(
            f"{champ} : {' '.join(str(m) for m in messages)}"
            for champ, messages in erreur.message_dict.items()
        )
        raise ReferentielInvalide(f"{contexte} : {details}") from erreur


def _etat(objet: models.Model, champs: list[str]) -> dict[str, Any]:
    return {champ: getattr(objet, objet._meta.get_field(champ).attname) for champ in champs}


def synchroniser(
    modele: type[models.Model], *, cle: dict[str, Any], valeurs: dict[str, Any], contexte: str
) -> tuple[models.Model, Resultat]:
    """Un `update_or_create` sur la clé naturelle qui valide la ligne et dit si elle a changé.

    Les valeurs sont comparées après `full_clean()` (qui les normalise), pour qu'une seconde
    exécution sur les mêmes fichiers ne réécrive rien."""
    champs = list(valeurs)
    objet = modele.objects.filter(**cle).first()
    avant = None if objet is None else _etat(objet, champs)
    objet = objet or modele(**cle)
    for champ, valeur in valeurs.items():
        setattr(objet, champ, valeur)
    _valider(objet, contexte)
    if avant is None:
        objet.save()
        return objet, Resultat.CREE
    apres = _etat(objet, champs)
    modifies = [champ for champ in champs if avant[champ] != apres[champ]]
    if not modifies:
        return objet, Resultat.INCHANGE
    objet.save(update_fields=modifies)
    return objet, Resultat.MIS_A_JOUR


def _contexte(fichier: str, rang: int, cle: Any) -> str:
    return f"{fichier}, entrée n° {rang}" + (f" ({cle})" if isinstance(cle, str) else "")


# --- Un chargeur par fichier --------------------------------------------------------------------


def charger_bilingues(dossier: Path, fichier: str, modele: type[models.Model]) -> Decompte:
    """Secteurs ou thèmes : des référentiels nommés en français et en anglais, clé `code`."""
    decompte, vus, permis = Decompte(), set(), champs_permis(modele)
    for rang, entree in enumerate(lire_fichier(dossier, fichier), start=1):
        contexte = _contexte(fichier, rang, entree.get("code"))
        verifier_cles(entree, permis, contexte)
        code = cle_naturelle(entree, "code", contexte, vus)
        valeurs = {k: v for k, v in entree.items() if k != "code"}
        _, resultat = synchroniser(modele, cle={"code": code}, valeurs=valeurs, contexte=contexte)
        decompte.compter(resultat)
    return decompte


def charger_quartiers(dossier: Path, fichier: str = "quartiers.json") -> tuple[Decompte, Decompte]:
    """Les quartiers (clé `slug`) et, pour chacun, sa table de quartier (objet `table`)."""
    quartiers, tables, vus = Decompte(), Decompte(), set()
    permis_quartier = champs_permis(Quartier) | {"table"}
    permis_table = champs_permis(TableDeQuartier, exclus=frozenset({"quartier"}))
    for rang, entree in enumerate(lire_fichier(dossier, fichier), start=1):
        contexte = _contexte(fichier, rang, entree.get("slug"))
        verifier_cles(entree, permis_quartier, contexte)
        slug = cle_naturelle(entree, "slug", contexte, vus)
        table = entree.get("table", {})
        if not isinstance(table, dict):
            raise ReferentielInvalide(f"{contexte} : « table » doit être un objet JSON.")
        verifier_cles(table, permis_table, f"{contexte}, table")
        valeurs = {k: v for k, v in entree.items() if k not in ("slug", "table")}
        quartier, resultat = synchroniser(
            Quartier, cle={"slug": slug}, valeurs=valeurs, contexte=contexte
        )
        quartiers.compter(resultat)
        _, resultat = synchroniser(
            TableDeQuartier,
            cle={"quartier": quartier},
            valeurs=table,
            contexte=f"{contexte}, table",
        )
        tables.compter(resultat)
    return quartiers, tables


def charger_indicateurs(dossier: Path, fichier: str = "indicateurs.json") -> Decompte:
    """Le catalogue d'indicateurs (clé `code`); `theme` donne le code d'un thème ou null."""
    decompte, vus = Decompte(), set()
    permis = champs_permis(Indicateur, exclus=frozenset({"propose_par"}))
    themes = {theme.code: theme for theme in Theme.objects.all()}
    for rang, entree in enumerate(lire_fichier(dossier, fichier), start=1):
        contexte = _contexte(fichier, rang, entree.get("code"))
        verifier_cles(entree, permis, contexte)
        code = cle_naturelle(entree, "code", contexte, vus)
        valeurs = {k: v for k, v in entree.items() if k != "code"}
        code_theme = valeurs.get("theme")
        if code_theme is not None and code_theme not in themes:
            raise ReferentielInvalide(f"{contexte} : thème inconnu « {code_theme} ».")
        valeurs["theme"] = themes.get(code_theme) if code_theme else None
        _, resultat = synchroniser(
            Indicateur, cle={"code": code}, valeurs=valeurs, contexte=contexte
        )
        decompte.compter(resultat)
    return decompte


@transaction.atomic
def charger_referentiel(*, dossier: Path | None = None) -> dict[str, Decompte]:
    """Charge tout le référentiel, dans l'ordre des dépendances, en une transaction.

    Lève `ReferentielInvalide` (et n'écrit rien) si un fichier manque ou contient une donnée
    invalide. Renvoie, par modèle, le nombre de lignes créées, mises à jour et inchangées."""
    dossier = Path(dossier) if dossier else DOSSIER_REFERENTIEL
    secteurs = charger_bilingues(dossier, "secteurs.json", Secteur)
    themes = charger_bilingues(dossier, "themes.json", Theme)
    quartiers, tables = charger_quartiers(dossier)
    indicateurs = charger_indicateurs(dossier)
    return {
        "secteurs": secteurs,
        "thèmes": themes,
        "quartiers": quartiers,
        "tables de quartier": tables,
        "indicateurs": indicateurs,
    }
