"""Les exports de données d'un bilan (CSV et XLSX), fabriqués à partir de l'instantané seul.

Ces fonctions sont pures : elles ne lisent ni la base, ni l'horloge, ni la langue active. Le
même instantané donne les mêmes octets, à chaque appel et quel que soit le jour, ce qui permet
de régénérer les fichiers d'un bilan et d'obtenir des exports identiques à l'octet près.

Ce qu'on en déduit :

- les en-têtes et les libellés sont traduits dans la langue de l'instantané (`"langue"`), jamais
  dans celle de la requête en cours;
- l'ordre des lignes ne dépend pas de l'ordre des clés des dictionnaires de l'instantané :
  un champ JSON PostgreSQL (`jsonb`) ne conserve pas cet ordre. Les quartiers sont triés par
  nom, les indicateurs par code, les trimestres d'une série (ceux de ses points et de ses
  cibles) dans l'ordre chronologique, les catégories d'apprentissage dans l'ordre de
  `CategorieApprentissage`;
- le classeur XLSX porte des dates fixes tirées de l'instantané (le moment où le bilan a lu la
  base, « donnees_au », figé avec lui; la fin de la période à minuit pour un instantané d'avant
  evalpic-bilan-1.5) au lieu de l'heure de l'enregistrement, et son archive ZIP est réécrite
  avec des entrées datées du 1er janvier 1980, dans un ordre, une compression et des attributs
  fixes.

Les octets restent ceux d'un même code : une nouvelle version d'openpyxl, de zlib ou des
traductions peut les changer; c'est pourquoi l'instantané porte la version du générateur.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation

from django.utils import translation
from django.utils.text import capfirst, slugify
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.xml.functions import tostring

from evalpic.tableurs import neutraliser_formule
from indicateurs.models import Agregation, CategorieApprentissage, ModeCollecte, Polarite, Unite
from rapports.en_bref import constats
from rapports.instantane import lignes_de_completude, somme_de_controle
from rapports.models import Portee
from rapports.series import Statut
from rapports.statuts import a_un_statut, rang_trimestre

# Excel garde 15 chiffres significatifs : au-delà, la valeur reste du texte exact.
CHIFFRES_SIGNIFICATIFS_EXCEL = 15
DATE_ZIP = (1980, 1, 1, 0, 0, 0)  # la plus petite date qu'accepte le format ZIP
ATTRIBUTS_ZIP = 0o100644 << 16  # fichier ordinaire, rw-r--r--
NIVEAU_COMPRESSION = 6
PREMIERES_ENTREES_ZIP = ("[Content_Types].xml", "_rels/.rels")


# --- Lecture de l'instantané --------------------------------------------------------------------


def _cle_de_tri(texte: str) -> tuple[str, str]:
    """Tri alphabétique qui ignore accents et casse (« École » avant « Parc »), puis le texte
    exact pour départager : le même ordre sur toute machine, sans dépendre de la locale."""
    sans_accents = unicodedata.normalize("NFKD", texte)
    sans_accents = "".join(c for c in sans_accents if not unicodedata.combining(c))
    return sans_accents.casefold(), texte


def _quartiers(instantane: dict) -> list[dict]:
    """Les quartiers de l'instantané, triés par nom (puis par slug)."""
    return sorted(
        instantane.get("quartiers", []),
        key=lambda q: (*_cle_de_tri(q.get("nom", "")), q.get("slug", "")),
    )


def _series(quartier: dict) -> list[dict]:
    """Les séries d'un quartier, triées par code d'indicateur."""
    return sorted(quartier.get("series", []), key=lambda s: s["code"])


def _libelle(choix: type, valeur: str | None) -> str:
    """Le libellé traduit d'une valeur de `TextChoices`, ou la valeur telle quelle si elle
    n'est pas (ou plus) un choix connu."""
    if valeur is None:
        return ""
    libelles = dict(choix.choices)
    return str(libelles[valeur]) if valeur in libelles else str(valeur)


