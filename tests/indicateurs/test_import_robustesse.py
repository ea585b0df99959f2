"""Import : classeurs XLSX abîmés ou piégés, écrits à la main (une archive zip et le XML de leurs
feuilles). Chacun répond 400 avec un message clair, jamais 500, et n'écrit rien."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from xml.sax.saxutils import escape

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from indicateurs import lecture_import
from indicateurs.models import EvenementSaisie, Saisie, Valeur

pytestmark = pytest.mark.django_db

# --- Classeurs écrits à la main -----------------------------------------------------------------

_ESPACE = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELATIONS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_TYPE_FEUILLE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"


@dataclass(frozen=True)
class Formule:
    """Une cellule à formule; sans `calculee`, comme l'écrit un script, sans valeur calculée."""

    texte: str
    calculee: str | None = None
    type_: str | None = None  # l'attribut t : « str » (texte), « e » (erreur)…


class Brut(str):
    """Le texte tel quel de l'élément <v> d'une cellule numérique (« 1E999 »)."""


def _cellule(reference: str, valeur) -> str:
    if isinstance(valeur, Formule):
        type_ = f' t="{valeur.type_}"' if valeur.type_ else ""
        calculee = "" if valeur.calculee is None else f"<v>{escape(valeur.calculee)}</v>"
        return f'<c r="{reference}"{type_}><f>{escape(valeur.texte)}</f>{calculee}</c>'
    if isinstance(valeur, Brut | int | float):
        return f'<c r="{reference}"><v>{valeur}</v></c>'
    return f'<c r="{reference}" t="inlineStr"><is><t>{escape(valeur)}</t></is></c>'


def rangee(numero: int, *valeurs) -> str:
    """Le XML de la rangée `numero`, ses valeurs à partir de la colonne A (None : cellule vide)."""
    cellules = "".join(
        _cellule(f"{chr(ord('A') + rang)}{numero}", valeur)
        for rang, valeur in enumerate(valeurs)
        if valeur is not None
    )
    return f'<row r="{numero}">{cellules}</row>'


def feuille(*rangees: str, dimension: str | None = None) -> str:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        f'<worksheet xmlns="{_ESPACE}">{dim}<sheetData>{"".join(rangees)}</sheetData></worksheet>'
    )


def classeur(feuilles: dict[str, str]) -> bytes:
    """Une archive XLSX minimale : nom de feuille → XML de la feuille, dans l'ordre."""
    noms = list(feuilles)
    declarees = "".join(
        f'<sheet name="{escape(nom)}" sheetId="{i}" r:id="rId{i}"/>'
        for i, nom in enumerate(noms, start=1)
    )
    liens = "".join(
        f'<Relationship Id="rId{i}" Target="worksheets/sheet{i}.xml" '
        f'Type="{_RELATIONS}/worksheet"/>'
        for i in range(1, len(noms) + 1)
    )
    types = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{_TYPE_FEUILLE}"/>'
        for i in range(1, len(noms) + 1)
    )
    membres = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            f"{types}</Types>"
        ),
        "_rels/.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{_RELATIONS}/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{_ESPACE}" xmlns:r="{_RELATIONS}"><sheets>{declarees}</sheets>'
            "</workbook>"
        ),
        "xl/_rels/workbook.xml.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f"{liens}</Relationships>"
        ),
    }
    for i, nom in enumerate(noms, start=1):
        membres[f"xl/worksheets/sheet{i}.xml"] = feuilles[nom]
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w", zipfile.ZIP_DEFLATED) as archive:
        for nom, contenu in membres.items():
            archive.writestr(nom, contenu)
    return tampon.getvalue()


ENTETE = rangee(1, "periode", "indicateur", "valeur")
BONNE_FEUILLE = feuille(ENTETE, rangee(2, "2025-T1", "menages", 120))


def compte() -> tuple[int, int, int]:
    return Valeur.objects.count(), EvenementSaisie.objects.count(), Saisie.objects.count()


@pytest.fixture
def url(quartier_a):
    return reverse("import_valeurs", kwargs={"slug": quartier_a.slug})


