"""Importer les valeurs historiques d'une table depuis un fichier CSV ou XLSX.

Chaque ligne lue par `lecture_import` est contrôlée sans rien écrire (l'essai); l'import n'écrit
que si toutes sont valides, en une seule transaction, par `enregistrer_saisie` : mêmes règles et
même historique que le formulaire. Les problèmes rapportés portent le numéro de ligne du tableur
(`lignes[i]` est la ligne i + 2); les lignes vides sont ignorées.

Une ligne complète ce qui est enregistré, elle ne le remplace pas (`Cellules.sur`) : seule une
cellule remplie change sa partie de la valeur, une cellule vide garde ce qui est enregistré. Le
modèle téléchargé a ses colonnes commentaire et preuve_url vides : l'importer rempli de valeurs
n'efface ni les commentaires ni les liens saisis dans le formulaire, et l'import n'efface jamais
une valeur (seul « oui » dans non_disponible la remplace par une absence expliquée). Effacer se
fait dans le formulaire.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from evalpic.nombres import nombre
from indicateurs import services
from indicateurs.lecture_import import COLONNES_IMPORTEES, normaliser
from indicateurs.models import Indicateur, Periode, Saisie, StatutPeriode, Valeur
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
class Cellules:
    """Ce qu'une ligne du fichier dit d'une valeur : seules ses cellules remplies comptent."""

    valeur: Decimal | str | None = None  # lue selon l'unité; None : cellule vide
    non_disponible: bool = False  # « oui »; « non » ou vide ne disent rien
    raison: str = ""
    commentaire: str = ""
    preuve_url: str = ""

    @property
    def sans_valeur(self) -> bool:
        """Ni valeur ni « oui » : la ligne ne donne qu'un commentaire, un lien ou une raison."""
        return self.valeur is None and not self.non_disponible

    def sur(self, avant: DonneeValeur | None) -> DonneeValeur:
        """La donnée à enregistrer : l'enregistrée (`avant`, None s'il n'y en a pas), où chaque
        cellule remplie remplace sa partie. Une valeur remplace aussi une absence et sa raison;
        « oui » remplace une valeur par une absence; une cellule vide garde ce qui est
        enregistré, si bien que l'import n'efface jamais rien (le formulaire le fait)."""
        donnee = avant or DonneeValeur()
        if self.valeur is not None:
            texte = self.valeur if isinstance(self.valeur, str) else ""
            nombre_lu = None if isinstance(self.valeur, str) else self.valeur
            donnee = replace(donnee, valeur=nombre_lu, texte=texte, non_disponible=False, raison="")
        if self.non_disponible:
            donnee = replace(donnee, non_disponible=True)
            if self.valeur is None:
                donnee = replace(donnee, valeur=None, texte="")
        remplies = {
            partie: getattr(self, partie)
            for partie in ("raison", "commentaire", "preuve_url")
            if getattr(self, partie)
        }
        return replace(donnee, **remplies)


# Les parties d'une valeur que l'essai montre changées, dans l'ordre des colonnes du fichier.
PARTIES = {
    "valeur": gettext_lazy("valeur"),
    "commentaire": gettext_lazy("commentaire"),
    "preuve_url": gettext_lazy("lien"),
}


@dataclass(frozen=True)
class Changement:
    """Une partie d'une valeur déjà enregistrée que l'import changera : avant → après."""

    partie: str
    avant: str
    apres: str


@dataclass(frozen=True)
class LigneValide:
    ligne: int
    periode: Periode
    indicateur: Indicateur
    cellules: Cellules
    avant: DonneeValeur | None = None  # l'enregistrée au moment de la vérification

    @property
    def donnee(self) -> DonneeValeur:
        """La donnée que l'import écrirait : l'enregistrée complétée par la ligne."""
        return self.cellules.sur(self.avant)

    @property
    def nouvelle(self) -> bool:
        return self.avant is None or _sans_rien(self.avant)

    @property
    def changements(self) -> list[Changement]:
        """Ce qui change d'une valeur déjà enregistrée (vide pour une nouvelle valeur, ou si la
        ligne redit ce qui est enregistré)."""
        if self.nouvelle:
            return []
        avant, apres = services.nettoyer(self.avant), services.nettoyer(self.donnee)
        return [
            Changement(str(libelle), _partie(avant, partie), _partie(apres, partie))
            for partie, libelle in PARTIES.items()
            if _partie(avant, partie) != _partie(apres, partie)
        ]


