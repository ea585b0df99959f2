"""L'import des valeurs historiques (CSV et XLSX) : lecture, essai, tout ou rien avec
historique, modèles à télécharger et accès aux pages."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from indicateurs import importation, lecture_import, modele_import, services
from indicateurs.models import (
    Calcul,
    EvenementSaisie,
    ModeCollecte,
    Saisie,
    StatutPeriode,
    StatutSaisie,
    TypeEvenement,
    Valeur,
)
from tests.factories import IndicateurFactory, IndicateurSuiviFactory, periode_du_trimestre

pytestmark = pytest.mark.django_db

ENTETE = ["periode", "indicateur", "valeur", "non_disponible", "raison", "commentaire"]
BON_FICHIER = [
    ENTETE,
    ["2021-T1", "imp-menages", "120", "", "", ""],
    ["2021-T1", "imp-taux", "42,5", "", "", "Source : sondage"],
    ["2021-T1", "imp-politique", "", "oui", "Pas encore adoptée", ""],
    ["2021-T2", "imp-menages", "130", "non", "", ""],
    ["2021-T2", "imp-taux", "45", "", "", ""],
]


# --- Données et fichiers ------------------------------------------------------------------------


@pytest.fixture
def catalogue(quartier_a) -> dict:
    """Trois indicateurs saisis par la table A (nombre, pourcentage, texte), un calculé, un du
    catalogue qu'elle ne suit pas; et deux trimestres fermés de 2021."""
    indicateurs = {
        "menages": IndicateurFactory(code="imp-menages", unite="nombre"),
        "taux": IndicateurFactory(code="imp-taux", unite="pourcentage", agregation="moyenne"),
        "politique": IndicateurFactory(code="imp-politique", unite="texte"),
        "calcule": IndicateurFactory(
            code="imp-calcule", mode=ModeCollecte.CALCULE, calcul=Calcul.PARTENAIRES_ACTIFS
        ),
    }
    for indicateur in indicateurs.values():
        IndicateurSuiviFactory(quartier=quartier_a, indicateur=indicateur)
    indicateurs["hors_suivi"] = IndicateurFactory(code="imp-hors-suivi")
    periode_du_trimestre(2021, 1)
    periode_du_trimestre(2021, 2)
    return indicateurs


def fichier_csv(rangees, separateur=",", nom="historique.csv") -> SimpleUploadedFile:
    tampon = io.StringIO()
    csv.writer(tampon, delimiter=separateur).writerows(rangees)
    return SimpleUploadedFile(nom, ("\ufeff" + tampon.getvalue()).encode(), "text/csv")


def _cellule(texte):
    """Comme dans Excel : ce qui ressemble à un nombre devient un nombre."""
    try:
        return int(texte)
    except (TypeError, ValueError):
        return texte


def fichier_xlsx(rangees, nom="historique.xlsx") -> SimpleUploadedFile:
    classeur = openpyxl.Workbook()
    for rangee in rangees:
        classeur.active.append([_cellule(c) for c in rangee])
    tampon = io.BytesIO()
    classeur.save(tampon)
    return SimpleUploadedFile(nom, tampon.getvalue(), modele_import.TYPE_XLSX)


def fichier(format_: str, rangees) -> SimpleUploadedFile:
    return fichier_csv(rangees) if format_ == "csv" else fichier_xlsx(rangees)


def lire(format_: str, rangees) -> list[dict[str, str]]:
    envoi = fichier(format_, rangees)
    return lecture_import.lire_fichier(envoi, envoi.name)


def compte() -> tuple[int, int, int]:
    return Valeur.objects.count(), EvenementSaisie.objects.count(), Saisie.objects.count()


def avec(rangees, numero: int, **cellules) -> list[list]:
    """Le fichier où la ligne `numero` (l'en-tête est la ligne 1) a d'autres cellules."""
    copie = [list(r) for r in rangees]
    for colonne, valeur in cellules.items():
        copie[numero - 1][ENTETE.index(colonne)] = valeur
    return copie


# --- Lecture ------------------------------------------------------------------------------------


