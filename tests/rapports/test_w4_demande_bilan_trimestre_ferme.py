"""Le formulaire « Demander un bilan » propose d'abord le dernier trimestre fermé, celui dont le
calendrier produit les bilans, et non le trimestre ouvert, encore en saisie (avant : le
premier choix, le plus récent, était le trimestre ouvert)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from indicateurs.models import StatutPeriode
from rapports.forms_bilans import DemandeBilanForm
from tests.factories import periode_du_trimestre

pytestmark = pytest.mark.django_db


def test_le_dernier_trimestre_ferme_est_choisi_par_defaut(client, eve):
    for trimestre in (1, 2):
        periode_du_trimestre(2026, trimestre)
    periode_du_trimestre(2026, 3, statut=StatutPeriode.OUVERTE)
    periode_du_trimestre(2026, 4, statut=StatutPeriode.A_VENIR)
    form = DemandeBilanForm(utilisateur=eve)
    assert [code for code, _l in form.fields["periode"].choices][:3] == [
        "2026-T3",
        "2026-T2",
        "2026-T1",
    ]
    assert form.fields["periode"].initial == "2026-T2"
    client.force_login(eve)
    page = client.get(reverse("bilans")).content.decode()
    assert '<option value="2026-T2" selected>' in page
    assert '<option value="2026-T3" selected>' not in page


def test_sans_trimestre_ferme_rien_n_est_impose(eve):
    periode_du_trimestre(2026, 1, statut=StatutPeriode.OUVERTE)
    assert DemandeBilanForm(utilisateur=eve).fields["periode"].initial is None
