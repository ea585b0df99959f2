"""L'import complète ce qui est enregistré au lieu de le remplacer : une cellule vide garde la
partie enregistrée (valeur, commentaire, lien), l'import n'efface jamais une valeur, une ligne
qui n'a qu'un commentaire ou un lien les met à jour sur la valeur enregistrée, et l'essai montre
chaque valeur déjà enregistrée qui changera, avant → après. Le formulaire, lui, efface encore."""

from __future__ import annotations

import html
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicateurs import importation, lecture_import, services
from indicateurs.historique import lire
from indicateurs.models import EvenementSaisie, Saisie, TypeEvenement, Valeur
from indicateurs.validation import DonneeValeur
from tests.factories import periode_du_trimestre

pytestmark = pytest.mark.django_db

# L'en-tête du modèle téléchargé : ses colonnes commentaire et preuve_url restent vides.
ENTETE = "periode;indicateur;nom;unite;valeur;non_disponible;raison;commentaire;preuve_url\r\n"
LIEN = "https://exemple.org/rapport.pdf"


@pytest.fixture
def url(quartier_a):
    return reverse("import_valeurs", kwargs={"slug": quartier_a.slug})


@pytest.fixture
def menages(indicateurs_a):
    return indicateurs_a["menages"]


def enregistrer(alice, table, periode, indicateur, **donnee) -> Saisie:
    saisie = services.saisie_pour(table=table, periode=periode, auteur=alice)
    services.enregistrer_saisie(
        saisie=saisie,
        auteur=alice,
        version=saisie.version,
        donnees={indicateur.pk: DonneeValeur(**donnee)},
    )
    return saisie


@pytest.fixture
def dix(alice, table_a, periode, menages):
    """Ménages : 10, avec un commentaire et un lien, saisis dans le formulaire."""
    return enregistrer(
        alice,
        table_a,
        periode,
        menages,
        valeur=Decimal(10),
        commentaire="Corvée d'août : 340 bénévoles",
        preuve_url=LIEN,
    )


def envoyer(client, url, lignes: str, action: str):
    fichier = SimpleUploadedFile("valeurs.csv", (ENTETE + lignes).encode())
    return client.post(url, {"fichier": fichier, "action": action})


def texte(reponse) -> str:
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", reponse.content.decode()).split()))


def valeur(indicateur) -> Valeur:
    return Valeur.objects.get(indicateur=indicateur)


def evenements_de_valeur() -> list[tuple[str, str]]:
    evenements = EvenementSaisie.objects.filter(type_evenement=TypeEvenement.VALEUR)
    # Décrits en français : l'historique garde des données (indicateurs.historique).
    return [
        (services.decrire(lire(e.ancienne)), services.decrire(lire(e.nouvelle)))
        for e in evenements.order_by("pk")
    ]


def lignes(contenu: str):
    return lecture_import.lire_fichier(
        SimpleUploadedFile("v.csv", (ENTETE + contenu).encode()), "v.csv"
    )


# --- Une cellule vide garde ce qui est enregistré -----------------------------------------------


def test_le_modele_rempli_de_la_meme_valeur_garde_commentaire_et_lien(
    client, alice, url, dix, menages
):
    client.force_login(alice)
    avant = evenements_de_valeur()
    reponse = envoyer(client, url, "2025-T1;menages;;;10;;;;\r\n", "importer")
    assert reponse.status_code == 302
    enregistree = valeur(menages)
    assert enregistree.valeur_numerique == 10
    assert enregistree.commentaire == "Corvée d'août : 340 bénévoles"
    assert enregistree.preuve_url == LIEN
    assert evenements_de_valeur() == avant  # rien n'a changé : aucune ligne d'historique


def test_une_nouvelle_valeur_garde_le_commentaire_et_le_lien(client, alice, url, dix, menages):
    client.force_login(alice)
    assert envoyer(client, url, "2025-T1;menages;;;12;;;;\r\n", "importer").status_code == 302
    enregistree = valeur(menages)
    assert enregistree.valeur_numerique == 12
    assert (enregistree.commentaire, enregistree.preuve_url) == (
        "Corvée d'août : 340 bénévoles",
        LIEN,
    )


