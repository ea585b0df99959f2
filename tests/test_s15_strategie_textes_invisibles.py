"""Un texte obligatoire de la stratégie (titre du brouillon, code et libellé d'un changement
visé, motif d'un renvoi) fait de seuls caractères invisibles est vide (`evalpic.textes.
texte_saisi`), comme partout ailleurs : refusé à côté de son champ, rien d'enregistré. Sur
l'ancien code, une espace sans chasse passait pour un titre, un libellé ou un motif."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from indicateurs import services_definitions
from indicateurs import services_strategie as services
from indicateurs.models import Indicateur, StrategieDeChangement
from tests.test_w1s15_strategie_services import construire

pytestmark = pytest.mark.django_db

INVISIBLE = "\u200b\u202e"


@pytest.fixture
def brouillon(eve, quartier_a):
    construire(quartier_a)
    return services.preparer_version(utilisateur=eve, quartier=quartier_a)[0]


def test_un_titre_invisible_est_refuse(eve, brouillon):
    with pytest.raises(ValidationError) as refus:
        services.modifier_brouillon(
            utilisateur=eve, strategie=brouillon, titre=INVISIBLE, vision=""
        )
    assert "titre" in refus.value.message_dict
    assert StrategieDeChangement.objects.get(pk=brouillon.pk).titre == "Mieux vivre"


def test_un_libelle_ou_un_code_invisible_est_refuse(eve, brouillon):
    avant = brouillon.changements.count()
    with pytest.raises(ValidationError) as refus:
        services.enregistrer_changement(
            utilisateur=eve,
            strategie=brouillon,
            code=INVISIBLE,
            libelle=INVISIBLE,
            horizon="court",
            famille="personnes",
        )
    assert {"code", "libelle"} <= set(refus.value.message_dict)
    assert brouillon.changements.count() == avant


def test_un_motif_de_renvoi_invisible_est_refuse(alice, eve, brouillon):
    services.soumettre_brouillon(utilisateur=alice, strategie=brouillon)
    with pytest.raises(ValidationError) as refus:
        services.renvoyer_brouillon(utilisateur=eve, strategie=brouillon, motif=INVISIBLE)
    assert "motif" in refus.value.message_dict
    assert StrategieDeChangement.objects.get(pk=brouillon.pk).est_soumise


def test_un_nom_d_indicateur_invisible_est_refuse_au_catalogue(eve):
    """Le catalogue (création sur le site), comme les propositions et l'administration, passe
    par `Indicateur.full_clean` : un nom ou une définition invisible y est vide."""
    contenu = {
        "code": "nouvel-indicateur",
        "nom_fr": INVISIBLE,
        "nom_en": "Name",
        "definition_fr": "\u200b",
        "definition_en": "Definition",
        "famille": "personnes",
        "unite": "nombre",
        "polarite": "hausse",
        "agregation": "somme",
        "periodicite": "trimestrielle",
    }
    with pytest.raises(ValidationError) as refus:
        services_definitions.creer_indicateur(utilisateur=eve, contenu=contenu)
    assert {"nom_fr", "definition_fr"} <= set(refus.value.message_dict)
    assert not Indicateur.objects.filter(code="nouvel-indicateur").exists()