def test_un_csv_se_lit_avec_bom_point_virgule_et_en_tetes_accentues():
    rangees = [["Période", "Indicateur", "Valeur", "Non disponible", "Unité", "Nom"]]
    rangees.append(["2021-T1", "imp-taux", "42,5", "Non", "%", "Taux"])
    lignes = lecture_import.lire_fichier(fichier_csv(rangees, separateur=";"), "a.CSV")
    assert lignes == [
        {"periode": "2021-T1", "indicateur": "imp-taux", "valeur": "42,5", "non_disponible": "Non"}
    ]


def test_un_csv_sans_bom_separe_par_des_tabulations_se_lit():
    contenu = b"periode\tindicateur\tvaleur\n2021-T1\timp-menages\t12\n"
    lignes = lecture_import.lire_fichier(io.BytesIO(contenu), "a.csv")
    assert lignes == [{"periode": "2021-T1", "indicateur": "imp-menages", "valeur": "12"}]


def test_un_csv_enregistre_par_excel_en_windows_1252_se_lit():
    contenu = "periode;indicateur;valeur;raison\n2021-T1;imp-menages;;Données perdues\n"
    lignes = lecture_import.lire_fichier(io.BytesIO(contenu.encode("cp1252")), "a.csv")
    assert lignes[0]["raison"] == "Données perdues"


def test_un_xlsx_rend_les_nombres_sans_artefact_de_virgule_flottante():
    classeur = openpyxl.Workbook()
    feuille = classeur.active
    feuille.append(["periode", "indicateur", "valeur"])
    for valeur in [12.0, 0.1, 7, 1234.56, 0.45]:
        feuille.append(["2021-T1", "imp-taux", valeur])
    feuille["C6"].number_format = "0%"  # affiche 45 % : on lit ce que la personne voit
    tampon = io.BytesIO()
    classeur.save(tampon)
    lignes = lecture_import.lire_fichier(io.BytesIO(tampon.getvalue()), "a.xlsx")
    assert [ligne["valeur"] for ligne in lignes] == ["12", "0.1", "7", "1234.56", "45"]


def test_les_lignes_vides_gardent_la_numerotation_du_fichier(catalogue, quartier_a):
    rangees = [ENTETE, ["2021-T1", "imp-menages", "1"], [], ["2021-T1", "imp-taux", "abc"], []]
    lignes = lire("csv", rangees)
    assert len(lignes) == 3  # les lignes vides de la fin sont retirées
    rapport = importation.verifier_import(table=quartier_a.table, lignes=lignes)
    assert [(p.ligne, p.colonne) for p in rapport.problemes] == [(4, "valeur")]


@pytest.mark.parametrize(
    ("nom", "contenu", "extrait"),
    [
        ("valeurs.xls", b"abc", "Format non pris en charge"),
        ("valeurs.txt", b"periode,indicateur,valeur\n", "Format non pris en charge"),
        ("valeurs.xlsx", b"pas un classeur", "illisible"),
        ("valeurs.csv", b"", "vide"),
        ("valeurs.csv", b"periode,indicateur,valeur\n", "aucune ligne"),
        ("valeurs.csv", b"periode;indicateur\n2021-T1;x\n", "manquantes"),
        ("valeurs.csv", b"periode,indicateur,valeur,valuer\n2021-T1,x,1,2\n", "inconnues"),
        ("valeurs.csv", b"periode,indicateur,valeur,Valeur\n2021-T1,x,1,2\n", "double"),
        ("valeurs.csv", b"periode,indicateur,valeur\n\x00\x00\n", "illisible"),
    ],
)
def test_un_fichier_inutilisable_est_refuse_avec_un_message_clair(nom, contenu, extrait):
    with pytest.raises(ValidationError) as erreur:
        lecture_import.lire_fichier(io.BytesIO(contenu), nom)
    assert extrait in " ".join(erreur.value.messages)