def _categories(apprentissages: dict) -> list[str]:
    """Les catégories d'apprentissage dans l'ordre du modèle, puis les inconnues par ordre
    alphabétique."""
    connues = [c for c in CategorieApprentissage.values if c in apprentissages]
    autres = sorted(c for c in apprentissages if c not in CategorieApprentissage.values)
    return connues + autres


def _en_tetes_valeurs() -> list[str]:
    return [
        _("Quartier"),
        _("Indicateur"),
        _("Nom de l'indicateur"),
        _("Unité"),
        _("Période"),
        _("Libellé de la période"),
        _("Valeur"),
        _("Cible"),
        _("Référence"),
        _("Statut"),
        # Comme l'export des valeurs : la valeur « non disponible » (oui, non) et sa raison.
        _("Non disponible"),
        _("Raison de l'absence"),
        _("Apprentissages épinglés"),
        # La date de la valeur de référence de la série : ajoutée à la fin, pour que les
        # colonnes d'avant gardent leur place.
        _("Date de la référence"),
        # Depuis evalpic-bilan-1.8, à la fin aussi : l'agrégation dans le temps de l'indicateur
        # et la valeur de la période du bilan qui en découle, avec ses trimestres renseignés.
        _("Agrégation dans le temps"),
        _("Valeur de la période du bilan"),
        _("Trimestres de la période avec une valeur"),
        _("Trimestres de la période"),
    ]


# Valeur, cible, référence, puis valeur de la période du bilan et ses trimestres (indices dans
# _en_tetes_valeurs).
COLONNES_NUMERIQUES = (6, 7, 8, 15, 16, 17)


def _de_la_periode(serie: dict) -> list[str]:
    """La valeur de la période du bilan d'une série (depuis evalpic-bilan-1.8 :
    `instantane._valeurs_de_la_periode`), en texte décimal exact, et ses trimestres avec une
    valeur sur ceux de la période; trois cases vides sans elle (indicateur en texte, période
    sans valeur, instantané d'avant)."""
    valeur = serie.get("valeur_de_periode")
    if not valeur:
        return ["", "", ""]
    return [valeur["valeur"], str(valeur["trimestres"]), str(valeur["sur"])]


def _periodes_de_la_serie(serie: dict) -> list[tuple[str, dict, dict]]:
    """(code, point, cible) de chaque trimestre qui a un point ou une cible, dans l'ordre
    chronologique, comme le tableau de la courbe (`graphiques.lignes_de_la_courbe`) : une cible
    hors de la fenêtre (à venir, souvent celle qui décide du statut) a sa ligne. Un point ou une
    cible absents sont des dictionnaires vides."""
    points = {p["periode"]: p for p in serie.get("points", [])}
    cibles = {c["periode"]: c for c in serie.get("cibles", [])}
    codes = sorted(points.keys() | cibles.keys(), key=rang_trimestre)
    return [(code, points.get(code, {}), cibles.get(code, {})) for code in codes]


SEPARATEUR_APPRENTISSAGES = " | "  # entre les apprentissages épinglés à un même trimestre


def _epingles(serie: dict) -> dict[str, str]:
    """Période (code) → les apprentissages épinglés à la courbe ce trimestre-là, « catégorie :
    texte », dans l'ordre de l'instantané (trimestre, puis saisie), séparés par « | »."""
    par_periode: dict[str, list[str]] = {}
    for repere in serie.get("reperes", []):
        texte = _("%(categorie)s : %(texte)s") % {
            "categorie": repere["categorie"],
            "texte": repere["texte"],
        }
        par_periode.setdefault(repere["periode"], []).append(texte)
    return {code: SEPARATEUR_APPRENTISSAGES.join(textes) for code, textes in par_periode.items()}


