"""Les actions d'un quartier, tenues sur le site (`views_actions`) : inscrire une action, la
modifier, la terminer (sa date de fin).

Qui : la coordination de la table (le droit de saisir sur le quartier : ses actions sont son
registre, comme ses partenaires, `quartiers.services_registre`), l'évaluation et
l'administration (qui tiennent les plans, `services_catalogue.gere_le_catalogue`). Le conseil
les lit. Une seule règle, `peut_tenir_les_actions`, partie du sélecteur d'accès
(`quartiers.acces`) : 404 pour un quartier invisible, 403 pour qui le voit sans ce droit.

Pas de suppression : une action finit (sa `fin`), son histoire reste. Elle compte dans
l'indicateur calculé des actions de participation citoyenne des trimestres qu'elle recoupe
(`indicateurs.calculs`) et la théorie du changement des versions qu'elle a servies la montre;
l'effacer changerait après coup les valeurs de trimestres passés et ces pages. Une action
inscrite par erreur se corrige (type, dates); l'administration peut encore l'effacer.

Les changements servis : ceux des versions adoptées (le formulaire) et, quand le quartier
prépare une nouvelle version, leurs copies dans le brouillon (`_changements_servis`), pour que
la nouvelle version, adoptée, garde les actions inscrites ou modifiées pendant sa préparation.

Les mêmes fonctions pour les pages et, plus tard, l'API : `ValidationError` par champ (mêmes
noms que le formulaire), tout ou rien (`transaction.atomic`, les plusieurs-à-plusieurs
compris), garde des modifications simultanées par l'empreinte de ce que la page a montré
(`evalpic.empreintes`), comparée sous le verrou de l'action.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, Prefetch, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from evalpic.empreintes import empreinte
from evalpic.textes import texte_saisi
from indicateurs.models import Action, ChangementVise, StatutStrategie
from indicateurs.models.strategie import verifier_changements_de_l_action
from indicateurs.services_catalogue import gere_le_catalogue
from quartiers.acces import Droit, a_le_droit, exiger_le_droit
from quartiers.models import Partenaire, Participation, Quartier

REFUS_DES_ACTIONS = _(
    "Seules la coordination de la table, l'évaluation et l'administration tiennent les actions "
    "du quartier."
)


@dataclass(frozen=True)
class DonneesAction:
    """Ce qu'une page (ou l'API) envoie pour une action."""

    titre: str
    type_action: str
    debut: datetime.date
    fin: datetime.date | None = None
    description: str = ""
    porteur: Partenaire | None = None
    partenaires: tuple[Partenaire, ...] = field(default_factory=tuple)
    changements: tuple[ChangementVise, ...] = field(default_factory=tuple)


class ConflitAction(Exception):
    """L'action a changé depuis l'ouverture du formulaire; rien n'a été écrit. `actuelle` :
    telle qu'elle est enregistrée maintenant."""

    def __init__(self, actuelle: Action):
        self.actuelle = actuelle
        super().__init__(
            gettext("Quelqu'un a modifié cette action depuis que vous avez ouvert la page.")
        )


# --- Accès ------------------------------------------------------------------------------------


def peut_tenir_les_actions(utilisateur, quartier: Quartier) -> bool:
    """Vrai pour la coordination du quartier (droit de saisir), l'évaluation et
    l'administration (`gere_le_catalogue`). Suppose le quartier visible."""
    return gere_le_catalogue(utilisateur) or a_le_droit(utilisateur, Droit.SAISIR, quartier)


def exiger_de_tenir_les_actions(utilisateur, quartier: Quartier) -> None:
    """404 si `quartier` est invisible pour `utilisateur`; 403 s'il ne tient pas ses actions."""
    exiger_le_droit(utilisateur, Droit.VOIR, quartier)
    if not peut_tenir_les_actions(utilisateur, quartier):
        raise PermissionDenied(str(REFUS_DES_ACTIONS))


# --- Lectures ---------------------------------------------------------------------------------


def actions_du_quartier(utilisateur, quartier: Quartier) -> QuerySet[Action]:
    """Les actions de `quartier` pour sa page, avec leur porteur, leurs partenaires et les
    changements visés qu'elles servent (sans ceux des brouillons que la personne ne voit pas) :
    trois requêtes, quel que soit le nombre d'actions."""
    changements = (
        ChangementVise.objects.visibles_de(utilisateur)
        .select_related("strategie")
        .order_by("-strategie__version", "ordre", "code")
    )
    return (
        Action.objects.filter(quartier=quartier)
        .select_related("porteur")
        .prefetch_related(
            Prefetch("partenaires", Partenaire.objects.order_by("nom")),
            Prefetch("changements", changements),
        )
        .order_by("-debut", "titre", "pk")
    )