def test_un_fichier_de_plus_de_5000_lignes_est_refuse():
    rangees = [["periode", "indicateur", "valeur"]] + [["2021-T1", "x", "1"]] * 5001
    with pytest.raises(ValidationError, match="5000"):
        lecture_import.lire_fichier(fichier_csv(rangees), "a.csv")
    assert len(lecture_import.lire_fichier(fichier_csv(rangees[:5001]), "a.csv")) == 5000


def test_un_fichier_de_plus_de_5_mo_est_refuse():
    contenu = b"periode,indicateur,valeur\n" + b"2021-T1,x," + b"1" * (5 * 1024 * 1024)
    with pytest.raises(ValidationError, match="5 Mo"):
        lecture_import.lire_fichier(io.BytesIO(contenu), "a.csv")


# --- Tout ou rien -------------------------------------------------------------------------------

MAUVAISES_LIGNES = [
    pytest.param(3, {"valeur": "abc"}, "valeur", "n'est pas un nombre", id="texte-pour-un-nombre"),
    pytest.param(3, {"valeur": "150"}, "valeur", "entre 0 et 100", id="pourcentage-150"),
    pytest.param(2, {"valeur": "12,5"}, "valeur", "entier", id="nombre-decimal"),
    pytest.param(5, {"indicateur": "inconnu"}, "indicateur", "inconnu", id="code-inconnu"),
    pytest.param(5, {"indicateur": "imp-calcule"}, "indicateur", "pas saisi", id="calcule"),
    pytest.param(5, {"indicateur": "imp-hors-suivi"}, "indicateur", "pas saisi", id="non-suivi"),
    pytest.param(6, {"periode": "2031-T1"}, "periode", "pas encore ouverte", id="periode-future"),
    pytest.param(6, {"periode": "T1 2021"}, "periode", "inconnue", id="periode-mal-ecrite"),
    pytest.param(4, {"raison": ""}, "raison", "Expliquez", id="absence-sans-raison"),
    # Sur une ligne sans raison : avec une, la raison non accompagnée serait aussi signalée.
    pytest.param(5, {"non_disponible": "peut-être"}, "non_disponible", "oui ou non", id="nd"),
    pytest.param(
        2, {"non_disponible": "oui", "raison": "x"}, "valeur", "ne peut pas", id="nd-et-valeur"
    ),
]


@pytest.mark.parametrize("format_", ["csv", "xlsx"])
@pytest.mark.parametrize(("numero", "cellules", "colonne", "extrait"), MAUVAISES_LIGNES)
def test_une_mauvaise_ligne_n_ecrit_rien_et_donne_sa_ligne_et_sa_colonne(
    catalogue, quartier_a, alice, format_, numero, cellules, colonne, extrait
):
    lignes = lire(format_, avec(BON_FICHIER, numero, **cellules))
    avant = compte()
    rapport = importation.importer(
        table=quartier_a.table, lignes=lignes, auteur=alice, nom_fichier="h." + format_
    )
    assert not rapport.est_valide
    assert [(p.ligne, p.colonne) for p in rapport.problemes] == [(numero, colonne)]
    assert extrait in rapport.problemes[0].message
    assert compte() == avant
    assert rapport.modifications == 0


