"""Données de démonstration : le registre fictif des partenaires, de leurs participations aux
tables et des actions concertées.

Le registre reproduit, en données fictives, les constats du bilan fondateur : des partenaires
plus nombreux et de secteurs plus variés d'année en année, quelques départs, des acteurs
d'influence (bailleurs, chercheur·es, direction de l'arrondissement) qui arrivent plus tard et
dont certains repartent aussi, et de plus en plus d'actions de participation citoyenne."""

from __future__ import annotations

import datetime
import random
from collections import Counter
from dataclasses import dataclass

from indicateurs.models import Action, ChangementVise, TypeAction
from quartiers.demo_commun import ProfilDemo, generateur
from quartiers.models import (
    Partenaire,
    Participation,
    Quartier,
    RoleParticipation,
    Secteur,
    TableDeQuartier,
)

# Année (comptée depuis l'arrivée au registre) où chaque secteur commence à participer.
OUVERTURE_SECTEURS = (
    (0, "communautaire"),
    (0, "sante-services-sociaux"),
    (1, "education"),
    (1, "citoyen"),
    (2, "municipal"),
    (3, "philanthropie"),
    (4, "recherche"),
    (5, "prive"),
)

LIBELLES = {
    "communautaire": (
        "Cuisine collective",
        "Maison des jeunes",
        "Centre des femmes",
        "Comité logement",
        "Carrefour familial",
        "Centre d'action bénévole",
        "Épicerie solidaire",
        "Association des aîné·es",
        "Centre d'éducation populaire",
        "Organisme d'accueil des personnes immigrantes",
    ),
    "sante-services-sociaux": (
        "Équipe de CLSC",
        "Clinique de proximité",
        "Équipe de santé publique",
        "Organisme en santé mentale",
    ),
    "education": ("École primaire", "École secondaire", "Centre d'éducation des adultes"),
    "municipal": (
        "Direction de l'arrondissement",
        "Bibliothèque de quartier",
        "Service des loisirs",
    ),
    "philanthropie": ("Fondation familiale", "Fondation communautaire"),
    "recherche": (
        "Équipe de recherche universitaire",
        "Centre de recherche en développement social",
    ),
    "prive": ("Commerce d'alimentation", "Regroupement de gens d'affaires", "Caisse locale"),
    "citoyen": ("Comité de résident·es", "Collectif citoyen", "Regroupement de parents"),
}

# Les acteurs d'influence (DOMAIN.md) : les bailleurs, les chercheur·es et les décideur·es
# extérieurs au quartier. Les bailleurs et la recherche le sont par leur secteur; au municipal,
# seule la direction de l'arrondissement décide : la bibliothèque et le service des loisirs sont
# des services de proximité, pas des acteurs d'influence.
SECTEURS_D_INFLUENCE = ("philanthropie", "recherche")
DECIDEURS = ("Direction de l'arrondissement",)
LIBELLE_PAR_DEFAUT = "Organisme"  # un secteur que LIBELLES ne connaît pas

# Partenaires fictifs présents dans les cinq quartiers : des acteurs d'influence tardifs.
PARTENAIRES_COMMUNS = (
    ("Fondation Horizon solidaire (fictif)", "philanthropie", 2018),
    ("Laboratoire universitaire Quartiers en transition (fictif)", "recherche", 2020),
)


@dataclass(frozen=True)
class PartenaireDemo:
    """Un partenaire fictif prévu pour une table, avec sa participation."""

    nom: str
    secteur: str
    acteur_influence: bool
    role: str
    debut: datetime.date
    fin: datetime.date | None


def est_acteur_d_influence(secteur: str, libelle: str) -> bool:
    """Bailleur, chercheur·e ou décideur·e extérieur au quartier : ni tiré au sort, ni tout le
    municipal."""
    return secteur in SECTEURS_D_INFLUENCE or libelle in DECIDEURS


def role_du_secteur(secteur: str, rng: random.Random) -> str:
    """Un rôle plausible à la table selon le secteur du partenaire (données synthétiques)."""
    if secteur == "philanthropie":
        return RoleParticipation.BAILLEUR
    if secteur == "recherche":
        return RoleParticipation.SOUTIEN
    choix = [RoleParticipation.MEMBRE, RoleParticipation.COMITE]
    if secteur == "communautaire":
        choix.append(RoleParticipation.PORTEUR)
    return rng.choice(choix)


