"""L'export CSV de toutes les valeurs qu'une personne peut voir, en flux : la mémoire ne grandit
pas avec le nombre de lignes.

Quelles valeurs : celles des quartiers que `quartiers_accessibles(utilisateur, Droit.VOIR)`
donne, quel que soit le statut de la saisie (brouillons compris, avec une colonne « Statut de la
saisie ») — exactement ce que liste `/api/v1/valeurs/` à la même personne.

Comment : sur PostgreSQL, la base écrit elle-même le CSV (`COPY (SELECT …) TO STDOUT`), que
psycopg lit par morceaux et que la réponse relaie par blocs de 64 Kio; ailleurs (SQLite
embarqué), un itérateur par lots et le même format écrit en Python (`flux_csv_generique`). Les
deux chemins donnent les mêmes octets (un test le vérifie) :

- UTF-8 avec BOM et point-virgule, comme les autres CSV d'ÉvalPIC (Excel en français les ouvre
  tels quels); fins de ligne « \\n », celles qu'écrit `COPY`;
- guillemets seulement autour d'un champ qui contient `;`, `"`, un retour de ligne, ou qui est
  une chaîne vide (la règle de `COPY … FORMAT csv`); une case vide est une valeur absente;
- nombres en décimal à point, sans zéros inutiles ni exposant (« 12.5 », « 1200 »);
- dates dans le fuseau de l'application avec leur décalage, « AAAA-MM-JJ HH:MM:SS+HH:MM »
  (ISO 8601 : la nuit du passage à l'heure normale, 1 h 30 revient deux fois, une fois à
  « -04:00 », une fois à « -05:00 »);
- les textes saisis qui commencent comme une formule (« =… ») sont préfixés d'une apostrophe
  (OWASP), comme dans l'export des bilans;
- en-têtes et libellés (unité, statut, oui/non) dans la langue active au moment de l'appel.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Case, F, Func, Q, QuerySet, TextField, Value, When
from django.db.models.functions import Cast, Concat, Left, NullIf
from django.db.models.lookups import In
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from evalpic.tableurs import DEBUTS_DE_FORMULE, NOMBRE_SIMPLE
from indicateurs.models import StatutSaisie, Unite, Valeur
from indicateurs.models.saisies import periodes_entre
from quartiers.acces import Droit, quartiers_accessibles
from rapports.csv import texte_decimal

TAILLE_BLOC = 64 * 1024  # octets envoyés d'un coup au client
TAILLE_LOT = 2000  # lignes lues à la fois par le chemin générique
BOM = "\ufeff".encode()
OPTIONS_COPY = "FORMAT csv, DELIMITER ';', ENCODING 'UTF8'"
STATUTS_TRANSMIS = "transmises"  # soumises ou validées, ce que montrent les tableaux de bord


@dataclass(frozen=True)
class FiltresExport:
    """Les filtres de l'export, déjà validés (`rapports.forms_export`); vides : tout."""

    quartier: str = ""  # slug
    debut: tuple[int, int] | None = None  # (année, trimestre), borne incluse
    fin: tuple[int, int] | None = None
    indicateur: str = ""  # code
    statut: str = ""  # un `StatutSaisie`, ou `STATUTS_TRANSMIS`


def entetes() -> list[str]:
    """Les en-têtes des colonnes, dans la langue active."""
    return [
        _("Code du quartier"),
        _("Quartier"),
        _("Période"),
        _("Indicateur"),
        _("Nom de l'indicateur"),
        _("Unité"),
        _("Valeur"),
        _("Valeur (texte)"),
        _("Non disponible"),
        _("Raison de l'absence"),
        _("Statut de la saisie"),
        _("Commentaire"),
        _("Pièce justificative"),
        _("Modifiée le"),
    ]


# --- Sélecteur ----------------------------------------------------------------------------------


def valeurs_exportables(utilisateur, filtres: FiltresExport) -> QuerySet[Valeur]:
    """Les valeurs que `utilisateur` peut voir, filtrées, dans l'ordre de l'export : quartier
    (slug), période, code d'indicateur — une seule valeur par triplet, donc un ordre stable."""
    visibles = quartiers_accessibles(utilisateur, Droit.VOIR)
    valeurs = Valeur.objects.filter(saisie__table__quartier__in=visibles)
    if filtres.quartier:
        valeurs = valeurs.filter(saisie__table__quartier__slug=filtres.quartier)
    if filtres.indicateur:
        valeurs = valeurs.filter(indicateur__code=filtres.indicateur)
    if filtres.debut or filtres.fin:
        valeurs = valeurs.filter(periodes_entre("saisie__periode", filtres.debut, filtres.fin))
    if filtres.statut == STATUTS_TRANSMIS:
        valeurs = valeurs.publiees()
    elif filtres.statut:
        valeurs = valeurs.filter(saisie__statut=filtres.statut)
    return valeurs.order_by(
        "saisie__table__quartier__slug",
        "saisie__periode__annee",
        "saisie__periode__trimestre",
        "indicateur__code",
    )


