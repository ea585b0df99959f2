"""Tolérance aux pannes : Redis arrêté ou figé, base de données redémarrée.

- **Redis arrêté** (un Redis à nous, sur un port libre, tué en plein test : le Redis partagé du
  port 6379 n'est jamais touché) : la saisie trimestrielle s'enregistre et se soumet, les
  tableaux de bord répondent, la demande d'un bilan (page et API) répond aussitôt avec un message
  clair et le bilan est enregistré en attente; rien n'est perdu (lignes comptées avant et après).
  Redis relancé, le rattrapage met le bilan en file et un vrai worker le produit.
- **Redis figé** (SIGSTOP : il accepte les connexions et ne répond plus) : la demande ne reste pas
  bloquée, grâce aux délais de socket de `CELERY_BROKER_TRANSPORT_OPTIONS`.
- **Cache partagé sur Redis** (`CACHE_URL`) : Redis tué, la connexion et l'API répondent, et les
  limites de débit comptent en mémoire du processus (`evalpic.cache.RedisAvecRepli`).
- **Base redémarrée** : un gunicorn garde une connexion persistante (`CONN_MAX_AGE`); on coupe
  côté serveur toutes les connexions de la base de test (`pg_terminate_backend`, ce que fait un
  redémarrage) : les requêtes suivantes réussissent toutes (`CONN_HEALTH_CHECKS`). Base refusant
  les connexions : `/sante/` répond 503, puis 200 dès qu'elle les accepte de nouveau.

Le serveur PostgreSQL partagé n'est jamais redémarré ici : `benchmarks/pannes.py` le fait, à la
demande de l'exploitant.
"""

from __future__ import annotations

import datetime
import json
import time

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from benchmarks.redis_a_part import REDIS_SERVER, RedisAPart
from indicateurs.models import (
    Apprentissage,
    EvenementSaisie,
    Saisie,
    StatutPeriode,
    StatutSaisie,
    TypeEvenement,
    Valeur,
)
from rapports import services
from rapports.models import Bilan, Portee, StatutBilan
from tests.factories import AffectationFactory, construire_quartier, periode_du_trimestre
from tests.integration.conftest import Worker, _url_de_la_base
from tests.integration.pannes import (
    ServeurWeb,
    WorkerSurNotreRedis,
    base_fermee,
    connexions_du_serveur,
    couper_les_connexions,
    oublier_les_connexions,
    sans_blocage,
)

pytestmark = [
    pytest.mark.skipif(
        REDIS_SERVER is None, reason="redis-server introuvable : scripts/tester.sh l'installe."
    ),
    pytest.mark.django_db(transaction=True),
]

DELAI_PRODUCTION = 120  # secondes, au plus, pour qu'un worker produise un bilan
MESSAGE_INDISPONIBLE = "La file des tâches est indisponible pour le moment"


# --- Un Redis à nous ----------------------------------------------------------------------------


@pytest.fixture
def redis_a_nous(tmp_path):
    redis = RedisAPart(tmp_path)
    redis.demarrer()
    yield redis
    redis.tuer()


@pytest.fixture
def celery_sur_notre_redis(settings, redis_a_nous):
    """Le processus de test envoie ses tâches à notre Redis, comme la plateforme en production."""
    from evalpic.celery import app

    anciens = {cle: app.conf[cle] for cle in ("broker_url", "task_always_eager")}
    settings.CELERY_BROKER_URL = redis_a_nous.url
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.broker_url = redis_a_nous.url
    app.conf.task_always_eager = False
    oublier_les_connexions(app)
    yield app
    for cle, valeur in anciens.items():
        app.conf[cle] = valeur
    oublier_les_connexions(app)


@pytest.fixture
def worker_de_reprise(celery_sur_notre_redis, redis_a_nous, fichiers_partages, tmp_path):
    """Un vrai worker (à lancer par le test) sur notre Redis et la base de test."""
    if connection.vendor != "postgresql":
        pytest.skip("Un worker partage la base de test : il faut PostgreSQL (DATABASE_URL).")
    journaux = tmp_path / "journaux"
    journaux.mkdir()
    worker = WorkerSurNotreRedis(
        redis_url=redis_a_nous.url,
        database_url=_url_de_la_base(connection.settings_dict),
        media_root=fichiers_partages,
        journaux=journaux,
    )
    yield worker
    worker.arreter()


# --- Les données --------------------------------------------------------------------------------


@pytest.fixture
def villeray():
    """Un quartier avec 4 trimestres validés (2023) et un trimestre ouvert à la saisie."""
    quartier = construire_quartier(nom="Villeray", indicateurs=3, trimestres=4)
    periode_du_trimestre(2025, 1, statut=StatutPeriode.OUVERTE)
    return quartier


