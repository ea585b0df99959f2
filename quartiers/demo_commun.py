"""Ce que partagent les modules de données de démonstration : la graine, les générateurs
pseudo-aléatoires déterministes et le profil (fictif) de chaque quartier en soutien intensif.

Chaque générateur est dérivé de la graine et d'une étiquette (quartier, indicateur, période…) :
une donnée ne dépend pas de l'ordre de création ni de la date du jour, et une seconde exécution
retrouve exactement les mêmes lignes."""

from __future__ import annotations

import random
from dataclasses import dataclass

GRAINE = 20160401
MOT_DE_PASSE_DEMO = "demo-evalpic-2026"  # comptes de démonstration seulement
SOURCE_FICTIVE = "Données fictives"
SOURCE_FICTIVE_EN = "Fictional data"
PREFIXE_FR = "[Données fictives]"
PREFIXE_EN = "[Fictional data]"
ANNEE_REFERENCE = 2022  # les valeurs de référence sont datées du 31 décembre de cette année
PREMIERE_ANNEE_SAISIE = 2023


def generateur(*etiquettes: object) -> random.Random:
    """Un générateur déterministe propre à une étiquette (une chaîne : graine stable)."""
    return random.Random(":".join(str(e) for e in (GRAINE, *etiquettes)))


@dataclass(frozen=True)
class ProfilDemo:
    """Le profil fictif d'un quartier : de quoi varier les données d'un quartier à l'autre."""

    slug: str
    annee_debut: int  # arrivée des premiers partenaires au registre
    taille: float  # facteur d'échelle des comptes (ménages, personnes, dollars…)
    theme_personnes: str  # thème du changement visé de moyen terme sur les personnes
    changement_personnes: str
    # Les marqueurs de progrès de ce changement, pris au catalogue selon son thème : un
    # évaluateur doit pouvoir lire la mesure dans le libellé (pas la vie scolaire pour des
    # locataires). Chacun est un indicateur saisi et suivi par le quartier.
    indicateurs_personnes: tuple[str, ...]
    sujet_politique: str  # objet de la démarche municipale suivie en texte
    sans_c6: bool = False  # stratégie v2 à cinq changements plutôt que six


PROFILS: tuple[ProfilDemo, ...] = (
    ProfilDemo(
        slug="centre-sud",
        annee_debut=2016,
        taille=1.0,
        theme_personnes="alimentation",
        changement_personnes=(
            "Des résident·es qui développent leurs savoir-faire en agriculture urbaine "
            "et en cuisine"
        ),
        # les ateliers de jardinage et de cuisine, et les semis de la serre communautaire
        indicateurs_personnes=("pers-personnes-rejointes", "cond-semis-distribues"),
        sujet_politique="politique locale d'agriculture urbaine",
    ),
    ProfilDemo(
        slug="cote-des-neiges",
        annee_debut=2016,
        taille=2.2,
        theme_personnes="habitation",
        changement_personnes="Des locataires mieux informé·es de leurs droits et accompagné·es",
        # les séances d'information, et les ménages que le comité logement accompagne
        indicateurs_personnes=("pers-personnes-rejointes", "cond-menages-accompagnes-logement"),
        sujet_politique="règlement sur la salubrité des logements",
    ),
    ProfilDemo(
        slug="parc-extension",
        annee_debut=2018,  # la table de quartier a été créée en 2018
        taille=1.0,
        theme_personnes="inclusion",
        changement_personnes=(
            "Des personnes nouvellement arrivées qui prennent part à la vie du quartier"
        ),
        # les activités qui les rejoignent, et les résident·es qui y prennent une place
        indicateurs_personnes=("pers-personnes-rejointes", "pers-leadership-citoyen"),
        sujet_politique="politique d'accès aux locaux communautaires",
        sans_c6=True,
    ),
    ProfilDemo(
        slug="saint-leonard",
        annee_debut=2016,
        taille=1.6,
        theme_personnes="reussite-educative-emploi",
        changement_personnes="Des parents plus présents dans le parcours scolaire de leurs enfants",
        indicateurs_personnes=("pers-participation-parents", "pers-personnes-rejointes"),
        sujet_politique="plan local de déplacements",
        sans_c6=True,
    ),
    ProfilDemo(
        slug="saint-michel",
        annee_debut=2016,
        taille=1.4,
        theme_personnes="reussite-educative-emploi",
        changement_personnes="Des jeunes et des parents plus engagés dans la réussite éducative",
        indicateurs_personnes=("pers-participation-parents", "pers-personnes-rejointes"),
        sujet_politique="politique de sécurité urbaine",
    ),
)