def _lignes_valeurs(instantane: dict) -> Iterator[list[str]]:
    """Une ligne par quartier × indicateur × trimestre (d'un point ou d'une cible), les nombres
    en texte décimal exact (chaîne vide si absent) et, pour un indicateur en texte, son texte
    (`TexteSaisi`) comme valeur et un statut vide (`a_un_statut`); une valeur « non disponible »
    est vide, avec « oui » et sa raison (un instantané d'avant evalpic-bilan-1.4 n'a pas ces clés :
    « non », sans raison); la dernière colonne porte les apprentissages épinglés au trimestre
    (`_epingles`), puis la date de la référence (AAAA-MM-JJ, vide sans référence datée),
    l'agrégation dans le temps de l'indicateur et la valeur de la période du bilan, répétées sur
    chaque ligne de la série comme la référence (`_de_la_periode`; vides pour un instantané
    d'avant evalpic-bilan-1.8). À appeler dans la langue de l'instantané."""
    catalogue = instantane.get("indicateurs", {})
    oui, non = _("oui"), _("non")
    for quartier in _quartiers(instantane):
        for serie in _series(quartier):
            indicateur = catalogue.get(serie["code"], {})
            unite = indicateur.get("unite")
            epingles = _epingles(serie)
            agregation = _libelle(Agregation, indicateur.get("agregation"))
            de_la_periode = _de_la_periode(serie)
            for code, point, cible in _periodes_de_la_serie(serie):
                yield [
                    quartier.get("nom", ""),
                    serie["code"],
                    indicateur.get("nom", ""),
                    _libelle(Unite, unite),
                    code,
                    point.get("libelle") or cible.get("libelle", ""),
                    point.get("valeur") or TexteSaisi(point.get("texte") or ""),
                    cible.get("valeur") or "",
                    serie.get("reference") or "",
                    # Un indicateur en texte n'a pas de statut : case vide, pas « sans données ».
                    _libelle(Statut, serie.get("statut")) if a_un_statut(unite) else "",
                    oui if point.get("non_disponible") else non,
                    point.get("raison", ""),
                    epingles.get(code, ""),
                    serie.get("date_reference") or "",
                    agregation,
                    *de_la_periode,
                ]


# --- CSV ----------------------------------------------------------------------------------------


def exporter_csv(instantane: dict) -> bytes:
    """Les valeurs du bilan en CSV, format long : UTF-8 avec BOM (pour Excel), point-virgule,
    fins de ligne « \\r\\n ». Une ligne par quartier × indicateur × trimestre, triées par nom de
    quartier, code d'indicateur puis trimestre (ordre chronologique) : chaque trimestre de la
    fenêtre, et celui d'une cible hors de la fenêtre, sans valeur. Les nombres sont les textes
    décimaux exacts de l'instantané, la valeur d'un indicateur en texte son texte (neutralisé
    s'il commence comme une formule); une valeur absente est une case vide."""
    tampon = io.StringIO(newline="")
    ecrivain = csv.writer(tampon, delimiter=";", lineterminator="\r\n")
    with translation.override(instantane["langue"]):
        ecrivain.writerow(_en_tetes_valeurs())
        for ligne in _lignes_valeurs(instantane):
            # Un nombre décimal simple reste intact; le texte d'un indicateur en texte, dans la
            # colonne des valeurs, est neutralisé comme les autres textes.
            ecrivain.writerow([neutraliser_formule(v) for v in ligne])
    return tampon.getvalue().encode("utf-8-sig")


# --- XLSX ---------------------------------------------------------------------------------------


class TexteSaisi(str):
    """Le texte d'un indicateur en texte, dans la colonne des valeurs : du texte, jamais lu
    comme un nombre (« 007 » reste « 007 », « 1e5 » reste « 1e5 »)."""


def nombre_pour_excel(texte: str | None) -> int | float | str | None:
    """Le texte décimal de l'instantané en nombre pour une cellule numérique.

    Un entier devient `int`; un décimal devient `float` seulement s'il a au plus 15 chiffres
    significatifs : Excel n'en garde pas davantage, et openpyxl écrit alors exactement le même
    texte décimal (« 12.5 », « 0.1 »). Au-delà, ou si le texte n'est pas un nombre, la cellule
    garde le texte exact plutôt qu'un arrondi silencieux."""
    if texte is None or texte == "":
        return None
    if isinstance(texte, TexteSaisi):
        return str(texte)
    try:
        nombre = Decimal(texte)
    except InvalidOperation:
        return texte
    if not nombre.is_finite():
        return texte
    if len(nombre.normalize().as_tuple().digits) > CHIFFRES_SIGNIFICATIFS_EXCEL:
        return texte
    if nombre == nombre.to_integral_value():
        return int(nombre)
    return float(nombre)


