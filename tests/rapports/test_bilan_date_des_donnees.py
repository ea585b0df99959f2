"""Un bilan dit quand il a lu ses données et quelle stratégie il lit. L'instantané fige le moment
où le bilan a lu la base (« donnees_au », le début de sa production, evalpic-bilan-1.5); le
bilan l'écrit sur sa couverture et dans sa méthodologie (HTML et PDF), dans les métadonnées du
PDF et dans « À propos » du classeur; régénérer ses fichiers un autre jour redonne les mêmes
octets. Le titre et la version de la stratégie de chaque quartier s'écrivent dans la
méthodologie (bilan d'un quartier et du PIC), sous le titre de chaque quartier du PIC, et dans la
feuille « Stratégies » du classeur. Un instantané d'avant, sans date, se rend comme alors.

Avant : aucune date de production nulle part (le PDF n'avait pas de date de création), et le
bilan du PIC ne nommait aucune stratégie."""

from __future__ import annotations

import datetime
import io
import zoneinfo
from unittest import mock

import openpyxl
import pytest
from django.utils import timezone
from pypdf import PdfReader

from indicateurs.models import StrategieDeChangement
from rapports import rendu, services
from rapports.exports import exporter_csv, exporter_xlsx
from rapports.instantane import VERSION_GENERATEUR, construire_instantane
from rapports.models import Bilan, Portee
from tests.factories import AffectationFactory, construire_quartier

pytestmark = pytest.mark.django_db

MONTREAL = zoneinfo.ZoneInfo("America/Montreal")
# 19 h 05 min 09 s en UTC : 14 h 05 min 09 s à Montréal (heure normale, UTC−5).
LU_LE = datetime.datetime(2024, 1, 15, 19, 5, 9, 123456, tzinfo=datetime.UTC)


def _bilan(quartier=None, **autres) -> Bilan:
    return Bilan.objects.create(
        portee=Portee.QUARTIER if quartier else Portee.PIC,
        quartier=quartier,
        annee=2023,
        trimestre=4,
        debut_generation=LU_LE,
        **autres,
    )


def test_l_instantane_fige_le_moment_ou_le_bilan_lit_la_base():
    alpha = construire_quartier(nom="Alpha", indicateurs=1, trimestres=4)
    bilan = _bilan(alpha)
    instantane = construire_instantane(bilan)
    # « donnees_au » depuis evalpic-bilan-1.5 (la version a monté depuis).
    assert tuple(int(n) for n in VERSION_GENERATEUR.rsplit("-", 1)[1].split(".")) >= (1, 5)
    assert instantane["generateur"] == VERSION_GENERATEUR
    assert instantane["donnees_au"] == "2024-01-15T14:05:09-05:00"
    # Relire la base pour le même bilan redonne la même date.
    assert construire_instantane(bilan)["donnees_au"] == instantane["donnees_au"]


@pytest.mark.parametrize(
    ("langue", "couverture", "methodologie"),
    [
        ("fr", "Données au 15 janvier 2024", "Données au 15 janvier 2024 à 14:05 : "),
        # Messages qui attendent leur traduction au catalogue anglais.
        ("en", "Data as of Jan. 15, 2024", "Data as of Jan. 15, 2024 at 2:05 p.m.: "),
    ],
)
def test_le_bilan_ecrit_la_date_de_ses_donnees(langue, couverture, methodologie):
    alpha = construire_quartier(nom="Alpha", indicateurs=1, trimestres=4)
    instantane = construire_instantane(_bilan(alpha, langue=langue))
    page = rendu.rendre(instantane, titre="Bilan")
    imprime = rendu.rendre(instantane, titre="Bilan", image=lambda _figure, cle: f"img:{cle}")
    for html in (page, imprime):
        debut = html[html.index('<section class="couverture">') :]
        assert (
            f'<p class="couverture__donnees">{couverture}</p>' in debut[: debut.index("</section>")]
        )
        assert methodologie in html[html.index('id="methodologie"') :]
        entete = html[: html.index("</head>")]
        assert '<meta name="dcterms.created" content="2024-01-15T14:05:09-05:00">' in entete
        assert '<meta name="dcterms.modified" content="2024-01-15T14:05:09-05:00">' in entete


