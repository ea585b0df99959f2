"""L'API des saisies, des valeurs et des bilans : droits de chaque rôle (par jeton et par
session), verrou optimiste par If-Match, écriture groupée tout ou rien, circuit de validation,
nombre de requêtes constant, demande et téléchargement de bilans."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from unittest import mock

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from indicateurs import services
from indicateurs.historique import lire
from indicateurs.models import (
    EvenementSaisie,
    Famille,
    Indicateur,
    Saisie,
    StatutPeriode,
    StatutSaisie,
    TypeEvenement,
    Valeur,
)
from indicateurs.validation import DonneeValeur
from quartiers.jetons import creer_jeton, revoquer_jeton
from rapports.models import Bilan, Portee, StatutBilan
from tests.factories import IndicateurFactory, IndicateurSuiviFactory, periode_du_trimestre

pytestmark = pytest.mark.django_db

API = "/api/v1"
PERSONAS = ["alice", "bob", "charlie", "eve", "ada"]
MODES = ["jeton", "session"]


# --- Données --------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def hachage_rapide(settings):
    """Cinq personas par test : le hachage lent des mots de passe dominerait la durée."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fichiers_temporaires(fichiers_temporaires):
    """Chaque test écrit ses fichiers dans un dossier temporaire (tests/conftest.py)."""


@pytest.fixture
def periode(db):
    return periode_du_trimestre(2025, 1, statut=StatutPeriode.OUVERTE)


@pytest.fixture
def indicateurs(quartier_a, quartier_b) -> dict[str, Indicateur]:
    """Trois indicateurs saisis (nombre, pourcentage, texte), suivis par A et par B."""
    indicateurs = {
        "menages": IndicateurFactory(code="menages", unite="nombre"),
        "taux": IndicateurFactory(code="taux", unite="pourcentage", agregation="moyenne"),
        "politique": IndicateurFactory(code="politique", unite="texte", agregation="derniere"),
    }
    for quartier in (quartier_a, quartier_b):
        for indicateur in indicateurs.values():
            IndicateurSuiviFactory(quartier=quartier, indicateur=indicateur)
    return indicateurs


def complet(indicateurs) -> dict[int, DonneeValeur]:
    return {
        indicateurs["menages"].pk: DonneeValeur(valeur=Decimal("120")),
        indicateurs["taux"].pk: DonneeValeur(valeur=Decimal("42.5")),
        indicateurs["politique"].pk: DonneeValeur(texte="Adoptée"),
    }


def saisie_remplie(quartier, periode, auteur, indicateurs) -> Saisie:
    saisie = services.saisie_pour(table=quartier.table, periode=periode, auteur=auteur)
    services.enregistrer_saisie(
        saisie=saisie, auteur=auteur, version=saisie.version, donnees=complet(indicateurs)
    )
    saisie.refresh_from_db()
    return saisie


def bilan_pret(quartier) -> Bilan:
    bilan = Bilan.objects.create(
        portee=Portee.QUARTIER,
        quartier=quartier,
        annee=2025,
        trimestre=1,
        statut=StatutBilan.PRET,
        instantane={
            "portee": "quartier",
            "quartiers": [{"slug": quartier.slug}],
            "periode": {"code": "2025-T1"},
        },
    )
    bilan.fichier_pdf.save("bilan.pdf", ContentFile(b"%PDF-1.4 essai"), save=False)
    bilan.fichier_csv.save("bilan.csv", ContentFile(b"a;b\n1;2\n"), save=True)
    return bilan


@dataclass
class Monde:
    """A et B remplis pour 2025-T1, et des bilans de A, de B et du PIC."""

    saisie_a: Saisie
    saisie_b: Saisie
    bilan_a: Bilan
    bilan_pret_a: Bilan
    bilan_b: Bilan
    bilan_pic: Bilan
    ada: object

    def amener(self, etat: str) -> Saisie:
        """La saisie de A au statut voulu (par l'admin, qui a tous les droits)."""
        saisie = self.saisie_a
        if etat in (StatutSaisie.SOUMISE, StatutSaisie.VALIDEE):
            saisie = services.soumettre_saisie(
                saisie=saisie, auteur=self.ada, version=saisie.version
            )
        if etat == StatutSaisie.VALIDEE:
            saisie = services.valider_saisie(saisie=saisie, auteur=self.ada, version=saisie.version)
        saisie.refresh_from_db()
        return saisie


