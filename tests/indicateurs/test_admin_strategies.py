"""Une théorie du changement ne mêle pas deux quartiers, ni deux stratégies :

- une action ne sert que les changements visés de son quartier (l'administration en proposait
  les 48 de tous les quartiers, dix nommés « C1 — … », et un changement de Parc-Extension servi
  par une action de Saint-Michel paraissait dans la théorie de Parc-Extension);
- un lien relie deux changements de sa stratégie, y compris à l'ajout de la stratégie (la règle
  était sautée tant que la stratégie n'était pas enregistrée)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict
from django.urls import reverse

from indicateurs.models import Action, LienDeChangement, StrategieDeChangement
from tests.factories import ActionFactory, ChangementViseFactory, StrategieFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def deux_strategies(quartier_a, quartier_b):
    """Deux quartiers qui ont chacun leur « C1 », au même libellé."""
    return {
        quartier: ChangementViseFactory(
            strategie=StrategieFactory(quartier=quartier), code="C1", libelle="Concertation"
        )
        for quartier in (quartier_a, quartier_b)
    }


def _action(quartier, changements) -> dict:
    return {
        "quartier": quartier.pk,
        "titre": "Action de A",
        "type_action": "projet",
        "debut": "2025-01-01",
        "changements": [changement.pk for changement in changements],
    }


def test_une_action_ne_sert_pas_le_changement_d_un_autre_quartier(
    client, ada, quartier_a, quartier_b, deux_strategies
):
    client.force_login(ada)
    reponse = client.post(
        reverse("admin:indicateurs_action_add"), _action(quartier_a, [deux_strategies[quartier_b]])
    )
    assert reponse.status_code == 200
    [message] = reponse.context["adminform"].form.errors["changements"]
    assert "son quartier (Quartier A)" in message and "Quartier B, v1 — C1" in message
    assert not Action.objects.exists()
    reponse = client.post(
        reverse("admin:indicateurs_action_add"), _action(quartier_a, [deux_strategies[quartier_a]])
    )
    assert reponse.status_code == 302
    assert list(Action.objects.get().changements.all()) == [deux_strategies[quartier_a]]


def test_une_action_qui_change_de_quartier_garde_des_changements_du_sien(
    client, ada, quartier_a, quartier_b, deux_strategies
):
    action = ActionFactory(quartier=quartier_a)
    action.changements.set([deux_strategies[quartier_a]])
    client.force_login(ada)
    adresse = reverse("admin:indicateurs_action_change", args=[action.pk])
    donnees = {**model_to_dict(action, exclude=["porteur", "fin", "partenaires"])}
    donnees["changements"] = [deux_strategies[quartier_a].pk]
    donnees["quartier"] = quartier_b.pk
    assert client.post(adresse, donnees).status_code == 200
    donnees["changements"] = [deux_strategies[quartier_b].pk]
    assert client.post(adresse, donnees).status_code == 302
    action.refresh_from_db()
    assert action.quartier == quartier_b


def test_les_changements_proposes_a_une_action_disent_leur_quartier_et_leur_version(
    client, ada, quartier_a, quartier_b, deux_strategies
):
    client.force_login(ada)
    champ = client.get(reverse("admin:indicateurs_action_add")).context["adminform"].form
    libelles = [libelle for _valeur, libelle in champ.fields["changements"].choices]
    assert libelles == ["Quartier A, v1 — C1 — Concertation", "Quartier B, v1 — C1 — Concertation"]


def test_un_lien_ajoute_avec_sa_strategie_ne_relie_pas_ceux_d_une_autre(client, ada, quartier_a):
    autre = StrategieFactory(quartier=quartier_a, version=1)
    source, cible = ChangementViseFactory(strategie=autre), ChangementViseFactory(strategie=autre)
    client.force_login(ada)
    adresse = reverse("admin:indicateurs_strategiedechangement_add")
    formulaire = client.get(adresse).context["inline_admin_formsets"]
    liens = next(f.formset for f in formulaire if f.formset.prefix == "liens")
    assert not liens.empty_form.fields["source"].queryset.exists()  # aucun choix à l'ajout
    reponse = client.post(
        adresse,
        {
            "quartier": quartier_a.pk,
            "version": "2",
            "titre": "Nouvelle version",
            "statut": "brouillon",
            "changements-TOTAL_FORMS": "0",
            "changements-INITIAL_FORMS": "0",
            "liens-TOTAL_FORMS": "1",
            "liens-INITIAL_FORMS": "0",
            "liens-0-source": source.pk,
            "liens-0-cible": cible.pk,
            "liens-0-hypothese": "Si… alors…",
        },
    )
    assert reponse.status_code == 200
    assert not StrategieDeChangement.objects.filter(version=2).exists()
    assert not LienDeChangement.objects.exists()


def test_un_lien_relie_deux_changements_de_sa_strategie(quartier_a):
    strategie, autre = StrategieFactory(quartier=quartier_a), StrategieFactory(version=2)
    a, b = ChangementViseFactory(strategie=strategie), ChangementViseFactory(strategie=strategie)
    dehors = ChangementViseFactory(strategie=autre)
    LienDeChangement(strategie=strategie, source=a, cible=b).full_clean()
    with pytest.raises(ValidationError) as erreur:
        LienDeChangement(strategie=strategie, source=a, cible=dehors).full_clean()
    assert erreur.value.message_dict == {
        "cible": ["Ce changement n'appartient pas à la stratégie du lien."]
    }
    with pytest.raises(ValidationError) as erreur:
        LienDeChangement(
            strategie=StrategieDeChangement(quartier=quartier_a), source=a, cible=b
        ).clean()
    assert set(erreur.value.message_dict) == {"source", "cible"}


def test_les_liens_d_une_strategie_ne_proposent_que_ses_changements(
    client, ada, quartier_a, quartier_b, deux_strategies
):
    strategie = deux_strategies[quartier_a].strategie
    client.force_login(ada)
    adresse = reverse("admin:indicateurs_strategiedechangement_change", args=[strategie.pk])
    formulaire = client.get(adresse).context["inline_admin_formsets"]
    liens = next(f.formset for f in formulaire if f.formset.prefix == "liens")
    assert list(liens.empty_form.fields["cible"].queryset) == [deux_strategies[quartier_a]]


def test_un_changement_relie_ne_change_pas_de_strategie(quartier_a, quartier_b, deux_strategies):
    changement = deux_strategies[quartier_a]
    strategie = changement.strategie
    ActionFactory(quartier=quartier_a).changements.add(changement)
    changement.strategie = deux_strategies[quartier_b].strategie
    with pytest.raises(ValidationError) as erreur:
        changement.full_clean()
    assert set(erreur.value.message_dict) == {"strategie"}
    strategie.quartier, strategie.version, strategie.statut = quartier_b, 5, "brouillon"
    with pytest.raises(ValidationError) as erreur:
        strategie.full_clean()
    assert set(erreur.value.message_dict) == {"quartier"}
