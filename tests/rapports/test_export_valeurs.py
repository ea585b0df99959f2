"""L'export CSV de toutes les valeurs visibles : accès, contenu exact (par COPY et par le chemin
générique), filtres et 400, flux, requêtes constantes, anglais."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from evalpic.tableurs import neutraliser_formule
from indicateurs.models import Saisie, Valeur
from rapports import export_valeurs
from rapports.export_valeurs import FiltresExport, flux_csv_generique, flux_csv_postgresql
from tests.factories import (
    IndicateurFactory,
    UtilisateurFactory,
    construire_quartier,
    periode_du_trimestre,
)

pytestmark = pytest.mark.django_db

URL = reverse("export_valeurs_csv")
MODIFIEE = datetime.datetime(2025, 4, 2, 14, 30, 0, 999999, tzinfo=datetime.UTC)  # 10 h 30, tronqué

ENTETE = (
    "Code du quartier;Quartier;Période;Indicateur;Nom de l'indicateur;Unité;Valeur;"
    "Valeur (texte);Non disponible;Raison de l'absence;Statut de la saisie;Commentaire;"
    "Pièce justificative;Modifiée le\n"
)
LIGNES_A = [
    "quartier-a;Quartier A;2025-T1;acces-nombre;Ménages rejoints;nombre;1200;;non;;validée;"
    '"Dit ""bonjour"";\nensuite";;2025-04-02 10:30:00-04:00\n',
    "quartier-a;Quartier A;2025-T1;part-pourcentage;Part des ménages;pourcentage;12.5;;non;;"
    "validée;;;2025-04-02 10:30:00-04:00\n",
    "quartier-a;Quartier A;2025-T1;texte-libre;Récit;texte;;'=SOMME(A1);non;;validée;;;"
    "2025-04-02 10:30:00-04:00\n",
    "quartier-a;Quartier A;2025-T2;acces-nombre;Ménages rejoints;nombre;;;oui;'-pas de relevé;"
    "brouillon;;;2025-04-02 10:30:00-04:00\n",
]
LIGNES_B = [
    "quartier-b;Quartier B;2025-T1;acces-nombre;Ménages rejoints;nombre;0.0001;;non;;soumise;;"
    "https://exemple.org/piece;2025-04-02 10:30:00-04:00\n",
    "quartier-b;Quartier B;2025-T1;part-pourcentage;Part des ménages;pourcentage;-3.25;;non;;"
    "soumise;;;2025-04-02 10:30:00-04:00\n",
]


@pytest.fixture
def valeurs(quartier_a, quartier_b):
    """Deux quartiers, trois indicateurs, deux trimestres; des textes qui exigent des
    guillemets ou une apostrophe, des nombres à zéros inutiles, un brouillon."""
    t1, t2 = periode_du_trimestre(2025, 1), periode_du_trimestre(2025, 2)
    nombre = IndicateurFactory(code="acces-nombre", nom_fr="Ménages rejoints", nom_en="Households")
    part = IndicateurFactory(
        code="part-pourcentage", nom_fr="Part des ménages", unite="pourcentage"
    )
    texte = IndicateurFactory(code="texte-libre", nom_fr="Récit", unite="texte")
    a1 = Saisie.objects.create(table=quartier_a.table, periode=t1, statut="validee")
    a2 = Saisie.objects.create(table=quartier_a.table, periode=t2, statut="brouillon")
    b1 = Saisie.objects.create(table=quartier_b.table, periode=t1, statut="soumise")
    Valeur.objects.bulk_create(
        [
            Valeur(
                saisie=a1,
                indicateur=nombre,
                valeur_numerique=Decimal("1200.0000"),
                commentaire='Dit "bonjour";\nensuite',
            ),
            Valeur(saisie=a1, indicateur=part, valeur_numerique=Decimal("12.5")),
            Valeur(saisie=a1, indicateur=texte, valeur_texte="=SOMME(A1)"),
            Valeur(
                saisie=a2,
                indicateur=nombre,
                non_disponible=True,
                raison_non_disponible="-pas de relevé",
            ),
            Valeur(
                saisie=b1,
                indicateur=nombre,
                valeur_numerique=Decimal("0.0001"),
                preuve_url="https://exemple.org/piece",
            ),
            Valeur(saisie=b1, indicateur=part, valeur_numerique=Decimal("-3.25")),
        ]
    )
    Valeur.objects.update(updated_at=MODIFIEE)  # update() ne touche pas à auto_now


def _texte(reponse) -> str:
    assert reponse.status_code == 200
    assert reponse.streaming
    contenu = b"".join(reponse.streaming_content)
    assert contenu.startswith(b"\xef\xbb\xbf")  # BOM UTF-8, pour Excel
    return contenu.decode("utf-8-sig")


def _exporter(client, utilisateur, **filtres) -> str:
    client.force_login(utilisateur)
    return _texte(client.get(URL, filtres))


# --- Accès --------------------------------------------------------------------------------------


def test_eve_exporte_toutes_les_valeurs_au_caractere_pres(client, eve, valeurs):
    assert _exporter(client, eve) == ENTETE + "".join(LIGNES_A + LIGNES_B)


def test_alice_ne_recoit_que_son_quartier_brouillon_compris(client, alice, valeurs):
    assert _exporter(client, alice) == ENTETE + "".join(LIGNES_A)


def test_bob_conseiller_ne_recoit_que_le_quartier_qui_lui_est_affecte(client, bob, valeurs):
    assert _exporter(client, bob) == ENTETE + "".join(LIGNES_A)


def test_charlie_ne_recoit_rien_du_quartier_a(client, charlie, valeurs):
    assert _exporter(client, charlie) == ENTETE + "".join(LIGNES_B)


def test_une_personne_sans_affectation_recoit_les_seuls_en_tetes(client, valeurs):
    assert _exporter(client, UtilisateurFactory()) == ENTETE


def test_ada_admin_recoit_tout(client, ada, valeurs):
    assert _exporter(client, ada) == ENTETE + "".join(LIGNES_A + LIGNES_B)


@pytest.mark.parametrize("nom", ["export_valeurs", "export_valeurs_csv"])
def test_l_anonyme_est_renvoye_a_la_connexion(client, nom):
    reponse = client.get(reverse(nom))
    assert reponse.status_code == 302
    assert reponse["Location"].startswith(reverse("account_login"))


def test_la_reponse_est_un_fichier_csv_en_flux(client, eve, valeurs):
    client.force_login(eve)
    reponse = client.get(URL)
    assert reponse.streaming
    assert reponse["Content-Type"] == "text/csv; charset=utf-8"
    assert reponse["Content-Disposition"].startswith('attachment; filename="valeurs-evalpic-')
    assert "no-store" in reponse["Cache-Control"]


# --- Les deux chemins donnent les mêmes octets ------------------------------------------------


@pytest.mark.parametrize("langue", ["fr", "en"])
def test_le_chemin_generique_ecrit_les_memes_octets_que_copy(eve, valeurs, langue):
    with translation.override(langue):
        par_copy = b"".join(flux_csv_postgresql(eve, FiltresExport()))
        generique = b"".join(flux_csv_generique(eve, FiltresExport()))
    assert generique == par_copy
    assert par_copy.count(b"\n") == 1 + 6 + 1  # en-tête, six lignes, un retour dans un texte


def test_les_deux_chemins_gardent_les_memes_octets_par_petits_blocs(eve, valeurs, monkeypatch):
    monkeypatch.setattr(export_valeurs, "TAILLE_BLOC", 1)  # un bloc par ligne
    par_copy = list(flux_csv_postgresql(eve, FiltresExport()))
    generique = list(flux_csv_generique(eve, FiltresExport()))
    assert len(par_copy) == len(generique) == 1 + 6
    assert b"".join(par_copy) == b"".join(generique)


@pytest.mark.parametrize(
    ("fuseau", "premiere", "seconde"),
    [
        # La nuit du passage à l'heure normale à Montréal : 1 h 30 revient deux fois.
        ("America/Montreal", "2025-11-02 01:30:00-04:00", "2025-11-02 01:30:00-05:00"),
        # Un décalage négatif qui n'est pas une heure entière, et un décalage positif.
        ("America/St_Johns", "2025-11-02 02:00:00-03:30", "2025-11-02 03:00:00-03:30"),
        ("Asia/Kolkata", "2025-11-02 11:00:00+05:30", "2025-11-02 12:00:00+05:30"),
    ],
)
def test_la_date_de_modification_dit_son_decalage(eve, valeurs, fuseau, premiere, seconde):
    """« Modifiée le » sans décalage rendait deux instants distincts identiques, la nuit où
    l'heure recule; les deux chemins écrivent le même décalage."""
    instants = [
        datetime.datetime(2025, 11, 2, 5, 30, tzinfo=datetime.UTC),
        datetime.datetime(2025, 11, 2, 6, 30, tzinfo=datetime.UTC),
    ]
    premieres = Valeur.objects.filter(saisie__statut="validee").order_by("pk")
    Valeur.objects.filter(pk=premieres[0].pk).update(updated_at=instants[0])
    Valeur.objects.filter(pk=premieres[1].pk).update(updated_at=instants[1])
    with timezone.override(fuseau):
        par_copy = b"".join(flux_csv_postgresql(eve, FiltresExport())).decode("utf-8-sig")
        generique = b"".join(flux_csv_generique(eve, FiltresExport())).decode("utf-8-sig")
    assert generique == par_copy
    dates = [ligne.rsplit(";", 1)[1] for ligne in par_copy.splitlines()[1:] if ";" in ligne]
    assert premiere in dates
    assert seconde in dates