def partenaires_proposables(quartier: Quartier, action: Action | None = None) -> QuerySet:
    """Les partenaires qui participent (ou ont participé) à la table de `quartier` (son
    registre), et ceux que `action` nomme déjà : une action inscrite avant le registre garde
    son porteur quand on la modifie."""
    condition = Q(
        pk__in=Participation.objects.filter(table__quartier=quartier).values("partenaire_id")
    )
    if action is not None and action.pk is not None:
        condition |= Q(pk=action.porteur_id) | Q(
            pk__in=Action.partenaires.through.objects.filter(action_id=action.pk).values(
                "partenaire_id"
            )
        )
    return Partenaire.objects.filter(condition).order_by("nom")


def changements_proposables(quartier: Quartier) -> QuerySet[ChangementVise]:
    """Les changements visés des versions adoptées de la stratégie de `quartier` (en vigueur
    d'abord, puis les archivées, de la plus récente à la plus ancienne); jamais ceux d'un
    brouillon (`ChangementViseQuerySet.publies`), qui peut être abandonné."""
    en_vigueur_d_abord = Case(
        When(strategie__statut=StatutStrategie.EN_VIGUEUR, then=Value(0)), default=Value(1)
    )
    return (
        ChangementVise.objects.publies()
        .filter(strategie__quartier=quartier)
        .select_related("strategie")
        .order_by(en_vigueur_d_abord, "-strategie__version", "ordre", "code")
    )


# --- Empreintes -------------------------------------------------------------------------------


def _jour(date: datetime.date | None) -> str | None:
    return date.isoformat() if date else None


def _contenu(action: Action, partenaires: Iterable[int], changements: Iterable[int]) -> list:
    return [
        action.titre,
        action.description,
        action.type_action,
        action.porteur_id,
        sorted(partenaires),
        sorted(changements),
        _jour(action.debut),
        _jour(action.fin),
    ]


def _liens(action: Action) -> tuple[list[int], list[int], list[int]]:
    """Les partenaires, les changements publiés et ceux des brouillons de `action` : deux
    requêtes."""
    partenaires = list(
        Action.partenaires.through.objects.filter(action_id=action.pk).values_list(
            "partenaire_id", flat=True
        )
    )
    publies, brouillons = [], []
    for changement_id, statut in Action.changements.through.objects.filter(
        action_id=action.pk
    ).values_list("changementvise_id", "changementvise__strategie__statut"):
        (brouillons if statut == StatutStrategie.BROUILLON else publies).append(changement_id)
    return partenaires, publies, brouillons


def empreinte_de_l_action(action: Action) -> str:
    """La version d'une action, tirée de ce que son formulaire montre (titre, description,
    type, porteur, partenaires, changements des versions adoptées, début, fin) : le formulaire
    la porte, cachée, et l'écriture n'a pas lieu sur une action qui ne l'a plus."""
    partenaires, publies, _brouillons = _liens(action)
    return empreinte(_contenu(action, partenaires, publies))


def empreinte_de_la_fin(action: Action) -> str:
    """La version que garde la page « Terminer » : ce qu'elle montre (début et fin)."""
    return empreinte([_jour(action.debut), _jour(action.fin)])


# --- Règles -----------------------------------------------------------------------------------


def _verifier_l_action(action: Action) -> None:
    """Les règles du modèle : titre, type, dates plausibles (`Action.clean`), fin pas avant le
    début (sa contrainte, dont le message va à côté de la fin)."""
    try:
        action.full_clean(exclude=["quartier", "porteur"], validate_unique=False)
    except ValidationError as erreur:
        erreurs = dict(erreur.message_dict)
        generales = erreurs.pop(NON_FIELD_ERRORS, [])
        if generales:
            erreurs["fin"] = erreurs.get("fin", []) + generales
        raise ValidationError(erreurs) from erreur


