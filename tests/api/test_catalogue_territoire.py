"""L'API en lecture du territoire et du catalogue (`/api/v1/`), et la création d'apprentissages :
accès (Charlie ne voit rien de A), jetons, CSV, filtres, tri et requêtes constantes."""

from __future__ import annotations

import csv
import datetime
import io
import itertools
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from indicateurs.models import (
    Apprentissage,
    Cible,
    LienDeChangement,
    StatutIndicateur,
    StatutPeriode,
)
from quartiers.jetons import creer_jeton, revoquer_jeton
from tests.factories import (
    ActionFactory,
    ChangementViseFactory,
    IndicateurFactory,
    IndicateurSuiviFactory,
    PartenaireFactory,
    ParticipationFactory,
    QuartierFactory,
    StrategieFactory,
    ThemeFactory,
    periode_du_trimestre,
)

pytestmark = pytest.mark.django_db

API = "/api/v1/"

# Les ressources rattachées à un quartier, et la clé qui identifie une ligne de leurs listes.
RESSOURCES_DE_QUARTIER = {
    "quartiers": "slug",
    "tables": "id",
    "partenaires": "id",
    "participations": "id",
    "strategies": "id",
    "changements": "id",
    "actions": "id",
    "indicateurs-suivis": "id",
    "apprentissages": "id",
}
TOUTES_LES_LISTES = [*RESSOURCES_DE_QUARTIER, "indicateurs", "periodes"]


def garnir(quartier, *, taille: int = 1) -> dict:
    """Remplit `quartier` : une stratégie de `taille + 1` changements liés en chaîne, un
    indicateur suivi (avec une cible) par changement, `taille` partenaires, une action par
    changement et `taille` apprentissages. Renvoie, par ressource, l'identifiant d'un objet."""
    periode = periode_du_trimestre(2025, 1)
    theme = ThemeFactory()
    strategie = StrategieFactory(quartier=quartier, adoptee_le=datetime.date(2024, 1, 15))
    changements = [
        ChangementViseFactory(strategie=strategie, theme=theme, ordre=rang)
        for rang in range(taille + 1)
    ]
    LienDeChangement.objects.bulk_create(
        LienDeChangement(strategie=strategie, source=source, cible=cible, hypothese="Si… alors…")
        for source, cible in itertools.pairwise(changements)
    )
    participations = [ParticipationFactory(table=quartier.table) for _ in range(taille)]
    suivis = []
    for changement in changements:
        suivi = IndicateurSuiviFactory(quartier=quartier, indicateur__theme=theme)
        Cible.objects.create(suivi=suivi, periode=periode, valeur=Decimal("12.5"))
        changement.indicateurs.add(suivi.indicateur)
        action = ActionFactory(quartier=quartier, porteur=participations[0].partenaire)
        action.partenaires.set([p.partenaire for p in participations])
        action.changements.add(changement)
        suivis.append(suivi)
    apprentissages = [
        Apprentissage.objects.create(
            quartier=quartier,
            periode=periode,
            categorie="defis",
            texte_fr="Ce que nous avons appris.",
            indicateur=suivis[0].indicateur,
            changement=changements[0],
        )
        for _ in range(taille)
    ]
    return {
        "quartiers": quartier.slug,
        "tables": quartier.table.pk,
        "partenaires": participations[0].partenaire_id,
        "participations": participations[0].pk,
        "strategies": strategie.pk,
        "changements": changements[0].pk,
        "actions": action.pk,
        "indicateurs-suivis": suivis[0].pk,
        "apprentissages": apprentissages[0].pk,
        "indicateur": suivis[0].indicateur.code,
        "changement": changements[0],
    }


@pytest.fixture(autouse=True)
def sans_limitation():
    # Les limites de débit (anonyme : 60/h) comptent dans le cache local; chaque test repart à zéro.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def territoire(quartier_a, quartier_b) -> dict:
    return {"a": garnir(quartier_a), "b": garnir(quartier_b)}


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def lister(api, personne, ressource: str, **parametres) -> list[dict]:
    api.force_authenticate(personne)
    reponse = api.get(f"{API}{ressource}/", {"taille": 1000, **parametres})
    assert reponse.status_code == 200, reponse.content
    return reponse.json()["results"]


