"""Le catalogue d'indicateurs et le plan de mesure d'un quartier, tenus depuis le site.

Qui peut (DESIGN.md, « manage indicator catalogue, plans ») : la coordination d'un quartier
propose un indicateur pour son quartier (`Droit.GERER_CATALOGUE`, qu'elle tient de son
affectation); l'évaluation et l'administration, qui ont ce droit sur tous les quartiers
(`gere_le_catalogue`), proposent pour n'importe lequel, examinent les propositions (approuver,
ou refuser avec un motif) et tiennent le plan de chaque quartier : valeur de référence, cibles
par période, indicateur approuvé ajouté au suivi, suivi désactivé (jamais supprimé : ses
valeurs restent, et il peut être repris). Le conseil lit le plan des quartiers qu'il accompagne.

Une proposition est un `Indicateur` proposé (`StatutIndicateur.PROPOSE`), saisi par la table, et
le suivi de son quartier. Tant qu'elle n'est pas approuvée, le formulaire trimestriel ne la
demande pas (`suivi_a_saisir`); approuvée, il la demande dès son prochain affichage. Refusée,
elle est retirée du catalogue (`StatutIndicateur.RETIRE`) avec son motif, que le plan du
quartier montre.

Le code d'un indicateur n'a qu'un titulaire. La table qui propose de nouveau le code d'une
proposition refusée de son quartier (une version corrigée, après avoir lu le motif) la rouvre :
le nouveau contenu, en attente d'examen, et le refus d'avant (ce qui avait été proposé, par qui,
qui l'a refusé, quand, pourquoi) gardé en données (`Indicateur.refus_precedents`,
`indicateurs.propositions_refusees`), que la page d'examen montre. Tout autre code pris (au
catalogue, en attente, retiré, refusé pour un autre quartier) reçoit le même message
(`CODE_PRIS`), qui ne dit rien de son titulaire.

Deux personnes qui examinent la même proposition, ou qui modifient le même suivi : la seconde
écriture est refusée (`ConflitCatalogue`), rien n'est écrasé. La version que porte le formulaire
est une empreinte de ce que la page a montré, comme pour les apprentissages
(`services_apprentissages.empreinte`); l'écriture relit la ligne verrouillée et la compare.

Le même envoi reçu deux fois (un double clic, un envoi rejoué) n'est pas un conflit : si ce qui
est enregistré est déjà exactement ce que l'envoi écrirait (la même décision de la même
personne, la même proposition en attente de la même personne, la même référence et les mêmes
cibles, le suivi déjà arrêté ou déjà repris), il réussit sans rien écrire. Tout autre écart
garde son refus.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.http import Http404
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from evalpic.empreintes import empreinte
from evalpic.textes import texte_saisi
from indicateurs.models import (
    Cible,
    Indicateur,
    IndicateurSuivi,
    ModeCollecte,
    Periode,
    Periodicite,
    Polarite,
    StatutIndicateur,
    Theme,
)
from indicateurs.models.catalogue import Calcul, erreurs_selon_l_unite
from indicateurs.propositions_refusees import RefusLu, consigner_le_refus, lire_les_refus
from indicateurs.services import LONGUEUR_MOTIF_MAX
from quartiers.acces import Droit, a_le_droit_partout, exiger_le_droit
from quartiers.models import Quartier

REFUS_DE_PROPOSER = gettext_lazy(
    "Proposer un indicateur est réservé à la coordination du quartier, à l'évaluation et à "
    "l'administration."
)
REFUS_DE_GERER = gettext_lazy(
    "Le catalogue et les plans de mesure se gèrent par l'évaluation et l'administration."
)

# Ce que propose une table, et donc ce dont l'empreinte d'une proposition est faite (avec son
# statut) : l'examen porte sur ce que la page a montré.
CHAMPS_PROPOSES = (
    "code",
    "nom_fr",
    "nom_en",
    "definition_fr",
    "definition_en",
    "famille",
    "theme",
    "unite",
    "polarite",
    "agregation",
    "periodicite",
    "source",
    "source_en",
)


class ConflitCatalogue(Exception):
    """Quelqu'un a écrit la même proposition ou le même suivi depuis l'ouverture de la page;
    rien n'a été écrit. Le message dit ce qui s'est passé."""


# --- Qui peut -----------------------------------------------------------------------------------


def gere_le_catalogue(utilisateur) -> bool:
    """Vrai pour qui a `Droit.GERER_CATALOGUE` sur tous les quartiers (évaluation,
    administration) : examiner les propositions, tenir les plans. La coordination, qui ne l'a
    que par son affectation, propose pour son quartier."""
    actif = utilisateur is not None and utilisateur.is_authenticated and utilisateur.is_active
    return bool(actif) and a_le_droit_partout(utilisateur, Droit.GERER_CATALOGUE)


def exiger_de_gerer_le_catalogue(utilisateur, quartier: Quartier | None = None) -> None:
    """404 si `quartier` est invisible pour `utilisateur`; 403 s'il ne gère pas le catalogue."""
    if quartier is not None:
        exiger_le_droit(utilisateur, Droit.VOIR, quartier)
    if not gere_le_catalogue(utilisateur):
        raise PermissionDenied(str(REFUS_DE_GERER))


