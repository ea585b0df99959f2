"""Contrôles d'intégrité des données : chaque fonction `verifier_…` renvoie la liste des
problèmes trouvés (vide si tout va bien). `manage.py verifier_integrite` ne fait que les
appeler et les afficher.

Le nombre de requêtes ne dépend pas du nombre de lignes : chaque contrôle lit ses lignes en
une ou deux requêtes parcourues par curseur (`.iterator()`), et la mémoire reste bornée (les
fichiers sont lus par blocs).

- **valeurs** : chaque `Valeur` a au moins une ligne d'historique (`EvenementSaisie` de type
  « valeur »), et la plus récente annonce, en « après », la valeur actuelle telle que
  `indicateurs.services.decrire` la rédige (dans l'une des langues du site : la phrase d'une
  valeur « non disponible » dépend de la langue de la personne qui l'a saisie); une ligne
  d'historique qui annonce une valeur disparue est signalée aussi.
- **saisies** : version au moins 1 et au moins celle de son historique; une saisie soumise ou
  validée a sa date de soumission; une saisie validée, et elle seule, a sa date de validation.
- **bilans** : un bilan prêt a son instantané, dont la somme de contrôle se recalcule à
  l'identique (`rapports.instantane.somme_de_controle`), et ses quatre fichiers, présents sur le
  stockage avec la taille et le SHA-256 notés à leur écriture (`Bilan.empreintes`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.core.files.storage import Storage, default_storage
from django.db.models import F, Max, Q
from django.utils import translation
from django.utils.translation import gettext as _

from indicateurs.historique import consigner, lire
from indicateurs.models import EvenementSaisie, Saisie, StatutSaisie, TypeEvenement, Valeur
from indicateurs.services import decrire
from indicateurs.validation import DonneeValeur
from rapports.instantane import somme_de_controle
from rapports.models import Bilan, StatutBilan

TAILLE_DES_LOTS = 2000
FORMATS_DE_BILAN = ("html", "pdf", "xlsx", "csv")


@dataclass(frozen=True)
class Probleme:
    """Un problème trouvé : le contrôle, un code stable (pour les machines), le message en
    clair et les identifiants des objets en cause."""

    controle: str
    code: str
    message: str
    objets: dict[str, object] = field(default_factory=dict)

    def en_dict(self) -> dict[str, object]:
        return asdict(self)


# --- Valeurs et historique ----------------------------------------------------------------------

_CONTEXTE = (
    "saisie_id",
    "indicateur_id",
    "indicateur__code",
    "saisie__table__quartier__slug",
    "saisie__periode__annee",
    "saisie__periode__trimestre",
)


def _lieu(ligne: tuple) -> dict[str, object]:
    """Les identifiants d'une ligne lue avec `_CONTEXTE` en tête."""
    saisie_id, _indicateur_id, code, quartier, annee, trimestre = ligne[:6]
    return {
        "saisie": saisie_id,
        "indicateur": code,
        "quartier": quartier,
        "periode": f"{annee}-T{trimestre}",
    }


def _dernieres_lignes_d_historique() -> Iterator[tuple]:
    """La ligne d'historique la plus récente de chaque (saisie, indicateur), dans l'ordre des
    clés : une requête, parcourue par curseur; on garde la dernière de chaque groupe."""
    lignes = (
        EvenementSaisie.objects.filter(type_evenement=TypeEvenement.VALEUR)
        .order_by("saisie_id", "indicateur_id", "created_at", "pk")
        .values_list(*_CONTEXTE, "nouvelle")
        .iterator(chunk_size=TAILLE_DES_LOTS)
    )
    precedente = None
    for ligne in lignes:
        if precedente is not None and precedente[:2] != ligne[:2]:
            yield precedente
        precedente = ligne
    if precedente is not None:
        yield precedente


def _valeurs() -> Iterator[tuple]:
    return (
        Valeur.objects.order_by("saisie_id", "indicateur_id")
        .values_list(
            *_CONTEXTE,
            "pk",
            "valeur_numerique",
            "valeur_texte",
            "non_disponible",
            "raison_non_disponible",
            "commentaire",
        )
        .iterator(chunk_size=TAILLE_DES_LOTS)
    )


def _annonce_la_valeur(historique: str, ligne: tuple) -> bool:
    """Vrai si « après » décrit la valeur actuelle, dans l'une des langues du site."""
    _pk, nombre, texte, non_disponible, raison, commentaire = ligne[6:]
    donnee = DonneeValeur(
        valeur=nombre,
        texte=texte,
        non_disponible=non_disponible,
        raison=raison,
        commentaire=commentaire,
    )
    if consigner(donnee) == historique:  # ce que l'historique garde (indicateurs.historique)
        return True
    # Une ligne écrite avant la migration 0014, ou par un script, en phrase : dans l'une des
    # langues du site.
    if decrire(donnee) == historique:
        return True
    for langue, _nom in settings.LANGUAGES:
        with translation.override(langue):
            if decrire(donnee) == historique:
                return True
    return False


