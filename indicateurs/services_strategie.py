"""La stratégie de changement d'un quartier, tenue sur le site (`views_strategie`) : préparer
une nouvelle version (un brouillon copié de celle en vigueur), la modifier (titre, vision,
changements visés, liens), l'adopter ou l'abandonner.

Qui : qui a `Droit.GERER_CATALOGUE` sur le quartier (`quartiers.acces`) prépare, modifie et
abandonne le brouillon — la coordination de la table pour son quartier, l'évaluation et
l'administration partout; un brouillon ne se montre qu'à elles (`quartiers_des_brouillons`).
La coordination n'adopte pas : elle soumet le brouillon à l'évaluation (`soumettre_brouillon`),
qui l'adopte ou le lui renvoie avec un motif (`renvoyer_brouillon`); soumis, elle ne le modifie
ni ne l'abandonne plus (409) avant son renvoi, à moins de retirer sa soumission
(`retirer_la_soumission`). L'évaluation et l'administration
(`services_catalogue.gere_le_catalogue`) adoptent, renvoient et modifient même un brouillon
soumis. Soumettre, retirer la soumission, renvoyer et adopter sont des mises à jour
conditionnelles : la seconde de deux décisions simultanées reçoit `ConflitStrategie`.

Une version en vigueur ou archivée ne se modifie plus : toute écriture verrouille le brouillon
(`_verrouiller`) et répond `ConflitStrategie` (409) s'il a été adopté ou abandonné entre-temps.

Les actions : une copie sert les mêmes actions que son original, qui les garde. La théorie du
changement d'une version lit ses actions par ses changements visés (`rapports.selectors`) : la
version archivée les montre toujours, la nouvelle aussi dès sa préparation. Une action terminée
avant la préparation reste à l'histoire de l'ancienne version seulement. Une action inscrite ou
modifiée pendant la préparation sert la copie de chaque changement qu'elle sert : chaque copie
garde son original (`ChangementVise.copie_de`, `services_actions._changements_servis`)."""

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
from evalpic.textes import texte_saisi
from indicateurs import avis_strategie
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
from indicateurs.models.strategie import quartiers_des_brouillons
from indicateurs.services_catalogue import exiger_de_gerer_le_catalogue, gere_le_catalogue
from quartiers.acces import Droit, exiger_le_droit
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
    """Le droit de tenir les plans de tous les quartiers (`services_catalogue.gere_le_catalogue`) :
    l'évaluation et l'administration adoptent et renvoient les versions, et modifient même un
    brouillon soumis."""
    return gere_le_catalogue(utilisateur)


def _exiger(utilisateur, quartier: Quartier) -> None:
    """404 si `quartier` est invisible; 403 sans `Droit.GERER_CATALOGUE` sur lui (le conseil)."""
    exiger_le_droit(
        utilisateur,
        Droit.GERER_CATALOGUE,
        quartier,
        refus=_(
            "Seules la coordination du quartier, l'évaluation et l'administration tiennent "
            "sa stratégie de changement."
        ),
    )


def _exiger_d_examiner(utilisateur, quartier: Quartier) -> None:
    """Adopter, renvoyer : l'évaluation et l'administration (403 pour la coordination)."""
    exiger_de_gerer_le_catalogue(utilisateur, quartier)


def exiger_d_examiner(utilisateur, quartier: Quartier) -> None:
    """Pour les pages d'adoption et de renvoi, avant d'afficher leur formulaire : 403 pour qui
    ne fait que préparer (la coordination)."""
    _exiger_d_examiner(utilisateur, quartier)


def strategie_ou_404(utilisateur, quartier: Quartier, pk: int) -> StrategieDeChangement:
    """La version `pk` de `quartier` pour qui y tient la stratégie (`quartiers_des_brouillons`),
    avec qui l'a soumise ou renvoyée; 404 pour les autres (un brouillon leur est invisible) et
    pour la version d'un autre quartier. Une requête."""
    strategie = (
        StrategieDeChangement.objects.filter(
            pk=pk, quartier=quartier, quartier__in=quartiers_des_brouillons(utilisateur)
        )
        .select_related("soumise_par", "renvoyee_par")
        .first()
    )
    if strategie is None:
        raise Http404(INTROUVABLE)
    strategie.quartier = quartier
    return strategie