def cles(lignes: list[dict], cle: str = "id") -> set:
    return {ligne[cle] for ligne in lignes}


# --- Accès --------------------------------------------------------------------------------------


@pytest.mark.parametrize("ressource", RESSOURCES_DE_QUARTIER)
def test_charlie_ne_voit_rien_du_quartier_a(api, territoire, charlie, ressource):
    cle = RESSOURCES_DE_QUARTIER[ressource]
    vus = cles(lister(api, charlie, ressource), cle)
    assert territoire["b"][ressource] in vus
    assert territoire["a"][ressource] not in vus


@pytest.mark.parametrize("ressource", RESSOURCES_DE_QUARTIER)
def test_charlie_recoit_404_sur_un_objet_du_quartier_a(api, territoire, charlie, ressource):
    api.force_authenticate(charlie)
    assert api.get(f"{API}{ressource}/{territoire['a'][ressource]}/").status_code == 404
    assert api.get(f"{API}{ressource}/{territoire['b'][ressource]}/").status_code == 200


@pytest.mark.parametrize("ressource", RESSOURCES_DE_QUARTIER)
def test_eve_et_ada_voient_tous_les_quartiers(api, territoire, eve, ada, ressource):
    cle = RESSOURCES_DE_QUARTIER[ressource]
    for personne in (eve, ada):
        vus = cles(lister(api, personne, ressource), cle)
        assert {territoire["a"][ressource], territoire["b"][ressource]} <= vus


@pytest.mark.parametrize("ressource", RESSOURCES_DE_QUARTIER)
def test_alice_et_bob_voient_le_quartier_a_seulement(api, territoire, alice, bob, ressource):
    cle = RESSOURCES_DE_QUARTIER[ressource]
    for personne in (alice, bob):
        vus = cles(lister(api, personne, ressource), cle)
        assert territoire["a"][ressource] in vus
        assert territoire["b"][ressource] not in vus


@pytest.mark.parametrize("ressource", TOUTES_LES_LISTES)
def test_une_personne_anonyme_recoit_401(api, territoire, ressource):
    reponse = api.get(f"{API}{ressource}/")
    assert reponse.status_code == 401
    assert reponse["WWW-Authenticate"].startswith("Bearer")


def test_un_partenaire_sans_participation_visible_n_apparait_pas(api, territoire, charlie, eve):
    orphelin = PartenaireFactory()
    commun = PartenaireFactory()
    ParticipationFactory(
        partenaire=commun, table=territoire["a"]["changement"].strategie.quartier.table
    )
    ParticipationFactory(
        partenaire=commun, table=territoire["b"]["changement"].strategie.quartier.table
    )
    assert orphelin.pk not in cles(lister(api, eve, "partenaires"))
    vus_par_charlie = cles(lister(api, charlie, "partenaires"))
    assert commun.pk in vus_par_charlie
    # Filtrer sur un quartier invisible ne révèle rien, même d'un partenaire visible : 400, comme
    # un quartier inconnu (tests/api/test_w1_filtre_quartier.py), et non plus une liste vide.
    api.force_authenticate(charlie)
    invisible = api.get(f"{API}partenaires/", {"quartier": "quartier-a"})
    inconnu = api.get(f"{API}partenaires/", {"quartier": "quartier-z"})
    assert (invisible.status_code, inconnu.status_code) == (400, 400)
    assert invisible.content == inconnu.content.replace(b"quartier-z", b"quartier-a")


def test_le_catalogue_approuve_est_commun_mais_pas_les_propositions(api, territoire, charlie):
    propose = IndicateurFactory(statut=StatutIndicateur.PROPOSE)
    codes = cles(lister(api, charlie, "indicateurs"), "code")
    assert territoire["a"]["indicateur"] in codes  # suivi par A, mais le catalogue est commun
    assert propose.code not in codes
    api.force_authenticate(charlie)
    assert api.get(f"{API}indicateurs/{territoire['a']['indicateur']}/").status_code == 200
    assert api.get(f"{API}indicateurs/{propose.code}/").status_code == 404


def test_les_periodes_sont_visibles_de_tous(api, territoire, charlie):
    periodes = lister(api, charlie, "periodes")
    assert [p["code"] for p in periodes] == ["2025-T1"]
    api.force_authenticate(charlie)
    reponse = api.get(f"{API}periodes/{periodes[0]['id']}/")
    assert reponse.json()["statut"] == StatutPeriode.FERMEE


