"""La stratégie de changement d'un quartier, tenue sur le site (`views_strategie`) : préparer
une nouvelle version (un brouillon copié de celle en vigueur), la modifier (titre, vision,
changements visés, liens), l'adopter ou l'abandonner.

Qui : l'évaluation et l'administration, le droit qui tient les plans de mesure
(`services_catalogue.gere_le_catalogue`). Un brouillon ne se montre qu'à elles.

Une version en vigueur ou archivée ne se modifie plus : toute écriture verrouille le brouillon
(`_verrouiller`) et répond `ConflitStrategie` (409) s'il a été adopté ou abandonné entre-temps.

Les actions : une copie sert les mêmes actions que son original, qui les garde. La théorie du
changement d'une version lit ses actions par ses changements visés (`rapports.selectors`) : la
version archivée les montre toujours, la nouvelle aussi dès sa préparation. Une action terminée
avant la préparation reste à l'histoire de l'ancienne version seulement."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from evalpic.dates import date_longue
from indicateurs.models import (
    Action,
    ChangementVise,
    Indicateur,
    LienDeChangement,
    StatutIndicateur,
    StatutStrategie,
    StrategieDeChangement,
    Theme,
)
from indicateurs.services_catalogue import exiger_de_gerer_le_catalogue, gere_le_catalogue
from quartiers.models import Quartier

INTROUVABLE = gettext_lazy("Version de la stratégie introuvable.")
CONFLIT_D_ADOPTION = gettext_lazy(
    "Ce brouillon a été adopté ou abandonné entre-temps par quelqu'un d'autre : rien n'a été "
    "enregistré."
)


class ConflitStrategie(Exception):
    """La version n'est pas (ou plus) un brouillon : adoptée ou abandonnée depuis l'ouverture de
    la page, ou en vigueur, ou archivée. Rien n'a été écrit; le message dit ce qui s'est passé."""


# --- Qui peut, et quoi --------------------------------------------------------------------------


def gere_les_strategies(utilisateur) -> bool:
    """Le droit de tenir les plans (`services_catalogue.gere_le_catalogue`) : l'évaluation et
    l'administration préparent, modifient, adoptent et abandonnent les versions."""
    return gere_le_catalogue(utilisateur)


def _exiger(utilisateur, quartier: Quartier) -> None:
    exiger_de_gerer_le_catalogue(utilisateur, quartier)


def strategie_ou_404(utilisateur, quartier: Quartier, pk: int) -> StrategieDeChangement:
    """La version `pk` de `quartier` pour qui gère les stratégies; 404 pour les autres (un
    brouillon leur est invisible) et pour la version d'un autre quartier."""
    if not gere_les_strategies(utilisateur):
        raise Http404(INTROUVABLE)
    strategie = quartier.strategies.filter(pk=pk).first()
    if strategie is None:
        raise Http404(INTROUVABLE)
    strategie.quartier = quartier
    return strategie


def changement_ou_404(utilisateur, quartier: Quartier, pk: int) -> ChangementVise:
    """Un changement visé d'une version de `quartier`, avec sa stratégie (même règle)."""
    if not gere_les_strategies(utilisateur):
        raise Http404(INTROUVABLE)
    changement = (
        ChangementVise.objects.filter(pk=pk, strategie__quartier=quartier)
        .select_related("strategie")
        .first()
    )
    if changement is None:
        raise Http404(_("Changement visé introuvable."))
    return changement


def lien_ou_404(utilisateur, quartier: Quartier, pk: int) -> LienDeChangement:
    """Un lien d'une version de `quartier`, avec sa stratégie et ses deux bouts (même règle)."""
    if not gere_les_strategies(utilisateur):
        raise Http404(INTROUVABLE)
    lien = (
        LienDeChangement.objects.filter(pk=pk, strategie__quartier=quartier)
        .select_related("strategie", "source", "cible")
        .first()
    )
    if lien is None:
        raise Http404(_("Lien introuvable."))
    return lien


def raison_du_conflit(strategie: StrategieDeChangement) -> str:
    """Pourquoi la version `strategie` ne se modifie pas (elle n'est pas un brouillon)."""
    if strategie.statut == StatutStrategie.EN_VIGUEUR:
        return _(
            "La version %(version)s est en vigueur : elle ne se modifie plus. Préparez une "
            "nouvelle version depuis la théorie du changement."
        ) % {"version": strategie.version}
    return _("La version %(version)s est archivée : elle ne se modifie plus.") % {
        "version": strategie.version
    }


def exiger_un_brouillon(strategie: StrategieDeChangement) -> None:
    """`ConflitStrategie` si `strategie` (telle que lue) n'est pas un brouillon."""
    if strategie.statut != StatutStrategie.BROUILLON:
        raise ConflitStrategie(raison_du_conflit(strategie))


