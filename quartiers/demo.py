"""Données de démonstration : un jeu FICTIF et déterministe pour les cinq quartiers en soutien
intensif, plus un compte de démonstration par rôle.

`charger_demo()` charge d'abord le référentiel, puis crée (sans doublon : chaque ligne est
retrouvée par sa clé naturelle) les périodes trimestrielles depuis 2023, le registre des
partenaires et des actions, les stratégies de changement, les indicateurs suivis et leurs
cibles, les saisies et leurs valeurs, les apprentissages, puis quelques échanges (commentaires
de saisies, un brouillon de stratégie soumis : `demo_echanges`, sans courriel). Tout ce qui est
inventé est marqué comme tel (`donnees_fictives`, « (fictif) », « [Données fictives] »)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from indicateurs.models import (
    Action,
    Apprentissage,
    ChangementVise,
    Cible,
    CommentaireSaisie,
    Indicateur,
    IndicateurSuivi,
    LienDeChangement,
    Periode,
    Saisie,
    StrategieDeChangement,
    Theme,
    Valeur,
)
from indicateurs.periodes import bornes_du_trimestre, statut_selon_calendrier
from quartiers.demo_apprentissages import creer_apprentissages
from quartiers.demo_commun import MOT_DE_PASSE_DEMO, PREMIERE_ANNEE_SAISIE, PROFILS, ProfilDemo
from quartiers.demo_echanges import (
    COORDINATION_CENTRE_SUD,
    creer_brouillon_soumis,
    creer_commentaires,
)
from quartiers.demo_registre import (
    creer_actions,
    creer_registre,
    planifier_actions,
    planifier_partenaires,
)
from quartiers.demo_saisies import creer_saisies, creer_suivis
from quartiers.demo_strategies import creer_strategies
from quartiers.models import (
    Affectation,
    Partenaire,
    Participation,
    Quartier,
    RoleAffectation,
    RoleGlobal,
    Secteur,
    Utilisateur,
)
from quartiers.referentiel import Decompte, charger_referentiel

DEBUT_AFFECTATIONS = datetime.date(2016, 1, 1)


@dataclass(frozen=True)
class CompteDemo:
    courriel: str
    prenom: str
    role: str  # pour l'affichage
    role_global: str = RoleGlobal.AUCUN
    affectations: tuple[tuple[str, str], ...] = ()
    admin: bool = False


COMPTES = (
    CompteDemo(
        "coordination@demo.evalpic.ca",
        "Coordination",
        "coordonnateur·trice de la table de Saint-Michel",
        affectations=(("saint-michel", RoleAffectation.COORDONNATEUR),),
    ),
    CompteDemo(
        COORDINATION_CENTRE_SUD,
        "Coordination Centre-Sud",
        "coordonnateur·trice de la table de Centre-Sud",
        affectations=(("centre-sud", RoleAffectation.COORDONNATEUR),),
    ),
    CompteDemo(
        "conseil@demo.evalpic.ca",
        "Conseil",
        "conseiller·ère Centraide (Saint-Michel, Parc-Extension, Centre-Sud)",
        affectations=(
            ("saint-michel", RoleAffectation.CONSEILLER),
            ("parc-extension", RoleAffectation.CONSEILLER),
            ("centre-sud", RoleAffectation.CONSEILLER),
        ),
    ),
    CompteDemo(
        "evaluation@demo.evalpic.ca",
        "Évaluation",
        "évaluateur·trice Dynamo (tous les quartiers)",
        role_global=RoleGlobal.EVALUATEUR,
    ),
    CompteDemo(
        "admin@demo.evalpic.ca",
        "Administration",
        "administrateur·trice",
        role_global=RoleGlobal.ADMIN,
        admin=True,
    ),
)


@dataclass
class ResumeDemo:
    """Ce que `charger_demo()` a chargé : le référentiel, les effectifs, les comptes."""

    referentiel: dict[str, Decompte]
    effectifs: dict[str, int] = field(default_factory=dict)
    comptes: tuple[CompteDemo, ...] = COMPTES
    mot_de_passe: str = MOT_DE_PASSE_DEMO


# --- Comptes ------------------------------------------------------------------------------------


def creer_compte(compte: CompteDemo, quartiers: dict[str, Quartier]) -> Utilisateur:
    """Crée (ou remet en état) un compte de démonstration et ses affectations; le mot de passe
    de démonstration est réappliqué à chaque exécution."""
    champs = {
        "first_name": compte.prenom,
        "last_name": "(démo)",
        "role_global": compte.role_global,
        "is_staff": compte.admin,
        "is_superuser": compte.admin,
    }
    utilisateur = Utilisateur.objects.filter(email=compte.courriel).first()
    if utilisateur is None:
        utilisateur = Utilisateur.objects.create_user(compte.courriel, MOT_DE_PASSE_DEMO, **champs)
    else:
        for nom, valeur in champs.items():
            setattr(utilisateur, nom, valeur)
        utilisateur.set_password(MOT_DE_PASSE_DEMO)
        utilisateur.save()
    for slug, role in compte.affectations:
        Affectation.objects.get_or_create(
            utilisateur=utilisateur, quartier=quartiers[slug], role=role, debut=DEBUT_AFFECTATIONS
        )
    return utilisateur


# --- Périodes -----------------------------------------------------------------------------------


def creer_periodes(aujourd_hui: datetime.date) -> list[Periode]:
    """Les trimestres de 2023-T1 au trimestre en cours, avec le statut que leur donne le
    calendrier de saisie (`indicateurs.periodes`) : comme si beat avait toujours tourné."""
    periodes = []
    annee, trimestre = PREMIERE_ANNEE_SAISIE, 1
    while bornes_du_trimestre(annee, trimestre)[0] <= aujourd_hui:
        debut, fin = bornes_du_trimestre(annee, trimestre)
        echeance = fin + datetime.timedelta(days=settings.EVALPIC_ECHEANCE_JOURS_APRES_FIN)
        periode, _ = Periode.objects.update_or_create(
            annee=annee,
            trimestre=trimestre,
            defaults={
                "debut": debut,
                "fin": fin,
                "echeance": echeance,
                "statut": statut_selon_calendrier(
                    fin=fin, echeance=echeance, aujourd_hui=aujourd_hui
                ),
            },
        )
        periodes.append(periode)
        annee, trimestre = (annee + 1, 1) if trimestre == 4 else (annee, trimestre + 1)
    return periodes


# --- Un quartier --------------------------------------------------------------------------------


@dataclass
class Contexte:
    """Ce que chaque quartier réutilise : référentiel, périodes, comptes."""

    aujourd_hui: datetime.date
    secteurs: dict[str, Secteur]
    themes: dict[str, Theme]
    indicateurs: dict[str, Indicateur]
    periodes: list[Periode]
    comptes: dict[str, Utilisateur]

    @property
    def periodes_passees(self) -> list[Periode]:
        """Les trimestres terminés : fermés, ou encore ouverts pour la saisie."""
        return [p for p in self.periodes if p.fin < self.aujourd_hui]

    @property
    def fins_d_annee(self) -> list[Periode]:
        return [p for p in self.periodes if p.trimestre == 4]


def peupler_quartier(quartier: Quartier, profil: ProfilDemo, ctx: Contexte) -> None:
    """Le registre, la stratégie, le suivi, les saisies et les apprentissages d'un quartier."""
    plans = planifier_partenaires(profil, quartier.nom, ctx.aujourd_hui)
    partenaires = creer_registre(quartier.table, plans, ctx.secteurs)
    strategies = creer_strategies(quartier, profil, ctx.themes, ctx.indicateurs)
    actions = planifier_actions(profil, ctx.aujourd_hui)
    creer_actions(quartier, actions, plans, partenaires, strategies)
    creer_suivis(quartier, profil, ctx.indicateurs, ctx.fins_d_annee)
    coordination = ctx.comptes["coordination@demo.evalpic.ca"]
    evaluation = ctx.comptes["evaluation@demo.evalpic.ca"]
    coordonne = quartier.slug == "saint-michel"
    creer_saisies(
        quartier.table,
        profil,
        ctx.indicateurs,
        ctx.periodes_passees,
        coordination if coordonne else None,
        evaluation,
    )
    creer_apprentissages(
        quartier,
        ctx.periodes_passees,
        strategies[-1][1],
        ctx.indicateurs,
        coordination if coordonne else evaluation,
    )


