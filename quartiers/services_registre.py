"""Le registre des partenaires d'une table, tenu par sa coordination : inscrire un partenaire
(déjà connu ou nouveau) avec sa participation, modifier une participation (rôle, début, fin :
un départ), modifier la fiche d'un partenaire.

Les mêmes fonctions pour les pages (`quartiers.views_registre`) et, plus tard, l'API : droit de
saisir sur le quartier (`quartiers.acces`), `ValidationError` par champ (mêmes noms que les
formulaires), tout ou rien (`transaction.atomic`). Les indicateurs calculés (partenaires actifs,
secteurs, diversité, acteurs d'influence) se lisent dans ce registre : rien à recalculer ici.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Lower
from django.http import Http404
from django.utils import formats
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from evalpic.empreintes import empreinte
from evalpic.textes import texte_saisi
from quartiers.acces import Droit, exiger_le_droit, quartiers_accessibles
from quartiers.models import Partenaire, Participation, Quartier, Secteur, TableDeQuartier

REFUS_DU_REGISTRE = _("Seule la coordination de la table tient le registre de ses partenaires.")
REFUS_FICHE_PARTAGEE = _(
    "Ce partenaire siège aussi à une table que vous ne coordonnez pas : seule l'administration "
    "peut modifier sa fiche. Vous pouvez modifier sa participation à votre table."
)


@dataclass(frozen=True)
class DonneesPartenaire:
    """La fiche d'un partenaire : nom, secteur, acteur d'influence, site web."""

    nom: str
    secteur: Secteur
    acteur_influence: bool = False
    site_web: str = ""


# --- Lectures utiles aux formulaires ----------------------------------------------------------


def partenaires_visibles(utilisateur) -> QuerySet[Partenaire]:
    """Les partenaires qu'on peut choisir : ceux qui siègent à une table visible (la règle de
    l'API, `quartiers.api.PartenaireViewSet`) — rien n'est révélé d'une autre table."""
    tables = Participation.objects.filter(
        table__quartier__in=quartiers_accessibles(utilisateur, Droit.VOIR)
    )
    return Partenaire.objects.filter(pk__in=tables.values("partenaire_id"))


def fiche_modifiable(utilisateur, partenaire: Partenaire) -> bool:
    """Vrai si `utilisateur` peut saisir dans chaque quartier où `partenaire` siège : sa fiche
    (secteur, acteur d'influence) compte dans les indicateurs de toutes ses tables.

    Sauf les tables qui l'ont inscrit par son nom sans le voir (`_partenaire_du_nom`) : elles
    ont pris sa fiche telle quelle, et leur participation ne retire pas la fiche à qui la tenait
    (taper le nom d'un partenaire de B ne doit pas interdire à la coordination de B de corriger
    sa fiche). S'il ne siège plus qu'à des tables de ce genre, toutes comptent. Une requête."""
    saisissables = quartiers_accessibles(utilisateur, Droit.SAISIR)
    participations = partenaire.participations.all()
    qui_comptent = Q(inscrit_par_son_nom=False) | ~Exists(
        Participation.objects.filter(partenaire=OuterRef("partenaire"), inscrit_par_son_nom=False)
    )
    return (
        not participations.filter(qui_comptent)
        .exclude(table__quartier__in=saisissables)
        .values("pk")
        .exists()
    )


def _vu_ailleurs_que_par_son_nom(utilisateur, partenaire: Partenaire) -> bool:
    """Vrai si `utilisateur` voit `partenaire` siéger à une table autrement que par une
    inscription par son nom. Celle-ci le rend visible (`partenaires_visibles`) sans donner à sa
    table la fiche : sans cette règle, une deuxième inscription à la même table (un nouveau
    mandat, le nom tapé de nouveau ou choisi dans la liste où il paraît maintenant) n'était plus
    marquée, et la coordination de sa table perdait de nouveau le droit de corriger sa fiche."""
    return Participation.objects.filter(
        partenaire=partenaire,
        inscrit_par_son_nom=False,
        table__quartier__in=quartiers_accessibles(utilisateur, Droit.VOIR),
    ).exists()


def table_du_quartier(quartier: Quartier) -> TableDeQuartier:
    """La table de `quartier`; 404 s'il n'en a pas (l'administration le permet) : pas de
    registre sans table."""
    try:
        return quartier.table
    except TableDeQuartier.DoesNotExist as absente:
        raise Http404(gettext("Ce quartier n'a pas de table.")) from absente


# --- Règles -----------------------------------------------------------------------------------


