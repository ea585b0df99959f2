"""Un bilan donne la valeur de sa période selon l'agrégation dans le temps de chaque indicateur
(`indicateurs.agregation`) : le bilan « Année 2025 » de Centre-Sud dit « Total de l'année 2025 :
9 961 (4 trimestres sur 4) » pour les semis distribués (somme : 1 456 + 5 552 + 2 228 + 725),
la moyenne ou la dernière valeur de l'année d'une moyenne ou d'une dernière valeur, en disant
combien de trimestres la portent, et le cumul depuis le début d'un cumul, dans tout bilan, avec
les valeurs publiées d'avant la fenêtre des courbes. La valeur est figée dans l'instantané
(evalpic-bilan-1.8) : la page, le PDF, le CSV et le classeur la relisent, et les régénérer
redonne les mêmes octets. Les statuts restent jugés sur les valeurs trimestrielles.

Avant : l'instantané ne portait ni l'agrégation des indicateurs ni de valeur de la période, et
le bilan annuel ne donnait que les valeurs trimestre par trimestre."""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal
from unittest import mock

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.translation import gettext

from evalpic.nombres import nombre
from indicateurs.models import Saisie, Valeur
from rapports import rendu, services
from rapports.exports import exporter_csv, exporter_xlsx
from rapports.instantane import (
    VERSION_GENERATEUR,
    construire_instantane,
    fenetre,
    somme_de_controle,
)
from rapports.lectures import Filtre, lire_series
from rapports.models import Bilan, Portee
from rapports.rendu import contenu, rendre
from rapports.statuts import statut
from tests.factories import (
    AffectationFactory,
    ChangementViseFactory,
    IndicateurFactory,
    IndicateurSuiviFactory,
    QuartierFactory,
    StrategieFactory,
    periode_du_trimestre,
)

pytestmark = pytest.mark.django_db

SEMIS_2025 = {1: "1456", 2: "5552", 3: "2228", 4: "725"}
# Avant la fenêtre de douze trimestres du bilan 2025 (2023-T1 à 2025-T4) : 2022, publiée.
LOGEMENTS = {(2022, 2): "5", (2022, 3): "3", (2023, 1): "2", (2024, 4): "4", (2025, 2): "1"}
BROUILLON = (2022, 4)  # une saisie jamais transmise : ses 1 000 logements ne comptent pas


def _periodes() -> None:
    for annee in (2022, 2023, 2024, 2025):
        for trimestre in (1, 2, 3, 4):
            periode_du_trimestre(annee, trimestre)


def _suivre(quartier, code: str, agregation: str, unite: str = "nombre"):
    indicateur = IndicateurFactory(code=code, agregation=agregation, unite=unite)
    IndicateurSuiviFactory(quartier=quartier, indicateur=indicateur)
    return indicateur


def _centre_sud(nom: str = "Centre-Sud"):
    """Centre-Sud : semis (somme), bénévoles (moyenne, rien au T4 2025), superficie (dernière
    valeur, rien au T4 2025), logements (cumul, dont des valeurs de 2022 et une saisie en
    brouillon), politique (texte)."""
    quartier = QuartierFactory(nom=nom, slug=nom.lower())
    changement = ChangementViseFactory(strategie=StrategieFactory(quartier=quartier))
    semis = _suivre(quartier, f"semis-{quartier.slug}", "somme")
    benevoles = _suivre(quartier, f"benevoles-{quartier.slug}", "moyenne")
    superficie = _suivre(quartier, f"superficie-{quartier.slug}", "derniere")
    logements = _suivre(quartier, f"logements-{quartier.slug}", "cumul")
    politique = _suivre(quartier, f"politique-{quartier.slug}", "derniere", unite="texte")
    changement.indicateurs.set([semis, benevoles, superficie, logements, politique])
    for annee in (2022, 2023, 2024, 2025):
        for trimestre in (1, 2, 3, 4):
            statut = "brouillon" if (annee, trimestre) == BROUILLON else "validee"
            saisie = Saisie.objects.create(
                table=quartier.table,
                periode=periode_du_trimestre(annee, trimestre),
                statut=statut,
            )
            valeurs = [Valeur(saisie=saisie, indicateur=politique, valeur_texte="Adoptée")]
            if annee == 2025:
                valeurs.append(
                    Valeur(saisie=saisie, indicateur=semis, valeur_numerique=SEMIS_2025[trimestre])
                )
                if trimestre < 4:
                    valeurs += [
                        Valeur(
                            saisie=saisie, indicateur=benevoles, valeur_numerique=8 + 2 * trimestre
                        ),
                        Valeur(
                            saisie=saisie, indicateur=superficie, valeur_numerique=100 * trimestre
                        ),
                    ]
            elif annee == 2024:  # une autre année : hors du total de 2025
                valeurs.append(Valeur(saisie=saisie, indicateur=semis, valeur_numerique=999))
            if (annee, trimestre) in LOGEMENTS:
                valeur = LOGEMENTS[(annee, trimestre)]
                valeurs.append(Valeur(saisie=saisie, indicateur=logements, valeur_numerique=valeur))
            elif (annee, trimestre) == BROUILLON:
                valeurs.append(Valeur(saisie=saisie, indicateur=logements, valeur_numerique=1000))
            Valeur.objects.bulk_create(valeurs)
    return quartier


