"""L'historique des saisies garde des données, plus des phrases (`indicateurs.historique`) : les
lignes écrites avant sont récrites dans la forme que les services écrivent depuis, pour que
chaque page les décrive dans la langue de qui lit.

- Une étape du circuit (création, soumission, validation, renvoi, réouverture) gardait le
  libellé du statut dans la langue de qui avait agi (« validée », « validated ») : elle garde
  son code (« validee »). Un texte qui n'est pas un libellé connu reste tel quel.
- Une valeur gardait sa description (« 12 — commentaire : … », « not available (…) ») : un
  nombre ou un texte seuls restent tels quels s'ils se relisent tels quels; une absence, un
  commentaire ou un texte qui se lirait autrement deviennent un objet JSON. Un texte d'un
  indicateur en texte qui ressemble à un nombre reste un texte.

Ce que la relecture ne peut pas savoir : un commentaire qui contenait lui-même « — commentaire
: » était déjà coupé au premier; un texte qui se terminait par « — commentaire : … » devient un
texte et un commentaire. Les deux demandaient de taper la phrase même que le site écrivait.

La lecture et l'écriture sont recopiées ici telles qu'elles sont aujourd'hui (une migration ne
lit pas le code qui évoluera). Par lots (`TAILLE_DU_LOT`), hors d'une transaction unique
(`atomic = False`) : interrompue, elle reprend; une seconde fois, elle ne change rien. Défaite,
elle récrit les phrases françaises d'avant."""

import json
import re
from decimal import Decimal, InvalidOperation

from django.db import migrations

TAILLE_DU_LOT = 2000

STATUTS = {
    "brouillon": "brouillon",
    "soumise": "soumise",
    "renvoyee": "renvoyee",
    "validee": "validee",
    "renvoyée": "renvoyee",
    "validée": "validee",
    "draft": "brouillon",
    "submitted": "soumise",
    "returned": "renvoyee",
    "validated": "validee",
}
LIBELLES_FRANCAIS = {
    "brouillon": "brouillon",
    "soumise": "soumise",
    "renvoyee": "renvoyée",
    "validee": "validée",
}

_ABSENCE_ECRITE = re.compile(r"(?:non disponible|not available) \((.*)\)", re.DOTALL)
_COMMENTAIRE_ECRIT = re.compile(r" — (?:commentaire : |comment: )", re.DOTALL)
_NOMBRE_ECRIT = re.compile(r"-?\d+(?:\.\d+)?")
_CLES = {"valeur", "texte", "non_disponible", "raison", "commentaire"}


def _donnee(valeur=None, texte="", non_disponible=False, raison="", commentaire=""):
    return (valeur, texte, non_disponible, raison, commentaire)


def _objet(texte):
    if not texte.startswith("{"):
        return None
    try:
        objet = json.loads(texte)
    except ValueError:
        return None
    if not isinstance(objet, dict) or not objet or set(objet) - _CLES:
        return None
    return objet


def _lire(texte, texte_seulement=False):
    if not texte:
        return None
    if (objet := _objet(texte)) is not None:
        try:
            valeur = Decimal(objet["valeur"]) if "valeur" in objet else None
        except (InvalidOperation, TypeError):
            valeur = None
        return _donnee(
            valeur,
            str(objet.get("texte", "")),
            bool(objet.get("non_disponible", False)),
            str(objet.get("raison", "")),
            str(objet.get("commentaire", "")),
        )
    tete, commentaire = texte, ""
    if separateur := _COMMENTAIRE_ECRIT.search(texte):
        tete, commentaire = texte[: separateur.start()], texte[separateur.end() :]
    if absence := _ABSENCE_ECRITE.fullmatch(tete):
        return _donnee(non_disponible=True, raison=absence[1], commentaire=commentaire)
    if not texte_seulement and _NOMBRE_ECRIT.fullmatch(tete):
        return _donnee(valeur=Decimal(tete), commentaire=commentaire)
    return _donnee(texte=tete, commentaire=commentaire)


def _consigner(donnee):
    if donnee is None:
        return ""
    valeur, texte, non_disponible, raison, commentaire = donnee
    if valeur is None and not texte and not non_disponible and not commentaire:
        return ""
    if not non_disponible and not commentaire:
        simple = f"{valeur.normalize():f}" if valeur is not None else texte
        if _lire(simple) == donnee:
            return simple
    objet = {}
    if non_disponible:
        objet.update(non_disponible=True, raison=raison)
    elif valeur is not None:
        objet["valeur"] = f"{valeur.normalize():f}"
    elif texte:
        objet["texte"] = texte
    if commentaire:
        objet["commentaire"] = commentaire
    return json.dumps(objet, ensure_ascii=False, sort_keys=True)


def _en_francais(donnee):
    """`services.decrire` d'avant, en français."""
    if donnee is None:
        return ""
    valeur, texte, non_disponible, raison, commentaire = donnee
    if non_disponible:
        resume = f"non disponible ({raison})"
    elif valeur is not None:
        resume = f"{valeur.normalize():f}"
    else:
        resume = texte
    if commentaire:
        resume += f" — commentaire : {commentaire}"
    return resume


def _recrire(apps, valeur_de, statut_de):
    Evenement = apps.get_model("indicateurs", "EvenementSaisie")
    dernier = 0
    while True:
        lot = list(
            Evenement.objects.filter(pk__gt=dernier)
            .exclude(ancienne="", nouvelle="")
            .order_by("pk")
            .values_list("pk", "type_evenement", "indicateur__unite", "ancienne", "nouvelle")[
                :TAILLE_DU_LOT
            ]
        )
        if not lot:
            return
        dernier = lot[-1][0]
        changes = []
        for pk, type_evenement, unite, ancienne, nouvelle in lot:
            if type_evenement == "valeur":
                apres = (valeur_de(ancienne, unite), valeur_de(nouvelle, unite))
            else:
                apres = (statut_de(ancienne), statut_de(nouvelle))
            if apres != (ancienne, nouvelle):
                changes.append(Evenement(pk=pk, ancienne=apres[0], nouvelle=apres[1]))
        Evenement.objects.bulk_update(changes, ["ancienne", "nouvelle"])


def en_donnees(apps, schema_editor):
    _recrire(
        apps,
        lambda texte, unite: _consigner(_lire(texte, texte_seulement=unite == "texte")),
        lambda texte: STATUTS.get(texte, texte),
    )


def en_phrases_francaises(apps, schema_editor):
    _recrire(
        apps,
        lambda texte, unite: _en_francais(_lire(texte, texte_seulement=unite == "texte")),
        lambda texte: LIBELLES_FRANCAIS.get(STATUTS.get(texte, texte), texte),
    )


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("indicateurs", "0013_examen_des_propositions")]

    operations = [migrations.RunPython(en_donnees, en_phrases_francaises, elidable=True)]
