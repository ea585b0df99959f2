"""Données de démonstration : les échanges autour des données, fictifs comme le reste.

- Des commentaires sur la dernière saisie de trois quartiers : une question sur un indicateur,
  à partir de ses valeurs des deux derniers trimestres, et la réponse de qui connaît le terrain.
- Un brouillon de stratégie (v3) à Centre-Sud, préparé par sa coordination avec un changement
  visé de plus, et soumis à l'évaluation : la page des propositions en montre un.

Chaque écriture suit la règle du service (droit, texte, indicateur de la saisie, brouillon
modifiable), mais rien n'écrit à personne : la démonstration ne met aucun courriel en file
(`services_commentaires.commenter` et `services_strategie.soumettre_brouillon` préviennent après
la transaction; ici, les lignes s'écrivent sans leur avis). Une seconde exécution ne refait rien
de ce qui existe : un fil déjà commencé, un quartier qui a déjà une version 3."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from indicateurs.models import (
    CommentaireSaisie,
    Famille,
    Horizon,
    Indicateur,
    Saisie,
    StrategieDeChangement,
    Theme,
    Valeur,
)
from indicateurs.services_commentaires import exiger_de_pouvoir_commenter, verifier_commentaire
from indicateurs.services_strategie import (
    ajouter_lien,
    enregistrer_changement,
    exiger_un_brouillon_modifiable,
    preparer_version,
)
from quartiers.acces import Droit, exiger_le_droit
from quartiers.models import Quartier, Utilisateur

COORDINATION_CENTRE_SUD = "coordination-centre-sud@demo.evalpic.ca"


# --- Commentaires -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FilDemo:
    """Une question sur un indicateur de la dernière saisie du quartier, et sa réponse; la
    question et la réponse dépendent du sens de l'écart entre les deux derniers trimestres."""

    slug: str
    indicateur: str
    question: str  # {avant}, {apres}, {sens} (« hausse » ou « baisse »), s'il y a lieu
    reponse_hausse: str
    reponse_baisse: str
    questionneur: str  # courriel du compte de démonstration
    repondant: str


REPONSE_PARC_EXTENSION = (
    "Oui : j'en ai parlé avec la coordination, ils siègent au conseil d'administration de la "
    "table depuis l'an dernier. Elle le précisera dans la source de l'indicateur."
)
FILS = (
    FilDemo(
        "saint-michel",
        "pers-personnes-rejointes",
        "Les personnes rejointes passent de {avant} à {apres} ce trimestre. Qu'est-ce qui "
        "explique cette {sens} ?",
        "Deux nouveaux groupes d'aide aux devoirs à la bibliothèque depuis le début du "
        "trimestre, et la fête de la rentrée organisée avec les écoles du quartier.",
        "La maison des jeunes a fermé six semaines pour des travaux de ventilation; ses "
        "activités reprennent au prochain trimestre.",
        "conseil@demo.evalpic.ca",
        "coordination@demo.evalpic.ca",
    ),
    FilDemo(
        "centre-sud",
        "cond-menages-securite-alimentaire",
        "Le nombre de ménages desservis passe de {avant} à {apres}. Est-ce une {sens} durable "
        "ou un effet du trimestre ?",
        "Deux nouveaux groupes de cuisine collective depuis le début du trimestre, et le "
        "marché solidaire ouvre un soir de plus. On pense que ça va durer.",
        "Le comptoir alimentaire a fermé trois semaines pour des travaux; les ménages ont été "
        "dirigés vers les ressources voisines, qui ne les comptent pas chez nous.",
        "conseil@demo.evalpic.ca",
        COORDINATION_CENTRE_SUD,
    ),
    FilDemo(
        "parc-extension",
        "pers-leadership-citoyen",
        "Comptez-vous les membres du comité des nouveaux arrivants parmi les {apres} "
        "résident·es qui prennent une place dans les instances ?",
        REPONSE_PARC_EXTENSION,
        REPONSE_PARC_EXTENSION,
        "evaluation@demo.evalpic.ca",
        "conseil@demo.evalpic.ca",
    ),
)


def _nombre(valeur: Decimal) -> str:
    entier = int(valeur) if valeur == valeur.to_integral_value() else None
    if entier is None:
        return str(valeur).replace(".", ",")
    return f"{entier:,}".replace(",", "\u202f")


def _deux_dernieres(quartier: Quartier, indicateur: Indicateur) -> list[Valeur]:
    """Les valeurs numériques de l'indicateur aux deux dernières saisies du quartier."""
    return list(
        Valeur.objects.filter(
            saisie__table__quartier=quartier,
            indicateur=indicateur,
            valeur_numerique__isnull=False,
        )
        .select_related("saisie__periode", "saisie__table__quartier")
        .order_by("-saisie__periode__debut")[:2]
    )


def _moment(saisie: Saisie, jours: int, heure: int) -> datetime.datetime:
    """Quelques jours après la soumission de la saisie, jamais dans le futur."""
    depart = timezone.localtime(saisie.soumise_le or timezone.now()).date()
    jour = depart + datetime.timedelta(days=jours)
    moment = timezone.make_aware(datetime.datetime.combine(jour, datetime.time(heure)))
    return min(moment, timezone.now())