def _ecrire(feuille: Worksheet, ligne: int, valeurs: list, numeriques: tuple[int, ...] = ()):
    """Écrit une ligne; les colonnes `numeriques` reçoivent des nombres, les autres du texte
    qu'Excel n'interprète jamais comme une formule, sans les caractères de contrôle que le
    format refuse (`_sans_controles`)."""
    for colonne, valeur in enumerate(valeurs):
        if colonne in numeriques:
            valeur = nombre_pour_excel(valeur)
        if isinstance(valeur, str):
            valeur = _sans_controles(valeur)
        cellule = feuille.cell(row=ligne, column=colonne + 1, value=valeur)
        if isinstance(valeur, str):
            cellule.data_type = "s"


def _sans_controles(texte: str) -> str:
    """Le texte sans les caractères de contrôle qu'un classeur XLSX ne peut pas contenir
    (tabulation verticale, saut de page… venus d'un copier-coller dans un apprentissage ou une
    valeur en texte), remplacés par une espace : openpyxl les refuse, et un seul faisait échouer
    tout bilan qui le contenait, celui du PIC compris. Tabulation et fins de ligne restent."""
    return ILLEGAL_CHARACTERS_RE.sub(" ", texte)


def _titre_de_feuille(titre: str) -> str:
    """Un titre de feuille qu'Excel accepte, quelle que soit la traduction : 31 caractères au
    plus, sans \\ / * ? : [ ]."""
    return re.sub(r"[\\/*?:\[\]]", "-", titre)[:31] or "-"


def _feuille(
    classeur: Workbook,
    titre: str,
    en_tetes: list[str],
    lignes: list[list],
    numeriques: tuple[int, ...] = (),
    largeurs: tuple[int, ...] = (),
) -> Worksheet:
    feuille = classeur.create_sheet(title=_titre_de_feuille(titre))
    _ecrire(feuille, 1, en_tetes)
    for cellule in feuille[1]:
        cellule.font = Font(bold=True)
    for numero, valeurs in enumerate(lignes, start=2):
        _ecrire(feuille, numero, valeurs, numeriques)
    feuille.freeze_panes = "A2"
    if lignes:
        feuille.auto_filter.ref = feuille.dimensions
    for colonne, largeur in enumerate(largeurs, start=1):
        feuille.column_dimensions[get_column_letter(colonne)].width = largeur
    return feuille


def _lignes_indicateurs(instantane: dict) -> list[list]:
    catalogue = instantane.get("indicateurs", {})
    return [
        [
            code,
            fiche.get("nom", ""),
            fiche.get("definition", ""),
            _libelle(Unite, fiche.get("unite")),
            _libelle(Polarite, fiche.get("polarite")),
            fiche.get("famille", ""),
            fiche.get("source", ""),
            _libelle(ModeCollecte, fiche.get("mode")),
            # Depuis evalpic-bilan-1.8; vide pour un instantané d'avant.
            _libelle(Agregation, fiche.get("agregation")),
        ]
        for code, fiche in sorted(catalogue.items())
    ]


