"""Le circuit de la saisie trimestrielle : enregistrer un brouillon, soumettre, valider, renvoyer,
rouvrir. Partagé par les formulaires, l'import, l'API et les tâches : mêmes règles partout.

Chaque écriture est une transaction. La version de la saisie protège des écrasements
silencieux : une écriture faite sur une version périmée est refusée (`ConflitDeVersion`), avec
les valeurs actuelles pour les montrer. Chaque changement de valeur et chaque étape du circuit
s'inscrit dans l'historique (`EvenementSaisie`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, F, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from evalpic.dates import date_heure_longue
from evalpic.textes import texte_saisi
from indicateurs.avis import annoncer_apres_validation
from indicateurs.historique import consigner
from indicateurs.models import (
    Apprentissage,
    ChangementVise,
    EvenementSaisie,
    Indicateur,
    IndicateurSuivi,
    Periode,
    Saisie,
    StatutPeriode,
    StatutSaisie,
    TypeEvenement,
    Valeur,
)
from indicateurs.validation import (
    LONGUEUR_TEXTE_MAX,
    DonneeValeur,
    signaler_aberration,
    verifier_donnee,
)
from quartiers.acces import Droit, exiger_le_droit
from quartiers.models import Quartier, TableDeQuartier

MODIFIABLES = (StatutSaisie.BROUILLON, StatutSaisie.RENVOYEE)
LONGUEUR_MOTIF_MAX = 2000

# Le refus d'un enregistrement qui change les valeurs d'une saisie déjà soumise sans dire
# pourquoi (`motif_exige`), dit par le service (formulaire, API, import) et par le formulaire.
MOTIF_DE_MODIFICATION_EXIGE = gettext_lazy(
    "Cette saisie a déjà été soumise : indiquez la raison de la modification. Elle "
    "s'inscrit dans l'historique, à côté de chaque valeur changée."
)


class ConflitDeVersion(Exception):
    """La saisie a changé depuis que la personne l'a ouverte; rien n'a été enregistré. `renvoi` :
    le renvoi ou la réouverture inscrits depuis (`renvoi_depuis`), que le message explique."""

    def __init__(
        self,
        saisie: Saisie,
        valeurs_actuelles: dict[int, DonneeValeur],
        renvoi: EvenementSaisie | None = None,
    ):
        self.saisie = saisie
        self.valeurs_actuelles = valeurs_actuelles
        self.renvoi = renvoi
        super().__init__(
            message_renvoi(renvoi)
            if renvoi
            else _("Quelqu'un d'autre a modifié cette saisie pendant que vous la remplissiez.")
        )


@dataclass(frozen=True)
class DonneeApprentissage:
    categorie: str
    texte_fr: str = ""
    texte_en: str = ""
    indicateur_id: int | None = None


@dataclass
class Enregistrement:
    """Ce qu'un enregistrement a changé, et les valeurs inhabituelles à commenter."""

    saisie: Saisie
    modifications: int = 0
    avertissements: dict[int, str] = field(default_factory=dict)


# --- Accès --------------------------------------------------------------------------------------


def exiger_droit(utilisateur, droit: Droit, table: TableDeQuartier) -> None:
    """404 si le quartier est invisible pour la personne; 403 si elle le voit sans avoir ce droit."""
    exiger_le_droit(utilisateur, droit, table.quartier, introuvable=_("Saisie introuvable."))


# --- Lectures utiles aux règles -----------------------------------------------------------------


def indicateurs_a_saisir(table: TableDeQuartier) -> list[Indicateur]:
    """Les indicateurs que la table saisit (`suivi_a_saisir`), dans l'ordre du catalogue."""
    suivis = (
        IndicateurSuivi.objects.filter(quartier_id=table.quartier_id)
        .a_saisir()
        .select_related("indicateur")
    )
    return sorted((s.indicateur for s in suivis), key=lambda i: (i.famille, i.code))


def donnee_de(valeur: Valeur) -> DonneeValeur:
    return DonneeValeur(
        valeur=valeur.valeur_numerique,
        texte=valeur.valeur_texte,
        non_disponible=valeur.non_disponible,
        raison=valeur.raison_non_disponible,
        commentaire=valeur.commentaire,
        preuve_url=valeur.preuve_url,
    )


def decrire(donnee: DonneeValeur | None) -> str:
    """La donnée en une ligne lisible, pour les conflits (l'historique garde la donnée :
    indicateurs.historique)."""
    if donnee is None or (donnee.est_vide and not donnee.commentaire):
        return ""
    if donnee.non_disponible:
        resume = _("non disponible (%(raison)s)") % {"raison": donnee.raison}
    elif donnee.valeur is not None:
        resume = f"{donnee.valeur.normalize():f}"
    else:
        resume = donnee.texte
    if donnee.commentaire:
        resume += " — " + _("commentaire : %(commentaire)s") % {"commentaire": donnee.commentaire}
    return resume


# --- Création et verrou optimiste ---------------------------------------------------------------


def saisie_pour(
    *, table: TableDeQuartier, periode: Periode, auteur=None, periode_fermee_permise: bool = False
) -> Saisie:
    """La saisie de la table pour la période, créée au besoin (`ouvrir_saisie`)."""
    return ouvrir_saisie(
        table=table, periode=periode, auteur=auteur, periode_fermee_permise=periode_fermee_permise
    )[0]


def ouvrir_saisie(
    *, table: TableDeQuartier, periode: Periode, auteur=None, periode_fermee_permise: bool = False
) -> tuple[Saisie, bool]:
    """La saisie de la table pour la période, et si cet appel vient de la créer (en brouillon)
    avec son événement « création » : les deux ensemble ou rien. Deux appels au même instant
    (un client d'API qui réessaie) : la contrainte d'unicité n'en laisse passer qu'un, l'autre
    attend sa fin et rend la saisie qu'il a créée, avec False — un seul « créée ». Une période
    fermée rend la saisie qui y existe, mais n'en crée plus (`periode_permise`), sauf
    `periode_fermee_permise` : l'import reprend aussi les périodes fermées. Jamais dans une
    période à venir."""
    fermee = periode.statut_du_jour() == StatutPeriode.FERMEE and not periode_fermee_permise
    if fermee and (existante := Saisie.objects.filter(table=table, periode=periode).first()):
        return existante, False
    _exiger_periode(periode, None, fermee_permise=periode_fermee_permise)
    with transaction.atomic():
        saisie, creee = Saisie.objects.get_or_create(table=table, periode=periode)
        if creee:
            EvenementSaisie.objects.create(
                saisie=saisie, type_evenement=TypeEvenement.CREATION, auteur=auteur, version=1
            )
    return saisie, creee


