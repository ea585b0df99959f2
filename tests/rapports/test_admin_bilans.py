"""Un bilan ne se modifie pas dans l'administration : il se demande par le service et se produit
par le worker. Son statut mis à « prêt » à la main (sans instantané) faisait échouer sa page
pour tous ses lecteurs; son quartier changé après production changeait qui peut l'ouvrir.
L'administration le consulte et peut le supprimer."""

from __future__ import annotations

import pytest
from django.urls import reverse

from rapports.models import Bilan, Portee, StatutBilan

pytestmark = pytest.mark.django_db


@pytest.fixture
def bilan_en_attente(quartier_a, eve):
    return Bilan.objects.create(
        portee=Portee.QUARTIER, quartier=quartier_a, annee=2026, trimestre=2, demande_par=eve
    )


def test_le_statut_et_la_portee_d_un_bilan_ne_se_changent_pas(
    client, ada, eve, quartier_b, bilan_en_attente
):
    client.force_login(ada)
    adresse = reverse("admin:rapports_bilan_change", args=[bilan_en_attente.pk])
    page = client.get(adresse)
    assert page.status_code == 200
    assert b'name="statut"' not in page.content and b'name="quartier"' not in page.content
    assert b'name="_save"' not in page.content  # rien à enregistrer
    reponse = client.post(
        adresse,
        {
            "portee": "quartier",
            "quartier": quartier_b.pk,
            "annee": "2020",
            "trimestre": "1",
            "langue": "en",
            "statut": StatutBilan.PRET,
            "erreur": "",
            "demande_par": ada.pk,
        },
    )
    assert reponse.status_code == 302
    bilan = Bilan.objects.get(pk=bilan_en_attente.pk)
    assert (bilan.statut, bilan.quartier_id, bilan.annee, bilan.langue, bilan.demande_par) == (
        StatutBilan.EN_ATTENTE,
        bilan_en_attente.quartier_id,
        2026,
        "fr",
        eve,
    )
    client.force_login(eve)
    assert client.get(reverse("bilan_detail", args=[bilan.pk])).status_code == 200


def test_l_administration_supprime_un_bilan(client, ada, bilan_en_attente):
    client.force_login(ada)
    adresse = reverse("admin:rapports_bilan_delete", args=[bilan_en_attente.pk])
    assert client.post(adresse, {"post": "yes"}).status_code == 302
    assert not Bilan.objects.exists()
