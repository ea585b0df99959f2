"""Le texte d'un indicateur en texte est sa valeur dans chaque export : CSV des tableaux de bord
(quartier, indicateur entre quartiers) et CSV et XLSX du bilan. Avant, la colonne « Valeur » y
restait vide. Un texte qui commence comme une formule de tableur y est neutralisé
(`evalpic.tableurs`), comme tout autre texte des CSV."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from indicateurs.models import Saisie, Valeur
from rapports.exports import exporter_csv, exporter_xlsx
from rapports.instantane import construire_instantane
from rapports.models import Bilan, Portee
from tests.factories import IndicateurFactory, IndicateurSuiviFactory, construire_quartier

pytestmark = pytest.mark.django_db

TEXTES = ("Projet déposé au conseil", '=HYPERLINK("http://x")')


@pytest.fixture
def quartier():
    """Quatre trimestres de 2023; l'indicateur en texte « politique » renseigné aux deux
    premiers, le second par un texte qui ressemble à une formule."""
    quartier = construire_quartier(nom="Alpha", indicateurs=1, trimestres=4)
    politique = IndicateurFactory(code="politique", nom_fr="Politique municipale", unite="texte")
    IndicateurSuiviFactory(quartier=quartier, indicateur=politique, valeur_reference=None)
    saisies = Saisie.objects.filter(table=quartier.table).order_by("periode__debut")
    for saisie, texte in zip(saisies, TEXTES, strict=False):
        Valeur.objects.create(saisie=saisie, indicateur=politique, valeur_texte=texte)
    return quartier


def _csv(contenu: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(contenu.decode("utf-8-sig"), newline=""), delimiter=";"))


def _attendus() -> list[str]:
    return [TEXTES[0], "'" + TEXTES[1]]


def test_csv_du_tableau_du_quartier(client, eve, quartier):
    client.force_login(eve)
    reponse = client.get(reverse("tableau_quartier", args=[quartier.slug]), {"csv": "series"})
    assert reponse.status_code == 200, reponse.content[:300]
    lignes = [ligne for ligne in _csv(reponse.content) if ligne[0] == "politique"]
    assert [ligne[3] for ligne in lignes if ligne[3]] == _attendus()


def test_csv_d_un_indicateur_entre_quartiers(client, eve, quartier):
    client.force_login(eve)
    reponse = client.get(
        reverse("indicateur_entre_quartiers", args=["politique"]), {"csv": "quartiers"}
    )
    assert reponse.status_code == 200
    assert [ligne[2] for ligne in _csv(reponse.content)[1:] if ligne[2]] == _attendus()


def test_csv_et_xlsx_du_bilan(quartier):
    bilan = Bilan(portee=Portee.QUARTIER, quartier=quartier, annee=2023, trimestre=4, langue="fr")
    instantane = construire_instantane(bilan)
    lignes = [ligne for ligne in _csv(exporter_csv(instantane)) if ligne[1] == "politique"]
    assert [ligne[6] for ligne in lignes if ligne[6]] == _attendus()
    # Les nombres simples ne sont pas touchés par la neutralisation.
    autres = [ligne[6] for ligne in _csv(exporter_csv(instantane))[1:] if ligne[1] != "politique"]
    assert autres and all(not v.startswith("'") for v in autres)

    classeur = openpyxl.load_workbook(io.BytesIO(exporter_xlsx(instantane)))
    feuille = classeur.worksheets[0]
    cases = [ligne[6] for ligne in feuille.iter_rows(min_row=2, values_only=True)]
    assert TEXTES[0] in cases
    case_formule = next(
        c for c in feuille.iter_rows(min_row=2) if c[6].value and "HYPERLINK" in str(c[6].value)
    )[6]
    assert case_formule.data_type == "s"  # du texte, jamais une formule


def test_un_texte_qui_ressemble_a_un_nombre_reste_du_texte_dans_le_xlsx(quartier):
    """Le texte d'un indicateur en texte n'est pas un nombre : « 007 » et « 1e5 » restent tels
    quels dans la colonne des valeurs, que le classeur écrit pourtant en nombres ailleurs."""
    valeurs = Valeur.objects.filter(indicateur__code="politique").order_by("saisie__periode__debut")
    for valeur, texte in zip(valeurs, ("007", "1e5"), strict=True):
        valeur.valeur_texte = texte
        valeur.save()
    bilan = Bilan(portee=Portee.QUARTIER, quartier=quartier, annee=2023, trimestre=4, langue="fr")
    instantane = construire_instantane(bilan)
    feuille = openpyxl.load_workbook(io.BytesIO(exporter_xlsx(instantane))).worksheets[0]
    lignes = list(feuille.iter_rows(min_row=2, values_only=True))
    assert [ligne[6] for ligne in lignes if ligne[1] == "politique" and ligne[6]] == ["007", "1e5"]
    assert any(isinstance(ligne[6], int | float) for ligne in lignes if ligne[1] != "politique")


def test_un_caractere_de_controle_colle_ne_fait_pas_echouer_le_xlsx(quartier):
    """Une tabulation verticale ou un saut de page venus d'un copier-coller (dans une valeur en
    texte, un apprentissage) : openpyxl les refuse, et un seul faisait échouer
    tout bilan qui le contenait, celui du PIC compris. Le classeur les remplace par une espace;
    tabulation et fins de ligne restent."""
    from indicateurs.models import Apprentissage, CategorieApprentissage

    valeur = Valeur.objects.filter(indicateur__code="politique").order_by("pk").first()
    valeur.valeur_texte = "ligne 1\x0bligne 2\x0cpage 2\tcolonne\nfin"
    valeur.save()
    Apprentissage.objects.create(
        quartier=quartier,
        periode=Saisie.objects.filter(table=quartier.table).latest("periode__debut").periode,
        categorie=CategorieApprentissage.DEFIS,
        texte_fr="avant\x1fapres",
    )
    bilan = Bilan(portee=Portee.QUARTIER, quartier=quartier, annee=2023, trimestre=4, langue="fr")
    classeur = openpyxl.load_workbook(io.BytesIO(exporter_xlsx(construire_instantane(bilan))))
    cases = {
        case
        for feuille in classeur.worksheets
        for ligne in feuille.iter_rows(values_only=True)
        for case in ligne
        if isinstance(case, str)
    }
    assert "ligne 1 ligne 2 page 2\tcolonne\nfin" in cases
    assert "avant apres" in cases