def _prendre_la_version(saisie: Saisie, version: int) -> None:
    """Passe la saisie à la version suivante si elle est encore à `version` (mise à jour
    conditionnelle : deux écritures concurrentes ne peuvent pas réussir toutes les deux)."""
    pris = Saisie.objects.filter(pk=saisie.pk, version=version).update(
        version=F("version") + 1, updated_at=timezone.now()
    )
    if not pris:
        actuelles = {v.indicateur_id: donnee_de(v) for v in saisie.valeurs.all()}
        saisie.refresh_from_db()
        raise ConflitDeVersion(saisie, actuelles)
    saisie.version = version + 1


def renvoi_depuis(saisie: Saisie, version: int) -> EvenementSaisie | None:
    """Le dernier renvoi ou la dernière réouverture de `saisie` inscrits après sa version
    `version` (celle d'un formulaire ouvert alors), avec son auteur·e; None s'il n'y en a pas.
    Un formulaire ouvert avant ne sait rien du motif : ce qu'il envoie ne se soumet pas sans
    que la personne l'ait lu. Une requête."""
    return (
        saisie.evenements.filter(
            type_evenement__in=[TypeEvenement.RENVOI, TypeEvenement.REOUVERTURE],
            version__gt=version,
        )
        .select_related("auteur")
        .order_by("-version", "-pk")
        .first()
    )


def message_renvoi(evenement: EvenementSaisie) -> str:
    """Ce qu'on dit à qui envoie des données (formulaire, API) préparées avant un renvoi ou une
    réouverture (`renvoi_depuis`) : par qui, quand, avec quel motif; rien n'est écrit ni soumis."""
    if evenement.type_evenement == TypeEvenement.REOUVERTURE:
        modele = _(
            "Cette saisie a été rouverte le %(quand)s par %(qui)s pendant que vous la remplissiez,"
            " avec ce motif : « %(motif)s ». Rien de ce que vous venez d'envoyer n'a été"
            " enregistré ni soumis : relisez-la à la lumière de ce motif avant de la soumettre."
        )
    else:
        modele = _(
            "Cette saisie a été renvoyée à la table le %(quand)s par %(qui)s pendant que vous la"
            " remplissiez, avec ce motif : « %(motif)s ». Rien de ce que vous venez d'envoyer"
            " n'a été enregistré ni soumis : relisez-la à la lumière de ce motif avant de la"
            " soumettre."
        )
    return modele % {
        "quand": date_heure_longue(evenement.created_at),
        "qui": evenement.auteur or _("une personne dont le compte n'existe plus"),
        "motif": evenement.motif,
    }


def deja_soumise(*, saisie: Saisie, auteur, version: int) -> bool:
    """`auteur` a déjà soumis `saisie` telle qu'elle était à sa version `version` : elle est
    soumise par lui ou elle, et rien d'autre que cette soumission ne s'est inscrit depuis (un
    client qui réessaie après une réponse perdue, un second clic). Soumettre de nouveau ne
    ferait rien : c'est fait. Au plus une requête."""
    if saisie.statut != StatutSaisie.SOUMISE or saisie.soumise_par_id != auteur.pk:
        return False
    if version == saisie.version:
        return True
    depuis = saisie.evenements.filter(version__gt=version).values_list(
        "type_evenement", "auteur_id", "version"
    )
    return list(depuis) == [(TypeEvenement.SOUMISSION, auteur.pk, saisie.version)]


# Le statut où chaque décision de l'évaluation laisse la saisie.
STATUT_APRES = {
    TypeEvenement.VALIDATION: StatutSaisie.VALIDEE,
    TypeEvenement.RENVOI: StatutSaisie.RENVOYEE,
    TypeEvenement.REOUVERTURE: StatutSaisie.RENVOYEE,
}


def deja_decidee(*, saisie: Saisie, auteur, version: int, evenement: str, motif: str = "") -> bool:
    """`auteur` a déjà pris cette décision (`evenement` : validation, renvoi, réouverture) sur
    `saisie` telle qu'elle était à sa version `version`, avec ce `motif` : elle est seule
    inscrite depuis (un second clic, un client qui réessaie après une réponse perdue), ou, si
    `version` est l'actuelle, c'est elle qui y a mené. La reprendre ne ferait rien : c'est fait.
    Un autre motif, une autre personne ou une autre décision : ce n'est pas la même, la saisie a
    changé (`ConflitDeVersion`). Au plus une requête."""
    if saisie.statut != STATUT_APRES[evenement] or not 0 < version <= saisie.version:
        return False
    depuis = saisie.evenements.filter(version__gt=min(version, saisie.version - 1))
    return list(depuis.values_list("type_evenement", "auteur_id", "version", "motif")) == [
        (evenement, auteur.pk, saisie.version, texte_saisi(motif))
    ]


def _verrouiller(saisie: Saisie) -> Saisie:
    """La saisie relue sous son verrou de ligne, jusqu'à la fin de la transaction : les étapes
    du circuit et les corrections d'un apprentissage de la saisie passent une à une, chacune
    sur ce que la précédente a écrit."""
    return Saisie.objects.select_for_update().get(pk=saisie.pk)