def _series(instantane: dict, quartier: int = 0) -> dict[str, dict]:
    return {s["code"].split("-")[0]: s for s in instantane["quartiers"][quartier]["series"]}


def _annuel(quartier, langue: str = "fr") -> Bilan:
    return Bilan(portee=Portee.QUARTIER, quartier=quartier, annee=2025, langue=langue)


def _texte(html: str) -> str:
    """Le HTML en une ligne pour y chercher une phrase (les espaces insécables restent)."""
    return re.sub(r"[ \t\r\n]+", " ", html)


@pytest.fixture
def centre_sud():
    _periodes()
    return _centre_sud()


# --- L'instantané -------------------------------------------------------------------------------


def test_l_instantane_d_un_bilan_annuel_fige_le_total_de_l_annee(centre_sud):
    instantane = construire_instantane(_annuel(centre_sud))
    assert instantane["generateur"] == VERSION_GENERATEUR == "evalpic-bilan-1.8"
    catalogue = instantane["indicateurs"]
    assert catalogue["semis-centre-sud"]["agregation"] == "somme"
    assert catalogue["logements-centre-sud"]["agregation"] == "cumul"
    assert _series(instantane)["semis"]["valeur_de_periode"] == {
        "agregation": "somme",
        "valeur": "9961",
        "trimestres": 4,
        "sur": 4,
        "derniere_periode": "2025-T4",
        "annee": 2025,
    }


def test_une_annee_sans_son_quatrieme_trimestre_le_dit(centre_sud):
    series = _series(construire_instantane(_annuel(centre_sud)))
    assert series["benevoles"]["valeur_de_periode"] == {
        "agregation": "moyenne",
        "valeur": "12",  # (10 + 12 + 14) / 3
        "trimestres": 3,
        "sur": 4,
        "derniere_periode": "2025-T3",
        "annee": 2025,
    }
    superficie = series["superficie"]["valeur_de_periode"]
    assert (superficie["valeur"], superficie["trimestres"], superficie["sur"]) == ("300", 3, 4)


def test_le_cumul_compte_les_valeurs_publiees_d_avant_la_fenetre(centre_sud):
    instantane = construire_instantane(_annuel(centre_sud))
    assert instantane["periode"]["fenetre"][0] == "2023-T1"  # 2022 est avant la fenêtre
    cumul = _series(instantane)["logements"]["valeur_de_periode"]
    # 5 + 3 (2022, avant la fenêtre; pas les 1 000 du brouillon) + 2 + 4 + 1.
    assert (cumul["valeur"], cumul["trimestres"], cumul["sur"]) == ("15", 1, 4)
    # Un bilan trimestriel a aussi son cumul : jusqu'à la fin de son trimestre.
    trimestriel = Bilan(portee=Portee.QUARTIER, quartier=centre_sud, annee=2025, trimestre=2)
    series = _series(construire_instantane(trimestriel))
    assert series["logements"]["valeur_de_periode"]["valeur"] == "15"
    assert series["semis"]["valeur_de_periode"]["valeur"] == "5552"  # le trimestre lui-même


def test_un_indicateur_en_texte_n_a_pas_de_valeur_de_periode(centre_sud):
    instantane = construire_instantane(_annuel(centre_sud))
    series = _series(instantane)
    assert "valeur_de_periode" not in series["politique"]  # ses textes : ni total ni moyenne
    assert all("valeur_de_periode" in series[code] for code in series if code != "politique")
    html = rendre(instantane, titre="Bilan")
    section = html[html.index("Indicateur politique-centre-sud") :]
    section = section[: section.index('<div class="courbe">')]
    assert "valeur-de-periode" not in section


def test_les_statuts_ne_changent_pas(centre_sud):
    """Les statuts restent jugés sur les valeurs trimestrielles (rapports.statuts inchangé)."""
    bilan = _annuel(centre_sud)
    instantane = construire_instantane(bilan)
    lues = lire_series([centre_sud], Filtre(periodes=tuple(fenetre(bilan))))[centre_sud.pk]
    attendus = {s.code: statut(s).value for s in lues}
    assert {s["code"]: s["statut"] for s in instantane["quartiers"][0]["series"]} == attendus


