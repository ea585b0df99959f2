"""Les bilans produits par un vrai worker Celery, sur un vrai Redis.

- un bilan demandé est produit par le worker : le PDF s'ouvre, a ses sections, le nom du
  quartier et les chiffres « En bref » de l'instantané;
- un worker tué pendant un bilan « en cours » ne laisse ni bilan bloqué ni fichier tronqué servi :
  le rattrapage (celui que beat lance toutes les 5 minutes) le remet en file et un nouveau worker
  le termine;
- le même message reçu deux fois ne produit qu'un bilan, d'une seule tentative.
"""

from __future__ import annotations

import datetime
import io
import re
import time

import pytest
import redis
from django.conf import settings
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from evalpic.nombres import nombre
from quartiers.models import RoleGlobal
from rapports import services
from rapports.en_bref import constats
from rapports.models import Bilan, Portee, StatutBilan
from rapports.repartition import groupes_de_quartiers
from rapports.tasks import generer_bilan_task
from tests.factories import AffectationFactory, UtilisateurFactory, construire_quartier
from tests.integration.conftest import REDIS_URL, Worker, redis_joignable

pytestmark = [
    pytest.mark.skipif(
        not redis_joignable(),
        reason=f"Redis injoignable à {REDIS_URL} (TEST_REDIS_URL) : scripts/tester.sh le démarre.",
    ),
    pytest.mark.django_db(transaction=True),
]

FICHIERS = ("html", "pdf", "xlsx", "csv")
SECTIONS = (
    "En bref",
    "Les défis",
    "Les changements de pratiques",
    "Au-delà des changements",
    "Méthodologie",
)
DELAI_PRODUCTION = 120  # secondes, au plus, pour qu'un bilan soit prêt


def attendre_statut(bilan_id: int, statuts: set[str], worker: Worker, delai: float) -> Bilan:
    """Relit la ligne jusqu'à l'un des statuts voulus (ou échoue avec le journal du worker)."""
    fin = time.monotonic() + delai
    while True:
        bilan = Bilan.objects.get(pk=bilan_id)
        if bilan.statut in statuts:
            return bilan
        if not worker.vivant:
            raise AssertionError(f"Le worker est mort (bilan {bilan.statut}).")
        if time.monotonic() > fin:
            raise AssertionError(f"Bilan toujours « {bilan.statut} » après {delai} s.")
        time.sleep(0.05)


def executions(worker: Worker) -> list[str]:
    """Les résultats des exécutions terminées de `rapports.generer_bilan`, lus dans le journal."""
    return re.findall(
        r"rapports\.generer_bilan\[[0-9a-f-]+\] succeeded in \S+: (.*)", worker.journal()
    )


def attendre_executions(worker: Worker, nombre: int, delai: float = 30) -> list[str]:
    """Attend que le worker ait terminé `nombre` exécutions (la ligne passe « prête » juste avant
    que le worker ne journalise la fin de la tâche)."""
    fin = time.monotonic() + delai
    while len(resultats := executions(worker)) < nombre:
        if time.monotonic() > fin:
            raise AssertionError(f"{len(resultats)} exécution(s) terminée(s) sur {nombre}.")
        time.sleep(0.1)
    return resultats


def texte_du_pdf(contenu: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(contenu)).pages)


def sans_espaces_multiples(texte: str) -> str:
    return " ".join(texte.split())


def verifier_fichiers_complets(bilan: Bilan) -> bytes:
    """Chaque fichier désigné par la ligne existe, n'est pas vide, et le PDF s'ouvre en entier."""
    for extension in FICHIERS:
        champ = getattr(bilan, f"fichier_{extension}")
        assert champ.name, extension
        assert default_storage.exists(champ.name), champ.name
        assert default_storage.size(champ.name) > 0, champ.name
    with default_storage.open(bilan.fichier_pdf.name, "rb") as fichier:
        pdf = fichier.read()
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert len(PdfReader(io.BytesIO(pdf), strict=True).pages) >= 1
    return pdf


def fichiers_du_bilan(bilan: Bilan) -> list[str]:
    dossier = f"bilans/{bilan.annee}/{bilan.pk}"
    if not default_storage.exists(dossier):
        return []
    return sorted(default_storage.listdir(dossier)[1])


def demander(auteur, quartier) -> Bilan:
    return services.demander_bilan(
        auteur=auteur, portee=Portee.QUARTIER, quartier=quartier, annee=2023, trimestre=4
    )


@pytest.fixture
def file_redis():
    return redis.Redis.from_url(REDIS_URL)


@pytest.fixture
def sans_file_injoignable(caplog):
    """Un envoi raté vers Redis n'est que journalisé par `services._envoyer` : on le refuse."""
    yield
    assert "File de tâches injoignable" not in caplog.text


# --- Un bilan produit par le worker -------------------------------------------------------------


