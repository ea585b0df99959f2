"""Le choix vide du début, au filtre des tableaux de bord, dit combien de trimestres le tableau
montrera : douze au plus, qui finissent à « À » (`FiltreForm.filtre`), moins s'il y a moins de
trimestres commencés ou si « À » est plus tôt; au singulier pour un seul (ngettext)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from indicateurs.models import StatutPeriode
from rapports.forms import FiltreForm
from tests.factories import periode_du_trimestre

pytestmark = pytest.mark.django_db


def _trimestres(nombre: int) -> list:
    return [periode_du_trimestre(2020 + rang // 4, rang % 4 + 1) for rang in range(nombre)]


def _choix_vide(form: FiltreForm) -> str:
    valeur, libelle = form.fields["debut"].choices[0]
    assert valeur == ""
    return str(libelle)


@pytest.mark.parametrize(
    ("nombre", "libelle"),
    [
        (3, "les 3 trimestres finissant à « À »"),
        (2, "les 2 trimestres finissant à « À »"),
        (1, "le trimestre « À » seul"),
        (0, "aucun trimestre commencé"),
        (12, "les 12 trimestres finissant à « À »"),
        (14, "les 12 trimestres finissant à « À »"),
    ],
)
def test_le_choix_vide_dit_le_nombre_reel_de_trimestres(nombre, libelle):
    trimestres = _trimestres(nombre)
    periode_du_trimestre(2030, 1, statut=StatutPeriode.A_VENIR)  # pas commencée : pas comptée
    form = FiltreForm()
    assert _choix_vide(form) == libelle
    assert len(form.filtre().periodes) == min(nombre, 12)  # ce que le tableau montre
    assert list(form.filtre().periodes) == trimestres[-12:]


def test_le_choix_vide_suit_la_fin_choisie():
    trimestres = _trimestres(20)
    for rang, libelle in [
        (3, "les 3 trimestres finissant à « À »"),
        (1, "le trimestre « À » seul"),
    ]:
        form = FiltreForm({"fin": trimestres[rang - 1].code})
        assert _choix_vide(form) == libelle
        assert len(form.filtre().periodes) == rang
    # Une fin inconnue (adresse fabriquée) : refusée par le formulaire, le libellé reste juste.
    form = FiltreForm({"fin": "1999-T9"})
    assert not form.is_valid()
    assert _choix_vide(form) == "les 12 trimestres finissant à « À »"


def test_en_anglais_le_nombre_s_accorde_aussi():
    _trimestres(3)
    with translation.override("en"):
        assert _choix_vide(FiltreForm()) == "the 3 quarters ending at “To”"


def test_la_page_du_tableau_de_bord_montre_le_nombre_reel(client, eve):
    _trimestres(3)
    client.force_login(eve)
    contenu = client.get(reverse("tableau_pic")).content.decode()
    assert '<option value="" selected>les 3 trimestres finissant à « À »</option>' in contenu
