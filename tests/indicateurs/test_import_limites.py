"""Les limites des envois : taille et type réel du fichier d'import, nombre de champs du
formulaire trimestriel, et liens de pièces justificatives limités à http(s)."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from indicateurs import controle_fichiers, importation, lecture_import
from indicateurs.models import EvenementSaisie, Saisie, Valeur
from tests.factories import IndicateurFactory, IndicateurSuiviFactory, periode_du_trimestre
from tests.indicateurs.test_importation import BON_FICHIER, catalogue, fichier_csv, fichier_xlsx

pytestmark = pytest.mark.django_db
__all__ = ["catalogue"]  # la fixture, réutilisée telle quelle

LIENS_DANGEREUX = ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,<b>x</b>"]


def compte() -> tuple[int, int, int]:
    return Valeur.objects.count(), EvenementSaisie.objects.count(), Saisie.objects.count()


@pytest.fixture
def url(quartier_a):
    return reverse("import_valeurs", kwargs={"slug": quartier_a.slug})


def importer(client, url, envoi):
    return client.post(url, {"fichier": envoi, "action": "importer"})


# --- Taille -------------------------------------------------------------------------------------


def test_un_fichier_plus_gros_que_le_reglage_est_refuse_sans_rien_ecrire(
    client, alice, url, catalogue, settings
):
    settings.EVALPIC_IMPORT_TAILLE_MAX = 100
    client.force_login(alice)
    reponse = importer(client, url, fichier_csv(BON_FICHIER))
    assert reponse.status_code == 400
    assert reponse.context["form"].errors["fichier"] == ["Le fichier dépasse 100 octets."]
    assert compte() == (0, 0, 0)


def test_la_limite_suit_le_reglage_et_s_affiche_dans_l_aide(client, alice, url, settings):
    settings.EVALPIC_IMPORT_TAILLE_MAX = 1536 * 1024
    client.force_login(alice)
    assert "Au plus 1,5 Mo" in client.get(url).content.decode()


def test_un_envoi_enorme_est_refuse_avant_d_etre_lu(client, alice, url, catalogue, settings):
    """Bien au-delà de la limite (fichier et autres champs) : refusé par l'intergiciel, 400."""
    settings.EVALPIC_IMPORT_TAILLE_MAX = 1000
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client.force_login(alice)
    gros = SimpleUploadedFile("gros.csv", b"periode,indicateur,valeur\n" + b"x" * 5000)
    reponse = importer(client, url, gros)
    assert reponse.status_code == 400
    assert "trop volumineuse" in reponse.content.decode()
    assert compte() == (0, 0, 0)


# --- Type réel ----------------------------------------------------------------------------------


def zip_de(membres: dict[str, bytes]) -> bytes:
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w", zipfile.ZIP_DEFLATED) as archive:
        for nom, contenu in membres.items():
            archive.writestr(nom, contenu)
    return tampon.getvalue()


CSV_TEXTE = b"periode,indicateur,valeur\n2021-T1,imp-menages,120\n"
XLSX_VRAI = fichier_xlsx(BON_FICHIER).read()


@pytest.mark.parametrize(
    ("nom", "contenu"),
    [
        pytest.param("valeurs.xlsx", CSV_TEXTE, id="csv-renomme-xlsx"),
        pytest.param("valeurs.xlsx", zip_de({"notes.txt": b"bonjour"}), id="zip-sans-classeur"),
        pytest.param("valeurs.xlsx", b"PK\x03\x04" + b"\x00" * 100, id="zip-abime"),
        pytest.param("valeurs.xlsx", b"%PDF-1.7\n...", id="pdf-renomme-xlsx"),
    ],
)
def test_un_xlsx_doit_etre_un_vrai_classeur(client, alice, url, catalogue, nom, contenu):
    client.force_login(alice)
    reponse = importer(client, url, SimpleUploadedFile(nom, contenu))
    assert reponse.status_code == 400
    (message,) = reponse.context["form"].errors["fichier"]
    assert "ce n'est pas un classeur Excel" in message
    assert compte() == (0, 0, 0)


