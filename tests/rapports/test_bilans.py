"""Les bilans : demande et droits, production (instantané figé, fichiers, PDF lu), message en
double, rattrapage d'un worker arrêté, planification, pages et téléchargements."""

from __future__ import annotations

import datetime
import io
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from indicateurs.models import Periode, StatutPeriode
from rapports import repartition, services
from rapports.en_bref import constats
from rapports.exports import exporter_csv, exporter_xlsx
from rapports.instantane import construire_instantane, somme_de_controle
from rapports.models import Bilan, Portee, StatutBilan
from tests.factories import AffectationFactory, construire_quartier
from tests.rapports.test_w2_repartition_poids import instantane_de

pytestmark = pytest.mark.django_db


@pytest.fixture
def villeray():
    return construire_quartier(nom="Villeray", indicateurs=3, trimestres=4)


@pytest.fixture
def coordonnatrice(villeray):
    return AffectationFactory(quartier=villeray, role="coordonnateur").utilisateur


def demander(auteur, quartier, **autres) -> Bilan:
    with mock.patch("rapports.tasks.generer_bilan_task.delay"):
        return services.demander_bilan(
            auteur=auteur,
            portee=Portee.QUARTIER,
            quartier=quartier,
            annee=2023,
            trimestre=4,
            **autres,
        )


# --- Demander -------------------------------------------------------------------------------


def test_la_demande_met_la_tache_en_file_apres_la_transaction(
    coordonnatrice, villeray, django_capture_on_commit_callbacks
):
    with mock.patch("rapports.tasks.generer_bilan_task.delay") as delay:
        with django_capture_on_commit_callbacks(execute=False) as rappels:
            bilan = services.demander_bilan(
                auteur=coordonnatrice,
                portee=Portee.QUARTIER,
                quartier=villeray,
                annee=2023,
                trimestre=4,
            )
        delay.assert_not_called()
        for rappel in rappels:
            rappel()
        delay.assert_called_once_with(bilan.pk)
    assert bilan.statut == StatutBilan.EN_ATTENTE


def test_un_coordonnateur_ne_demande_pas_le_bilan_d_un_autre_quartier(charlie, villeray):
    with pytest.raises(Http404):
        demander(charlie, villeray)
    assert not Bilan.objects.exists()


def test_le_bilan_du_pic_est_reserve_a_l_evaluation(coordonnatrice, eve, villeray):
    with pytest.raises(PermissionDenied):
        services.demander_bilan(auteur=coordonnatrice, portee=Portee.PIC, annee=2023, trimestre=4)
    with mock.patch("rapports.tasks.generer_bilan_task.delay"):
        bilan = services.demander_bilan(auteur=eve, portee=Portee.PIC, annee=2023, trimestre=4)
    assert bilan.quartier is None


def test_une_periode_sans_donnees_est_refusee(coordonnatrice, villeray):
    with pytest.raises(ValidationError):
        services.demander_bilan(
            auteur=coordonnatrice,
            portee=Portee.QUARTIER,
            quartier=villeray,
            annee=2030,
            trimestre=1,
        )


# --- Produire -------------------------------------------------------------------------------


def test_le_bilan_produit_fige_ses_donnees_et_ses_fichiers(coordonnatrice, villeray):
    bilan = services.generer_bilan(bilan_id=demander(coordonnatrice, villeray).pk)
    assert bilan.statut == StatutBilan.PRET, bilan.erreur
    assert bilan.somme_controle == somme_de_controle(bilan.instantane)
    assert bilan.instantane["quartiers"][0]["nom"] == "Villeray"
    texte = "\n".join(
        page.extract_text() for page in PdfReader(io.BytesIO(bilan.fichier_pdf.read())).pages
    )
    for attendu in (
        "Villeray",
        "En bref",
        "Les défis",
        "Les changements de pratiques",
        "Au-delà des changements",
        "Méthodologie",
    ):
        assert attendu in texte, attendu
    # Les chiffres « En bref » du PDF sont ceux de l'instantané.
    for constat in constats(bilan.instantane):
        assert " ".join(constat.texte.split()[:6]) in " ".join(texte.split())