def changement_ou_404(utilisateur, quartier: Quartier, pk: int) -> ChangementVise:
    """Un changement visé d'une version de `quartier`, avec sa stratégie (même règle)."""
    changement = (
        ChangementVise.objects.filter(
            pk=pk,
            strategie__quartier=quartier,
            strategie__quartier__in=quartiers_des_brouillons(utilisateur),
        )
        .select_related("strategie")
        .first()
    )
    if changement is None:
        raise Http404(_("Changement visé introuvable."))
    return changement


def lien_ou_404(utilisateur, quartier: Quartier, pk: int) -> LienDeChangement:
    """Un lien d'une version de `quartier`, avec sa stratégie et ses deux bouts (même règle)."""
    lien = (
        LienDeChangement.objects.filter(
            pk=pk,
            strategie__quartier=quartier,
            strategie__quartier__in=quartiers_des_brouillons(utilisateur),
        )
        .select_related("strategie", "source", "cible")
        .first()
    )
    if lien is None:
        raise Http404(_("Lien introuvable."))
    return lien


def peut_modifier(utilisateur, strategie: StrategieDeChangement) -> bool:
    """Vrai si `utilisateur` (qui tient la stratégie du quartier) peut modifier le brouillon
    tel que lu : pas soumis, ou l'évaluation et l'administration. Sans requête."""
    return strategie.soumise_le is None or gere_les_strategies(utilisateur)


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


def exiger_un_brouillon_soumis(strategie: StrategieDeChangement) -> None:
    """`ConflitStrategie` si `strategie` (telle que lue) n'est pas un brouillon soumis à
    l'évaluation : rien à renvoyer."""
    exiger_un_brouillon(strategie)
    if not strategie.est_soumise:
        raise ConflitStrategie(CONFLIT_DE_RENVOI)


def _verrouiller(strategie: StrategieDeChangement, utilisateur) -> StrategieDeChangement:
    """Le brouillon, verrouillé jusqu'à la fin de la transaction : une adoption, un renvoi, un
    abandon ou une autre modification attend. `ConflitStrategie` s'il n'est plus un brouillon
    (ou plus là), ou s'il est soumis à l'évaluation et qu'`utilisateur` n'en est pas
    (`exiger_de_pouvoir_modifier`). À appeler dans une transaction."""
    actuelle = (
        StrategieDeChangement.objects.select_for_update(of=("self",))
        .filter(pk=strategie.pk)
        .select_related("soumise_par")
        .first()
    )
    if actuelle is None:
        raise ConflitStrategie(
            _("Ce brouillon a été abandonné entre-temps : rien n'a été enregistré.")
        )
    exiger_un_brouillon(actuelle)
    exiger_de_pouvoir_modifier(utilisateur, actuelle)
    return actuelle


def exiger_de_pouvoir_modifier(utilisateur, strategie: StrategieDeChangement) -> None:
    """`ConflitStrategie` si le brouillon (tel que lu) est soumis à l'évaluation et
    qu'`utilisateur` n'est pas l'évaluation ou l'administration : la coordination attend son
    adoption ou son renvoi."""
    if not peut_modifier(utilisateur, strategie):
        raise ConflitStrategie(raison_de_la_soumission(strategie))


def exiger_un_brouillon_modifiable(utilisateur, strategie: StrategieDeChangement) -> None:
    """`ConflitStrategie` si `strategie` (telle que lue) n'est pas un brouillon, ou si
    `utilisateur` ne peut plus le modifier (soumis à l'évaluation) : avant d'afficher un
    formulaire qui le modifie."""
    exiger_un_brouillon(strategie)
    exiger_de_pouvoir_modifier(utilisateur, strategie)