# --- Colonnes : les mêmes expressions SQL pour les deux chemins, sauf le nombre et la date ------


def _texte_saisi(champ: str):
    """Un texte saisi : absent si vide, préfixé d'une apostrophe s'il commence comme une
    formule de tableur — la règle de `evalpic.tableurs.neutraliser_formule`, en SQL : un
    nombre décimal simple (« -3.5 ») reste intact."""
    formule = Q(In(Left(champ, 1), list(DEBUTS_DE_FORMULE))) & ~Q(
        **{f"{champ}__regex": NOMBRE_SIMPLE}
    )
    return Case(
        When(formule, then=Concat(Value("'"), F(champ))),
        default=NullIf(F(champ), Value("")),
        output_field=TextField(),
    )


def _libelle(champ: str, choix) -> Case:
    """Le libellé traduit (langue active) d'un champ à choix, la valeur brute sinon."""
    return Case(
        *[When(**{champ: valeur}, then=Value(str(libelle))) for valeur, libelle in choix.choices],
        default=F(champ),
        output_field=TextField(),
    )


class _TrimScale(Func):
    function = "trim_scale"  # PostgreSQL ≥ 13 : 1200.0000 → 1200, 12.5000 → 12.5


class _DateLocale(Func):
    """PostgreSQL : l'horodatage dans un fuseau donné avec son décalage,
    « AAAA-MM-JJ HH:MM:SS+HH:MM » (ce qu'écrit `_date_locale`). Le décalage est la différence
    entre l'heure locale et l'heure UTC du même instant; `to_char` d'un intervalle négatif écrit
    chaque champ avec son signe (« -03:-30 »), d'où le signe posé à part."""

    output_field = TextField()

    def __init__(self, expression, fuseau: str):
        super().__init__(expression)
        self.fuseau = fuseau

    def as_sql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        locale = f"(({sql}) AT TIME ZONE %s)"
        decalage = f"({locale} - (({sql}) AT TIME ZONE 'UTC'))"
        params_locale = (*params, self.fuseau)
        params_decalage = (*params_locale, *params)
        texte = (
            f"to_char({locale}, 'YYYY-MM-DD HH24:MI:SS') || CASE WHEN {decalage} < interval '0'"
            f" THEN '-' || to_char(-{decalage}, 'HH24:MI')"
            f" ELSE '+' || to_char({decalage}, 'HH24:MI') END"
        )
        return texte, (*params_locale, *params_decalage, *params_decalage, *params_decalage)


def _colonnes(*, par_postgresql: bool, fuseau: str) -> dict:
    """Les colonnes de l'export, dans l'ordre des en-têtes. PostgreSQL formate aussi le nombre
    et la date; le chemin générique les lit bruts et les formate en Python (`_ligne_csv`),
    à l'identique."""
    oui, non = _("oui"), _("non")
    en_anglais = (get_language() or "fr").startswith("en")
    indicateur_nom = "indicateur__nom_en" if en_anglais else "indicateur__nom_fr"
    return {
        "c_quartier": F("saisie__table__quartier__slug"),
        "c_quartier_nom": F("saisie__table__quartier__nom"),
        "c_periode": Concat(
            Cast("saisie__periode__annee", TextField()),
            Value("-T"),
            Cast("saisie__periode__trimestre", TextField()),
            output_field=TextField(),
        ),
        "c_indicateur": F("indicateur__code"),
        "c_indicateur_nom": _texte_saisi(indicateur_nom),
        "c_unite": _libelle("indicateur__unite", Unite),
        "c_valeur": Cast(_TrimScale("valeur_numerique"), TextField())
        if par_postgresql
        else F("valeur_numerique"),
        "c_texte": _texte_saisi("valeur_texte"),
        "c_non_disponible": Case(
            When(non_disponible=True, then=Value(oui)), default=Value(non), output_field=TextField()
        ),
        "c_raison": _texte_saisi("raison_non_disponible"),
        "c_statut": _libelle("saisie__statut", StatutSaisie),
        "c_commentaire": _texte_saisi("commentaire"),
        "c_preuve": NullIf(F("preuve_url"), Value("")),
        "c_modifiee": _DateLocale(F("updated_at"), fuseau) if par_postgresql else F("updated_at"),
    }