def test_regenerer_depuis_l_instantane_redonne_les_memes_octets(coordonnatrice, villeray):
    bilan = services.generer_bilan(bilan_id=demander(coordonnatrice, villeray).pk)
    assert exporter_csv(bilan.instantane) == bilan.fichier_csv.read()
    assert exporter_xlsx(bilan.instantane) == bilan.fichier_xlsx.read()
    # Relire la base donne le même instantané tant que rien n'a changé.
    assert somme_de_controle(construire_instantane(bilan)) == bilan.somme_controle


def test_un_message_en_double_ne_produit_qu_un_bilan(coordonnatrice, villeray):
    bilan = demander(coordonnatrice, villeray)
    premier = services.generer_bilan(bilan_id=bilan.pk)
    assert services.generer_bilan(bilan_id=bilan.pk) is None
    assert Bilan.objects.count() == 1
    bilan.refresh_from_db()
    assert bilan.tentatives == 1 and bilan.fichier_pdf.name == premier.fichier_pdf.name


def test_une_erreur_marque_le_bilan_en_echec_avec_sa_raison(coordonnatrice, villeray):
    bilan = demander(coordonnatrice, villeray)
    with mock.patch("rapports.services.construire_instantane", side_effect=RuntimeError("panne")):
        services.generer_bilan(bilan_id=bilan.pk)
    bilan.refresh_from_db()
    assert bilan.statut == StatutBilan.ECHEC and "panne" in bilan.erreur
    assert not bilan.fichier_pdf


def test_un_bilan_abandonne_par_un_worker_est_repris_puis_produit(
    coordonnatrice, villeray, settings
):
    bilan = demander(coordonnatrice, villeray)
    Bilan.objects.filter(pk=bilan.pk).update(
        statut=StatutBilan.EN_COURS,
        tentatives=1,
        debut_generation=timezone.now() - datetime.timedelta(hours=1),
    )
    with mock.patch("rapports.tasks.generer_bilan_task.delay") as delay:
        repris = services.recuperer_bilans_bloques()
    assert repris == [bilan.pk]
    bilan.refresh_from_db()
    assert bilan.statut == StatutBilan.EN_ATTENTE
    assert services.generer_bilan(bilan_id=bilan.pk).statut == StatutBilan.PRET
    del delay


def test_un_bilan_abandonne_trop_souvent_passe_en_echec(coordonnatrice, villeray, settings):
    bilan = demander(coordonnatrice, villeray)
    Bilan.objects.filter(pk=bilan.pk).update(
        statut=StatutBilan.EN_COURS,
        tentatives=settings.EVALPIC_BILAN_TENTATIVES_MAX,
        debut_generation=timezone.now() - datetime.timedelta(hours=1),
    )
    with mock.patch("rapports.tasks.generer_bilan_task.delay"):
        services.recuperer_bilans_bloques()
    bilan.refresh_from_db()
    assert bilan.statut == StatutBilan.ECHEC and bilan.erreur


def test_un_bilan_en_cours_recent_n_est_pas_repris(coordonnatrice, villeray):
    bilan = demander(coordonnatrice, villeray)
    Bilan.objects.filter(pk=bilan.pk).update(
        statut=StatutBilan.EN_COURS, debut_generation=timezone.now()
    )
    with mock.patch("rapports.tasks.generer_bilan_task.delay"):
        assert services.recuperer_bilans_bloques() == []


# --- Planifier ------------------------------------------------------------------------------


