"""Données de démonstration : une stratégie de changement fictive par quartier, en deux versions
(v1 archivée, v2 en vigueur), avec ses changements visés, les liens entre eux et leurs
hypothèses, et les indicateurs (marqueurs de progrès) de chaque changement."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from indicateurs.models import (
    ChangementVise,
    Famille,
    Horizon,
    Indicateur,
    LienDeChangement,
    StatutStrategie,
    StrategieDeChangement,
    Theme,
)
from quartiers.demo_commun import PREFIXE_FR, ProfilDemo
from quartiers.models import Quartier


@dataclass(frozen=True)
class ChangementDemo:
    code: str
    libelle: str
    horizon: str
    famille: str
    theme: str | None
    indicateurs: tuple[str, ...]
    dans_v1: bool


def changements_du_profil(profil: ProfilDemo) -> list[ChangementDemo]:
    """Les changements visés (v2) d'un quartier; ceux marqués `dans_v1` formaient la v1. Le
    changement sur les personnes (C3) suit le thème du quartier, et ses marqueurs aussi
    (`ProfilDemo.indicateurs_personnes`)."""
    changements = [
        ChangementDemo(
            "C1",
            "Une concertation élargie à de nouveaux secteurs et à des acteurs d'influence",
            Horizon.COURT,
            Famille.PROCESSUS,
            None,
            ("proc-partenaires-actifs", "proc-diversite-partenaires", "proc-qualite-concertation"),
            True,
        ),
        ChangementDemo(
            "C2",
            "Des résident·es associé·es à la planification et aux décisions de la table",
            Horizon.COURT,
            Famille.PROCESSUS,
            "inclusion",
            ("proc-actions-participation", "proc-benevoles"),
            True,
        ),
        ChangementDemo(
            "C3",
            profil.changement_personnes,
            Horizon.MOYEN,
            Famille.PERSONNES,
            profil.theme_personnes,
            profil.indicateurs_personnes,
            True,
        ),
        ChangementDemo(
            "C4",
            "Des bailleurs et l'arrondissement engagés dans le financement et la mise en œuvre "
            "du plan",
            Horizon.MOYEN,
            Famille.SYSTEME,
            None,
            ("sys-financement-mobilise", "sys-politique-municipale", "proc-acteurs-influence"),
            False,
        ),
        ChangementDemo(
            "C5",
            "Un accès durable à une alimentation saine et abordable pour les ménages du quartier",
            Horizon.LONG,
            Famille.CONDITIONS_DE_VIE,
            "alimentation",
            ("cond-menages-securite-alimentaire",),
            True,
        ),
        ChangementDemo(
            "C6",
            "Des espaces publics plus sûrs, mieux aménagés et plus fréquentés",
            Horizon.LONG,
            Famille.CONDITIONS_DE_VIE,
            "infrastructures-lieux-communautaires",
            ("cond-signalements-incivilites",),
            False,
        ),
    ]
    return [c for c in changements if not (profil.sans_c6 and c.code == "C6")]


LIENS = (
    (
        "C1",
        "C3",
        "Si des partenaires de plus de secteurs travaillent ensemble, les actions "
        "rejoignent des personnes que chaque organisme ne rejoignait pas seul.",
    ),
    (
        "C2",
        "C3",
        "Si les résident·es prennent part aux décisions, les actions répondent mieux à "
        "leurs besoins et attirent davantage de participant·es.",
    ),
    (
        "C3",
        "C5",
        "Si plus de ménages connaissent et utilisent les ressources du quartier, leur "
        "accès à une alimentation saine s'améliore.",
    ),
    (
        "C1",
        "C4",
        "Si la table joint des bailleurs et des décideur·es, ceux-ci s'engagent plus "
        "tôt dans la conception et le financement des projets (effet levier).",
    ),
    (
        "C4",
        "C5",
        "Si le financement est plus stable et moins normé, les services alimentaires "
        "peuvent durer au-delà d'un projet pilote.",
    ),
    (
        "C4",
        "C6",
        "Si l'arrondissement adopte une décision favorable, l'aménagement des espaces "
        "publics suit les priorités du plan.",
    ),
    (
        "C2",
        "C6",
        "Si les résident·es s'approprient les lieux publics, ils deviennent plus "
        "fréquentés et moins propices aux incivilités.",
    ),
)


def dates_adoption(profil: ProfilDemo) -> tuple[datetime.date, datetime.date]:
    """Adoption de la v1 un an après l'arrivée au registre, de la v2 à mi-parcours."""
    v1 = datetime.date(profil.annee_debut + 1, 6, 15)
    v2 = datetime.date(2022, 3, 15) if profil.annee_debut >= 2018 else datetime.date(2021, 10, 15)
    return v1, v2