@pytest.mark.parametrize("format_", ["csv", "xlsx"])
def test_un_bon_fichier_ecrit_tout_avec_l_historique(catalogue, quartier_a, alice, format_):
    lignes = lire(format_, BON_FICHIER)
    rapport = importation.importer(
        table=quartier_a.table,
        lignes=lignes,
        auteur=alice,
        nom_fichier="historique-2021." + format_,
    )
    assert rapport.est_valide, rapport.problemes
    assert rapport.resume == {"2021-T1": 3, "2021-T2": 2}
    assert rapport.modifications == 5
    valeurs = {
        (v.saisie.periode.code, v.indicateur.code): v
        for v in Valeur.objects.select_related("saisie__periode", "indicateur")
    }
    assert len(valeurs) == 5
    assert valeurs["2021-T1", "imp-menages"].valeur_numerique == Decimal("120")
    assert valeurs["2021-T1", "imp-taux"].valeur_numerique == Decimal("42.5")
    assert valeurs["2021-T1", "imp-taux"].commentaire == "Source : sondage"
    assert valeurs["2021-T1", "imp-politique"].non_disponible
    assert valeurs["2021-T1", "imp-politique"].raison_non_disponible == "Pas encore adoptée"
    assert valeurs["2021-T2", "imp-menages"].valeur_numerique == Decimal("130")
    # Une ligne d'historique par valeur, signée et motivée par le nom du fichier.
    evenements = EvenementSaisie.objects.filter(type_evenement=TypeEvenement.VALEUR)
    assert evenements.count() == 5
    assert {e.auteur for e in evenements} == {alice}
    assert {e.motif for e in evenements} == {f"Import du fichier historique-2021.{format_}"}
    # Les périodes sont fermées : l'import les accepte; les saisies restent des brouillons.
    saisies = Saisie.objects.filter(table=quartier_a.table)
    assert {s.periode.statut for s in saisies} == {StatutPeriode.FERMEE}
    assert {s.statut for s in saisies} == {StatutSaisie.BROUILLON}
    assert EvenementSaisie.objects.filter(type_evenement=TypeEvenement.CREATION).count() == 2


def test_importer_deux_fois_le_meme_fichier_ne_change_rien(catalogue, quartier_a, alice):
    lignes = lire("csv", BON_FICHIER)
    importation.importer(table=quartier_a.table, lignes=lignes, auteur=alice, nom_fichier="a.csv")
    avant = compte()
    rapport = importation.importer(
        table=quartier_a.table, lignes=lignes, auteur=alice, nom_fichier="a.csv"
    )
    assert rapport.est_valide and rapport.modifications == 0
    assert compte() == avant


def test_l_import_remplace_un_brouillon_et_garde_l_ancienne_valeur(catalogue, quartier_a, alice):
    periode = periode_du_trimestre(2021, 1)
    saisie = services.saisie_pour(
        table=quartier_a.table, periode=periode, auteur=alice, periode_fermee_permise=True
    )
    Valeur.objects.create(saisie=saisie, indicateur=catalogue["menages"], valeur_numerique=99)
    lignes = lire("csv", [ENTETE, ["2021-T1", "imp-menages", "120", "", "", ""]])
    importation.importer(table=quartier_a.table, lignes=lignes, auteur=alice, nom_fichier="a.csv")
    evenement = EvenementSaisie.objects.get(type_evenement=TypeEvenement.VALEUR)
    assert (evenement.ancienne, evenement.nouvelle) == ("99", "120")
    assert Valeur.objects.get().valeur_numerique == 120


@pytest.mark.parametrize("statut", [StatutSaisie.VALIDEE, StatutSaisie.SOUMISE])
def test_une_saisie_validee_ou_soumise_bloque_l_import(catalogue, quartier_a, alice, statut):
    Saisie.objects.create(
        table=quartier_a.table, periode=periode_du_trimestre(2021, 2), statut=statut
    )
    avant = compte()
    rapport = importation.importer(
        table=quartier_a.table, lignes=lire("xlsx", BON_FICHIER), auteur=alice, nom_fichier="a"
    )
    assert [(p.ligne, p.colonne) for p in rapport.problemes] == [(5, "periode"), (6, "periode")]
    assert "plus modifiable" in rapport.problemes[0].message
    assert compte() == avant


def test_les_doublons_sont_signales(catalogue, quartier_a):
    rangees = [*BON_FICHIER, ["2021-T1", "IMP-MENAGES", "121", "", "", ""]]
    rapport = importation.verifier_import(table=quartier_a.table, lignes=lire("csv", rangees))
    assert [(p.ligne, p.colonne) for p in rapport.problemes] == [(7, "indicateur")]
    assert "ligne 2" in rapport.problemes[0].message


def test_les_lignes_sans_valeur_du_modele_sont_ignorees(catalogue, quartier_a, alice):
    rangees = [*BON_FICHIER, ["2021-T2", "imp-politique", "", "non", "", ""], ["", "", "", ""]]
    rapport = importation.verifier_import(table=quartier_a.table, lignes=lire("csv", rangees))
    assert rapport.est_valide and rapport.resume == {"2021-T1": 3, "2021-T2": 2}