def _sans_rien(donnee: DonneeValeur) -> bool:
    return donnee.est_vide and not donnee.commentaire and not donnee.preuve_url


def _partie(donnee: DonneeValeur, partie: str) -> str:
    """Une partie d'une donnée écrite pour l'essai (les nombres dans la langue de la page)."""
    if partie != "valeur":
        return getattr(donnee, partie)
    if donnee.non_disponible:
        return _("non disponible (%(raison)s)") % {"raison": donnee.raison}
    return nombre(donnee.valeur) if donnee.valeur is not None else donnee.texte


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

    def decompte(self) -> list[dict]:
        """Par période, dans l'ordre chronologique : les valeurs du fichier, dont les nouvelles,
        les déjà enregistrées qui changeront et celles que le fichier redit telles quelles."""
        resultat = []
        for periode, lignes in self.par_periode():
            nouvelles = sum(ligne.nouvelle for ligne in lignes)
            modifiees = sum(bool(ligne.changements) for ligne in lignes)
            resultat.append(
                {
                    "periode": periode,
                    "valeurs": len(lignes),
                    "nouvelles": nouvelles,
                    "modifiees": modifiees,
                    "inchangees": len(lignes) - nouvelles - modifiees,
                }
            )
        return resultat

    @property
    def modifiees(self) -> list[LigneValide]:
        """Les lignes qui changent une valeur déjà enregistrée, dans l'ordre du fichier."""
        return sorted((ligne for ligne in self.lignes_valides if ligne.changements), key=_rang)


@dataclass
class _Contexte:
    """Ce que la vérification lit une fois pour tout le fichier."""

    periodes: dict[str, Periode]
    attendus: dict[str, Indicateur]  # code en minuscules → indicateur saisi par la table
    catalogue: set[str]  # codes (en minuscules) du fichier qui existent au catalogue
    saisies: dict[int, Saisie]  # id de période → saisie existante de la table
    # (id de période, id d'indicateur) → la donnée enregistrée, que la ligne complète
    valeurs: dict[tuple[int, int], DonneeValeur] = field(default_factory=dict)
    # Le jour de la vérification : une période à venir ce jour-là (`Periode.statut_du_jour`),
    # selon le calendrier dès minuit, est refusée, comme le feraient les services.
    aujourd_hui: datetime.date = field(default_factory=timezone.localdate)
    vues: dict[tuple[int, int], int] = field(default_factory=dict)  # → première ligne


Signaler = Callable[[str, str], None]


def _rang(ligne: LigneValide) -> int:
    return ligne.ligne


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
    # Quatre requêtes, quelle que soit la taille du fichier; une cinquième pour les valeurs
    # enregistrées s'il y a déjà des saisies pour ses périodes.
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
    saisies = {
        s.periode_id: s
        for s in Saisie.objects.filter(table=table, periode_id__in=du_fichier).select_related(
            "periode"
        )
    }
    return _Contexte(
        periodes=periodes,
        attendus={i.code.lower(): i for i in services.indicateurs_a_saisir(table)},
        catalogue=catalogue,
        saisies=saisies,
        valeurs=_valeurs_enregistrees(saisies.values()),
    )


