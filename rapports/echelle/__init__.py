"""Données synthétiques « à l'échelle » pour le banc d'essai des performances.

`generer_donnees_echelle()` crée, en une seule transaction et par insertions en lot, N quartiers
fictifs (« Échelle 001 »…), M indicateurs saisis (« echelle-ind-001 »…) et T trimestres
consécutifs qui finissent au trimestre en cours. Pour chaque quartier : sa table, son registre
de partenaires et d'actions, sa stratégie de changement (v1 en vigueur), le suivi des M
indicateurs saisis et des indicateurs calculés du catalogue avec leurs cibles de fin d'année,
une saisie par trimestre et une valeur par indicateur saisi et par saisie (≈ N × M × T), chacune
avec sa ligne d'historique (et, dans une saisie transmise, marquée demandée comme à la
soumission : `Valeur.demandee`), et des apprentissages dans les quatre rubriques du bilan.
Les données se lisent comme la démonstration, dont elles appellent les règles : la raison d'un
« non disponible » tient à la source de l'indicateur, les acteurs d'influence sont les
bailleurs, la recherche et la direction de l'arrondissement, et certains repartent.

Tout est fictif et marqué comme tel (noms préfixés « Échelle », `donnees_fictives`). Les
données ne dépendent que de la graine, des tailles et du jour : deux exécutions identiques
donnent les mêmes valeurs. Sans `remplacer`, une seconde exécution est refusée sans rien écrire;
avec lui, les données d'échelle existantes sont d'abord effacées.

Le paquet suit les étapes : `outils` (tailles, types partagés, insertion en lot, dates au
hasard), `referentiel` (présence, effacement, référentiel, périodes), `catalogue` (indicateurs
et quartiers), `registre` (partenaires, participations, actions), `strategies` (stratégies de
changement), `suivis` (séries, suivis et cibles), `saisies` (saisies, valeurs, historique et
apprentissages); ce module-ci les enchaîne.
"""

from __future__ import annotations

import datetime
from collections import Counter

from django.db import connection, transaction
from django.utils import timezone, translation

from indicateurs.models import (
    Action,
    Apprentissage,
    ChangementVise,
    Cible,
    EvenementSaisie,
    Indicateur,
    IndicateurSuivi,
    ModeCollecte,
    Saisie,
    Theme,
    Valeur,
)
from quartiers.models import Partenaire, Participation, Quartier, Secteur
from rapports.echelle.catalogue import creer_indicateurs, creer_quartiers
from rapports.echelle.outils import (
    GRAINE_PAR_DEFAUT,
    PREFIXE_CODE,
    PREFIXE_NOM,
    PREFIXE_SLUG,
    Contexte,
    DonneesEchelleExistantes,
    GenerationImpossible,
    Parametres,
    Rapport,
    inserer,
)
from rapports.echelle.referentiel import (
    assurer_referentiel,
    creer_periodes,
    donnees_echelle_presentes,
    supprimer_donnees_echelle,
)
from rapports.echelle.registre import creer_actions, creer_registre
from rapports.echelle.saisies import (
    apprentissages_du_quartier,
    creer_saisies,
    creer_valeurs,
    dater_historique,
    noter_les_demandes,
)
from rapports.echelle.strategies import creer_strategies
from rapports.echelle.suivis import creer_suivis

# Ce que les appelants importent (commande, banc d'essai, scripts, tests).
__all__ = [
    "GRAINE_PAR_DEFAUT",
    "PREFIXE_CODE",
    "PREFIXE_NOM",
    "PREFIXE_SLUG",
    "DonneesEchelleExistantes",
    "GenerationImpossible",
    "Parametres",
    "Rapport",
    "analyser_tables",
    "contexte",
    "donnees_echelle_presentes",
    "generer_donnees_echelle",
    "supprimer_donnees_echelle",
]


# --- Ensemble -----------------------------------------------------------------------------------

MODELES_ANALYSES = (
    Quartier,
    Partenaire,
    Participation,
    Action,
    ChangementVise,
    IndicateurSuivi,
    Cible,
    Saisie,
    Valeur,
    EvenementSaisie,
    Apprentissage,
)


def analyser_tables() -> None:
    """Met à jour les statistiques du planificateur de PostgreSQL après un gros chargement,
    pour que le banc d'essai qui suit ne mesure pas de mauvais plans (sans effet ailleurs)."""
    if connection.vendor != "postgresql":
        return
    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in MODELES_ANALYSES)
    with connection.cursor() as curseur:
        curseur.execute(f"ANALYZE {tables}")


def contexte(parametres: Parametres, aujourd_hui: datetime.date, effectifs: Counter) -> Contexte:
    """Lit le référentiel et prépare les périodes."""
    return Contexte(
        parametres=parametres,
        aujourd_hui=aujourd_hui,
        periodes=creer_periodes(effectifs, aujourd_hui, parametres.trimestres),
        secteurs=list(Secteur.objects.order_by("ordre", "code")),
        themes=list(Theme.objects.order_by("ordre", "code")),
        calcules=list(Indicateur.objects.filter(mode=ModeCollecte.CALCULE).order_by("code")),
        effectifs=effectifs,
    )


def generer_donnees_echelle(
    parametres: Parametres,
    *,
    remplacer: bool = False,
    aujourd_hui: datetime.date | None = None,
) -> Rapport:
    """Génère les données d'échelle en une transaction. Lève `DonneesEchelleExistantes` (sans
    rien écrire) si elles existent déjà et que `remplacer` est faux."""
    aujourd_hui = aujourd_hui or timezone.localdate()
    with transaction.atomic(), translation.override("fr"):
        rapport = Rapport(effectifs=Counter())
        if remplacer:
            rapport.supprimees = supprimer_donnees_echelle()
        elif donnees_echelle_presentes():
            raise DonneesEchelleExistantes(
                "Des données d'échelle existent déjà (quartiers « echelle-… », indicateurs "
                "« echelle-ind-… » ou leurs partenaires) : relancez avec --remplacer pour les "
                "effacer d'abord. Rien n'a été écrit."
            )
        rapport.referentiel_charge = assurer_referentiel()
        ctx = contexte(parametres, aujourd_hui, rapport.effectifs)
        creer_indicateurs(ctx)
        lots = creer_quartiers(ctx)
        creer_registre(lots, ctx)
        creer_strategies(lots, ctx)
        creer_actions(lots, ctx)
        creer_suivis(lots, ctx)
        creer_saisies(lots, ctx)
        creer_valeurs(lots, ctx)
        noter_les_demandes(lots)
        dater_historique(lots)
        inserer(ctx, Apprentissage, (a for qe in lots for a in apprentissages_du_quartier(qe, ctx)))
        analyser_tables()
    return rapport