@pytest.fixture
def monde(personas, quartier_a, quartier_b, periode, indicateurs) -> Monde:
    return Monde(
        saisie_a=saisie_remplie(quartier_a, periode, personas["alice"], indicateurs),
        saisie_b=saisie_remplie(quartier_b, periode, personas["charlie"], indicateurs),
        bilan_a=Bilan.objects.create(portee=Portee.QUARTIER, quartier=quartier_a, annee=2025),
        bilan_pret_a=bilan_pret(quartier_a),
        bilan_b=Bilan.objects.create(portee=Portee.QUARTIER, quartier=quartier_b, annee=2025),
        bilan_pic=Bilan.objects.create(portee=Portee.PIC, annee=2025),
        ada=personas["ada"],
    )


def client_de(personne, mode: str = "session") -> APIClient:
    client = APIClient()
    if mode == "jeton":
        _jeton, cle = creer_jeton(utilisateur=personne, nom="tests")
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {cle}")
    else:
        client.force_login(personne)
    return client


def envoyer(client: APIClient, methode: str, url: str, corps=None, version=None):
    entetes = {"HTTP_IF_MATCH": f'"{version}"'} if version is not None else {}
    return getattr(client, methode)(url, corps, format="json", **entetes)


def etat(saisie: Saisie) -> tuple:
    saisie.refresh_from_db()
    valeurs = sorted(
        Valeur.objects.filter(saisie=saisie).values_list(
            "indicateur__code", "valeur_numerique", "valeur_texte", "non_disponible", "commentaire"
        )
    )
    return saisie.statut, saisie.version, valeurs, EvenementSaisie.objects.count()


# --- La matrice des droits ------------------------------------------------------------------------
# Chaque point d'entrée sur les objets du quartier A : (méthode, adresse, corps, version If-Match).

MOTIF = {"motif": "Vérification demandée"}


def _saisie(m: Monde, etat_voulu: str = StatutSaisie.BROUILLON):
    return m.amener(etat_voulu)


POINTS_D_ENTREE = {
    "lister_saisies": lambda m: ("get", f"{API}/saisies/", None, None),
    "lire_saisie": lambda m: ("get", f"{API}/saisies/{m.saisie_a.pk}/", None, None),
    "creer_saisie": lambda m: (
        "post",
        f"{API}/saisies/",
        {"quartier": "quartier-a", "periode": "2025-T1"},
        None,
    ),
    "soumettre": lambda m: (
        "post",
        f"{API}/saisies/{m.saisie_a.pk}/soumettre/",
        {},
        m.saisie_a.version,
    ),
    "valider": lambda m: (
        "post",
        f"{API}/saisies/{m.saisie_a.pk}/valider/",
        {},
        _saisie(m, StatutSaisie.SOUMISE).version,
    ),
    "renvoyer": lambda m: (
        "post",
        f"{API}/saisies/{m.saisie_a.pk}/renvoyer/",
        MOTIF,
        _saisie(m, StatutSaisie.SOUMISE).version,
    ),
    "rouvrir": lambda m: (
        "post",
        f"{API}/saisies/{m.saisie_a.pk}/rouvrir/",
        MOTIF,
        _saisie(m, StatutSaisie.VALIDEE).version,
    ),
    "ecrire_valeurs": lambda m: (
        "put",
        f"{API}/saisies/{m.saisie_a.pk}/valeurs/",
        {"valeurs": [{"indicateur": "menages", "valeur": "121"}], "motif": "Correction"},
        m.saisie_a.version,
    ),
    "lister_valeurs": lambda m: ("get", f"{API}/valeurs/", None, None),
    "lire_valeur": lambda m: (
        "get",
        f"{API}/valeurs/{m.saisie_a.valeurs.first().pk}/",
        None,
        None,
    ),
    "lister_bilans": lambda m: ("get", f"{API}/bilans/", None, None),
    "lire_bilan": lambda m: ("get", f"{API}/bilans/{m.bilan_a.pk}/", None, None),
    "demander_bilan_du_quartier": lambda m: (
        "post",
        f"{API}/bilans/",
        {"portee": "quartier", "quartier": "quartier-a", "annee": 2025, "trimestre": 1},
        None,
    ),
    "demander_bilan_du_pic": lambda m: (
        "post",
        f"{API}/bilans/",
        {"portee": "pic", "annee": 2025, "trimestre": 1},
        None,
    ),
    "telecharger_bilan_pret": lambda m: (
        "get",
        f"{API}/bilans/{m.bilan_pret_a.pk}/fichier/pdf/",
        None,
        None,
    ),
    "telecharger_bilan_en_attente": lambda m: (
        "get",
        f"{API}/bilans/{m.bilan_a.pk}/fichier/pdf/",
        None,
        None,
    ),
}