# --- Proposer -----------------------------------------------------------------------------------


@transaction.atomic
def proposer_indicateur(
    *,
    utilisateur,
    quartier: Quartier,
    code: str,
    nom_fr: str,
    nom_en: str,
    definition_fr: str,
    definition_en: str,
    famille: str,
    unite: str,
    agregation: str,
    polarite: str = Polarite.HAUSSE,
    periodicite: str = Periodicite.TRIMESTRIELLE,
    theme: Theme | None = None,
    source: str = "",
    source_en: str = "",
    valeur_reference: Decimal | None = None,
    date_reference: datetime.date | None = None,
    source_reference: str = "",
) -> Indicateur:
    """Propose un indicateur saisi pour `quartier` : l'`Indicateur` proposé par `utilisateur`
    et le suivi du quartier, avec sa référence s'il y en a une. Les règles du modèle
    (`full_clean` : code unique, choix, unité de la référence, date) valent toutes; une
    `ValidationError` par champ les dit ensemble, et rien n'est écrit. 404 si le quartier est
    invisible, 403 sans le droit de proposer pour lui."""
    exiger_le_droit(utilisateur, Droit.GERER_CATALOGUE, quartier, refus=str(REFUS_DE_PROPOSER))
    contenu = {
        "code": code,
        "nom_fr": nom_fr,
        "nom_en": nom_en,
        "definition_fr": definition_fr,
        "definition_en": definition_en,
        "famille": famille,
        "theme": theme,
        "unite": unite,
        "polarite": polarite,
        "agregation": agregation,
        "periodicite": periodicite,
        "source": source,
        "source_en": source_en,
    }
    reference = {
        "valeur_reference": valeur_reference,
        "date_reference": date_reference,
        "source_reference": source_reference,
    }
    titulaire = titulaire_verrouille(code)
    if titulaire and _la_meme_proposition_en_attente(
        titulaire, utilisateur, quartier, contenu, reference
    ):
        return titulaire  # le même envoi, déjà enregistré (double clic) : rien à écrire
    suivi_refuse = titulaire and _suivi_de_la_proposition_refusee(titulaire, quartier)
    if suivi_refuse:
        indicateur, suivi = titulaire, suivi_refuse
        refus = consigner_le_refus(indicateur, suivi, CHAMPS_PROPOSES)
    else:
        indicateur = Indicateur(mode=ModeCollecte.SAISI, calcul=Calcul.AUCUN)
        suivi = IndicateurSuivi(indicateur=indicateur, quartier=quartier)
    for nom, valeur in contenu.items():
        setattr(indicateur, nom, valeur)
    for nom, valeur in reference.items():
        setattr(suivi, nom, valeur)
    indicateur.statut = StatutIndicateur.PROPOSE
    indicateur.propose_par = utilisateur
    erreurs = erreurs_de(indicateur.full_clean)
    if titulaire is not None and not suivi_refuse:
        # Pris (catalogue, en attente, retiré, refusé ailleurs) : le message de tout code pris,
        # sans rien dire de son titulaire.
        erreurs["code"] = [str(CODE_PRIS)]
    erreurs.update(_erreurs_de_la_reference(suivi, exclude=["indicateur", "quartier"]))
    if (
        "unite" not in erreurs
        and valeur_reference is not None
        and (messages := erreurs_selon_l_unite(indicateur, valeur_reference))
    ):
        erreurs.setdefault("valeur_reference", []).extend(messages)
    if erreurs:
        raise ValidationError(erreurs)
    if suivi_refuse:
        _rouvrir(indicateur, suivi, refus)
        return indicateur
    try:
        with transaction.atomic():
            indicateur.save()
            suivi.indicateur = indicateur
            suivi.save()
    except IntegrityError as doublon:  # le même code proposé au même instant
        # Le même envoi reçu deux fois en même temps : le premier l'a enregistré.
        titulaire = titulaire_verrouille(code)
        if titulaire and _la_meme_proposition_en_attente(
            titulaire, utilisateur, quartier, contenu, reference
        ):
            return titulaire
        raise ValidationError({"code": str(CODE_PRIS)}) from doublon
    return indicateur