@pytest.fixture
def coordonnatrice(villeray):
    return AffectationFactory(quartier=villeray, role="coordonnateur").utilisateur


def compter() -> dict[str, int]:
    return {
        "valeurs": Valeur.objects.count(),
        "historique": EvenementSaisie.objects.count(),
        "apprentissages": Apprentissage.objects.count(),
        "bilans": Bilan.objects.count(),
    }


def saisir_et_soumettre(client, quartier) -> Saisie:
    """Le formulaire trimestriel : enregistrer trois valeurs et un apprentissage, puis soumettre."""
    url = reverse("saisie_formulaire", kwargs={"slug": quartier.slug, "code": "2025-T1"})
    suivis = list(quartier.indicateurs_suivis.order_by("pk"))
    donnees = {f"v{s.indicateur_id}": str(14 + rang) for rang, s in enumerate(suivis)}
    # Confirmées d'un commentaire : une valeur loin de l'historique (du même trimestre d'une
    # année passée, pour un flux) en demande un pour être soumise.
    donnees |= {f"c{s.indicateur_id}": "Valeur confirmée." for s in suivis}
    donnees.update(version="1", action="enregistrer", app_defis="Redis était en panne.")
    reponse = client.post(url, donnees)
    assert reponse.status_code == 302, reponse.content.decode()[:2000]
    saisie = Saisie.objects.get(table=quartier.table, periode__annee=2025, periode__trimestre=1)
    del donnees["app_defis"]  # le champ sert à ajouter un apprentissage : vide après l'ajout
    donnees.update(version=str(saisie.version), action="soumettre")
    reponse = client.post(url, donnees)
    assert reponse.status_code == 302, reponse.content.decode()[:2000]
    saisie.refresh_from_db()
    return saisie


def demander_par_la_page(client, quartier):
    return client.post(
        reverse("bilans"),
        {"quartier": quartier.slug, "periode": "2023-T4", "langue": "fr"},
        follow=True,
    )


def demander_par_l_api(client, quartier):
    """Un autre bilan que celui de la page (T3, pas T4) : la même demande répétée rendrait le
    bilan déjà en attente au lieu d'en créer un second (`demander_bilan`)."""
    corps = {"portee": "quartier", "quartier": quartier.slug, "annee": 2023, "trimestre": 3}
    return client.post("/api/v1/bilans/", corps, content_type="application/json")


# --- Redis arrêté -------------------------------------------------------------------------------


def test_redis_arrete_la_saisie_les_tableaux_et_les_bilans_marchent_et_rien_n_est_perdu(
    celery_sur_notre_redis, redis_a_nous, worker_de_reprise, client, villeray, coordonnatrice
):
    client.force_login(coordonnatrice)
    redis_a_nous.tuer()
    avant = compter()

    # La saisie trimestrielle s'enregistre et se soumet; son historique est là.
    saisie = saisir_et_soumettre(client, villeray)
    assert saisie.statut == StatutSaisie.SOUMISE
    assert saisie.valeurs.count() == 3
    types = list(saisie.evenements.values_list("type_evenement", flat=True))
    assert types.count(TypeEvenement.VALEUR) == 3
    assert types.count(TypeEvenement.SOUMISSION) == 1
    historique = reverse("saisie_historique", kwargs={"slug": villeray.slug, "code": "2025-T1"})
    assert client.get(historique).status_code == 200

    # Les tableaux de bord répondent.
    indicateur = villeray.indicateurs_suivis.first().indicateur
    for adresse in (
        reverse("tableau_pic"),
        reverse("tableau_quartier", kwargs={"slug": villeray.slug}),
        reverse("theorie_du_changement", kwargs={"slug": villeray.slug}),
        reverse("indicateur_entre_quartiers", kwargs={"code": indicateur.code}),
        reverse("bilans"),
    ):
        assert client.get(adresse).status_code == 200, adresse

    # Un bilan demandé par la page : la réponse dit qu'il sera produit au retour de la file.
    reponse = demander_par_la_page(client, villeray)
    assert reponse.status_code == 200
    contenu = reponse.content.decode()
    assert MESSAGE_INDISPONIBLE in contenu
    assert "attend le retour de la file des tâches" in contenu
    par_la_page = reponse.context["bilan"]

    # Par l'API : 202, en attente, pas en file, et le message.
    reponse = demander_par_l_api(client, villeray)
    assert reponse.status_code == 202, reponse.content
    corps = reponse.json()
    assert corps["statut"] == "en_attente"
    assert corps["en_file"] is False
    assert corps["message"].startswith(MESSAGE_INDISPONIBLE)
    assert client.get(f"/api/v1/bilans/{corps['id']}/").json()["en_file"] is False

    # /sante/ : la base va bien (200), la file non.
    sante = client.get("/sante/")
    assert sante.status_code == 200
    assert (sante.json()["database"], sante.json()["broker"]) == ("ok", "not ok")

    # Rien de perdu : exactement ce qui a été saisi et demandé, en plus de ce qui existait.
    apres = compter()
    assert apres["valeurs"] == avant["valeurs"] + 3
    assert apres["historique"] == avant["historique"] + len(types)
    assert apres["apprentissages"] == avant["apprentissages"] + 1
    assert apres["bilans"] == avant["bilans"] + 2
    bilans = list(Bilan.objects.order_by("pk"))
    assert [b.pk for b in bilans] == [par_la_page.pk, corps["id"]]
    assert all(b.statut == StatutBilan.EN_ATTENTE and b.mis_en_file_le is None for b in bilans)

    # Redis revient (vide : sa file est perdue avec lui). Le rattrapage, que beat lance toutes
    # les 5 minutes, met les deux bilans en file; un vrai worker les produit.
    redis_a_nous.demarrer()
    oublier_les_connexions(celery_sur_notre_redis)
    dans_cinq_minutes = timezone.now() + datetime.timedelta(minutes=5)
    ids = sorted(b.pk for b in bilans)
    assert services.recuperer_bilans_bloques(maintenant=dans_cinq_minutes) == ids
    assert redis_a_nous.client().llen("celery") == 2
    assert all(b.mis_en_file_le for b in Bilan.objects.all())

    worker_de_reprise.demarrer()
    for bilan_id in ids:
        bilan = attendre_statut(bilan_id, worker_de_reprise)
        assert bilan.statut == StatutBilan.PRET, bilan.erreur
        assert bilan.tentatives == 1
    assert compter()["valeurs"] == apres["valeurs"]
    contenu = client.get(reverse("bilan_detail", args=[ids[0]])).content.decode()
    assert "En bref" in contenu and MESSAGE_INDISPONIBLE not in contenu


