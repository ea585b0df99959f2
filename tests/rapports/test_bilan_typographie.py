"""La typographie du bilan. Le libellé d'une année prend sa majuscule là où il commence une ligne
ou une partie du titre (« Année 2025 (1er janvier 2025 – 31 décembre 2025) », « Bilan —
Saint-Michel — Année 2025 »; « Year 2025 », « Report — Saint-Michel — Year 2025 » en anglais),
et reste en minuscule au milieu d'une phrase. La légende cachée du tableau d'une courbe ne
produit jamais « de » devant une voyelle (« Valeurs, cibles et référence de Acteurs… ») : le nom
vient en tête. Les axes des comptes et des dollars s'écrivent « 100 000 » (« 100,000 » en
anglais), jamais « 100k »."""

from __future__ import annotations

import base64
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.utils import translation

from rapports import graphiques, rendu
from rapports.exports import exporter_xlsx
from rapports.instantane import construire_instantane
from rapports.models import Bilan, Portee
from rapports.series import Point, SerieIndicateur
from rapports.services import titre_du_bilan
from tests.factories import construire_quartier

pytestmark = pytest.mark.django_db


def _bilan_annuel(langue: str) -> tuple[Bilan, dict]:
    quartier = construire_quartier(nom="Saint-Michel", indicateurs=1, trimestres=4)
    bilan = Bilan(portee=Portee.QUARTIER, quartier=quartier, annee=2023, langue=langue)
    return bilan, construire_instantane(bilan)


@pytest.mark.parametrize(
    ("langue", "titre", "couverture"),
    [
        (
            "fr",
            "Bilan — Saint-Michel — Année 2023",
            "1er janvier 2023 – 31 décembre 2023",  # la période, au titre; ici ses dates
        ),
        (
            "en",
            "Report — Saint-Michel — Year 2023",
            "Jan. 1, 2023 – Dec. 31, 2023",
        ),
    ],
)
def test_l_annee_prend_sa_majuscule_en_tete_du_titre_et_de_la_couverture(langue, titre, couverture):
    bilan, instantane = _bilan_annuel(langue)
    for html in (
        rendu.rendre(instantane, titre=titre_du_bilan(bilan)),
        rendu.rendre(instantane, titre=titre_du_bilan(bilan), image=lambda _f, cle: f"img:{cle}"),
    ):
        assert f"<title>{titre}</title>" in html
        assert f"<h1>{titre}</h1>" in html or f"<h1>{rendu.titre_insecable(titre)}</h1>" in html
        assert f'<p class="couverture__periode">{couverture}</p>' in html
    # En début de cellule aussi (« À propos » du classeur, dernière feuille, deuxième colonne).
    classeur = openpyxl.load_workbook(io.BytesIO(exporter_xlsx(instantane)))
    cellules = [
        v
        for (v,) in classeur[classeur.sheetnames[-1]].iter_rows(
            min_col=2, max_col=2, values_only=True
        )
    ]
    assert titre.rsplit(" — ", 1)[1] in cellules


def test_la_legende_du_tableau_d_une_courbe_met_le_nom_en_tete():
    _bilan, instantane = _bilan_annuel("fr")
    nom = instantane["indicateurs"][instantane["quartiers"][0]["series"][0]["code"]]["nom"]
    html = rendu.contenu(instantane, titre="Bilan")
    assert (
        f'<caption class="visuellement-cache">{nom} : valeurs, cibles et référence</caption>'
        in (html)
    )
    assert "référence de " not in html


def _serie_de_comptes(unite: str) -> SerieIndicateur:
    valeurs = ["84100", "92000", "100500"]
    return SerieIndicateur(
        code="dons",
        nom="Dons",
        unite=unite,
        polarite="hausse",
        points=[
            Point(f"2025-T{t}", f"T{t} 2025", None, Decimal(v))
            for t, v in enumerate(valeurs, start=1)
        ],
    )


@pytest.fixture(scope="module")
def _kaleido():
    from rapports.images import arreter_kaleido, demarrer_kaleido

    demarrer_kaleido()
    yield
    arreter_kaleido()


@pytest.mark.parametrize(("langue", "attendu"), [("fr", "100\xa0000"), ("en", "100,000")])
@pytest.mark.parametrize("unite", ["nombre", "dollars"])
def test_l_axe_des_comptes_et_des_dollars_s_ecrit_sans_suffixe(_kaleido, langue, attendu, unite):
    """L'image que le PDF imprime : les graduations dessinées par plotly.js."""
    from rapports.images import figure_en_img

    with translation.override(langue):
        figure = graphiques.courbe_a_renverser(_serie_de_comptes(unite))
        image = figure_en_img(figure)
    svg = base64.b64decode(image.split(",", 1)[1]).decode()
    graduations = re.findall(r'class="ytick"><text[^>]*>([^<]*)<', svg)
    assert attendu in graduations, graduations
    assert not any(g.endswith("k") for g in graduations), graduations


def test_la_legende_du_tableau_d_une_courbe_du_tableau_de_bord_met_le_nom_en_tete(client, eve):
    """Le tableau de bord d'un quartier écrivait « Valeurs, cibles et référence de Acteurs… »
    dans la légende (lue par les lecteurs d'écran) de chaque tableau de courbe."""
    from django.urls import reverse

    from indicateurs.models import IndicateurSuivi
    from tests.factories import construire_quartier

    quartier = construire_quartier(nom="Villeray", indicateurs=1, trimestres=2)
    suivi = IndicateurSuivi.objects.get(quartier=quartier)
    suivi.indicateur.nom_fr = "Acteurs d'influence mobilisés"
    suivi.indicateur.save()
    client.force_login(eve)
    html = client.get(reverse("tableau_quartier", args=[quartier.slug])).content.decode()
    assert "Acteurs d&#x27;influence mobilisés : valeurs, cibles et référence</caption>" in html
    assert "référence de " not in html