def test_le_calendrier_cree_les_bilans_d_un_trimestre_ferme_une_seule_fois(villeray, quartier_b):
    Periode.objects.update(statut=StatutPeriode.FERMEE)  # 2023-T1 … 2023-T4
    with mock.patch("rapports.tasks.generer_bilan_task.delay"):
        crees = services.planifier_bilans(aujourd_hui=datetime.date(2024, 3, 1))
        encore = services.planifier_bilans(aujourd_hui=datetime.date(2024, 3, 2))
    # Villeray suit des indicateurs (quartier_b non) : T4 2023 pour Villeray et le PIC, puis les
    # bilans annuels 2023 des mêmes portées, puisque c'est un quatrième trimestre.
    assert sorted((b.portee, b.trimestre or 0) for b in crees) == [
        ("pic", 0),
        ("pic", 4),
        ("quartier", 0),
        ("quartier", 4),
    ]
    assert all(b.planifie and b.annee == 2023 for b in crees)
    assert encore == []
    assert Bilan.objects.count() == 4


def test_le_calendrier_ne_cree_rien_sans_trimestre_ferme(villeray):
    Periode.objects.update(statut=StatutPeriode.OUVERTE)
    assert services.planifier_bilans(aujourd_hui=datetime.date(2024, 3, 1)) == []


# --- Pages et téléchargements ---------------------------------------------------------------


@pytest.fixture
def bilans_produits(coordonnatrice, villeray, eve):
    autre = construire_quartier(nom="Ailleurs", indicateurs=1, trimestres=4)
    bilan_a = services.generer_bilan(bilan_id=demander(coordonnatrice, villeray).pk)
    with mock.patch("rapports.tasks.generer_bilan_task.delay"):
        bilan_b = services.demander_bilan(
            auteur=eve, portee=Portee.QUARTIER, quartier=autre, annee=2023, trimestre=4
        )
        pic = services.demander_bilan(auteur=eve, portee=Portee.PIC, annee=2023, trimestre=4)
    return bilan_a, services.generer_bilan(bilan_id=bilan_b.pk), pic


def test_un_coordonnateur_ne_liste_et_ne_telecharge_que_ses_bilans(
    client, coordonnatrice, bilans_produits
):
    a, b, pic = bilans_produits
    client.force_login(coordonnatrice)
    contenu = client.get(reverse("bilans")).content.decode()
    assert (
        str(a) in contenu and str(b) not in contenu and "Projet impact collectif —" not in contenu
    )
    assert client.get(reverse("bilan_fichier", args=[a.pk, "pdf"])).status_code == 200
    for autre in (b, pic):
        assert client.get(reverse("bilan_detail", args=[autre.pk])).status_code == 404
        assert client.get(reverse("bilan_fichier", args=[autre.pk, "pdf"])).status_code == 404


def test_l_evaluation_voit_aussi_le_bilan_du_pic(client, eve, bilans_produits):
    _a, _b, pic = bilans_produits
    client.force_login(eve)
    assert client.get(reverse("bilan_detail", args=[pic.pk])).status_code == 200


def test_la_page_d_un_bilan_pret_montre_ses_sections(client, coordonnatrice, bilans_produits):
    a, _b, _pic = bilans_produits
    client.force_login(coordonnatrice)
    contenu = client.get(reverse("bilan_detail", args=[a.pk])).content.decode()
    for attendu in ("En bref", "Les défis", "Méthodologie et complétude", a.somme_controle):
        assert attendu in contenu


def test_demander_un_bilan_par_la_page(client, coordonnatrice, villeray):
    client.force_login(coordonnatrice)
    with mock.patch("rapports.tasks.generer_bilan_task.delay"):
        reponse = client.post(
            reverse("bilans"), {"quartier": villeray.slug, "periode": "2023-T4", "langue": "fr"}
        )
    assert reponse.status_code == 302
    assert Bilan.objects.get().quartier == villeray


@pytest.mark.parametrize(
    "donnees",
    [
        {"quartier": "pic", "periode": "2023-T4", "langue": "fr"},
        {"quartier": "inconnu", "periode": "2023-T4", "langue": "fr"},
        {"quartier": "villeray", "periode": "1999-T1", "langue": "fr"},
        {"quartier": "villeray", "periode": "2023-T4", "langue": "xx"},
    ],
)
def test_une_demande_invalide_repond_400_sans_rien_creer(client, coordonnatrice, villeray, donnees):
    client.force_login(coordonnatrice)
    reponse = client.post(reverse("bilans"), donnees)
    assert reponse.status_code == 400
    assert not Bilan.objects.exists()


