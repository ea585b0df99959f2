"""L'avis « bilan prêt » ne part qu'à qui peut encore lire le bilan : compte actif et accès
donné par le sélecteur des bilans (`bilans_accessibles`), comme les rappels de saisie ne vont
qu'aux coordinations actives et en poste."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail

from quartiers.models import RoleGlobal
from rapports.avis_bilans import prevenir
from rapports.models import Bilan, Portee, StatutBilan
from tests.factories import UtilisateurFactory

pytestmark = pytest.mark.django_db


def _bilan(quartier=None, demande_par=None) -> Bilan:
    return Bilan.objects.create(
        portee=Portee.QUARTIER if quartier else Portee.PIC,
        quartier=quartier,
        annee=2024,
        trimestre=4,
        statut=StatutBilan.PRET,
        demande_par=demande_par,
        planifie=demande_par is None,
    )


def _destinataires() -> list[list[str]]:
    return [message.to for message in mail.outbox]


def test_la_personne_qui_a_demande_le_bilan_est_prevenue(alice, quartier_a):
    prevenir(_bilan(quartier_a, demande_par=alice))
    assert _destinataires() == [["alice@exemple.org"]]
    assert "Quartier A" in mail.outbox[0].subject


def test_pas_d_avis_a_qui_n_est_plus_affecte_au_quartier(alice, quartier_a):
    bilan = _bilan(quartier_a, demande_par=alice)
    affectation = alice.affectations.get()
    affectation.fin = datetime.date.today() - datetime.timedelta(days=1)
    affectation.save()
    prevenir(bilan)
    assert mail.outbox == []


def test_pas_d_avis_a_un_compte_desactive(alice, quartier_a):
    bilan = _bilan(quartier_a, demande_par=alice)
    alice.is_active = False
    alice.save()
    prevenir(bilan)
    assert mail.outbox == []


def test_pas_d_avis_du_bilan_du_pic_a_qui_n_evalue_plus(eve):
    bilan = _bilan(demande_par=eve)
    eve.role_global = RoleGlobal.AUCUN
    eve.save()
    prevenir(bilan)
    assert mail.outbox == []


def test_un_bilan_planifie_previent_l_evaluation_active_seulement(quartier_a, eve, alice):
    UtilisateurFactory(
        email="partie@exemple.org", role_global=RoleGlobal.EVALUATEUR, is_active=False
    )
    prevenir(_bilan(quartier_a))
    prevenir(_bilan())
    assert _destinataires() == [["eve@exemple.org"], ["eve@exemple.org"]]
