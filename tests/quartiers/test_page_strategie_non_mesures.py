"""La section « Stratégie de changement » de la page d'un quartier nomme tous les indicateurs de
chaque changement visé, et marque ceux que le quartier ne mesure pas (ou plus) : « retiré » du
catalogue, « plus suivi » (suivi inactif), « non suivi ». Avant, un indicateur retiré ou
abandonné s'y lisait comme un indicateur mesuré."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicateurs.models import StatutIndicateur, StatutStrategie
from tests.factories import (
    ChangementViseFactory,
    IndicateurFactory,
    IndicateurSuiviFactory,
    QuartierFactory,
    StrategieFactory,
)

pytestmark = pytest.mark.django_db


def _quartier(nom: str, *, marques: bool):
    """Un quartier dont le changement C1 nomme un indicateur mesuré et, si `marques`, un retiré
    (toujours suivi), un au suivi inactif et un jamais suivi."""
    quartier = QuartierFactory(nom=nom, slug=nom.lower())
    strategie = StrategieFactory(quartier=quartier, statut=StatutStrategie.EN_VIGUEUR)
    prefixe = nom.lower()
    indicateurs = [
        IndicateurSuiviFactory(quartier=quartier, indicateur__code=f"{prefixe}-mesure").indicateur
    ]
    if marques:
        indicateurs += [
            IndicateurSuiviFactory(
                quartier=quartier,
                indicateur__code=f"{prefixe}-vieux",
                indicateur__statut=StatutIndicateur.RETIRE,
            ).indicateur,
            IndicateurSuiviFactory(
                quartier=quartier, indicateur__code=f"{prefixe}-abandonne", actif=False
            ).indicateur,
            IndicateurFactory(code=f"{prefixe}-jamais"),
        ]
    ChangementViseFactory(strategie=strategie, code="C1").indicateurs.set(indicateurs)
    return quartier


def _section(contenu: str) -> str:
    debut = contenu.index('id="titre-strategie"')
    return contenu[debut : contenu.index("</section>", debut)]


def _marque(section: str, code: str) -> str | None:
    """Le mot marqué à côté de l'indicateur `code`, ou None s'il n'en a pas."""
    trouve = re.search(
        rf">{re.escape(code)}</abbr>( <span class=\"etiquette[^\"]*\">([^<]+)</span>)?", section
    )
    assert trouve, code
    return trouve.group(2)


def test_la_section_strategie_marque_ce_qui_n_est_plus_mesure(client, eve):
    quartier = _quartier("Gamma", marques=True)
    client.force_login(eve)
    section = _section(client.get(quartier.get_absolute_url()).content.decode())
    marques = {
        c: _marque(section, f"gamma-{c}") for c in ("mesure", "vieux", "abandonne", "jamais")
    }
    assert marques == {
        "mesure": None,
        "vieux": "retiré",
        "abandonne": "plus suivi",
        "jamais": "non suivi",
    }
    # Le nom en survol dit aussi l'état; la note explique les mots.
    assert 'title="Indicateur gamma-vieux (retiré)"' in section
    assert "ce quartier n'en mesure pas (ou plus) la valeur" in section


def test_une_strategie_dont_tout_est_mesure_n_a_ni_marque_ni_note(client, eve):
    quartier = _quartier("Delta", marques=False)
    client.force_login(eve)
    section = _section(client.get(quartier.get_absolute_url()).content.decode())
    assert _marque(section, "delta-mesure") is None
    assert "etiquette--non-mesure" not in section and "en mesure pas" not in section


def test_en_anglais_le_mot_du_catalogue(client, eve):
    quartier = _quartier("Gamma", marques=True)
    client.force_login(eve)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    section = _section(client.get(quartier.get_absolute_url()).content.decode())
    assert _marque(section, "gamma-vieux") == "withdrawn"


def _requetes(client, url) -> int:
    with CaptureQueriesContext(connection) as requetes:
        assert client.get(url).status_code == 200
    return len(requetes)


def test_marquer_ne_coute_aucune_requete(client, eve):
    """L'état de chaque indicateur se lit dans la requête qui précharge les indicateurs des
    changements (sous-requêtes) : autant de requêtes avec des marques que sans."""
    client.force_login(eve)
    avec, sans = _quartier("Gamma", marques=True), _quartier("Delta", marques=False)
    assert _requetes(client, avec.get_absolute_url()) == _requetes(client, sans.get_absolute_url())
