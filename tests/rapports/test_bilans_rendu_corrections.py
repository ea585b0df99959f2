"""La page d'un bilan montre le bilan dans sa langue, le site autour restant dans celle de la
personne qui le lit. Le quartier et les bilans produits ici servent aussi aux autres fichiers
test_bilans_rendu_corrections_* (régénération, exports, comparaison). Sans PDF (chromium) : il
est simulé."""

from __future__ import annotations

from unittest import mock

import pytest
from django.conf import settings
from django.urls import reverse

from indicateurs.models import Apprentissage, Cible, Saisie, Valeur
from quartiers.models import Quartier
from rapports import services
from rapports.models import Bilan, Portee
from tests.factories import (
    AffectationFactory,
    ChangementViseFactory,
    IndicateurFactory,
    IndicateurSuiviFactory,
    ParticipationFactory,
    QuartierFactory,
    StrategieFactory,
    periode_du_trimestre,
)

pytestmark = pytest.mark.django_db

# Des codes de longueurs différentes : jsonb range les clés par longueur, puis par octets, si
# bien que l'ordre relu de la base n'est ni l'ordre d'écriture ni l'ordre alphabétique.
CODES = {"zz-9": [1, 2, 3], "aa-100": [5, 4, 3], "m-10": [7, 8, 9]}


def construire_villeray() -> Quartier:
    """Trois indicateurs suivis, valeurs validées de T2 à T4 2023, chacun une cible en 2024-T4
    (trimestre sans valeur), une stratégie, un apprentissage par rubrique et un partenaire."""
    quartier = QuartierFactory(nom="Villeray", slug="villeray")
    for trimestre in (1, 2, 3, 4):
        periode_du_trimestre(2023, trimestre)
    changement = ChangementViseFactory(strategie=StrategieFactory(quartier=quartier))
    for code, valeurs in CODES.items():
        indicateur = IndicateurFactory(code=code, source=f"Source {code}")
        suivi = IndicateurSuiviFactory(quartier=quartier, indicateur=indicateur)
        changement.indicateurs.add(indicateur)
        for trimestre, nombre in zip((2, 3, 4), valeurs, strict=True):
            saisie, _ = Saisie.objects.get_or_create(
                table=quartier.table,
                periode=periode_du_trimestre(2023, trimestre),
                defaults={"statut": "validee"},
            )
            Valeur.objects.create(saisie=saisie, indicateur=indicateur, valeur_numerique=nombre)
        # La cible qui décide du statut tombe dans un trimestre à venir, sans valeur.
        Cible.objects.create(suivi=suivi, periode=periode_du_trimestre(2024, 4), valeur=10)
    for categorie in ("defis", "changements_pratiques", "au_dela", "processus_resultats"):
        Apprentissage.objects.create(
            quartier=quartier,
            periode=periode_du_trimestre(2023, 4),
            categorie=categorie,
            texte_fr=f"Apprentissage {categorie}",
            texte_en=f"Learning {categorie}",
        )
    ParticipationFactory(table=quartier.table)
    return quartier


@pytest.fixture
def villeray():
    return construire_villeray()


@pytest.fixture
def coordination(villeray):
    return AffectationFactory(quartier=villeray, role="coordonnateur").utilisateur


def produire(auteur, quartier, *, langue: str = "fr", trimestre: int = 4) -> Bilan:
    """Un bilan produit pour de bon (instantané, HTML, CSV, XLSX), le PDF simulé, relu de la
    base : son instantané a fait l'aller-retour par jsonb."""
    with mock.patch("rapports.tasks.generer_bilan_task.delay"):
        bilan = services.demander_bilan(
            auteur=auteur,
            portee=Portee.QUARTIER,
            quartier=quartier,
            annee=2023,
            trimestre=trimestre,
            langue=langue,
        )
    with mock.patch.object(services, "pdf_du_bilan", return_value=b"%PDF-1.4 simule"):
        services.generer_bilan(bilan_id=bilan.pk)
    bilan = Bilan.objects.get(pk=bilan.pk)
    assert bilan.est_pret, bilan.erreur
    return bilan


def page_du_bilan(client, bilan: Bilan, langue_du_site: str) -> tuple[str, str]:
    """(le site autour, le contenu du bilan) de la page d'un bilan lue dans `langue_du_site`."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = langue_du_site
    reponse = client.get(reverse("bilan_detail", args=[bilan.pk]))
    assert reponse.status_code == 200
    page = reponse.content.decode()
    debut = page.index(f'<div class="bilan-contenu" lang="{bilan.langue}">')
    fin = page.index("</div>", page.index('<section id="methodologie"'))
    return page[:debut] + page[fin:], page[debut:fin]


# --- 1. La page d'un bilan : le bilan dans sa langue, le site dans celle de la personne ---------


def test_un_bilan_anglais_lu_en_francais_garde_son_contenu_en_anglais(
    client, coordination, villeray
):
    bilan = produire(coordination, villeray, langue="en")
    client.force_login(coordination)
    site, contenu = page_du_bilan(client, bilan, "fr")
    assert '<html lang="fr">' in site
    assert "Télécharger le PDF" in site and "Download the PDF" not in site
    for anglais in ("In brief", "Challenges", "Indicators and sources", "to watch", "Q4 2023"):
        assert anglais in contenu, anglais
    for francais in ("En bref", "Les défis", "Indicateurs et sources", "à surveiller", "T4 2023"):
        assert francais not in contenu, francais
    # Les légendes des graphiques aussi (noms des traces dans le JSON des figures).
    assert '"name":"Values"' in contenu and '"name":"Valeurs"' not in contenu
    assert "Learning defis" in contenu and "Apprentissage defis" not in contenu


def test_un_bilan_francais_lu_en_anglais_garde_son_contenu_en_francais(
    client, coordination, villeray
):
    bilan = produire(coordination, villeray, langue="fr")
    client.force_login(coordination)
    site, contenu = page_du_bilan(client, bilan, "en")
    assert '<html lang="en">' in site
    assert "Download the PDF" in site and "Télécharger le PDF" not in site
    for francais in ("En bref", "Les défis", "Indicateurs et sources", "à surveiller"):
        assert francais in contenu, francais
    for anglais in ("In brief", "Challenges", "Indicators and sources", "to watch"):
        assert anglais not in contenu, anglais


def test_la_page_montre_le_meme_contenu_que_le_document_html(client, coordination, villeray):
    """Le contenu de la page est celui du fichier HTML du bilan (même titre, même langue), quelle
    que soit la langue du site."""
    bilan = produire(coordination, villeray, langue="en")
    document = bilan.fichier_html.read().decode()
    client.force_login(coordination)
    _site, contenu = page_du_bilan(client, bilan, "fr")
    debut = document.index('<section class="couverture">')
    fin = document.index('<section id="methodologie"')
    assert document[debut:fin] in contenu


def test_le_document_html_charge_le_script_des_tableaux_comme_les_pages(
    client, coordination, villeray
):
    """Sur un téléphone, un tableau du document HTML d'un bilan qui défile s'atteint au clavier
    (js/tableaux.js), comme dans les pages du site; le PDF n'a pas de script."""
    bilan = produire(coordination, villeray, langue="en")
    document = bilan.fichier_html.read().decode()
    assert "js/tableaux.js" in document and 'data-libelle="Table that scrolls sideways"' in document