def _exiger_la_version(saisie: Saisie, version: int) -> None:
    """Sous le verrou (`_verrouiller`), avant la règle du statut : qui décide sur une version
    périmée (une autre personne a décidé entre-temps) apprend que la saisie a changé
    (`ConflitDeVersion` : 409 sur la page, 412 à l'API), pas que son statut ne le permet plus."""
    if saisie.version != version:
        actuelles = {v.indicateur_id: donnee_de(v) for v in saisie.valeurs.all()}
        raise ConflitDeVersion(saisie, actuelles)


def _exiger_statut(saisie: Saisie, statuts: Iterable[str], message: str) -> None:
    if saisie.statut not in statuts:
        raise ValidationError(message)


def periode_permise(periode: Periode, statut: str | None, *, soumission: bool = False) -> bool:
    """La règle de la fermeture, écrite une fois (README, « Saisie trimestrielle ») : la
    fermeture d'une période arrête la saisie ordinaire — créer ou modifier un brouillon par le
    formulaire ou l'API —, pas ce qui doit encore aboutir. Une saisie renvoyée ou rouverte par
    l'évaluation se corrige et se soumet de nouveau même après la fermeture, et une saisie
    existante d'une période fermée (un historique importé, par exemple) peut toujours être
    soumise. Rien ne s'écrit ni ne se soumet dans une période à venir. Ouverte, fermée ou à
    venir ce jour-là (`Periode.statut_du_jour`) : selon le calendrier dès minuit, heure locale,
    sans attendre la tâche qui aligne le statut enregistré. `statut` : celui de la saisie
    existante (None : à créer); `soumission` : soumettre plutôt qu'écrire. Le statut lui-même
    (`MODIFIABLES`) se vérifie à part."""
    statut_periode = periode.statut_du_jour()
    if statut_periode == StatutPeriode.OUVERTE:
        return True
    if statut_periode != StatutPeriode.FERMEE or statut is None:
        return False
    return soumission or statut == StatutSaisie.RENVOYEE


def _exiger_periode(
    periode: Periode, statut: str | None, *, soumission: bool = False, fermee_permise: bool = False
) -> None:
    """`periode_permise`, ou une période fermée que l'appelant permet (l'import); sinon 400
    « periode »."""
    fermee = periode.statut_du_jour() == StatutPeriode.FERMEE
    if fermee_permise and fermee:
        return
    if periode_permise(periode, statut, soumission=soumission):
        return
    if fermee and statut == StatutSaisie.BROUILLON:
        message = _(
            "Cette période est fermée : ce brouillon ne se modifie plus, mais il peut encore "
            "être soumis tel quel."
        )
    else:
        message = _("Cette période n'est pas ouverte à la saisie.")
    raise ValidationError({"periode": [message]})


def saisie_modifiable(saisie: Saisie | None, periode: Periode) -> bool:
    """Le formulaire ou l'API peuvent-ils écrire dans cette saisie (à créer si None), droits
    à part : un statut modifiable, dans une période qui le permet (`periode_permise`)."""
    statut = saisie.statut if saisie else None
    return (statut is None or statut in MODIFIABLES) and periode_permise(periode, statut)


def motif_exige(statut: str | None) -> bool:
    """La règle de la raison d'une modification, écrite une fois (formulaire, API, import) :
    changer une valeur d'une saisie déjà soumise — renvoyée à la table ou rouverte (les deux la
    laissent « renvoyée ») : ses valeurs ont été vues par l'évaluation — se justifie, et la
    raison s'inscrit dans l'historique à côté de chaque valeur changée. Un brouillon n'a
    jamais été soumis (le circuit n'y revient pas) : le premier remplissage n'a rien à
    justifier. Un enregistrement qui ne change aucune valeur n'en demande pas. `statut` : celui
    de la saisie (None : à créer)."""
    return statut == StatutSaisie.RENVOYEE


def _motif_de_modification(motif: str) -> str:
    """La raison d'un enregistrement, nettoyée (`texte_saisi` : des caractères invisibles ne
    sont pas une raison), ou 400 « motif » si elle dépasse `LONGUEUR_MOTIF_MAX`."""
    motif = texte_saisi(motif)
    if len(motif) > LONGUEUR_MOTIF_MAX:
        raise ValidationError(
            {"motif": [_("Le motif dépasse %(max)s caractères.") % {"max": LONGUEUR_MOTIF_MAX}]}
        )
    return motif


def saisie_soumettable(saisie: Saisie | None, periode: Periode) -> bool:
    """Cette saisie peut-elle être soumise, droits et valeurs manquantes à part."""
    return (
        saisie is not None
        and saisie.statut in MODIFIABLES
        and periode_permise(periode, saisie.statut, soumission=True)
    )


# --- Enregistrer un brouillon -------------------------------------------------------------------