def test_le_worker_produit_le_bilan_demande(worker, sans_file_injoignable, client):
    villeray = construire_quartier(nom="Villeray", indicateurs=3, trimestres=4)
    coordonnatrice = AffectationFactory(quartier=villeray, role="coordonnateur").utilisateur
    assert not generer_bilan_task.app.conf.task_always_eager

    bilan = demander(coordonnatrice, villeray)

    bilan = attendre_statut(
        bilan.pk, {StatutBilan.PRET, StatutBilan.ECHEC}, worker, DELAI_PRODUCTION
    )
    assert bilan.statut == StatutBilan.PRET, bilan.erreur
    assert bilan.tentatives == 1
    assert attendre_executions(worker, 1) == ["'pret'"]
    pdf = verifier_fichiers_complets(bilan)
    texte = texte_du_pdf(pdf)
    for attendu in ("Villeray", *SECTIONS):
        assert attendu in texte, attendu

    # « En bref » : chaque constat de l'instantané, avec ses chiffres, est dans le PDF.
    texte_plat = sans_espaces_multiples(texte)
    debut = re.search(r"En bref (?!\.)", texte_plat).start()  # le titre, pas la table des matières
    en_bref = texte_plat[debut : texte_plat.index("Indicateurs — Villeray", debut)]
    tous = {c.cle: c for c in constats(bilan.instantane)}
    assert set(tous) == {"partenaires", "participation", "influence", "indicateurs"}
    for constat in tous.values():
        assert sans_espaces_multiples(constat.texte) in en_bref, constat.texte
    chiffres = tous["indicateurs"].chiffres
    series = bilan.instantane["quartiers"][0]["series"]
    assert chiffres["total"] == len(series) == 3
    assert sum(v for c, v in chiffres.items() if c != "total") == chiffres["total"]

    def accorde(cle: str, singulier: str, pluriel: str) -> str:
        nombre = int(chiffres[cle])  # en français, 0 et 1 au singulier
        return f"{nombre} {singulier if nombre <= 1 else pluriel}"

    assert f"Sur {accorde('total', 'indicateur suivi', 'indicateurs suivis')}" in en_bref
    for cle, singulier, pluriel in (
        ("atteint", "a atteint sa cible", "ont atteint leur cible"),
        ("en_bonne_voie", "est en bonne voie", "sont en bonne voie"),
        ("a_surveiller", "est à surveiller", "sont à surveiller"),
        ("sans_donnees", "n'a pas encore de données", "n'ont pas encore de données"),
    ):
        # Une partie qui compte zéro n'est pas dite (« 0 n'a pas encore de données »).
        fragment = accorde(cle, singulier, pluriel)
        assert (fragment in en_bref) == bool(chiffres[cle]), fragment
    # Les chiffres de l'instantané, écrits dans la langue du bilan (« 2,035 » en français).
    with translation.override(bilan.instantane["langue"]):
        for cle in ("participation", "influence"):
            for moment in ("avant", "apres"):
                assert nombre(tous[cle].chiffres[moment]) in tous[cle].texte, (cle, moment)
        partenaires = tous["partenaires"]
        for moment in ("depart", "fin"):
            for cle in ("partenaires_actifs", "secteurs_distincts", "diversite_shannon"):
                chiffre = nombre(partenaires.chiffres[moment][cle])
                assert chiffre in partenaires.texte, (moment, cle)
    assert partenaires.chiffres["fin"]["partenaires_actifs"] == "3"

    # Le fichier servi est celui-là.
    client.force_login(coordonnatrice)
    reponse = client.get(reverse("bilan_fichier", args=[bilan.pk, "pdf"]))
    assert reponse.status_code == 200
    assert b"".join(reponse.streaming_content) == pdf


# --- Le bilan du PIC réparti entre deux processus ----------------------------------------------


def test_le_bilan_du_pic_se_repartit_entre_deux_processus(worker_arrete, sans_file_injoignable):
    """Avec un stockage des résultats, le bilan du PIC se peint en tranches (images et PDF de
    chaque groupe de quartiers), puis se réunit : le PDF est complet et balisé."""
    noms = ["Villeray", "Saint-Michel", "Parc-Extension"]
    for nom in noms:  # assez de figures pour deux tranches, malgré l'avance de la première
        construire_quartier(nom=nom, indicateurs=30, trimestres=4)
    evaluatrice = UtilisateurFactory(role_global=RoleGlobal.EVALUATEUR)
    worker_arrete.demarrer(concurrence=2, resultats=True)

    bilan = services.demander_bilan(auteur=evaluatrice, portee=Portee.PIC, annee=2023, trimestre=4)

    bilan = attendre_statut(
        bilan.pk, {StatutBilan.PRET, StatutBilan.ECHEC}, worker_arrete, DELAI_PRODUCTION
    )
    assert bilan.statut == StatutBilan.PRET, bilan.erreur
    assert len(groupes_de_quartiers(bilan.instantane, 2)) == 2  # vraiment réparti

    def terminees(tache: str) -> int:
        return len(re.findall(rf"rapports\.{tache}\[[0-9a-f-]+\] succeeded", journal))

    fin = time.monotonic() + 30  # la ligne passe « prête » juste avant la fin de la tâche
    journal = worker_arrete.journal()
    while not terminees("terminer_bilan") and time.monotonic() < fin:
        time.sleep(0.1)
        journal = worker_arrete.journal()
    for tache, fois in (
        ("generer_bilan", 1),
        ("peindre_tranche", 2),
        ("terminer_bilan", 1),
    ):
        assert terminees(tache) == fois, tache
    pdf = verifier_fichiers_complets(bilan)
    texte = texte_du_pdf(pdf)
    for attendu in (*noms, "Les quartiers côte à côte", *SECTIONS):
        assert attendu in texte, attendu
    racine = PdfReader(io.BytesIO(pdf)).trailer["/Root"]
    assert "/StructTreeRoot" in racine and bool(racine["/MarkInfo"]["/Marked"])


