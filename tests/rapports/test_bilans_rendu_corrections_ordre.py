"""Régénérer un bilan depuis l'instantané stocké redonne les mêmes octets (HTML, CSV, XLSX) :
un aller-retour par jsonb réordonne les clés des dictionnaires, et aucun rendu ne doit suivre
cet ordre."""

from __future__ import annotations

import pytest

from rapports import services
from rapports.exports import exporter_csv, exporter_xlsx
from rapports.rendu import contenu, rendre
from tests.rapports.test_bilans_rendu_corrections import (
    CODES,
    coordination,
    produire,
    villeray,
)

pytestmark = pytest.mark.django_db


__all__ = ["coordination", "villeray"]  # les fixtures, réutilisées telles quelles


def cles_renversees(valeur):
    """Chaque dictionnaire, à toute profondeur, avec ses clés dans l'ordre inverse."""
    if isinstance(valeur, dict):
        return {cle: cles_renversees(v) for cle, v in reversed(list(valeur.items()))}
    if isinstance(valeur, list):
        return [cles_renversees(v) for v in valeur]
    return valeur


def test_le_html_regenere_depuis_l_instantane_stocke_est_identique(coordination, villeray):
    bilan = produire(coordination, villeray)
    assert list(bilan.instantane["indicateurs"]) != sorted(CODES)  # jsonb a réordonné
    regenere = rendre(bilan.instantane, titre=services.titre_du_bilan(bilan)).encode()
    assert regenere == bilan.fichier_html.read()
    assert exporter_csv(bilan.instantane) == bilan.fichier_csv.read()
    assert exporter_xlsx(bilan.instantane) == bilan.fichier_xlsx.read()


def test_indicateurs_et_sources_par_code(coordination, villeray):
    bilan = produire(coordination, villeray)
    html = rendre(bilan.instantane, titre=services.titre_du_bilan(bilan))
    section = html[html.index('<dl class="definitions">') :]
    positions = [section.index(f'<span class="code">{code}</span>') for code in sorted(CODES)]
    assert positions == sorted(positions)


@pytest.mark.parametrize("langue", ["fr", "en"])
def test_aucun_ordre_de_cles_de_l_instantane_ne_change_les_fichiers(coordination, villeray, langue):
    """Tous les dictionnaires de l'instantané, à toute profondeur, dans l'ordre inverse : le HTML
    (document et contenu de la page), le CSV et le XLSX restent les mêmes."""
    bilan = produire(coordination, villeray, langue=langue)
    renverse = cles_renversees(bilan.instantane)
    assert list(renverse["indicateurs"]) != list(bilan.instantane["indicateurs"])
    titre = services.titre_du_bilan(bilan)
    assert rendre(renverse, titre=titre) == rendre(bilan.instantane, titre=titre)
    assert contenu(renverse, titre=titre) == contenu(bilan.instantane, titre=titre)
    assert exporter_csv(renverse) == exporter_csv(bilan.instantane)
    assert exporter_xlsx(renverse) == exporter_xlsx(bilan.instantane)
