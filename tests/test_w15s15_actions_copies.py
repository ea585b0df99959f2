"""Une action inscrite ou modifiée pendant la préparation d'une nouvelle version de la stratégie
sert aussi la copie, dans le brouillon, de chaque changement visé qu'elle sert : adopté, le
brouillon garde l'action dans sa théorie du changement. Chaque copie garde son original
(`ChangementVise.copie_de`, posé par `services_strategie._copier`, migration 0019) : le code
peut changer dans le brouillon sans perdre le lien.

Sur l'ancien code, une action inscrite après la préparation ne servait que le changement de la
version en vigueur : après l'adoption, elle ne servait plus qu'une version archivée et
disparaissait de la nouvelle théorie du changement; retirer un changement d'une action laissait
sa copie servie dans le brouillon; `copie_de` n'existait pas."""

from __future__ import annotations

import datetime
import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicateurs import services_actions
from indicateurs import services_strategie as services
from indicateurs.models import Action, ChangementVise
from rapports.selectors import theorie_du_changement
from tests.factories import ActionFactory, ChangementViseFactory, StrategieFactory
from tests.test_w1s15_strategie_services import construire

pytestmark = pytest.mark.django_db
J = datetime.date


@pytest.fixture
def v2(quartier_a):
    """v1 archivée, v2 en vigueur (C0, C1, C2), « Cuisine collective » en cours qui les sert
    tous, « Fête 2019 » terminée qui sert C0 (`construire`)."""
    return construire(quartier_a)


@pytest.fixture
def brouillon(eve, quartier_a, v2):
    return services.preparer_version(utilisateur=eve, quartier=quartier_a)[0]


def _donnees(*changements, **autres) -> services_actions.DonneesAction:
    valeurs = {
        "titre": "Comité de locataires",
        "type_action": "participation_citoyenne",
        "debut": J(2025, 1, 15),
        "changements": tuple(changements),
    }
    return services_actions.DonneesAction(**(valeurs | autres))


def _codes(action: Action, strategie) -> set[str]:
    return set(action.changements.filter(strategie=strategie).values_list("code", flat=True))


def _actions_de_la_theorie(utilisateur, quartier, version=None) -> dict[str, list]:
    theorie = theorie_du_changement(utilisateur, quartier.slug, version)
    return {noeud["code"]: list(noeud["actions"]) for noeud in theorie.noeuds}


def test_preparer_garde_l_original_de_chaque_copie(eve, v2, brouillon):
    originaux = {c.code: c.pk for c in v2.changements.all()}
    copies = {c.code: c.copie_de_id for c in brouillon.changements.all()}
    assert copies == originaux
    # Un changement ajouté dans le brouillon n'est la copie de rien.
    ajoute = services.enregistrer_changement(
        utilisateur=eve,
        strategie=brouillon,
        code="N1",
        libelle="Nouveau",
        horizon="court",
        famille="systeme",
    )
    assert ajoute.copie_de_id is None


def test_une_action_inscrite_pendant_la_preparation_suit_la_nouvelle_version(
    alice, eve, quartier_a, v2, brouillon
):
    # Le code de la copie change dans le brouillon : le lien tient à `copie_de`, pas au code.
    copie_c1 = brouillon.changements.get(code="C1")
    services.enregistrer_changement(
        utilisateur=eve,
        strategie=brouillon,
        changement=copie_c1,
        code="C1-bis",
        libelle="Changement 1, reformulé",
        horizon="moyen",
        famille="systeme",
    )
    c1 = v2.changements.get(code="C1")
    action, creee = services_actions.creer_action(
        auteur=alice, quartier=quartier_a, donnees=_donnees(c1)
    )
    assert creee
    assert _codes(action, v2) == {"C1"} and _codes(action, brouillon) == {"C1-bis"}

    services.adopter_brouillon(utilisateur=eve, strategie=brouillon, adoptee_le=J(2025, 2, 1))
    nouvelle = _actions_de_la_theorie(eve, quartier_a)
    assert "Comité de locataires" in [str(a) for a in nouvelle["C1-bis"]]
    # L'ancienne version, archivée, la montre toujours.
    archivee = _actions_de_la_theorie(eve, quartier_a, v2.version)
    assert "Comité de locataires" in [str(a) for a in archivee["C1"]]


def test_modifier_une_action_suit_ses_changements_dans_le_brouillon(
    alice, quartier_a, v2, brouillon
):
    cuisine = Action.objects.get(titre="Cuisine collective")
    assert _codes(cuisine, brouillon) == {"C0", "C1", "C2"}  # copiées à la préparation
    c0, c1, c2 = (v2.changements.get(code=code) for code in ("C0", "C1", "C2"))
    donnees = _donnees(c0, c2, titre=cuisine.titre, debut=cuisine.debut)
    services_actions.modifier_action(auteur=alice, action=cuisine, donnees=donnees)
    assert _codes(cuisine, v2) == {"C0", "C2"}
    assert _codes(cuisine, brouillon) == {"C0", "C2"}  # la copie de C1 suit C1
    donnees = _donnees(c0, c1, c2, titre=cuisine.titre, debut=cuisine.debut)
    services_actions.modifier_action(auteur=alice, action=cuisine, donnees=donnees)
    assert _codes(cuisine, brouillon) == {"C0", "C1", "C2"}


