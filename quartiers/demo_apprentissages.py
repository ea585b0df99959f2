"""Données de démonstration : apprentissages fictifs dans les quatre rubriques du bilan
(processus et résultats, défis, changements de pratiques, au-delà des changements), en français
et en anglais. Inspirés des constats du bilan fondateur d'ÉvalPIC, reformulés, et marqués
comme fictifs."""

from __future__ import annotations

from indicateurs.models import (
    Apprentissage,
    CategorieApprentissage,
    ChangementVise,
    Indicateur,
    Periode,
)
from quartiers.demo_commun import PREFIXE_EN, PREFIXE_FR, generateur
from quartiers.models import Quartier, Utilisateur

# (catégorie, texte FR, texte EN, rattachement : code d'indicateur, code de changement ou rien)
TEXTES = (
    (
        CategorieApprentissage.PROCESSUS_RESULTATS,
        "À {quartier}, la table réunit aujourd'hui des partenaires de secteurs qu'elle ne "
        "joignait pas au départ, notamment des écoles et l'arrondissement.",
        "In {quartier}, the table now brings together partners from sectors it did not reach "
        "at first, including schools and the borough.",
        "proc-partenaires-actifs",
    ),
    (
        CategorieApprentissage.PROCESSUS_RESULTATS,
        "Les résident·es sont invité·es plus tôt dans la planification : des consultations et "
        "un comité citoyen précèdent désormais les choix de priorités.",
        "Residents are brought into planning earlier: consultations and a citizens' committee "
        "now come before priorities are chosen.",
        "C2",
    ),
    (
        CategorieApprentissage.PROCESSUS_RESULTATS,
        "Le contact direct avec une fondation et une équipe de recherche a ouvert des portes "
        "que la table n'avait jamais franchies seule.",
        "Direct contact with a foundation and a research team opened doors the table had "
        "never got through on its own.",
        "proc-acteurs-influence",
    ),
    (
        CategorieApprentissage.DEFIS,
        "Faire circuler l'information entre tous les partenaires reste difficile quand les "
        "instances se multiplient.",
        "Keeping information flowing among all partners remains hard as committees multiply.",
        None,
    ),
    (
        CategorieApprentissage.DEFIS,
        "Certains partenaires trouvent que les résultats tardent, d'autres que tout va trop "
        "vite : il faut prendre le temps de se réajuster ensemble.",
        "Some partners feel results are slow to come, others that everything moves too fast: "
        "time to readjust together is needed.",
        None,
    ),
    (
        CategorieApprentissage.DEFIS,
        "Les nouvelles façons de faire demandent du temps d'appropriation que les calendriers "
        "de financement ne prévoient pas toujours.",
        "New ways of working need time to take hold, which funding calendars do not always "
        "allow for.",
        None,
    ),
    (
        CategorieApprentissage.CHANGEMENTS_PRATIQUES,
        "La table planifie maintenant à partir de changements mesurables et suit leurs "
        "marqueurs de progrès chaque trimestre.",
        "The table now plans from measurable changes and tracks their progress markers every "
        "quarter.",
        "C1",
    ),
    (
        CategorieApprentissage.CHANGEMENTS_PRATIQUES,
        "Les partenaires sont associés dès la conception du plan d'ensemble, plutôt que d'ajuster "
        "des actions isolées à chaque financement.",
        "Partners are involved from the design of the overall plan, instead of fitting "
        "separate actions to each grant.",
        "C4",
    ),
    (
        CategorieApprentissage.CHANGEMENTS_PRATIQUES,
        "Un bailleur participe au design des projets avec la communauté, ce qui change la "
        "manière dont les fonds sont investis.",
        "A funder takes part in designing projects with the community, which changes how the "
        "money is invested.",
        "sys-financement-mobilise",
    ),
    (
        CategorieApprentissage.AU_DELA,
        "La démarche a amené la table à revoir sa gouvernance et la place des résident·es dans "
        "ses instances.",
        "The process led the table to rethink its governance and the place of residents on "
        "its bodies.",
        None,
    ),
    (
        CategorieApprentissage.AU_DELA,
        "Le rôle de « connecteur » de la conseillère Centraide a facilité des rapprochements "
        "inattendus avec des partenaires d'influence.",
        'The Centraide advisor\'s role as a "connector" eased unexpected ties with '
        "influential partners.",
        None,
    ),
    (
        CategorieApprentissage.AU_DELA,
        "La table est davantage reconnue comme interlocutrice par l'arrondissement et les "
        "institutions du quartier.",
        "The table is more widely recognised as a counterpart by the borough and local "
        "institutions.",
        None,
    ),
)


def creer_apprentissages(
    quartier: Quartier,
    periodes_passees: list[Periode],
    changements: dict[str, ChangementVise],
    indicateurs: dict[str, Indicateur],
    auteur: Utilisateur,
) -> None:
    """Deux apprentissages fictifs par rubrique, répartis sur les trimestres passés."""
    if not periodes_passees:
        return
    rng = generateur("apprentissages", quartier.slug)
    for categorie in CategorieApprentissage.values:
        textes = [t for t in TEXTES if t[0] == categorie]
        for _, texte_fr, texte_en, rattachement in rng.sample(textes, 2):
            # un seul tirage, quel que soit le nombre de trimestres : les textes restent stables
            periode = periodes_passees[int(rng.random() * len(periodes_passees))]
            Apprentissage.objects.get_or_create(
                quartier=quartier,
                categorie=categorie,
                texte_fr=f"{PREFIXE_FR} {texte_fr.format(quartier=quartier.nom)}",
                defaults={
                    "periode": periode,
                    "texte_en": f"{PREFIXE_EN} {texte_en.format(quartier=quartier.nom)}",
                    "indicateur": indicateurs.get(rattachement or ""),
                    "changement": changements.get(rattachement or ""),
                    "auteur": auteur,
                },
            )