def raison_de_la_soumission(strategie: StrategieDeChangement) -> str:
    qui = strategie.soumise_par or _("quelqu'un d'autre")
    return _(
        "Ce brouillon est soumis à l'évaluation depuis le %(date)s (par %(qui)s) : il ne se "
        "modifie plus, à moins que l'évaluation vous le renvoie. Rien n'a été enregistré."
    ) % {"date": date_longue(timezone.localdate(strategie.soumise_le)), "qui": qui}


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
    eux et les actions en cours qui les servent. Chaque copie garde son original (`copie_de`) :
    une action inscrite ou modifiée ensuite sert la copie de ce qu'elle sert
    (`services_actions`). Sept requêtes, quel que soit le volume."""
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
                copie_de=c,
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
    actuelle = _verrouiller(strategie, utilisateur)
    # Un texte fait de seuls caractères invisibles est vide (`texte_saisi`) : le modèle le refuse.
    actuelle.titre, actuelle.vision = texte_saisi(titre), texte_saisi(vision)
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
    _verrouiller(strategie, utilisateur)
    if changement is None:
        plus_grand = strategie.changements.aggregate(n=Max("ordre"))["n"]
        changement = ChangementVise(strategie=strategie, ordre=(plus_grand or 0) + 1)
    elif changement.strategie_id != strategie.pk:
        raise Http404(_("Changement visé introuvable."))
    code, libelle, description = texte_saisi(code), texte_saisi(libelle), texte_saisi(description)
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
    _verrouiller(changement.strategie, utilisateur)
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
    _verrouiller(strategie, utilisateur)
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
    _verrouiller(lien.strategie, utilisateur)
    lien.delete()


# --- Adopter, abandonner ------------------------------------------------------------------------


def adopter_brouillon(
    *, utilisateur, strategie: StrategieDeChangement, adoptee_le: datetime.date | None
) -> StrategieDeChangement:
    """Le brouillon devient la version en vigueur, adoptée le `adoptee_le` (un an d'avance au
    plus, pas avant l'adoption de la version qu'il remplace), et celle-ci est archivée : en une
    transaction, l'archivage d'abord (une seule version en vigueur par quartier), puis la mise
    en vigueur conditionnelle (« s'il est encore un brouillon »). Deux adoptions simultanées :
    la seconde ne trouve plus de brouillon, `ConflitStrategie`, et son archivage est annulé.
    L'évaluation et l'administration seulement (403 pour la coordination, qui soumet); soumis ou
    non, le brouillon s'adopte de même. Une modification en cours (brouillon verrouillé) passe
    avant : l'adoption l'attend, et une modification arrivée après reçoit `ConflitStrategie`."""
    _exiger_d_examiner(utilisateur, strategie.quartier)
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
    avis_strategie.annoncer(avis_strategie.ADOPTEE, strategie.pk, utilisateur.pk)
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


# --- Soumettre à l'évaluation, renvoyer -----------------------------------------------------------


CONFLIT_DE_RENVOI = gettext_lazy(
    "Ce brouillon n'est plus soumis : il a été renvoyé, adopté ou abandonné entre-temps, ou sa "
    "soumission a été retirée. Rien n'a été enregistré."
)


def soumettre_brouillon(*, utilisateur, strategie: StrategieDeChangement) -> StrategieDeChangement:
    """La coordination soumet le brouillon de son quartier à l'évaluation, qui l'adoptera ou le
    lui renverra : jusque-là elle ne le modifie plus. Au moins un changement visé (400).
    Sous le verrou du brouillon (celui de `_verrouiller`) : déjà soumis, adopté ou abandonné
    entre-temps, `ConflitStrategie` et rien n'est écrit."""
    _exiger(utilisateur, strategie.quartier)
    exiger_un_brouillon(strategie)
    if strategie.soumise_le is not None:
        raise ConflitStrategie(_deja_soumis(strategie))
    with transaction.atomic():
        # Le verrou du brouillon, que prend aussi le retrait d'un changement visé : le dernier
        # changement ne disparaît pas entre la vérification et la soumission.
        actuelle = (
            StrategieDeChangement.objects.select_for_update(of=("self",))
            .filter(pk=strategie.pk)
            .select_related("soumise_par")
            .first()
        )
        if actuelle is None or actuelle.statut != StatutStrategie.BROUILLON:
            raise ConflitStrategie(CONFLIT_D_ADOPTION)
        if actuelle.est_soumise:
            raise ConflitStrategie(_deja_soumis(actuelle))
        if not actuelle.changements.exists():
            raise ValidationError(
                _("Ce brouillon n'a aucun changement visé : ajoutez-en avant de le soumettre.")
            )
        maintenant = timezone.now()
        StrategieDeChangement.objects.filter(pk=strategie.pk).update(
            soumise_le=maintenant, soumise_par=utilisateur
        )
        avis_strategie.annoncer(avis_strategie.SOUMISE, strategie.pk, utilisateur.pk)
    strategie.soumise_le, strategie.soumise_par = maintenant, utilisateur
    return strategie


def _deja_soumis(strategie: StrategieDeChangement) -> str:
    return _(
        "Ce brouillon est déjà soumis à l'évaluation (le %(date)s, par %(qui)s) : rien n'a été "
        "enregistré."
    ) % {
        "date": date_longue(timezone.localdate(strategie.soumise_le)),
        "qui": strategie.soumise_par or _("quelqu'un d'autre"),
    }


PAS_SOUMIS = gettext_lazy(
    "Ce brouillon n'est pas (ou plus) soumis à l'évaluation : sa soumission a été retirée, ou "
    "l'évaluation vous l'a renvoyé entre-temps. Rien n'a été enregistré."
)


def retirer_la_soumission(
    *, utilisateur, strategie: StrategieDeChangement
) -> StrategieDeChangement:
    """Qui a soumis le brouillon (qui tient la stratégie du quartier : la coordination,
    l'évaluation, l'administration) retire sa soumission, pour corriger une erreur vue après
    coup sans attendre un renvoi : le brouillon redevient modifiable, comme s'il n'avait pas
    été soumis (`soumise_le` et `soumise_par` effacés; un renvoi précédent et son motif
    restent). Pas d'avis : le brouillon quitte la page des propositions, où l'évaluation voit
    ce qui l'attend (et sur la sienne, il se montre de nouveau « à modifier »). Mise à jour
    conditionnelle (« encore soumis ») : renvoyé, retiré, adopté ou abandonné
    entre-temps, `ConflitStrategie` et rien n'est écrit."""
    _exiger(utilisateur, strategie.quartier)
    exiger_un_brouillon(strategie)
    if strategie.soumise_le is None:
        raise ConflitStrategie(PAS_SOUMIS)
    retiree = StrategieDeChangement.objects.filter(
        pk=strategie.pk, statut=StatutStrategie.BROUILLON, soumise_le__isnull=False
    ).update(soumise_le=None, soumise_par=None)
    if not retiree:
        encore = StrategieDeChangement.objects.filter(
            pk=strategie.pk, statut=StatutStrategie.BROUILLON
        ).exists()
        raise ConflitStrategie(PAS_SOUMIS if encore else CONFLIT_D_ADOPTION)
    strategie.soumise_le, strategie.soumise_par = None, None
    return strategie


def renvoyer_brouillon(
    *, utilisateur, strategie: StrategieDeChangement, motif: str
) -> StrategieDeChangement:
    """L'évaluation renvoie à la coordination le brouillon soumis, avec un motif qu'elle lit sur
    le brouillon, et qu'elle peut de nouveau modifier puis soumettre. L'évaluation et
    l'administration seulement (403); motif obligatoire (400). Mise à jour conditionnelle
    (« encore soumis ») : renvoyé, retiré, adopté ou abandonné entre-temps,
    `ConflitStrategie`."""
    _exiger_d_examiner(utilisateur, strategie.quartier)
    exiger_un_brouillon(strategie)
    motif = texte_saisi(motif)
    if not motif:
        raise ValidationError({"motif": _("Dites à la coordination pourquoi vous le renvoyez.")})
    maintenant = timezone.now()
    renvoyee = StrategieDeChangement.objects.filter(
        pk=strategie.pk, statut=StatutStrategie.BROUILLON, soumise_le__isnull=False
    ).update(soumise_le=None, renvoyee_le=maintenant, renvoyee_par=utilisateur, motif_renvoi=motif)
    if not renvoyee:
        raise ConflitStrategie(CONFLIT_DE_RENVOI)
    strategie.soumise_le = None
    strategie.renvoyee_le, strategie.renvoyee_par = maintenant, utilisateur
    strategie.motif_renvoi = motif
    avis_strategie.annoncer(avis_strategie.RENVOYEE, strategie.pk, utilisateur.pk)
    return strategie


def brouillons_soumis(utilisateur) -> list[StrategieDeChangement]:
    """Les brouillons soumis à l'évaluation, les plus anciens d'abord, avec leur quartier et
    qui les a soumis (la page des propositions). Une requête; vide pour qui n'examine pas."""
    if not gere_les_strategies(utilisateur):
        return []
    return list(
        StrategieDeChangement.objects.soumises()
        .select_related("quartier", "soumise_par")
        .order_by("soumise_le", "pk")
    )


@transaction.atomic
def abandonner_brouillon(*, utilisateur, strategie: StrategieDeChangement) -> None:
    """Supprime le brouillon et ses copies (changements, liens, leurs indicateurs et actions);
    les actions elles-mêmes et les autres versions ne changent pas. Soumis à l'évaluation, la
    coordination ne l'abandonne plus (`ConflitStrategie`) avant son renvoi."""
    _exiger(utilisateur, strategie.quartier)
    _verrouiller(strategie, utilisateur).delete()
