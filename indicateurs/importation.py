"""Importer les valeurs historiques d'une table depuis un fichier CSV ou XLSX.

Chaque ligne lue par `lecture_import` est contrôlée sans rien écrire (l'essai); l'import n'écrit
que si toutes sont valides, en une seule transaction, par `enregistrer_saisie` : mêmes règles et
même historique que le formulaire. Les problèmes rapportés portent le numéro de ligne du tableur
(`lignes[i]` est la ligne i + 2); les lignes vides sont ignorées.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from indicateurs import services
from indicateurs.lecture_import import COLONNES_IMPORTEES, normaliser
from indicateurs.models import Indicateur, Periode, Saisie, StatutPeriode
from indicateurs.models.saisies import annee_et_trimestre
from indicateurs.validation import DonneeValeur, analyser, verifier_donnee
from quartiers.models import Quartier, TableDeQuartier

VRAI = {"oui", "vrai", "1", "yes", "true"}
FAUX = {"", "non", "faux", "0", "no", "false"}


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
    # Le jour de la vérification : une période à venir ce jour-là (`Periode.statut_du_jour`),
    # selon le calendrier dès minuit, est refusée, comme le feraient les services.
    aujourd_hui: datetime.date = field(default_factory=timezone.localdate)
    vues: dict[tuple[int, int], int] = field(default_factory=dict)  # → première ligne


Signaler = Callable[[str, str], None]


def _code_periode(brut: str) -> str:
    return re.sub(r"\s+", "", brut).upper()


def _periode_absente(brut: str) -> str:
    """Pourquoi une période n'est pas dans ÉvalPIC : code mal écrit, trimestre en cours ou à
    venir (pas encore créé : une période s'ouvre à la saisie une fois le trimestre écoulé) ou
    trimestre passé que la plateforme n'a pas."""
    annee_trimestre = annee_et_trimestre(_code_periode(brut))
    if annee_trimestre is None:
        return _("Période inconnue : « %(brut)s » (format attendu : 2024-T1).") % {"brut": brut}
    annee, trimestre = annee_trimestre
    libelle = Periode(annee=annee, trimestre=trimestre).libelle
    aujourd_hui = timezone.localdate()
    if annee_trimestre >= (aujourd_hui.year, (aujourd_hui.month + 2) // 3):
        return _(
            "La période %(periode)s n'est pas encore ouverte : on n'y importe pas de valeurs."
        ) % {"periode": libelle}
    return _(
        "La période %(periode)s n'existe pas dans ÉvalPIC : on ne peut pas y importer de valeurs."
    ) % {"periode": libelle}


def _contexte(table: TableDeQuartier, lignes: list[dict[str, str]]) -> _Contexte:
    # Quatre requêtes, quelle que soit la taille du fichier.
    periodes = {p.code: p for p in Periode.objects.all()}
    codes = {ligne.get("indicateur", "").strip().lower() for ligne in lignes} - {""}
    # Un indicateur proposé par un autre quartier n'est pas au catalogue de la table : son code
    # est « inconnu », comme un code qui n'existe pas.
    catalogue = set(
        Indicateur.objects.connus_dans(Quartier.objects.filter(pk=table.quartier_id))
        .annotate(code_min=Lower("code"))
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
    return not remplies and normaliser(ligne.get("non_disponible", "")) in FAUX


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
        signaler("periode", _periode_absente(brut))
        return None
    if periode.statut_du_jour(contexte.aujourd_hui) == StatutPeriode.A_VENIR:  # les services aussi
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


def _booleen(brut: str, signaler: Signaler) -> bool | None:
    """Oui, non, ou None (signalé) : une cellule illisible."""
    normalise = normaliser(brut)
    if normalise in VRAI:
        return True
    if normalise in FAUX:
        return False
    signaler(
        "non_disponible",
        _("Valeur non reconnue : « %(brut)s » (écrivez oui ou non).") % {"brut": brut},
    )
    return None


def _donnee(
    indicateur: Indicateur, ligne: dict[str, str], non_disponible: bool | None, signaler: Signaler
) -> DonneeValeur:
    """La donnée de la ligne, vérifiée. Si « non disponible » est illisible (déjà signalé), la
    raison n'est pas jugée : qu'elle soit attendue ou de trop dépend de cette cellule."""
    valeur = None
    try:
        valeur = analyser(indicateur.unite, ligne.get("valeur", ""))
    except ValidationError as erreur:
        for message in erreur.messages:
            signaler("valeur", message)
    donnee = DonneeValeur(
        valeur=None if isinstance(valeur, str) else valeur,
        texte=valeur if isinstance(valeur, str) else "",
        non_disponible=bool(non_disponible),
        raison=ligne.get("raison", ""),
        commentaire=ligne.get("commentaire", ""),
        preuve_url=ligne.get("preuve_url", ""),
    )
    a_verifier = donnee if non_disponible is not None else replace(donnee, raison="")
    for partie, messages in verifier_donnee(indicateur.unite, a_verifier).items():
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