def _lignes_apprentissages(instantane: dict) -> list[list]:
    """Par quartier : les apprentissages de la période du bilan (période du bilan, sans
    indicateur), par catégorie, puis ceux épinglés aux courbes, avec leur trimestre et leur
    indicateur (par code, puis dans l'ordre de l'instantané). Un apprentissage épinglé pendant
    la période du bilan est aussi parmi ceux de la période : il ne s'écrit qu'une fois, épinglé."""
    periode = instantane["periode"]
    lignes = []
    for quartier in _quartiers(instantane):
        reperes = [(s["code"], r) for s in _series(quartier) for r in s.get("reperes", [])]
        deja = Counter(
            (r["categorie"], r["texte"])
            for _code, r in reperes
            if _dans_la_periode(r["periode"], periode)
        )
        apprentissages = quartier.get("apprentissages") or {}
        for categorie in _categories(apprentissages):
            libelle = _libelle(CategorieApprentissage, categorie)
            for texte in apprentissages[categorie]:
                if deja[libelle, texte]:
                    deja[libelle, texte] -= 1
                    continue
                # En début de cellule : « Année 2025 », pas « année 2025 ».
                lignes.append(
                    [quartier["nom"], capfirst(periode.get("libelle", "")), "", libelle, texte]
                )
        lignes.extend(
            [quartier["nom"], r["libelle"], code, r["categorie"], r["texte"]] for code, r in reperes
        )
    return lignes


def _dans_la_periode(code: str, periode: dict) -> bool:
    """Le trimestre `code` (« 2025-T2 ») est-il dans la période du bilan (son trimestre, ou un
    trimestre de son année) ?"""
    annee, _t, trimestre = code.partition("-T")
    return annee == str(periode.get("annee")) and periode.get("trimestre") in (None, int(trimestre))


def _en_tetes_en_bref() -> list[str]:
    return [
        _("Constat"),
        _("Code de la mesure"),
        _("Mesure"),
        _("Période de départ"),
        _("Valeur de départ"),
        _("Période de fin"),
        _("Valeur de fin"),
    ]


COLONNES_NUMERIQUES_EN_BREF = (4, 6)  # valeurs de départ et de fin


def _lignes_en_bref(instantane: dict) -> list[list]:
    """Chaque constat « En bref », tel que le bilan l'écrit, avec chaque nombre qu'il cite (une
    ligne par mesure : `en_bref.Mesure`), dans l'ordre du bilan. À appeler dans la langue de
    l'instantané (les constats s'écrivent dans la langue active)."""
    return [
        [
            constat.texte,
            mesure.code,
            mesure.libelle,
            mesure.periode_depart,
            mesure.valeur_depart,
            mesure.periode_fin,
            mesure.valeur_fin,
        ]
        for constat in constats(instantane)
        for mesure in constat.mesures
    ]


def _lignes_completude(instantane: dict) -> list[list]:
    """Par quartier, une ligne pour la période du bilan (depuis evalpic-bilan-1.6) et une pour la
    fenêtre des données, chacune nommée (`instantane.lignes_de_completude`, comme le HTML)."""
    lignes = []
    for quartier in _quartiers(instantane):
        for libelle, completude in lignes_de_completude(instantane, quartier):
            lignes.append(
                [
                    quartier["nom"],
                    libelle,
                    completude.get("attendues", 0),
                    completude.get("renseignees", 0),
                    completude.get("validees", 0),
                    # Compté depuis evalpic-bilan-1.4 : une case vide pour un instantané d'avant.
                    completude.get("non_disponibles"),
                    len(completude.get("manquantes", [])),
                ]
            )
    return lignes


def _lignes_strategies(instantane: dict) -> list[list]:
    """Par quartier : le titre, la version et la date d'adoption (AAAA-MM-JJ) de la stratégie de
    changement figée dans l'instantané; vides si le quartier n'en avait aucune en vigueur."""
    lignes = []
    for quartier in _quartiers(instantane):
        strategie = quartier.get("strategie") or {}
        lignes.append(
            [
                quartier.get("nom", ""),
                strategie.get("titre", ""),
                str(strategie["version"]) if strategie.get("version") is not None else None,
                strategie.get("adoptee_le") or "",
            ]
        )
    return lignes


def _fin_de_periode(instantane: dict) -> datetime.datetime:
    """La fin de la période à minuit."""
    fin = datetime.date.fromisoformat(instantane["periode"]["fin"])
    return datetime.datetime(fin.year, fin.month, fin.day)


def _donnees_au(instantane: dict) -> datetime.datetime | None:
    """Le moment où le bilan a lu la base, à l'heure locale qu'il porte (depuis
    evalpic-bilan-1.5; None avant)."""
    if not instantane.get("donnees_au"):
        return None
    return datetime.datetime.fromisoformat(instantane["donnees_au"])


