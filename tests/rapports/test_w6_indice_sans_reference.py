"""Un indicateur entre quartiers : le panneau d'un quartier sans référence (ou à référence nulle)
n'a aucun indice en base 100 (`statuts.normaliser`). Il restait vide, sans un mot, et la case
« Référence » du tableau était vide : le panneau le dit, la case porte un tiret."""

from __future__ import annotations

from decimal import Decimal

import plotly.graph_objects as go
import pytest
from django.urls import reverse
from django.utils import translation

from indicateurs.models import Saisie, Valeur
from rapports.graphiques import petits_multiples
from rapports.series import Point, SerieIndicateur
from rapports.statuts import normaliser
from tests.factories import (
    IndicateurFactory,
    IndicateurSuiviFactory,
    QuartierFactory,
    periode_du_trimestre,
)

NOTE = "Sans référence (ou<br>référence nulle) :<br>indice non calculable"


def _serie(reference) -> SerieIndicateur:
    return SerieIndicateur(
        code="IND",
        nom="Indicateur",
        unite="nombre",
        polarite="hausse",
        reference=reference,
        points=[Point("2025-T1", "T1 2025", None, Decimal(4))],
    )


def _notes(figure: dict) -> list[tuple[str, str]]:
    return [(a["text"], a["xref"]) for a in figure["layout"]["annotations"]]


@pytest.mark.parametrize("reference", [None, Decimal(0)])
def test_le_panneau_sans_indice_dit_pourquoi(reference):
    with translation.override("fr"):
        figure = petits_multiples(
            [("Avec", normaliser(_serie(Decimal(2)))), ("Sans", normaliser(_serie(reference)))]
        )
    go.Figure(figure)
    notes = _notes(figure)
    assert (NOTE, "x2 domain") in notes  # au milieu du second panneau
    assert not any(texte == NOTE and xref == "x domain" for texte, xref in notes)


def test_un_panneau_sans_valeur_mais_avec_reference_n_a_pas_la_note():
    serie = _serie(Decimal(2))
    serie.points[0] = Point("2025-T1", "T1 2025", None, None)
    with translation.override("fr"):
        figure = petits_multiples([("Vide", normaliser(serie))])
    assert all(texte != NOTE for texte, _x in _notes(figure))


@pytest.mark.django_db
def test_la_page_met_un_tiret_pour_la_reference_absente(client, eve):
    indicateur = IndicateurFactory(code="menages", nom_fr="Ménages")
    periode = periode_du_trimestre(2025, 1)
    for nom, reference in (("Avec", Decimal(8)), ("Sans", None)):
        quartier = QuartierFactory(nom=nom, slug=nom.lower())
        IndicateurSuiviFactory(quartier=quartier, indicateur=indicateur, valeur_reference=reference)
        saisie = Saisie.objects.create(table=quartier.table, periode=periode, statut="validee")
        Valeur.objects.create(saisie=saisie, indicateur=indicateur, valeur_numerique=4)
    client.force_login(eve)
    page = client.get(
        reverse("indicateur_entre_quartiers", args=["menages"]) + "?debut=2025-T1&fin=2025-T1",
        HTTP_ACCEPT_LANGUAGE="fr",
    ).content.decode()
    assert '<th scope="row">Sans</th><td class="nombre">—</td>' in page
    assert '<th scope="row">Avec</th><td class="nombre">8</td>' in page
    assert "indice non calculable" in page  # la note du panneau, dans le JSON de la figure