MODELES_RESUMES = (
    Utilisateur,
    Affectation,
    Quartier,
    Partenaire,
    Participation,
    Action,
    StrategieDeChangement,
    ChangementVise,
    LienDeChangement,
    IndicateurSuivi,
    Cible,
    Periode,
    Saisie,
    Valeur,
    Apprentissage,
    CommentaireSaisie,
)


def effectifs() -> dict[str, int]:
    """Le nombre de lignes de chaque modèle que la démonstration remplit."""
    return {str(m._meta.verbose_name_plural): m.objects.count() for m in MODELES_RESUMES}


@transaction.atomic
def charger_demo(*, aujourd_hui: datetime.date | None = None) -> ResumeDemo:
    """Charge le référentiel puis les données fictives de démonstration, sans doublon."""
    aujourd_hui = aujourd_hui or timezone.localdate()
    resume = ResumeDemo(referentiel=charger_referentiel())
    quartiers = Quartier.objects.select_related("table").in_bulk(
        [p.slug for p in PROFILS], field_name="slug"
    )
    ctx = Contexte(
        aujourd_hui=aujourd_hui,
        secteurs=Secteur.objects.in_bulk(field_name="code"),
        themes=Theme.objects.in_bulk(field_name="code"),
        indicateurs=Indicateur.objects.in_bulk(field_name="code"),
        periodes=creer_periodes(aujourd_hui),
        comptes={c.courriel: creer_compte(c, quartiers) for c in COMPTES},
    )
    for profil in PROFILS:
        peupler_quartier(quartiers[profil.slug], profil, ctx)
    # Les échanges de la plateforme, sans courriel : commentaires, un brouillon soumis.
    creer_commentaires(quartiers, ctx.indicateurs, ctx.comptes)
    creer_brouillon_soumis(
        quartiers["centre-sud"],
        ctx.comptes[COORDINATION_CENTRE_SUD],
        ctx.themes,
        ctx.indicateurs,
        aujourd_hui,
    )
    resume.effectifs = effectifs()
    return resume