def titulaire_verrouille(code: str) -> Indicateur | None:
    return (
        Indicateur.objects.select_for_update(of=("self",))
        .select_related("propose_par", "examine_par")
        .filter(code=code)
        .first()
    )


def _la_meme_proposition_en_attente(
    indicateur: Indicateur,
    utilisateur,
    quartier: Quartier,
    contenu: Mapping[str, object],
    reference: Mapping[str, object],
) -> bool:
    """Vrai si `indicateur` est déjà, en attente d'examen, exactement ce que `utilisateur`
    propose pour `quartier` : même contenu, même référence, proposé par lui pour ce seul
    quartier. Une autre personne, un autre quartier, un autre contenu : le code est pris."""
    if (
        indicateur.statut != StatutIndicateur.PROPOSE
        or indicateur.mode != ModeCollecte.SAISI
        or indicateur.propose_par_id != utilisateur.pk
    ):
        return False
    for nom, valeur in contenu.items():
        if nom == "theme":
            if indicateur.theme_id != getattr(valeur, "pk", valeur):
                return False
        elif getattr(indicateur, nom) != valeur:
            return False
    suivis = list(IndicateurSuivi.objects.filter(indicateur=indicateur)[:2])
    if len(suivis) != 1 or suivis[0].quartier_id != quartier.pk:
        return False
    return all(getattr(suivis[0], nom) == valeur for nom, valeur in reference.items())


CODE_PRIS = gettext_lazy("Un indicateur du catalogue porte déjà ce code.")


def _suivi_de_la_proposition_refusee(
    indicateur: Indicateur, quartier: Quartier
) -> IndicateurSuivi | None:
    """Le suivi par `quartier` de `indicateur` si c'est une proposition refusée de ce quartier
    (retirée avec un motif, suivie par lui seul), verrouillé; None sinon : son code reste pris.
    Le code refusé d'un autre quartier est pris comme un autre, sans rien en révéler."""
    if indicateur.statut != StatutIndicateur.RETIRE or not indicateur.motif_refus:
        return None
    suivis = list(IndicateurSuivi.objects.select_for_update().filter(indicateur=indicateur))
    if len(suivis) != 1 or suivis[0].quartier_id != quartier.pk:
        return None
    return suivis[0]


def _rouvrir(indicateur: Indicateur, suivi: IndicateurSuivi, refus: dict) -> None:
    """La proposition refusée, rouverte avec le nouveau contenu (déjà vérifié) : en attente
    d'examen, son refus ajouté à `refus_precedents`; son suivi reprend s'il avait été arrêté."""
    indicateur.refus_precedents = [*indicateur.refus_precedents, refus]
    indicateur.motif_refus = ""
    indicateur.examine_par = None
    indicateur.examine_le = None
    indicateur.save()
    suivi.actif = True
    suivi.save(update_fields=["valeur_reference", "date_reference", "source_reference", "actif"])


def erreurs_de(verifier, **options) -> dict[str, list[str]]:
    try:
        verifier(**options)
    except ValidationError as erreur:
        return dict(erreur.message_dict)
    return {}


def _erreurs_de_la_reference(suivi: IndicateurSuivi, **options) -> dict[str, list[str]]:
    """Les erreurs d'un suivi (`full_clean`); celle de la contrainte « une valeur de référence
    doit être datée », sans champ, va à côté de la date."""
    erreurs = erreurs_de(suivi.full_clean, **options)
    if sans_champ := erreurs.pop(NON_FIELD_ERRORS, None):
        erreurs.setdefault("date_reference", []).extend(sans_champ)
    return erreurs


# --- Examiner les propositions ------------------------------------------------------------------