def _version(
    quartier: Quartier, version: int, adoptee_le: datetime.date, statut: str, annees: str
) -> StrategieDeChangement:
    adoptee_depuis = quartier.strategies.filter(
        version__gt=version, statut=StatutStrategie.EN_VIGUEUR
    ).exists()
    if statut == StatutStrategie.EN_VIGUEUR and adoptee_depuis:
        # Une version adoptée depuis sur le site reste en vigueur : recharger la démonstration
        # n'en remet pas une seconde en vigueur (une seule par quartier), celle-ci est archivée.
        statut = StatutStrategie.ARCHIVEE
    vision = (
        f"{PREFIXE_FR} Un quartier où les résident·es et les partenaires agissent ensemble "
        f"pour réduire la pauvreté et améliorer les conditions de vie à {quartier.nom}."
    )
    strategie, _ = StrategieDeChangement.objects.update_or_create(
        quartier=quartier,
        version=version,
        defaults={
            "titre": f"Stratégie de changement {annees} (version {version}, fictive)",
            "vision": vision,
            "statut": statut,
            "adoptee_le": adoptee_le,
            "donnees_fictives": True,
        },
    )
    return strategie


def _changements(
    strategie: StrategieDeChangement,
    demos: list[ChangementDemo],
    themes: dict[str, Theme],
    indicateurs: dict[str, Indicateur],
) -> dict[str, ChangementVise]:
    resultat = {}
    for ordre, demo in enumerate(demos, start=1):
        changement, _ = ChangementVise.objects.update_or_create(
            strategie=strategie,
            code=demo.code,
            defaults={
                "libelle": demo.libelle,
                "description": f"{PREFIXE_FR} Changement visé fictif, pour la démonstration.",
                "horizon": demo.horizon,
                "famille": demo.famille,
                "theme": themes.get(demo.theme) if demo.theme else None,
                "ordre": ordre,
            },
        )
        changement.indicateurs.set([indicateurs[code] for code in demo.indicateurs])
        resultat[demo.code] = changement
    return resultat


def _liens(strategie: StrategieDeChangement, changements: dict[str, ChangementVise]) -> None:
    for source, cible, hypothese in LIENS:
        if source in changements and cible in changements:
            LienDeChangement.objects.update_or_create(
                source=changements[source],
                cible=changements[cible],
                defaults={"strategie": strategie, "hypothese": hypothese},
            )


def creer_strategies(
    quartier: Quartier,
    profil: ProfilDemo,
    themes: dict[str, Theme],
    indicateurs: dict[str, Indicateur],
) -> list[tuple[datetime.date, dict[str, ChangementVise]]]:
    """Les deux versions de la stratégie; renvoie, par date d'adoption, leurs changements."""
    demos = changements_du_profil(profil)
    adoption_v1, adoption_v2 = dates_adoption(profil)
    resultat = []
    versions = (
        (1, adoption_v1, StatutStrategie.ARCHIVEE, [d for d in demos if d.dans_v1]),
        (2, adoption_v2, StatutStrategie.EN_VIGUEUR, demos),
    )
    for version, adoptee_le, statut, retenus in versions:
        annees = (
            f"{adoption_v1.year}-{adoption_v2.year - 1}"
            if version == 1
            else f"{adoption_v2.year}-{adoption_v2.year + 5}"
        )
        strategie = _version(quartier, version, adoptee_le, statut, annees)
        changements = _changements(strategie, retenus, themes, indicateurs)
        _liens(strategie, changements)
        resultat.append((adoptee_le, changements))
    return resultat