def creer_commentaires(
    quartiers: dict[str, Quartier],
    indicateurs: dict[str, Indicateur],
    comptes: dict[str, Utilisateur],
) -> None:
    """Un fil (question, réponse) par quartier de `FILS`, sur sa saisie la plus récente qui a
    une valeur de l'indicateur. Un fil déjà commencé (sa saisie a un commentaire de
    démonstration) n'est pas refait."""
    for fil in FILS:
        quartier, indicateur = quartiers[fil.slug], indicateurs[fil.indicateur]
        valeurs = _deux_dernieres(quartier, indicateur)
        if len(valeurs) < 2:
            continue
        apres, avant = valeurs
        saisie = apres.saisie
        questionneur, repondant = comptes[fil.questionneur], comptes[fil.repondant]
        if CommentaireSaisie.objects.filter(
            saisie=saisie, auteur__in=(questionneur, repondant)
        ).exists():
            continue
        hausse = apres.valeur_numerique >= avant.valeur_numerique
        question = fil.question.format(
            avant=_nombre(avant.valeur_numerique),
            apres=_nombre(apres.valeur_numerique),
            sens="hausse" if hausse else "baisse",
        )
        reponse = fil.reponse_hausse if hausse else fil.reponse_baisse
        lignes = []
        for auteur, texte, jours, heure in (
            (questionneur, question, 3, 10),
            (repondant, reponse, 4, 14),
        ):
            # Les règles de `commenter` (droit, texte, indicateur de la saisie), sans son avis.
            exiger_de_pouvoir_commenter(auteur, saisie)
            texte = verifier_commentaire(saisie, texte, indicateur)
            lignes.append(
                (
                    CommentaireSaisie(
                        saisie=saisie, indicateur=indicateur, auteur=auteur, texte=texte
                    ),
                    _moment(saisie, jours, heure),
                )
            )
        CommentaireSaisie.objects.bulk_create([c for c, _ in lignes])
        for commentaire, moment in lignes:  # `auto_now_add` : la date se pose après
            CommentaireSaisie.objects.filter(pk=commentaire.pk).update(created_at=moment)


# --- Un brouillon de stratégie soumis -----------------------------------------------------------

BROUILLON_SLUG = "centre-sud"
CHANGEMENT_AJOUTE = {
    "code": "C7",
    "libelle": "Des jardins collectifs tenus par les résident·es dans chaque secteur du quartier",
    "description": "[Données fictives] Ajouté à la version 3 : la serre communautaire ne suffit "
    "plus à la demande de semis et de parcelles.",
    "horizon": Horizon.MOYEN,
    "famille": Famille.CONDITIONS_DE_VIE,
    "theme": "alimentation",
    "indicateurs": ("cond-semis-distribues",),
}
LIEN_AJOUTE = (
    "C7",
    "C5",
    "Si des résident·es cultivent près de chez eux, les ménages ont plus facilement accès à "
    "des légumes frais et abordables.",
)


def creer_brouillon_soumis(
    quartier: Quartier,
    coordination: Utilisateur,
    themes: dict[str, Theme],
    indicateurs: dict[str, Indicateur],
    aujourd_hui: datetime.date,
) -> StrategieDeChangement | None:
    """La version 3 de la stratégie de `quartier`, préparée par sa coordination
    (`preparer_version` : copie de la v2), avec un changement visé et un lien de plus, soumise
    à l'évaluation il y a quatre jours. Rien si le quartier a déjà une version 3 (une seconde
    exécution, ou une démonstration où l'évaluation l'a renvoyée ou adoptée)."""
    if quartier.strategies.filter(version__gt=2).exists():
        return None
    brouillon, _ = preparer_version(utilisateur=coordination, quartier=quartier)
    champs = {k: v for k, v in CHANGEMENT_AJOUTE.items() if k not in ("theme", "indicateurs")}
    ajoute = enregistrer_changement(
        utilisateur=coordination,
        strategie=brouillon,
        theme=themes[CHANGEMENT_AJOUTE["theme"]],
        indicateurs=[indicateurs[code] for code in CHANGEMENT_AJOUTE["indicateurs"]],
        **champs,
    )
    _source, cible, hypothese = LIEN_AJOUTE
    ajouter_lien(
        utilisateur=coordination,
        strategie=brouillon,
        source=ajoute,
        cible=brouillon.changements.get(code=cible),
        hypothese=hypothese,
    )
    # Les règles de `soumettre_brouillon` (droit, brouillon modifiable, un changement au moins),
    # sans son avis à l'évaluation.
    exiger_le_droit(coordination, Droit.GERER_CATALOGUE, quartier)
    exiger_un_brouillon_modifiable(coordination, brouillon)
    moment = timezone.make_aware(
        datetime.datetime.combine(aujourd_hui - datetime.timedelta(days=4), datetime.time(15))
    )
    StrategieDeChangement.objects.filter(pk=brouillon.pk).update(
        soumise_le=min(moment, timezone.now()), soumise_par=coordination
    )
    return brouillon