# --- Jetons -------------------------------------------------------------------------------------


def test_un_jeton_donne_exactement_les_droits_de_sa_personne(api, territoire, charlie, eve):
    _jeton, cle_charlie = creer_jeton(utilisateur=charlie, nom="x")
    _jeton, cle_eve = creer_jeton(utilisateur=eve, nom="x")
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {cle_charlie}")
    reponse = api.get(f"{API}quartiers/")
    assert reponse.status_code == 200
    assert cles(reponse.json()["results"], "slug") == {"quartier-b"}
    assert api.get(f"{API}quartiers/quartier-a/").status_code == 404
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {cle_eve}")
    assert cles(api.get(f"{API}quartiers/").json()["results"], "slug") == {
        "quartier-a",
        "quartier-b",
    }


def test_un_jeton_revoque_recoit_401_aussitot(api, territoire, alice):
    jeton, cle = creer_jeton(utilisateur=alice, nom="x")
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {cle}")
    assert api.get(f"{API}strategies/").status_code == 200
    revoquer_jeton(jeton=jeton)
    assert api.get(f"{API}strategies/").status_code == 401


def test_un_jeton_inconnu_ou_mal_forme_recoit_401(api, territoire):
    api.credentials(HTTP_AUTHORIZATION="Bearer evp_inconnu")
    assert api.get(f"{API}quartiers/").status_code == 401
    api.credentials(HTTP_AUTHORIZATION="Bearer deux morceaux")
    assert api.get(f"{API}quartiers/").status_code == 401


# --- Forme des réponses -------------------------------------------------------------------------


def test_un_quartier_montre_sa_table(api, territoire, alice):
    api.force_authenticate(alice)
    quartier = api.get(f"{API}quartiers/quartier-a/").json()
    assert set(quartier) == {"slug", "nom", "niveau_soutien", "arrondissement", "table"}
    assert set(quartier["table"]) == {"nom", "organisme_coordonnateur", "annee_fondation"}
    assert quartier["table"]["nom"] == "Table de Quartier A"


def test_une_strategie_porte_son_graphe(api, territoire, alice):
    api.force_authenticate(alice)
    strategie = api.get(f"{API}strategies/{territoire['a']['strategies']}/").json()
    assert strategie["quartier"] == "quartier-a"
    changement = territoire["a"]["changement"]
    premier = strategie["changements"][0]
    assert premier["code"] == changement.code
    assert premier["theme"] == "alimentation"
    assert premier["indicateurs"] == [territoire["a"]["indicateur"]]
    [lien] = strategie["liens"]
    assert lien == {
        "source": changement.code,
        "cible": strategie["changements"][1]["code"],
        "hypothese": "Si… alors…",
    }


def test_un_suivi_montre_ses_cibles_et_des_decimaux_en_texte(api, territoire, alice):
    api.force_authenticate(alice)
    suivi = api.get(f"{API}indicateurs-suivis/{territoire['a']['indicateurs-suivis']}/").json()
    assert suivi["indicateur"] == territoire["a"]["indicateur"]
    # le texte décimal de /valeurs/ et des CSV (rapports.csv.texte_decimal), pas « 10.0000 »
    assert suivi["valeur_reference"] == "10"
    assert suivi["cibles"] == [{"periode": "2025-T1", "valeur": "12.5"}]


def test_une_action_donne_ses_partenaires_et_ses_changements(api, territoire, alice):
    action = lister(api, alice, "actions")[0]
    assert action["quartier"] == "quartier-a"
    assert action["porteur"] == territoire["a"]["partenaires"]
    assert action["partenaires"] == [territoire["a"]["partenaires"]]
    assert action["changements"] == [territoire["a"]["changement"].code]


def test_format_csv_renvoie_du_texte_csv_avec_une_ligne_d_entete(api, territoire, eve):
    api.force_authenticate(eve)
    reponse = api.get(f"{API}participations/", {"format": "csv"})
    assert reponse.status_code == 200
    assert reponse["Content-Type"].startswith("text/csv")
    lignes = list(csv.reader(io.StringIO(reponse.content.decode("utf-8-sig"))))
    assert lignes[0] == ["id", "partenaire", "table", "quartier", "role", "debut", "fin"]
    assert len(lignes) == 3