# --- Le bilan : page, PDF, méthodologie ---------------------------------------------------------


def test_le_bilan_annuel_ecrit_la_valeur_de_l_annee_de_chaque_indicateur(centre_sud):
    instantane = construire_instantane(_annuel(centre_sud))
    with translation.override("fr"):
        total = nombre(Decimal(9961))
    assert total == "9\xa0961"  # comme les autres nombres du bilan (filtre `nombre`)
    attendus = [
        f"Total de l'année 2025 : {total} (4 trimestres sur 4)",
        "Moyenne de l'année 2025 : 12 (3 trimestres sur 4)",
        "Dernière valeur de l'année 2025 : 300 (T3 2025, 3 trimestres sur 4)",
        "Cumul depuis le début, à la fin de 2025 : 15 (1 trimestre sur 4)",
    ]
    for html in (
        rendre(instantane, titre="Bilan"),
        rendre(instantane, titre="Bilan", image=lambda _figure, cle: f"img:{cle}"),  # le PDF
        contenu(instantane, titre="Bilan"),  # la page du site
    ):
        for attendu in attendus:
            assert f'<p class="note valeur-de-periode">{attendu}</p>'.replace("'", "&#x27;") in (
                html
            ), attendu
        assert "Sous chaque indicateur chiffré, la valeur de l" in html


def test_le_bilan_du_pic_l_ecrit_pour_chaque_quartier():
    _periodes()
    _centre_sud()
    _centre_sud("Hochelaga")
    instantane = construire_instantane(Bilan(portee=Portee.PIC, annee=2025, langue="fr"))
    html = _texte(rendre(instantane, titre="Bilan", image=lambda _figure, cle: f"img:{cle}"))
    assert html.count("Total de l&#x27;année 2025 : 9\xa0961 (4 trimestres sur 4)") == 2


def test_un_bilan_trimestriel_n_ecrit_que_le_cumul(centre_sud):
    bilan = Bilan(portee=Portee.QUARTIER, quartier=centre_sud, annee=2025, trimestre=2)
    html = rendre(construire_instantane(bilan), titre="Bilan")
    lignes = [ligne for ligne in html.splitlines() if "valeur-de-periode" in ligne]
    assert lignes == [
        '          <p class="note valeur-de-periode">'
        "Cumul depuis le début, à la fin de T2 2025 : 15</p>"
    ]
    assert "Sous un indicateur cumulé, le cumul depuis le début additionne" in html
    assert "Sous chaque indicateur chiffré" not in html


def test_un_instantane_d_avant_se_rend_sans_valeur_de_periode(centre_sud):
    instantane = construire_instantane(_annuel(centre_sud))
    for quartier in instantane["quartiers"]:
        for serie in quartier["series"]:
            serie.pop("valeur_de_periode", None)
    for fiche in instantane["indicateurs"].values():
        del fiche["agregation"]
    html = rendre(instantane, titre="Bilan")
    assert "valeur-de-periode" not in html and "valeurs-de-periode" not in html
    assert rendu.valeur_de_periode_ecrite({}, instantane["periode"]) == ""


def test_en_anglais_les_nombres_s_ecrivent_a_l_anglaise(centre_sud):
    instantane = construire_instantane(_annuel(centre_sud, langue="en"))
    html = rendre(instantane, titre="Report")
    with translation.override("en"):
        libelle = gettext("Total de l'année")
    lignes = [ligne for ligne in html.splitlines() if "valeur-de-periode" in ligne]
    (total,) = [ligne for ligne in lignes if libelle.replace("'", "&#x27;") in ligne]
    assert "2025" in total and "9,961" in total
    assert not any("9\xa0961" in ligne for ligne in lignes)


def test_en_anglais_le_bilan_dit_le_total_de_l_annee():
    """Attend la traduction des nouveaux messages au catalogue anglais (voir le rapport)."""
    _periodes()
    quartier = _centre_sud()
    html = _texte(rendre(construire_instantane(_annuel(quartier, langue="en")), titre="Report"))
    assert "Total for the year 2025: 9,961 (4 quarters of 4)" in html
    assert "Latest value of the year 2025: 300 (Q3 2025, 3 quarters of 4)" in html
    assert "Cumulative total since the start, at the end of 2025: 15 (1 quarter of 4)" in html
    assert "Below each numeric indicator, the value for the year follows" in html


