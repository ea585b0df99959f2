"""Import : la partie principale d'un classeur s'appelle xl/workbook.xml d'ordinaire, mais rien ne
l'impose (Open Packaging Conventions) : [Content_Types].xml la déclare et _rels/.rels pointe vers
elle. openpyxl la trouve par sa déclaration; le contrôle du fichier et la lecture du marqueur
« à recalculer » la trouvent de même, au lieu de refuser un classeur valide comme « pas un
classeur Excel »."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest

from indicateurs import controle_fichiers
from indicateurs.models import Valeur
from tests.indicateurs.test_import_recalcul import comme_xlsxwriter
from tests.indicateurs.test_import_robustesse import (
    BONNE_FEUILLE,
    classeur,
    compte,
    envoyer,
    erreur_du_fichier,
    problemes,
    url,
)

pytestmark = pytest.mark.django_db
__all__ = ["url"]  # la fixture, réutilisée telle quelle

PRINCIPALE = "xl/principal.xml"


def renomme(contenu: bytes, nouveau: str = PRINCIPALE, declare: str | None = None) -> bytes:
    """L'archive où xl/workbook.xml (et ses relations) s'appelle `nouveau`, déclaré comme tel
    dans [Content_Types].xml (ou sous le nom `declare`) et désigné par _rels/.rels."""
    dossier, _, fichier = nouveau.rpartition("/")
    noms = {
        "xl/workbook.xml": nouveau,
        "xl/_rels/workbook.xml.rels": f"{dossier}/_rels/{fichier}.rels",
    }
    tampon = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(contenu)) as source,
        zipfile.ZipFile(tampon, "w", zipfile.ZIP_DEFLATED) as copie,
    ):
        for membre in source.infolist():
            octets = source.read(membre)
            if membre.filename == "[Content_Types].xml":
                octets = octets.replace(b'"/xl/workbook.xml"', f'"/{declare or nouveau}"'.encode())
            elif membre.filename == "_rels/.rels":
                octets = octets.replace(b'"xl/workbook.xml"', f'"{nouveau}"'.encode())
            copie.writestr(noms.get(membre.filename, membre.filename), octets)
    return tampon.getvalue()


def test_openpyxl_lit_le_classeur_a_la_partie_renommee():
    """Le classeur construit pour ces tests est valide : openpyxl le lit."""
    contenu = renomme(classeur({"Valeurs": BONNE_FEUILLE}))
    with zipfile.ZipFile(io.BytesIO(contenu)) as archive:
        assert "xl/workbook.xml" not in archive.namelist()
        assert controle_fichiers.partie_principale(archive) == PRINCIPALE
    lu = openpyxl.load_workbook(io.BytesIO(contenu), read_only=True)
    assert lu.sheetnames == ["Valeurs"]
    assert [list(r) for r in lu["Valeurs"].iter_rows(values_only=True)][1][:3] == [
        "2025-T1",
        "menages",
        120,
    ]


def test_un_classeur_ecrit_par_openpyxl_puis_renomme_passe_le_controle():
    livre = openpyxl.Workbook()
    livre.active.append(["periode", "indicateur", "valeur"])
    tampon = io.BytesIO()
    livre.save(tampon)
    contenu = renomme(tampon.getvalue(), "xl/classeur.xml")
    assert openpyxl.load_workbook(io.BytesIO(contenu)).active["A1"].value == "periode"
    controle_fichiers.verifier_classeur(contenu)  # ne lève pas


@pytest.mark.parametrize("action", ["verifier", "importer"])
def test_le_classeur_a_la_partie_renommee_s_importe(
    client, alice, url, indicateurs_a, periode, action
):
    client.force_login(alice)
    reponse = envoyer(client, url, renomme(classeur({"Valeurs": BONNE_FEUILLE})), action=action)
    if action == "verifier":
        assert reponse.status_code == 200
        assert not reponse.context["form"].errors
    else:
        assert reponse.status_code == 302
        assert Valeur.objects.get().valeur_numerique == 120


def test_le_marqueur_a_recalculer_se_lit_dans_la_partie_renommee(
    client, alice, url, indicateurs_a, periode
):
    contenu = renomme(comme_xlsxwriter())
    assert controle_fichiers.recalcul_demande(contenu)
    client.force_login(alice)
    reponse = envoyer(client, url, contenu, action="importer")
    assert reponse.status_code == 400
    ((ligne, colonne, message),) = problemes(reponse)
    assert (ligne, colonne) == (3, "valeur") and "recalculé à l'ouverture" in message
    assert compte() == (0, 0, 0)


def test_une_partie_principale_declaree_mais_absente_est_refusee(client, alice, url, indicateurs_a):
    contenu = renomme(classeur({"Valeurs": BONNE_FEUILLE}), declare="xl/absente.xml")
    client.force_login(alice)
    reponse = envoyer(client, url, contenu, action="importer")
    assert reponse.status_code == 400
    assert "ce n'est pas un classeur Excel" in erreur_du_fichier(reponse)
    assert compte() == (0, 0, 0)


def test_sans_declaration_la_partie_principale_est_xl_workbook_xml():
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types><Default Extension='xml'")  # tronqué
    with zipfile.ZipFile(tampon) as archive:
        assert controle_fichiers.partie_principale(archive) == "xl/workbook.xml"
