"""La couverture et la méthodologie d'un bilan. Avant : la couverture du bilan du PIC disait
« 2 quartiers » sans les nommer (le document fondateur nomme ses cinq quartiers), et la période
s'y lisait deux fois (au titre, puis « T4 2023 (1er octobre 2023 – 31 décembre 2023) »); le PDF
ne donnait pas la somme de contrôle des données que donne la page du bilan; la méthodologie d'un
bilan annuel ne disait pas pourquoi aucun indicateur n'y est « en bonne voie »."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from rapports import rendu, services
from rapports.instantane import construire_instantane, somme_de_controle
from rapports.models import Bilan, Portee
from tests.factories import construire_quartier

pytestmark = pytest.mark.django_db

ANNUEL = "Dans un bilan annuel, une cible fixée au T4 de l'année arrive à échéance"


@pytest.fixture(scope="module")
def _kaleido():
    from rapports.images import arreter_kaleido, demarrer_kaleido

    demarrer_kaleido()
    yield
    arreter_kaleido()


def _couverture(html: str) -> str:
    (couverture,) = re.findall(r'<section class="couverture">.*?</section>', html, re.S)
    return couverture


def _image(_figure, cle):
    return f"img:{cle}"


def test_la_couverture_du_pic_nomme_ses_quartiers_et_dit_la_periode_une_fois():
    for nom in ("Saint-Michel", "Centre-Sud"):
        construire_quartier(nom=nom, indicateurs=1, trimestres=4)
    bilan = Bilan(portee=Portee.PIC, annee=2023, trimestre=4, langue="fr")
    instantane = construire_instantane(bilan)
    titre = services.titre_du_bilan(bilan)
    for html in (rendu.contenu(instantane, titre=titre), rendu.rendre(instantane, titre=titre)):
        couverture = _couverture(html)
        assert "2 quartiers : Centre-Sud, Saint-Michel" in couverture
        assert couverture.count("T4 2023") == 1  # au titre seulement
        assert '<p class="couverture__periode">1er octobre 2023 – 31 décembre 2023</p>' in html


def test_la_methodologie_d_un_bilan_annuel_dit_pourquoi_pas_en_bonne_voie():
    quartier = construire_quartier(nom="Saint-Michel", indicateurs=1, trimestres=4)
    annuel = Bilan(portee=Portee.QUARTIER, quartier=quartier, annee=2023, langue="fr")
    trimestriel = Bilan(portee=Portee.QUARTIER, quartier=quartier, annee=2023, trimestre=4)
    trimestriel.langue = "fr"
    html = rendu.contenu(construire_instantane(annuel), titre="Bilan")
    methodologie = html[html.index('<section id="methodologie"') :]
    assert ANNUEL in methodologie
    assert "« à surveiller », et non « en bonne voie »" in methodologie
    assert ANNUEL not in rendu.contenu(construire_instantane(trimestriel), titre="Bilan")


def test_le_pdf_donne_la_somme_de_controle_et_la_periode_une_fois_en_couverture(_kaleido):
    quartier = construire_quartier(nom="Villeray", indicateurs=1, trimestres=4)
    bilan = Bilan(portee=Portee.QUARTIER, quartier=quartier, annee=2023, trimestre=4, langue="fr")
    instantane = construire_instantane(bilan)
    somme = somme_de_controle(instantane)
    contenu = services.pdf_du_bilan(instantane, services.titre_du_bilan(bilan))
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(contenu)).pages]
    assert pages[0].replace("\xa0", " ").count("T4 2023") == 1
    texte = "".join("\n".join(pages).split())  # la somme peut passer à la ligne
    assert "Sommedecontrôledesdonnées:" + somme in texte
    # La somme est celle des données figées : le rendu ne change pas l'instantané.
    assert somme_de_controle(instantane) == somme