def enregistrer_saisie(
    *,
    saisie: Saisie | None = None,
    table: TableDeQuartier | None = None,
    periode: Periode | None = None,
    auteur,
    version: int,
    donnees: Mapping[int, DonneeValeur],
    apprentissages: Iterable[DonneeApprentissage] = (),
    motif: str = "",
    periode_fermee_permise: bool = False,
) -> Enregistrement:
    """Enregistre les valeurs (clé : id d'indicateur) et les apprentissages d'une saisie
    modifiable : `saisie`, ou celle de `table` pour `periode`, alors créée au besoin dans la
    même transaction. Tout ou rien : la moindre erreur lève `ValidationError` (clés
    « <id>.<partie> ») et n'écrit rien, pas même la saisie à créer. Refuse d'écrire hors
    d'une période ouverte (formulaire, API), sauf `periode_fermee_permise` : l'import reprend
    aussi les périodes fermées, jamais une période à venir; une saisie renvoyée s'y corrige
    aussi par le formulaire ou l'API (`periode_permise`). `motif` : la raison, inscrite à
    côté de chaque valeur changée; obligatoire pour changer une valeur d'une saisie déjà
    soumise (`motif_exige`), sinon 400 « motif ». Renvoie la saisie, le nombre de valeurs
    changées et les valeurs inhabituelles."""
    if saisie is None and (table is None or periode is None):
        raise TypeError("enregistrer_saisie : donnez `saisie`, ou `table` et `periode`.")
    table = saisie.table if saisie else table
    periode = saisie.periode if saisie else periode
    exiger_droit(auteur, Droit.SAISIR, table)
    fermee = periode.statut_du_jour() == StatutPeriode.FERMEE
    if saisie is None and fermee and not periode_fermee_permise:
        saisie = Saisie.objects.filter(table=table, periode=periode).first()
    _exiger_periode(
        periode, saisie.statut if saisie else None, fermee_permise=periode_fermee_permise
    )
    motif = _motif_de_modification(motif)
    attendus = {i.pk: i for i in indicateurs_a_saisir(table)}
    _verifier_donnees(attendus, donnees)
    donnees = {pk: nettoyer(donnee) for pk, donnee in donnees.items()}
    with transaction.atomic():
        if saisie is None:
            saisie = saisie_pour(
                table=table,
                periode=periode,
                auteur=auteur,
                periode_fermee_permise=periode_fermee_permise,
            )
        _prendre_la_version(saisie, version)
        saisie.refresh_from_db(fields=["statut"])
        _exiger_statut(
            saisie,
            MODIFIABLES,
            _("Cette saisie est soumise ou validée : elle n'est plus modifiable."),
        )
        # Le statut relu sous la version prise : la règle de la période porte sur lui.
        _exiger_periode(periode, saisie.statut, fermee_permise=periode_fermee_permise)
        modifications = _ecrire_valeurs(saisie, auteur, donnees, motif)
        _ajouter_apprentissages(saisie, auteur, apprentissages)
    return Enregistrement(saisie, modifications, valeurs_inhabituelles(saisie, donnees))


def valeurs_inhabituelles(saisie: Saisie, donnees: Mapping[int, DonneeValeur]) -> dict[int, str]:
    """Les valeurs de `donnees` loin de la série de la table (`signaler_aberration`), par id
    d'indicateur : à confirmer d'un commentaire. Une requête."""
    series = Valeur.objects.series_precedentes(saisie.table, saisie.periode, donnees)
    return {
        pk: message
        for pk, donnee in donnees.items()
        if (message := signaler_aberration(series.get(pk, []), donnee.valeur))
    }


def _verifier_donnees(attendus: dict[int, Indicateur], donnees: Mapping[int, DonneeValeur]) -> None:
    erreurs: dict[str, list[str]] = {}
    for pk, donnee in donnees.items():
        indicateur = attendus.get(pk)
        if indicateur is None:
            erreurs[f"{pk}.valeur"] = [_("Cet indicateur n'est pas saisi par cette table.")]
            continue
        for partie, messages in verifier_donnee(indicateur.unite, donnee).items():
            erreurs[f"{pk}.{partie}"] = messages
    if erreurs:
        raise ValidationError(erreurs)


def nettoyer(donnee: DonneeValeur) -> DonneeValeur:
    """La donnée telle qu'elle s'enregistre, une fois pour la comparer à l'enregistrée, la
    décrire dans l'historique et l'écrire : renvoyer les mêmes données ne change rien et
    n'ajoute aucune ligne « 4 → 4 ». La raison d'une absence perd ses espaces autour; sans
    absence, il n'y a pas de raison (`verifier_donnee` en refuse une tapée)."""
    return replace(donnee, raison=donnee.raison.strip() if donnee.non_disponible else "")


def donnee_inchangee(avant: DonneeValeur | None, donnee: DonneeValeur) -> bool:
    """Écrire `donnee` (nettoyée, `nettoyer`) sur `avant` (l'enregistrée, ou None) ne
    changerait rien : aucune ligne d'historique, aucune modification comptée."""
    return avant == donnee or (avant is None and donnee.est_vide and not donnee.commentaire)


def rien_a_ecrire(
    *,
    saisie: Saisie,
    quartier_id: int,
    auteur,
    actuelles: Mapping[int, DonneeValeur],
    donnees: Mapping[int, DonneeValeur],
    apprentissages: Iterable[DonneeApprentissage] = (),
) -> bool:
    """Écrire `donnees` (déjà vérifiées) et `apprentissages` sur `saisie`, dont les valeurs
    enregistrées sont `actuelles`, ne changerait rien : chaque donnée, nettoyée, est celle
    enregistrée (`donnee_inchangee`), et chaque apprentissage est déjà écrit dans la saisie par
    cette personne (`apprentissages_a_ecrire`). Le même envoi répété (double clic, page
    renvoyée, client d'API qui réessaie après une réponse perdue) : la règle du formulaire et
    de l'API. Une requête s'il y a des apprentissages, aucune sinon."""
    return all(
        donnee_inchangee(actuelles.get(pk), nettoyer(donnee)) for pk, donnee in donnees.items()
    ) and not apprentissages_a_ecrire(
        saisie=saisie, quartier_id=quartier_id, auteur=auteur, apprentissages=apprentissages
    )


# --- Conflit : ce que chacun a changé depuis l'ouverture d'un formulaire ------------------------

# Les parties d'une donnée qui se fusionnent une à une, et leurs champs : la valeur (nombre,
# texte, ou absence et sa raison, qui ne vont pas l'une sans l'autre), le commentaire, la pièce.
PARTIES_FUSIONNEES = {
    "valeur": ("valeur", "texte", "non_disponible", "raison"),
    "commentaire": ("commentaire",),
    "preuve_url": ("preuve_url",),
}


def _parties(donnee: DonneeValeur | None) -> dict[str, str]:
    """Chaque partie de la donnée en un texte qui ne dépend ni de la langue de la page ni de la
    fin de ligne du navigateur (un textarea renvoie CR LF)."""
    donnee = nettoyer(donnee or DonneeValeur())

    def canonique(texte: str) -> str:
        return texte.replace("\r\n", "\n").strip()

    if donnee.non_disponible:
        valeur = "\0nd\0" + canonique(donnee.raison)
    elif donnee.valeur is not None:
        valeur = f"{donnee.valeur.normalize():f}"
    else:
        valeur = canonique(donnee.texte)
    return {
        "valeur": valeur,
        "commentaire": canonique(donnee.commentaire),
        "preuve_url": donnee.preuve_url.strip(),
    }