def _lignes_a_propos(instantane: dict) -> list[list]:
    periode = instantane["periode"]
    donnees_au = _donnees_au(instantane)
    return [
        [_("Générateur"), instantane.get("generateur", "")],
        # L'heure de Montréal qu'écrit le bilan, sans décalage (une cellule n'en porte pas).
        [_("Données au"), donnees_au.replace(tzinfo=None) if donnees_au else None],
        [_("Format de l'instantané"), instantane.get("format")],
        [_("Somme de contrôle de l'instantané"), somme_de_controle(instantane)],
        [_("Portée"), _libelle(Portee, instantane.get("portee"))],
        [_("Quartiers"), ", ".join(q.get("nom", "") for q in _quartiers(instantane))],
        [_("Période"), capfirst(periode.get("libelle", ""))],
        [_("Début de la période"), datetime.date.fromisoformat(periode["debut"])],
        [_("Fin de la période"), _fin_de_periode(instantane).date()],
        [_("Langue"), instantane["langue"]],
    ]


def _classeur(instantane: dict) -> Workbook:
    classeur = Workbook()
    classeur.remove(classeur.active)
    _feuille(
        classeur,
        _("Valeurs"),
        _en_tetes_valeurs(),
        list(_lignes_valeurs(instantane)),
        numeriques=COLONNES_NUMERIQUES,
        largeurs=(24, 14, 40, 16, 10, 14, 12, 12, 12, 16, 14, 40, 60, 14, 22, 16, 14, 14),
    )
    _feuille(
        classeur,
        _("En bref"),
        _en_tetes_en_bref(),
        _lignes_en_bref(instantane),
        numeriques=COLONNES_NUMERIQUES_EN_BREF,
        largeurs=(80, 22, 36, 16, 14, 16, 14),
    )
    _feuille(
        classeur,
        _("Indicateurs"),
        [
            _("Code"),
            _("Nom"),
            _("Définition"),
            _("Unité"),
            _("Polarité"),
            _("Famille"),
            _("Source"),
            _("Mode"),
            _("Agrégation dans le temps"),
        ],
        _lignes_indicateurs(instantane),
        largeurs=(14, 40, 60, 16, 24, 18, 30, 28, 22),
    )
    _feuille(
        classeur,
        _("Apprentissages"),
        [_("Quartier"), _("Période"), _("Indicateur"), _("Catégorie"), _("Texte")],
        _lignes_apprentissages(instantane),
        largeurs=(24, 14, 14, 28, 80),
    )
    _feuille(
        classeur,
        _("Complétude"),
        [
            _("Quartier"),
            _("Période"),
            _("Attendues"),
            _("Renseignées"),
            _("Validées"),
            _("dont non disponibles"),
            _("Manquantes"),
        ],
        _lignes_completude(instantane),
        largeurs=(24, 48, 12, 12, 12, 16, 12),
    )
    _feuille(
        classeur,
        _("Stratégies"),
        [_("Quartier"), _("Stratégie de changement"), _("Version"), _("Adoptée le")],
        _lignes_strategies(instantane),
        numeriques=(2,),
        largeurs=(24, 60, 10, 14),
    )
    a_propos = _feuille(
        classeur,
        _("À propos"),
        [_("Rubrique"), _("Valeur")],
        _lignes_a_propos(instantane),
        largeurs=(36, 70),
    )
    for (cellule,) in a_propos.iter_rows(min_row=2, min_col=2, max_col=2):
        if isinstance(cellule.value, datetime.datetime) and cellule.value.time():
            cellule.number_format = "yyyy-mm-dd hh:mm:ss"
        elif isinstance(cellule.value, datetime.date):
            cellule.number_format = "yyyy-mm-dd"
    return classeur


