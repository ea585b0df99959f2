"""Ce qu'un fichier d'import doit être avant qu'on le lise : pas plus gros que le réglage
`EVALPIC_IMPORT_TAILLE_MAX`, et vraiment du type que dit son extension (un .xlsx est une archive
de classeur Excel, un .csv est du texte). Un fichier refusé l'est avec un message clair, sans que
rien ne soit écrit. Et ce que le classeur dit de lui-même : s'il demande d'être recalculé à
l'ouverture (`recalcul_demande`), les valeurs gardées de ses formules ne sont pas fiables. Sa
partie principale (xl/workbook.xml d'ordinaire) se trouve comme openpyxl la trouve
(`partie_principale`)."""

from __future__ import annotations

import io
import re
import zipfile
from xml.parsers import expat

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl.xml.constants import ARC_CONTENT_TYPES, ARC_WORKBOOK, XLSM, XLSX, XLTM, XLTX

from evalpic.securite import taille_lisible

# Un classeur XLSX est une archive zip compressée : une archive piégée (« bombe zip ») de
# quelques Ko peut se décompresser en gigaoctets. Au-delà de ce facteur de la taille maximale
# du fichier, une fois décompressé, il est refusé avant d'être ouvert.
FACTEUR_DECOMPRESSION_MAX = 20
# Deux parties qu'openpyxl lit en entier avant qu'on ne lise la moindre ligne : les textes
# partagés (tout le classeur) et chaque feuille sans dimension déclarée (parcourue pour la
# calculer). Ce qui coûte, c'est le nombre d'éléments XML (~2 à 16 µs chacun) : 200 Ko de
# petits éléments répétés y faisaient passer une minute et des centaines de Mo. On compte donc
# les balises (chaque élément en ouvre au moins une, « < », que le texte ne peut pas contenir
# sans échappement) en décompressant par morceaux, avant qu'openpyxl n'ouvre le classeur. Le
# plus grand import permis (10 000 lignes, `lecture_import`) en compte ~540 000 dans sa feuille
# aux 9 colonnes du modèle (~1,5 million si les 26 colonnes lues étaient remplies), et ses
# textes partagés (commentaires et raisons distincts, mis en forme au besoin) quelques
# centaines de milliers.
BALISES_MAX = {"textes_partages": 600_000, "feuille": 2_000_000}
MORCEAU = 1024 * 1024
SIGNATURE_ZIP = b"PK\x03\x04"
# Des fichiers binaires qu'on prend souvent pour un CSV : XLSX (zip), ancien XLS (OLE), PDF.
SIGNATURES_BINAIRES = (SIGNATURE_ZIP, b"\xd0\xcf\x11\xe0", b"%PDF")
# Les types de contenu d'une partie principale de classeur, dans l'ordre où openpyxl les cherche
# dans [Content_Types].xml (openpyxl.reader.excel._find_workbook_part).
TYPES_PRINCIPAUX = (XLTM, XLTX, XLSM, XLSX)
# [Content_Types].xml fait quelques Ko (une ligne par partie) : au-delà, on ne le lit pas.
TAILLE_TYPES_MAX = 1024 * 1024
# Un texte CSV ne contient pas de caractères de contrôle, sauf la tabulation et les fins de ligne.
CONTROLES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def taille_max() -> int:
    """La taille maximale d'un fichier d'import, en octets (réglage EVALPIC_IMPORT_TAILLE_MAX)."""
    return settings.EVALPIC_IMPORT_TAILLE_MAX


def verifier_taille(taille: int | None) -> None:
    if taille is not None and taille > taille_max():
        raise ValidationError(
            _("Le fichier dépasse %(max)s.") % {"max": taille_lisible(taille_max())},
            code="taille",
        )


def _pas_un_csv() -> ValidationError:
    return ValidationError(
        _(
            "Ce fichier .csv est illisible : ce n'est pas du texte (peut-être un classeur ou un "
            "PDF renommé). Enregistrez-le au format CSV (UTF-8), ou envoyez le classeur en .xlsx."
        ),
        code="contenu",
    )


def verifier_octets_csv(contenu: bytes) -> None:
    """Avant le décodage : un fichier binaire connu ne passe pas pour un CSV."""
    if contenu.startswith(SIGNATURES_BINAIRES):
        raise _pas_un_csv()


def verifier_texte_csv(texte: str) -> None:
    """Après le décodage : pas de caractères de contrôle, signe d'un fichier binaire."""
    if CONTROLES.search(texte):
        raise _pas_un_csv()


def _pas_un_classeur() -> ValidationError:
    return ValidationError(
        _(
            "Ce fichier .xlsx est illisible : ce n'est pas un classeur Excel. Enregistrez-le de "
            "nouveau au format XLSX (ou CSV UTF-8)."
        ),
        code="contenu",
    )


