"""La feuille d'impression des bilans (static/css/bilan-impression.css), vérifiée sur des PDF
mis en page par WeasyPrint (`pdf.html_en_pdf`, qui l'applique). Avant : le nom d'un indicateur
(« Indicateurs et sources », un `dt`) ou la légende d'un tableau restait seul en bas de page, la
légende cachée d'un tableau laissait un trait gris à sa gauche, et l'en-tête de la page 2 (la
table des matières) était vide."""

from __future__ import annotations

import io

import pypdfium2 as pdfium
import pytest
from PIL import ImageChops
from pypdf import PdfReader

from rapports import services
from rapports.instantane import construire_instantane
from rapports.models import Bilan, Portee
from rapports.pdf import html_en_pdf
from tests.factories import construire_quartier

TITRE = "Bilan d'essai"
MOTS = [
    "la",
    "valeur",
    "du",
    "trimestre",
    "est",
    "transmise",
    "par",
    "la",
    "table",
    "de",
    "quartier",
]


def _texte(n: int) -> str:
    return " ".join(MOTS[i % len(MOTS)] for i in range(n))


def _pdf(corps: str) -> bytes:
    return html_en_pdf(
        f'<html lang="fr"><head><title>{TITRE}</title></head><body class="bilan"><main>'
        f'<section class="couverture"><h1>{TITRE}</h1></section>{corps}</main></body></html>'
    )


def _dernieres_lignes(contenu: bytes) -> list[str]:
    """La dernière ligne du contenu de chaque page après la couverture, sauf la dernière page
    (ni en-tête ni pied de page)."""
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(contenu)).pages][1:-1]
    dernieres = []
    for texte in pages:
        lignes = [
            ligne.strip()
            for ligne in texte.splitlines()
            if ligne.strip() not in ("", TITRE)
            and not ligne.startswith("page ")
            and "ÉvalPIC" not in ligne
        ]
        dernieres.append(lignes[-1])
    return dernieres


def test_le_nom_d_un_indicateur_ne_reste_pas_seul_en_bas_de_page():
    """Quatre-vingts définitions de longueurs variées, comme « Indicateurs et sources » : avant,
    trois pages finissaient par un nom, sa définition à la page suivante."""
    definitions = "".join(
        f'<dt>Indicateur {k} <span class="code">code-{k}</span></dt>'
        f"<dd>{_texte(12 + (k * 7) % 45)}</dd>"
        for k in range(80)
    )
    dernieres = _dernieres_lignes(_pdf(f'<dl class="definitions">{definitions}</dl>'))
    assert len(dernieres) >= 4
    assert not [ligne for ligne in dernieres if ligne.startswith("Indicateur ")], dernieres


def test_la_legende_d_un_tableau_ne_reste_pas_seule_en_bas_de_page():
    tableaux = "".join(
        f"<p>{_texte(10 + (k * 13) % 70)}</p>"
        f'<table class="tableau"><caption>Tableau {k}</caption>'
        "<thead><tr><th>A</th><th>B</th></tr></thead><tbody>"
        + "".join(f"<tr><th>l{i}</th><td>{i}</td></tr>" for i in range(3))
        + "</tbody></table>"
        for k in range(40)
    )
    dernieres = _dernieres_lignes(_pdf(tableaux))
    assert len(dernieres) >= 4
    assert not [ligne for ligne in dernieres if ligne.startswith("Tableau ")], dernieres


def test_la_legende_cachee_d_un_tableau_ne_laisse_aucune_trace():
    """La page est la même, au pixel près, avec ou sans la légende cachée (gardée dans le texte
    du PDF pour les lecteurs d'écran)."""

    def page(legende: str):
        lignes = "".join(f"<tr><th>T{i} 2025</th><td>{i}</td></tr>" for i in range(1, 5))
        contenu = _pdf(
            f'<p>Avant</p><table class="tableau">{legende}<thead><tr><th>Période</th>'
            f"<th>Valeur</th></tr></thead><tbody>{lignes}</tbody></table>"
        )
        image = pdfium.PdfDocument(contenu)[1].render(scale=4, grayscale=True).to_pil()
        return image.convert("L"), PdfReader(io.BytesIO(contenu)).pages[1].extract_text()

    avec, texte = page('<caption class="visuellement-cache">Valeurs par trimestre</caption>')
    sans, _texte_sans = page("")
    assert ImageChops.difference(avec, sans).getbbox() is None
    assert "Valeurs par trimestre" in texte


@pytest.fixture(scope="module")
def _kaleido():
    from rapports.images import arreter_kaleido, demarrer_kaleido

    demarrer_kaleido()
    yield
    arreter_kaleido()


@pytest.mark.django_db
def test_l_en_tete_de_la_page_de_la_table_des_matieres_la_nomme(_kaleido):
    quartier = construire_quartier(nom="Villeray", indicateurs=1, trimestres=4)
    bilan = Bilan(portee=Portee.QUARTIER, quartier=quartier, annee=2023, trimestre=4, langue="fr")
    contenu = services.pdf_du_bilan(construire_instantane(bilan), services.titre_du_bilan(bilan))
    deuxieme = PdfReader(io.BytesIO(contenu)).pages[1].extract_text()
    # Le titre de la page, puis l'en-tête qui le répète (avant : l'en-tête était vide).
    assert deuxieme.count("Table des matières") == 2, deuxieme
