"""Corriger ou retirer un apprentissage déjà écrit (l'ajout est `services.ajouter_apprentissage`).

Qui peut : il faut le droit de commenter le quartier (`Droit.COMMENTER` : sa coordination, le
conseil qui y est affecté, l'évaluation, l'administration). Avec lui, on corrige et on retire
ses propres apprentissages; ceux des autres, seulement si l'on répond aussi du contenu du
quartier : sa coordination (droit de saisir) pour les apprentissages de sa table, l'évaluation
(droit de valider) qui relit tous les quartiers, l'administration. Un conseiller ne touche donc
qu'aux siens : il accompagne la table, il n'écrit pas à sa place.

Un apprentissage écrit dans une saisie la suit, comme ses valeurs : soumise ou validée, la
saisie est verrouillée, et lui aussi; il se corrige quand elle est renvoyée ou rouverte (avec
une raison, à l'historique).

Un bilan est un instantané : corriger ou retirer un apprentissage ne change aucun bilan déjà
produit (son `instantane` garde le texte du moment), seulement les suivants.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from evalpic.empreintes import empreinte as empreinte_du_contenu
from indicateurs.models import Apprentissage, ChangementVise, Indicateur, Periode, Saisie
from indicateurs.services import MODIFIABLES, verifier_apprentissage
from quartiers.acces import Droit, a_le_droit, exiger_le_droit

# Le refus (403) d'une personne qui voit l'apprentissage sans pouvoir le toucher.
REFUS_DE_MODIFIER = gettext_lazy(
    "Vous ne pouvez corriger ou retirer que vos propres apprentissages de ce quartier."
)


@dataclass(frozen=True)
class DroitsSurLesApprentissages:
    """Ce que `utilisateur` peut faire des apprentissages d'un quartier : en ajouter et
    toucher aux siens (`commenter`), toucher à ceux des autres (`tous`)."""

    utilisateur_id: int | None
    commenter: bool
    tous: bool

    def peut_modifier(self, apprentissage: Apprentissage) -> bool:
        """Sa saisie lue avec lui (`select_related("saisie")`)."""
        if not self.commenter or verrouille(apprentissage):
            return False
        return self.tous or (
            self.utilisateur_id is not None and apprentissage.auteur_id == self.utilisateur_id
        )


def droits_sur_les_apprentissages(utilisateur, quartier) -> DroitsSurLesApprentissages:
    """Les droits de `utilisateur` sur les apprentissages de `quartier` (voir le module), par
    le sélecteur d'accès : une à trois requêtes, quel que soit le nombre d'apprentissages."""
    commenter = a_le_droit(utilisateur, Droit.COMMENTER, quartier)
    tous = commenter and (
        a_le_droit(utilisateur, Droit.SAISIR, quartier)
        or a_le_droit(utilisateur, Droit.VALIDER, quartier)
    )
    return DroitsSurLesApprentissages(utilisateur.pk, commenter, tous)


def verrouille(apprentissage: Apprentissage) -> bool:
    """Écrit dans une saisie qui ne se modifie plus (soumise ou validée, `MODIFIABLES`)."""
    saisie = apprentissage.saisie if apprentissage.saisie_id else None
    return saisie is not None and saisie.statut not in MODIFIABLES


def exiger_de_pouvoir_modifier(utilisateur, apprentissage: Apprentissage) -> None:
    """404 si le quartier est invisible, 403 sans le droit de commenter, sur l'apprentissage
    d'un autre sans répondre du quartier, ou dans une saisie verrouillée (le message dit
    laquelle et comment la rouvrir)."""
    quartier = apprentissage.quartier
    exiger_le_droit(utilisateur, Droit.COMMENTER, quartier, refus=str(REFUS_DE_MODIFIER))
    _refuser_si_verrouille(apprentissage)
    if not droits_sur_les_apprentissages(utilisateur, quartier).peut_modifier(apprentissage):
        raise PermissionDenied(str(REFUS_DE_MODIFIER))


def _refuser_si_verrouille(apprentissage: Apprentissage) -> None:
    """403 si l'apprentissage est écrit dans une saisie verrouillée (`verrouille`), avec le
    message qui dit laquelle et comment la rouvrir."""
    if verrouille(apprentissage):
        raise PermissionDenied(
            _(
                "Cet apprentissage fait partie de la saisie de %(periode)s, « %(statut)s » : il "
                "se corrige quand elle est renvoyée ou rouverte, comme ses valeurs."
            )
            % {
                "periode": apprentissage.periode.libelle,
                "statut": apprentissage.saisie.get_statut_display(),
            }
        )


@contextmanager
def _sous_le_verrou_de_sa_saisie(apprentissage: Apprentissage) -> Iterator[None]:
    """Une écriture dans une transaction qui tient le verrou de la saisie de l'apprentissage,
    celui que prend sa soumission (`services.soumettre_saisie`), son statut relu : la page a
    vérifié `verrouille` au début de la requête; une soumission faite depuis, ou en cours, passe
    d'abord — l'écriture la voit et est refusée comme sur une saisie déjà soumise. Sans saisie
    (apprentissage ajouté hors saisie), aucun verrou à prendre : la mise à jour conditionnelle
    suffit."""
    if apprentissage.saisie_id is None:
        yield
        return
    with transaction.atomic():
        saisie = Saisie.objects.select_for_update().filter(pk=apprentissage.saisie_id).first()
        if saisie is not None:
            apprentissage.saisie = saisie
            _refuser_si_verrouille(apprentissage)
        yield


def modifier_apprentissage(
    *,
    utilisateur,
    apprentissage: Apprentissage,
    periode: Periode,
    categorie: str,
    texte_fr: str = "",
    texte_en: str = "",
    indicateur: Indicateur | None = None,
    changement: ChangementVise | None = None,
    version: str | None = None,
) -> Apprentissage:
    """Corrige un apprentissage : mêmes champs et même validation que l'ajout
    (`verifier_apprentissage`), `ValidationError` par champ et rien d'écrit sinon. Deux
    nuances : un rattachement inchangé reste accepté même si le quartier a cessé de suivre
    l'indicateur (corriger une faute ne doit pas forcer à le retirer); un apprentissage écrit
    dans une saisie garde la période de sa saisie. L'auteur et la date restent ceux de
    l'écriture. Droits : voir le module (404 / 403); une saisie soumise pendant la requête
    refuse comme une saisie déjà soumise (`_sous_le_verrou_de_sa_saisie`).

    `version` : l'`empreinte` de l'apprentissage à l'ouverture du formulaire de correction.
    S'il a changé depuis (une autre personne l'a corrigé), rien n'est écrit :
    `ConflitApprentissage`, avec l'apprentissage tel qu'il est maintenant. Sans `version`, la
    correction remplace ce qui est enregistré."""
    exiger_de_pouvoir_modifier(utilisateur, apprentissage)
    texte_fr, texte_en = verifier_correction(
        apprentissage,
        periode=periode,
        texte_fr=texte_fr,
        texte_en=texte_en,
        indicateur=indicateur,
        changement=changement,
    )
    champs = {
        "periode": periode,
        "categorie": categorie,
        "texte_fr": texte_fr,
        "texte_en": texte_en,
        "indicateur": indicateur,
        "changement": changement,
    }
    with _sous_le_verrou_de_sa_saisie(apprentissage):
        ecrire_si_inchange(apprentissage, version, **champs)
    for nom, valeur in champs.items():
        setattr(apprentissage, nom, valeur)
    return apprentissage


def ecrire_si_inchange(
    apprentissage: Apprentissage,
    version: str | None,
    *,
    lus: tuple[str, ...] | None = None,
    **champs,
) -> None:
    """Une mise à jour conditionnelle : l'UPDATE ne touche la ligne que si elle porte encore
    ce qui a été lu (et, avec `version`, ce que le formulaire avait à son ouverture). Deux
    corrections simultanées ne peuvent donc pas réussir toutes les deux sur la même lecture.
    Retiré entre-temps : 404 plutôt qu'une erreur serveur. `lus` : les champs dont la version
    est faite (`CHAMPS_CORRIGES` pour la page; l'administration, qui change aussi le quartier
    et l'auteur·e, `CHAMPS_ADMINISTRES`)."""
    lus = lus or CHAMPS_CORRIGES
    actuel = _lire(apprentissage.pk)
    if version is not None and empreinte(actuel, lus) != version:
        raise ConflitApprentissage(actuel)
    lu = {nom: getattr(actuel, nom) for nom in lus}
    if not Apprentissage.objects.filter(pk=apprentissage.pk, **lu).update(**champs):
        raise ConflitApprentissage(_lire(apprentissage.pk))  # changé entre la lecture et l'écriture


def _lire(pk: int) -> Apprentissage:
    actuel = (
        Apprentissage.objects.select_related("periode", "indicateur", "changement")
        .filter(pk=pk)
        .first()
    )
    if actuel is None:
        raise Http404(_("Apprentissage introuvable."))
    return actuel


# Ce qu'une correction change, et donc ce dont l'empreinte d'un apprentissage est faite.
CHAMPS_CORRIGES = (
    "periode_id",
    "categorie",
    "indicateur_id",
    "changement_id",
    "texte_fr",
    "texte_en",
)
# Ce que l'administration change en plus : elle seule déplace un apprentissage d'un quartier à
# l'autre ou change son auteur·e. Sa version en est faite aussi (`empreinte(…, lus=…)`).
CHAMPS_ADMINISTRES = (*CHAMPS_CORRIGES, "quartier_id", "auteur_id")


def empreinte(apprentissage: Apprentissage, lus: tuple[str, ...] | None = None) -> str:
    """La version d'un apprentissage, tirée de ce qu'une correction change
    (`CHAMPS_CORRIGES`, ou les champs `lus`) : le formulaire de correction la porte, cachée, et
    `modifier_apprentissage` n'écrit pas sur un apprentissage qui ne l'a plus. Tirée du
    contenu, elle ne demande aucune colonne de plus : toute écriture qui change ces champs
    (page, API, administration) change la version."""
    return empreinte_du_contenu([getattr(apprentissage, nom) for nom in lus or CHAMPS_CORRIGES])


class ConflitApprentissage(Exception):
    """L'apprentissage a changé depuis l'ouverture du formulaire de correction; rien n'a été
    écrit. `actuel` : tel qu'il est enregistré maintenant (période, rattachements lus)."""

    def __init__(self, actuel: Apprentissage):
        self.actuel = actuel
        super().__init__(_("Quelqu'un a corrigé cet apprentissage pendant que vous le corrigiez."))


def verifier_correction(
    apprentissage: Apprentissage,
    *,
    periode: Periode,
    texte_fr: str,
    texte_en: str,
    indicateur: Indicateur | None,
    changement: ChangementVise | None,
) -> tuple[str, str]:
    """La validation d'une correction (`modifier_apprentissage`, l'administration) : celle de
    l'ajout (`verifier_apprentissage`) dans le quartier de l'apprentissage, avec les deux
    nuances de `modifier_apprentissage`. Rend les textes nettoyés, ou lève une
    `ValidationError` par champ."""
    erreurs: dict[str, list[str]] = {}
    if apprentissage.saisie_id and periode.pk != apprentissage.periode_id:
        erreurs["periode"] = [
            _(
                "Cet apprentissage a été écrit dans la saisie de %(periode)s : il garde cette période."
            )
            % {"periode": apprentissage.periode.libelle}
        ]
    try:
        texte_fr, texte_en = verifier_apprentissage(
            quartier=apprentissage.quartier,
            periode=periode,
            texte_fr=texte_fr,
            texte_en=texte_en,
            indicateur=None if _meme(indicateur, apprentissage.indicateur_id) else indicateur,
            changement=None if _meme(changement, apprentissage.changement_id) else changement,
        )
    except ValidationError as erreur:
        for champ, messages in erreur.message_dict.items():
            erreurs.setdefault(champ, []).extend(messages)
    if erreurs:
        raise ValidationError(erreurs)
    return texte_fr, texte_en


def supprimer_apprentissage(*, utilisateur, apprentissage: Apprentissage) -> None:
    """Retire un apprentissage (droits : voir le module; une saisie soumise pendant la
    requête refuse comme une saisie déjà soumise : `_sous_le_verrou_de_sa_saisie`). Les bilans
    déjà produits le gardent dans leur instantané."""
    exiger_de_pouvoir_modifier(utilisateur, apprentissage)
    with _sous_le_verrou_de_sa_saisie(apprentissage):
        apprentissage.delete()


def _meme(objet, pk: int | None) -> bool:
    return (objet.pk if objet is not None else None) == pk
