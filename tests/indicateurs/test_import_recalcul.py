"""Import : un classeur qui demande d'être recalculé à l'ouverture (`<calcPr
fullCalcOnLoad="1"/>`, ce qu'écrivent XlsxWriter et les autres programmes qui ne calculent pas)
ne garde pour ses formules qu'une valeur de remplissage (0 chez XlsxWriter). Chaque formule y
est un problème de sa ligne, jamais une valeur enregistrée; un classeur enregistré par un
tableur, qui a calculé ses formules, s'importe comme avant."""

from __future__ import annotations

import io
import zipfile

import pytest

from indicateurs import controle_fichiers
from indicateurs.models import Valeur
from tests.indicateurs.test_import_robustesse import (
    ENTETE,
    Formule,
    classeur,
    compte,
    envoyer,
    feuille,
    problemes,
    rangee,
    url,
)

pytestmark = pytest.mark.django_db
__all__ = ["url"]  # la fixture, réutilisée telle quelle


def avec_calcul(contenu: bytes, calc_pr: str) -> bytes:
    """L'archive où l'élément `calc_pr` termine xl/workbook.xml, là où le schéma le place
    (après <sheets> et <definedNames>)."""
    tampon = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(contenu)) as source,
        zipfile.ZipFile(tampon, "w", zipfile.ZIP_DEFLATED) as copie,
    ):
        for membre in source.infolist():
            octets = source.read(membre)
            if membre.filename == "xl/workbook.xml":
                octets = octets.replace(b"</workbook>", f"{calc_pr}</workbook>".encode())
            copie.writestr(membre.filename, octets)
    return tampon.getvalue()


def comme_xlsxwriter(calc_pr: str = '<calcPr calcId="124519" fullCalcOnLoad="1"/>') -> bytes:
    """Ce qu'écrit XlsxWriter pour `worksheet.write_formula("C3", "=40+2")` : la formule, la
    valeur 0 en attendant le calcul, et le classeur marqué « à recalculer »."""
    contenu = classeur(
        {
            "Valeurs": feuille(
                ENTETE,
                rangee(2, "2025-T1", "menages", 120),
                rangee(3, "2025-T1", "taux", Formule("40+2", calculee="0")),
            )
        }
    )
    return avec_calcul(contenu, calc_pr)


@pytest.mark.parametrize("action", ["verifier", "importer"])
@pytest.mark.parametrize(
    "calc_pr",
    [
        pytest.param('<calcPr calcId="124519" fullCalcOnLoad="1"/>', id="xlsxwriter"),
        pytest.param('<calcPr fullCalcOnLoad="true"/>', id="true"),
        pytest.param('<calcPr fullCalcOnLoad=" true "/>', id="espaces"),
    ],
)
def test_la_formule_d_un_classeur_a_recalculer_est_un_probleme_de_sa_ligne(
    client, alice, url, indicateurs_a, periode, calc_pr, action
):
    """Avant, la ligne 3 enregistrait 0 % au lieu de 42 %, sans rien dire."""
    client.force_login(alice)
    reponse = envoyer(client, url, comme_xlsxwriter(calc_pr), action=action)
    assert reponse.status_code == 400
    ((ligne, colonne, message),) = problemes(reponse)
    assert (ligne, colonne) == (3, "valeur")
    assert "recalculé à l'ouverture" in message
    assert "remplacez la formule par sa valeur" in message
    assert compte() == (0, 0, 0)


def test_un_classeur_a_recalculer_sans_formule_s_importe(
    client, alice, url, indicateurs_a, periode
):
    """Seules les formules sont en cause : les valeurs tapées restent fiables."""
    contenu = avec_calcul(
        classeur({"Valeurs": feuille(ENTETE, rangee(2, "2025-T1", "menages", 120))}),
        '<calcPr calcId="124519" fullCalcOnLoad="1"/>',
    )
    client.force_login(alice)
    reponse = envoyer(client, url, contenu, action="importer")
    assert reponse.status_code == 302
    assert Valeur.objects.get().valeur_numerique == 120


@pytest.mark.parametrize(
    "calc_pr",
    [
        pytest.param('<calcPr calcId="191029"/>', id="excel"),
        pytest.param(
            '<calcPr iterateCount="100" refMode="A1" iterate="false" iterateDelta="0.001"/>',
            id="libreoffice",
        ),
        pytest.param('<calcPr calcId="191029" fullCalcOnLoad="0"/>', id="zero"),
        pytest.param('<calcPr fullCalcOnLoad="false"/>', id="false"),
    ],
)
def test_la_formule_calculee_par_un_tableur_s_importe_par_sa_valeur(
    client, alice, url, indicateurs_a, periode, calc_pr
):
    contenu = avec_calcul(
        classeur({"Valeurs": feuille(ENTETE, rangee(2, "2025-T1", "taux", Formule("40+2", "42")))}),
        calc_pr,
    )
    client.force_login(alice)
    reponse = envoyer(client, url, contenu, action="importer")
    assert reponse.status_code == 302
    assert Valeur.objects.get().valeur_numerique == 42


def test_le_marqueur_se_lit_quel_que_soit_le_prefixe_de_l_espace_de_noms():
    """Le SDK Open XML de Microsoft écrit <x:workbook>, <x:calcPr>."""
    espace = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w") as archive:
        archive.writestr(
            "xl/workbook.xml",
            f'<x:workbook xmlns:x="{espace}"><x:sheets/><x:calcPr fullCalcOnLoad="1"/>'
            "</x:workbook>",
        )
    assert controle_fichiers.recalcul_demande(tampon.getvalue())


def test_le_classeur_n_est_relu_que_s_il_a_des_formules(
    client, alice, url, indicateurs_a, periode, monkeypatch
):
    """Lire xl/workbook.xml ne coûte qu'aux classeurs qui ont des formules, une fois."""
    appels: list[bytes] = []
    vraie = controle_fichiers.recalcul_demande

    def compter(contenu: bytes) -> bool:
        appels.append(contenu)
        return vraie(contenu)

    monkeypatch.setattr("indicateurs.lecture_import.recalcul_demande", compter)
    client.force_login(alice)
    sans_formule = classeur({"Valeurs": feuille(ENTETE, rangee(2, "2025-T1", "menages", 1))})
    assert envoyer(client, url, sans_formule).status_code == 200
    assert appels == []
    assert envoyer(client, url, comme_xlsxwriter()).status_code == 400
    assert len(appels) == 1