def propositions_a_examiner(utilisateur) -> list[Indicateur]:
    """Les indicateurs proposés, les plus anciens d'abord, avec qui les a proposés et les
    quartiers qui les suivent (`quartiers_proposants`). 403 pour qui ne gère pas le catalogue;
    l'évaluation et l'administration voient tous les quartiers. Trois requêtes au plus."""
    exiger_de_gerer_le_catalogue(utilisateur)
    suivis = IndicateurSuivi.objects.select_related("quartier").order_by("quartier__nom")
    return list(
        Indicateur.objects.filter(statut=StatutIndicateur.PROPOSE)
        .select_related("propose_par", "theme")
        .prefetch_related(Prefetch("suivis", queryset=suivis, to_attr="suivis_lus"))
        .order_by("pk")
    )


def proposition_ou_404(utilisateur, pk: int) -> Indicateur:
    """L'indicateur `pk` s'il est (ou a été) une proposition : proposé, ou déjà examiné.
    403 pour qui ne gère pas le catalogue, avant toute lecture; 404 sinon."""
    exiger_de_gerer_le_catalogue(utilisateur)
    suivis = IndicateurSuivi.objects.select_related("quartier").order_by("quartier__nom")
    indicateur = (
        Indicateur.objects.filter(pk=pk)
        .filter(Q(statut=StatutIndicateur.PROPOSE) | Q(examine_le__isnull=False))
        .select_related("propose_par", "examine_par", "theme")
        .prefetch_related(Prefetch("suivis", queryset=suivis, to_attr="suivis_lus"))
        .first()
    )
    if indicateur is None:
        raise Http404(_("Proposition introuvable."))
    return indicateur


def refus_de_la_proposition(indicateur: Indicateur) -> list[RefusLu]:
    """Les refus d'une proposition lue par `proposition_ou_404`, proposée de nouveau depuis,
    chacun avec ce qui a changé ensuite (`propositions_refusees.lire_les_refus`)."""
    suivis = indicateur.suivis_lus
    return lire_les_refus(indicateur, suivis[0] if len(suivis) == 1 else None)


def proposition_refusee_du_quartier(quartier: Quartier, code: str) -> IndicateurSuivi:
    """Le suivi par `quartier` (déjà lu par le sélecteur d'accès) de sa proposition refusée
    `code`, avec l'indicateur, pour remplir le formulaire qui la propose de nouveau; 404 pour
    tout autre code, comme pour une proposition d'un autre quartier."""
    suivi = (
        IndicateurSuivi.objects.filter(
            quartier=quartier,
            indicateur__code=code,
            indicateur__statut=StatutIndicateur.RETIRE,
        )
        .exclude(indicateur__motif_refus="")
        .select_related("indicateur", "indicateur__examine_par")
        .first()
    )
    if suivi is None:
        raise Http404(_("Proposition introuvable."))
    return suivi


def empreinte_de_la_proposition(indicateur: Indicateur) -> str:
    """La version d'une proposition : ce que la page d'examen montre et son statut. Toute
    écriture qui les change (site, administration) la change."""
    contenu = [
        str(getattr(indicateur, nom if nom != "theme" else "theme_id")) for nom in CHAMPS_PROPOSES
    ]
    # Proposée de nouveau après un refus, elle n'est plus celle que la page a montrée, même
    # à contenu égal : le nombre de ses refus en est (rien pour une première proposition).
    refus = [len(indicateur.refus_precedents)] if indicateur.refus_precedents else []
    return empreinte([*contenu, indicateur.statut, *refus])


@transaction.atomic
def approuver_proposition(*, utilisateur, indicateur: Indicateur, version: str | None = None):
    """Approuve une proposition : l'indicateur entre au catalogue, et le formulaire
    trimestriel des quartiers qui le suivent le demande. `version` : voir `_examiner`."""
    return _examiner(utilisateur, indicateur, version, StatutIndicateur.APPROUVE, "")


@transaction.atomic
def refuser_proposition(
    *, utilisateur, indicateur: Indicateur, motif: str, version: str | None = None
) -> Indicateur:
    """Refuse une proposition avec un motif (obligatoire) : elle est retirée du catalogue, et
    le plan de son quartier dit pourquoi. `version` : voir `_examiner`."""
    motif = texte_saisi(motif)
    if not motif:
        raise ValidationError({"motif": _("Dites pourquoi la proposition est refusée.")})
    if len(motif) > LONGUEUR_MOTIF_MAX:
        raise ValidationError(
            {"motif": _("Le motif dépasse %(max)s caractères.") % {"max": LONGUEUR_MOTIF_MAX}}
        )
    return _examiner(utilisateur, indicateur, version, StatutIndicateur.RETIRE, motif)