# --- Exports et régénération --------------------------------------------------------------------


def test_le_csv_et_le_classeur_portent_l_agregation_et_la_valeur_de_la_periode(centre_sud):
    instantane = construire_instantane(_annuel(centre_sud))
    en_tete, *lignes = list(
        csv.reader(io.StringIO(exporter_csv(instantane).decode("utf-8-sig")), delimiter=";")
    )
    assert en_tete[14:] == [
        "Agrégation dans le temps",
        "Valeur de la période du bilan",
        "Trimestres de la période avec une valeur",
        "Trimestres de la période",
    ]
    par_code = {}
    for ligne in lignes:
        par_code.setdefault(ligne[1].split("-")[0], set()).add(tuple(ligne[14:]))
    assert par_code["semis"] == {("somme", "9961", "4", "4")}
    assert par_code["benevoles"] == {("moyenne", "12", "3", "4")}
    assert par_code["logements"] == {("cumul depuis le début", "15", "1", "4")}
    assert par_code["politique"] == {("dernière valeur", "", "", "")}

    classeur = openpyxl.load_workbook(io.BytesIO(exporter_xlsx(instantane)))
    valeurs = list(classeur["Valeurs"].iter_rows(values_only=True))
    assert valeurs[0][14:] == tuple(en_tete[14:])
    semis = {ligne[14:] for ligne in valeurs[1:] if ligne[1] == "semis-centre-sud"}
    assert semis == {("somme", 9961, 4, 4)}  # des nombres
    indicateurs = list(classeur["Indicateurs"].iter_rows(values_only=True))
    assert indicateurs[0][-1] == "Agrégation dans le temps"
    assert {ligne[0]: ligne[-1] for ligne in indicateurs[1:]}["semis-centre-sud"] == "somme"


def test_regenerer_depuis_l_instantane_stocke_redonne_les_memes_octets(centre_sud):
    auteur = AffectationFactory(quartier=centre_sud, role="coordonnateur").utilisateur
    with mock.patch("rapports.tasks.generer_bilan_task.delay"):
        bilan = services.demander_bilan(
            auteur=auteur, portee=Portee.QUARTIER, quartier=centre_sud, annee=2025
        )
    with mock.patch.object(services, "pdf_du_bilan", return_value=b"%PDF-1.4 simule"):
        services.generer_bilan(bilan_id=bilan.pk)
    bilan = Bilan.objects.get(pk=bilan.pk)
    assert bilan.est_pret, bilan.erreur
    stocke = bilan.instantane  # relu de jsonb
    assert _series(stocke)["semis"]["valeur_de_periode"]["valeur"] == "9961"
    html = bilan.fichier_html.read()
    assert rendre(stocke, titre=services.titre_du_bilan(bilan)).encode() == html
    assert "Total de l&#x27;année 2025 : 9\xa0961 (4 trimestres sur 4)" in html.decode()
    assert exporter_csv(stocke) == bilan.fichier_csv.read()
    assert exporter_xlsx(stocke) == bilan.fichier_xlsx.read()
    relu = json.loads(json.dumps(stocke, sort_keys=True))
    assert exporter_csv(relu) == exporter_csv(stocke)
    # Relire la base donne le même instantané tant que rien n'a changé.
    assert somme_de_controle(construire_instantane(bilan)) == bilan.somme_controle


# --- Requêtes -----------------------------------------------------------------------------------


def _requetes(bilan: Bilan) -> int:
    with CaptureQueriesContext(connection) as requetes:
        construire_instantane(bilan)
    return len(requetes)


def test_les_cumuls_coutent_une_requete_quel_que_soit_le_nombre_de_quartiers():
    _periodes()
    bilan = Bilan(portee=Portee.PIC, annee=2025, langue="fr")
    _centre_sud("Alpha")
    un = _requetes(bilan)
    for nom in ("Beta", "Gamma", "Delta"):
        _centre_sud(nom)
    assert _requetes(bilan) == un
    quartiers = construire_instantane(bilan)["quartiers"]
    cumuls = [
        s["valeur_de_periode"]["valeur"]
        for q in quartiers
        for s in q["series"]
        if s["code"].startswith("logements")
    ]
    assert cumuls == ["15"] * 4  # chaque quartier a son total d'avant la fenêtre


def test_sans_cumul_aucune_requete_de_plus():
    _periodes()
    quartier = _centre_sud()
    bilan = _annuel(quartier)
    avec = _requetes(bilan)
    quartier.indicateurs_suivis.filter(indicateur__agregation="cumul").delete()
    assert _requetes(bilan) == avec - 1  # les valeurs d'avant la fenêtre des cumuls
