"""La source d'un indicateur suit la langue, comme son nom et sa définition : un bilan anglais
(instantané, HTML) dit « Source: Roundtable partner registry », un bilan français la source
française, et un indicateur sans source anglaise garde la française (repli). Le référentiel
donne la source anglaise de chaque indicateur; l'API et l'administration montrent les deux."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from indicateurs.models import Indicateur
from quartiers.referentiel import charger_referentiel
from tests.api.test_saisies_bilans import client_de
from tests.factories import AffectationFactory, IndicateurFactory
from tests.rapports.test_bilans_rendu_corrections import construire_villeray, produire

pytestmark = pytest.mark.django_db

# Les indicateurs de construire_villeray : deux avec une source anglaise, un sans.
SOURCES = {
    "zz-9": ("Registre des partenaires zz-9", "Partner registry zz-9"),
    "m-10": ("Procès-verbaux m-10", "Council minutes m-10"),
    "aa-100": ("Questionnaire aa-100", ""),
}


@pytest.fixture
def villeray():
    quartier = construire_villeray()
    for code, (francaise, anglaise) in SOURCES.items():
        Indicateur.objects.filter(code=code).update(source=francaise, source_en=anglaise)
    return quartier


@pytest.fixture
def coordination(villeray):
    return AffectationFactory(quartier=villeray, role="coordonnateur").utilisateur


def _sources_figees(bilan) -> dict[str, str]:
    return {code: fiche["source"] for code, fiche in bilan.instantane["indicateurs"].items()}


def test_un_bilan_anglais_fige_et_montre_la_source_anglaise(coordination, villeray):
    bilan = produire(coordination, villeray, langue="en")
    assert _sources_figees(bilan) == {
        "zz-9": "Partner registry zz-9",
        "m-10": "Council minutes m-10",
        "aa-100": "Questionnaire aa-100",  # sans source anglaise : la française
    }
    document = bilan.fichier_html.read().decode()
    assert "Source: Partner registry zz-9" in document
    assert "Source: Council minutes m-10" in document
    assert "Source: Questionnaire aa-100" in document
    assert "Registre des partenaires zz-9" not in document
    assert "Procès-verbaux m-10" not in document


def test_un_bilan_francais_fige_et_montre_la_source_francaise(coordination, villeray):
    bilan = produire(coordination, villeray, langue="fr")
    assert _sources_figees(bilan) == {code: fr for code, (fr, _en) in SOURCES.items()}
    document = bilan.fichier_html.read().decode()
    assert "Source : Registre des partenaires zz-9" in document
    assert "Partner registry zz-9" not in document
    assert "Council minutes m-10" not in document


def test_un_bilan_deja_produit_garde_la_source_qu_il_a_figee(client, coordination, villeray):
    bilan = produire(coordination, villeray, langue="en")
    Indicateur.objects.filter(code="zz-9").update(source_en="Nouvelle source")
    client.force_login(coordination)
    page = client.get(reverse("bilan_detail", args=[bilan.pk])).content.decode()
    assert "Partner registry zz-9" in page and "Nouvelle source" not in page


def test_la_source_suit_la_langue_active_avec_repli_sur_le_francais():
    indicateur = Indicateur(source="Registre de la table", source_en="Roundtable registry")
    sans_anglais = Indicateur(source="Registre de la table", source_en="")
    que_des_espaces = Indicateur(source="Registre de la table", source_en="   ", nom_en=" ")
    with translation.override("en"):
        assert indicateur.source_affichee == "Roundtable registry"
        assert sans_anglais.source_affichee == "Registre de la table"
        # Des espaces ne sont pas une source (chargée par le référentiel, un script) : le bilan
        # écrivait « Source:    ».
        assert que_des_espaces.source_affichee == "Registre de la table"
        assert que_des_espaces.nom == que_des_espaces.nom_fr
    with translation.override("fr"):
        assert indicateur.source_affichee == "Registre de la table"


def test_le_referentiel_donne_une_source_anglaise_a_chaque_indicateur_qui_a_une_source():
    charger_referentiel()
    avec_source = Indicateur.objects.exclude(source="")
    assert avec_source.count() == 25
    sans_anglais = list(avec_source.filter(source_en="").values_list("code", flat=True))
    assert sans_anglais == []
    partenaires = Indicateur.objects.get(code="proc-partenaires-actifs")
    with translation.override("en"):
        assert partenaires.source_affichee.startswith("Roundtable partner registry")


def test_l_api_des_indicateurs_expose_les_deux_sources(eve):
    IndicateurFactory(code="logements", source="Comité logement", source_en="Housing committee")
    fiche = client_de(eve).get("/api/v1/indicateurs/logements/").json()
    assert (fiche["source"], fiche["source_en"]) == ("Comité logement", "Housing committee")


def test_l_administration_montre_les_deux_sources(client, ada):
    indicateur = IndicateurFactory(source="Comité logement", source_en="Housing committee")
    client.force_login(ada)
    reponse = client.get(reverse("admin:indicateurs_indicateur_change", args=[indicateur.pk]))
    page = reponse.content.decode()
    assert 'name="source"' in page and 'name="source_en"' in page
    assert "Housing committee" in page