def _examiner(utilisateur, indicateur: Indicateur, version: str | None, statut: str, motif: str):
    """L'examen, sur la ligne verrouillée : encore proposée (sinon `ConflitCatalogue`, qui dit
    qui l'a déjà examinée), et telle que la page l'a montrée si `version` est donnée. Déjà
    examinée par la même personne avec la même décision (et le même motif) : un double clic,
    qui réussit sans rien écrire."""
    exiger_de_gerer_le_catalogue(utilisateur)
    actuel = (
        Indicateur.objects.select_for_update(of=("self",))
        .select_related("examine_par")
        .filter(pk=indicateur.pk)
        .first()
    )
    if actuel is None:
        raise Http404(_("Proposition introuvable."))
    if actuel.statut != StatutIndicateur.PROPOSE:
        if (
            actuel.statut == statut
            and actuel.examine_par_id == utilisateur.pk
            and actuel.motif_refus == motif
        ):
            return actuel  # la même décision de la même personne, reçue deux fois
        raise ConflitCatalogue(deja_examinee(actuel))
    if version is not None and empreinte_de_la_proposition(actuel) != version:
        raise ConflitCatalogue(
            _(
                "La proposition a été modifiée depuis que vous l'avez ouverte : votre décision "
                "n'a pas été enregistrée. Relisez-la, puis décidez de nouveau."
            )
        )
    actuel.statut = statut
    actuel.motif_refus = motif
    actuel.examine_par = utilisateur
    actuel.examine_le = timezone.now()
    actuel.save(update_fields=["statut", "motif_refus", "examine_par", "examine_le"])
    return actuel


def deja_examinee(indicateur: Indicateur) -> str:
    """« Cette proposition a déjà été approuvée par Ève le 3 mars 2026 » (ou refusée, ou
    retirée), pour le second examen d'une même proposition."""
    personne = str(indicateur.examine_par or _("une autre personne"))
    quand = (
        formats.date_format(timezone.localtime(indicateur.examine_le), "DATE_FORMAT")
        if indicateur.examine_le
        else ""
    )
    if indicateur.statut == StatutIndicateur.APPROUVE:
        message = _("Cette proposition a déjà été approuvée par %(personne)s le %(date)s.")
    else:
        message = _("Cette proposition a déjà été refusée par %(personne)s le %(date)s.")
    suite = _("Votre décision n'a pas été enregistrée.")
    return f"{message % {'personne': personne, 'date': quand}} {suite}"


# --- Le plan de mesure d'un quartier ------------------------------------------------------------


@dataclass
class PlanDeMesure:
    """Le plan d'un quartier : ses suivis mesurés (indicateur approuvé, suivi actif), ses
    propositions (en attente ou refusées) et ses suivis arrêtés (désactivés, ou indicateur
    retiré du catalogue)."""

    quartier: Quartier
    mesures: list[IndicateurSuivi] = field(default_factory=list)
    propositions: list[IndicateurSuivi] = field(default_factory=list)
    arretes: list[IndicateurSuivi] = field(default_factory=list)


def est_une_proposition(indicateur: Indicateur) -> bool:
    """Proposé, ou refusé à l'examen (retiré avec un motif)."""
    return indicateur.statut == StatutIndicateur.PROPOSE or bool(indicateur.motif_refus)


def plan_du_quartier(quartier: Quartier) -> PlanDeMesure:
    """Le plan de `quartier` (déjà lu par le sélecteur d'accès), chaque suivi avec ses cibles
    (`cibles_lues`, par période) et sa version (`version`). Deux requêtes, quel que soit le
    nombre de suivis."""
    cibles = Cible.objects.select_related("periode").order_by("periode__debut")
    suivis = (
        IndicateurSuivi.objects.filter(quartier=quartier)
        .select_related("indicateur__theme", "indicateur__propose_par", "indicateur__examine_par")
        .prefetch_related(Prefetch("cibles", queryset=cibles, to_attr="cibles_lues"))
        .order_by("indicateur__famille", "indicateur__code")
    )
    plan = PlanDeMesure(quartier)
    for suivi in suivis:
        suivi.quartier = quartier
        suivi.version = empreinte_du_suivi(suivi, suivi.cibles_lues)
        if est_une_proposition(suivi.indicateur):
            plan.propositions.append(suivi)
        elif suivi.actif and suivi.indicateur.statut == StatutIndicateur.APPROUVE:
            plan.mesures.append(suivi)
        else:
            plan.arretes.append(suivi)
    return plan