#                          alice  bob  charlie  eve  ada
ATTENDUS = {
    "lister_saisies": (200, 200, 200, 200, 200),
    "lire_saisie": (200, 200, 404, 200, 200),
    "creer_saisie": (200, 403, 404, 403, 200),
    "soumettre": (200, 403, 404, 403, 200),
    "valider": (403, 403, 404, 200, 200),
    "renvoyer": (403, 403, 404, 200, 200),
    "rouvrir": (403, 403, 404, 200, 200),
    "ecrire_valeurs": (200, 403, 404, 403, 200),
    "lister_valeurs": (200, 200, 200, 200, 200),
    "lire_valeur": (200, 200, 404, 200, 200),
    "lister_bilans": (200, 200, 200, 200, 200),
    "lire_bilan": (200, 200, 404, 200, 200),
    "demander_bilan_du_quartier": (202, 202, 404, 202, 202),
    "demander_bilan_du_pic": (403, 403, 403, 202, 202),
    "telecharger_bilan_pret": (200, 200, 404, 200, 200),
    "telecharger_bilan_en_attente": (404, 404, 404, 404, 404),
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("point", list(POINTS_D_ENTREE))
def test_matrice_des_droits(point, persona, mode, monde, personas):
    methode, url, corps, version = POINTS_D_ENTREE[point](monde)
    with mock.patch("rapports.tasks.generer_bilan_task.delay"):
        reponse = envoyer(client_de(personas[persona], mode), methode, url, corps, version)
    assert reponse.status_code == ATTENDUS[point][PERSONAS.index(persona)], reponse.content


@pytest.mark.parametrize("point", list(POINTS_D_ENTREE))
def test_sans_authentification_401(point, monde):
    methode, url, corps, version = POINTS_D_ENTREE[point](monde)
    assert envoyer(APIClient(), methode, url, corps, version).status_code == 401


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("ressource", "quartier_de"),
    [
        ("saisies", lambda ligne: ligne["quartier"]),
        ("valeurs", lambda ligne: ligne["quartier"]),
        ("bilans", lambda ligne: ligne["quartier"]),
    ],
)
def test_aucune_liste_ne_montre_un_autre_quartier_a_la_coordination(
    ressource, quartier_de, mode, monde, alice, charlie
):
    for personne, slug in ((alice, "quartier-a"), (charlie, "quartier-b")):
        lignes = client_de(personne, mode).get(f"{API}/{ressource}/").json()["results"]
        assert lignes, ressource
        assert {quartier_de(ligne) for ligne in lignes} == {slug}


def test_eve_voit_tous_les_quartiers_et_le_pic(monde, eve):
    client = client_de(eve)
    saisies = client.get(f"{API}/saisies/").json()["results"]
    assert {s["quartier"] for s in saisies} == {"quartier-a", "quartier-b"}
    bilans = client.get(f"{API}/bilans/").json()["results"]
    assert {b["portee"] for b in bilans} == {"quartier", "pic"}


# --- Verrou optimiste ---------------------------------------------------------------------------


def test_chaque_reponse_de_saisie_porte_son_etag(monde, alice):
    reponse = client_de(alice).get(f"{API}/saisies/{monde.saisie_a.pk}/")
    assert reponse["ETag"] == f'"{monde.saisie_a.version}"'
    assert reponse.json()["version"] == monde.saisie_a.version


