"""Importer les valeurs historiques d'une table depuis un fichier CSV ou XLSX.

Le fichier suit le modèle téléchargeable : une ligne par indicateur et par période. Chaque ligne
est contrôlée sans rien écrire (l'essai); l'import n'écrit que si toutes sont valides, en une
seule transaction, par `enregistrer_saisie` : mêmes règles et même historique que le formulaire.

Les lignes sont numérotées comme dans le tableur : l'en-tête est la ligne 1, donc `lignes[i]`
est la ligne i + 2. Les lignes vides sont gardées (puis ignorées) pour garder cette numérotation.
La lecture est bornée (`LIGNES_LUES_MAX` lignes, vides comprises, et `COLONNES_LUES_MAX`
colonnes) : un fichier de quelques Ko ne peut pas coûter des minutes de calcul.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import openpyxl
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from indicateurs import services
from indicateurs.controle_fichiers import (
    taille_max,
    verifier_classeur,
    verifier_octets_csv,
    verifier_taille,
    verifier_texte_csv,
)
from indicateurs.models import Indicateur, Periode, Saisie, StatutPeriode
from indicateurs.validation import DonneeValeur, analyser, verifier_donnee
from quartiers.models import TableDeQuartier

LIGNES_MAX = 5000
# Les lignes lues au plus sous l'en-tête, vides comprises, et les colonnes (le modèle en a 9) :
# au-delà, rien n'est lu. Sans ces bornes, une feuille qui déclare « A1:XFD1048576 » ferait
# fabriquer par openpyxl 16 384 cellules vides pour chacune d'un million de rangées, et un CSV
# de lignes vides garderait des millions de lignes en mémoire.
LIGNES_LUES_MAX = 2 * LIGNES_MAX
COLONNES_LUES_MAX = 26  # A à Z

COLONNES_REQUISES = ("periode", "indicateur", "valeur")
COLONNES_IMPORTEES = (*COLONNES_REQUISES, "non_disponible", "raison", "commentaire", "preuve_url")
COLONNES_INFORMATIVES = ("nom", "unite")  # aident à remplir le modèle; ignorées à la lecture
COLONNES_MODELE = (
    "periode",
    "indicateur",
    "nom",
    "unite",
    "valeur",
    "non_disponible",
    "raison",
    "commentaire",
    "preuve_url",
)

VRAI = {"oui", "vrai", "1", "yes", "true"}
FAUX = {"", "non", "faux", "0", "no", "false"}

TYPE_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- Lecture du fichier -------------------------------------------------------------------------


def _normaliser(texte: str) -> str:
    """« Non disponible » → « non_disponible », « Unité » → « unite »."""
    sans_accents = unicodedata.normalize("NFKD", texte).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", sans_accents.lower()).strip("_")


def _illisible() -> ValidationError:
    return ValidationError(
        _("Le fichier est illisible : enregistrez-le de nouveau au format CSV (UTF-8) ou XLSX."),
        code="illisible",
    )


class Ligne(dict[str, str]):
    """Une ligne lue : colonne importée → texte, et les problèmes relevés à la lecture (colonne,
    message), que la vérification rapporte avec ceux de la ligne."""

    def __init__(self, valeurs: dict[str, str], problemes: list[tuple[str, str]]):
        super().__init__(valeurs)
        self.problemes = problemes


def lire_fichier(fichier, nom: str) -> list[Ligne]:
    """Les lignes d'un fichier CSV ou XLSX (après l'en-tête), en dictionnaires dont les clés sont
    les colonnes importées, avec les problèmes relevés à la lecture de chacune. Lève
    `ValidationError` si le fichier ne peut pas être importé."""
    lecteurs: dict[str, Callable[[bytes], tuple[Iterable[list[str]], str | None]]] = {
        ".csv": _rangees_csv,
        ".xlsx": _rangees_xlsx,
    }
    lecteur = lecteurs.get(Path(nom or "").suffix.lower())
    if lecteur is None:
        raise ValidationError(
            _("Format non pris en charge : choisissez un fichier .csv ou .xlsx."),
            code="extension",
        )
    verifier_taille(getattr(fichier, "size", None))
    if hasattr(fichier, "seek"):
        fichier.seek(0)
    contenu = fichier.read(taille_max() + 1)
    verifier_taille(len(contenu))
    rangees, feuille = lecteur(contenu)
    return _en_dictionnaires(rangees, feuille)


# Un caractère de deux à quatre octets écrit en UTF-8 : un texte en Windows-1252 n'en contient
# (presque) jamais, puisqu'il y faudrait par exemple « Ã » suivi de « © ».
_UTF8_MULTIOCTET = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
    rb"|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)


def _decoder(contenu: bytes) -> str:
    """Le texte d'un CSV en UTF-8 ou, s'il ne contient aucun caractère UTF-8 de plusieurs
    octets, en Windows-1252 (ce qu'enregistre Excel en français si on ne choisit pas « UTF-8 »).
    Un fichier UTF-8 où traîne un octet d'un autre encodage est refusé avec sa ligne : le relire
    en entier en Windows-1252 abîmerait tous ses accents (« été » → « Ã©tÃ© »)."""
    try:
        return contenu.decode("utf-8-sig")
    except UnicodeDecodeError as erreur:
        if _UTF8_MULTIOCTET.search(contenu):
            raise ValidationError(
                _(
                    "Le fichier est en UTF-8, mais la ligne %(ligne)s contient un caractère "
                    "d'un autre encodage (octet %(octet)s) : corrigez-le, ou enregistrez de "
                    "nouveau le fichier au format CSV UTF-8."
                )
                % {  # erreur.object : le contenu sans l'indicateur d'ordre d'octets
                    "ligne": erreur.object.count(b"\n", 0, erreur.start) + 1,
                    "octet": f"0x{erreur.object[erreur.start]:02X}",
                },
                code="encodage",
            ) from erreur
    try:
        return contenu.decode("cp1252")
    except UnicodeDecodeError as erreur:
        raise _illisible() from erreur


def _rangees_csv(contenu: bytes) -> tuple[Iterator[list[str]], None]:
    """Les rangées du CSV (et None : il n'a pas de feuille)."""
    verifier_octets_csv(contenu)
    texte = _decoder(contenu)
    if "\x00" in texte:
        raise _illisible()
    verifier_texte_csv(texte)
    entete = texte.split("\n", 1)[0]
    separateur = max((",", ";", "\t"), key=entete.count)
    return _lignes_csv(texte, separateur), None


def _lignes_csv(texte: str, separateur: str) -> Iterator[list[str]]:
    try:
        yield from csv.reader(io.StringIO(texte, newline=""), delimiter=separateur)
    except csv.Error as erreur:
        raise _illisible() from erreur


class _Illisible(str):
    """Une cellule dont on ne peut pas lire la valeur : vide pour la lecture, avec le message
    qui l'explique, rapporté sur sa ligne."""

    message: str

    def __new__(cls, message: str) -> _Illisible:
        cellule = super().__new__(cls, "")
        cellule.message = message
        return cellule


class _FormuleSansValeur(_Illisible):
    def __new__(cls) -> _FormuleSansValeur:
        return str.__new__(cls, "")

    @property  # traduit seulement s'il est montré : une feuille peut avoir des milliers de formules
    def message(self) -> str:
        return _(
            "Formule sans valeur calculée (fichier écrit par un programme ?) : ouvrez le "
            "fichier dans un tableur et enregistrez-le, ou remplacez la formule par sa valeur."
        )


def _rangees_xlsx(contenu: bytes) -> tuple[list[list[str]], str]:
    """Les rangées de la feuille du modèle (la première qui a les colonnes obligatoires sur sa
    première ligne, sinon la première du classeur) et son nom. La feuille est lue deux fois
    s'il y a des formules : d'abord telle qu'écrite (openpyxl ne dit qu'ainsi qu'une cellule
    est une formule), puis avec les valeurs que le tableur a calculées; une formule qui n'en a
    pas (fichier écrit par un script) est un problème de sa ligne au lieu d'une cellule vide."""
    verifier_classeur(contenu)
    rang, nom, rangees = _lire_feuille(contenu, data_only=False, lire=_texte_cellule)
    formules = [
        (i, j)
        for i, rangee in enumerate(rangees)
        for j, texte in enumerate(rangee)
        if isinstance(texte, _FormuleSansValeur)
    ]
    if formules:
        _rang, _nom, cellules = _lire_feuille(
            contenu, data_only=True, lire=lambda cellule: cellule, rang=rang
        )
        for i, j in formules:
            rangees[i][j] = _valeur_calculee(cellules[i][j])
    return rangees, nom


def _lire_feuille(
    contenu: bytes, *, data_only: bool, lire: Callable, rang: int | None = None
) -> tuple[int, str, list[list[str]]]:
    """Le rang, le nom et les rangées (bornées) de la feuille `rang`, ou de celle du modèle."""
    try:
        classeur = openpyxl.load_workbook(io.BytesIO(contenu), read_only=True, data_only=data_only)
    except Exception as erreur:  # openpyxl lève des erreurs variées sur un fichier abîmé
        raise _illisible() from erreur
    try:
        if not classeur.worksheets:
            raise ValidationError(
                _("Le classeur ne contient aucune feuille de calcul."), code="feuille"
            )
        if rang is None:
            rang = _rang_de_la_feuille_du_modele(classeur.worksheets)
        feuille = classeur.worksheets[rang]
        rangees = feuille.iter_rows(
            max_row=LIGNES_LUES_MAX + 2,  # l'en-tête, et une ligne de trop pour le savoir
            max_col=COLONNES_LUES_MAX,
        )
        return rang, feuille.title, [[lire(cellule) for cellule in r] for r in rangees]
    except ValidationError:
        raise
    except Exception as erreur:  # une feuille abîmée : XML coupé, CRC faux, cellule invalide…
        raise _illisible() from erreur
    finally:
        classeur.close()


def _rang_de_la_feuille_du_modele(feuilles: list) -> int:
    """La première feuille qui a les colonnes obligatoires sur sa première ligne (un classeur
    peut commencer par une feuille d'instructions), sinon la première."""
    for rang, feuille in enumerate(feuilles):
        entete = next(feuille.iter_rows(max_row=1, max_col=COLONNES_LUES_MAX, values_only=True), ())
        noms = {_normaliser(str(valeur)) for valeur in entete if valeur is not None}
        if noms.issuperset(COLONNES_REQUISES):
            return rang
    return 0


def _valeur_calculee(cellule) -> str:
    # Sans valeur ni type « str » (le texte vide qu'un tableur calcule), jamais calculée.
    if cellule.value is None and cellule.data_type not in ("s", "str"):
        return _FormuleSansValeur()
    return _texte_cellule(cellule)


def _texte_cellule(cellule) -> str:
    """Le texte d'une cellule, sans artefact de virgule flottante (12.0 → « 12 »); une formule
    (en attendant sa valeur calculée) ou une erreur de calcul, une cellule `_Illisible`."""
    valeur = cellule.value
    if getattr(cellule, "data_type", None) == "f":
        return _FormuleSansValeur()  # jusqu'à ce qu'on lise sa valeur calculée
    if getattr(cellule, "data_type", None) == "e":
        return _Illisible(
            _("La cellule contient une erreur de calcul (%(erreur)s) : corrigez-la.")
            % {"erreur": valeur}
        )
    if valeur is None:
        return ""
    if isinstance(valeur, bool):
        return "vrai" if valeur else "faux"
    if isinstance(valeur, datetime.datetime | datetime.date):
        return valeur.isoformat()[:10]
    if isinstance(valeur, int | float | Decimal):
        nombre = Decimal(repr(valeur)) if isinstance(valeur, float) else Decimal(valeur)
        # Une cellule au format « % » affiche 45 % mais contient 0,45 : on lit ce qu'on voit.
        if "%" in (getattr(cellule, "number_format", None) or ""):
            nombre *= 100
        return _sans_zeros(nombre)
    return str(valeur).strip()


def _sans_zeros(nombre: Decimal) -> str:
    if not nombre.is_finite():  # « 1E999 » : « Infinity », que l'analyse refuse ligne par ligne
        return str(nombre)
    if nombre == nombre.to_integral_value():
        return str(int(nombre))
    return f"{nombre.normalize():f}"


def _en_dictionnaires(rangees: Iterable[list[str]], feuille: str | None) -> list[Ligne]:
    iterateur = iter(rangees)
    entete = _entete(next(iterateur, None))
    colonnes = _colonnes(entete, feuille)
    sans_nom = {rang for rang, brut in enumerate(entete) if not _normaliser(brut)}
    lignes: list[Ligne] = []
    remplies = derniere_remplie = 0
    for rangee in iterateur:
        if len(lignes) == LIGNES_LUES_MAX:
            raise ValidationError(
                _(
                    "Le fichier compte plus de %(max)s lignes sous l'en-tête, lignes vides "
                    "comprises : supprimez les lignes vides (ou seulement mises en forme) sous "
                    "les valeurs et, au besoin, découpez-le en plusieurs fichiers."
                )
                % {"max": LIGNES_LUES_MAX},
                code="lignes",
            )
        lignes.append(_ligne(rangee, colonnes, sans_nom))
        if any(lignes[-1].values()) or lignes[-1].problemes:
            derniere_remplie = len(lignes)
            remplies += 1
            if remplies > LIGNES_MAX:
                raise ValidationError(
                    _("Le fichier dépasse %(max)s lignes : découpez-le en plusieurs fichiers.")
                    % {"max": LIGNES_MAX},
                    code="lignes",
                )
    del lignes[derniere_remplie:]
    if not lignes:
        raise ValidationError(_("Le fichier ne contient aucune ligne de valeurs."), code="vide")
    return lignes


def _ligne(rangee: list[str], colonnes: list[str | None], sans_nom: set[int]) -> Ligne:
    valeurs = {
        nom: str(rangee[rang]).strip() if rang < len(rangee) else ""
        for rang, nom in enumerate(colonnes)
        if nom
    }
    problemes = [
        (nom, rangee[rang].message)
        for rang, nom in enumerate(colonnes)
        if nom and rang < len(rangee) and isinstance(rangee[rang], _Illisible)
    ]
    # Une valeur hors des colonnes nommées serait perdue sans bruit : dans un CSV séparé par
    # des virgules, « 42,5 » non protégé donne 42 dans « valeur » et 5 dans la colonne suivante.
    if perdue := _hors_des_colonnes(rangee, len(colonnes), sans_nom):
        rang, texte = perdue
        problemes.append(
            (
                _lettre(rang),
                _(
                    "« %(texte)s » est dans une colonne sans en-tête : cette valeur ne serait "
                    "pas importée. Retirez-la; si c'est la fin d'un nombre à virgule (42,5), "
                    "mettez ce nombre entre guillemets ou séparez les colonnes par des "
                    "points-virgules."
                )
                % {"texte": Truncator(texte).chars(40)},
            )
        )
    return Ligne(valeurs, problemes)


def _hors_des_colonnes(
    rangee: list[str], largeur: int, sans_nom: set[int]
) -> tuple[int, str] | None:
    """La première valeur d'une colonne sans nom ou au-delà de l'en-tête, s'il y en a une."""
    for rang in sorted(sans_nom):
        if rang < len(rangee) and str(rangee[rang]).strip():
            return rang, str(rangee[rang]).strip()
    for rang, texte in enumerate(rangee[largeur:], start=largeur):
        if str(texte).strip():
            return rang, str(texte).strip()
    return None


def _lettre(rang: int) -> str:
    """La colonne comme le tableur la nomme (0 → « A »), son numéro au-delà de la dernière."""
    return get_column_letter(rang + 1) if rang < 16384 else str(rang + 1)


def _entete(rangee: list[str] | None) -> list[str]:
    """La première ligne, sans les colonnes vides de la fin; au plus COLONNES_LUES_MAX."""
    rangee = rangee or []
    if any(map(str.strip, rangee[COLONNES_LUES_MAX:])):
        au_dela = [c.strip() for c in rangee[COLONNES_LUES_MAX:] if c.strip()][:5]
        raise ValidationError(
            _(
                "La première ligne a des colonnes au-delà de la colonne %(derniere)s "
                "(%(colonnes)s) : gardez celles du modèle."
            )
            % {"derniere": get_column_letter(COLONNES_LUES_MAX), "colonnes": ", ".join(au_dela)},
            code="colonnes",
        )
    cellules = [c.strip() for c in rangee[:COLONNES_LUES_MAX]]
    while cellules and not cellules[-1]:
        cellules.pop()
    if not cellules:
        raise ValidationError(_("Le fichier est vide."), code="vide")
    return cellules


def _colonnes(entete: list[str], feuille: str | None) -> list[str | None]:
    """Le nom normalisé de chaque colonne importée, None pour celles à ignorer. `feuille` : le
    nom de la feuille lue d'un classeur, que le message des colonnes manquantes donne."""
    noms = [_normaliser(str(brut)) for brut in entete]
    connues = {*COLONNES_IMPORTEES, *COLONNES_INFORMATIVES}
    messages = []
    if manquantes := [c for c in COLONNES_REQUISES if c not in noms]:
        if feuille is None:
            message = _("Colonnes obligatoires manquantes sur la première ligne : %(colonnes)s.")
        else:
            message = _(
                "Colonnes obligatoires manquantes sur la première ligne de la feuille "
                "« %(feuille)s » : %(colonnes)s."
            )
        messages.append(message % {"colonnes": ", ".join(manquantes), "feuille": feuille})
    # Une colonne au nom mal orthographié perdrait ses données en silence : on la refuse.
    if inconnues := [
        str(b).strip() for b, n in zip(entete, noms, strict=True) if n and n not in connues
    ]:
        messages.append(
            _("Colonnes inconnues : %(colonnes)s (colonnes possibles : %(possibles)s).")
            % {"colonnes": ", ".join(inconnues), "possibles": ", ".join(COLONNES_MODELE)}
        )
    if doublons := sorted({n for n in noms if n and noms.count(n) > 1}):
        messages.append(_("Colonnes en double : %(colonnes)s.") % {"colonnes": ", ".join(doublons)})
    if messages:
        raise ValidationError(messages, code="colonnes")
    return [nom if nom in COLONNES_IMPORTEES else None for nom in noms]


# --- Vérification (essai) -----------------------------------------------------------------------


@dataclass(frozen=True)
class Probleme:
    """Un problème du fichier : sa ligne (None : tout le fichier), sa colonne, son message."""

    ligne: int | None
    colonne: str
    message: str


@dataclass(frozen=True)
class LigneValide:
    ligne: int
    periode: Periode
    indicateur: Indicateur
    donnee: DonneeValeur


@dataclass
class RapportImport:
    problemes: list[Probleme] = field(default_factory=list)
    lignes_valides: list[LigneValide] = field(default_factory=list)
    modifications: int = 0  # valeurs changées par l'import (une ligne d'historique chacune)

    @property
    def est_valide(self) -> bool:
        return not self.problemes

    def par_periode(self) -> list[tuple[Periode, list[LigneValide]]]:
        groupes: dict[int, list[LigneValide]] = {}
        for ligne in self.lignes_valides:
            groupes.setdefault(ligne.periode.pk, []).append(ligne)
        return sorted(
            ((lignes[0].periode, lignes) for lignes in groupes.values()),
            key=lambda groupe: groupe[0].debut,
        )

    @property
    def resume(self) -> dict[str, int]:
        """Code de la période → nombre de valeurs du fichier, dans l'ordre chronologique."""
        return {periode.code: len(lignes) for periode, lignes in self.par_periode()}


@dataclass
class _Contexte:
    """Ce que la vérification lit une fois pour tout le fichier."""

    periodes: dict[str, Periode]
    attendus: dict[str, Indicateur]  # code en minuscules → indicateur saisi par la table
    catalogue: set[str]  # codes (en minuscules) du fichier qui existent au catalogue
    saisies: dict[int, Saisie]  # id de période → saisie existante de la table
    vues: dict[tuple[int, int], int] = field(default_factory=dict)  # → première ligne


Signaler = Callable[[str, str], None]


def _code_periode(brut: str) -> str:
    return re.sub(r"\s+", "", brut).upper()


def _contexte(table: TableDeQuartier, lignes: list[dict[str, str]]) -> _Contexte:
    # Quatre requêtes, quelle que soit la taille du fichier.
    periodes = {p.code: p for p in Periode.objects.all()}
    codes = {ligne.get("indicateur", "").strip().lower() for ligne in lignes} - {""}
    catalogue = set(
        Indicateur.objects.annotate(code_min=Lower("code"))
        .filter(code_min__in=codes)
        .values_list("code_min", flat=True)
    )
    du_fichier = {
        periodes[code].pk
        for ligne in lignes
        if (code := _code_periode(ligne.get("periode", ""))) in periodes
    }
    return _Contexte(
        periodes=periodes,
        attendus={i.code.lower(): i for i in services.indicateurs_a_saisir(table)},
        catalogue=catalogue,
        saisies={
            s.periode_id: s
            for s in Saisie.objects.filter(table=table, periode_id__in=du_fichier).select_related(
                "periode"
            )
        },
    )


def _est_vide(ligne: dict[str, str]) -> bool:
    """Rien à importer : une ligne du modèle laissée sans valeur est ignorée, pas effacée."""
    if getattr(ligne, "problemes", None):
        return False
    remplies = any(ligne.get(c, "") for c in ("valeur", "raison", "commentaire", "preuve_url"))
    return not remplies and _normaliser(ligne.get("non_disponible", "")) in FAUX


def verifier_import(*, table: TableDeQuartier, lignes: list[dict[str, str]]) -> RapportImport:
    """Contrôle chaque ligne sans rien écrire : ce que la lecture y a relevé, période connue et
    pas à venir, indicateur connu, valeur conforme à l'unité, absence expliquée, saisie encore
    modifiable, pas de doublon. Les lignes vides sont ignorées."""
    contexte = _contexte(table, lignes)
    rapport = RapportImport()
    for rang, ligne in enumerate(lignes):
        if _est_vide(ligne):
            continue
        problemes, valide = _verifier_ligne(rang + 2, ligne, contexte)
        rapport.problemes.extend(problemes)
        if valide:
            rapport.lignes_valides.append(valide)
    if not rapport.problemes and not rapport.lignes_valides:
        rapport.problemes.append(
            Probleme(None, "valeur", _("Le fichier ne contient aucune valeur à importer."))
        )
    return rapport


def _verifier_ligne(
    numero: int, ligne: dict[str, str], contexte: _Contexte
) -> tuple[list[Probleme], LigneValide | None]:
    problemes: list[Probleme] = []

    def signaler(colonne: str, message: str) -> None:
        problemes.append(Probleme(numero, colonne, message))

    for colonne, message in getattr(ligne, "problemes", ()):  # relevés à la lecture
        signaler(colonne, message)
    periode = _periode(ligne.get("periode", ""), contexte, signaler)
    indicateur = _indicateur(ligne.get("indicateur", ""), contexte, signaler)
    non_disponible = _booleen(ligne.get("non_disponible", ""), signaler)
    donnee = _donnee(indicateur, ligne, non_disponible, signaler) if indicateur else None
    if periode and indicateur:
        cle = (periode.pk, indicateur.pk)
        if cle in contexte.vues:
            signaler(
                "indicateur",
                _("Doublon : la ligne %(ligne)s donne déjà cet indicateur pour cette période.")
                % {"ligne": contexte.vues[cle]},
            )
        else:
            contexte.vues[cle] = numero
    if problemes or not (periode and indicateur and donnee):
        return problemes, None
    return problemes, LigneValide(numero, periode, indicateur, donnee)


def _periode(brut: str, contexte: _Contexte, signaler: Signaler) -> Periode | None:
    if not brut:
        signaler("periode", _("Indiquez la période, par exemple 2024-T1."))
        return None
    periode = contexte.periodes.get(_code_periode(brut))
    if periode is None:
        signaler(
            "periode",
            _("Période inconnue : « %(brut)s » (format attendu : 2024-T1).") % {"brut": brut},
        )
        return None
    if periode.statut == StatutPeriode.A_VENIR:  # les services la refuseraient aussi
        signaler(
            "periode",
            _("La période %(periode)s est à venir : on n'y importe pas encore de valeurs.")
            % {"periode": periode.libelle},
        )
    saisie = contexte.saisies.get(periode.pk)
    if saisie is not None and saisie.statut not in services.MODIFIABLES:
        signaler(
            "periode",
            _("La saisie de %(periode)s est « %(statut)s » : elle n'est plus modifiable.")
            % {"periode": periode.libelle, "statut": saisie.get_statut_display()},
        )
    return periode


def _indicateur(brut: str, contexte: _Contexte, signaler: Signaler) -> Indicateur | None:
    if not brut:
        signaler("indicateur", _("Indiquez le code de l'indicateur."))
        return None
    indicateur = contexte.attendus.get(brut.lower())
    if indicateur is None:
        if brut.lower() in contexte.catalogue:
            message = _("L'indicateur « %(code)s » n'est pas saisi par cette table.")
        else:
            message = _("Indicateur inconnu : « %(code)s ».")
        signaler("indicateur", message % {"code": brut})
    return indicateur


def _booleen(brut: str, signaler: Signaler) -> bool:
    normalise = _normaliser(brut)
    if normalise in VRAI:
        return True
    if normalise not in FAUX:
        signaler(
            "non_disponible",
            _("Valeur non reconnue : « %(brut)s » (écrivez oui ou non).") % {"brut": brut},
        )
    return False


def _donnee(
    indicateur: Indicateur, ligne: dict[str, str], non_disponible: bool, signaler: Signaler
) -> DonneeValeur:
    valeur = None
    try:
        valeur = analyser(indicateur.unite, ligne.get("valeur", ""))
    except ValidationError as erreur:
        for message in erreur.messages:
            signaler("valeur", message)
    donnee = DonneeValeur(
        valeur=None if isinstance(valeur, str) else valeur,
        texte=valeur if isinstance(valeur, str) else "",
        non_disponible=non_disponible,
        raison=ligne.get("raison", ""),
        commentaire=ligne.get("commentaire", ""),
        preuve_url=ligne.get("preuve_url", ""),
    )
    for partie, messages in verifier_donnee(indicateur.unite, donnee).items():
        for message in messages:
            signaler(partie if partie in COLONNES_IMPORTEES else "valeur", message)
    return donnee


# --- Import -------------------------------------------------------------------------------------


def importer(
    *, table: TableDeQuartier, lignes: list[dict[str, str]], auteur, nom_fichier: str
) -> RapportImport:
    """Vérifie le fichier puis, seulement si toutes ses lignes sont valides, enregistre ses
    valeurs période par période par `enregistrer_saisie`, en une seule transaction : tout ou
    rien, avec une ligne d'historique par valeur changée. Les refus des services deviennent des
    problèmes du rapport (et rien n'est écrit)."""
    rapport = verifier_import(table=table, lignes=lignes)
    if not rapport.est_valide:
        return rapport
    motif = _("Import du fichier %(fichier)s") % {"fichier": nom_fichier}
    groupe: list[LigneValide] = []  # la période en cours, pour situer un refus du service
    try:
        with transaction.atomic():
            for periode, groupe in rapport.par_periode():
                rapport.modifications += _importer_periode(table, periode, groupe, auteur, motif)
    except services.ConflitDeVersion as conflit:
        rapport.problemes.append(Probleme(groupe[0].ligne, "periode", str(conflit)))
    except ValidationError as erreur:
        rapport.problemes.extend(_problemes_du_service(erreur, groupe))
    if rapport.problemes:
        rapport.modifications = 0
    return rapport


def _importer_periode(
    table: TableDeQuartier, periode: Periode, groupe: list[LigneValide], auteur, motif: str
) -> int:
    # L'import reprend l'historique : une période fermée s'importe, ce que le formulaire et
    # l'API refusent; une période à venir, jamais.
    saisie = services.saisie_pour(
        table=table, periode=periode, auteur=auteur, periode_fermee_permise=True
    )
    resultat = services.enregistrer_saisie(
        saisie=saisie,
        auteur=auteur,
        version=saisie.version,
        donnees={ligne.indicateur.pk: ligne.donnee for ligne in groupe},
        motif=motif,
        periode_fermee_permise=True,
    )
    return resultat.modifications


def _problemes_du_service(erreur: ValidationError, groupe: list[LigneValide]) -> list[Probleme]:
    """Les erreurs « <id>.<partie> » d'`enregistrer_saisie`, ramenées à leur ligne du fichier."""
    premiere = groupe[0].ligne if groupe else None
    if not hasattr(erreur, "error_dict"):
        return [Probleme(premiere, "periode", message) for message in erreur.messages]
    par_indicateur = {ligne.indicateur.pk: ligne.ligne for ligne in groupe}
    problemes = []
    for cle, messages in erreur.message_dict.items():
        pk, _point, partie = cle.partition(".")
        ligne = par_indicateur.get(int(pk)) if pk.isdigit() else None
        colonne = partie if partie in COLONNES_IMPORTEES else "valeur"
        problemes.extend(Probleme(ligne or premiere, colonne, m) for m in messages)
    return problemes


# --- Modèles à télécharger ----------------------------------------------------------------------


def periode_du_modele() -> Periode | None:
    """La période préremplie dans le modèle : la dernière ouverte, sinon la dernière fermée
    (l'import refuse une période à venir)."""
    periodes = Periode.objects.exclude(statut=StatutPeriode.A_VENIR).order_by("-debut")
    return periodes.filter(statut=StatutPeriode.OUVERTE).first() or periodes.first()


def _rangees_modele(table: TableDeQuartier, periode: Periode | None) -> list[list[str]]:
    code = periode.code if periode else ""
    return [
        [code, i.code, i.nom, str(i.get_unite_display()), "", "", "", "", ""]
        for i in services.indicateurs_a_saisir(table)
    ]


def modele_csv(table: TableDeQuartier, periode: Periode | None) -> str:
    """Le modèle CSV de la table : en-tête, puis une ligne par indicateur saisi. Séparateur « ; »,
    celui qu'attend Excel en français (la lecture accepte aussi « , » et la tabulation)."""
    tampon = io.StringIO()
    ecrivain = csv.writer(tampon, delimiter=";", lineterminator="\r\n")
    ecrivain.writerow(COLONNES_MODELE)
    ecrivain.writerows(_rangees_modele(table, periode))
    return tampon.getvalue()


def modele_xlsx(table: TableDeQuartier, periode: Periode | None) -> bytes:
    """Le même modèle en XLSX, avec une liste oui/non pour « non_disponible »."""
    classeur = openpyxl.Workbook()
    feuille = classeur.active
    feuille.title = _("Valeurs")[:31]
    feuille.append(list(COLONNES_MODELE))
    rangees = _rangees_modele(table, periode)
    for rangee in rangees:
        feuille.append(rangee)
    for cellule in feuille[1]:
        cellule.font = Font(bold=True)
    feuille.freeze_panes = "A2"
    for lettre, largeur in zip("ABCDEFGHI", (10, 28, 45, 18, 12, 15, 30, 40, 30), strict=True):
        feuille.column_dimensions[lettre].width = largeur
    # La liste dans la langue du modèle; la lecture reconnaît oui/non et yes/no (VRAI, FAUX).
    liste = DataValidation(type="list", formula1=f'"{_("oui")},{_("non")}"', allow_blank=True)
    feuille.add_data_validation(liste)
    liste.add(f"F2:F{max(len(rangees), 1) + 1}")
    tampon = io.BytesIO()
    classeur.save(tampon)
    return tampon.getvalue()
