"""Le service des actions (indicateurs.services_actions), appelé directement comme le fera
l'API : la même règle d'accès que les pages, tout ou rien, la garde des envois simultanés.
Ce module n'existait pas : avant, seule l'administration de Django écrivait une action."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from indicateurs import services_actions as services
from indicateurs.models import Action
from tests.factories import (
    ActionFactory,
    ChangementViseFactory,
    PartenaireFactory,
    ParticipationFactory,
    StrategieFactory,
)

pytestmark = pytest.mark.django_db
J = datetime.date


def _donnees(**autres) -> services.DonneesAction:
    valeurs = {
        "titre": "Assemblée",
        "type_action": "participation_citoyenne",
        "debut": J(2024, 1, 1),
    }
    return services.DonneesAction(**(valeurs | autres))


def test_la_regle_d_acces_est_celle_des_pages(personas, quartier_a):
    assert services.peut_tenir_les_actions(personas["alice"], quartier_a)
    assert services.peut_tenir_les_actions(personas["eve"], quartier_a)
    assert services.peut_tenir_les_actions(personas["ada"], quartier_a)
    assert not services.peut_tenir_les_actions(personas["bob"], quartier_a)
    with pytest.raises(PermissionDenied):
        services.creer_action(auteur=personas["bob"], quartier=quartier_a, donnees=_donnees())
    with pytest.raises(Http404):
        services.creer_action(auteur=personas["charlie"], quartier=quartier_a, donnees=_donnees())
    assert not Action.objects.exists()


def test_toutes_les_erreurs_a_la_fois_et_rien_d_ecrit(eve, quartier_a, quartier_b):
    d_ailleurs = ParticipationFactory(table=quartier_b.table).partenaire
    de_b = ChangementViseFactory(strategie=StrategieFactory(quartier=quartier_b))
    with pytest.raises(ValidationError) as erreur:
        services.creer_action(
            auteur=eve,
            quartier=quartier_a,
            donnees=_donnees(
                debut=J(2024, 5, 1),
                fin=J(2024, 4, 1),
                porteur=d_ailleurs,
                partenaires=(d_ailleurs,),
                changements=(de_b,),
            ),
        )
    assert set(erreur.value.message_dict) == {"fin", "porteur", "partenaires", "changements"}
    assert not Action.objects.exists()


def test_une_action_anterieure_au_registre_garde_son_porteur(alice, quartier_a):
    """Un porteur inscrit par l'administration hors du registre reste un choix de l'action."""
    hors_registre = PartenaireFactory()
    action = ActionFactory(quartier=quartier_a, porteur=hors_registre)
    assert hors_registre in services.partenaires_proposables(quartier_a, action)
    assert hors_registre not in services.partenaires_proposables(quartier_a)
    services.modifier_action(
        auteur=alice, action=action, donnees=_donnees(porteur=hors_registre, titre="Corrigée")
    )
    action.refresh_from_db()
    assert (action.titre, action.porteur) == ("Corrigée", hors_registre)


def test_les_changements_proposes_en_vigueur_d_abord_sans_brouillon(quartier_a):
    v1 = StrategieFactory(quartier=quartier_a, version=1, statut="archivee")
    v2 = StrategieFactory(quartier=quartier_a, version=2, statut="en_vigueur")
    v3 = StrategieFactory(quartier=quartier_a, version=3, statut="brouillon")
    ancien, actuel = ChangementViseFactory(strategie=v1), ChangementViseFactory(strategie=v2)
    ChangementViseFactory(strategie=v3)
    assert list(services.changements_proposables(quartier_a)) == [actuel, ancien]


def test_le_meme_ajout_deux_fois_ne_cree_qu_une_action(alice, quartier_a):
    premiere, creee = services.creer_action(auteur=alice, quartier=quartier_a, donnees=_donnees())
    seconde, recreee = services.creer_action(auteur=alice, quartier=quartier_a, donnees=_donnees())
    assert (creee, recreee, premiere) == (True, False, seconde)
    autre, _creee = services.creer_action(
        auteur=alice, quartier=quartier_a, donnees=_donnees(description="Une autre")
    )
    assert autre != premiere and Action.objects.count() == 2


def test_une_version_perimee_est_un_conflit_sauf_le_meme_envoi(alice, quartier_a):
    action = ActionFactory(quartier=quartier_a, titre="Jardin", debut=J(2023, 1, 1))
    version = services.empreinte_de_l_action(action)
    Action.objects.filter(pk=action.pk).update(titre="Jardin partagé")
    with pytest.raises(services.ConflitAction) as conflit:
        services.modifier_action(
            auteur=alice, action=action, donnees=_donnees(debut=J(2023, 1, 1)), version=version
        )
    assert conflit.value.actuelle.titre == "Jardin partagé"
    meme = _donnees(titre="Jardin partagé", type_action=action.type_action, debut=J(2023, 1, 1))
    services.modifier_action(auteur=alice, action=action, donnees=meme, version=version)
    action.refresh_from_db()
    assert action.titre == "Jardin partagé"