def _empreinte(texte: str) -> str:
    return hashlib.sha256(texte.encode()).hexdigest()[:12] if texte else ""


def empreintes(donnees: Mapping[int, DonneeValeur | None]) -> str:
    """Les données enregistrées à la version d'un formulaire, en empreintes courtes
    (« <id>.<partie>:<empreinte> » séparées d'espaces; une partie vide n'est pas écrite) : ce
    que le formulaire renvoie, caché, pour qu'un conflit sache quels champs la personne a
    changés (`fusionner`). Quelques kilo-octets pour les centaines de champs d'une saisie
    remplie, sans requête."""
    return " ".join(
        f"{pk}.{partie}:{empreinte}"
        for pk, donnee in donnees.items()
        for partie, texte in _parties(donnee).items()
        if (empreinte := _empreinte(texte))
    )


def lire_empreintes(texte: str) -> dict[str, str]:
    """`empreintes` relues (« <id>.<partie> » → empreinte); un morceau mal formé est ignoré."""
    lues = {}
    for morceau in (texte or "").split():
        cle, _deux_points, empreinte = morceau.partition(":")
        if empreinte:
            lues[cle] = empreinte
    return lues


@dataclass
class Fusion:
    """Un formulaire envoyé sur une version périmée, comparé à ce qui est enregistré : ses
    données avec les parties qu'il n'avait pas changées reprises de l'enregistrée (`donnees`),
    les indicateurs où une partie est reprise (`reprises`, id → parties) et ceux que les deux
    côtés ont changés différemment (`conflits`)."""

    donnees: dict[int, DonneeValeur]
    reprises: dict[int, list[str]] = field(default_factory=dict)
    conflits: list[int] = field(default_factory=list)


def fusionner(
    *,
    base: Mapping[str, str],
    vos_donnees: Mapping[int, DonneeValeur],
    actuelles: Mapping[int, DonneeValeur],
) -> Fusion:
    """La fusion à trois : `base` (les `empreintes` de la version du formulaire), les données
    du formulaire, celles enregistrées maintenant. Une partie que la personne n'a pas changée et
    que l'autre a changée est reprise; changée des deux côtés, et différemment, son indicateur
    est en conflit (la personne tranche); changée d'un seul côté par la personne, elle reste.
    Rien n'est écrit : le formulaire revient, prérempli, et enregistrer de nouveau garde les
    changements des deux."""
    fusion = Fusion(donnees={})
    for pk, donnee in vos_donnees.items():
        la_votre, l_autre = nettoyer(donnee), nettoyer(actuelles.get(pk) or DonneeValeur())
        vos_parties, ses_parties = _parties(la_votre), _parties(l_autre)
        reprises, conflit = [], False
        for partie in PARTIES_FUSIONNEES:
            avant = base.get(f"{pk}.{partie}", "")
            vous = _empreinte(vos_parties[partie]) != avant
            elle = _empreinte(ses_parties[partie]) != avant
            if elle and not vous:
                reprises.append(partie)
            elif elle and vous and vos_parties[partie] != ses_parties[partie]:
                conflit = True
        champs = [nom for partie in reprises for nom in PARTIES_FUSIONNEES[partie]]
        fusion.donnees[pk] = replace(la_votre, **{nom: getattr(l_autre, nom) for nom in champs})
        if reprises:
            fusion.reprises[pk] = reprises
        if conflit:
            fusion.conflits.append(pk)
    return fusion


def _ecrire_valeurs(saisie: Saisie, auteur, donnees: Mapping[int, DonneeValeur], motif: str) -> int:
    existantes = {v.indicateur_id: v for v in saisie.valeurs.all()}
    nouvelles, changees, evenements = [], [], []
    for pk, donnee in donnees.items():
        valeur = existantes.get(pk)
        avant = donnee_de(valeur) if valeur else None
        if donnee_inchangee(avant, donnee):
            continue
        valeur = valeur or Valeur(saisie=saisie, indicateur_id=pk)
        _appliquer(valeur, donnee)
        (changees if valeur.pk else nouvelles).append(valeur)
        evenements.append(
            EvenementSaisie(
                saisie=saisie,
                type_evenement=TypeEvenement.VALEUR,
                indicateur_id=pk,
                ancienne=consigner(avant),
                nouvelle=consigner(donnee),
                motif=motif,
                auteur=auteur,
                version=saisie.version,
            )
        )
    if evenements and not motif and motif_exige(saisie.statut):
        # Le statut relu sous la version prise; la transaction de l'appelant n'écrit rien.
        raise ValidationError({"motif": [str(MOTIF_DE_MODIFICATION_EXIGE)]})
    Valeur.objects.bulk_create(nouvelles)
    Valeur.objects.bulk_update(changees, [*CHAMPS_VALEUR, "updated_at"])
    EvenementSaisie.objects.bulk_create(evenements)
    return len(evenements)


CHAMPS_VALEUR = [
    "valeur_numerique",
    "valeur_texte",
    "non_disponible",
    "raison_non_disponible",
    "commentaire",
    "preuve_url",
]


def _appliquer(valeur: Valeur, donnee: DonneeValeur) -> None:
    """Écrit une donnée déjà `nettoyer`, telle quelle."""
    valeur.valeur_numerique = donnee.valeur
    valeur.valeur_texte = donnee.texte
    valeur.non_disponible = donnee.non_disponible
    valeur.raison_non_disponible = donnee.raison
    valeur.commentaire = donnee.commentaire
    valeur.preuve_url = donnee.preuve_url
    valeur.updated_at = timezone.now()