def test_un_fichier_sans_aucune_valeur_est_un_probleme(catalogue, quartier_a):
    rangees = [ENTETE, ["2021-T1", "imp-menages", "", "", "", ""]]
    rapport = importation.verifier_import(table=quartier_a.table, lignes=lire("csv", rangees))
    assert [(p.ligne, p.colonne) for p in rapport.problemes] == [(None, "valeur")]


def test_l_essai_n_ecrit_rien(catalogue, quartier_a):
    avant = compte()
    rapport = importation.verifier_import(table=quartier_a.table, lignes=lire("csv", BON_FICHIER))
    assert rapport.est_valide and len(rapport.lignes_valides) == 5
    assert compte() == avant


def test_un_refus_du_service_annule_aussi_les_periodes_deja_ecrites(
    catalogue, quartier_a, alice, monkeypatch
):
    vrai_service = services.enregistrer_saisie

    def refuser_la_deuxieme_periode(*, saisie, donnees, **arguments):
        if saisie.periode.trimestre == 2:
            raise ValidationError({f"{catalogue['taux'].pk}.valeur": ["Refusé par le service."]})
        return vrai_service(saisie=saisie, donnees=donnees, **arguments)

    monkeypatch.setattr(services, "enregistrer_saisie", refuser_la_deuxieme_periode)
    avant = compte()
    rapport = importation.importer(
        table=quartier_a.table, lignes=lire("csv", BON_FICHIER), auteur=alice, nom_fichier="a"
    )
    assert [(p.ligne, p.colonne, p.message) for p in rapport.problemes] == [
        (6, "valeur", "Refusé par le service.")
    ]
    assert compte() == avant


def test_un_conflit_de_version_annule_tout(catalogue, quartier_a, alice, monkeypatch):
    def conflit(*, saisie, **arguments):
        raise services.ConflitDeVersion(saisie, {})

    monkeypatch.setattr(services, "enregistrer_saisie", conflit)
    avant = compte()
    rapport = importation.importer(
        table=quartier_a.table, lignes=lire("csv", BON_FICHIER), auteur=alice, nom_fichier="a"
    )
    assert [(p.ligne, p.colonne) for p in rapport.problemes] == [(2, "periode")]
    assert compte() == avant


def test_la_verification_coute_autant_de_requetes_avec_dix_fois_plus_de_lignes(
    catalogue, quartier_a
):
    # Requêtes attendues : périodes, codes du catalogue, indicateurs saisis, saisies existantes.
    def requetes(annees: range) -> int:
        rangees = [ENTETE]
        for annee in annees:
            for trimestre in (1, 2, 3, 4):
                periode_du_trimestre(annee, trimestre)
                rangees.append([f"{annee}-T{trimestre}", "imp-menages", "5", "", "", ""])
        lignes = lire("csv", rangees)
        with CaptureQueriesContext(connection) as capture:
            assert importation.verifier_import(table=quartier_a.table, lignes=lignes).est_valide
        return len(capture)

    assert requetes(range(2010, 2011)) == requetes(range(2000, 2010)) == 4


# --- Modèles ------------------------------------------------------------------------------------


def test_le_modele_csv_liste_les_indicateurs_saisis_et_se_reimporte(catalogue, quartier_a, alice):
    periode = periode_du_trimestre(2021, 1)
    texte = modele_import.modele_csv(quartier_a.table, periode)
    rangees = list(csv.reader(io.StringIO(texte), delimiter=";"))
    assert rangees[0] == list(lecture_import.COLONNES_MODELE)
    assert [(r[0], r[1]) for r in rangees[1:]] == [
        ("2021-T1", "imp-menages"),
        ("2021-T1", "imp-politique"),
        ("2021-T1", "imp-taux"),
    ]
    assert rangees[1][2] == "Indicateur imp-menages" and rangees[1][3] == "nombre"
    # Rempli, le modèle s'importe tel quel.
    rangees[1][4] = "33"
    rempli = io.BytesIO("\r\n".join(";".join(r) for r in rangees).encode())
    lignes = lecture_import.lire_fichier(rempli, "modele.csv")
    rapport = importation.importer(
        table=quartier_a.table, lignes=lignes, auteur=alice, nom_fichier="modele.csv"
    )
    assert rapport.resume == {"2021-T1": 1}
    assert Valeur.objects.get().valeur_numerique == 33