# --- Filtres et tri -----------------------------------------------------------------------------


def test_filtrer_les_participations(api, territoire, eve):
    table_a = territoire["a"]["changement"].strategie.quartier.table
    ancienne = ParticipationFactory(
        table=table_a, debut=datetime.date(2015, 1, 1), fin=datetime.date(2016, 12, 31)
    )
    assert cles(lister(api, eve, "participations", quartier="quartier-a")) == {
        territoire["a"]["participations"],
        ancienne.pk,
    }
    actives = cles(lister(api, eve, "participations", actif_le="2020-06-30"))
    assert ancienne.pk not in actives and territoire["a"]["participations"] in actives
    assert cles(lister(api, eve, "participations", actif_le="2016-06-30")) == {ancienne.pk}
    secteur = ancienne.partenaire.secteur.code
    assert cles(lister(api, eve, "participations", secteur=secteur)) == {ancienne.pk}


def test_une_date_invalide_en_filtre_repond_400(api, territoire, eve):
    api.force_authenticate(eve)
    reponse = api.get(f"{API}participations/", {"actif_le": "hier"})
    assert reponse.status_code == 400
    assert "actif_le" in reponse.json()


def test_filtrer_le_catalogue(api, territoire, eve):
    habitation = ThemeFactory(code="habitation", nom_fr="Habitation", nom_en="Housing")
    logement = IndicateurFactory(code="logements", theme=habitation, famille="systeme")
    assert cles(lister(api, eve, "indicateurs", theme="habitation"), "code") == {"logements"}
    assert logement.code in cles(lister(api, eve, "indicateurs", famille="systeme"), "code")
    assert lister(api, eve, "indicateurs", mode="calcule") == []


def test_filtrer_strategies_changements_actions_et_suivis(api, territoire, eve):
    quartier_a = territoire["a"]["changement"].strategie.quartier
    brouillon = StrategieFactory(quartier=quartier_a, version=2, statut="brouillon")
    assert cles(lister(api, eve, "strategies", statut="brouillon")) == {brouillon.pk}
    assert len(lister(api, eve, "strategies", quartier="quartier-a")) == 2
    long_terme = ChangementViseFactory(strategie=brouillon, horizon="long")
    assert cles(lister(api, eve, "changements", horizon="long")) == {long_terme.pk}
    assert cles(lister(api, eve, "changements", strategie=brouillon.pk)) == {long_terme.pk}
    finie = ActionFactory(
        quartier=quartier_a,
        type_action="concertation",
        debut=datetime.date(2019, 1, 1),
        fin=datetime.date(2019, 12, 31),
    )
    assert cles(lister(api, eve, "actions", type_action="concertation")) == {finie.pk}
    assert finie.pk not in cles(lister(api, eve, "actions", actif_le="2024-01-01"))
    assert finie.pk in cles(lister(api, eve, "actions", actif_le="2019-06-01"))
    code = territoire["a"]["indicateur"]
    assert cles(lister(api, eve, "indicateurs-suivis", indicateur=code)) == {
        territoire["a"]["indicateurs-suivis"]
    }
    assert len(lister(api, eve, "indicateurs-suivis", theme="alimentation", famille="processus"))
    assert lister(api, eve, "indicateurs-suivis", famille="systeme") == []


def test_filtrer_periodes_et_apprentissages(api, territoire, eve):
    periode_du_trimestre(2024, 4, statut=StatutPeriode.OUVERTE)
    assert [p["code"] for p in lister(api, eve, "periodes", annee=2024)] == ["2024-T4"]
    assert [p["code"] for p in lister(api, eve, "periodes", statut="fermee")] == ["2025-T1"]
    assert len(lister(api, eve, "apprentissages", periode="2025-T1")) == 2
    assert lister(api, eve, "apprentissages", periode="2024-T4") == []
    # une période mal écrite : 400, comme pour les saisies et les valeurs (api_filtres)
    reponse = api.get(f"{API}apprentissages/", {"periode": "pas-un-code"})
    assert reponse.status_code == 400
    assert len(lister(api, eve, "apprentissages", categorie="defis", quartier="quartier-b")) == 1