def lignes_exportables(utilisateur, filtres: FiltresExport, *, par_postgresql: bool) -> QuerySet:
    """Les lignes de l'export en tuples, colonnes dans l'ordre des en-têtes (langue active)."""
    colonnes = _colonnes(par_postgresql=par_postgresql, fuseau=timezone.get_current_timezone_name())
    return valeurs_exportables(utilisateur, filtres).annotate(**colonnes).values_list(*colonnes)


# --- Les deux chemins ---------------------------------------------------------------------------


_A_CITER = re.compile(r'[;"\r\n]')


def _champ(texte: str | None) -> str:
    """Un champ CSV selon la règle de `COPY … FORMAT csv` (voir la docstring du module)."""
    if texte is None:
        return ""
    if texte == "" or _A_CITER.search(texte):
        return '"' + texte.replace('"', '""') + '"'
    return texte


def _nombre(nombre: Decimal | None) -> str | None:
    """Comme `trim_scale(n)::text` de PostgreSQL : « 12.5 », « 1200 », « 0 »
    (`rapports.csv.texte_decimal`, le texte de tous les CSV)."""
    return None if nombre is None else texte_decimal(nombre)


def _date_locale(moment: datetime.datetime, fuseau: datetime.tzinfo) -> str:
    """« AAAA-MM-JJ HH:MM:SS+HH:MM », à l'heure de `fuseau` (ce qu'écrit `_DateLocale`)."""
    return moment.astimezone(fuseau).isoformat(sep=" ", timespec="seconds")


def _ligne_csv(ligne: tuple, fuseau: datetime.tzinfo) -> str:
    *debut, valeur, texte, non_dispo, raison, statut, commentaire, preuve, modifiee = ligne
    date = _date_locale(modifiee, fuseau)
    champs = (*debut, _nombre(valeur), texte, non_dispo, raison, statut, commentaire, preuve, date)
    return ";".join(_champ(c) for c in champs) + "\n"


def _entete_csv() -> bytes:
    return BOM + (";".join(_champ(e) for e in entetes()) + "\n").encode()


def flux_csv(utilisateur, filtres: FiltresExport) -> Iterator[bytes]:
    """Le CSV de l'export, en blocs d'octets. En-têtes, libellés et requête sont préparés ici,
    dans la langue active; les lignes ne sont lues qu'en parcourant le flux."""
    if connection.vendor == "postgresql":
        return flux_csv_postgresql(utilisateur, filtres)
    return flux_csv_generique(utilisateur, filtres)


def requete_copy(utilisateur, filtres: FiltresExport) -> str:
    """L'instruction `COPY (SELECT …) TO STDOUT` de l'export, paramètres composés côté client
    (COPY n'accepte pas de paramètres côté serveur)."""
    sql, parametres = lignes_exportables(
        utilisateur, filtres, par_postgresql=True
    ).query.sql_with_params()
    select = connection.ops.compose_sql(sql, parametres)
    return f"COPY ({select}) TO STDOUT WITH ({OPTIONS_COPY})"


def flux_csv_postgresql(utilisateur, filtres: FiltresExport) -> Iterator[bytes]:
    return _lire_copy(_entete_csv(), requete_copy(utilisateur, filtres))


def _lire_copy(entete: bytes, instruction: str) -> Iterator[bytes]:
    yield entete
    bloc = bytearray()
    # Si le client coupe, psycopg annule COPY (`Copy.__exit__`) : dans une transaction (une
    # tâche, un test), l'annulation l'interromprait; un point de sauvegarde la préserve.
    garde = transaction.atomic() if connection.in_atomic_block else nullcontext()
    with garde, connection.cursor() as curseur, curseur.copy(instruction) as copie:
        for morceau in copie:  # une ligne par morceau, telle que PostgreSQL l'a écrite
            bloc += morceau
            if len(bloc) >= TAILLE_BLOC:
                yield bytes(bloc)
                bloc.clear()
    if bloc:
        yield bytes(bloc)


def flux_csv_generique(utilisateur, filtres: FiltresExport) -> Iterator[bytes]:
    """Le même CSV sans `COPY` (SQLite), lu par lots de `TAILLE_LOT` lignes."""
    lignes = lignes_exportables(utilisateur, filtres, par_postgresql=False)
    return _ecrire_lignes(_entete_csv(), lignes, timezone.get_current_timezone())


def _ecrire_lignes(entete: bytes, lignes: QuerySet, fuseau: datetime.tzinfo) -> Iterator[bytes]:
    yield entete
    bloc: list[str] = []
    taille = 0
    for ligne in lignes.iterator(chunk_size=TAILLE_LOT):
        texte = _ligne_csv(ligne, fuseau)
        bloc.append(texte)
        taille += len(texte)
        if taille >= TAILLE_BLOC:
            yield "".join(bloc).encode()
            bloc, taille = [], 0
    if bloc:
        yield "".join(bloc).encode()