def _interrompre_au_milieu_de_copy(utilisateur) -> None:
    flux = flux_csv_postgresql(utilisateur, FiltresExport())
    next(flux)  # l'en-tête
    next(flux)  # une première ligne : COPY est en cours
    flux.close()  # le client a coupé : le serveur WSGI ferme la réponse, donc le générateur


def test_un_telechargement_interrompu_laisse_la_transaction_utilisable(eve, valeurs, monkeypatch):
    """Dans une transaction (ici celle du test), psycopg annule COPY et le point de sauvegarde
    garde la transaction utilisable."""
    monkeypatch.setattr(export_valeurs, "TAILLE_BLOC", 1)  # un bloc par ligne
    _interrompre_au_milieu_de_copy(eve)
    assert Valeur.objects.count() == 6


@pytest.mark.django_db(transaction=True)
def test_un_telechargement_interrompu_laisse_la_connexion_utilisable(eve, valeurs, monkeypatch):
    """Hors transaction, comme dans une requête : COPY annulé, la connexion sert encore."""
    monkeypatch.setattr(export_valeurs, "TAILLE_BLOC", 1)
    _interrompre_au_milieu_de_copy(eve)
    assert Valeur.objects.count() == 6


# --- Filtres ------------------------------------------------------------------------------------


def test_filtre_par_quartier(client, eve, valeurs):
    assert _exporter(client, eve, quartier="quartier-b") == ENTETE + "".join(LIGNES_B)