def test_le_modele_xlsx_a_le_meme_contenu(catalogue, quartier_a):
    contenu = modele_import.modele_xlsx(quartier_a.table, periode_du_trimestre(2021, 2))
    feuille = openpyxl.load_workbook(io.BytesIO(contenu)).active
    rangees = [[c if c is not None else "" for c in r] for r in feuille.iter_rows(values_only=True)]
    assert rangees[0] == list(lecture_import.COLONNES_MODELE)
    assert [r[:2] for r in rangees[1:]] == [
        ["2021-T2", "imp-menages"],
        ["2021-T2", "imp-politique"],
        ["2021-T2", "imp-taux"],
    ]
    assert all(r[4:] == [""] * 5 for r in rangees[1:])


@pytest.mark.parametrize(("langue", "liste"), [("fr", '"oui,non"'), ("en", '"yes,no"')])
def test_la_liste_non_disponible_du_modele_xlsx_suit_la_langue(
    catalogue, quartier_a, langue, liste
):
    with translation.override(langue):
        contenu = modele_import.modele_xlsx(quartier_a.table, periode_du_trimestre(2021, 2))
    feuille = openpyxl.load_workbook(io.BytesIO(contenu)).active
    (validation,) = feuille.data_validations.dataValidation
    assert validation.formula1 == liste
    for choix in liste.strip('"').split(","):  # chaque choix proposé se relit
        assert choix in importation.VRAI | importation.FAUX


# --- Pages --------------------------------------------------------------------------------------


@pytest.fixture
def url(quartier_a):
    return reverse("import_valeurs", kwargs={"slug": quartier_a.slug})


def url_modele(quartier, format_: str) -> str:
    return reverse("modele_import", kwargs={"slug": quartier.slug, "format": format_})


@pytest.mark.parametrize(
    ("persona", "statut"),
    [("alice", 200), ("ada", 200), ("bob", 403), ("eve", 403), ("charlie", 404)],
)
def test_acces_a_la_page_d_import(client, personas, url, persona, statut):
    client.force_login(personas[persona])
    assert client.get(url).status_code == statut


def test_anonyme_renvoye_a_la_connexion(client, url, quartier_a):
    for adresse in [url, url_modele(quartier_a, "csv")]:
        reponse = client.get(adresse)
        assert reponse.status_code == 302 and "/comptes/" in reponse.url


def test_alice_importe_un_fichier_valide(client, alice, url, catalogue):
    client.force_login(alice)
    envoi = fichier_xlsx(BON_FICHIER, nom="annees-passees.xlsx")
    reponse = client.post(url, {"fichier": envoi, "action": "importer"})
    assert reponse.status_code == 302
    assert Valeur.objects.count() == 5
    assert {e.motif for e in EvenementSaisie.objects.filter(type_evenement="valeur")} == {
        "Import du fichier annees-passees.xlsx"
    }
    page = client.get(reponse.url).content.decode()
    assert "annees-passees.xlsx" in page and "5 valeurs" in page


@pytest.mark.parametrize(("persona", "statut"), [("bob", 403), ("charlie", 404)])
def test_ni_le_conseiller_ni_l_autre_quartier_n_importent(
    client, personas, url, catalogue, persona, statut
):
    client.force_login(personas[persona])
    reponse = client.post(url, {"fichier": fichier_csv(BON_FICHIER), "action": "importer"})
    assert reponse.status_code == statut
    assert compte() == (0, 0, 0)