def verifier_classeur(contenu: bytes) -> None:
    """Un .xlsx doit être une vraie archive de classeur Excel, de taille décompressée raisonnable
    et sans partie démesurée (`BALISES_MAX`), avant qu'openpyxl ne l'ouvre."""
    pas_un_classeur = _pas_un_classeur()
    if not contenu.startswith(SIGNATURE_ZIP):
        raise pas_un_classeur
    try:
        with zipfile.ZipFile(io.BytesIO(contenu)) as archive:
            membres = archive.infolist()
            principale = partie_principale(archive)
    except (zipfile.BadZipFile, ValueError, OSError) as erreur:
        raise pas_un_classeur from erreur
    if principale not in {m.filename for m in membres}:
        raise pas_un_classeur
    trop_volumineux = ValidationError(
        _("Ce classeur est trop volumineux une fois décompressé : découpez-le."), code="taille"
    )
    if sum(m.file_size for m in membres) > FACTEUR_DECOMPRESSION_MAX * taille_max():
        raise trop_volumineux
    with zipfile.ZipFile(io.BytesIO(contenu)) as archive:
        for membre in membres:
            if _balises(archive, membre) > _balises_max(membre.filename):
                raise trop_volumineux


def _balises_max(nom: str) -> int:
    """Le nombre de balises permis dans une partie. openpyxl trouve feuilles et textes
    partagés par les relations et les types déclarés, pas par leur nom : une partie renommée
    serait lue en entier comme les autres. Toute partie a donc la limite d'une feuille, et les
    textes partagés, sous leur nom d'usage, la leur, plus basse."""
    if nom.lower().endswith("sharedstrings.xml"):
        return BALISES_MAX["textes_partages"]
    return BALISES_MAX["feuille"]


def _balises(archive: zipfile.ZipFile, membre: zipfile.ZipInfo) -> int:
    """Le nombre de « < » d'une partie, décompressée par morceaux (jamais entière en mémoire).
    Une partie qu'on ne sait pas décompresser (abîmée, chiffrée, compression inconnue) compte
    zéro : la lecture du classeur la refusera comme fichier illisible, avec son message."""
    compte = 0
    try:
        with archive.open(membre) as flux:
            while morceau := flux.read(MORCEAU):
                compte += morceau.count(b"<")
    except Exception:  # zipfile lève BadZipFile, zlib.error, NotImplementedError, RuntimeError…
        return 0
    return compte


def partie_principale(archive: zipfile.ZipFile) -> str:
    """Le nom de la partie principale du classeur, trouvée comme openpyxl la trouve : la première
    partie de [Content_Types].xml déclarée du type d'un classeur (`TYPES_PRINCIPAUX`, dans cet
    ordre). Elle s'appelle xl/workbook.xml d'ordinaire, mais un programme peut la nommer
    autrement (et _rels/.rels pointe alors vers elle). À défaut (aucune déclaration, partie
    illisible ou démesurée), xl/workbook.xml, le seul nom qu'openpyxl essaie alors. La partie
    est lue par morceaux, sans arbre XML, et jamais au-delà de `TAILLE_TYPES_MAX`."""
    declarees: dict[str, str] = {}  # type de contenu → première partie déclarée de ce type

    def debut(nom: str, attributs: dict[str, str]) -> None:
        if nom.rpartition("}")[2] == "Override":
            declarees.setdefault(attributs.get("ContentType", ""), attributs.get("PartName", ""))

    parseur = expat.ParserCreate(namespace_separator="}")
    parseur.StartElementHandler = debut
    try:
        with archive.open(ARC_CONTENT_TYPES) as flux:
            lus = 0
            while morceau := flux.read(MORCEAU):
                lus += len(morceau)
                if lus > TAILLE_TYPES_MAX:
                    return ARC_WORKBOOK
                parseur.Parse(morceau, False)
            parseur.Parse(b"", True)
    except Exception:  # absente (KeyError), abîmée, XML invalide : le nom par défaut
        return ARC_WORKBOOK
    for type_principal in TYPES_PRINCIPAUX:
        if declarees.get(type_principal):
            return declarees[type_principal][1:]  # "/xl/workbook.xml" → "xl/workbook.xml"
    return ARC_WORKBOOK


class _Trouve(Exception):
    """Arrête la lecture de la partie principale dès l'élément <calcPr>."""


def recalcul_demande(contenu: bytes) -> bool:
    """Vrai si le classeur demande d'être entièrement recalculé à l'ouverture :
    `<calcPr fullCalcOnLoad="1"/>` (ou « true », booléen XML Schema) dans la partie principale
    (`partie_principale`, xl/workbook.xml d'ordinaire). Un
    programme qui ne calcule pas (XlsxWriter, openpyxl…) l'écrit, et la valeur qu'il garde pour
    chaque formule n'est qu'un remplissage (0 chez XlsxWriter); Excel recalcule, puis efface
    l'attribut en enregistrant. La partie, petite, est lue une fois, par morceaux, sans arbre
    XML, jusqu'à l'élément <calcPr>."""
    attributs: dict[str, str] = {}

    def debut(nom: str, trouves: dict[str, str]) -> None:
        if nom.rpartition("}")[2] == "calcPr":  # "espace}calcPr", quel que soit le préfixe
            attributs.update(trouves)
            raise _Trouve

    parseur = expat.ParserCreate(namespace_separator="}")
    parseur.StartElementHandler = debut
    try:
        with (
            zipfile.ZipFile(io.BytesIO(contenu)) as archive,
            archive.open(partie_principale(archive)) as flux,
        ):
            while morceau := flux.read(MORCEAU):
                parseur.Parse(morceau, False)
            parseur.Parse(b"", True)
    except _Trouve:
        return attributs.get("fullCalcOnLoad", "").strip() in ("1", "true")
    except Exception as erreur:  # archive ou XML abîmés (openpyxl l'a pourtant ouvert)
        raise _pas_un_classeur() from erreur
    return False