def _lue(historique: str) -> str:
    """Ce que la ligne d'historique annonce, décrit dans la langue active."""
    return decrire(lire(historique)) or historique


def _actuelle(ligne: tuple) -> str:
    _pk, nombre, texte, non_disponible, raison, commentaire = ligne[6:]
    return decrire(DonneeValeur(nombre, texte, non_disponible, raison, commentaire))


def verifier_valeurs() -> list[Probleme]:
    """Chaque valeur a son historique, et la dernière ligne de celui-ci annonce la valeur
    actuelle. Deux requêtes, parcourues ensemble dans l'ordre (saisie, indicateur)."""
    problemes: list[Probleme] = []
    historique = _dernieres_lignes_d_historique()
    evenement = next(historique, None)
    for valeur in _valeurs():
        cle = valeur[:2]
        while evenement is not None and evenement[:2] < cle:
            problemes.extend(_historique_sans_valeur(evenement))
            evenement = next(historique, None)
        if evenement is None or evenement[:2] != cle:
            problemes.append(_valeur_sans_historique(valeur))
            continue
        if not _annonce_la_valeur(evenement[6], valeur):
            problemes.append(_valeur_differente(valeur, evenement[6]))
        evenement = next(historique, None)
    while evenement is not None:
        problemes.extend(_historique_sans_valeur(evenement))
        evenement = next(historique, None)
    return problemes


def _valeur_sans_historique(valeur: tuple) -> Probleme:
    objets = {"valeur": valeur[6], **_lieu(valeur)}
    return Probleme(
        "valeurs",
        "valeur_sans_historique",
        _(
            "Valeur n° %(valeur)s (saisie n° %(saisie)s, %(quartier)s %(periode)s, indicateur "
            "%(indicateur)s) : aucune ligne d'historique."
        )
        % objets,
        objets,
    )


def _valeur_differente(valeur: tuple, historique: str) -> Probleme:
    objets = {"valeur": valeur[6], **_lieu(valeur)}
    return Probleme(
        "valeurs",
        "valeur_differente_de_l_historique",
        _(
            "Valeur n° %(valeur)s (saisie n° %(saisie)s, %(quartier)s %(periode)s, indicateur "
            "%(indicateur)s) : l'historique annonce « %(historique)s », la valeur actuelle est "
            "« %(actuelle)s »."
        )
        % {**objets, "historique": _lue(historique), "actuelle": _actuelle(valeur)},
        objets,
    )


def _historique_sans_valeur(evenement: tuple) -> list[Probleme]:
    if not evenement[6]:  # l'historique annonce une valeur vide : rien n'a disparu
        return []
    objets = _lieu(evenement)
    return [
        Probleme(
            "valeurs",
            "historique_sans_valeur",
            _(
                "Saisie n° %(saisie)s (%(quartier)s %(periode)s), indicateur %(indicateur)s : "
                "l'historique annonce « %(historique)s », mais la valeur n'existe pas."
            )
            % {**objets, "historique": _lue(evenement[6])},
            objets,
        )
    ]


# --- Saisies ------------------------------------------------------------------------------------

_TRANSMISES = (StatutSaisie.SOUMISE, StatutSaisie.VALIDEE)


def verifier_saisies() -> list[Probleme]:
    """Les règles du circuit qu'une saisie doit respecter, en une requête (seules les saisies
    en faute sont lues)."""
    fautives = (
        Saisie.objects.annotate(version_historique=Max("evenements__version"))
        .filter(
            Q(version__lt=1)
            | Q(version_historique__gt=F("version"))
            | Q(statut__in=_TRANSMISES, soumise_le__isnull=True)
            | Q(statut=StatutSaisie.VALIDEE, validee_le__isnull=True)
            | (~Q(statut=StatutSaisie.VALIDEE) & Q(validee_le__isnull=False))
        )
        .order_by("pk")
        .values_list(
            "pk",
            "table__quartier__slug",
            "periode__annee",
            "periode__trimestre",
            "statut",
            "version",
            "version_historique",
            "soumise_le",
            "validee_le",
        )
    )
    problemes = []
    for ligne in fautives.iterator(chunk_size=TAILLE_DES_LOTS):
        problemes.extend(_fautes_de_la_saisie(ligne))
    return problemes


def _fautes_de_la_saisie(ligne: tuple) -> list[Probleme]:
    pk, quartier, annee, trimestre, statut, version, historique, soumise_le, validee_le = ligne
    objets = {"saisie": pk, "quartier": quartier, "periode": f"{annee}-T{trimestre}"}
    details = {
        **objets,
        "version": version,
        "historique": historique,
        "statut": StatutSaisie(statut).label,
    }
    fautes = []
    if version < 1:
        fautes.append(("saisie_version_invalide", _("version %(version)s (au moins 1 attendue).")))
    if historique is not None and historique > version:
        fautes.append(
            (
                "saisie_version_en_retard",
                _("version %(version)s, mais son historique va jusqu'à la version %(historique)s."),
            )
        )
    if statut in _TRANSMISES and soumise_le is None:
        fautes.append(("saisie_sans_date_de_soumission", _("%(statut)s sans date de soumission.")))
    if statut == StatutSaisie.VALIDEE and validee_le is None:
        fautes.append(("saisie_sans_date_de_validation", _("validée sans date de validation.")))
    if statut != StatutSaisie.VALIDEE and validee_le is not None:
        fautes.append(
            (
                "saisie_date_de_validation_en_trop",
                _("date de validation présente alors qu'elle est %(statut)s."),
            )
        )
    prefixe = _("Saisie n° %(saisie)s (%(quartier)s %(periode)s) : ") % objets
    return [
        Probleme("saisies", code, prefixe + (message % details), objets) for code, message in fautes
    ]


