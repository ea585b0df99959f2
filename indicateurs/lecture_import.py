"""Lire un fichier d'import CSV ou XLSX en lignes, que `importation` vérifie et importe.

Le fichier suit le modèle téléchargeable (`modele_import`) : une ligne par indicateur et par
période, sous un en-tête qui nomme les colonnes.

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
from decimal import Decimal
from pathlib import Path

import openpyxl
from django.core.exceptions import ValidationError
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from indicateurs.controle_fichiers import (
    recalcul_demande,
    taille_max,
    verifier_classeur,
    verifier_octets_csv,
    verifier_taille,
    verifier_texte_csv,
)

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


def normaliser(texte: str) -> str:
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
    """Les rangées du CSV. Lecture stricte des guillemets : un guillemet ouvrant sans guillemet
    fermant faisait du reste du fichier le texte d'une seule cellule (les lignes suivantes
    disparaissaient sans bruit); un guillemet fermant suivi d'autre chose qu'un séparateur
    aussi, jusqu'à lui. Les deux sont refusés avec la ligne où commence l'enregistrement."""
    lecteur = csv.reader(io.StringIO(texte, newline=""), delimiter=separateur, strict=True)
    fin_precedente = 0  # la dernière ligne physique lue du fichier (en-tête : ligne 1)
    try:
        for rangee in lecteur:
            fin_precedente = lecteur.line_num
            yield rangee
    except csv.Error as erreur:
        raise _erreur_de_guillemet(str(erreur), fin_precedente + 1, lecteur.line_num) from erreur


def _erreur_de_guillemet(message: str, debut: int, fin: int) -> ValidationError:
    """L'erreur de la lecture stricte : un guillemet jamais fermé (« unexpected end of data »),
    ou fermé puis suivi d'autre chose qu'un séparateur (« ';' expected after '"' »), sur
    l'enregistrement qui commence à la ligne `debut`; sinon le fichier est illisible."""
    if "unexpected end of data" in message:
        return ValidationError(
            _(
                "Guillemet non fermé, ligne %(ligne)s : le texte entre guillemets qui commence "
                "sur cette ligne ne se ferme pas avant la fin du fichier, et avalerait toutes "
                "les lignes suivantes. Ajoutez le guillemet fermant, ou retirez le guillemet "
                "ouvrant."
            )
            % {"ligne": debut},
            code="guillemet",
        )
    if "expected after" in message:
        return ValidationError(
            _(
                "Guillemet mal placé, ligne %(ligne)s : un texte entre guillemets ouvert sur "
                "cette ligne se ferme (ligne %(fin)s) sans être suivi d'un séparateur. "
                'Fermez-le juste avant le séparateur, ou doublez ("") un guillemet qui fait '
                "partie du texte."
            )
            % {"ligne": debut, "fin": fin},
            code="guillemet",
        )
    return _illisible()


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


class _FormuleARecalculer(_Illisible):
    def __new__(cls) -> _FormuleARecalculer:
        return str.__new__(cls, "")

    @property
    def message(self) -> str:
        return _(
            "Formule dont le classeur ne garde pas la valeur calculée : il demande d'être "
            "recalculé à l'ouverture (fichier écrit par un programme ?). Ouvrez-le dans un "
            "tableur, recalculez-le et enregistrez-le, ou remplacez la formule par sa valeur."
        )


def _rangees_xlsx(contenu: bytes) -> tuple[list[list[str]], str]:
    """Les rangées de la feuille du modèle (la première qui a les colonnes obligatoires sur sa
    première ligne, sinon la première du classeur) et son nom. La feuille est lue deux fois
    s'il y a des formules : d'abord telle qu'écrite (openpyxl ne dit qu'ainsi qu'une cellule
    est une formule), puis avec les valeurs que le tableur a calculées; une formule qui n'en a
    pas (fichier écrit par un script) est un problème de sa ligne au lieu d'une cellule vide,
    comme toute formule d'un classeur qui demande d'être recalculé à l'ouverture : la valeur
    qu'il garde n'est qu'un remplissage (0 chez XlsxWriter), qu'on enregistrerait sans bruit."""
    verifier_classeur(contenu)
    rang, nom, rangees = _lire_feuille(contenu, data_only=False, lire=_texte_cellule)
    formules = [
        (i, j)
        for i, rangee in enumerate(rangees)
        for j, texte in enumerate(rangee)
        if isinstance(texte, _FormuleSansValeur)
    ]
    if formules:
        recalcul = recalcul_demande(contenu)
        _rang, _nom, cellules = _lire_feuille(
            contenu, data_only=True, lire=lambda cellule: cellule, rang=rang
        )
        for i, j in formules:
            rangees[i][j] = _valeur_calculee(cellules[i][j], recalcul=recalcul)
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
        noms = {normaliser(str(valeur)) for valeur in entete if valeur is not None}
        if noms.issuperset(COLONNES_REQUISES):
            return rang
    return 0


def _valeur_calculee(cellule, *, recalcul: bool) -> str:
    # Sans valeur ni type « str » (le texte vide qu'un tableur calcule), jamais calculée.
    if cellule.value is None and cellule.data_type not in ("s", "str"):
        return _FormuleSansValeur()
    if recalcul:  # une valeur gardée, mais que le classeur lui-même dit périmée
        return _FormuleARecalculer()
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
    sans_nom = {rang for rang, brut in enumerate(entete) if not normaliser(brut)}
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
    noms = [normaliser(str(brut)) for brut in entete]
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