def test_filtre_par_intervalle_de_periodes(client, eve, valeurs):
    assert _exporter(client, eve, debut="2025-T2") == ENTETE + LIGNES_A[3]
    assert _exporter(client, eve, fin="2025-T1") == ENTETE + "".join(LIGNES_A[:3] + LIGNES_B)
    assert _exporter(client, eve, debut="2025-T1", fin="2025-T1").count("\n2025") == 0


def test_filtre_par_indicateur(client, eve, valeurs):
    attendu = ENTETE + LIGNES_A[1] + LIGNES_B[1]
    assert _exporter(client, eve, indicateur="part-pourcentage") == attendu


def test_filtre_par_statut_et_transmises_sans_brouillons(client, eve, valeurs):
    assert _exporter(client, eve, statut="brouillon") == ENTETE + LIGNES_A[3]
    attendu = ENTETE + "".join(LIGNES_A[:3] + LIGNES_B)
    assert _exporter(client, eve, statut="transmises") == attendu


@pytest.mark.parametrize(
    ("filtres", "champ"),
    [
        ({"debut": "2025-Q1"}, "debut"),
        ({"fin": "9999-T9"}, "fin"),
        ({"debut": "2025-T2", "fin": "2025-T1"}, "fin"),
        ({"indicateur": "inconnu"}, "indicateur"),
        ({"statut": "perdue"}, "statut"),
        ({"quartier": "inexistant"}, "quartier"),
    ],
)
def test_un_filtre_invalide_repond_400_avec_son_message(client, eve, valeurs, filtres, champ):
    client.force_login(eve)
    reponse = client.get(URL, filtres)
    assert reponse.status_code == 400
    assert not reponse.streaming
    assert reponse.context["form"].errors[champ]
    assert "Un filtre est invalide" in reponse.content.decode()