def _date_du_mois(annee: int, rng: random.Random) -> datetime.date:
    return datetime.date(annee, rng.randint(1, 12), 1)


def fin_de_participation(
    debut: datetime.date, rng: random.Random, aujourd_hui: datetime.date
) -> datetime.date | None:
    """Environ un partenaire sur sept quitte la table après un à cinq ans (un acteur d'influence
    aussi : fin d'un cycle de financement, d'un projet de recherche, d'un mandat). Deux tirages
    de `rng`, à donner propre au partenaire : la règle des départs ne déplace aucun autre tirage.
    Partagée avec les données d'échelle (rapports.echelle.registre)."""
    part, duree = rng.random(), rng.randint(400, 1800)
    fin = debut + datetime.timedelta(days=duree)
    return fin if part < 0.15 and fin < aujourd_hui else None


def libelle_du_partenaire(secteur: str, usages: Counter[str], rng: random.Random) -> str:
    """Le libellé d'un nouveau partenaire du secteur (`usages` : les libellés déjà pris à cette
    table). La direction de l'arrondissement est le premier partenaire municipal de la table, et
    le seul : les suivants sont des services. Un secteur ajouté hors du référentiel donne
    « Organisme ». Partagée avec les données d'échelle (rapports.echelle.registre)."""
    libelles = LIBELLES.get(secteur, (LIBELLE_PAR_DEFAUT,))
    libres = [libelle for libelle in libelles if not usages[libelle] or libelle not in DECIDEURS]
    libelle = rng.choice(libres)
    if secteur == "municipal" and not any(usages[m] for m in libelles):
        return DECIDEURS[0]
    return libelle


def _secteurs_de_l_annee(rang: int, rng: random.Random) -> list[str]:
    """Le premier arrivant de l'année vient d'un secteur qui s'ouvre, s'il y en a un."""
    ouverts = [secteur for debut, secteur in OUVERTURE_SECTEURS if debut <= rang]
    nouveaux = [secteur for debut, secteur in OUVERTURE_SECTEURS if debut == rang]
    if rang == 0:
        return ["communautaire"] * 4 + ["sante-services-sociaux"] + ["communautaire"]
    nombre = rng.randint(2, 4)
    tires = [rng.choice(ouverts) for _ in range(nombre)]
    return (nouveaux + tires)[:nombre] if nouveaux else tires


def planifier_partenaires(
    profil: ProfilDemo, nom_quartier: str, aujourd_hui: datetime.date
) -> list[PartenaireDemo]:
    """Les partenaires fictifs d'un quartier, année après année depuis son arrivée au registre."""
    rng = generateur("registre", profil.slug)
    usages: Counter[str] = Counter()
    plans = []
    for annee in range(profil.annee_debut, aujourd_hui.year + 1):
        for secteur in _secteurs_de_l_annee(annee - profil.annee_debut, rng):
            libelle = libelle_du_partenaire(secteur, usages, rng)
            usages[libelle] += 1
            numero = f" {usages[libelle]}" if usages[libelle] > 1 else ""
            debut = _date_du_mois(annee, rng)
            nom = f"{libelle}{numero} — {nom_quartier} (fictif)"
            # le départ, tiré pour ce partenaire seul : la règle des départs ne déplace aucun
            # autre tirage du registre
            fin = fin_de_participation(debut, generateur("depart", profil.slug, nom), aujourd_hui)
            influence = est_acteur_d_influence(secteur, libelle)
            plans.append(
                PartenaireDemo(nom, secteur, influence, role_du_secteur(secteur, rng), debut, fin)
            )
    for nom, secteur, annee in PARTENAIRES_COMMUNS:
        debut = _date_du_mois(max(annee, profil.annee_debut + 1), rng)
        plans.append(PartenaireDemo(nom, secteur, True, role_du_secteur(secteur, rng), debut, None))
    return [plan for plan in plans if plan.debut <= aujourd_hui]  # rien dans le futur