def _valeurs_enregistrees(saisies) -> dict[tuple[int, int], DonneeValeur]:
    """(id de période, id d'indicateur) → donnée enregistrée dans ces saisies (une requête,
    aucune sans saisie)."""
    par_id = {saisie.pk: saisie.periode_id for saisie in saisies}
    if not par_id:
        return {}
    return {
        (par_id[valeur.saisie_id], valeur.indicateur_id): services.donnee_de(valeur)
        for valeur in Valeur.objects.filter(saisie_id__in=par_id)
    }


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
    avant = contexte.valeurs.get((periode.pk, indicateur.pk)) if periode and indicateur else None
    cellules = _cellules(indicateur, ligne, non_disponible, avant, signaler) if indicateur else None
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
    if problemes or not (periode and indicateur and cellules):
        return problemes, None
    # Seulement sans autre problème : une valeur illisible (ou une formule sans valeur) a déjà
    # son message, la valeur absente n'en demande pas un second.
    if message := _rien_a_completer(cellules, avant):
        signaler("valeur", message)
        return problemes, None
    return problemes, LigneValide(numero, periode, indicateur, cellules, avant)


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


def _cellules(
    indicateur: Indicateur,
    ligne: dict[str, str],
    non_disponible: bool | None,
    avant: DonneeValeur | None,
    signaler: Signaler,
) -> Cellules:
    """Les cellules de la ligne, lues; la donnée qu'elles donneraient sur l'enregistrée
    (`avant`) est vérifiée. Si « non disponible » est illisible (déjà signalé), la raison n'est
    pas jugée : qu'elle soit attendue ou de trop dépend de cette cellule."""
    valeur = None
    try:
        valeur = analyser(indicateur.unite, ligne.get("valeur", ""))
    except ValidationError as erreur:
        for message in erreur.messages:
            signaler("valeur", message)
    cellules = Cellules(
        valeur=valeur,
        non_disponible=bool(non_disponible),
        raison=ligne.get("raison", ""),
        commentaire=ligne.get("commentaire", ""),
        preuve_url=ligne.get("preuve_url", ""),
    )
    donnee = cellules.sur(avant)
    a_verifier = donnee if non_disponible is not None else replace(donnee, raison="")
    for partie, messages in verifier_donnee(indicateur.unite, a_verifier).items():
        for message in messages:
            signaler(partie if partie in COLONNES_IMPORTEES else "valeur", message)
    return cellules


def _rien_a_completer(cellules: Cellules, avant: DonneeValeur | None) -> str | None:
    """Le refus d'une ligne sans valeur (ni « oui ») qui n'a pas de valeur enregistrée à
    compléter : son commentaire ou son lien n'accompagnerait rien. None si la ligne va."""
    if not cellules.sans_valeur or (avant is not None and not avant.est_vide):
        return None
    return _(
        "Cette ligne n'a pas de valeur, et aucune n'est enregistrée pour cet indicateur et "
        "cette période : son commentaire ou son lien n'accompagnerait rien. Indiquez la "
        "valeur, ou « oui » dans non_disponible avec une raison."
    )


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
    version = saisie.version  # lue avant les valeurs enregistrées, que les lignes complètent
    resultat = services.enregistrer_saisie(
        saisie=saisie,
        auteur=auteur,
        version=version,
        donnees=_donnees_completees(saisie, groupe),
        motif=motif,
        periode_fermee_permise=True,
    )
    return resultat.modifications


def _donnees_completees(saisie: Saisie, groupe: list[LigneValide]) -> dict:
    """Les données à écrire : chaque ligne sur la valeur enregistrée, relue au moment d'écrire
    (si elle change d'ici l'écriture, la version de la saisie change aussi et le service refuse :
    conflit). Une ligne qui n'a plus de valeur à compléter est refusée (clé « <id>.valeur »)."""
    enregistrees = {v.indicateur_id: services.donnee_de(v) for v in saisie.valeurs.all()}
    erreurs: dict[str, list[str]] = {}
    donnees = {}
    for ligne in groupe:
        avant = enregistrees.get(ligne.indicateur.pk)
        if message := _rien_a_completer(ligne.cellules, avant):
            erreurs[f"{ligne.indicateur.pk}.valeur"] = [message]
        donnees[ligne.indicateur.pk] = ligne.cellules.sur(avant)
    if erreurs:
        raise ValidationError(erreurs)
    return donnees


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