def _verifier_les_choix(quartier: Quartier, donnees: DonneesAction, action: Action | None):
    """Porteur et partenaires du registre de la table; changements visés du quartier
    (`verifier_changements_de_l_action`) et d'une version adoptée."""
    erreurs: dict[str, list[str]] = {}
    permis = set(partenaires_proposables(quartier, action).values_list("pk", flat=True))
    hors_registre = gettext(
        "Choisissez un partenaire qui participe (ou a participé) à la table du quartier : "
        "inscrivez-le d'abord à son registre."
    )
    if donnees.porteur is not None and donnees.porteur.pk not in permis:
        erreurs["porteur"] = [hors_registre]
    if any(partenaire.pk not in permis for partenaire in donnees.partenaires):
        erreurs["partenaires"] = [hors_registre]
    if donnees.changements:
        try:
            verifier_changements_de_l_action(quartier, donnees.changements)
        except ValidationError as erreur:
            erreurs["changements"] = erreur.messages
        else:
            brouillons = ChangementVise.objects.filter(
                pk__in=[changement.pk for changement in donnees.changements],
                strategie__statut=StatutStrategie.BROUILLON,
            ).values_list("code", flat=True)
            if codes := sorted(brouillons):
                erreurs["changements"] = [
                    gettext(
                        "Une action sert les changements visés d'une version adoptée de la "
                        "stratégie, pas ceux d'une version en préparation : %(codes)s."
                    )
                    % {"codes": ", ".join(codes)}
                ]
    if erreurs:
        raise ValidationError(erreurs)


def _remplir(action: Action, donnees: DonneesAction) -> None:
    action.titre = texte_saisi(donnees.titre)
    action.description = texte_saisi(donnees.description)
    action.type_action = donnees.type_action
    action.porteur = donnees.porteur
    action.debut = donnees.debut
    action.fin = donnees.fin


def _ids(objets: Iterable) -> list[int]:
    return sorted({objet.pk for objet in objets})


def _changements_servis(
    action: Action, voulus: list[int], publies: Iterable[int] = (), brouillons: Iterable[int] = ()
) -> list[int]:
    """Les changements visés qu'`action` sert après l'écriture : `voulus` (des versions
    adoptées) et, dans le brouillon du quartier, la copie de chacun (`ChangementVise.copie_de`,
    posé par `services_strategie._copier`) : à l'adoption du brouillon, la nouvelle version
    garde l'action, comme celles que la préparation a copiées. Les copies qu'elle sert déjà
    (`brouillons`) restent, sauf celle d'un changement qu'elle cesse de servir (il était dans
    `publies`, il n'est plus dans `voulus`). Comme à la préparation, une action terminée avant
    la préparation du brouillon n'en sert pas de nouvelle copie. Une requête, aucune sans
    changement à servir ni copie servie."""
    brouillons = set(brouillons)
    if not voulus and not brouillons:
        return []
    retires = set(publies) - set(voulus)
    copies = ChangementVise.objects.filter(
        Q(
            copie_de__in=voulus,
            strategie__quartier_id=action.quartier_id,
            strategie__statut=StatutStrategie.BROUILLON,
        )
        | Q(pk__in=brouillons)
    ).values_list("pk", "copie_de_id", "strategie__created_at")
    servis = set(voulus) | brouillons
    for pk, original, preparee_le in copies:
        if pk in brouillons:
            if original is not None and original in retires:
                servis.discard(pk)
        elif action.fin is None or action.fin >= timezone.localdate(preparee_le):
            servis.add(pk)
    return sorted(servis)


# --- Écritures --------------------------------------------------------------------------------


def _verifier(action: Action, quartier: Quartier, donnees: DonneesAction, existante=None):
    """Toutes les erreurs à la fois, chacune à côté de son champ : celles du modèle
    (`_verifier_l_action`) et celles des choix (`_verifier_les_choix`)."""
    erreurs: dict[str, list[str]] = {}
    for verifier in (
        lambda: _verifier_l_action(action),
        lambda: _verifier_les_choix(quartier, donnees, existante),
    ):
        try:
            verifier()
        except ValidationError as erreur:
            for champ, messages in erreur.message_dict.items():
                erreurs.setdefault(champ, []).extend(messages)
    if erreurs:
        raise ValidationError(erreurs)


def _deja_inscrite(quartier: Quartier, action: Action, donnees: DonneesAction) -> Action | None:
    """L'action de `quartier` qui porte déjà exactement ce contenu (un double clic sur
    « Ajouter », un envoi rejoué), sinon None."""
    voulu = _contenu(action, _ids(donnees.partenaires), _ids(donnees.changements))
    pareilles = Action.objects.filter(
        quartier=quartier,
        titre=action.titre,
        type_action=action.type_action,
        debut=action.debut,
        fin=action.fin,
        porteur=action.porteur,
    )
    for pareille in pareilles:
        partenaires, publies, _brouillons = _liens(pareille)
        if _contenu(pareille, partenaires, publies) == voulu:
            return pareille
    return None