@pytest.mark.parametrize(
    ("chemin", "methode", "corps"),
    [
        ("soumettre", "post", {}),
        ("valeurs", "put", {"valeurs": [{"indicateur": "menages", "valeur": "5"}]}),
    ],
)
def test_if_match_perime_412_avec_la_version_actuelle_et_rien_ne_change(
    chemin, methode, corps, monde, alice
):
    saisie = monde.saisie_a
    avant = etat(saisie)
    reponse = envoyer(
        client_de(alice), methode, f"{API}/saisies/{saisie.pk}/{chemin}/", corps, version=1
    )
    assert reponse.status_code == 412
    corps_reponse = reponse.json()
    assert corps_reponse["version"] == saisie.version
    assert corps_reponse["valeurs"]["menages"] == "120"
    assert corps_reponse["valeurs"]["politique"] == "Adoptée"
    assert reponse["ETag"] == f'"{saisie.version}"'
    assert etat(saisie) == avant


def test_un_conflit_decouvert_par_le_service_repond_aussi_412(monde, alice):
    saisie = monde.saisie_a
    avant = etat(saisie)
    with mock.patch("indicateurs.api_saisies.version_demandee", return_value=1):
        reponse = envoyer(
            client_de(alice),
            "put",
            f"{API}/saisies/{saisie.pk}/valeurs/",
            {"valeurs": [{"indicateur": "menages", "valeur": "5"}]},
            version=saisie.version,
        )
    assert reponse.status_code == 412
    assert reponse.json()["version"] == saisie.version
    assert etat(saisie) == avant


@pytest.mark.parametrize(
    ("chemin", "methode", "corps"),
    [
        ("soumettre", "post", {}),
        ("valeurs", "put", {"valeurs": [{"indicateur": "menages", "valeur": "5"}]}),
    ],
)
def test_sans_if_match_428_et_rien_ne_change(chemin, methode, corps, monde, alice):
    saisie = monde.saisie_a
    avant = etat(saisie)
    reponse = envoyer(client_de(alice), methode, f"{API}/saisies/{saisie.pk}/{chemin}/", corps)
    assert reponse.status_code == 428
    assert "If-Match" in reponse.json()["detail"]
    assert etat(saisie) == avant


def test_if_match_etoile_ne_suffit_pas_428(monde, alice):
    saisie = monde.saisie_a
    reponse = client_de(alice).post(f"{API}/saisies/{saisie.pk}/soumettre/", HTTP_IF_MATCH="*")
    assert reponse.status_code == 428
    assert etat(saisie)[:2] == (StatutSaisie.BROUILLON, saisie.version)


def test_un_etag_faible_est_accepte(monde, alice):
    saisie = monde.saisie_a
    reponse = client_de(alice).post(
        f"{API}/saisies/{saisie.pk}/soumettre/", HTTP_IF_MATCH=f'W/"{saisie.version}"'
    )
    assert reponse.status_code == 200
    assert reponse["ETag"] == f'"{saisie.version + 1}"'


# --- Écriture groupée ---------------------------------------------------------------------------


def test_un_element_faux_400_nomme_chaque_element_et_rien_n_est_ecrit(monde, alice):
    saisie = monde.saisie_a
    avant, valeurs = etat(saisie), Valeur.objects.count()
    corps = {
        "valeurs": [
            {"indicateur": "menages", "valeur": "abc"},
            {"indicateur": "politique", "valeur": "Révisée"},
            {"indicateur": "taux", "valeur": "150"},
            {"indicateur": "inconnu", "valeur": "1"},
        ],
        "motif": "Essai",
    }
    reponse = envoyer(
        client_de(alice), "put", f"{API}/saisies/{saisie.pk}/valeurs/", corps, saisie.version
    )
    assert reponse.status_code == 400
    erreurs = reponse.json()["valeurs"]
    assert set(erreurs) == {"0", "2", "3"}
    assert "n'est pas un nombre" in erreurs["0"]["valeur"][0]
    assert "entre 0 et 100" in erreurs["2"]["valeur"][0]
    assert "indicateur" in erreurs["3"]
    assert etat(saisie) == avant
    assert Valeur.objects.count() == valeurs


def test_non_disponible_sans_raison_400_sur_la_raison(monde, alice):
    saisie = monde.saisie_a
    corps = {"valeurs": [{"indicateur": "taux", "valeur": None, "non_disponible": True}]}
    reponse = envoyer(
        client_de(alice), "put", f"{API}/saisies/{saisie.pk}/valeurs/", corps, saisie.version
    )
    assert reponse.status_code == 400
    assert "raison" in reponse.json()["valeurs"]["0"]