def _verrouiller(strategie: StrategieDeChangement) -> StrategieDeChangement:
    """Le brouillon, verrouillé jusqu'à la fin de la transaction : une adoption, un abandon ou
    une autre modification attend. `ConflitStrategie` s'il n'est plus un brouillon (ou plus
    là). À appeler dans une transaction."""
    actuelle = StrategieDeChangement.objects.select_for_update().filter(pk=strategie.pk).first()
    if actuelle is None:
        raise ConflitStrategie(
            _("Ce brouillon a été abandonné entre-temps : rien n'a été enregistré.")
        )
    exiger_un_brouillon(actuelle)
    return actuelle


# --- Lire un brouillon --------------------------------------------------------------------------


@dataclass
class PageDuBrouillon:
    strategie: StrategieDeChangement
    changements: list[ChangementVise]
    liens: list[LienDeChangement]
    en_vigueur: StrategieDeChangement | None


def page_du_brouillon(strategie: StrategieDeChangement) -> PageDuBrouillon:
    """Le brouillon avec ses changements visés (leur thème, leurs indicateurs, les actions
    qu'ils servent), ses liens et la version en vigueur du quartier. Cinq requêtes, quel que
    soit le nombre de changements."""
    changements = list(
        strategie.changements.select_related("theme").prefetch_related("indicateurs", "actions")
    )
    liens = list(strategie.liens.select_related("source", "cible").order_by("source__ordre", "pk"))
    en_vigueur = (
        StrategieDeChangement.objects.en_vigueur().filter(quartier_id=strategie.quartier_id).first()
    )
    return PageDuBrouillon(strategie, changements, liens, en_vigueur)


def indicateurs_proposables(changement: ChangementVise | None = None):
    """Les indicateurs qu'un changement visé peut nommer : les approuvés du catalogue, et ceux
    qu'il nomme déjà (copiés d'une version où ils l'étaient, retirés depuis)."""
    condition = Q(statut=StatutIndicateur.APPROUVE)
    if changement is not None and changement.pk is not None:
        condition |= Q(changements=changement)
    return Indicateur.objects.filter(condition).distinct().order_by("code")


# --- Préparer une version -----------------------------------------------------------------------


@transaction.atomic
def preparer_version(*, utilisateur, quartier: Quartier) -> tuple[StrategieDeChangement, bool]:
    """Le brouillon du quartier, et s'il vient d'être créé. Un seul à la fois : s'il en existe
    un, c'est lui (rien n'est créé). Sinon la version N+1, copie de celle en vigueur (à défaut,
    de la dernière adoptée) : titre, vision, changements visés avec leurs indicateurs, liens avec
    leurs hypothèses, actions en cours (`_copier`); une version 1 vide si le quartier n'en a
    aucune. Deux préparations simultanées font un seul brouillon (le quartier est verrouillé)."""
    _exiger(utilisateur, quartier)
    Quartier.objects.select_for_update().filter(pk=quartier.pk).first()
    versions = list(quartier.strategies.order_by("-version"))
    brouillon = next((v for v in versions if v.statut == StatutStrategie.BROUILLON), None)
    if brouillon is not None:
        return brouillon, False
    adoptees = [v for v in versions if v.statut == StatutStrategie.EN_VIGUEUR] + versions
    modele = adoptees[0] if adoptees else None
    nouvelle = StrategieDeChangement.objects.create(
        quartier=quartier,
        version=versions[0].version + 1 if versions else 1,
        # La stratégie s'écrit en français (ses textes portent lang="fr" hors du français).
        titre=modele.titre if modele else f"Stratégie de changement — {quartier.nom}",
        vision=modele.vision if modele else "",
        statut=StatutStrategie.BROUILLON,
        donnees_fictives=modele.donnees_fictives if modele else False,
    )
    if modele is not None:
        _copier(modele, nouvelle)
    return nouvelle, True