def indicateurs_a_ajouter(quartier: Quartier):
    """Les indicateurs approuvés que `quartier` ne suit pas, ou plus (suivi désactivé : le
    choisir reprend le suivi)."""
    suivis = IndicateurSuivi.objects.filter(
        quartier=quartier, indicateur_id=OuterRef("pk"), actif=True
    )
    return (
        Indicateur.objects.filter(statut=StatutIndicateur.APPROUVE)
        .exclude(Exists(suivis))
        .order_by("code")
    )


def indicateurs_suivis_ou_arretes(quartier: Quartier):
    """Les indicateurs approuvés dont `quartier` a un suivi, actif ou arrêté : ceux que le
    bouton « Reprendre le suivi » peut envoyer, y compris une seconde fois."""
    return Indicateur.objects.filter(statut=StatutIndicateur.APPROUVE, suivis__quartier=quartier)


def empreinte_du_suivi(suivi: IndicateurSuivi, cibles: Iterable[Cible]) -> str:
    """La version d'un suivi : sa référence, son état et ses cibles. Le formulaire du plan la
    porte, cachée; toute écriture qui les change la change."""
    return empreinte(
        [
            _nombre(suivi.valeur_reference),
            str(suivi.date_reference),
            suivi.source_reference,
            suivi.actif,
            sorted([cible.periode_id, _nombre(cible.valeur)] for cible in cibles),
        ]
    )


def suivi_du_quartier_ou_404(quartier: Quartier, pk: int) -> IndicateurSuivi:
    """Le suivi `pk` de `quartier` (déjà lu par le sélecteur d'accès), avec son indicateur et
    ses cibles; 404 pour celui d'un autre quartier ou qui n'existe pas."""
    cibles = Cible.objects.select_related("periode").order_by("periode__debut")
    suivi = (
        IndicateurSuivi.objects.filter(pk=pk, quartier=quartier)
        .select_related("indicateur")
        .prefetch_related(Prefetch("cibles", queryset=cibles, to_attr="cibles_lues"))
        .first()
    )
    if suivi is None:
        raise Http404(_("Indicateur suivi introuvable."))
    suivi.quartier = quartier
    suivi.version = empreinte_du_suivi(suivi, suivi.cibles_lues)
    return suivi


def _verrouiller(
    suivi: IndicateurSuivi,
    version: str | None,
    deja_ecrit: Callable[[IndicateurSuivi, list[Cible]], bool],
) -> tuple[IndicateurSuivi, list[Cible], bool]:
    """Le suivi relu et verrouillé, avec ses cibles, et s'il ne reste rien à écrire. Plus tel
    que la page l'a montré (`version`) : rien à écrire si `deja_ecrit(suivi, cibles)` dit qu'il
    est déjà ce que l'envoi écrirait (le même envoi reçu deux fois), `ConflitCatalogue`
    sinon."""
    actuel = (
        IndicateurSuivi.objects.select_for_update(of=("self",))
        .select_related("indicateur")
        .filter(pk=suivi.pk)
        .first()
    )
    if actuel is None:
        raise Http404(_("Indicateur suivi introuvable."))
    cibles = list(actuel.cibles.select_related("periode"))
    if version is None or empreinte_du_suivi(actuel, cibles) == version:
        return actuel, cibles, False
    if not deja_ecrit(actuel, cibles):
        raise ConflitCatalogue(
            _(
                "Quelqu'un a modifié ce suivi depuis que vous l'avez ouvert : rien de ce que "
                "vous avez envoyé n'a été enregistré. Relisez le plan, puis recommencez."
            )
        )
    return actuel, cibles, True