def test_une_action_terminee_avant_la_preparation_ne_sert_pas_le_brouillon(
    alice, quartier_a, v2, brouillon
):
    """Comme à la préparation : elle reste à l'histoire de la version en vigueur."""
    c0 = v2.changements.get(code="C0")
    ancienne, _creee = services_actions.creer_action(
        auteur=alice,
        quartier=quartier_a,
        donnees=_donnees(c0, debut=J(2019, 1, 1), fin=J(2019, 6, 30)),
    )
    assert _codes(ancienne, v2) == {"C0"} and not _codes(ancienne, brouillon)


def test_une_copie_deja_servie_reste_quand_on_modifie_autre_chose(alice, quartier_a, v2, brouillon):
    """Terminer la cuisine (une fin passée) en la modifiant ne lui retire pas ses copies."""
    cuisine = Action.objects.get(titre="Cuisine collective")
    changements = tuple(v2.changements.all())
    donnees = _donnees(*changements, titre="Cuisine", debut=cuisine.debut, fin=J(2020, 1, 1))
    services_actions.modifier_action(auteur=alice, action=cuisine, donnees=donnees)
    assert _codes(cuisine, brouillon) == {"C0", "C1", "C2"}


def test_retirer_une_copie_du_brouillon_retire_ses_actions(eve, v2, brouillon):
    cuisine = Action.objects.get(titre="Cuisine collective")
    services.supprimer_changement(utilisateur=eve, changement=brouillon.changements.get(code="C1"))
    assert _codes(cuisine, brouillon) == {"C0", "C2"}
    assert _codes(cuisine, v2) == {"C0", "C1", "C2"}  # l'original garde l'action


def test_sans_brouillon_rien_ne_change(alice, quartier_a, v2):
    c1 = v2.changements.get(code="C1")
    action, _creee = services_actions.creer_action(
        auteur=alice, quartier=quartier_a, donnees=_donnees(c1)
    )
    assert list(action.changements.values_list("pk", flat=True)) == [c1.pk]


def test_l_ecriture_coute_autant_de_requetes_avec_plus_de_changements(
    alice, quartier_a, v2, brouillon
):
    def requetes(action, changements) -> int:
        action = Action.objects.select_related("quartier").get(pk=action.pk)
        donnees = _donnees(*changements, titre=action.titre, debut=action.debut)
        with CaptureQueriesContext(connection) as capture:
            services_actions.modifier_action(auteur=alice, action=action, donnees=donnees)
        return len(capture)

    # Chaque fois, la cuisine cesse de servir C2 (et sa copie) et garde les autres.
    cuisine = Action.objects.get(titre="Cuisine collective")
    peu = requetes(cuisine, tuple(v2.changements.exclude(code="C2")))
    # Dix changements de plus en vigueur, servis, copiés dans un brouillon préparé de nouveau.
    services.abandonner_brouillon(utilisateur=alice, strategie=brouillon)
    for n in range(10):
        ChangementViseFactory(strategie=v2, code=f"D{n}")
    cuisine.changements.set(v2.changements.all())
    nouveau = services.preparer_version(utilisateur=alice, quartier=quartier_a)[0]
    beaucoup = requetes(cuisine, tuple(v2.changements.exclude(code="C2")))
    assert beaucoup == peu
    assert len(_codes(cuisine, nouveau)) == 12 and "C2" not in _codes(cuisine, nouveau)


def test_la_migration_relie_les_brouillons_prepares_avant_elle(quartier_a, v2):
    """Les brouillons préparés avant 0019 : le lien au mieux, par le code."""
    brouillon = StrategieFactory(quartier=quartier_a, version=3, statut="brouillon")
    meme_code = ChangementViseFactory(strategie=brouillon, code="C1")
    recode = ChangementViseFactory(strategie=brouillon, code="C9")
    migration = importlib.import_module("indicateurs.migrations.0019_copie_des_changements_vises")
    migration.relier_les_brouillons(apps, None)
    assert ChangementVise.objects.get(pk=meme_code.pk).copie_de == v2.changements.get(code="C1")
    assert ChangementVise.objects.get(pk=recode.pk).copie_de is None
    # Les versions adoptées ne sont pas touchées.
    assert not v2.changements.filter(copie_de__isnull=False).exists()


def test_une_action_de_l_administration_avant_la_preparation_est_copiee(eve, quartier_a, v2):
    """Le chemin de la préparation (`_copier`) est inchangé pour les actions déjà là."""
    ancienne = ActionFactory(quartier=quartier_a, titre="Atelier")
    ancienne.changements.add(v2.changements.get(code="C2"))
    brouillon = services.preparer_version(utilisateur=eve, quartier=quartier_a)[0]
    assert _codes(ancienne, brouillon) == {"C2"}