def test_une_ecriture_groupee_valide_ecrit_tout_avec_l_historique(monde, alice, indicateurs):
    saisie = monde.saisie_a
    version = saisie.version
    corps = {
        "valeurs": [
            {"indicateur": "menages", "valeur": "130", "commentaire": "Recensement"},
            {"indicateur": "taux", "valeur": None, "non_disponible": True, "raison": "Enquête"},
            {"indicateur": "politique", "valeur": "Adoptée", "preuve_url": "https://ex.org/p"},
        ],
        "motif": "Chiffres du recensement",
    }
    reponse = envoyer(
        client_de(alice), "put", f"{API}/saisies/{saisie.pk}/valeurs/", corps, version
    )
    assert reponse.status_code == 200, reponse.content
    assert reponse["ETag"] == f'"{version + 1}"'
    donnees = reponse.json()
    assert donnees["saisie"]["version"] == version + 1
    assert donnees["modifications"] == 3
    assert donnees["avertissements"] == {}
    menages = Valeur.objects.get(saisie=saisie, indicateur=indicateurs["menages"])
    assert (menages.valeur_numerique, menages.commentaire) == (Decimal("130"), "Recensement")
    taux = Valeur.objects.get(saisie=saisie, indicateur=indicateurs["taux"])
    assert taux.non_disponible and taux.raison_non_disponible == "Enquête"
    evenement = saisie.evenements.get(
        type_evenement=TypeEvenement.VALEUR, indicateur=indicateurs["menages"], version=version + 1
    )
    assert evenement.auteur == alice
    assert evenement.motif == "Chiffres du recensement"
    assert evenement.ancienne == "120"
    assert services.decrire(lire(evenement.nouvelle)).startswith("130")


def test_une_valeur_inhabituelle_est_signalee_sans_bloquer(monde, alice, quartier_a, indicateurs):
    precedente = periode_du_trimestre(2024, 4)
    ancienne = Saisie.objects.create(table=quartier_a.table, periode=precedente, statut="validee")
    Valeur.objects.create(
        saisie=ancienne, indicateur=indicateurs["menages"], valeur_numerique=Decimal("100")
    )
    saisie = monde.saisie_a
    corps = {"valeurs": [{"indicateur": "menages", "valeur": "900"}]}
    reponse = envoyer(
        client_de(alice), "put", f"{API}/saisies/{saisie.pk}/valeurs/", corps, saisie.version
    )
    assert reponse.status_code == 200
    assert "inhabituelle" in reponse.json()["avertissements"]["menages"]


# --- Circuit de validation ----------------------------------------------------------------------


def test_circuit_soumettre_renvoyer_resoumettre_valider_puis_verrouillee(monde, alice, eve):
    saisie = monde.saisie_a
    coordination, evaluation = client_de(alice, "jeton"), client_de(eve, "jeton")
    url = f"{API}/saisies/{saisie.pk}"

    reponse = envoyer(coordination, "post", f"{url}/soumettre/", {}, saisie.version)
    assert (reponse.status_code, reponse.json()["statut"]) == (200, "soumise")
    version = reponse.json()["version"]

    reponse = envoyer(evaluation, "post", f"{url}/renvoyer/", {"motif": "  "}, version)
    assert reponse.status_code == 400
    assert "motif" in reponse.json()
    reponse = envoyer(evaluation, "post", f"{url}/renvoyer/", {}, version)
    assert reponse.status_code == 400

    reponse = envoyer(evaluation, "post", f"{url}/renvoyer/", {"motif": "Taux à vérifier"}, version)
    assert reponse.status_code == 200
    assert reponse.json()["statut"] == "renvoyee"
    assert reponse.json()["motif_renvoi"] == "Taux à vérifier"

    reponse = envoyer(coordination, "post", f"{url}/soumettre/", {}, reponse.json()["version"])
    assert (reponse.status_code, reponse.json()["statut"]) == (200, "soumise")

    reponse = envoyer(evaluation, "post", f"{url}/valider/", {}, reponse.json()["version"])
    assert (reponse.status_code, reponse.json()["statut"]) == (200, "validee")
    version = reponse.json()["version"]

    avant = etat(saisie)
    corps = {"valeurs": [{"indicateur": "menages", "valeur": "1"}]}
    reponse = envoyer(coordination, "put", f"{url}/valeurs/", corps, version)
    assert reponse.status_code == 400
    assert "plus modifiable" in str(reponse.json())
    assert etat(saisie) == avant

    reponse = envoyer(evaluation, "post", f"{url}/rouvrir/", {"motif": "Erreur de saisie"}, version)
    assert (reponse.status_code, reponse.json()["statut"]) == (200, "renvoyee")


