"""Import : fichiers CSV qui se liraient mal — lignes vides par millions, virgule décimale non
protégée, octet égaré d'un autre encodage. Chacun est refusé avec un message clair, ou signale
sa ligne, et rien n'est écrit."""

from __future__ import annotations

import io
import tracemalloc

import pytest
from django.core.exceptions import ValidationError

from indicateurs import importation

pytestmark = pytest.mark.django_db


# --- Lignes vides -------------------------------------------------------------------------------


def test_un_csv_de_lignes_vides_est_refuse_pour_ce_qu_il_est_en_peu_de_memoire():
    """5 Mo de lignes vides et une seule ligne de valeurs : avant, 5 millions de lignes gardées
    en mémoire (1,5 Go), puis le message faux « plus de 5000 lignes »."""
    entete = b"periode;indicateur;nom;unite;valeur;non_disponible;raison;commentaire;preuve_url\n"
    fin = b"2025-T1;menages;;;1;;;;\n"
    contenu = entete + b"\n" * (5 * 1024 * 1024 - len(entete) - len(fin)) + fin
    tracemalloc.start()
    try:
        with pytest.raises(ValidationError) as erreur:
            importation.lire_fichier(io.BytesIO(contenu), "valeurs.csv")
        _courant, pic = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    message = " ".join(erreur.value.messages)
    assert f"plus de {importation.LIGNES_LUES_MAX} lignes" in message
    assert "lignes vides comprises" in message
    assert pic < 64 * 1024 * 1024, f"{pic / 2**20:.0f} Mo"


def test_des_lignes_vides_sous_la_limite_gardent_la_numerotation():
    contenu = b"periode,indicateur,valeur\n" + b"\n" * 8000 + b"2025-T1,menages,1\n\n\n"
    lignes = importation.lire_fichier(io.BytesIO(contenu), "valeurs.csv")
    assert len(lignes) == 8001  # les vides de la fin sont retirées; la valeur est ligne 8002
    assert lignes[-1] == {"periode": "2025-T1", "indicateur": "menages", "valeur": "1"}


def test_un_en_tete_de_millions_de_colonnes_vides_n_est_pas_lu_en_entier(monkeypatch):
    """5 Mo de virgules dans l'en-tête : avant, 18 s à normaliser des millions de noms vides."""
    normalises: list[str] = []
    vraie = importation._normaliser
    monkeypatch.setattr(importation, "_normaliser", lambda t: normalises.append(t) or vraie(t))
    contenu = b"periode,indicateur,valeur" + b"," * 3_000_000 + b"\n2025-T1,menages,1\n"
    lignes = importation.lire_fichier(io.BytesIO(contenu), "valeurs.csv")
    assert lignes == [{"periode": "2025-T1", "indicateur": "menages", "valeur": "1"}]
    assert len(normalises) <= 100


def test_une_colonne_nommee_au_dela_de_la_limite_est_signalee():
    contenu = b"periode,indicateur,valeur" + b"," * 40 + b"notes\n2025-T1,menages,1\n"
    with pytest.raises(ValidationError) as erreur:
        importation.lire_fichier(io.BytesIO(contenu), "valeurs.csv")
    assert "notes" in " ".join(erreur.value.messages)