def test_alice_ne_peut_pas_filtrer_sur_le_quartier_b(client, alice, valeurs):
    """Le quartier d'un autre n'est pas un choix : 400, le même message que pour un quartier
    inexistant (rien n'est révélé)."""
    client.force_login(alice)
    reponse = client.get(URL, {"quartier": "quartier-b"})
    assert reponse.status_code == 400
    assert reponse.context["form"].errors["quartier"]


def test_la_page_de_l_export_propose_les_seuls_quartiers_visibles(client, alice, valeurs):
    client.force_login(alice)
    reponse = client.get(reverse("export_valeurs"), {"quartier": "quartier-a"})
    assert reponse.status_code == 200
    contenu = reponse.content.decode()
    assert 'value="quartier-a" selected' in contenu
    assert "quartier-b" not in contenu
    assert f'action="{URL}"' in contenu


def test_les_tableaux_de_bord_menent_a_l_export(client, eve):
    quartier = construire_quartier(nom="Alpha", indicateurs=1, trimestres=1)
    client.force_login(eve)
    assert reverse("export_valeurs") in client.get(reverse("tableau_pic")).content.decode()
    page = client.get(reverse("tableau_quartier", kwargs={"slug": quartier.slug}))
    assert f"{reverse('export_valeurs')}?quartier={quartier.slug}" in page.content.decode()


# --- Requêtes -----------------------------------------------------------------------------------


def _requetes(client, **filtres) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as requetes:
        lignes = _texte(client.get(URL, filtres)).count("\n")
    return len(requetes), lignes


def test_le_nombre_de_requetes_ne_grandit_pas_avec_les_lignes(client, eve):
    client.force_login(eve)
    construire_quartier(nom="Alpha", indicateurs=2, trimestres=2)
    filtres = {"debut": "2023-T1", "indicateur": "", "statut": "transmises"}
    # session, utilisateur, puis COPY (l'accès y est une sous-requête) entre SAVEPOINT et
    # RELEASE (le point de sauvegarde n'existe que dans une transaction, comme celle du test)
    assert _requetes(client) == (5, 1 + 4)
    # + les périodes (choix du filtre « debut »)
    assert _requetes(client, **filtres) == (6, 1 + 4)
    construire_quartier(nom="Beta", indicateurs=10, trimestres=8)
    construire_quartier(nom="Gamma", indicateurs=10, trimestres=8)
    assert _requetes(client) == (5, 1 + 4 + 160)
    assert _requetes(client, **filtres) == (6, 1 + 4 + 160)


# --- Langue -------------------------------------------------------------------------------------


def test_en_anglais_les_en_tetes_et_les_libelles_suivent_la_langue(client, eve, valeurs):
    """Les textes sont préparés dans la langue de la requête, même si le flux n'est parcouru
    qu'après la vue (le LangueMiddleware a alors déjà rétabli le français)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    texte = _exporter(client, eve, quartier="quartier-a", indicateur="acces-nombre")
    entete, premiere = texte.splitlines()[:2]
    with translation.override("en"):
        assert entete == ";".join(export_valeurs.entetes())
    assert ";Neighbourhood;Period;Indicator;Indicator name;Unit;Value;" in entete
    assert premiere.startswith("quartier-a;Quartier A;2025-T1;acces-nombre;Households;number;1200;")
    assert ";validated;" in premiere


def test_un_texte_qui_n_est_qu_un_nombre_n_est_pas_prefixe_comme_dans_les_autres_csv(
    eve, quartier_a
):
    """La règle de `evalpic.tableurs.neutraliser_formule`, écrite en SQL pour l'export : un
    texte qui commence comme une formule est préfixé, un nombre décimal simple ne l'est pas —
    par COPY comme par le chemin générique."""
    texte = IndicateurFactory(code="texte-libre", unite="texte")
    saisie = Saisie.objects.create(
        table=quartier_a.table, periode=periode_du_trimestre(2025, 1), statut="validee"
    )
    essais = ["-3.5", "+2", "-3.5 degrés", "=1+1", "@x", "-3\n"]
    valeur = Valeur.objects.create(saisie=saisie, indicateur=texte, valeur_texte="x")
    for essai in essais:
        Valeur.objects.filter(pk=valeur.pk).update(commentaire=essai)
        for flux in (flux_csv_postgresql, flux_csv_generique):
            contenu = b"".join(flux(eve, FiltresExport())).decode("utf-8-sig")
            lignes = list(csv.reader(io.StringIO(contenu), delimiter=";"))
            assert lignes[1][11] == neutraliser_formule(essai), (flux.__name__, essai)
