"""La migration 0010 retire le rattachement d'un apprentissage au changement visé d'une stratégie
d'un autre quartier, qu'enregistrait l'administration avant de suivre la règle de la page
(`_erreurs_de_rattachement` : le changement appartient à une stratégie du quartier, quelle qu'en
soit la version). L'apprentissage reste; un rattachement valide ne bouge pas; deux passages
font ce qu'en fait un."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.db.migrations.loader import MigrationLoader

from indicateurs.models import Apprentissage
from indicateurs.services import verifier_apprentissage
from tests.factories import ChangementViseFactory, StrategieFactory

pytestmark = pytest.mark.django_db

MIGRATION = "indicateurs.migrations.0010_apprentissages_changements_d_un_autre_quartier"


def _apprentissage(quartier, periode, changement=None, texte="Appris") -> Apprentissage:
    # Comme l'ancienne administration : écrit sans la règle des rattachements.
    return Apprentissage.objects.create(
        quartier=quartier, periode=periode, categorie="defis", texte_fr=texte, changement=changement
    )


def test_la_migration_retire_les_changements_d_un_autre_quartier_et_garde_le_reste(
    quartier_a, quartier_b, periode
):
    de_a = ChangementViseFactory(strategie=StrategieFactory(quartier=quartier_a))
    # Un brouillon d'une nouvelle version de A : toujours de A, donc admis.
    brouillon_de_a = ChangementViseFactory(
        strategie=StrategieFactory(quartier=quartier_a, version=2, statut="brouillon")
    )
    de_b = ChangementViseFactory(
        strategie=StrategieFactory(quartier=quartier_b, version=2, statut="brouillon")
    )
    etranger = _apprentissage(quartier_a, periode, de_b, texte="Rattaché à B")
    valide = _apprentissage(quartier_a, periode, de_a)
    valide_brouillon = _apprentissage(quartier_a, periode, brouillon_de_a)
    sans = _apprentissage(quartier_a, periode)
    de_b_chez_b = _apprentissage(quartier_b, periode, de_b)
    migration = importlib.import_module(MIGRATION)

    migration.retirer_les_changements_d_un_autre_quartier(apps, None)
    migration.retirer_les_changements_d_un_autre_quartier(apps, None)  # sans effet la 2e fois

    rattachements = dict(Apprentissage.objects.values_list("pk", "changement_id"))
    assert rattachements == {
        etranger.pk: None,
        valide.pk: de_a.pk,
        valide_brouillon.pk: brouillon_de_a.pk,
        sans.pk: None,
        de_b_chez_b.pk: de_b.pk,
    }
    etranger.refresh_from_db()  # l'apprentissage reste, avec son texte
    assert (etranger.quartier, etranger.texte_fr) == (quartier_a, "Rattaché à B")


def test_ce_qui_reste_suit_la_regle_que_l_administration_applique(quartier_a, quartier_b, periode):
    """La règle de la migration est celle de `verifier_apprentissage` (page, API, admin) : après
    elle, chaque rattachement restant y passe."""
    strategies = [StrategieFactory(quartier=q) for q in (quartier_a, quartier_b)]
    changements = [ChangementViseFactory(strategie=s) for s in strategies]
    for quartier in (quartier_a, quartier_b):
        for changement in changements:
            _apprentissage(quartier, periode, changement)

    importlib.import_module(MIGRATION).retirer_les_changements_d_un_autre_quartier(apps, None)

    restants = Apprentissage.objects.filter(changement__isnull=False).select_related(
        "quartier", "periode", "changement"
    )
    assert len(restants) == 2
    for apprentissage in restants:
        verifier_apprentissage(
            quartier=apprentissage.quartier,
            periode=apprentissage.periode,
            texte_fr=apprentissage.texte_fr,
            texte_en="",
            indicateur=None,
            changement=apprentissage.changement,
        )  # ne lève pas


def test_la_migration_vient_apres_la_derniere_et_se_defait_sans_rien_faire():
    graphe = MigrationLoader(None, ignore_no_migrations=True).graph
    noeud = ("indicateurs", MIGRATION.rsplit(".", 1)[1])
    assert graphe.node_map[noeud].parents == {
        graphe.node_map[("indicateurs", "0009_indicateur_source_en")]
    }
    (operation,) = graphe.nodes[noeud].operations
    assert operation.reversible