def _copier(
    source: StrategieDeChangement,
    copie: StrategieDeChangement,
    aujourd_hui: datetime.date | None = None,
) -> None:
    """Les changements visés de `source` dans `copie`, avec leurs indicateurs, les liens entre
    eux et les actions en cours qui les servent. Sept requêtes, quel que soit le volume."""
    aujourd_hui = aujourd_hui or timezone.localdate()
    anciens = list(source.changements.all())
    copies = ChangementVise.objects.bulk_create(
        [
            ChangementVise(
                strategie=copie,
                code=c.code,
                libelle=c.libelle,
                description=c.description,
                horizon=c.horizon,
                famille=c.famille,
                theme_id=c.theme_id,
                ordre=c.ordre,
            )
            for c in anciens
        ]
    )
    vers = {ancien.pk: nouveau.pk for ancien, nouveau in zip(anciens, copies, strict=True)}
    nomme = ChangementVise.indicateurs.through
    nomme.objects.bulk_create(
        nomme(changementvise_id=vers[ligne.changementvise_id], indicateur_id=ligne.indicateur_id)
        for ligne in nomme.objects.filter(changementvise__strategie=source)
    )
    LienDeChangement.objects.bulk_create(
        LienDeChangement(
            strategie=copie,
            source_id=vers[lien.source_id],
            cible_id=vers[lien.cible_id],
            hypothese=lien.hypothese,
        )
        for lien in source.liens.all()
        if lien.source_id in vers and lien.cible_id in vers  # les deux bouts de sa stratégie
    )
    sert = Action.changements.through
    en_cours = Q(action__fin__isnull=True) | Q(action__fin__gte=aujourd_hui)
    sert.objects.bulk_create(
        sert(action_id=ligne.action_id, changementvise_id=vers[ligne.changementvise_id])
        for ligne in sert.objects.filter(en_cours, changementvise__strategie=source)
    )


# --- Modifier le brouillon ----------------------------------------------------------------------


@transaction.atomic
def modifier_brouillon(
    *, utilisateur, strategie: StrategieDeChangement, titre: str, vision: str
) -> StrategieDeChangement:
    """Le titre et la vision du brouillon (règles du modèle)."""
    _exiger(utilisateur, strategie.quartier)
    actuelle = _verrouiller(strategie)
    actuelle.titre, actuelle.vision = titre, vision
    actuelle.full_clean()
    actuelle.save(update_fields=["titre", "vision"])
    return actuelle


@transaction.atomic
def enregistrer_changement(
    *,
    utilisateur,
    strategie: StrategieDeChangement,
    changement: ChangementVise | None = None,
    code: str,
    libelle: str,
    description: str = "",
    horizon: str,
    famille: str,
    theme: Theme | None = None,
    indicateurs: Iterable[Indicateur] = (),
) -> ChangementVise:
    """Ajoute un changement visé au brouillon (`changement` absent) ou modifie l'un des siens.
    Le code est unique dans la version; les indicateurs sont des approuvés du catalogue (ou déjà
    nommés par ce changement). Erreurs à côté de leur champ, rien d'enregistré."""
    _exiger(utilisateur, strategie.quartier)
    _verrouiller(strategie)
    if changement is None:
        plus_grand = strategie.changements.aggregate(n=Max("ordre"))["n"]
        changement = ChangementVise(strategie=strategie, ordre=(plus_grand or 0) + 1)
    elif changement.strategie_id != strategie.pk:
        raise Http404(_("Changement visé introuvable."))
    changement.code, changement.libelle, changement.description = code, libelle, description
    changement.horizon, changement.famille, changement.theme = horizon, famille, theme
    indicateurs = list(indicateurs)
    erreurs: dict[str, list[str]] = {}
    if strategie.changements.filter(code=code).exclude(pk=changement.pk).exists():
        erreurs["code"] = [
            _("Le code « %(code)s » est déjà celui d'un autre changement visé de cette version.")
            % {"code": code}
        ]
    permis = set(indicateurs_proposables(changement).values_list("pk", flat=True))
    if refuses := sorted(i.code for i in indicateurs if i.pk not in permis):
        erreurs["indicateurs"] = [
            _("Indicateurs qui ne sont pas approuvés au catalogue : %(codes)s.")
            % {"codes": ", ".join(refuses)}
        ]
    try:
        changement.full_clean(validate_constraints=False)
    except ValidationError as erreur:
        for champ, messages in erreur.message_dict.items():
            erreurs.setdefault(champ, []).extend(messages)
    if erreurs:
        raise ValidationError(erreurs)
    changement.save()
    changement.indicateurs.set(indicateurs)
    return changement


@transaction.atomic
def supprimer_changement(*, utilisateur, changement: ChangementVise) -> None:
    """Retire un changement visé du brouillon, avec ses liens; les actions ne le servent plus
    (elles servent toujours l'original, dans la version d'où il a été copié)."""
    _exiger(utilisateur, changement.strategie.quartier)
    _verrouiller(changement.strategie)
    changement.delete()