def test_trier_les_listes(api, territoire, eve):
    codes = [i["code"] for i in lister(api, eve, "indicateurs", ordering="-code")]
    assert codes == sorted(codes, reverse=True)
    debuts = [p["debut"] for p in lister(api, eve, "participations", ordering="-debut")]
    assert debuts == sorted(debuts, reverse=True)
    noms = [q["nom"] for q in lister(api, eve, "quartiers", ordering="-nom")]
    assert noms == ["Quartier B", "Quartier A"]


# --- Requêtes constantes ------------------------------------------------------------------------


def _compter(api, ressource: str) -> int:
    with CaptureQueriesContext(connection) as requetes:
        assert api.get(f"{API}{ressource}/", {"taille": 1000}).status_code == 200
    return len(requetes)


def test_chaque_liste_coute_autant_de_requetes_avec_dix_fois_plus_de_donnees(
    api, territoire, eve, django_assert_num_queries
):
    api.force_authenticate(eve)
    petit = {ressource: _compter(api, ressource) for ressource in TOUTES_LES_LISTES}
    for rang in range(8):
        garnir(QuartierFactory(nom=f"Grand {rang}", slug=f"grand-{rang}"), taille=10)
    grand = {ressource: _compter(api, ressource) for ressource in TOUTES_LES_LISTES}
    assert grand == petit
    # Stratégies : compte, page, changements (et leur thème), leurs indicateurs, liens.
    with django_assert_num_queries(5):
        api.get(f"{API}strategies/", {"taille": 1000})
    # Suivis : compte, page (quartier et indicateur joints), cibles (et leur période).
    with django_assert_num_queries(3):
        api.get(f"{API}indicateurs-suivis/", {"taille": 1000})


# --- Apprentissages : création ------------------------------------------------------------------


def _apprentissage(**champs) -> dict:
    return {
        "quartier": "quartier-a",
        "periode": "2025-T1",
        "categorie": "defis",
        "texte_fr": "La mobilisation des jeunes demande plus de temps.",
        **champs,
    }


def test_alice_ajoute_un_apprentissage_a_son_quartier(api, territoire, alice):
    api.force_authenticate(alice)
    changement = territoire["a"]["changement"]
    donnees = _apprentissage(indicateur=territoire["a"]["indicateur"], changement=changement.pk)
    reponse = api.post(f"{API}apprentissages/", donnees, format="json")
    assert reponse.status_code == 201, reponse.content
    corps = reponse.json()
    assert corps["auteur"] == alice.pk
    assert corps["quartier"] == "quartier-a" and corps["periode"] == "2025-T1"
    cree = Apprentissage.objects.get(pk=corps["id"])
    assert (cree.auteur, cree.changement, cree.texte_en) == (alice, changement, "")


def test_bob_et_eve_peuvent_ajouter_un_apprentissage(api, territoire, bob, eve):
    for personne, slug in ((bob, "quartier-a"), (eve, "quartier-b")):
        api.force_authenticate(personne)
        reponse = api.post(f"{API}apprentissages/", _apprentissage(quartier=slug), format="json")
        assert reponse.status_code == 201, reponse.content
        assert reponse.json()["auteur"] == personne.pk


def test_alice_ne_peut_rien_ajouter_au_quartier_b(api, territoire, alice):
    api.force_authenticate(alice)
    avant = Apprentissage.objects.count()
    for slug in ("quartier-b", "n-existe-pas"):
        reponse = api.post(f"{API}apprentissages/", _apprentissage(quartier=slug), format="json")
        assert reponse.status_code == 400
        assert reponse.json()["quartier"] == [f"Quartier inconnu : « {slug} »."]
    assert Apprentissage.objects.count() == avant


def test_un_changement_d_un_autre_quartier_est_refuse(api, territoire, alice, eve):
    changement_b = territoire["b"]["changement"].pk
    api.force_authenticate(alice)
    reponse = api.post(
        f"{API}apprentissages/", _apprentissage(changement=changement_b), format="json"
    )
    assert reponse.status_code == 400
    assert "inconnu" in reponse.json()["changement"][0]
    api.force_authenticate(eve)  # elle voit B, mais ce changement n'est pas de la stratégie de A
    reponse = api.post(
        f"{API}apprentissages/", _apprentissage(changement=changement_b), format="json"
    )
    assert reponse.status_code == 400
    assert "n'appartient pas" in reponse.json()["changement"][0]