def test_une_mauvaise_extension_repond_400_avec_le_message_pres_du_champ(client, alice, url):
    client.force_login(alice)
    envoi = SimpleUploadedFile("valeurs.ods", b"abc")
    reponse = client.post(url, {"fichier": envoi, "action": "verifier"})
    assert reponse.status_code == 400
    assert "Format non pris en charge" in reponse.content.decode()
    assert reponse.context["form"].errors["fichier"]


def test_l_essai_d_un_bon_fichier_repond_200_sans_rien_ecrire(client, alice, url, catalogue):
    client.force_login(alice)
    reponse = client.post(url, {"fichier": fichier_csv(BON_FICHIER), "action": "verifier"})
    assert reponse.status_code == 200
    assert "Le fichier est valide" in reponse.content.decode()
    assert compte() == (0, 0, 0)


def test_l_essai_liste_les_problemes_ligne_colonne_message(client, alice, url, catalogue):
    client.force_login(alice)
    rangees = avec(BON_FICHIER, 3, valeur="150")
    reponse = client.post(url, {"fichier": fichier_csv(rangees)})  # sans bouton : essai
    assert reponse.status_code == 400
    contenu = reponse.content.decode()
    assert '<th scope="row" class="nombre">3</th><td><code>valeur</code></td>' in contenu
    assert "Un pourcentage est compris entre 0 et 100." in contenu
    assert compte() == (0, 0, 0)


def test_l_import_d_un_fichier_avec_une_mauvaise_ligne_repond_400(client, alice, url, catalogue):
    client.force_login(alice)
    rangees = avec(BON_FICHIER, 5, indicateur="inconnu")
    reponse = client.post(url, {"fichier": fichier_xlsx(rangees), "action": "importer"})
    assert reponse.status_code == 400
    assert "Indicateur inconnu" in reponse.content.decode()
    assert compte() == (0, 0, 0)


def test_le_modele_csv_se_telecharge_pour_la_periode_ouverte(client, bob, quartier_a, catalogue):
    periode_du_trimestre(2025, 1, statut=StatutPeriode.OUVERTE)
    periode_du_trimestre(2025, 2, statut=StatutPeriode.A_VENIR)
    client.force_login(bob)
    reponse = client.get(url_modele(quartier_a, "csv"))
    assert reponse.status_code == 200
    assert reponse["Content-Type"] == "text/csv; charset=utf-8"
    assert reponse["Content-Disposition"] == 'attachment; filename="modele-import-quartier-a.csv"'
    texte = reponse.content.decode("utf-8")
    assert texte.startswith("\ufeffperiode;indicateur;nom;unite;valeur;")
    rangees = list(csv.reader(io.StringIO(texte.lstrip("\ufeff")), delimiter=";"))
    assert [r[:2] for r in rangees[1:]] == [
        ["2025-T1", "imp-menages"],
        ["2025-T1", "imp-politique"],
        ["2025-T1", "imp-taux"],
    ]


def test_le_modele_xlsx_se_telecharge(client, alice, quartier_a, catalogue):
    client.force_login(alice)
    reponse = client.get(url_modele(quartier_a, "xlsx") + "?periode=2021-T2")
    assert reponse.status_code == 200
    assert reponse["Content-Type"] == modele_import.TYPE_XLSX
    assert reponse["Content-Disposition"] == 'attachment; filename="modele-import-quartier-a.xlsx"'
    feuille = openpyxl.load_workbook(io.BytesIO(reponse.content)).active
    rangees = list(feuille.iter_rows(values_only=True))
    assert list(rangees[0]) == list(lecture_import.COLONNES_MODELE)
    assert [r[:2] for r in rangees[1:]] == [
        ("2021-T2", "imp-menages"),
        ("2021-T2", "imp-politique"),
        ("2021-T2", "imp-taux"),
    ]


@pytest.mark.parametrize(
    ("persona", "format_", "statut"),
    [("charlie", "csv", 404), ("alice", "ods", 404), ("alice", "CSV", 404)],
)
def test_modele_d_un_autre_quartier_ou_format_inconnu_repond_404(
    client, personas, quartier_a, persona, format_, statut
):
    client.force_login(personas[persona])
    assert client.get(url_modele(quartier_a, format_)).status_code == statut