def test_une_ligne_avec_seulement_un_commentaire_garde_la_valeur(client, alice, url, dix, menages):
    client.force_login(alice)
    reponse = envoyer(client, url, "2025-T1;menages;;;;;;source : rapport annuel;\r\n", "importer")
    assert reponse.status_code == 302
    enregistree = valeur(menages)
    assert enregistree.valeur_numerique == 10
    assert enregistree.commentaire == "source : rapport annuel"
    assert enregistree.preuve_url == LIEN
    assert evenements_de_valeur()[-1] == (
        "10 — commentaire : Corvée d'août : 340 bénévoles",
        "10 — commentaire : source : rapport annuel",
    )


def test_un_lien_seul_met_a_jour_le_lien(client, alice, url, dix, menages):
    client.force_login(alice)
    ligne = "2025-T1;menages;;;;;;;https://exemple.org/autre.pdf\r\n"
    assert envoyer(client, url, ligne, "importer").status_code == 302
    enregistree = valeur(menages)
    assert (enregistree.valeur_numerique, enregistree.preuve_url) == (
        10,
        "https://exemple.org/autre.pdf",
    )
    assert enregistree.commentaire == "Corvée d'août : 340 bénévoles"


def test_oui_remplace_la_valeur_par_une_absence_et_garde_le_commentaire(
    client, alice, url, dix, menages
):
    client.force_login(alice)
    ligne = "2025-T1;menages;;;;oui;Registre perdu;;\r\n"
    essai = envoyer(client, url, ligne, "verifier")
    assert "valeur : 10 → non disponible (Registre perdu)" in texte(essai)
    assert envoyer(client, url, ligne, "importer").status_code == 302
    enregistree = valeur(menages)
    assert enregistree.non_disponible and enregistree.valeur_numerique is None
    assert enregistree.raison_non_disponible == "Registre perdu"
    assert enregistree.commentaire == "Corvée d'août : 340 bénévoles"


def test_une_raison_seule_corrige_la_raison_d_une_absence(
    client, alice, url, table_a, periode, menages
):
    enregistrer(alice, table_a, periode, menages, non_disponible=True, raison="Inconnue")
    client.force_login(alice)
    reponse = envoyer(client, url, "2025-T1;menages;;;;;Registre perdu;;\r\n", "importer")
    assert reponse.status_code == 302
    enregistree = valeur(menages)
    assert enregistree.non_disponible and enregistree.raison_non_disponible == "Registre perdu"


def test_une_valeur_remplace_une_absence_et_sa_raison(
    client, alice, url, table_a, periode, menages
):
    enregistrer(alice, table_a, periode, menages, non_disponible=True, raison="Inconnue")
    client.force_login(alice)
    assert envoyer(client, url, "2025-T1;menages;;;15;;;;\r\n", "importer").status_code == 302
    enregistree = valeur(menages)
    assert not enregistree.non_disponible and enregistree.raison_non_disponible == ""
    assert enregistree.valeur_numerique == 15


# --- Une ligne sans valeur n'écrit pas à côté de rien -------------------------------------------


@pytest.mark.parametrize("action", ["verifier", "importer"])
def test_un_commentaire_sans_valeur_enregistree_est_refuse(
    client, alice, url, periode, indicateurs_a, action
):
    client.force_login(alice)
    reponse = envoyer(client, url, "2025-T1;menages;;;;;;source : rapport annuel;\r\n", action)
    assert reponse.status_code == 400
    ((ligne, colonne, message),) = [
        (p.ligne, p.colonne, p.message) for p in reponse.context["rapport"].problemes
    ]
    assert (ligne, colonne) == (2, "valeur")
    assert "aucune n'est enregistrée" in message
    assert not Valeur.objects.exists()


def test_la_valeur_effacee_entre_l_essai_et_l_ecriture_refuse_le_commentaire_seul(
    alice, dix, menages, table_a, monkeypatch
):
    """L'écriture relit les valeurs enregistrées : le commentaire ne s'écrit pas à côté d'une
    valeur effacée depuis la vérification."""
    lues = lignes("2025-T1;menages;;;;;;source : rapport annuel;\r\n")
    rapport = importation.verifier_import(table=table_a, lignes=lues)
    assert rapport.est_valide
    monkeypatch.setattr(importation, "verifier_import", lambda **_: rapport)
    Valeur.objects.all().delete()
    resultat = importation.importer(table=table_a, lignes=lues, auteur=alice, nom_fichier="v")
    assert [(p.ligne, p.colonne) for p in resultat.problemes] == [(2, "valeur")]
    assert not Valeur.objects.exists()