def _ajouter_apprentissages(saisie: Saisie, auteur, apprentissages) -> None:
    """Les apprentissages du formulaire de saisie : une ligne vide est une rubrique laissée en
    blanc (facultative), donc ignorée; les autres suivent la règle des rattachements. Rattachés
    à la saisie, ils ne paraissent ailleurs qu'une fois elle publiée (`Apprentissage.publies`)."""
    retenus = [a for a in apprentissages if texte_saisi(a.texte_fr) or texte_saisi(a.texte_en)]
    quartier_id = saisie.table.quartier_id
    if erreurs := _erreurs_de_rattachement(
        quartier_id, indicateur_ids=[a.indicateur_id for a in retenus]
    ):
        raise ValidationError(erreurs)
    # Le formulaire renvoyé tel quel (après un conflit de version, par exemple) n'écrit pas une
    # seconde fois un apprentissage déjà écrit dans cette saisie. La version de la saisie, prise
    # dans la même transaction, fait passer les écritures une à une.
    nouveaux = apprentissages_a_ecrire(
        saisie=saisie, quartier_id=quartier_id, auteur=auteur, apprentissages=retenus
    )
    Apprentissage.objects.bulk_create(nouveaux)


def apprentissages_a_ecrire(
    *, saisie: Saisie, quartier_id: int, auteur, apprentissages: Iterable[DonneeApprentissage]
) -> list[Apprentissage]:
    """Les apprentissages du formulaire de saisie (rubriques remplies) que `saisie` n'a pas
    encore (`_identite` : même personne, même rubrique, mêmes textes et rattachements), non
    enregistrés. Vide : les renvoyer n'écrirait rien (un double clic). Une requête s'il y en a."""
    candidats = [
        Apprentissage(
            quartier_id=quartier_id,
            periode_id=saisie.periode_id,
            saisie=saisie,
            categorie=a.categorie,
            texte_fr=a.texte_fr,
            texte_en=a.texte_en,
            indicateur_id=a.indicateur_id,
            auteur=auteur,
        )
        for a in apprentissages
        if texte_saisi(a.texte_fr) or texte_saisi(a.texte_en)
    ]
    if not candidats:
        return []
    deja = {_identite(a) for a in Apprentissage.objects.filter(saisie=saisie)}
    return [a for a in candidats if _identite(a) not in deja]


def _identite(apprentissage: Apprentissage) -> tuple:
    """Ce qui fait qu'un apprentissage est le même : deux fois ces champs par la même personne,
    c'est un envoi répété (double clic, client d'API qui réessaie), jamais deux apprentissages
    voulus. Le même texte écrit par deux personnes reste à chacune."""
    return (
        apprentissage.auteur_id,
        apprentissage.quartier_id,
        apprentissage.periode_id,
        apprentissage.saisie_id,
        apprentissage.categorie,
        apprentissage.indicateur_id,
        apprentissage.changement_id,
        apprentissage.texte_fr,
        apprentissage.texte_en,
    )


# --- Apprentissages -----------------------------------------------------------------------------


def _erreurs_de_rattachement(
    quartier_id: int,
    *,
    indicateur_ids: Iterable[int | None] = (),
    changement_ids: Iterable[int | None] = (),
) -> dict[str, list[str]]:
    """La règle, écrite une fois, des rattachements d'un apprentissage (formulaire de saisie,
    page d'ajout, API) : l'indicateur est un de ceux que le quartier suit (suivi actif), le
    changement visé appartient à une stratégie du quartier (quelle qu'en soit la version).
    Renvoie les erreurs par champ (« indicateur », « changement »); une requête par sorte de
    rattachement donnée, quel que soit le nombre d'apprentissages."""
    erreurs: dict[str, list[str]] = {}
    indicateurs = {pk for pk in indicateur_ids if pk is not None}
    if indicateurs and len(indicateurs) != (
        IndicateurSuivi.objects.filter(
            quartier_id=quartier_id, actif=True, indicateur_id__in=indicateurs
        ).count()
    ):
        erreurs["indicateur"] = [_("Ce quartier ne suit pas cet indicateur.")]
    changements = {pk for pk in changement_ids if pk is not None}
    if changements and len(changements) != (
        # Jamais celui d'un brouillon, qui peut être abandonné (`ChangementViseQuerySet.publies`).
        ChangementVise.objects.publies()
        .filter(strategie__quartier_id=quartier_id, pk__in=changements)
        .count()
    ):
        erreurs["changement"] = [
            _("Ce changement visé n'appartient pas à une stratégie de ce quartier.")
        ]
    return erreurs


# Le refus d'ajouter un apprentissage (403), dit par le service et par la page d'ajout.
REFUS_D_APPRENTISSAGE = gettext_lazy(
    "Vous n'avez pas le droit d'ajouter un apprentissage à ce quartier."
)


def ajouter_apprentissage(
    *,
    auteur,
    quartier,
    periode: Periode,
    categorie: str,
    texte_fr: str = "",
    texte_en: str = "",
    indicateur: Indicateur | None = None,
    changement: ChangementVise | None = None,
) -> Apprentissage:
    """Ajoute un apprentissage d'un quartier pour une période (droit de commenter : la
    coordination pour son quartier, le conseil pour ses quartiers, l'évaluation partout).
    404 si le quartier est invisible, 403 sans le droit; `ValidationError` par champ s'il n'a
    aucun texte, un texte de plus de `LONGUEUR_TEXTE_MAX` caractères (comme le formulaire), ou
    si l'indicateur ou le changement visé n'est pas de ce quartier. Le même apprentissage
    envoyé deux fois par la même personne (`_identite`) n'est écrit qu'une fois : le second
    envoi rend le premier."""
    exiger_le_droit(auteur, Droit.COMMENTER, quartier, refus=str(REFUS_D_APPRENTISSAGE))
    texte_fr, texte_en = verifier_apprentissage(
        quartier=quartier,
        periode=periode,
        texte_fr=texte_fr,
        texte_en=texte_en,
        indicateur=indicateur,
        changement=changement,
    )
    nouveau = Apprentissage(
        quartier=quartier,
        periode=periode,
        categorie=categorie,
        texte_fr=texte_fr,
        texte_en=texte_en,
        indicateur=indicateur,
        changement=changement,
        auteur=auteur,
    )
    with transaction.atomic():
        # Le même envoi deux fois (double clic, client qui réessaie) : le second attend le
        # premier sur la ligne du quartier, puis retrouve son apprentissage au lieu d'en écrire
        # un second.
        Quartier.objects.select_for_update().filter(pk=quartier.pk).first()
        for existant in Apprentissage.objects.filter(
            quartier=quartier,
            periode=periode,
            saisie=None,
            auteur=auteur,
            texte_fr=texte_fr,
            texte_en=texte_en,
        ):
            if _identite(existant) == _identite(nouveau):
                return existant
        nouveau.save()
    return nouveau


