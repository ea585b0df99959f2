"""Les fichiers d'un bilan, téléchargés par le site et par l'API : mêmes en-têtes, et 404 (pas
500) quand le fichier manque au stockage."""

from __future__ import annotations

import re
from unittest import mock

import pytest
from django.http import Http404
from django.urls import reverse
from rest_framework.test import APIClient

from rapports import services
from rapports.fichiers import fichier_du_bilan
from rapports.models import Bilan, Portee
from tests.factories import AffectationFactory, construire_quartier

pytestmark = pytest.mark.django_db

TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


@pytest.fixture
def coordonnatrice():
    villeray = construire_quartier(nom="Villeray", indicateurs=2, trimestres=4)
    return AffectationFactory(quartier=villeray, role="coordonnateur").utilisateur


@pytest.fixture
def bilan(coordonnatrice) -> Bilan:
    """Un bilan de Villeray produit pour de bon (ses quatre fichiers écrits)."""
    with mock.patch("rapports.tasks.generer_bilan_task.delay"):
        demande = services.demander_bilan(
            auteur=coordonnatrice,
            portee=Portee.QUARTIER,
            quartier=coordonnatrice.affectations.get().quartier,
            annee=2023,
            trimestre=4,
        )
    return services.generer_bilan(bilan_id=demande.pk)


def _adresses(bilan: Bilan, format_: str) -> dict[str, str]:
    return {
        "site": reverse("bilan_fichier", args=[bilan.pk, format_]),
        "api": f"/api/v1/bilans/{bilan.pk}/fichier/{format_}/",
    }


@pytest.mark.parametrize("cote", ["site", "api"])
@pytest.mark.parametrize("format_", ["html", "pdf", "xlsx", "csv"])
def test_le_site_et_l_api_servent_le_meme_fichier_avec_les_memes_en_tetes(
    coordonnatrice, bilan, format_, cote
):
    client = APIClient()
    client.force_login(coordonnatrice)
    reponse = client.get(_adresses(bilan, format_)[cote])
    assert reponse.status_code == 200
    assert reponse["Content-Type"] == TYPES[format_]
    disposition = "inline" if format_ == "html" else "attachment"
    assert reponse["Content-Disposition"] == (
        f'{disposition}; filename="bilan-villeray-2023-T4.{format_}"'
    )
    attendu = getattr(bilan, f"fichier_{format_}").read()
    assert b"".join(reponse.streaming_content) == attendu


@pytest.mark.parametrize("cote", ["site", "api"])
def test_un_fichier_absent_du_stockage_repond_404_sur_le_site_comme_dans_l_api(
    coordonnatrice, bilan, cote
):
    bilan.fichier_pdf.storage.delete(bilan.fichier_pdf.name)
    client = APIClient()
    client.force_login(coordonnatrice)
    assert client.get(_adresses(bilan, "pdf")[cote]).status_code == 404
    with pytest.raises(Http404, match=re.escape("Fichier introuvable.")):
        fichier_du_bilan(bilan, "pdf")


def test_un_format_inconnu_repond_404_sur_le_site(client, coordonnatrice, bilan):
    client.force_login(coordonnatrice)
    assert client.get(reverse("bilan_fichier", args=[bilan.pk, "docx"])).status_code == 404


@pytest.mark.parametrize(
    ("format_", "message"),
    [("docx", "Format inconnu."), ("pdf", "Ce bilan n'est pas prêt.")],
)
def test_fichier_du_bilan_dit_pourquoi_il_n_y_a_rien_a_telecharger(
    coordonnatrice, bilan, format_, message
):
    bilan.statut = "en_cours"
    with pytest.raises(Http404, match=re.escape(message)):
        fichier_du_bilan(bilan, format_)


def test_fichier_du_bilan_rend_le_fichier_ouvert_son_nom_et_son_type(bilan):
    with bilan.fichier_csv.storage.open(bilan.fichier_csv.name) as stocke:
        attendu = stocke.read()
    contenu, nom, type_ = fichier_du_bilan(bilan, "csv")
    with contenu:
        assert contenu.read() == attendu
    assert (nom, type_) == ("bilan-villeray-2023-T4.csv", "text/csv; charset=utf-8")