# --- L'essai dit ce qui changera ----------------------------------------------------------------


def test_l_essai_montre_avant_et_apres_chaque_valeur_enregistree_qui_change(
    client, alice, url, dix, table_a, periode, indicateurs_a
):
    enregistrer(alice, table_a, periode, indicateurs_a["taux"], valeur=Decimal("42.5"))
    client.force_login(alice)
    contenu = (
        "2025-T1;menages;;;99;;;;\r\n"  # changée
        "2025-T1;taux;;;42,5;;;;\r\n"  # redite telle quelle
        "2025-T1;politique;;;Adoptée;;;;\r\n"  # nouvelle
    )
    reponse = envoyer(client, url, contenu, "verifier")
    assert reponse.status_code == 200
    rapport = reponse.context["rapport"]
    assert [
        (d["periode"].code, d["valeurs"], d["nouvelles"], d["modifiees"], d["inchangees"])
        for d in rapport.decompte()
    ] == [("2025-T1", 3, 1, 1, 1)]
    assert [(ligne.ligne, ligne.indicateur.code) for ligne in rapport.modifiees] == [(2, "menages")]
    page = texte(reponse)
    assert "Valeurs déjà enregistrées que l'import changera (avant → après)" in page
    assert "valeur : 10 → 99" in page
    assert "Les lignes sans valeur sont ignorées" not in page
    assert Valeur.objects.get(indicateur__code="menages").valeur_numerique == 10  # rien d'écrit


def test_l_essai_annonce_un_commentaire_seul_comme_tel(client, alice, url, dix):
    client.force_login(alice)
    reponse = envoyer(client, url, "2025-T1;menages;;;;;;source : rapport annuel;\r\n", "verifier")
    ((ligne,),) = [reponse.context["rapport"].modifiees]
    assert [(c.partie, c.avant, c.apres) for c in ligne.changements] == [
        ("commentaire", "Corvée d'août : 340 bénévoles", "source : rapport annuel")
    ]
    assert "commentaire : Corvée d'août : 340 bénévoles → source : rapport annuel" in texte(reponse)


def test_la_verification_avec_des_valeurs_enregistrees_coute_autant_de_requetes(
    alice, quartier_a, menages
):
    # Requêtes : périodes, codes du catalogue, indicateurs saisis, saisies, leurs valeurs.
    table = quartier_a.table

    def requetes(annees: range) -> int:
        contenu = ""
        for annee in annees:
            for trimestre in (1, 2, 3, 4):
                periode = periode_du_trimestre(annee, trimestre)
                saisie = Saisie.objects.create(table=table, periode=periode)
                Valeur.objects.create(saisie=saisie, indicateur=menages, valeur_numerique=3)
                contenu += f"{annee}-T{trimestre};menages;;;5;;;;\r\n"
        lues = lignes(contenu)
        with CaptureQueriesContext(connection) as capture:
            rapport = importation.verifier_import(table=table, lignes=lues)
            assert rapport.est_valide and len(rapport.modifiees) == 4 * len(annees)
        return len(capture)

    assert requetes(range(2010, 2011)) == requetes(range(2000, 2010)) == 5


# --- Le formulaire efface toujours --------------------------------------------------------------


def test_le_formulaire_efface_encore_le_commentaire_et_le_lien(client, alice, dix, menages):
    client.force_login(alice)
    adresse = reverse("saisie_formulaire", kwargs={"slug": "quartier-a", "code": "2025-T1"})
    version = Saisie.objects.get().version
    envoi = {"version": str(version), f"v{menages.pk}": "10", "action": "enregistrer"}
    assert client.post(adresse, envoi).status_code == 302
    enregistree = valeur(menages)
    assert (enregistree.commentaire, enregistree.preuve_url) == ("", "")


def test_le_message_apres_l_import_distingue_nouvelles_modifiees_et_inchangees(
    client, alice, url, dix, menages, indicateurs_a
):
    """« 2 valeurs importées » quand l'une était déjà enregistrée telle quelle disait plus que
    ce qui avait été écrit."""
    client.force_login(alice)
    reponse = envoyer(
        client, url, "2025-T1;menages;;;10;;;;\r\n2025-T1;taux;;;7;;;;\r\n", "importer"
    )
    assert reponse.status_code == 302
    suite = client.get(reponse["Location"])
    assert "(nouvelles : 1; modifiées : 0; inchangées : 1)." in texte(suite)