@transaction.atomic
def creer_action(*, auteur, quartier: Quartier, donnees: DonneesAction) -> tuple[Action, bool]:
    """Inscrit une action de `quartier`. Droit de tenir ses actions (404, 403); règles du
    modèle et des choix (`ValidationError` par champ); rien d'écrit si l'une échoue.

    Rend l'action et vrai si elle est créée. Le même envoi deux fois (un double clic) ne crée
    pas deux actions, qui compteraient deux fois dans l'indicateur des actions de
    participation citoyenne : l'action identique déjà inscrite est rendue, avec faux. Le
    quartier verrouillé, deux envois simultanés se suivent."""
    exiger_de_tenir_les_actions(auteur, quartier)
    Quartier.objects.select_for_update().filter(pk=quartier.pk).first()
    action = Action(quartier=quartier)
    _remplir(action, donnees)
    _verifier(action, quartier, donnees)
    if (existante := _deja_inscrite(quartier, action, donnees)) is not None:
        return existante, False
    action.save()
    action.partenaires.set(_ids(donnees.partenaires))
    action.changements.set(_changements_servis(action, _ids(donnees.changements)))
    return action, True


def _action_verrouillee(action: Action) -> Action:
    """L'action relue sous verrou, seule (sans jointure : PostgreSQL relit la ligne changée
    par l'écriture attendue, pas les lignes jointes); 404 si elle a disparu."""
    actuelle = Action.objects.select_for_update().filter(pk=action.pk).first()
    if actuelle is None:
        raise Http404(gettext("Action introuvable."))
    return actuelle


@transaction.atomic
def modifier_action(
    *, auteur, action: Action, donnees: DonneesAction, version: str | None = None
) -> Action:
    """Modifie une action : ses champs, ses partenaires, les changements visés des versions
    adoptées qu'elle sert. Le formulaire ne montre pas ceux du brouillon : l'action sert la
    copie de chaque changement qu'elle sert, et cesse de servir la copie de celui qu'elle ne
    sert plus (`_changements_servis`); les autres copies qu'elle sert restent.

    `version` : l'`empreinte_de_l_action` à l'ouverture du formulaire. Si elle a changé depuis
    (une autre personne, un autre onglet), rien n'est écrit : `ConflitAction`. Sauf si
    l'action porte déjà ce qui est envoyé (un double envoi) : c'est réussi. Sans `version`,
    l'envoi remplace ce qui est enregistré."""
    exiger_de_tenir_les_actions(auteur, action.quartier)
    actuelle = _action_verrouillee(action)
    partenaires, publies, brouillons = _liens(actuelle)
    voulue = Action(pk=actuelle.pk, quartier_id=actuelle.quartier_id)
    _remplir(voulue, donnees)
    contenu_voulu = _contenu(voulue, _ids(donnees.partenaires), _ids(donnees.changements))
    if version is not None and empreinte(_contenu(actuelle, partenaires, publies)) != version:
        if _contenu(actuelle, partenaires, publies) == contenu_voulu:
            return actuelle  # déjà enregistrée ainsi : le même envoi, deux fois
        raise ConflitAction(actuelle)
    _verifier(voulue, action.quartier, donnees, actuelle)
    champs = ["titre", "description", "type_action", "porteur", "debut", "fin"]
    for champ in champs:
        setattr(actuelle, champ, getattr(voulue, champ))
    actuelle.save(update_fields=champs)
    actuelle.partenaires.set(_ids(donnees.partenaires))
    actuelle.changements.set(
        _changements_servis(actuelle, _ids(donnees.changements), publies, brouillons)
    )
    return actuelle


@transaction.atomic
def terminer_action(
    *, auteur, action: Action, fin: datetime.date, version: str | None = None
) -> Action:
    """Termine une action : sa date de fin (elle reste au registre, avec son histoire). Même
    droit et mêmes règles de dates que `modifier_action`; `version` :
    l'`empreinte_de_la_fin` à l'ouverture de la page (`ConflitAction`, un double envoi
    réussit)."""
    exiger_de_tenir_les_actions(auteur, action.quartier)
    actuelle = _action_verrouillee(action)
    if version is not None and empreinte_de_la_fin(actuelle) != version:
        if actuelle.fin == fin:
            return actuelle  # déjà terminée ce jour-là : le même envoi, deux fois
        raise ConflitAction(actuelle)
    actuelle.fin = fin
    _verifier_l_action(actuelle)
    actuelle.save(update_fields=["fin"])
    return actuelle