def _message_de_la_contrainte(nom: str) -> str:
    contrainte = next(c for c in Participation._meta.constraints if c.name == nom)
    return str(contrainte.violation_error_message)


def _erreurs_par_champ(erreur: ValidationError, champ_des_contraintes: str) -> dict:
    """Les erreurs de `full_clean`, celles des contraintes (sans champ) placées à côté de
    `champ_des_contraintes`."""
    erreurs = dict(erreur.message_dict)
    generales = erreurs.pop(NON_FIELD_ERRORS, [])
    if generales:
        erreurs[champ_des_contraintes] = erreurs.get(champ_des_contraintes, []) + generales
    return erreurs


def _verifier_participation(participation: Participation) -> None:
    """Les règles du modèle (`fin` après `debut` : sa contrainte et son message; des dates entre
    1900 et quelques années après aujourd'hui : `Participation.clean`), puis le
    chevauchement : un partenaire n'a qu'une participation à la fois à une table."""
    try:
        participation.full_clean(exclude=["partenaire", "table"], validate_unique=False)
    except ValidationError as erreur:
        raise ValidationError(_erreurs_par_champ(erreur, "fin")) from erreur
    fin = participation.fin or datetime.date.max
    chevauche = (
        Participation.objects.filter(
            partenaire_id=participation.partenaire_id, table_id=participation.table_id
        )
        .exclude(pk=participation.pk)
        .select_related("partenaire")
        .actives_entre(participation.debut, fin)
        .order_by("debut")
        .first()
    )
    if chevauche:
        raise ValidationError({"debut": [_message_de_chevauchement(chevauche)]})


def _message_de_chevauchement(autre: Participation) -> str:
    debut = formats.date_format(autre.debut, "SHORT_DATE_FORMAT")
    if autre.fin is None:
        return gettext(
            "%(partenaire)s participe déjà à cette table depuis le %(debut)s, sans date de fin : "
            "modifiez cette participation (sa fin) plutôt que d'en ajouter une qui la chevauche."
        ) % {"partenaire": autre.partenaire.nom, "debut": debut}
    return gettext(
        "%(partenaire)s participe déjà à cette table du %(debut)s au %(fin)s : les deux "
        "périodes se chevauchent."
    ) % {
        "partenaire": autre.partenaire.nom,
        "debut": debut,
        "fin": formats.date_format(autre.fin, "SHORT_DATE_FORMAT"),
    }


def _enregistrer_partenaire(partenaire: Partenaire) -> None:
    """Valide la fiche (nom unique sans égard à la casse, adresse du site) et l'écrit; le nom
    déjà pris, même par une écriture concurrente, se dit à côté du champ `nom`."""
    try:
        partenaire.full_clean(exclude=["secteur"])
        with transaction.atomic():
            partenaire.save()
    except ValidationError as erreur:
        raise ValidationError(_erreurs_par_champ(erreur, "nom")) from erreur
    except IntegrityError as erreur:
        message = next(
            c.violation_error_message
            for c in Partenaire._meta.constraints
            if c.name == "partenaire_nom_unique_insensible_casse"
        )
        raise ValidationError({"nom": [str(message)]}) from erreur


def _partenaire_du_nom(auteur, nouveau: DonneesPartenaire) -> tuple[Partenaire, bool]:
    """Le partenaire de ce nom (sans égard à la casse) s'il est déjà au registre, sinon un
    nouveau, écrit; et vrai si c'est un partenaire existant que l'auteur ne voyait pas (ou ne
    voyait que par une inscription par son nom, `_vu_ailleurs_que_par_son_nom`). Une
    organisation siège souvent à plusieurs tables : celle qui ne siège qu'à une table qu'on ne
    voit pas n'est pas dans la liste (`partenaires_visibles`), mais son nom l'inscrit à la
    sienne, avec sa fiche existante (protégée par `fiche_modifiable`, qui ne compte pas cette
    participation); le refuser laissait la coordination sans issue."""
    nom = texte_saisi(nouveau.nom)
    existant = _partenaire_verrouille_du_nom(nom)
    if existant is None:
        partenaire = Partenaire(
            nom=nom,
            secteur=nouveau.secteur,
            acteur_influence=nouveau.acteur_influence,
            site_web=nouveau.site_web,
        )
        try:
            _enregistrer_partenaire(partenaire)
        except ValidationError:
            # Le même nouveau partenaire inscrit au même instant à une autre table : son nom,
            # introuvable à la lecture, est pris à l'écriture. C'est ce partenaire-là, comme si
            # l'autre table l'avait inscrit juste avant; toute autre erreur reste une erreur.
            existant = _partenaire_verrouille_du_nom(nom)
            if existant is None:
                raise
        else:
            return partenaire, False
    return existant, not _vu_ailleurs_que_par_son_nom(auteur, existant)