def test_un_indicateur_que_le_quartier_ne_suit_pas_est_refuse(api, territoire, alice, eve):
    # L'indicateur existe et B le suit; A ne le suit pas : c'est la règle du service.
    indicateur_b = territoire["b"]["indicateur"]
    avant = Apprentissage.objects.count()
    for personne in (alice, eve):
        api.force_authenticate(personne)
        reponse = api.post(
            f"{API}apprentissages/", _apprentissage(indicateur=indicateur_b), format="json"
        )
        assert reponse.status_code == 400
        assert reponse.json() == {"indicateur": ["Ce quartier ne suit pas cet indicateur."]}
    assert Apprentissage.objects.count() == avant


def test_sans_texte_et_avec_un_changement_d_ailleurs_les_deux_erreurs_ensemble(
    api, territoire, eve
):
    api.force_authenticate(eve)
    donnees = _apprentissage(texte_fr="", changement=territoire["b"]["changement"].pk)
    reponse = api.post(f"{API}apprentissages/", donnees, format="json")
    assert reponse.status_code == 400
    assert set(reponse.json()) == {"texte_fr", "texte_en", "changement"}


def test_un_apprentissage_sans_texte_est_refuse_champ_par_champ(api, territoire, alice):
    api.force_authenticate(alice)
    avant = Apprentissage.objects.count()
    reponse = api.post(
        f"{API}apprentissages/", _apprentissage(texte_fr="  ", texte_en=""), format="json"
    )
    assert reponse.status_code == 400
    erreurs = reponse.json()
    assert set(erreurs) == {"texte_fr", "texte_en"}
    assert "français" in erreurs["texte_fr"][0]
    assert Apprentissage.objects.count() == avant


@pytest.mark.parametrize("champ", ["texte_fr", "texte_en"])
def test_un_apprentissage_plus_long_que_le_formulaire_est_refuse(api, territoire, alice, champ):
    """La limite du formulaire (2 000 caractères) vaut pour l'API : le service la porte."""
    api.force_authenticate(alice)
    avant = Apprentissage.objects.count()
    trop_long = _apprentissage(**{"texte_fr": "x", champ: "é" * 2001})
    reponse = api.post(f"{API}apprentissages/", trop_long, format="json")
    assert reponse.status_code == 400
    assert reponse.json() == {champ: ["Le texte dépasse 2000 caractères."]}
    assert Apprentissage.objects.count() == avant
    tout_juste = _apprentissage(**{"texte_fr": "x", champ: "é" * 2000})
    assert api.post(f"{API}apprentissages/", tout_juste, format="json").status_code == 201


@pytest.mark.parametrize("code", ["2099-T1", "2025-T9", "T1-2025", ""])
def test_une_periode_inconnue_est_refusee(api, territoire, alice, code):
    api.force_authenticate(alice)
    reponse = api.post(f"{API}apprentissages/", _apprentissage(periode=code), format="json")
    assert reponse.status_code == 400
    assert "periode" in reponse.json()


def test_un_indicateur_inconnu_ou_une_categorie_invalide_sont_refuses(api, territoire, alice):
    api.force_authenticate(alice)
    donnees = _apprentissage(indicateur="n-existe-pas", categorie="autre")
    reponse = api.post(f"{API}apprentissages/", donnees, format="json")
    assert reponse.status_code == 400
    assert set(reponse.json()) == {"indicateur", "categorie"}


def test_sans_droit_de_commenter_la_reponse_est_403(api, territoire, alice, monkeypatch):
    # Aujourd'hui, voir un quartier donne le droit d'y commenter; le refus reste branché.
    monkeypatch.setattr("quartiers.acces.a_le_droit", lambda *args: False)
    api.force_authenticate(alice)
    avant = Apprentissage.objects.count()
    reponse = api.post(f"{API}apprentissages/", _apprentissage(), format="json")
    assert reponse.status_code == 403
    assert Apprentissage.objects.count() == avant