def test_comparer_deux_bilans_de_meme_portee(client, coordonnatrice, villeray, bilans_produits):
    a, b, _pic = bilans_produits
    second = services.generer_bilan(bilan_id=demander(coordonnatrice, villeray).pk)
    client.force_login(coordonnatrice)
    reponse = client.get(reverse("bilans_comparer"), {"a": a.pk, "b": second.pk})
    assert reponse.status_code == 200
    assert len(reponse.context["differences"]) == 3
    client.force_login(coordonnatrice)
    assert client.get(reverse("bilans_comparer"), {"a": a.pk, "b": b.pk}).status_code == 404
    assert client.get(reverse("bilans_comparer"), {"a": "x", "b": a.pk}).status_code == 400


def _pic_avec_des_workers(eve, settings, *, tranches: int):
    """Un bilan du PIC de deux quartiers, demandé, que produiront de vrais workers (simulés)
    avec un stockage des résultats et `tranches` tranches de PDF."""
    construire_quartier(nom="Ailleurs", indicateurs=2, trimestres=4)
    with mock.patch("rapports.tasks.generer_bilan_task.delay"):
        bilan = services.demander_bilan(auteur=eve, portee=Portee.PIC, annee=2023, trimestre=4)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_RESULT_BACKEND = "redis://127.0.0.1:6379/15"
    settings.EVALPIC_BILAN_TRANCHES_PDF = tranches
    return bilan


def _bilan_du_pic_reparti(eve, settings, monkeypatch):
    """Un bilan du PIC de deux quartiers, lancé avec de vrais workers (simulés) : rend le bilan
    et les rangs des quartiers de chaque tranche envoyée (une par quartier : les quartiers de
    test sont trop petits pour l'avance de la première tranche)."""
    monkeypatch.setattr(repartition, "AVANCE_PREMIERE_TRANCHE", 0)
    bilan = _pic_avec_des_workers(eve, settings, tranches=2)
    with mock.patch("celery.chord") as chord:
        assert services.generer_bilan(bilan_id=bilan.pk).statut == StatutBilan.EN_COURS
    tranches, rappel = list(chord.call_args.args[0]), chord.return_value.call_args.args[0]
    assert rappel.args == (bilan.pk, 1)
    assert all(tranche.args[:2] == (bilan.pk, 1) for tranche in tranches)
    return bilan, [tranche.args[2] for tranche in tranches]


def _texte(contenu: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(contenu)).pages]


def test_les_quartiers_se_partagent_en_tranches_consecutives_equilibrees():
    # Des indicateurs chiffrés : une figure chacun (les indicateurs en texte ne pèsent rien,
    # tests/rapports/test_w2_repartition_poids.py).
    instantane = instantane_de(10, 30, 10, 10, 40, 60, 40)
    avance = repartition.AVANCE_PREMIERE_TRANCHE
    groupes = repartition.groupes_de_quartiers(instantane, 2)
    assert groupes == [[0, 1, 2, 3], [4, 5, 6]]  # 50 + 10 + 30 + 10 + 10 = 110 contre 140
    assert avance == 50
    assert repartition.groupes_de_quartiers(instantane, 1) == [list(range(7))]
    assert repartition.groupes_de_quartiers(instantane_de(0), 3) == [[0]]
    # Dès trois tranches, un groupe peut n'avoir que des quartiers sans série : sa tranche ne
    # peint rien (tests/rapports/test_pdf_tranches.py, tranche sans figure).
    sans_serie = instantane_de(300, 0, 300)
    assert repartition.groupes_de_quartiers(sans_serie, 3) == [[0], [1], [2]]
    # Peu de travail : l'avance de la première tranche suffit, le quartier va à la seconde.
    assert repartition.groupes_de_quartiers(instantane_de(1), 2) == [[0]]