def verifier_apprentissage(
    *,
    quartier,
    periode: Periode,
    texte_fr: str,
    texte_en: str,
    indicateur: Indicateur | None,
    changement: ChangementVise | None,
) -> tuple[str, str]:
    """La validation d'un apprentissage ajouté ou modifié (`services_apprentissages`) : rend
    les textes nettoyés, ou lève une `ValidationError` par champ (aucun texte, texte trop long,
    période à venir, rattachement étranger au quartier). Un rattachement à `None` n'est pas
    vérifié."""
    texte_fr, texte_en = texte_saisi(texte_fr), texte_saisi(texte_en)
    erreurs: dict[str, list[str]] = {}
    if not texte_fr and not texte_en:
        message = _("Écrivez l'apprentissage en français, en anglais ou dans les deux langues.")
        erreurs = {"texte_fr": [message], "texte_en": [message]}
    for champ, texte in (("texte_fr", texte_fr), ("texte_en", texte_en)):
        if len(texte) > LONGUEUR_TEXTE_MAX:  # la limite du formulaire, pour l'API aussi
            erreurs[champ] = [
                _("Le texte dépasse %(max)s caractères.") % {"max": LONGUEUR_TEXTE_MAX}
            ]
    if periode.statut_du_jour() == StatutPeriode.A_VENIR:  # la page ne les propose pas
        erreurs["periode"] = [_("On ne tire pas d'apprentissage d'une période à venir.")]
    erreurs |= _erreurs_de_rattachement(
        quartier.pk,
        indicateur_ids=[indicateur.pk if indicateur else None],
        changement_ids=[changement.pk if changement else None],
    )
    if erreurs:
        raise ValidationError(erreurs)
    return texte_fr, texte_en


# --- Circuit de validation ----------------------------------------------------------------------


def _motif_obligatoire(motif: str) -> str:
    motif = texte_saisi(motif)
    if not motif:
        raise ValidationError({"motif": [_("Indiquez le motif.")]})
    if len(motif) > LONGUEUR_MOTIF_MAX:
        raise ValidationError(
            {"motif": [_("Le motif dépasse %(max)s caractères.") % {"max": LONGUEUR_MOTIF_MAX}]}
        )
    return motif


def _transition(
    saisie: Saisie, auteur, version: int, statut: str, evenement: str, motif: str = "", **champs
) -> Saisie:
    ancien = saisie.statut
    _prendre_la_version(saisie, version)
    Saisie.objects.filter(pk=saisie.pk).update(statut=statut, **champs)
    saisie.refresh_from_db()
    # Les codes des statuts, décrits à la lecture dans la langue de qui lit (indicateurs.historique).
    EvenementSaisie.objects.create(
        saisie=saisie,
        type_evenement=evenement,
        ancienne=ancien,
        nouvelle=saisie.statut,
        motif=motif,
        auteur=auteur,
        version=saisie.version,
    )
    return saisie


def manques_a_la_soumission(
    saisie: Saisie, attendus: list[Indicateur] | None = None
) -> dict[int, str]:
    """Ce qui empêche de soumettre la saisie telle qu'elle est enregistrée (`manques_des_donnees`)."""
    donnees = {v.indicateur_id: donnee_de(v) for v in saisie.valeurs.all()}
    return manques_des_donnees(saisie.table, saisie.periode, donnees, attendus)


def manques_des_donnees(
    table: TableDeQuartier,
    periode: Periode,
    donnees: Mapping[int, DonneeValeur],
    attendus: list[Indicateur] | None = None,
) -> dict[int, str]:
    """La règle de soumission, par indicateur à saisir (`attendus`, par défaut ceux que la table
    saisit : `indicateurs_a_saisir`) : valeur absente et non expliquée, ou valeur inhabituelle
    sans commentaire. Sur des données enregistrées ou non : le formulaire la vérifie aussi avant
    d'écrire, pour montrer ces manques avec ses autres erreurs."""
    if attendus is None:
        attendus = indicateurs_a_saisir(table)
    series = Valeur.objects.series_precedentes(table, periode, [i.pk for i in attendus])
    manques: dict[int, str] = {}
    for indicateur in attendus:
        donnee = donnees.get(indicateur.pk)
        if donnee is None or donnee.est_vide:
            manques[indicateur.pk] = _(
                "Valeur manquante : entrez-la ou cochez « non disponible » avec une raison."
            )
        elif not donnee.commentaire.strip() and (
            message := signaler_aberration(series.get(indicateur.pk, []), donnee.valeur)
        ):
            manques[indicateur.pk] = message + " " + _("Ajoutez un commentaire pour la confirmer.")
    return manques