def envoyer(client, url, contenu: bytes, nom: str = "valeurs.xlsx", action: str = "verifier"):
    client.raise_request_exception = False  # un 500 doit se voir comme un statut, pas lever
    return client.post(url, {"fichier": SimpleUploadedFile(nom, contenu), "action": action})


def erreur_du_fichier(reponse) -> str:
    return " ".join(reponse.context["form"].errors["fichier"])


# --- Classeurs abîmés : 400, jamais 500 ---------------------------------------------------------


def test_le_classeur_ecrit_a_la_main_s_importe(client, alice, url, indicateurs_a, periode):
    """Le témoin : sans piège, le classeur fait main passe, ce qui valide les tests suivants."""
    client.force_login(alice)
    reponse = envoyer(client, url, classeur({"Valeurs": BONNE_FEUILLE}), action="importer")
    assert reponse.status_code == 302
    assert Valeur.objects.get().valeur_numerique == 120


@pytest.mark.parametrize("action", ["verifier", "importer"])
def test_une_feuille_au_xml_tronque_est_illisible(client, alice, url, indicateurs_a, action):
    """Les dimensions déclarées se lisent à l'ouverture; la feuille est coupée au milieu de ses
    rangées, qu'on ne lit qu'ensuite."""
    client.force_login(alice)
    entiere = feuille(
        ENTETE, *(rangee(n, "2025-T1", "menages", n) for n in range(2, 40)), dimension="A1:C39"
    )
    tronquee = entiere[: len(entiere) // 2]
    reponse = envoyer(client, url, classeur({"Valeurs": tronquee}), action=action)
    assert reponse.status_code == 400
    assert "Le fichier est illisible" in erreur_du_fichier(reponse)
    assert compte() == (0, 0, 0)


def _crc_faux(contenu: bytes, membre: str) -> bytes:
    """L'archive où le CRC annoncé du membre (dans le répertoire central) est faux."""
    octets = bytearray(contenu)
    position = octets.find(b"PK\x01\x02")
    while position != -1:
        longueur = int.from_bytes(octets[position + 28 : position + 30], "little")
        if octets[position + 46 : position + 46 + longueur] == membre.encode():
            octets[position + 16] ^= 0xFF
            return bytes(octets)
        position = octets.find(b"PK\x01\x02", position + 1)
    raise AssertionError(membre)


def test_une_feuille_corrompue_dans_l_archive_est_illisible(client, alice, url, indicateurs_a):
    """La feuille est assez longue pour que l'erreur de CRC n'apparaisse qu'à la lecture des
    rangées, après l'ouverture du classeur."""
    longue = feuille(
        ENTETE,
        *(rangee(n, "2025-T1", "menages", n) for n in range(2, 3000)),
        dimension="A1:C2999",
    )
    contenu = _crc_faux(classeur({"Valeurs": longue}), "xl/worksheets/sheet1.xml")
    client.force_login(alice)
    reponse = envoyer(client, url, contenu)
    assert reponse.status_code == 400
    assert "Le fichier est illisible" in erreur_du_fichier(reponse)
    assert compte() == (0, 0, 0)


def _methode_inconnue(contenu: bytes, membre: str) -> bytes:
    """L'archive où le membre dit être compressé par une méthode que zipfile ne connaît pas
    (99), dans son en-tête local comme dans le répertoire central."""
    octets = bytearray(contenu)
    with zipfile.ZipFile(io.BytesIO(contenu)) as archive:
        local = archive.getinfo(membre).header_offset
    octets[local + 8 : local + 10] = (99).to_bytes(2, "little")
    position = octets.find(b"PK\x01\x02")
    while position != -1:
        longueur = int.from_bytes(octets[position + 28 : position + 30], "little")
        if octets[position + 46 : position + 46 + longueur] == membre.encode():
            octets[position + 10 : position + 12] = (99).to_bytes(2, "little")
            return bytes(octets)
        position = octets.find(b"PK\x01\x02", position + 1)
    raise AssertionError(membre)


def test_une_feuille_a_la_compression_inconnue_est_illisible(client, alice, url, indicateurs_a):
    """zipfile lève NotImplementedError (ni une erreur d'archive ni une erreur d'E/S) : le
    compte des balises ne doit pas en faire une erreur 500."""
    contenu = classeur({"Valeurs": feuille(ENTETE, rangee(2, "2025-T1", "menages", 1))})
    client.force_login(alice)
    reponse = envoyer(client, url, _methode_inconnue(contenu, "xl/worksheets/sheet1.xml"))
    assert reponse.status_code == 400
    assert "illisible" in erreur_du_fichier(reponse)
    assert compte() == (0, 0, 0)


def test_un_classeur_sans_feuille_de_calcul_est_refuse(client, alice, url, indicateurs_a):
    client.force_login(alice)
    reponse = envoyer(client, url, classeur({}), action="importer")
    assert reponse.status_code == 400
    assert "aucune feuille" in erreur_du_fichier(reponse)
    assert compte() == (0, 0, 0)


@pytest.mark.parametrize("brut", ["1E999", "-1E999"])
def test_un_nombre_infini_est_un_probleme_de_sa_ligne(
    client, alice, url, indicateurs_a, periode, brut
):
    contenu = classeur({"Valeurs": feuille(ENTETE, rangee(2, "2025-T1", "menages", Brut(brut)))})
    client.force_login(alice)
    reponse = envoyer(client, url, contenu)
    assert reponse.status_code == 400
    problemes = [(p.ligne, p.colonne, p.message) for p in reponse.context["problemes"]]
    assert len(problemes) == 1
    assert problemes[0][:2] == (2, "valeur")
    assert "n'est pas un nombre" in problemes[0][2]
    assert envoyer(client, url, contenu, action="importer").status_code == 400
    assert compte() == (0, 0, 0)


# --- Dimensions piégées : lecture bornée --------------------------------------------------------


@pytest.fixture
def cellules_lues(monkeypatch) -> list[int]:
    """Compte les cellules que la lecture convertit en texte."""
    lues: list[int] = []
    vraie = lecture_import._texte_cellule

    def compter(cellule):
        lues.append(1)
        return vraie(cellule)

    monkeypatch.setattr(lecture_import, "_texte_cellule", compter)
    return lues


def test_une_feuille_qui_declare_16384_colonnes_ne_lit_que_celles_du_modele(
    client, alice, url, indicateurs_a, periode, cellules_lues
):
    """<dimension ref="A1:XFD300"/> : openpyxl remplirait chaque rangée de 16 384 cellules vides
    (4,9 millions pour ces 300 rangées, pour un fichier de 1 Ko)."""
    piege = feuille(ENTETE, rangee(300, "2025-T1", "menages", 5), dimension="A1:XFD300")
    client.force_login(alice)
    reponse = envoyer(client, url, classeur({"Valeurs": piege}))
    assert reponse.status_code == 200  # la ligne 300 est valide, les rangées vides ignorées
    assert reponse.context["rapport"].lignes_valides[0].ligne == 300
    assert len(cellules_lues) <= 300 * 30


def test_une_feuille_qui_declare_un_million_de_rangees_est_refusee_sans_etre_parcourue(
    client, alice, url, indicateurs_a, periode, cellules_lues
):
    """Une cellule à la dernière rangée d'Excel : chaque rangée manquante serait fabriquée (une
    heure de calcul avant la correction). La lecture s'arrête à la limite et le dit."""
    piege = feuille(ENTETE, rangee(1_048_576, "2025-T1"), dimension="A1:XFD1048576")
    contenu = classeur({"Valeurs": piege})
    assert len(contenu) < 2000
    client.force_login(alice)
    reponse = envoyer(client, url, contenu)
    assert reponse.status_code == 400
    message = erreur_du_fichier(reponse)
    assert f"plus de {lecture_import.LIGNES_LUES_MAX} lignes" in message
    assert "lignes vides comprises" in message
    assert len(cellules_lues) <= (lecture_import.LIGNES_LUES_MAX + 2) * 30
    assert compte() == (0, 0, 0)


# --- Formules et erreurs de calcul --------------------------------------------------------------


def problemes(reponse) -> list[tuple[int | None, str, str]]:
    return [(p.ligne, p.colonne, p.message) for p in reponse.context["problemes"]]


@pytest.mark.parametrize("action", ["verifier", "importer"])
def test_une_formule_jamais_calculee_est_un_probleme_de_sa_ligne(
    client, alice, url, indicateurs_a, periode, action
):
    """Un classeur écrit par un script (openpyxl, pandas) ne garde pas la valeur de ses
    formules : avant, la cellule se lisait vide et la ligne était ignorée sans rien dire."""
    ecrit = openpyxl.Workbook()
    ecrit.active.append(["periode", "indicateur", "valeur"])
    ecrit.active.append(["2025-T1", "menages", 120])
    ecrit.active.append(["2025-T1", "taux", "=40+2"])
    tampon = io.BytesIO()
    ecrit.save(tampon)
    client.force_login(alice)
    reponse = envoyer(client, url, tampon.getvalue(), action=action)
    assert reponse.status_code == 400
    ((ligne, colonne, message),) = problemes(reponse)
    assert (ligne, colonne) == (3, "valeur")
    assert "formule sans valeur calculée" in message.lower()
    assert compte() == (0, 0, 0)


def test_une_formule_calculee_par_le_tableur_se_lit_par_sa_valeur(
    client, alice, url, indicateurs_a, periode
):
    contenu = classeur(
        {
            "Valeurs": feuille(
                ENTETE,
                rangee(2, "2025-T1", "taux", Formule("40+2", calculee="42")),
                # =SI(…;"";…) : un texte vide calculé, la ligne est vide et ignorée.
                rangee(3, "2025-T1", "menages", Formule('""', calculee="", type_="str")),
            )
        }
    )
    client.force_login(alice)
    reponse = envoyer(client, url, contenu, action="importer")
    assert reponse.status_code == 302
    assert Valeur.objects.get().valeur_numerique == 42


@pytest.mark.parametrize(
    "cellule",
    [
        pytest.param(Formule("1/0", calculee="#DIV/0!", type_="e"), id="formule"),
        pytest.param(Formule("NA()", calculee="#N/A", type_="e"), id="na"),
    ],
)
def test_une_erreur_de_calcul_n_est_pas_importee_comme_un_texte(
    client, alice, url, indicateurs_a, periode, cellule
):
    """Pour un indicateur texte, « #DIV/0! » s'enregistrait tel quel."""
    contenu = classeur({"Valeurs": feuille(ENTETE, rangee(2, "2025-T1", "politique", cellule))})
    client.force_login(alice)
    reponse = envoyer(client, url, contenu, action="importer")
    assert reponse.status_code == 400
    ((ligne, colonne, message),) = problemes(reponse)
    assert (ligne, colonne) == (2, "valeur") and cellule.calculee in message
    assert compte() == (0, 0, 0)


# --- Quelle feuille lire ------------------------------------------------------------------------


def test_la_feuille_du_modele_se_lit_meme_apres_une_feuille_d_instructions(
    client, alice, url, indicateurs_a, periode
):
    contenu = classeur(
        {
            "Instructions": feuille(rangee(1, "Remplissez la feuille Valeurs")),
            "Valeurs": BONNE_FEUILLE,
        }
    )
    client.force_login(alice)
    reponse = envoyer(client, url, contenu, action="importer")
    assert reponse.status_code == 302
    assert Valeur.objects.get().valeur_numerique == 120


def test_sans_les_colonnes_du_modele_le_message_nomme_la_feuille_lue(
    client, alice, url, indicateurs_a
):
    contenu = classeur(
        {
            "Instructions": feuille(rangee(1, "Remplissez la feuille Valeurs")),
            "Brouillon": feuille(rangee(1, "periode", "code", "valeur")),
        }
    )
    client.force_login(alice)
    reponse = envoyer(client, url, contenu)
    assert reponse.status_code == 400
    message = erreur_du_fichier(reponse)
    assert "manquantes" in message and "« Instructions »" in message
