"""Un trimestre où la table n'a rien transmis de ce qu'elle avait à saisir vaut 0 % partout : la
page de complétude le disait, la carte de chaleur de la vue d'ensemble, son tableau et son CSV
laissaient une case vide (« — »), comme pour un quartier qui n'a rien à saisir. Seul ce dernier
n'a pas de part (`lectures.parts_renseignees`)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from indicateurs.models import IndicateurSuivi, Saisie, Valeur
from rapports.lectures import parts_renseignees
from tests.factories import IndicateurSuiviFactory, QuartierFactory, periode_du_trimestre

pytestmark = pytest.mark.django_db


@pytest.fixture
def villeray_et_rosemont():
    """Villeray a deux indicateurs à saisir : un des deux transmis au premier trimestre, rien au
    second. Rosemont ne suit qu'un indicateur inactif : rien à saisir."""
    villeray = QuartierFactory(nom="Villeray", slug="villeray")
    a, _b = (IndicateurSuiviFactory(quartier=villeray) for _ in range(2))
    rosemont = QuartierFactory(nom="Rosemont", slug="rosemont")
    inactif = IndicateurSuiviFactory(quartier=rosemont)
    premier, second = periode_du_trimestre(2024, 1), periode_du_trimestre(2024, 2)
    saisie = Saisie.objects.create(table=villeray.table, periode=premier, statut="validee")
    Valeur.objects.create(saisie=saisie, indicateur=a.indicateur, valeur_numerique=Decimal(1))
    IndicateurSuivi.objects.filter(pk=inactif.pk).update(actif=False)
    return villeray, rosemont, [premier, second]


def test_rien_transmis_vaut_zero_et_rien_a_saisir_n_a_pas_de_part(villeray_et_rosemont):
    villeray, rosemont, (premier, second) = villeray_et_rosemont
    parts = parts_renseignees([villeray, rosemont], [premier, second])
    assert parts == {(villeray.pk, premier.pk): 50.0, (villeray.pk, second.pk): 0.0}


def test_la_carte_son_tableau_et_son_csv_disent_zero_comme_la_page_de_completude(
    villeray_et_rosemont, eve, client
):
    client.force_login(eve)
    completude = client.get(reverse("completude"), {"periode": "2024-T2"}).content.decode()
    ligne = " ".join(completude[completude.index("Villeray") :].split("</tr>")[0].split())
    assert "0 %" in ligne
    csv = client.get(reverse("tableau_pic"), {"csv": "completude"}).content.decode("utf-8-sig")
    assert csv.splitlines() == ["Quartier;T1 2024;T2 2024", "Rosemont;;", "Villeray;50;0"]
    page = client.get(reverse("tableau_pic"))
    # Rosemont n'a aucune donnée (rien à saisir, aucun partenaire) : ni ligne sur la carte ni
    # dans son tableau, il est nommé sous la carte (test_w4_vue_d_ensemble_sans_donnees).
    (villeray,) = page.context["completude"]
    assert villeray == ("Villeray", [50.0, 0.0])
    (trace,) = page.context["figures"]["completude"]["data"]
    assert trace["z"] == [[50.0, 0.0]]
    assert trace["text"] == [["50\u00a0%", "0\u00a0%"]]


def test_zero_pour_cent_a_sa_couleur_et_la_page_explique_la_case_vide(
    villeray_et_rosemont, eve, client
):
    """0 % (rien de transmis) ne prend pas la couleur presque blanche d'une toute petite part,
    qu'on confondait avec une case vide (rien à saisir); la page dit ce que veut dire chacune."""
    client.force_login(eve)
    page = client.get(reverse("tableau_pic"))
    (trace,) = page.context["figures"]["completude"]["data"]
    (zero, couleur_zero), (suivant, couleur_suivante) = trace["colorscale"][:2]
    assert zero == 0 and suivant <= 0.0001 and couleur_zero != couleur_suivante
    assert "Une case vide : le quartier n'avait rien à saisir" in page.content.decode()