def test_le_pdf_du_pic_se_peint_en_tranches_puis_se_reunit(eve, villeray, settings, monkeypatch):
    bilan, groupes = _bilan_du_pic_reparti(eve, settings, monkeypatch)
    assert groupes == [[0], [1]]  # « Ailleurs », puis « Villeray » (ordre des noms)
    # Ce que font les workers : chaque tranche, puis la réunion.
    peintes = [
        repartition.peindre_tranche(bilan_id=bilan.pk, tentative=1, rangs=rangs)
        for rangs in groupes
    ]
    # La base écrit les autres fichiers; l'autre tranche ne peint que les figures de Villeray.
    assert set(peintes[0]["ecrits"]) == {"html", "xlsx", "csv"} and peintes[1]["ecrits"] is None
    assert peintes[0]["cles"] is None
    assert peintes[1]["cles"] and all(cle.startswith("villeray:") for cle in peintes[1]["cles"])
    assert repartition.peindre_tranche(bilan_id=bilan.pk, tentative=2, rangs=[0]) is None
    pret = repartition.terminer_bilan(bilan_id=bilan.pk, tentative=1, tranches=peintes)
    assert pret.statut == StatutBilan.PRET
    assert all(getattr(pret, f"fichier_{extension}") for extension in services.FICHIERS)
    reuni = _texte(pret.fichier_pdf.read())
    texte = " ".join(reuni)
    assert "Villeray" in texte and "Ailleurs" in texte and "côte à côte" in texte
    # Le PDF réuni a les mêmes pages, le même texte que celui d'un seul processus.
    seul = services.pdf_du_bilan(pret.instantane, services.titre_du_bilan(pret))
    assert reuni == _texte(seul)


def test_une_seule_tranche_fait_tout_dans_la_tache_du_bilan(eve, villeray, settings):
    bilan = _pic_avec_des_workers(eve, settings, tranches=1)
    with mock.patch("celery.chord") as chord:
        assert services.generer_bilan(bilan_id=bilan.pk).statut == StatutBilan.PRET
    chord.assert_not_called()


def test_une_tranche_ratee_marque_le_bilan_en_echec(eve, villeray, settings, monkeypatch):
    bilan, groupes = _bilan_du_pic_reparti(eve, settings, monkeypatch)
    with mock.patch("rapports.pdf.html_en_pdf", side_effect=RuntimeError("panne")):
        assert repartition.peindre_tranche(bilan_id=bilan.pk, tentative=1, rangs=groupes[0]) is None
    bilan.refresh_from_db()
    assert bilan.statut == StatutBilan.ECHEC and "panne" in bilan.erreur
    assert repartition.terminer_bilan(bilan_id=bilan.pk, tentative=1, tranches=[None]) is None


def test_un_bilan_reste_en_attente_est_relance_au_plus_une_fois_par_delai(
    coordonnatrice, villeray, django_capture_on_commit_callbacks
):
    bilan = demander(coordonnatrice, villeray)  # file « injoignable » : jamais mis en file
    il_y_a_une_heure = timezone.now() - datetime.timedelta(hours=1)
    Bilan.objects.filter(pk=bilan.pk).update(created_at=il_y_a_une_heure)
    with mock.patch("rapports.tasks.generer_bilan_task.delay") as delay:
        with django_capture_on_commit_callbacks(execute=True):
            assert services.recuperer_bilans_bloques() == [bilan.pk]
        with django_capture_on_commit_callbacks(execute=True):
            assert services.recuperer_bilans_bloques() == []  # déjà relancé à l'instant
    delay.assert_called_once_with(bilan.pk)
    bilan.refresh_from_db()
    assert bilan.mis_en_file_le is not None


def test_un_bilan_en_attente_apres_trop_d_erreurs_passe_en_echec(
    coordonnatrice, villeray, settings
):
    bilan = demander(coordonnatrice, villeray)
    Bilan.objects.filter(pk=bilan.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=1),
        tentatives=settings.EVALPIC_BILAN_TENTATIVES_MAX,
    )
    with mock.patch("rapports.tasks.generer_bilan_task.delay"):
        services.recuperer_bilans_bloques()
    bilan.refresh_from_db()
    assert bilan.statut == StatutBilan.ECHEC
