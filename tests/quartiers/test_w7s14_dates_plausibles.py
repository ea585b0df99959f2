"""Une date saisie à la main tombe entre 1900 et quelques années après aujourd'hui
(`evalpic.dates.erreur_de_date`) : le registre des partenaires (inscription, modification d'une
participation) et l'administration (adoption d'une stratégie, participation, action) refusaient
« 0001-01-01 » ou « 9999-12-31 ». Un partenaire « actif depuis l'an 1 » comptait dans les
indicateurs calculés de chaque trimestre. Refus à côté du champ, 400 (200 dans l'administration,
qui réaffiche son formulaire), rien d'écrit."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from evalpic.dates import dans_n_annees, erreur_de_date
from indicateurs.models import Action, StrategieDeChangement
from quartiers.models import Partenaire, Participation
from tests.factories import ParticipationFactory, SecteurFactory

pytestmark = pytest.mark.django_db

TROP_ANCIENNE = "Cette date est trop ancienne : choisissez une date en 1900 ou plus tard."
TROP_LOIN = "Cette date est trop loin dans l'avenir"


def _inscrire(client, quartier, **dates):
    donnees = {"partenaire": "", "nom": "Tout nouveau", "role": "membre", "fin": ""}
    donnees["secteur"] = SecteurFactory(code="communautaire").pk
    return client.post(
        reverse("partenaire_inscrire", kwargs={"slug": quartier.slug}), {**donnees, **dates}
    )


@pytest.mark.parametrize(
    ("dates", "champ", "debut_du_message"),
    [
        ({"debut": "0001-01-01"}, "debut", TROP_ANCIENNE),
        ({"debut": "1899-12-31"}, "debut", TROP_ANCIENNE),
        ({"debut": "9999-12-31"}, "debut", TROP_LOIN),
        ({"debut": "2020-01-01", "fin": "9999-12-31"}, "fin", TROP_LOIN),
    ],
)
def test_l_inscription_refuse_une_date_hors_de_portee(
    client, alice, quartier_a, dates, champ, debut_du_message
):
    client.force_login(alice)
    reponse = _inscrire(client, quartier_a, **dates)
    assert reponse.status_code == 400
    [message] = reponse.context["form"].errors[champ]
    assert message.startswith(debut_du_message)
    assert not Participation.objects.exists()
    assert not Partenaire.objects.exists()  # le nouveau partenaire non plus


def test_l_inscription_accepte_les_bornes(client, alice, quartier_a):
    client.force_login(alice)
    assert _inscrire(client, quartier_a, debut="1900-01-01").status_code == 302
    limite = dans_n_annees(Participation.ANNEES_A_VENIR).isoformat()
    client.post(
        reverse("participation_modifier", args=[quartier_a.slug, Participation.objects.get().pk]),
        {"role": "membre", "debut": "1900-01-01", "fin": limite},
    )
    assert Participation.objects.get().fin.isoformat() == limite


@pytest.mark.parametrize(
    ("donnees", "champ"),
    [
        ({"debut": "0001-01-01", "fin": ""}, "debut"),
        ({"debut": "2018-01-01", "fin": "9999-12-31"}, "fin"),
    ],
)
def test_modifier_une_participation_refuse_une_date_hors_de_portee(
    client, alice, quartier_a, donnees, champ
):
    participation = ParticipationFactory(table=quartier_a.table)
    client.force_login(alice)
    reponse = client.post(
        reverse("participation_modifier", args=[quartier_a.slug, participation.pk]),
        {"role": "membre", **donnees},
    )
    assert reponse.status_code == 400
    assert len(reponse.context["form"].errors[champ]) == 1
    participation.refresh_from_db()
    assert (participation.debut, participation.fin) == (datetime.date(2018, 1, 1), None)


def test_le_selecteur_de_date_porte_les_bornes(client, alice, quartier_a):
    client.force_login(alice)
    page = client.get(reverse("partenaire_inscrire", kwargs={"slug": quartier_a.slug}))
    limite = dans_n_annees(Participation.ANNEES_A_VENIR).isoformat()
    champ = page.context["form"]["debut"].as_widget()
    assert 'min="1900-01-01"' in champ and f'max="{limite}"' in champ


def _strategie_admin(quartier, adoptee_le: str) -> dict:
    return {
        "quartier": quartier.pk,
        "version": "2",
        "titre": "Nouvelle version",
        "statut": "brouillon",
        "adoptee_le": adoptee_le,
        "changements-TOTAL_FORMS": "0",
        "changements-INITIAL_FORMS": "0",
        "liens-TOTAL_FORMS": "0",
        "liens-INITIAL_FORMS": "0",
    }


@pytest.mark.parametrize("adoptee_le", ["9999-12-31", "0001-01-01"])
def test_l_administration_refuse_une_adoption_hors_de_portee(client, ada, quartier_a, adoptee_le):
    client.force_login(ada)
    reponse = client.post(
        reverse("admin:indicateurs_strategiedechangement_add"),
        _strategie_admin(quartier_a, adoptee_le),
    )
    assert reponse.status_code == 200
    assert len(reponse.context["adminform"].form.errors["adoptee_le"]) == 1
    assert not StrategieDeChangement.objects.exists()


def test_une_adoption_prochaine_reste_permise(quartier_a):
    """Dans l'année qui vient (la prochaine assemblée) : permise; au-delà, refusée."""
    dans_un_an = dans_n_annees(StrategieDeChangement.ANNEES_A_VENIR)
    strategie = StrategieDeChangement(quartier=quartier_a, version=1, titre="v1")
    strategie.adoptee_le = dans_un_an
    strategie.full_clean()
    strategie.adoptee_le = dans_un_an + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as refus:
        strategie.full_clean()
    assert list(refus.value.message_dict) == ["adoptee_le"]


def test_l_administration_refuse_une_participation_ou_une_action_hors_de_portee(
    client, ada, quartier_a
):
    client.force_login(ada)
    participation = ParticipationFactory(table=quartier_a.table)
    avant = Participation(
        partenaire=participation.partenaire, table=quartier_a.table, debut=datetime.date(1, 1, 1)
    )
    with pytest.raises(ValidationError) as refus:
        avant.full_clean()
    assert refus.value.message_dict["debut"] == [TROP_ANCIENNE]
    reponse = client.post(
        reverse("admin:indicateurs_action_add"),
        {
            "quartier": quartier_a.pk,
            "titre": "Action",
            "type_action": "projet",
            "debut": "2025-01-01",
            "fin": "9999-12-31",
        },
    )
    assert reponse.status_code == 200
    assert len(reponse.context["adminform"].form.errors["fin"]) == 1
    assert not Action.objects.exists()


def test_le_message_dit_la_limite_dans_la_langue_active():
    aujourd_hui = timezone.localdate()
    limite = dans_n_annees(5, aujourd_hui)
    assert limite.month == aujourd_hui.month and limite.year == aujourd_hui.year + 5
    assert erreur_de_date(limite, 5) is None
    apres = limite + datetime.timedelta(days=1)
    with translation.override("fr"):
        assert erreur_de_date(apres, 5).endswith(f"{limite.year}, dans 5 ans.")
        assert erreur_de_date(dans_n_annees(2), 1).endswith("dans 1 an.")
    assert dans_n_annees(1, datetime.date(2028, 2, 29)) == datetime.date(2029, 2, 28)