def creer_registre(
    table: TableDeQuartier, plans: list[PartenaireDemo], secteurs: dict[str, Secteur]
) -> dict[str, Partenaire]:
    """Crée les partenaires et les participations qui manquent, remet au plan ceux qui existent
    (acteur d'influence, fin de participation : une démonstration chargée avant la règle, ou un
    départ devenu passé depuis); renvoie les partenaires par nom."""
    noms = {plan.nom for plan in plans}
    partenaires = {p.nom: p for p in Partenaire.objects.filter(nom__in=noms)}
    _remettre_au_plan(table, plans, partenaires)
    nouveaux = {
        plan.nom: Partenaire(
            nom=plan.nom,
            secteur=secteurs[plan.secteur],
            acteur_influence=plan.acteur_influence,
            donnees_fictives=True,
        )
        for plan in plans
        if plan.nom not in partenaires
    }
    Partenaire.objects.bulk_create(nouveaux.values())
    partenaires.update(nouveaux)
    existantes = set(
        Participation.objects.filter(table=table).values_list("partenaire_id", "debut")
    )
    Participation.objects.bulk_create(
        Participation(
            partenaire=partenaires[plan.nom],
            table=table,
            role=plan.role,
            debut=plan.debut,
            fin=plan.fin,
        )
        for plan in plans
        if (partenaires[plan.nom].pk, plan.debut) not in existantes
    )
    return partenaires


def _remettre_au_plan(
    table: TableDeQuartier, plans: list[PartenaireDemo], partenaires: dict[str, Partenaire]
) -> None:
    """Les partenaires fictifs déjà en base reprennent le drapeau du plan, leurs participations
    à cette table (retrouvées par leur début) sa fin. Rien à écrire d'une exécution à l'autre."""
    a_marquer = []
    for plan in plans:
        partenaire = partenaires.get(plan.nom)
        if partenaire is not None and partenaire.acteur_influence != plan.acteur_influence:
            partenaire.acteur_influence = plan.acteur_influence
            a_marquer.append(partenaire)
    Partenaire.objects.bulk_update(a_marquer, ["acteur_influence"])
    fins = {(partenaires[p.nom].pk, p.debut): p.fin for p in plans if p.nom in partenaires}
    a_finir = []
    for participation in Participation.objects.filter(
        table=table, partenaire__in=partenaires.values()
    ):
        cle = (participation.partenaire_id, participation.debut)
        if cle in fins and participation.fin != fins[cle]:
            participation.fin = fins[cle]
            a_finir.append(participation)
    Participation.objects.bulk_update(a_finir, ["fin"])


# --- Actions ------------------------------------------------------------------------------------

ACTIONS_PARTICIPATION = (
    "Forum citoyen sur le plan de quartier",
    "Comité de résident·es du plan de quartier",
    "Marche exploratoire",
    "Cafés citoyens",
    "Consultation des familles",
    "Budget participatif de quartier",
    "Assemblée de quartier",
    "Formation au leadership citoyen",
    "Panel de résident·es sur l'habitation",
    "Kiosques d'information dans les parcs",
    "Comité de parents ambassadeurs",
    "Laboratoire citoyen sur l'aménagement",
)

AUTRES_ACTIONS = (
    (TypeAction.CONCERTATION, "Chantier concerté en sécurité alimentaire", ("C1", "C5")),
    (TypeAction.CONCERTATION, "Comité intersectoriel en habitation", ("C1",)),
    (TypeAction.PROJET, "Verdissement et animation des ruelles", ("C6",)),
    (TypeAction.PROJET, "Marché solidaire saisonnier", ("C5",)),
    (TypeAction.SERVICE, "Accompagnement des familles à la rentrée scolaire", ("C3",)),
    (TypeAction.SERVICE, "Halte-garderie communautaire", ("C3",)),
    (TypeAction.INFLUENCE, "Rencontres avec les bailleurs de fonds du plan", ("C4",)),
    (TypeAction.INFLUENCE, "Représentations auprès de l'arrondissement", ("C4", "C6")),
    (TypeAction.EVALUATION, "Démarche d'évaluation accompagnée (ÉvalPIC)", ("C1",)),
    (TypeAction.EVALUATION, "Mise à jour du portrait de quartier", ("C1",)),
    (TypeAction.COMMUNICATION, "Bulletin du plan de quartier", ("C2",)),
)


# Les services d'AUTRES_ACTIONS au changement sur les personnes (C3) sont ceux de la réussite
# éducative; un quartier d'un autre thème a, au même rang, les siens (un titre, le même tirage).
SERVICES_C3 = tuple(gabarit for _type, gabarit, codes in AUTRES_ACTIONS if codes == ("C3",))
SERVICES_DU_THEME = {
    "alimentation": (
        "Ateliers de cuisine collective",
        "Jardins collectifs et ateliers d'agriculture urbaine",
    ),
    "habitation": (
        "Séances d'information sur les droits des locataires",
        "Accompagnement des locataires dans leurs démarches",
    ),
    "inclusion": (
        "Accueil et jumelage des personnes nouvellement arrivées",
        "Activités interculturelles de quartier",
    ),
}