def attendre_statut(bilan_id: int, worker: Worker) -> Bilan:
    fin = time.monotonic() + DELAI_PRODUCTION
    while True:
        bilan = Bilan.objects.get(pk=bilan_id)
        if bilan.statut in (StatutBilan.PRET, StatutBilan.ECHEC):
            return bilan
        if not worker.vivant or time.monotonic() > fin:
            raise AssertionError(f"Bilan « {bilan.statut} ».\n{worker.journal()}")
        time.sleep(0.1)


def test_redis_fige_la_demande_de_bilan_ne_reste_pas_bloquee(
    celery_sur_notre_redis, redis_a_nous, client, villeray, coordonnatrice
):
    client.force_login(coordonnatrice)
    redis_a_nous.figer()
    with sans_blocage():
        reponse = demander_par_la_page(client, villeray)
        api = demander_par_l_api(client, villeray)
        sante = client.get("/sante/")
    assert reponse.status_code == 200
    assert MESSAGE_INDISPONIBLE in reponse.content.decode()
    assert api.status_code == 202 and api.json()["en_file"] is False
    assert sante.status_code == 200 and sante.json()["broker"] == "not ok"
    assert set(Bilan.objects.values_list("statut", "mis_en_file_le")) == {
        (StatutBilan.EN_ATTENTE, None)
    }


def test_file_disponible_le_bilan_part_aussitot_sans_message_de_panne(
    celery_sur_notre_redis, redis_a_nous, client, villeray, coordonnatrice
):
    client.force_login(coordonnatrice)
    reponse = demander_par_la_page(client, villeray)
    assert MESSAGE_INDISPONIBLE not in reponse.content.decode()
    assert "vous serez prévenu·e quand il sera prêt" in reponse.content.decode()
    corps = demander_par_l_api(client, villeray).json()
    assert corps["en_file"] is True
    assert corps["message"] == "En attente : le bilan est dans la file des tâches."
    assert redis_a_nous.client().llen("celery") == 2
    assert all(b.mis_en_file_le for b in Bilan.objects.all())


# --- Le rattrapage ------------------------------------------------------------------------------


def test_le_rattrapage_met_en_file_les_bilans_jamais_envoyes_passee_la_minute(villeray):
    from unittest import mock

    maintenant = timezone.now()
    il_y_a = {
        "20 s": datetime.timedelta(seconds=20),
        "90 s": datetime.timedelta(seconds=90),
        "3 min": datetime.timedelta(minutes=3),
        "2 h": datetime.timedelta(hours=2),
        "3 h": datetime.timedelta(hours=3),
    }

    def bilan(demande: str, en_file: str | None) -> Bilan:
        cree = Bilan.objects.create(portee=Portee.QUARTIER, quartier=villeray, annee=2023)
        Bilan.objects.filter(pk=cree.pk).update(
            created_at=maintenant - il_y_a[demande],
            mis_en_file_le=maintenant - il_y_a[en_file] if en_file else None,
        )
        return cree

    a_l_instant = bilan("20 s", None)  # sa requête le met peut-être en file en ce moment
    jamais_envoye = bilan("90 s", None)  # file injoignable à la demande
    en_file_recemment = bilan("3 h", "3 min")  # dans la file, un worker va le prendre
    message_perdu = bilan("3 h", "2 h")  # Redis redémarré sans sa file
    with mock.patch("rapports.tasks.generer_bilan_task.delay") as delay:
        relances = services.recuperer_bilans_bloques(maintenant=maintenant)
    assert relances == [jamais_envoye.pk, message_perdu.pk]
    assert sorted(appel.args[0] for appel in delay.call_args_list) == relances
    assert a_l_instant.pk not in relances and en_file_recemment.pk not in relances