def test_soumettre_une_saisie_incomplete_400_par_indicateur(
    alice, quartier_a, periode, indicateurs
):
    saisie = services.saisie_pour(table=quartier_a.table, periode=periode, auteur=alice)
    reponse = envoyer(
        client_de(alice), "post", f"{API}/saisies/{saisie.pk}/soumettre/", {}, saisie.version
    )
    assert reponse.status_code == 400
    assert set(reponse.json()["valeurs"]) == {"menages", "taux", "politique"}  # par code


def test_creer_une_saisie_201_puis_200_si_elle_existe(alice, quartier_a, indicateurs):
    periode_du_trimestre(2025, 2, statut=StatutPeriode.OUVERTE)
    client = client_de(alice)
    corps = {"quartier": "quartier-a", "periode": "2025-t2"}
    reponse = client.post(f"{API}/saisies/", corps, format="json")
    assert reponse.status_code == 201
    assert reponse["ETag"] == '"1"'
    assert reponse.json()["statut"] == "brouillon"
    assert client.post(f"{API}/saisies/", corps, format="json").status_code == 200
    assert Saisie.objects.filter(table=quartier_a.table).count() == 1


def fermer(periode) -> None:
    periode.statut = StatutPeriode.FERMEE
    periode.save(update_fields=["statut"])


def test_soumettre_un_brouillon_d_une_periode_fermee_comme_le_formulaire(monde, alice, periode):
    """La fermeture arrête la saisie ordinaire, pas ce qui doit encore aboutir
    (tests/indicateurs/test_periode_fermee.py)."""
    saisie = monde.saisie_a
    fermer(periode)
    reponse = envoyer(
        client_de(alice), "post", f"{API}/saisies/{saisie.pk}/soumettre/", {}, saisie.version
    )
    assert (reponse.status_code, reponse.json()["statut"]) == (200, "soumise")


def test_ecrire_dans_une_periode_fermee_400(monde, alice, periode):
    saisie = monde.saisie_a
    fermer(periode)
    avant = etat(saisie)
    corps = {"valeurs": [{"indicateur": "menages", "valeur": "5"}]}
    reponse = envoyer(
        client_de(alice), "put", f"{API}/saisies/{saisie.pk}/valeurs/", corps, saisie.version
    )
    assert reponse.status_code == 400
    assert reponse.json()["periode"] == [
        "Cette période est fermée : ce brouillon ne se modifie plus, mais il peut encore être "
        "soumis tel quel."
    ]
    assert etat(saisie) == avant


@pytest.mark.parametrize(
    ("periode_code", "statut_periode"),
    [("2031-T1", None), ("2025-T3", StatutPeriode.FERMEE), ("n-importe-quoi", None)],
)
def test_creer_une_saisie_hors_periode_ouverte_400(periode_code, statut_periode, alice):
    if statut_periode:
        periode_du_trimestre(2025, 3, statut=statut_periode)
    corps = {"quartier": "quartier-a", "periode": periode_code}
    reponse = client_de(alice).post(f"{API}/saisies/", corps, format="json")
    assert reponse.status_code == 400
    assert "periode" in reponse.json()


@pytest.mark.parametrize(
    ("url", "corps"),
    [
        (f"{API}/saisies/", {"quartier": "quartier-b", "periode": "2025-T1"}),
        (
            f"{API}/bilans/",
            {"portee": "quartier", "quartier": "quartier-b", "annee": 2025, "trimestre": 1},
        ),
    ],
)
def test_un_quartier_invisible_repond_404_dans_la_langue_choisie(url, corps, alice, quartier_b):
    client = client_de(alice)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    reponse = client.post(url, corps, format="json")
    assert reponse.status_code == 404
    assert reponse.json()["detail"] == "Neighbourhood not found."


# --- Jetons -------------------------------------------------------------------------------------