def test_le_pdf_et_le_classeur_portent_la_date_et_se_regenerent_a_l_identique():
    alpha = construire_quartier(nom="Alpha", indicateurs=2, trimestres=4)
    coordination = AffectationFactory(quartier=alpha, role="coordonnateur").utilisateur
    with mock.patch("rapports.tasks.generer_bilan_task.delay"):
        demande = services.demander_bilan(
            auteur=coordination, portee=Portee.QUARTIER, quartier=alpha, annee=2023, trimestre=4
        )
    bilan = services.generer_bilan(bilan_id=demande.pk)
    lu_le = timezone.localtime(bilan.debut_generation).replace(microsecond=0)
    assert bilan.instantane["donnees_au"] == lu_le.isoformat()

    pdf = PdfReader(io.BytesIO(bilan.fichier_pdf.read()))
    attendu = lu_le.strftime("D:%Y%m%d%H%M%S")
    assert pdf.metadata["/CreationDate"].startswith(attendu)
    assert pdf.metadata["/ModDate"].startswith(attendu)

    classeur = openpyxl.load_workbook(io.BytesIO(bilan.fichier_xlsx.read()))
    a_propos = dict(classeur["À propos"].iter_rows(min_row=2, values_only=True))
    assert a_propos["Données au"] == lu_le.replace(tzinfo=None)
    utc = lu_le.astimezone(datetime.UTC).replace(tzinfo=None)
    assert classeur.properties.created == classeur.properties.modified == utc

    # Un autre jour, les fichiers refaits depuis l'instantané stocké sont les mêmes, à l'octet.
    bilan.refresh_from_db()
    plus_tard = timezone.now() + datetime.timedelta(days=40)
    with mock.patch("django.utils.timezone.now", return_value=plus_tard):
        refaits = services.fichiers_du_bilan(bilan.instantane, services.titre_du_bilan(bilan))
    assert refaits["xlsx"] == exporter_xlsx(bilan.instantane) == bilan.fichier_xlsx.open().read()
    assert refaits["csv"] == exporter_csv(bilan.instantane) == bilan.fichier_csv.open().read()
    assert refaits["html"] == bilan.fichier_html.open().read()


def test_chaque_strategie_est_nommee_dans_le_bilan_du_pic_et_dans_le_classeur():
    construire_quartier(nom="Alpha", indicateurs=1, trimestres=4)
    beta = construire_quartier(nom="Beta", indicateurs=1, trimestres=4)
    StrategieDeChangement.objects.filter(quartier=beta).update(
        version=3, titre="Beta 2030", adoptee_le=datetime.date(2023, 2, 1)
    )
    instantane = construire_instantane(_bilan())
    html = rendu.contenu(instantane, titre="Bilan")
    alpha_section = html[html.index('id="indicateurs-alpha"') : html.index('id="indicateurs-beta"')]
    assert "Stratégie de changement : « Stratégie de test », version 1" in alpha_section
    beta_section = html[html.index('id="indicateurs-beta"') :]
    assert "Stratégie de changement : « Beta 2030 », version 3" in beta_section
    methodologie = html[html.index('id="methodologie"') :]
    assert "<caption>Stratégies de changement</caption>" in methodologie
    assert (
        '<tr><th scope="row">Beta</th><td>Beta 2030</td><td class="nombre">3</td>'
        "<td>1er février 2023</td></tr>"
    ) in methodologie

    classeur = openpyxl.load_workbook(io.BytesIO(exporter_xlsx(instantane)))
    assert list(classeur["Stratégies"].iter_rows(values_only=True)) == [
        ("Quartier", "Stratégie de changement", "Version", "Adoptée le"),
        ("Alpha", "Stratégie de test", 1, None),
        ("Beta", "Beta 2030", 3, "2023-02-01"),
    ]


def test_un_instantane_d_avant_sans_date_se_rend_comme_alors():
    alpha = construire_quartier(nom="Alpha", indicateurs=1, trimestres=4)
    instantane = construire_instantane(_bilan(alpha))
    del instantane["donnees_au"]
    instantane["generateur"] = "evalpic-bilan-1.4"
    html = rendu.rendre(instantane, titre="Bilan")
    assert "couverture__donnees" not in html and "dcterms" not in html
    classeur = openpyxl.load_workbook(io.BytesIO(exporter_xlsx(instantane)))
    a_propos = dict(classeur["À propos"].iter_rows(min_row=2, values_only=True))
    assert a_propos["Données au"] is None
    assert classeur.properties.created == datetime.datetime(2023, 12, 31)