def _partenaire_verrouille_du_nom(nom: str) -> Partenaire | None:
    """Le partenaire de ce nom, verrouillé : l'égalité de l'index d'unicité
    (`partenaire_nom_unique_insensible_casse`, `Lower("nom")`), pour trouver celui qui le
    prend."""
    return (
        Partenaire.objects.select_for_update()
        .alias(nom_minuscule=Lower("nom"))
        .filter(nom_minuscule=Lower(Value(nom)))
        .first()
    )


def fiche_gardee_autre_que_la_saisie(nouveau: DonneesPartenaire | None, partenaire) -> bool:
    """Vrai si `nouveau` a inscrit un partenaire déjà au registre (`_partenaire_du_nom`) dont
    la fiche gardée diffère de ce qui a été saisi (secteur, acteur d'influence, site web) : la
    coordination doit le savoir, ses indicateurs se calculent sur la fiche existante."""
    if nouveau is None:
        return False
    saisie = (nouveau.secteur.pk, nouveau.acteur_influence, nouveau.site_web or "")
    return saisie != (partenaire.secteur_id, partenaire.acteur_influence, partenaire.site_web)


# --- Écritures --------------------------------------------------------------------------------


@transaction.atomic
def inscrire_partenaire(
    *,
    auteur,
    quartier: Quartier,
    role: str,
    debut: datetime.date,
    fin: datetime.date | None = None,
    partenaire: Partenaire | None = None,
    nouveau: DonneesPartenaire | None = None,
) -> Participation:
    """Inscrit au registre de la table de `quartier` un partenaire déjà connu (`partenaire`,
    visible de l'auteur) ou `nouveau` (un nom déjà au registre inscrit ce partenaire-là,
    `_partenaire_du_nom`), avec sa participation. Droit de saisir sur le quartier (404 s'il
    est invisible, 403 sinon). `ValidationError` par champ : ni l'un ni l'autre ou les deux,
    fin avant le début, participation qui en chevauche une autre du
    même partenaire à cette table. Tout ou rien : un nouveau partenaire refusé n'est pas écrit."""
    exiger_le_droit(auteur, Droit.SAISIR, quartier, refus=str(REFUS_DU_REGISTRE))
    table = table_du_quartier(quartier)
    if (partenaire is None) == (nouveau is None):
        message = gettext(
            "Choisissez un partenaire déjà inscrit ou donnez le nom d'un nouveau, pas les deux."
        )
        raise ValidationError({"partenaire": [message], "nom": [message]})
    if partenaire is not None:
        # Verrouillé : deux inscriptions simultanées du même partenaire ne se chevauchent pas.
        partenaire = (
            partenaires_visibles(auteur).select_for_update().filter(pk=partenaire.pk).first()
        )
        if partenaire is None:
            raise ValidationError({"partenaire": [gettext("Ce partenaire est introuvable.")]})
        # Dans la liste par une inscription par son nom seulement : marqué de même.
        par_son_nom = not _vu_ailleurs_que_par_son_nom(auteur, partenaire)
    else:
        partenaire, par_son_nom = _partenaire_du_nom(auteur, nouveau)
    participation = Participation(
        partenaire=partenaire,
        table=table,
        role=role,
        debut=debut,
        fin=fin,
        inscrit_par_son_nom=par_son_nom,
    )
    _verifier_participation(participation)
    participation.save()
    return participation