def test_un_jeton_revoque_repond_401_tout_de_suite(monde, alice):
    jeton, cle = creer_jeton(utilisateur=alice, nom="script")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {cle}")
    assert client.get(f"{API}/saisies/").status_code == 200
    revoquer_jeton(jeton=jeton)
    assert client.get(f"{API}/saisies/").status_code == 401
    assert client.get(f"{API}/valeurs/").status_code == 401


# --- Lectures : filtres, CSV, requêtes ----------------------------------------------------------


def test_filtres_des_saisies(monde, eve):
    periode_du_trimestre(2024, 4)
    client = client_de(eve)
    lignes = client.get(f"{API}/saisies/?quartier=quartier-b").json()["results"]
    assert [s["id"] for s in lignes] == [monde.saisie_b.pk]
    assert client.get(f"{API}/saisies/?periode=2024-T4").json()["results"] == []
    lignes = client.get(f"{API}/saisies/?periode_debut=2025-T1&periode_fin=2025-T1").json()
    assert len(lignes["results"]) == 2
    assert client.get(f"{API}/saisies/?periode_debut=2025-T2").json()["results"] == []
    assert client.get(f"{API}/saisies/?statut=validee").json()["results"] == []
    assert client.get(f"{API}/saisies/?periode=2025-X9").status_code == 400
    assert client.get(f"{API}/saisies/?statut=inconnu").status_code == 400
    lignes = client.get(f"{API}/saisies/?ordering=-quartier").json()["results"]
    assert [s["quartier"] for s in lignes] == ["quartier-b", "quartier-a"]


def test_filtres_des_valeurs(monde, eve):
    client = client_de(eve)
    lignes = client.get(f"{API}/valeurs/?quartier=quartier-a&indicateur=taux").json()["results"]
    assert len(lignes) == 1
    assert lignes[0] | {"id": 0, "saisie": 0, "updated_at": ""} == {
        "id": 0,
        "saisie": 0,
        "quartier": "quartier-a",
        "periode": "2025-T1",
        "indicateur": "taux",
        "valeur": "42.5",
        "valeur_texte": "",
        "non_disponible": False,
        "raison_non_disponible": "",
        "commentaire": "",
        "preuve_url": "",
        "updated_at": "",
        "statut_saisie": "brouillon",
    }
    assert len(client.get(f"{API}/valeurs/?periode_fin=2025-T1").json()["results"]) == 6
    assert client.get(f"{API}/valeurs/?periode_debut=2025-T2").json()["results"] == []
    assert client.get(f"{API}/valeurs/?statut=brouillon").json()["results"]
    assert client.get(f"{API}/valeurs/?statut=soumise").json()["results"] == []
    assert client.get(f"{API}/valeurs/?theme=inexistant").json()["results"] == []
    assert client.get(f"{API}/valeurs/?periode_debut=zz").status_code == 400


def test_les_valeurs_en_csv(monde, alice):
    reponse = client_de(alice).get(f"{API}/valeurs/?format=csv")
    assert reponse.status_code == 200
    assert reponse["Content-Type"].startswith("text/csv")
    texte = reponse.content.decode("utf-8-sig")
    assert texte.splitlines()[0].startswith("id,saisie,quartier,periode,indicateur,valeur")
    assert "quartier-b" not in texte


def _ajouter_valeurs(saisie: Saisie, nombre: int, debut: int) -> None:
    indicateurs = Indicateur.objects.bulk_create(
        Indicateur(
            code=f"volume-{rang}",
            nom_fr=f"Volume {rang}",
            nom_en=f"Volume {rang}",
            definition_fr="Essai.",
            definition_en="Test.",
            famille=Famille.PROCESSUS,
            unite="nombre",
            agregation="somme",
        )
        for rang in range(debut, debut + nombre)
    )
    Valeur.objects.bulk_create(
        Valeur(saisie=saisie, indicateur=i, valeur_numerique=Decimal(rang))
        for rang, i in enumerate(indicateurs)
    )


def test_lister_1000_valeurs_coute_autant_de_requetes_que_10(
    alice, quartier_a, periode, django_assert_num_queries
):
    saisie = services.saisie_pour(table=quartier_a.table, periode=periode)
    client = client_de(alice)
    url = f"{API}/valeurs/?taille=1000"
    _ajouter_valeurs(saisie, 10, 0)
    with CaptureQueriesContext(connection) as petites:
        assert len(client.get(url).json()["results"]) == 10
    _ajouter_valeurs(saisie, 990, 10)
    # La session, la personne, puis une seule requête pour la page (accès, saisie, période,
    # quartier et indicateur joints).
    with django_assert_num_queries(len(petites.captured_queries)):
        assert len(client.get(url).json()["results"]) == 1000
    assert len(petites.captured_queries) == 3


