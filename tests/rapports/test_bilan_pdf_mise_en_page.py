"""La mise en page du PDF d'un bilan : pied de page dans la langue du bilan, dates écrites dans
cette langue, « En bref » sous la table des matières et les rubriques d'apprentissages vides qui
se suivent au lieu de prendre chacune une page; la table des matières garde ses numéros justes."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from rapports import services
from rapports.instantane import construire_instantane
from rapports.models import Bilan, Portee
from rapports.rendu import titre_insecable
from tests.factories import construire_quartier

pytestmark = pytest.mark.django_db

RUBRIQUES = {
    "fr": ("Les défis", "Les changements de pratiques", "Au-delà des changements"),
    "en": ("Challenges", "Changes in practice", "Beyond the changes"),
}
DATE_ISO = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def pages_du_pdf(langue: str) -> list[str]:
    quartier = construire_quartier(nom="Villeray", indicateurs=1, trimestres=4)
    bilan = Bilan(portee=Portee.QUARTIER, quartier=quartier, annee=2023, trimestre=4, langue=langue)
    contenu = services.pdf_du_bilan(construire_instantane(bilan), services.titre_du_bilan(bilan))
    return [page.extract_text() for page in PdfReader(io.BytesIO(contenu)).pages]


@pytest.fixture(scope="module")
def _kaleido():
    from rapports.images import arreter_kaleido, demarrer_kaleido

    demarrer_kaleido()
    yield
    arreter_kaleido()


def _page_de(pages: list[str], titre: str) -> int:
    """Le numéro (à partir de 1) de la page où commence la section, après la table."""
    return next(n for n, texte in enumerate(pages, 1) if n > 2 and titre in texte.splitlines())


def test_le_pdf_anglais_a_son_pied_de_page_en_anglais(_kaleido):
    pages = pages_du_pdf("en")
    for texte in pages[1:]:  # la couverture n'a pas de pied
        assert "ÉvalPIC — Collective Impact Project" in texte
        assert "Projet impact collectif" not in texte


def test_le_pdf_francais_garde_son_pied_de_page(_kaleido):
    pages = pages_du_pdf("fr")
    assert all("ÉvalPIC — Projet impact collectif" in texte for texte in pages[1:])


@pytest.mark.parametrize(
    ("langue", "periode"),
    [("fr", "1er octobre 2023 – 31 décembre 2023"), ("en", "Oct. 1, 2023 – Dec. 31, 2023")],
)
def test_les_dates_sont_ecrites_dans_la_langue_du_bilan(_kaleido, langue, periode):
    pages = pages_du_pdf(langue)
    assert periode in " ".join(pages[0].split())
    assert not DATE_ISO.search("\n".join(pages))


@pytest.mark.parametrize("langue", ["fr", "en"])
def test_en_bref_et_rubriques_vides_ne_prennent_pas_chacune_une_page(_kaleido, langue):
    pages = pages_du_pdf(langue)
    en_bref = "En bref" if langue == "fr" else "In brief"
    assert en_bref in pages[1].splitlines()  # sous la table des matières, même page
    rubriques = RUBRIQUES[langue]
    numeros = {_page_de(pages, titre) for titre in rubriques}
    assert len(numeros) == 1  # vides, elles tiennent sur une même page
    # La table des matières renvoie à la bonne page.
    table = pages[1].splitlines()
    for titre in rubriques:
        ligne = next(ligne for ligne in table if ligne.startswith(titre))
        assert ligne.rstrip().endswith(str(_page_de(pages, titre))), ligne


def test_le_titre_de_couverture_garde_ses_derniers_mots_ensemble():
    assert titre_insecable("Bilan — Saint-Michel — T2 2026") == (
        "Bilan\u00a0— Saint-Michel\u00a0— T2\u00a02026"
    )
    assert titre_insecable("Bilan") == "Bilan"