@transaction.atomic
def modifier_participation(
    *,
    auteur,
    participation: Participation,
    role: str,
    debut: datetime.date,
    fin: datetime.date | None = None,
    version: str | None = None,
) -> Participation:
    """Change le rôle, le début ou la fin (le départ du partenaire) d'une participation. Droit
    de saisir sur le quartier de sa table; mêmes règles qu'à l'inscription.

    `version` : l'`empreinte_de_la_participation` à l'ouverture du formulaire. Si elle a changé
    depuis (une autre personne, ou un autre onglet, a noté un départ), rien n'est écrit :
    `ConflitRegistre`, avec la participation telle qu'elle est maintenant. Sauf si elle porte
    déjà ce qui est envoyé (un double envoi) : rien à écrire, c'est réussi. Sans `version`,
    l'envoi remplace ce qui est enregistré. Rend la participation écrite (ou déjà telle)."""
    quartier = participation.table.quartier
    exiger_le_droit(auteur, Droit.SAISIR, quartier, refus=str(REFUS_DU_REGISTRE))
    Partenaire.objects.select_for_update().filter(pk=participation.partenaire_id).first()
    # Verrouillée seule, sans jointure : PostgreSQL relit la ligne que changeait l'écriture
    # attendue, mais pas les lignes jointes; une fiche jointe à son secteur, changé par
    # l'autre envoi, ne se retrouvait plus (404 au lieu de 409).
    actuelle = Participation.objects.select_for_update().filter(pk=participation.pk).first()
    if actuelle is None:
        raise Http404(gettext("Participation introuvable."))
    if version is not None and empreinte_de_la_participation(actuelle) != version:
        if (actuelle.role, actuelle.debut, actuelle.fin) == (role, debut, fin):
            return actuelle  # déjà enregistrée ainsi : le même envoi, deux fois
        raise ConflitRegistre(actuelle)
    actuelle.role, actuelle.debut, actuelle.fin = role, debut, fin
    _verifier_participation(actuelle)
    actuelle.save(update_fields=["role", "debut", "fin"])
    participation.role, participation.debut, participation.fin = role, debut, fin
    return actuelle


@transaction.atomic
def modifier_partenaire(
    *,
    auteur,
    quartier: Quartier,
    partenaire: Partenaire,
    donnees: DonneesPartenaire,
    version: str | None = None,
) -> Partenaire:
    """Modifie la fiche d'un partenaire qui siège à la table de `quartier`. Sa fiche compte
    dans les indicateurs de chacune de ses tables : il faut le droit de saisir sur chacune
    (`fiche_modifiable`), sinon 403 (l'administration le peut toujours).

    `version` : l'`empreinte_de_la_fiche` à l'ouverture du formulaire; la même garde que
    `modifier_participation` (`ConflitRegistre`, rien d'écrit; un double envoi réussit)."""
    exiger_le_droit(auteur, Droit.SAISIR, quartier, refus=str(REFUS_DU_REGISTRE))
    if not fiche_modifiable(auteur, partenaire):
        raise PermissionDenied(str(REFUS_FICHE_PARTAGEE))
    # Verrouillé seul, sans jointure (voir `modifier_participation`).
    actuel = Partenaire.objects.select_for_update().filter(pk=partenaire.pk).first()
    if actuel is None:
        raise Http404(gettext("Partenaire introuvable."))
    voulu = {
        "nom": texte_saisi(donnees.nom),
        "secteur": donnees.secteur,
        "acteur_influence": donnees.acteur_influence,
        "site_web": donnees.site_web or "",
    }
    if version is not None and empreinte_de_la_fiche(actuel) != version:
        if _contenu_de_la_fiche(actuel) == _contenu_de_la_fiche(Partenaire(**voulu)):
            return actuel  # déjà enregistrée ainsi : le même envoi, deux fois
        raise ConflitRegistre(actuel)
    for champ, valeur in voulu.items():
        setattr(actuel, champ, valeur)
    _enregistrer_partenaire(actuel)
    for champ, valeur in voulu.items():
        setattr(partenaire, champ, valeur)
    return actuel


# --- Garde des modifications simultanées --------------------------------------------------------


class ConflitRegistre(Exception):
    """La participation ou la fiche a changé depuis l'ouverture du formulaire; rien n'a été
    écrit. `actuel` : telle qu'elle est enregistrée maintenant."""

    def __init__(self, actuel: Participation | Partenaire):
        self.actuel = actuel
        super().__init__(
            gettext("Quelqu'un a modifié ce registre depuis que vous avez ouvert la page.")
        )


def _jour(date: datetime.date | None) -> str | None:
    return date.isoformat() if date else None


def empreinte_de_la_participation(participation: Participation) -> str:
    """La version d'une participation, tirée de ce que sa page change (rôle, début, fin) : le
    formulaire la porte, cachée, et `modifier_participation` n'écrit pas sur une participation
    qui ne l'a plus (`evalpic.empreintes`)."""
    return empreinte([participation.role, _jour(participation.debut), _jour(participation.fin)])


def _contenu_de_la_fiche(partenaire: Partenaire) -> list:
    return [
        partenaire.nom,
        partenaire.secteur_id,
        partenaire.acteur_influence,
        partenaire.site_web or "",
    ]


def empreinte_de_la_fiche(partenaire: Partenaire) -> str:
    """La version de la fiche d'un partenaire (nom, secteur, acteur d'influence, site web),
    comme `empreinte_de_la_participation`."""
    return empreinte(_contenu_de_la_fiche(partenaire))