def _gabarit_du_theme(gabarit: str, profil: ProfilDemo) -> str:
    services = SERVICES_DU_THEME.get(profil.theme_personnes)
    return services[SERVICES_C3.index(gabarit)] if services and gabarit in SERVICES_C3 else gabarit


@dataclass(frozen=True)
class ActionDemo:
    titre: str
    type_action: str
    debut: datetime.date
    fin: datetime.date | None
    codes: tuple[str, ...]


def _duree(
    debut: datetime.date, rng: random.Random, aujourd_hui: datetime.date
) -> datetime.date | None:
    """Une action dure d'un à quatre ans; un tiers sont toujours en cours."""
    en_cours, annees = rng.random() < 0.35, rng.randint(1, 4)
    fin = debut + datetime.timedelta(days=365 * annees - 1)
    return None if en_cours or fin >= aujourd_hui else fin


def planifier_actions(profil: ProfilDemo, aujourd_hui: datetime.date) -> list[ActionDemo]:
    """Des actions chaque année; celles de participation citoyenne deviennent plus nombreuses."""
    rng = generateur("actions", profil.slug)
    actions = []
    for annee in range(profil.annee_debut, aujourd_hui.year + 1):
        rang = annee - profil.annee_debut
        participation = rng.sample(ACTIONS_PARTICIPATION, 1 + (rang >= 3) + (rang >= 6))
        autres = rng.sample(AUTRES_ACTIONS, rng.randint(1, 2))
        for gabarit in participation:
            debut = _date_du_mois(annee, rng)
            fin = _duree(debut, rng, aujourd_hui)
            titre = f"{gabarit} ({annee})"
            actions.append(
                ActionDemo(titre, TypeAction.PARTICIPATION_CITOYENNE, debut, fin, ("C2",))
            )
        for type_action, gabarit, codes in autres:
            debut = _date_du_mois(annee, rng)
            fin = _duree(debut, rng, aujourd_hui)
            titre = f"{_gabarit_du_theme(gabarit, profil)} ({annee})"
            actions.append(ActionDemo(titre, type_action, debut, fin, codes))
    return [action for action in actions if action.debut <= aujourd_hui]


def _actifs_au(plans: list[PartenaireDemo], jour: datetime.date) -> list[PartenaireDemo]:
    return [p for p in plans if p.debut <= jour and (p.fin is None or p.fin >= jour)]


def creer_actions(
    quartier: Quartier,
    actions: list[ActionDemo],
    plans: list[PartenaireDemo],
    partenaires: dict[str, Partenaire],
    changements_par_date: list[tuple[datetime.date, dict[str, ChangementVise]]],
) -> None:
    """Crée les actions qui manquent, avec leur porteur, leurs partenaires et les changements
    visés de la stratégie en vigueur à leur début."""
    existantes = set(Action.objects.filter(quartier=quartier).values_list("titre", flat=True))
    for demo in actions:
        if demo.titre in existantes:
            continue
        rng = generateur("action", quartier.slug, demo.titre)
        actifs = _actifs_au(plans, demo.debut) or plans[:3]
        impliques = rng.sample(actifs, min(len(actifs), rng.randint(2, 4)))
        action = Action.objects.create(
            quartier=quartier,
            titre=demo.titre,
            description="Action fictive créée pour la démonstration.",
            type_action=demo.type_action,
            porteur=partenaires[impliques[0].nom],
            debut=demo.debut,
            fin=demo.fin,
        )
        action.partenaires.set([partenaires[p.nom] for p in impliques])
        changements = _changements_au(changements_par_date, demo.debut)
        action.changements.set([changements[c] for c in demo.codes if c in changements])


def _changements_au(
    changements_par_date: list[tuple[datetime.date, dict[str, ChangementVise]]],
    jour: datetime.date,
) -> dict[str, ChangementVise]:
    """Les changements de la dernière stratégie adoptée à cette date (la première sinon)."""
    retenus = changements_par_date[0][1]
    for adoptee_le, changements in changements_par_date:
        if adoptee_le <= jour:
            retenus = changements
    return retenus