@transaction.atomic
def ajouter_lien(
    *,
    utilisateur,
    strategie: StrategieDeChangement,
    source: ChangementVise,
    cible: ChangementVise,
    hypothese: str = "",
) -> LienDeChangement:
    """Un lien « si ce changement, alors celui-là » entre deux changements du brouillon : pas
    de boucle, pas de doublon (règles du modèle, le message à côté de la cible)."""
    _exiger(utilisateur, strategie.quartier)
    _verrouiller(strategie)
    lien = LienDeChangement(strategie=strategie, source=source, cible=cible, hypothese=hypothese)
    erreurs: dict[str, list[str]] = {}
    try:
        lien.full_clean(validate_unique=False)
    except ValidationError as erreur:
        erreurs = erreur.message_dict
    if not erreurs and LienDeChangement.objects.filter(source=source, cible=cible).exists():
        erreurs = {"cible": [_("Ce lien existe déjà : « %(lien)s ».") % {"lien": lien}]}
    if erreurs:
        # La règle des contraintes (pas de boucle) n'a pas de champ : elle tient à la cible.
        erreurs.setdefault("cible", []).extend(erreurs.pop(NON_FIELD_ERRORS, []))
        raise ValidationError(erreurs)
    lien.save()
    return lien


@transaction.atomic
def supprimer_lien(*, utilisateur, lien: LienDeChangement) -> None:
    """Retire un lien du brouillon."""
    _exiger(utilisateur, lien.strategie.quartier)
    _verrouiller(lien.strategie)
    lien.delete()


# --- Adopter, abandonner ------------------------------------------------------------------------


def adopter_brouillon(
    *, utilisateur, strategie: StrategieDeChangement, adoptee_le: datetime.date | None
) -> StrategieDeChangement:
    """Le brouillon devient la version en vigueur, adoptée le `adoptee_le` (un an d'avance au
    plus, pas avant l'adoption de la version qu'il remplace), et celle-ci est archivée : en une
    transaction, l'archivage d'abord (une seule version en vigueur par quartier), puis la mise
    en vigueur conditionnelle (« s'il est encore un brouillon »). Deux adoptions simultanées :
    la seconde ne trouve plus de brouillon, `ConflitStrategie`, et son archivage est annulé."""
    _exiger(utilisateur, strategie.quartier)
    exiger_un_brouillon(strategie)
    # Relu pour un message juste (adopté ou abandonné depuis la lecture); la mise en vigueur
    # conditionnelle reste la garde contre une adoption simultanée.
    statut = StrategieDeChangement.objects.filter(pk=strategie.pk).values_list("statut").first()
    if statut is None or statut[0] != StatutStrategie.BROUILLON:
        raise ConflitStrategie(CONFLIT_D_ADOPTION)
    _verifier_l_adoption(strategie, adoptee_le)
    with transaction.atomic():
        StrategieDeChangement.objects.filter(
            quartier_id=strategie.quartier_id, statut=StatutStrategie.EN_VIGUEUR
        ).exclude(pk=strategie.pk).update(statut=StatutStrategie.ARCHIVEE)
        adoptee = StrategieDeChangement.objects.filter(
            pk=strategie.pk, statut=StatutStrategie.BROUILLON
        ).update(statut=StatutStrategie.EN_VIGUEUR, adoptee_le=adoptee_le)
        if not adoptee:  # l'exception annule l'archivage
            raise ConflitStrategie(CONFLIT_D_ADOPTION)
    strategie.statut, strategie.adoptee_le = StatutStrategie.EN_VIGUEUR, adoptee_le
    return strategie


def _verifier_l_adoption(strategie: StrategieDeChangement, adoptee_le) -> None:
    """La date (règle du modèle : `StrategieDeChangement.clean`), pas avant celle de la version
    en vigueur (elle la remplacerait sans jamais valoir, `selectors.version_au`); au moins un
    changement visé."""
    if adoptee_le is None:
        raise ValidationError({"adoptee_le": _("Indiquez la date d'adoption.")})
    essai = StrategieDeChangement(
        quartier_id=strategie.quartier_id,
        version=strategie.version,
        titre=strategie.titre,
        adoptee_le=adoptee_le,
    )
    essai.clean()
    en_vigueur = (
        StrategieDeChangement.objects.en_vigueur()
        .filter(quartier_id=strategie.quartier_id)
        .exclude(pk=strategie.pk)
        .first()
    )
    if en_vigueur and en_vigueur.adoptee_le and adoptee_le < en_vigueur.adoptee_le:
        raise ValidationError(
            {
                "adoptee_le": _(
                    "La version en vigueur (v%(version)s) a été adoptée le %(date)s : la "
                    "nouvelle ne peut pas l'être avant."
                )
                % {"version": en_vigueur.version, "date": date_longue(en_vigueur.adoptee_le)}
            }
        )
    if not strategie.changements.exists():
        raise ValidationError(
            _("Ce brouillon n'a aucun changement visé : ajoutez-en avant de l'adopter.")
        )


@transaction.atomic
def abandonner_brouillon(*, utilisateur, strategie: StrategieDeChangement) -> None:
    """Supprime le brouillon et ses copies (changements, liens, leurs indicateurs et actions);
    les actions elles-mêmes et les autres versions ne changent pas."""
    _exiger(utilisateur, strategie.quartier)
    _verrouiller(strategie).delete()
