"""`manage.py verifier_integrite` : des données propres passent; un fichier de bilan altéré ou
manquant, un instantané modifié, une valeur sans historique ou qui le contredit, une saisie
hors circuit sont signalés, avec leurs identifiants; le nombre de requêtes ne dépend pas du
volume."""

from __future__ import annotations

import hashlib
import importlib
import io
import json
from decimal import Decimal
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from evalpic import integrite
from indicateurs import services as saisies
from indicateurs.models import (
    EvenementSaisie,
    Periode,
    Saisie,
    StatutPeriode,
    TypeEvenement,
    Valeur,
)
from indicateurs.validation import DonneeValeur
from quartiers.models import Quartier
from rapports import services as bilans
from rapports.models import Bilan, Portee
from tests.evalpic.donnees_integrite import FICHIERS, bilan_pret, quartier_propre
from tests.factories import (
    AffectationFactory,
    IndicateurFactory,
    IndicateurSuiviFactory,
    periode_du_trimestre,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fichiers_temporaires(fichiers_temporaires):
    """Chaque test écrit ses fichiers dans un dossier temporaire (tests/conftest.py)."""


def verifier(*options: str) -> tuple[int, str]:
    """(code de sortie, sortie standard) de la commande."""
    sortie = io.StringIO()
    try:
        call_command("verifier_integrite", *options, stdout=sortie)
    except CommandError as erreur:
        return erreur.returncode, sortie.getvalue()
    return 0, sortie.getvalue()


def codes(problemes) -> list[str]:
    return [p.code for p in problemes]


# --- Données propres ----------------------------------------------------------------------------


def test_les_donnees_de_demonstration_et_un_bilan_pret_n_ont_aucun_probleme():
    call_command("charger_demo", stdout=io.StringIO())
    fermee = Periode.objects.filter(statut=StatutPeriode.FERMEE).order_by("-debut").first()
    bilan_pret(Quartier.objects.get(slug="saint-michel"), fermee.annee, fermee.trimestre)
    code, sortie = verifier()
    assert code == 0, sortie
    assert "aucun problème" in sortie


def test_le_circuit_complet_par_les_services_reste_integre(quartier_a, alice, eve):
    """Valeurs saisies en anglais (« not available ») puis corrigées en français, soumission,
    renvoi, validation : l'historique suit chaque étape."""
    periode = periode_du_trimestre(2025, 1, statut=StatutPeriode.OUVERTE)
    menages = IndicateurFactory(code="menages", unite="nombre")
    taux = IndicateurFactory(code="taux", unite="pourcentage")
    for indicateur in (menages, taux):
        IndicateurSuiviFactory(quartier=quartier_a, indicateur=indicateur)
    saisie = saisies.saisie_pour(table=quartier_a.table, periode=periode, auteur=alice)
    with translation.override("en"):
        saisies.enregistrer_saisie(
            saisie=saisie,
            auteur=alice,
            version=1,
            donnees={
                menages.pk: DonneeValeur(non_disponible=True, raison="Survey postponed"),
                taux.pk: DonneeValeur(valeur=Decimal("12.50"), commentaire="Estimate"),
            },
        )
    saisies.enregistrer_saisie(
        saisie=saisie,
        auteur=alice,
        version=2,
        donnees={menages.pk: DonneeValeur(valeur=Decimal("120"))},
    )
    saisie = saisies.soumettre_saisie(saisie=saisie, auteur=alice, version=3)
    saisie = saisies.renvoyer_saisie(saisie=saisie, auteur=eve, version=4, motif="Vérifier")
    saisie = saisies.soumettre_saisie(saisie=saisie, auteur=alice, version=5)
    saisies.valider_saisie(saisie=saisie, auteur=eve, version=6)
    assert integrite.verifier_valeurs() == []
    assert integrite.verifier_saisies() == []


def test_le_bilan_produit_note_l_empreinte_de_chaque_fichier():
    bilan = bilan_pret(quartier_propre())
    assert bilan.empreintes == {
        extension: {"sha256": hashlib.sha256(contenu).hexdigest(), "taille": len(contenu)}
        for extension, contenu in FICHIERS.items()
    }
    assert bilan.fichier_pdf.read() == FICHIERS["pdf"]
    assert integrite.verifier_bilans() == []


# --- Bilans -------------------------------------------------------------------------------------


def test_un_pdf_altere_est_trouve_et_nomme():
    bilan = bilan_pret(quartier_propre())
    nom = bilan.fichier_pdf.name
    with open(default_storage.path(nom), "r+b") as fichier:  # mêmes taille, autres octets
        fichier.seek(5)
        fichier.write(b"X")
    code, sortie = verifier()
    assert code == 1
    assert f"Bilan n° {bilan.pk}" in sortie
    assert f"pdf ({nom})" in sortie
    [probleme] = integrite.verifier_bilans()
    assert probleme.code == "bilan_fichier_altere"
    assert probleme.objets["attendu"] == bilan.empreintes["pdf"]["sha256"]
    with default_storage.open(nom) as fichier:
        assert probleme.objets["trouve"] == hashlib.sha256(fichier.read()).hexdigest()


def test_un_fichier_tronque_est_trouve_par_sa_taille():
    bilan = bilan_pret(quartier_propre())
    default_storage.delete(bilan.fichier_xlsx.name)
    default_storage.save(bilan.fichier_xlsx.name, ContentFile(b"PK"))
    [probleme] = integrite.verifier_bilans()
    assert probleme.code == "bilan_fichier_altere"
    assert probleme.objets["format"] == "xlsx"
    assert probleme.objets["trouvee"] == 2


def test_un_fichier_manquant_est_trouve():
    bilan = bilan_pret(quartier_propre())
    default_storage.delete(bilan.fichier_csv.name)
    [probleme] = integrite.verifier_bilans()
    assert probleme.code == "bilan_fichier_introuvable"
    assert probleme.objets["bilan"] == bilan.pk
    assert "introuvable" in probleme.message


def test_un_instantane_modifie_et_un_fichier_sans_empreinte_sont_trouves():
    bilan = bilan_pret(quartier_propre())
    instantane = bilan.instantane
    instantane["quartiers"][0]["nom"] = "Autre nom"
    Bilan.objects.filter(pk=bilan.pk).update(
        instantane=instantane, empreintes={"pdf": bilan.empreintes["pdf"]}
    )
    assert sorted(codes(integrite.verifier_bilans())) == [
        "bilan_fichier_sans_empreinte",
        "bilan_fichier_sans_empreinte",
        "bilan_fichier_sans_empreinte",
        "bilan_instantane_modifie",
    ]


def test_un_bilan_pas_encore_pret_n_est_pas_verifie():
    quartier = quartier_propre()
    with mock.patch("rapports.tasks.generer_bilan_task.delay"):
        bilans.demander_bilan(
            auteur=AffectationFactory(quartier=quartier, role="coordonnateur").utilisateur,
            portee=Portee.QUARTIER,
            quartier=quartier,
            annee=2023,
            trimestre=4,
        )
    assert integrite.verifier_bilans() == []


# --- Valeurs et historique ----------------------------------------------------------------------


def test_une_valeur_creee_sans_passer_par_le_service_est_trouvee():
    quartier = quartier_propre()
    saisie = Saisie.objects.filter(table=quartier.table).first()
    valeur = Valeur.objects.create(
        saisie=saisie, indicateur=IndicateurFactory(code="orpheline"), valeur_numerique=7
    )
    code, sortie = verifier()
    assert code == 1
    assert f"Valeur n° {valeur.pk} (saisie n° {saisie.pk}" in sortie
    assert "orpheline" in sortie
    assert "aucune ligne d'historique" in sortie
    assert codes(integrite.verifier_valeurs()) == ["valeur_sans_historique"]


def test_une_valeur_dont_l_historique_est_efface_est_trouvee():
    quartier_propre()
    valeur = Valeur.objects.order_by("pk").last()
    EvenementSaisie.objects.filter(saisie=valeur.saisie, indicateur=valeur.indicateur).delete()
    [probleme] = integrite.verifier_valeurs()
    assert (probleme.code, probleme.objets["valeur"]) == ("valeur_sans_historique", valeur.pk)


def test_une_valeur_qui_contredit_son_historique_est_trouvee():
    quartier_propre()
    valeur = Valeur.objects.order_by("pk").first()
    Valeur.objects.filter(pk=valeur.pk).update(valeur_numerique=Decimal("999"))
    [probleme] = integrite.verifier_valeurs()
    assert probleme.code == "valeur_differente_de_l_historique"
    assert probleme.objets["valeur"] == valeur.pk
    assert f"« {valeur.valeur_numerique.normalize():f} »" in probleme.message
    assert "« 999 »" in probleme.message


def test_seule_la_derniere_ligne_d_historique_compte():
    quartier_propre()
    valeur = Valeur.objects.order_by("pk").first()
    Valeur.objects.filter(pk=valeur.pk).update(valeur_numerique=Decimal("42"))
    EvenementSaisie.objects.create(
        saisie=valeur.saisie,
        type_evenement=TypeEvenement.VALEUR,
        indicateur=valeur.indicateur,
        ancienne=f"{valeur.valeur_numerique.normalize():f}",
        nouvelle="42",
        version=1,
    )
    assert integrite.verifier_valeurs() == []


def test_une_valeur_supprimee_qui_reste_dans_l_historique_est_trouvee():
    quartier_propre()
    valeur = Valeur.objects.order_by("pk").first()
    valeur.delete()
    [probleme] = integrite.verifier_valeurs()
    assert probleme.code == "historique_sans_valeur"
    assert probleme.objets["saisie"] == valeur.saisie_id


# --- Saisies ------------------------------------------------------------------------------------


def test_une_saisie_hors_circuit_est_trouvee():
    quartier = quartier_propre()
    premiere, deuxieme, troisieme, *_ = Saisie.objects.filter(table=quartier.table).order_by("pk")
    Saisie.objects.filter(pk=premiere.pk).update(validee_le=None)
    Saisie.objects.filter(pk=deuxieme.pk).update(version=0)
    Saisie.objects.filter(pk=troisieme.pk).update(statut="brouillon")
    assert sorted((p.objets["saisie"], p.code) for p in integrite.verifier_saisies()) == [
        (premiere.pk, "saisie_sans_date_de_validation"),
        (deuxieme.pk, "saisie_version_en_retard"),
        (deuxieme.pk, "saisie_version_invalide"),
        (troisieme.pk, "saisie_date_de_validation_en_trop"),
    ]


# --- Sortie -------------------------------------------------------------------------------------


def test_la_sortie_json_se_lit_et_donne_le_resume():
    bilan = bilan_pret(quartier_propre())
    default_storage.delete(bilan.fichier_pdf.name)
    code, sortie = verifier("--json")
    assert code == 1
    document = json.loads(sortie)
    assert document["ok"] is False
    assert document["resume"] == {"valeurs": 0, "saisies": 0, "bilans": 1}
    [probleme] = document["problemes"]
    assert probleme["code"] == "bilan_fichier_introuvable"
    assert probleme["objets"]["bilan"] == bilan.pk


def test_la_sortie_json_sans_probleme():
    quartier_propre()
    code, sortie = verifier("--json", "--controle", "valeurs")
    assert code == 0
    assert json.loads(sortie) == {
        "ok": True,
        "total": 0,
        "resume": {"valeurs": 0},
        "duree_s": json.loads(sortie)["duree_s"],
        "problemes": [],
    }


# --- Requêtes -----------------------------------------------------------------------------------


def construire(nombre: int) -> None:
    """`nombre` quartiers de 4 indicateurs sur 4 trimestres, chacun avec un bilan prêt."""
    for rang in range(nombre):
        bilan_pret(quartier_propre(nom=f"Q{rang:03d}", indicateurs=4, trimestres=4))


@pytest.mark.parametrize("nombre", [1, 10])
def test_le_nombre_de_requetes_ne_depend_pas_du_volume(nombre, django_assert_num_queries):
    construire(nombre)
    assert Valeur.objects.count() == 16 * nombre
    # valeurs; dernières lignes d'historique; saisies en faute; bilans prêts.
    with django_assert_num_queries(4):
        for controle in integrite.CONTROLES.values():
            assert controle() == []


def test_la_migration_donne_leurs_empreintes_aux_bilans_deja_prets():
    from django.apps import apps

    migration = importlib.import_module("rapports.migrations.0004_empreintes_des_bilans_existants")
    bilan = bilan_pret(quartier_propre())
    attendues = bilan.empreintes
    default_storage.delete(bilan.fichier_csv.name)
    Bilan.objects.filter(pk=bilan.pk).update(empreintes={})
    migration.remplir(apps, None)
    bilan.refresh_from_db()
    assert bilan.empreintes == {f: attendues[f] for f in ("html", "pdf", "xlsx")}
    assert codes(integrite.verifier_bilans()) == ["bilan_fichier_introuvable"]