def test_un_jeton_ajoute_un_apprentissage_avec_les_droits_de_sa_personne(api, territoire, alice):
    _jeton, cle = creer_jeton(utilisateur=alice, nom="x")
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {cle}")
    reponse = api.post(f"{API}apprentissages/", _apprentissage(), format="json")
    assert reponse.status_code == 201
    assert reponse.json()["auteur"] == alice.pk
    reponse = api.post(
        f"{API}apprentissages/", _apprentissage(quartier="quartier-b"), format="json"
    )
    assert reponse.status_code == 400


def test_une_personne_anonyme_ne_peut_rien_ajouter(api, territoire):
    reponse = api.post(f"{API}apprentissages/", _apprentissage(), format="json")
    assert reponse.status_code == 401
    assert not Apprentissage.objects.filter(texte_fr=_apprentissage()["texte_fr"]).exists()


def test_les_apprentissages_ne_se_modifient_pas_par_l_api(api, territoire, alice):
    api.force_authenticate(alice)
    url = f"{API}apprentissages/{territoire['a']['apprentissages']}/"
    assert api.patch(url, {"texte_fr": "x"}, format="json").status_code == 405
    assert api.delete(url).status_code == 405


# --- Entrées absurdes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "champs",
    [
        {"quartier": "\x00"},
        {"indicateur": "a\x00b"},
        {"periode": "2025-T\x00"},
        {"quartier": ["quartier-a"]},
        {"quartier": {"slug": "quartier-a"}},
        {"changement": "abc"},
        {"changement": 10**30},
        {"changement": True},
        {"periode": None},
        {"periode": 2025},
        {"categorie": None},
        {"texte_fr": ["liste"]},
        {"texte_fr": "a\x00b"},
    ],
)
def test_une_entree_absurde_donne_400_jamais_500(api, territoire, alice, champs):
    api.force_authenticate(alice)
    reponse = api.post(f"{API}apprentissages/", _apprentissage(**champs), format="json")
    assert reponse.status_code == 400, reponse.content


@pytest.mark.parametrize(
    ("ressource", "parametres", "statut"),
    [
        ("participations", {"quartier": "a\x00"}, 400),
        ("apprentissages", {"periode": "2025-T\x00"}, 400),
        ("periodes", {"annee": 10**30}, 200),
        ("participations", {"partenaire": 10**30}, 200),
        ("quartiers", {"ordering": "inconnu,-nom"}, 400),  # tri inconnu : dit, pas ignoré
        ("quartiers", {"page": 999}, 404),
        ("quartiers", {"format": "xml"}, 404),
    ],
)
def test_un_parametre_absurde_ne_donne_jamais_500(
    api, territoire, eve, ressource, parametres, statut
):
    api.force_authenticate(eve)
    assert api.get(f"{API}{ressource}/", parametres).status_code == statut


@pytest.mark.parametrize("cle", ["a\x00", "9" * 40, "é"])
def test_une_adresse_absurde_donne_404(api, territoire, eve, cle):
    api.force_authenticate(eve)
    for ressource in ("quartiers", "indicateurs", "strategies", "periodes"):
        assert api.get(f"{API}{ressource}/{cle}/").status_code == 404


@pytest.mark.parametrize("ressource", TOUTES_LES_LISTES)
def test_l_api_navigable_s_affiche_sans_rien_du_quartier_b(api, territoire, alice, ressource):
    api.force_authenticate(alice)
    reponse = api.get(f"{API}{ressource}/", HTTP_ACCEPT="text/html")
    assert reponse.status_code == 200
    assert reponse["Content-Type"].startswith("text/html")
    assert (
        "quartier-b" not in reponse.content.decode()
    )  # ni dans les listes ni dans les formulaires


def test_un_apprentissage_d_une_periode_a_venir_est_refuse(api, territoire, alice):
    # Comme sur la page d'ajout, qui ne propose pas les périodes à venir.
    periode_du_trimestre(2030, 1, statut=StatutPeriode.A_VENIR)
    api.force_authenticate(alice)
    avant = Apprentissage.objects.count()
    reponse = api.post(f"{API}apprentissages/", _apprentissage(periode="2030-T1"), format="json")
    assert reponse.status_code == 400 and "periode" in reponse.json()
    assert Apprentissage.objects.count() == avant