# --- Bilans -------------------------------------------------------------------------------------


def test_alice_ne_liste_que_les_bilans_de_son_quartier(monde, alice):
    bilans = client_de(alice, "jeton").get(f"{API}/bilans/").json()["results"]
    assert {b["id"] for b in bilans} == {monde.bilan_a.pk, monde.bilan_pret_a.pk}


def test_les_fichiers_d_un_bilan_pret_ont_une_adresse(monde, alice):
    client = client_de(alice)
    pret = client.get(f"{API}/bilans/{monde.bilan_pret_a.pk}/").json()
    assert pret["fichiers"]["pdf"].startswith("http://testserver/api/v1/bilans/")
    assert pret["fichiers"]["xlsx"] is None  # pas de fichier XLSX dans ce bilan d'essai
    en_attente = client.get(f"{API}/bilans/{monde.bilan_a.pk}/").json()
    assert en_attente["fichiers"] == {"pdf": None, "xlsx": None, "csv": None, "html": None}
    reponse = client.get(pret["fichiers"]["pdf"], HTTP_ACCEPT="application/pdf")
    assert reponse.status_code == 200
    assert reponse["Content-Type"] == "application/pdf"
    assert b"".join(reponse.streaming_content) == b"%PDF-1.4 essai"
    csv = client.get(pret["fichiers"]["pdf"].replace("/pdf/", "/csv/"))
    assert csv["Content-Type"].startswith("text/csv")


def test_alice_demande_un_bilan_du_pic_403(monde, alice):
    corps = {"portee": "pic", "annee": 2025, "trimestre": 1}
    reponse = client_de(alice).post(f"{API}/bilans/", corps, format="json")
    assert reponse.status_code == 403
    assert Bilan.objects.filter(portee=Portee.PIC).count() == 1


def test_eve_demande_un_bilan_202_et_la_tache_part_apres_la_transaction(
    monde, eve, django_capture_on_commit_callbacks
):
    corps = {"portee": "quartier", "quartier": "quartier-a", "annee": 2025, "trimestre": 1}
    with (
        mock.patch("rapports.tasks.generer_bilan_task.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        reponse = client_de(eve).post(f"{API}/bilans/", corps, format="json")
    assert reponse.status_code == 202, reponse.content
    donnees = reponse.json()
    assert (donnees["statut"], donnees["quartier"], donnees["langue"]) == (
        "en_attente",
        "quartier-a",
        "fr",
    )
    delay.assert_called_once_with(donnees["id"])
    assert reponse["Location"].endswith(f"/api/v1/bilans/{donnees['id']}/")
    fichier = client_de(eve).get(f"{API}/bilans/{donnees['id']}/fichier/pdf/")
    assert fichier.status_code == 404


@pytest.mark.parametrize(
    "corps",
    [
        {"portee": "quartier", "quartier": "quartier-a", "annee": 2031, "trimestre": 1},
        {"portee": "quartier", "annee": 2025},
        {"portee": "pic", "quartier": "quartier-a", "annee": 2025},
        {"portee": "quartier", "quartier": "quartier-a", "annee": 2025, "trimestre": 7},
    ],
)
def test_demande_de_bilan_invalide_400(corps, monde, eve):
    with mock.patch("rapports.tasks.generer_bilan_task.delay"):
        reponse = client_de(eve).post(f"{API}/bilans/", corps, format="json")
    assert reponse.status_code == 400, reponse.content


def test_filtres_des_bilans(monde, eve):
    client = client_de(eve)
    assert {b["id"] for b in client.get(f"{API}/bilans/?portee=pic").json()["results"]} == {
        monde.bilan_pic.pk
    }
    lignes = client.get(f"{API}/bilans/?quartier=quartier-a&statut=pret").json()["results"]
    assert [b["id"] for b in lignes] == [monde.bilan_pret_a.pk]
    assert client.get(f"{API}/bilans/?annee=1999").json()["results"] == []
    assert client.get(f"{API}/bilans/?statut=inconnu").status_code == 400