# --- La base de données redémarrée --------------------------------------------------------------


@pytest.fixture
def serveur_web(transactional_db, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("Le redémarrage de la base se simule sur PostgreSQL (DATABASE_URL).")
    serveur = ServeurWeb(tmp_path / "gunicorn.log")
    serveur.demarrer(_url_de_la_base(connection.settings_dict))
    yield serveur
    serveur.arreter()


def pages(villeray) -> list[str]:
    """Une page ordinaire d'abord : `/sante/` essaie deux fois et masquerait l'échec."""
    return [
        reverse("tableau_pic"),
        reverse("tableau_quartier", kwargs={"slug": villeray.slug}),
        reverse("saisie_formulaire", kwargs={"slug": villeray.slug, "code": "2025-T1"}),
        reverse("bilans"),
        "/sante/",
    ]


def test_base_redemarree_les_requetes_suivantes_reussissent(
    serveur_web, client, villeray, coordonnatrice
):
    client.force_login(coordonnatrice)
    serveur_web.connecter(client.cookies["sessionid"].value)
    for chemin in pages(villeray):  # le formulaire pose le jeton CSRF
        assert serveur_web.get(chemin)[0] == 200, chemin
    avant = connexions_du_serveur()
    assert len(avant) == 1, "gunicorn doit garder sa connexion (CONN_MAX_AGE)"

    assert couper_les_connexions() >= 1
    assert connexions_du_serveur() == []

    # Aucune requête ne doit échouer : la connexion morte est vérifiée et rouverte au début de
    # la requête suivante (CONN_HEALTH_CHECKS).
    statuts = {chemin: serveur_web.get(chemin)[0] for chemin in pages(villeray)}
    assert set(statuts.values()) == {200}, statuts
    suivis = villeray.indicateurs_suivis.order_by("pk")
    donnees = {f"v{s.indicateur_id}": "20" for s in suivis}
    donnees.update(version="1", action="enregistrer")
    formulaire = pages(villeray)[2]
    assert serveur_web.requete(formulaire, donnees)[0] == 302, serveur_web.lire_journal()[-3000:]
    assert Valeur.objects.filter(saisie__periode__annee=2025).count() == 3
    apres = connexions_du_serveur()
    assert len(apres) == 1 and apres != avant
    assert "Traceback" not in serveur_web.lire_journal()


def test_sante_dit_la_base_en_panne_puis_revenue(serveur_web):
    assert serveur_web.get("/sante/")[0] == 200
    with base_fermee():
        statut, corps = serveur_web.get("/sante/")
        assert statut == 503, corps
        assert json.loads(corps)["database"] == "not ok"
    statut, corps = serveur_web.get("/sante/")
    assert statut == 200, corps
    assert json.loads(corps)["database"] == "ok"


# --- Le cache partagé sur Redis -----------------------------------------------------------------


def test_cache_redis_en_panne_la_connexion_et_l_api_repondent_et_les_limites_tiennent(
    settings, redis_a_nous, client, coordonnatrice
):
    settings.CACHES = {
        "default": {"BACKEND": "evalpic.cache.RedisAvecRepli", "LOCATION": redis_a_nous.url}
    }
    connexion = reverse("account_login")
    faux = {"login": coordonnatrice.email, "password": "pas-le-bon"}
    trop = "Trop de tentatives de connexion échouées"
    assert client.post(connexion, faux).status_code == 400
    assert redis_a_nous.client().dbsize() > 0  # les essais se comptent dans Redis, partagé

    redis_a_nous.tuer()
    # Les limites de débit comptent alors en mémoire du processus : 5 échecs, puis refus.
    reponses = [client.post(connexion, faux) for _essai in range(6)]
    assert [r.status_code for r in reponses] == [400] * 6
    assert [trop in r.content.decode() for r in reponses] == [False] * 5 + [True]
    client.force_login(coordonnatrice)
    assert client.get("/api/v1/quartiers/").status_code == 200
    assert client.get(reverse("tableau_pic")).status_code == 200