# --- Bilans -------------------------------------------------------------------------------------


def _empreinte_stockee(stockage: Storage, nom: str) -> str:
    """Le SHA-256 du fichier stocké, lu par blocs (la mémoire ne dépend pas de sa taille)."""
    with stockage.open(nom, "rb") as fichier:
        return hashlib.file_digest(fichier, "sha256").hexdigest()


def verifier_bilans(stockage: Storage | None = None) -> list[Probleme]:
    """Chaque bilan prêt : instantané intact, quatre fichiers présents et conformes à leurs
    empreintes. Une requête, par lots; les fichiers sont relus sur le stockage."""
    stockage = stockage or default_storage
    prets = (
        Bilan.objects.filter(statut=StatutBilan.PRET)
        .order_by("pk")
        .only(
            "pk",
            "instantane",
            "somme_controle",
            "empreintes",
            *(f"fichier_{f}" for f in FORMATS_DE_BILAN),
        )
    )
    problemes: list[Probleme] = []
    for bilan in prets.iterator(chunk_size=20):  # un instantané du PIC pèse quelques Mo
        problemes.extend(_fautes_de_l_instantane(bilan))
        for extension in FORMATS_DE_BILAN:
            problemes.extend(_fautes_du_fichier(bilan, extension, stockage))
    return problemes


def _probleme_de_bilan(bilan: Bilan, code: str, message: str, **objets) -> Probleme:
    objets = {"bilan": bilan.pk, **objets}
    texte = _("Bilan n° %(bilan)s : ") % objets + message % objets
    return Probleme("bilans", code, texte, objets)


def _fautes_de_l_instantane(bilan: Bilan) -> list[Probleme]:
    if not bilan.instantane or not bilan.somme_controle:
        return [
            _probleme_de_bilan(
                bilan, "bilan_sans_instantane", _("prêt sans instantané ni somme de contrôle.")
            )
        ]
    if somme_de_controle(bilan.instantane) != bilan.somme_controle:
        return [
            _probleme_de_bilan(
                bilan,
                "bilan_instantane_modifie",
                _("l'instantané ne correspond plus à sa somme de contrôle."),
            )
        ]
    return []


def _fautes_du_fichier(bilan: Bilan, extension: str, stockage: Storage) -> list[Probleme]:
    nom = getattr(bilan, f"fichier_{extension}").name
    if not nom:
        return [
            _probleme_de_bilan(
                bilan,
                "bilan_fichier_manquant",
                _("prêt sans fichier %(format)s."),
                format=extension,
            )
        ]
    faute = _faute_du_fichier(nom, (bilan.empreintes or {}).get(extension), stockage)
    if faute is None:
        return []
    code, message, details = faute
    return [_probleme_de_bilan(bilan, code, message, format=extension, fichier=nom, **details)]


def _faute_du_fichier(
    nom: str, empreinte: dict | None, stockage: Storage
) -> tuple[str, str, dict] | None:
    """(code, message, détails) si le fichier stocké n'est pas celui qui a été écrit."""
    if not stockage.exists(nom):
        return (
            "bilan_fichier_introuvable",
            _("le fichier %(format)s (%(fichier)s) est introuvable sur le stockage."),
            {},
        )
    if not empreinte:
        return (
            "bilan_fichier_sans_empreinte",
            _("le fichier %(format)s (%(fichier)s) n'a pas d'empreinte."),
            {},
        )
    taille = stockage.size(nom)
    if taille != empreinte.get("taille"):
        return (
            "bilan_fichier_altere",
            _(
                "le fichier %(format)s (%(fichier)s) a été modifié : %(trouvee)s octets au lieu "
                "de %(attendue)s."
            ),
            {"attendue": empreinte.get("taille"), "trouvee": taille},
        )
    trouve = _empreinte_stockee(stockage, nom)
    if trouve != empreinte.get("sha256"):
        return (
            "bilan_fichier_altere",
            _(
                "le fichier %(format)s (%(fichier)s) a été modifié : son SHA-256 n'est plus "
                "celui noté à son écriture."
            ),
            {"attendu": empreinte.get("sha256"), "trouve": trouve},
        )
    return None


# --- Tous les contrôles -------------------------------------------------------------------------

CONTROLES: dict[str, Callable[[], list[Probleme]]] = {
    "valeurs": verifier_valeurs,
    "saisies": verifier_saisies,
    "bilans": verifier_bilans,
}