# --- Un worker tué en plein bilan ---------------------------------------------------------------


def test_un_worker_tue_ne_laisse_ni_bilan_bloque_ni_fichier_tronque_servi(
    worker, sans_file_injoignable, client
):
    # Assez d'indicateurs (une figure kaleido chacun) pour tuer le worker au milieu du travail.
    rosemont = construire_quartier(nom="Rosemont", indicateurs=40, trimestres=8)
    coordonnatrice = AffectationFactory(quartier=rosemont, role="coordonnateur").utilisateur
    client.force_login(coordonnatrice)
    bilan = demander(coordonnatrice, rosemont)

    bilan = attendre_statut(bilan.pk, {StatutBilan.EN_COURS, StatutBilan.PRET}, worker, 30)
    assert bilan.statut == StatutBilan.EN_COURS
    time.sleep(1)  # les figures sont en cours de rendu
    worker.tuer()

    bilan.refresh_from_db()
    assert bilan.statut == StatutBilan.EN_COURS, "le bilan a fini avant que le worker soit tué"
    assert bilan.tentatives == 1
    assert not any(getattr(bilan, f"fichier_{extension}") for extension in FICHIERS)
    assert client.get(reverse("bilan_fichier", args=[bilan.pk, "pdf"])).status_code == 404

    # Un nouveau worker; puis le rattrapage que beat lance toutes les 5 minutes, une fois le délai
    # passé : le bilan repart en file.
    worker.demarrer()
    plus_tard = timezone.now() + datetime.timedelta(seconds=settings.EVALPIC_BILAN_DELAI_BLOQUE + 1)
    assert services.recuperer_bilans_bloques(maintenant=plus_tard) == [bilan.pk]

    bilan = attendre_statut(
        bilan.pk, {StatutBilan.PRET, StatutBilan.ECHEC}, worker, DELAI_PRODUCTION
    )
    assert bilan.statut == StatutBilan.PRET, bilan.erreur
    assert bilan.tentatives == 2
    pdf = verifier_fichiers_complets(bilan)
    for extension in FICHIERS:
        assert getattr(bilan, f"fichier_{extension}").name.split("/")[-1].startswith("t2-")
    assert "Rosemont" in texte_du_pdf(pdf)
    reponse = client.get(reverse("bilan_fichier", args=[bilan.pk, "pdf"]))
    assert reponse.status_code == 200
    assert b"".join(reponse.streaming_content) == pdf
    assert attendre_executions(worker, 1) == ["'pret'"]


# --- Un message en double -----------------------------------------------------------------------


def test_le_meme_message_recu_deux_fois_ne_produit_qu_un_bilan(
    worker_arrete, file_redis, sans_file_injoignable
):
    # Deux processus dans le pool : les deux messages sont traités en même temps.
    worker_arrete.demarrer(concurrence=2)
    villeray = construire_quartier(nom="Villeray", indicateurs=3, trimestres=4)
    coordonnatrice = AffectationFactory(quartier=villeray, role="coordonnateur").utilisateur

    bilan = demander(coordonnatrice, villeray)
    generer_bilan_task.delay(bilan.pk)

    bilan = attendre_statut(
        bilan.pk, {StatutBilan.PRET, StatutBilan.ECHEC}, worker_arrete, DELAI_PRODUCTION
    )
    assert bilan.statut == StatutBilan.PRET, bilan.erreur
    # Les deux messages ont été traités : l'un a produit le bilan, l'autre n'a rien fait.
    assert sorted(attendre_executions(worker_arrete, 2)) == ["'pret'", "None"]
    time.sleep(2)
    assert len(executions(worker_arrete)) == 2
    # Plus rien en file ni en attente d'accusé de réception : aucun des deux ne reviendra.
    assert file_redis.llen("celery") == 0
    assert file_redis.hlen("unacked") == 0

    assert Bilan.objects.count() == 1
    bilan.refresh_from_db()
    assert bilan.statut == StatutBilan.PRET and bilan.tentatives == 1
    verifier_fichiers_complets(bilan)
    assert all(nom.startswith("t1-") for nom in fichiers_du_bilan(bilan))
    assert len(fichiers_du_bilan(bilan)) == len(FICHIERS)