def soumettre_saisie(*, saisie: Saisie, auteur, version: int) -> Saisie:
    """Brouillon ou renvoyée → soumise (par le formulaire comme par l'API; l'import ne soumet
    pas), dans une période ouverte ou fermée (`periode_permise`), si chaque indicateur a une
    valeur ou une absence expliquée, et chaque valeur inhabituelle un commentaire. Chaque valeur
    de la saisie note si le formulaire la demandait alors (`Valeur.demandee`) : la complétude
    du trimestre se comptera sur ce qui était demandé, même si les suivis changent ensuite.
    Sous le verrou de la saisie : déjà soumise par la même personne depuis `version`
    (`deja_soumise`), elle est rendue telle quelle; changée depuis `version` autrement,
    `ConflitDeVersion`, avant la règle du statut."""
    exiger_droit(auteur, Droit.SAISIR, saisie.table)
    _exiger_periode(saisie.periode, saisie.statut, soumission=True)
    with transaction.atomic():
        saisie = _verrouiller(saisie)
        # Déjà soumise par cette personne depuis cette version (double clic, client qui
        # réessaie pendant que la première requête tourne) : c'est fait.
        if deja_soumise(saisie=saisie, auteur=auteur, version=version):
            return saisie
        _exiger_la_version(saisie, version)
        _exiger_statut(
            saisie, MODIFIABLES, _("Seul un brouillon ou une saisie renvoyée se soumet.")
        )
        attendus = indicateurs_a_saisir(saisie.table)
        if manques := manques_a_la_soumission(saisie, attendus):
            raise ValidationError({f"{pk}.valeur": [message] for pk, message in manques.items()})
        noter_les_valeurs_demandees(saisie.table, [saisie], attendus)
        return _transition(
            saisie,
            auteur,
            version,
            StatutSaisie.SOUMISE,
            TypeEvenement.SOUMISSION,
            soumise_le=timezone.now(),
            soumise_par=auteur,
        )


def noter_les_valeurs_demandees(
    table: TableDeQuartier, saisies: Iterable[Saisie], attendus: list[Indicateur] | None = None
) -> int:
    """Marque les valeurs des `saisies` de `table` que son formulaire demande (`attendus`, par
    défaut ce que la table saisit maintenant : `indicateurs_a_saisir`), les autres non
    (`Valeur.demandee`). La soumission l'appelle avec les indicateurs dont elle vient de vérifier
    chacun une valeur : les valeurs marquées sont exactement ce qui était demandé. La
    démonstration et les données d'échelle l'appellent pour leurs saisies transmises, marquées
    comme si elles avaient été soumises maintenant. Une requête (deux sans `attendus`), quel que
    soit le nombre de saisies; `updated_at` ne bouge pas (ni la valeur, ni sa date de
    modification ne changent). Rend le nombre de valeurs marquées."""
    if attendus is None:
        attendus = indicateurs_a_saisir(table)
    demandes = [indicateur.pk for indicateur in attendus]
    return Valeur.objects.filter(saisie__in=[saisie.pk for saisie in saisies]).update(
        demandee=Case(When(indicateur_id__in=demandes, then=True), default=False)
    )


def valider_saisie(*, saisie: Saisie, auteur, version: int) -> Saisie:
    """Soumise → validée : les données sont alors verrouillées. Sous le verrou de la saisie :
    déjà validée par la même personne depuis `version` (`deja_decidee`), elle est rendue telle
    quelle; changée depuis `version` autrement, `ConflitDeVersion`, avant la règle du statut.
    Ainsi pour chaque décision de l'évaluation."""
    exiger_droit(auteur, Droit.VALIDER, saisie.table)
    with transaction.atomic():
        saisie = _verrouiller(saisie)
        if deja_decidee(
            saisie=saisie, auteur=auteur, version=version, evenement=TypeEvenement.VALIDATION
        ):
            return saisie
        _exiger_la_version(saisie, version)
        _exiger_statut(saisie, [StatutSaisie.SOUMISE], _("Seule une saisie soumise se valide."))
        return _transition(
            saisie,
            auteur,
            version,
            StatutSaisie.VALIDEE,
            TypeEvenement.VALIDATION,
            validee_le=timezone.now(),
            validee_par=auteur,
            motif_renvoi="",
        )


def renvoyer_saisie(*, saisie: Saisie, auteur, version: int, motif: str) -> Saisie:
    """Soumise → renvoyée à la table, avec un motif qu'elle verra dans sa boîte. Déjà renvoyée
    par la même personne avec ce motif : rendue telle quelle (voir `valider_saisie`)."""
    exiger_droit(auteur, Droit.VALIDER, saisie.table)
    motif = _motif_obligatoire(motif)
    with transaction.atomic():
        saisie = _verrouiller(saisie)
        if deja_decidee(
            saisie=saisie,
            auteur=auteur,
            version=version,
            evenement=TypeEvenement.RENVOI,
            motif=motif,
        ):
            return saisie
        _exiger_la_version(saisie, version)
        _exiger_statut(saisie, [StatutSaisie.SOUMISE], _("Seule une saisie soumise se renvoie."))
        saisie = _transition(
            saisie,
            auteur,
            version,
            StatutSaisie.RENVOYEE,
            TypeEvenement.RENVOI,
            motif=motif,
            motif_renvoi=motif,
        )
        _annoncer(saisie, TypeEvenement.RENVOI)
        return saisie


def rouvrir_saisie(*, saisie: Saisie, auteur, version: int, motif: str) -> Saisie:
    """Validée → renvoyée : déverrouille des données validées, avec un motif obligatoire. Déjà
    rouverte par la même personne avec ce motif : rendue telle quelle (voir `valider_saisie`)."""
    exiger_droit(auteur, Droit.VALIDER, saisie.table)
    motif = _motif_obligatoire(motif)
    with transaction.atomic():
        saisie = _verrouiller(saisie)
        if deja_decidee(
            saisie=saisie,
            auteur=auteur,
            version=version,
            evenement=TypeEvenement.REOUVERTURE,
            motif=motif,
        ):
            return saisie
        _exiger_la_version(saisie, version)
        _exiger_statut(saisie, [StatutSaisie.VALIDEE], _("Seule une saisie validée se rouvre."))
        saisie = _transition(
            saisie,
            auteur,
            version,
            StatutSaisie.RENVOYEE,
            TypeEvenement.REOUVERTURE,
            motif=motif,
            motif_renvoi=motif,
            validee_le=None,
            validee_par=None,
        )
        _annoncer(saisie, TypeEvenement.REOUVERTURE)
        return saisie


def _annoncer(saisie: Saisie, type_evenement: str) -> None:
    """L'avis à la coordination de la table (`indicateurs.avis`), après la transaction, pour
    l'événement qui vient de s'inscrire."""
    evenement = saisie.evenements.filter(type_evenement=type_evenement).latest("pk")
    annoncer_apres_validation(evenement)