@transaction.atomic
def modifier_suivi(
    *,
    utilisateur,
    suivi: IndicateurSuivi,
    valeur_reference: Decimal | None,
    date_reference: datetime.date | None,
    source_reference: str = "",
    cibles: Mapping[Periode, Decimal | None] | None = None,
    version: str | None = None,
) -> IndicateurSuivi:
    """Écrit la référence d'un suivi et ses cibles : `cibles` donne, par période, la valeur
    visée (None retire la cible de la période; une période absente ne change pas). Les règles
    du modèle (`clean` : bornes de l'unité, date) valent; une `ValidationError` par champ
    (`cible_<id de la période>` pour une cible) les dit toutes, et rien n'est écrit. 404 / 403 :
    `exiger_de_gerer_le_catalogue`; `ConflitCatalogue` si le suivi a changé depuis `version`,
    sauf s'il porte déjà exactement ce qui est envoyé (le même envoi reçu deux fois) : rien
    n'est écrit."""
    exiger_de_gerer_le_catalogue(utilisateur, suivi.quartier)
    cibles = cibles or {}

    def deja_ecrit(actuel: IndicateurSuivi, existantes: list[Cible]) -> bool:
        valeurs = {cible.periode_id: cible.valeur for cible in existantes}
        return (
            actuel.valeur_reference == valeur_reference
            and actuel.date_reference == date_reference
            and actuel.source_reference == source_reference
            and all(valeurs.get(periode.pk) == valeur for periode, valeur in cibles.items())
        )

    actuel, existantes, rien_a_ecrire = _verrouiller(suivi, version, deja_ecrit)
    if rien_a_ecrire:
        return actuel
    actuel.valeur_reference = valeur_reference
    actuel.date_reference = date_reference
    actuel.source_reference = source_reference
    erreurs = _erreurs_de_la_reference(actuel)
    par_periode = {cible.periode_id: cible for cible in existantes}
    a_ecrire, a_retirer = [], []
    for periode, valeur in cibles.items():
        cible = par_periode.get(periode.pk)
        if valeur is None:
            if cible is not None:
                a_retirer.append(cible.pk)
            continue
        cible = cible or Cible(suivi=actuel, periode=periode)
        cible.valeur = valeur
        messages = erreurs_de(cible.full_clean, validate_unique=False)
        if messages:
            erreurs[f"cible_{periode.pk}"] = [m for liste in messages.values() for m in liste]
        a_ecrire.append(cible)
    if erreurs:
        raise ValidationError(erreurs)
    actuel.save(update_fields=["valeur_reference", "date_reference", "source_reference"])
    Cible.objects.filter(pk__in=a_retirer).delete()
    for cible in a_ecrire:
        cible.save()
    return actuel


@transaction.atomic
def suivre_indicateur(
    *, utilisateur, quartier: Quartier, indicateur: Indicateur, reprise: bool = False
) -> IndicateurSuivi:
    """Ajoute un indicateur approuvé au suivi de `quartier`, ou reprend son suivi désactivé
    (avec sa référence et ses cibles d'avant). `ValidationError` sur `indicateur` s'il n'est pas
    approuvé, ou déjà suivi quand on l'ajoute; `reprise` (le bouton « Reprendre le suivi » d'un
    suivi arrêté) : déjà repris, le suivi est rendu tel quel, rien n'est écrit (double clic)."""
    exiger_de_gerer_le_catalogue(utilisateur, quartier)
    if indicateur.statut != StatutIndicateur.APPROUVE:
        raise ValidationError(
            {"indicateur": _("Seul un indicateur approuvé au catalogue peut être suivi.")}
        )
    suivi, cree = IndicateurSuivi.objects.select_for_update().get_or_create(
        quartier=quartier, indicateur=indicateur
    )
    if not cree:
        if suivi.actif and reprise:
            return suivi
        if suivi.actif:
            raise ValidationError({"indicateur": _("Ce quartier suit déjà cet indicateur.")})
        suivi.actif = True
        suivi.save(update_fields=["actif"])
    return suivi


@transaction.atomic
def desactiver_suivi(*, utilisateur, suivi: IndicateurSuivi, version: str | None = None) -> None:
    """Arrête le suivi d'un indicateur par un quartier : le formulaire trimestriel ne le
    demande plus. Rien n'est supprimé (valeurs, référence, cibles), et le suivi se reprend
    (`suivre_indicateur`). `ConflitCatalogue` si le suivi a changé depuis `version`; déjà
    désactivé, rien n'est écrit (le même envoi reçu deux fois)."""
    exiger_de_gerer_le_catalogue(utilisateur, suivi.quartier)
    actuel, _cibles, rien_a_ecrire = _verrouiller(
        suivi, version, lambda actuel, _c: not actuel.actif
    )
    if rien_a_ecrire or not actuel.actif:
        return
    actuel.actif = False
    actuel.save(update_fields=["actif"])


def _nombre(valeur: Decimal | None) -> str:
    return "" if valeur is None else str(valeur.normalize())
