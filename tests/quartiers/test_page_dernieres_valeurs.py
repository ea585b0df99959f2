"""La page d'un quartier donne la dernière valeur de chaque indicateur suivi : celle des
indicateurs calculés, tirée du registre des partenaires et des actions comme sur le tableau de
bord, et le dernier texte des indicateurs en texte (raccourci s'il est long), au lieu de
« aucune »; sans requête de plus quand les données grandissent."""

from __future__ import annotations

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicateurs.models import Saisie, Valeur
from tests.factories import (
    IndicateurFactory,
    IndicateurSuiviFactory,
    construire_quartier,
)

pytestmark = pytest.mark.django_db

LONG = "Une politique de verdissement adoptée par l'arrondissement, " * 5


def _quartier(nom: str, trimestres: int = 3, partenaires: int = 4, calcules: int = 1):
    """Un quartier qui suit, en plus d'un indicateur saisi, des indicateurs calculés (partenaires
    actifs) et un indicateur en texte, écrit chaque trimestre."""
    quartier = construire_quartier(
        nom=nom, indicateurs=1, trimestres=trimestres, partenaires=partenaires
    )
    for _n in range(calcules):
        IndicateurSuiviFactory(
            quartier=quartier,
            indicateur=IndicateurFactory(mode="calcule", calcul="partenaires_actifs"),
        )
    texte = IndicateurSuiviFactory(
        quartier=quartier, indicateur=IndicateurFactory(unite="texte"), valeur_reference=None
    )
    for saisie in Saisie.objects.filter(table=quartier.table).order_by("periode__debut"):
        Valeur.objects.create(
            saisie=saisie,
            indicateur=texte.indicateur,
            valeur_texte=f"{saisie.periode.code} : {LONG}",
        )
    return quartier


def _cellules(contenu: str) -> str:
    return " ".join(contenu.split())


def test_un_indicateur_calcule_montre_sa_valeur_tiree_du_registre(client, eve):
    quartier = _quartier("Villeray", partenaires=4)
    client.force_login(eve)
    contenu = _cellules(client.get(quartier.get_absolute_url()).content.decode())
    # Quatre partenaires actifs depuis 2018, sur la dernière période (T3 2023).
    assert '<td class="nombre">4 <span class="date">(T3 2023)</span></td>' in contenu
    assert "aucune" not in contenu


def test_un_indicateur_en_texte_montre_son_dernier_texte_raccourci(client, eve):
    quartier = _quartier("Villeray", trimestres=3)
    client.force_login(eve)
    contenu = _cellules(client.get(quartier.get_absolute_url()).content.decode())
    assert "2023-T2 :" not in contenu  # le dernier texte seulement
    visible = re.search(
        r'<td><span title="[^"]*">([^<]*)</span> <span class="date">\(T3 2023\)', contenu
    )
    assert visible, contenu
    assert visible.group(1).startswith("2023-T3 : Une politique de verdissement")
    texte = html.unescape(visible.group(1))
    assert len(texte) <= 80 and texte.endswith("…")
    assert "aucune" not in contenu


def test_la_page_coute_autant_de_requetes_avec_dix_fois_plus_de_donnees(client, eve):
    client.force_login(eve)
    petit = _quartier("Petit", trimestres=4, partenaires=2, calcules=1)
    grand = _quartier("Grand", trimestres=40, partenaires=20, calcules=10)

    def requetes(quartier) -> int:
        with CaptureQueriesContext(connection) as capturees:
            assert client.get(quartier.get_absolute_url()).status_code == 200
        return len(capturees)

    assert requetes(petit) == requetes(grand)
