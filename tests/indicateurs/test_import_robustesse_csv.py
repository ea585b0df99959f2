"""Import : fichiers CSV qui se liraient mal — lignes vides par millions, virgule décimale non
protégée, octet égaré d'un autre encodage. Chacun est refusé avec un message clair, ou signale
sa ligne, et rien n'est écrit."""

from __future__ import annotations

import io
import tracemalloc

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from indicateurs import lecture_import
from indicateurs.models import EvenementSaisie, Saisie, Valeur

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
            lecture_import.lire_fichier(io.BytesIO(contenu), "valeurs.csv")
        _courant, pic = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    message = " ".join(erreur.value.messages)
    assert f"plus de {lecture_import.LIGNES_LUES_MAX} lignes" in message
    assert "lignes vides comprises" in message
    assert pic < 64 * 1024 * 1024, f"{pic / 2**20:.0f} Mo"


def test_des_lignes_vides_sous_la_limite_gardent_la_numerotation():
    contenu = b"periode,indicateur,valeur\n" + b"\n" * 8000 + b"2025-T1,menages,1\n\n\n"
    lignes = lecture_import.lire_fichier(io.BytesIO(contenu), "valeurs.csv")
    assert len(lignes) == 8001  # les vides de la fin sont retirées; la valeur est ligne 8002
    assert lignes[-1] == {"periode": "2025-T1", "indicateur": "menages", "valeur": "1"}


def test_un_en_tete_de_millions_de_colonnes_vides_n_est_pas_lu_en_entier(monkeypatch):
    """5 Mo de virgules dans l'en-tête : avant, 18 s à normaliser des millions de noms vides."""
    normalises: list[str] = []
    vraie = lecture_import.normaliser
    monkeypatch.setattr(lecture_import, "normaliser", lambda t: normalises.append(t) or vraie(t))
    contenu = b"periode,indicateur,valeur" + b"," * 3_000_000 + b"\n2025-T1,menages,1\n"
    lignes = lecture_import.lire_fichier(io.BytesIO(contenu), "valeurs.csv")
    assert lignes == [{"periode": "2025-T1", "indicateur": "menages", "valeur": "1"}]
    assert len(normalises) <= 100


def test_une_colonne_nommee_au_dela_de_la_limite_est_signalee():
    contenu = b"periode,indicateur,valeur" + b"," * 40 + b"notes\n2025-T1,menages,1\n"
    with pytest.raises(ValidationError) as erreur:
        lecture_import.lire_fichier(io.BytesIO(contenu), "valeurs.csv")
    assert "notes" in " ".join(erreur.value.messages)


# --- Valeurs hors des colonnes de l'en-tête -----------------------------------------------------


@pytest.fixture
def url(quartier_a):
    return reverse("import_valeurs", kwargs={"slug": quartier_a.slug})


def compte() -> tuple[int, int, int]:
    return Valeur.objects.count(), EvenementSaisie.objects.count(), Saisie.objects.count()


def envoyer(client, url, contenu: bytes, nom: str = "valeurs.csv", action: str = "verifier"):
    client.raise_request_exception = False
    return client.post(url, {"fichier": SimpleUploadedFile(nom, contenu), "action": action})


def problemes(reponse) -> list[tuple[int | None, str, str]]:
    return [(p.ligne, p.colonne, p.message) for p in reponse.context["problemes"]]


@pytest.mark.parametrize("action", ["verifier", "importer"])
def test_une_virgule_decimale_non_protegee_est_un_probleme_de_sa_ligne(
    client, alice, url, indicateurs_a, periode, action
):
    """« 42,5 » sans guillemets dans un fichier séparé par des virgules : deux champs, 42 et 5;
    avant, 42 était importé et le 5 ignoré, avec un message de succès."""
    contenu = b"periode,indicateur,valeur\n2025-T1,menages,120\n2025-T1,taux,42,5\n"
    client.force_login(alice)
    reponse = envoyer(client, url, contenu, action=action)
    assert reponse.status_code == 400
    ((ligne, colonne, message),) = problemes(reponse)
    assert (ligne, colonne) == (3, "D")
    assert "« 5 »" in message and "sans en-tête" in message
    assert compte() == (0, 0, 0)


@pytest.mark.parametrize(
    "contenu",
    [
        pytest.param(b"periode;indicateur;valeur;\n2025-T1;menages;12;note\n", id="en-tete-vide"),
        pytest.param(b"periode;;indicateur;valeur\n2025-T1;note;menages;12\n", id="au-milieu"),
    ],
)
def test_une_valeur_sous_une_colonne_sans_nom_est_signalee(
    client, alice, url, indicateurs_a, periode, contenu
):
    client.force_login(alice)
    reponse = envoyer(client, url, contenu)
    assert reponse.status_code == 400
    ((ligne, _colonne, message),) = problemes(reponse)
    assert ligne == 2 and "« note »" in message


def test_des_separateurs_de_trop_mais_vides_ne_genent_pas(
    client, alice, url, indicateurs_a, periode
):
    """Certains logiciels terminent chaque ligne par un séparateur : rien n'y est perdu."""
    contenu = b"periode,indicateur,valeur\n2025-T1,menages,12,,\n"
    client.force_login(alice)
    assert envoyer(client, url, contenu).status_code == 200


# --- Encodage -----------------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["verifier", "importer"])
@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"], ids=["sans-bom", "bom"])
def test_un_octet_egare_dans_un_fichier_utf8_est_signale_par_sa_ligne(
    client, alice, url, indicateurs_a, periode, action, bom
):
    """Un fichier UTF-8 (accents corrects) avec un seul octet Latin-1 : avant, tout le fichier
    était relu en Windows-1252 et « adoptée » s'enregistrait « adoptÃ©e »."""
    contenu = bom + (
        "periode;indicateur;valeur;non_disponible;raison;commentaire\n"
        "2025-T1;politique;;oui;Pas encore adoptée par le conseil;\n"
        "2025-T1;menages;120;;;Données de l'été\n".encode()
        + "2025-T1;taux;40;;;caf\xe9\n".encode("latin-1")
    )
    client.force_login(alice)
    reponse = envoyer(client, url, contenu, action=action)
    assert reponse.status_code == 400
    (message,) = reponse.context["form"].errors["fichier"]
    assert "ligne 4" in message and "0xE9" in message and "UTF-8" in message
    assert compte() == (0, 0, 0)


def test_un_fichier_windows_1252_se_lit_toujours():
    contenu = "periode;indicateur;valeur;raison\n2025-T1;menages;;Données « perdues » à l'été\n"
    lignes = lecture_import.lire_fichier(io.BytesIO(contenu.encode("cp1252")), "valeurs.csv")
    assert lignes[0]["raison"] == "Données « perdues » à l'été"
