"""Retirer l'accès d'une affectation tout de suite, et non à minuit. La fin d'une affectation est
le dernier jour d'accès, inclus : posée « aujourd'hui », l'accès durait jusqu'à minuit, et une
affectation commencée aujourd'hui ne pouvait pas être finie (la fin ne peut précéder le début).
L'action « Retirer l'accès maintenant » pose la fin à hier, ou supprime l'affectation qui
commence aujourd'hui ou plus tard (quartiers.comptes.retirer_l_acces); le champ le dit."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quartiers.comptes import retirer_l_acces
from quartiers.jetons import creer_jeton
from quartiers.models import Affectation
from tests.factories import AffectationFactory

pytestmark = pytest.mark.django_db

LISTE = "admin:quartiers_affectation_changelist"
UN_JOUR = datetime.timedelta(days=1)


def _voit_le_quartier(personne, quartier, cle: str) -> bool:
    session = Client()
    session.force_login(personne)
    page = session.get(reverse("quartier_detail", args=[quartier.slug])).status_code == 200
    api = Client().get("/api/v1/quartiers/", HTTP_AUTHORIZATION=f"Bearer {cle}").json()
    assert page == (api["count"] == 1)
    return page


def _retirer(client, *affectations):
    return client.post(
        reverse(LISTE),
        {"action": "retirer_l_acces_maintenant", "_selected_action": [a.pk for a in affectations]},
        follow=True,
    )


def test_le_champ_fin_dit_que_le_jour_est_inclus(client, ada, alice):
    client.force_login(ada)
    affectation = Affectation.objects.get(utilisateur=alice)
    contenu = client.get(reverse("admin:quartiers_affectation_change", args=[affectation.pk]))
    assert "Dernier jour d'accès, inclus" in contenu.content.decode()
    assert "Retirer l'accès maintenant" in contenu.content.decode()


@pytest.mark.parametrize("fin", [None, "aujourd_hui"])
def test_retirer_l_acces_d_une_affectation_en_cours(client, ada, alice, quartier_a, fin):
    aujourd_hui = timezone.localdate()
    affectation = Affectation.objects.get(utilisateur=alice)
    affectation.fin = aujourd_hui if fin else None
    affectation.save()
    _jeton, cle = creer_jeton(utilisateur=alice, nom="script")
    assert _voit_le_quartier(alice, quartier_a, cle)
    client.force_login(ada)
    reponse = _retirer(client, affectation)
    messages = [str(m) for m in reponse.context["messages"]]
    assert messages == ["1 affectation retirée : l'accès cesse maintenant (fin : hier)."]
    affectation.refresh_from_db()
    assert affectation.fin == aujourd_hui - UN_JOUR
    assert not _voit_le_quartier(alice, quartier_a, cle)


def test_une_affectation_commencee_aujourd_hui_est_supprimee(client, ada, alice, quartier_a):
    aujourd_hui = timezone.localdate()
    Affectation.objects.filter(utilisateur=alice).update(debut=aujourd_hui)
    _jeton, cle = creer_jeton(utilisateur=alice, nom="script")
    assert _voit_le_quartier(alice, quartier_a, cle)
    client.force_login(ada)
    reponse = _retirer(client, Affectation.objects.get(utilisateur=alice))
    messages = [str(m) for m in reponse.context["messages"]]
    assert messages[1] == (
        "1 d'entre elles commençait aujourd'hui ou plus tard : elle est supprimée, une fin ne "
        "pouvant précéder le début."
    )
    assert not Affectation.objects.filter(utilisateur=alice).exists()
    assert not _voit_le_quartier(alice, quartier_a, cle)


def test_le_service_ne_touche_pas_une_affectation_deja_finie(alice, quartier_a):
    jour = datetime.date(2026, 6, 15)
    finie = AffectationFactory(utilisateur=alice, quartier=quartier_a, role="conseiller")
    finie.fin = datetime.date(2026, 3, 31)
    finie.save()
    a_venir = AffectationFactory(
        utilisateur=alice, quartier=quartier_a, role="conseiller", debut=jour + UN_JOUR
    )
    en_cours = Affectation.objects.get(utilisateur=alice, role="coordonnateur")
    resultat = retirer_l_acces(
        affectations=Affectation.objects.filter(utilisateur=alice), jour=jour
    )
    assert resultat == (1, 1)
    finie.refresh_from_db()
    en_cours.refresh_from_db()
    assert finie.fin == datetime.date(2026, 3, 31)
    assert en_cours.fin == datetime.date(2026, 6, 14)
    assert not Affectation.objects.filter(pk=a_venir.pk).exists()
