"""Ce que l'historique d'une saisie (`EvenementSaisie.ancienne`, `.nouvelle`) garde d'une valeur
ou d'un statut : des données, jamais une phrase. Chaque page les décrit dans la langue de qui
les lit (`decrire_pour_l_historique`); les écrire traduites les montrait dans la langue de
qui avait agi (« non disponible (…) » sur une page anglaise, « validated » sur une française).

Une valeur s'écrit (`consigner`) :

- rien : `""` (aucune valeur, ni commentaire);
- un nombre seul : le nombre, sans zéros inutiles ni exposant, point décimal (« 93200 », « 3.8 »);
- un texte seul : le texte tel quel, s'il se relit tel quel;
- sinon (absence et sa raison, commentaire, texte qui se lirait autrement) : un objet JSON
  `{"valeur" | "texte" | "non_disponible" + "raison", "commentaire"}`.

Un statut s'écrit par son code (`StatutSaisie` : « brouillon », « validee »…).

`lire` relit aussi les lignes écrites avant, en phrases françaises ou anglaises (« 12 — commentaire :
… », « not available (…) », « validated ») : la migration 0014 les récrit, et un script qui
écrirait encore l'ancienne forme reste lisible."""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from evalpic.nombres import nombre
from indicateurs.models import StatutSaisie, Unite
from indicateurs.validation import DonneeValeur

# Les phrases qu'écrivait `services.decrire` dans chaque langue du site, pour relire les lignes
# d'avant : « non disponible (%(raison)s) » et « — commentaire : %(commentaire)s ».
_ABSENCE_ECRITE = re.compile(r"(?:non disponible|not available) \((.*)\)", re.DOTALL)
_COMMENTAIRE_ECRIT = re.compile(r" — (?:commentaire : |comment: )", re.DOTALL)
_NOMBRE_ECRIT = re.compile(r"-?\d+(?:\.\d+)?")
_CLES = {"valeur", "texte", "non_disponible", "raison", "commentaire"}

# Les libellés de statut que l'historique gardait, en français et en anglais.
STATUTS_ECRITS = {
    "brouillon": StatutSaisie.BROUILLON,
    "soumise": StatutSaisie.SOUMISE,
    "renvoyée": StatutSaisie.RENVOYEE,
    "validée": StatutSaisie.VALIDEE,
    "draft": StatutSaisie.BROUILLON,
    "submitted": StatutSaisie.SOUMISE,
    "returned": StatutSaisie.RENVOYEE,
    "validated": StatutSaisie.VALIDEE,
}


def _nombre_en_texte(valeur: Decimal) -> str:
    return f"{valeur.normalize():f}"


def consigner(donnee: DonneeValeur | None) -> str:
    """Ce que l'historique garde de `donnee` (voir le docstring du module). La pièce
    justificative n'y figure pas, comme avant."""
    if donnee is None or (donnee.est_vide and not donnee.commentaire):
        return ""
    if not donnee.non_disponible and not donnee.commentaire:
        simple = _nombre_en_texte(donnee.valeur) if donnee.valeur is not None else donnee.texte
        if _memes(lire(simple), donnee):
            return simple
    objet: dict = {}
    if donnee.non_disponible:
        objet.update(non_disponible=True, raison=donnee.raison)
    elif donnee.valeur is not None:
        objet["valeur"] = _nombre_en_texte(donnee.valeur)
    elif donnee.texte:
        objet["texte"] = donnee.texte
    if donnee.commentaire:
        objet["commentaire"] = donnee.commentaire
    return json.dumps(objet, ensure_ascii=False, sort_keys=True)


def _memes(a: DonneeValeur | None, b: DonneeValeur) -> bool:
    return a is not None and (a.valeur, a.texte, a.non_disponible, a.raison, a.commentaire) == (
        b.valeur,
        b.texte,
        b.non_disponible,
        b.raison,
        b.commentaire,
    )


def _objet(texte: str) -> dict | None:
    if not texte.startswith("{"):
        return None
    try:
        objet = json.loads(texte)
    except ValueError:
        return None
    if not isinstance(objet, dict) or not objet or set(objet) - _CLES:
        return None
    return objet


def lire(texte: str, unite: str | None = None) -> DonneeValeur | None:
    """La donnée qu'une ligne d'historique garde (`consigner`), ou qu'une ligne d'avant décrivait
    en français ou en anglais; None pour une ligne vide. `unite` : celle de l'indicateur, pour
    qu'un texte d'avant qui ressemble à un nombre (« 12 » d'un indicateur en texte) reste un
    texte."""
    if not texte:
        return None
    if (objet := _objet(texte)) is not None:
        try:
            valeur = Decimal(objet["valeur"]) if "valeur" in objet else None
        except (InvalidOperation, TypeError):
            valeur = None
        return DonneeValeur(
            valeur=valeur,
            texte=str(objet.get("texte", "")),
            non_disponible=bool(objet.get("non_disponible", False)),
            raison=str(objet.get("raison", "")),
            commentaire=str(objet.get("commentaire", "")),
        )
    tete, commentaire = texte, ""
    if separateur := _COMMENTAIRE_ECRIT.search(texte):
        tete, commentaire = texte[: separateur.start()], texte[separateur.end() :]
    if absence := _ABSENCE_ECRITE.fullmatch(tete):
        return DonneeValeur(non_disponible=True, raison=absence[1], commentaire=commentaire)
    if unite != Unite.TEXTE and _NOMBRE_ECRIT.fullmatch(tete):
        return DonneeValeur(valeur=Decimal(tete), commentaire=commentaire)
    return DonneeValeur(texte=tete, commentaire=commentaire)


def decrire_donnee(donnee: DonneeValeur | None) -> str:
    """La donnée en une ligne dans la langue active, son nombre au format de cette langue
    (« 93 200 », « 93,200 »)."""
    if donnee is None or (donnee.est_vide and not donnee.commentaire):
        return ""
    if donnee.non_disponible:
        resume = _("non disponible (%(raison)s)") % {"raison": donnee.raison}
    elif donnee.valeur is not None:
        resume = nombre(donnee.valeur)
    else:
        resume = donnee.texte
    if donnee.commentaire:
        resume += " — " + _("commentaire : %(commentaire)s") % {"commentaire": donnee.commentaire}
    return resume


def code_de_statut(texte: str) -> str:
    """Le code du statut qu'une ligne d'historique garde (ou son libellé d'avant, français ou
    anglais); le texte tel quel s'il n'en est pas un."""
    if texte in StatutSaisie.values:
        return texte
    return STATUTS_ECRITS.get(texte, texte)


def decrire_pour_l_historique(texte: str, indicateur=None) -> str:
    """« Avant » ou « après » d'une ligne d'historique, dans la langue active : une valeur
    (ligne d'un indicateur) ou un statut (étape du circuit)."""
    if not texte:
        return ""
    if indicateur is None:
        code = code_de_statut(texte)
        return str(StatutSaisie(code).label) if code in StatutSaisie.values else texte
    return decrire_donnee(lire(texte, indicateur.unite))
