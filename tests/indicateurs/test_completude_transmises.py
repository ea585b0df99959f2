"""La page de complétude compte ce qui est transmis, comme la carte de la vue d'ensemble
(`lectures.parts_renseignees`) et les bilans : les valeurs d'une saisie soumise ou validée
(`STATUTS_PUBLIES`). Elle comptait aussi celles d'un brouillon ou d'une saisie renvoyée :
« renvoyée, 8 / 8, 100 % » là où la carte et le bilan disaient 0 %, « en retard » avec 100 %.
Les valeurs renseignées mais non transmises s'affichent à part, pour suivre l'avancement;
la page coûte autant de requêtes quel que soit le nombre de tables et de valeurs."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicateurs import selectors
from indicateurs.models import Saisie, StatutSaisie, Valeur
from rapports.lectures import parts_renseignees
from tests.factories import IndicateurSuiviFactory, QuartierFactory, periode_du_trimestre

pytestmark = pytest.mark.django_db


def _table(nom: str, periode, statut: str | None, renseignees: int, attendues: int = 2):
    """Un quartier qui saisit `attendues` indicateurs; s'il y a un `statut`, une saisie de la
    période à ce statut avec `renseignees` valeurs."""
    quartier = QuartierFactory(nom=nom, slug=nom.lower())
    suivis = [IndicateurSuiviFactory(quartier=quartier) for _ in range(attendues)]
    if statut:
        motif = "À corriger." if statut == StatutSaisie.RENVOYEE else ""
        saisie = Saisie.objects.create(
            table=quartier.table, periode=periode, statut=statut, motif_renvoi=motif
        )
        Valeur.objects.bulk_create(
            Valeur(saisie=saisie, indicateur=s.indicateur, valeur_numerique=Decimal(rang))
            for rang, s in enumerate(suivis[:renseignees])
        )
    return quartier


def _ligne(contenu: str, nom: str) -> str:
    debut = contenu.index(f">{nom}<")
    return " ".join(contenu[debut : contenu.index("</tr>", debut)].split())


@pytest.fixture
def periode():
    return periode_du_trimestre(2024, 2)  # échéance passée


@pytest.fixture
def quatre_tables(periode):
    return {
        "Brouillon": _table("Brouillon", periode, StatutSaisie.BROUILLON, 2),
        "Renvoyee": _table("Renvoyee", periode, StatutSaisie.RENVOYEE, 2),
        "Soumise": _table("Soumise", periode, StatutSaisie.SOUMISE, 1),
        "Validee": _table("Validee", periode, StatutSaisie.VALIDEE, 2),
    }


def test_seules_les_valeurs_transmises_comptent(eve, periode, quatre_tables):
    lignes = {ligne.table.quartier.nom: ligne for ligne in selectors.completude(eve, periode)}
    transmises = {nom: (ligne.renseignees, ligne.part) for nom, ligne in lignes.items()}
    assert transmises == {
        "Brouillon": (0, 0),
        "Renvoyee": (0, 0),
        "Soumise": (1, 50),
        "Validee": (2, 100),
    }
    en_cours = {nom: ligne.en_cours for nom, ligne in lignes.items()}
    assert en_cours == {"Brouillon": 2, "Renvoyee": 2, "Soumise": 0, "Validee": 0}
    # La même part que la carte de la vue d'ensemble.
    parts = parts_renseignees(list(quatre_tables.values()), [periode])
    for nom, quartier in quatre_tables.items():
        assert lignes[nom].part == parts[(quartier.pk, periode.pk)], nom


def test_la_page_montre_a_part_ce_qui_n_est_pas_transmis(client, eve, periode, quatre_tables):
    client.force_login(eve)
    contenu = client.get(reverse("completude"), {"periode": periode.code}).content.decode()
    brouillon = _ligne(contenu, "Brouillon")
    assert "en retard" in brouillon and "0 / 2" in brouillon and "0 %" in brouillon
    assert "100 %" not in brouillon
    assert "2 renseignées en cours, non transmises" in brouillon
    renvoyee = _ligne(contenu, "Renvoyee")
    assert "renvoyée" in renvoyee and "0 / 2" in renvoyee and "0 %" in renvoyee
    assert "2 renseignées en cours, non transmises" in renvoyee
    soumise = _ligne(contenu, "Soumise")
    assert "1 / 2" in soumise and "50 %" in soumise and "en cours" not in soumise
    validee = _ligne(contenu, "Validee")
    assert "2 / 2" in validee and "100 %" in validee and "en cours" not in validee
    assert "Valeurs transmises" in contenu


def test_une_seule_valeur_en_cours_au_singulier(client, eve, periode):
    _table("Seule", periode, StatutSaisie.BROUILLON, 1)
    client.force_login(eve)
    contenu = client.get(reverse("completude"), {"periode": periode.code}).content.decode()
    assert "1 renseignée en cours, non transmise" in _ligne(contenu, "Seule")


def test_la_page_coute_autant_de_requetes_avec_dix_fois_plus_de_tables(client, eve, periode):
    client.force_login(eve)
    _table("Premiere", periode, StatutSaisie.BROUILLON, 2)

    def requetes() -> int:
        with CaptureQueriesContext(connection) as capturees:
            assert client.get(reverse("completude"), {"periode": periode.code}).status_code == 200
        return len(capturees)

    petit = requetes()
    statuts = [StatutSaisie.BROUILLON, StatutSaisie.RENVOYEE, StatutSaisie.SOUMISE, None]
    for rang in range(10):
        _table(f"Table{rang}", periode, statuts[rang % 4], 3, attendues=5)
    assert requetes() == petit
    # Les lectures de la complétude : les tables, les saisies de la période (et leurs valeurs
    # en cours), puis celles de la règle commune à la carte de la vue d'ensemble
    # (`comptes_de_completude`) : les suivis à saisir, les valeurs transmises.
    with CaptureQueriesContext(connection) as capturees:
        selectors.completude(eve, periode)
    assert len(capturees) == 4