@pytest.mark.parametrize(
    "contenu",
    [
        pytest.param(XLSX_VRAI, id="xlsx-renomme-csv"),
        pytest.param(b"%PDF-1.7\n1 0 obj\n", id="pdf-renomme-csv"),
        pytest.param(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x01" * 50, id="ancien-xls"),
        pytest.param(b"periode,indicateur,valeur\n2021-T1,\x1b[31m,1\n", id="controles"),
    ],
)
def test_un_csv_doit_etre_du_texte(client, alice, url, catalogue, contenu):
    client.force_login(alice)
    reponse = importer(client, url, SimpleUploadedFile("valeurs.csv", contenu))
    assert reponse.status_code == 400
    (message,) = reponse.context["form"].errors["fichier"]
    assert "ce n'est pas du texte" in message
    assert compte() == (0, 0, 0)


def test_un_classeur_qui_enfle_a_la_decompression_est_refuse(settings):
    settings.EVALPIC_IMPORT_TAILLE_MAX = 10_000
    bombe = zip_de({"xl/workbook.xml": b"<workbook/>", "xl/vide.bin": b"\x00" * 1_000_000})
    assert len(bombe) < 10_000
    with pytest.raises(ValidationError, match="décompressé"):
        lecture_import.lire_fichier(io.BytesIO(bombe), "bombe.xlsx")


def test_les_vrais_fichiers_passent_toujours(client, alice, url, catalogue):
    client.force_login(alice)
    for envoi in (fichier_csv(BON_FICHIER), fichier_xlsx(BON_FICHIER)):
        reponse = client.post(url, {"fichier": envoi, "action": "verifier"})
        assert reponse.status_code == 200, envoi.name


# --- Formulaire trimestriel : nombre de champs --------------------------------------------------


def test_un_formulaire_de_250_indicateurs_passe_la_limite_de_champs(client, alice, quartier_a):
    """5 champs par indicateur : 250 indicateurs envoient plus de 1 250 champs, au-delà des
    1 000 que Django accepte par défaut (DATA_UPLOAD_MAX_NUMBER_FIELDS)."""
    periode = periode_du_trimestre(2025, 1, statut="ouverte")
    indicateurs = [IndicateurFactory(unite="nombre") for _i in range(250)]
    for indicateur in indicateurs:
        IndicateurSuiviFactory(quartier=quartier_a, indicateur=indicateur)
    donnees = {"version": "1", "action": "enregistrer"}
    for indicateur in indicateurs:
        pk = indicateur.pk
        donnees |= {f"v{pk}": "12", f"r{pk}": "", f"c{pk}": "", f"p{pk}": "", f"nd{pk}": ""}
    assert len(donnees) > 1250
    client.force_login(alice)
    url = reverse("saisie_formulaire", kwargs={"slug": quartier_a.slug, "code": periode.code})
    reponse = client.post(url, donnees)
    assert reponse.status_code == 302, reponse.content.decode()[:500]
    assert Valeur.objects.count() == 250


# --- Liens des pièces justificatives : http(s) seulement -----------------------------------------


@pytest.fixture
def indicateur_a(quartier_a):
    periode_du_trimestre(2025, 1, statut="ouverte")
    indicateur = IndicateurFactory(code="menages", unite="nombre")
    IndicateurSuiviFactory(quartier=quartier_a, indicateur=indicateur)
    return indicateur


@pytest.mark.parametrize("lien", LIENS_DANGEREUX)
def test_le_formulaire_refuse_un_lien_qui_n_est_pas_http(
    client, alice, quartier_a, indicateur_a, lien
):
    client.force_login(alice)
    url = reverse("saisie_formulaire", kwargs={"slug": quartier_a.slug, "code": "2025-T1"})
    pk = indicateur_a.pk
    reponse = client.post(
        url, {"version": "1", "action": "enregistrer", f"v{pk}": "12", f"p{pk}": lien}
    )
    assert reponse.status_code == 400
    assert reponse.context["form"].errors[f"p{pk}"]
    assert Valeur.objects.count() == 0


@pytest.mark.parametrize("lien", LIENS_DANGEREUX)
def test_l_import_refuse_un_lien_qui_n_est_pas_http(catalogue, quartier_a, lien):
    rangees = [
        ["periode", "indicateur", "valeur", "preuve_url"],
        ["2021-T1", "imp-menages", "120", lien],
    ]
    envoi = fichier_csv(rangees)
    rapport = importation.verifier_import(
        table=quartier_a.table, lignes=lecture_import.lire_fichier(envoi, envoi.name)
    )
    assert not rapport.est_valide
    assert [p.colonne for p in rapport.problemes] == ["preuve_url"]


@pytest.mark.parametrize("lien", LIENS_DANGEREUX)
def test_l_api_refuse_un_lien_qui_n_est_pas_http(alice, quartier_a, indicateur_a, lien):
    api = APIClient()
    api.force_login(alice)
    saisie = api.post(
        "/api/v1/saisies/", {"quartier": quartier_a.slug, "periode": "2025-T1"}, format="json"
    )
    assert saisie.status_code == 201, saisie.content
    corps = {"valeurs": [{"indicateur": "menages", "valeur": "12", "preuve_url": lien}]}
    reponse = api.put(
        f"/api/v1/saisies/{saisie.json()['id']}/valeurs/",
        corps,
        format="json",
        HTTP_IF_MATCH=saisie["ETag"],
    )
    assert reponse.status_code == 400
    assert "preuve_url" in str(reponse.json())
    assert Valeur.objects.count() == 0


@pytest.mark.parametrize(
    ("partie", "element", "nombre"),
    [
        pytest.param("xl/sharedStrings.xml", b"<si/>", 600_001, id="textes-partages"),
        pytest.param("xl/worksheets/sheet1.xml", b"<row/>", 2_000_001, id="feuille-sans-dimension"),
        pytest.param("xl/worksheets/sheet1.xml", b"<x:row/>", 2_000_001, id="prefixe"),
        # openpyxl suit les relations, pas les noms : une feuille peut s'appeler autrement.
        pytest.param("xl/feuilles/a.xml", b"<row/>", 2_000_001, id="feuille-renommee"),
        pytest.param("xl/textes.bin", b"<si/>", 2_000_001, id="textes-renommes"),
    ],
)
def test_une_partie_faite_de_millions_d_elements_est_refusee(
    client, alice, url, catalogue, partie, element, nombre
):
    """Des textes partagés ou une feuille sans dimension faits de millions de petits éléments
    (une minute de lecture par openpyxl avant, pour 200 Ko envoyés) sont refusés avant
    qu'openpyxl ne les ouvre, même quand l'archive entière reste sous sa limite."""
    piege = zip_de({"xl/workbook.xml": b"<workbook/>", partie: element * nombre})
    assert len(piege) < 100_000
    client.force_login(alice)
    reponse = importer(client, url, SimpleUploadedFile("piege.xlsx", piege))
    assert reponse.status_code == 400
    (message,) = reponse.context["form"].errors["fichier"]
    assert "trop volumineux une fois décompressé" in message
    assert compte() == (0, 0, 0)


def test_le_plus_grand_import_permis_passe_les_limites_des_parties():
    """10 000 lignes (la limite de lecture) aux colonnes du modèle, chacune avec un commentaire
    et une raison distincts : sous les limites de la feuille et des textes partagés."""
    classeur = openpyxl.Workbook()
    feuille = classeur.active
    feuille.append(list(lecture_import.COLONNES_MODELE))
    for n in range(10_000):
        texte = f"{n:05d} " + "x" * 194
        ligne = {"periode": "2021-T1", "indicateur": f"ind-{n}", "nom": f"Indicateur {n}"}
        ligne |= {"unite": "nombre", "valeur": n * 1.5, "non_disponible": "non"}
        ligne |= {"raison": texte, "commentaire": texte[::-1], "preuve_url": f"https://x.ca/{n}"}
        feuille.append([ligne[colonne] for colonne in lecture_import.COLONNES_MODELE])
    tampon = io.BytesIO()
    classeur.save(tampon)
    controle_fichiers.verifier_classeur(tampon.getvalue())
    # Les mêmes textes en textes partagés, comme les écrit un tableur, avec leur mise en forme.
    textes = b"".join(b"<si><r><rPr><b/></rPr><t>%d</t></r></si>" % n for n in range(20_000))
    partages = zip_de({"xl/workbook.xml": b"<workbook/>", "xl/sharedStrings.xml": textes})
    controle_fichiers.verifier_classeur(partages)