def _proprietes_fixes(classeur: Workbook, instantane: dict) -> None:
    """Les propriétés du document ne portent que des données de l'instantané : créé et modifié
    au moment où le bilan a lu la base (en UTC, comme openpyxl les écrit), ou, pour un instantané
    d'avant evalpic-bilan-1.5, à la fin de la période."""
    donnees_au = _donnees_au(instantane)
    fin = _fin_de_periode(instantane)
    if donnees_au is not None:
        fin = donnees_au.astimezone(datetime.UTC).replace(tzinfo=None)
    proprietes = classeur.properties
    proprietes.creator = instantane.get("generateur", "")
    proprietes.lastModifiedBy = instantane.get("generateur", "")
    proprietes.created = fin
    proprietes.modified = fin
    proprietes.language = instantane["langue"]


def _ordre_zip(nom: str) -> tuple[int, str]:
    rang = PREMIERES_ENTREES_ZIP.index(nom) if nom in PREMIERES_ENTREES_ZIP else 99
    return rang, nom


def _archive_fixe(contenus: dict[str, bytes]) -> bytes:
    """Réécrit l'archive : entrées dans un ordre fixe (types de contenu d'abord), toutes datées
    du 1er janvier 1980, même compression, mêmes attributs, sans commentaire."""
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w") as archive:
        for nom in sorted(contenus, key=_ordre_zip):
            info = zipfile.ZipInfo(nom, date_time=DATE_ZIP)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = ATTRIBUTS_ZIP
            archive.writestr(info, contenus[nom], compresslevel=NIVEAU_COMPRESSION)
    return tampon.getvalue()


def exporter_xlsx(instantane: dict) -> bytes:
    """Le classeur XLSX du bilan, identique à l'octet près pour un même instantané.

    Feuilles : « Valeurs » (mêmes colonnes que le CSV; valeur, cible, référence, valeur de la
    période du bilan et ses trimestres en cellules numériques, voir `nombre_pour_excel`),
    « En bref » (chaque constat et chaque nombre qu'il
    cite : mesure, période et valeur de départ, période et valeur de fin), « Indicateurs » (le
    catalogue, avec l'agrégation dans le temps de chaque indicateur), « Apprentissages »,
    « Complétude » (attendues, renseignées, validées, « non disponible » parmi les renseignées,
    nombre de manquantes), « Stratégies » (titre, version et adoption de la stratégie de chaque
    quartier) et « À propos » (générateur, date des données, format, portée, période, dates de
    la période — jamais la date du jour).

    openpyxl inscrit l'heure courante dans docProps/core.xml et dans chaque entrée du ZIP :
    on remplace core.xml par des propriétés fixes (date des données de l'instantané, ou fin de
    la période à minuit) et on réécrit
    l'archive avec des entrées fixes (`_archive_fixe`)."""
    with translation.override(instantane["langue"]):
        classeur = _classeur(instantane)
    tampon = io.BytesIO()
    classeur.save(tampon)  # `save` remet `modified` à maintenant : on refait core.xml après.
    _proprietes_fixes(classeur, instantane)
    with zipfile.ZipFile(tampon) as archive:
        contenus = {nom: archive.read(nom) for nom in archive.namelist()}
    contenus["docProps/core.xml"] = tostring(classeur.properties.to_tree())
    return _archive_fixe(contenus)


# --- Nom de fichier -----------------------------------------------------------------------------


def nom_de_fichier(instantane: dict, extension: str) -> str:
    """Le nom du fichier téléchargé, en ASCII : « bilan-saint-michel-2026-T3.xlsx » pour un
    quartier, « bilan-pic-2026.csv » pour tout le PIC."""
    if instantane.get("portee") == Portee.QUARTIER and instantane.get("quartiers"):
        quartier = instantane["quartiers"][0]
        portee = slugify(quartier.get("slug") or quartier.get("nom", "")) or "quartier"
    else:
        portee = "pic"
    code = instantane["periode"]["code"]
    periode = re.sub(r"[^A-Za-z0-9-]+", "-", unicodedata.normalize("NFKD", str(code))).strip("-")
    extension = re.sub(r"[^a-z0-9]+", "", extension.lower())
    return f"bilan-{portee}-{periode}.{extension}"
