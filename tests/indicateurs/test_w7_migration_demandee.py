"""La migration 0012 marque les valeurs des saisies transmises avant `Valeur.demandee` (0011) :
demandée si la table saisit aujourd'hui son indicateur, ou si la valeur est renseignée (le
formulaire ne montre que ce qu'il demande); une ligne vide d'un indicateur qui n'est plus saisi
ne l'est pas. Les brouillons, les saisies renvoyées et les saisies déjà marquées ne bougent pas;
par lots; deux passages font ce qu'en fait un. Sans elle, une base d'avant 0011 gardait la règle
des suivis du jour pour chaque trimestre transmis."""

from __future__ import annotations

import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.db.migrations.loader import MigrationLoader

from indicateurs.models import (
    IndicateurSuivi,
    Saisie,
    StatutIndicateur,
    StatutSaisie,
    Valeur,
)
from rapports.lectures import parts_renseignees
from tests.factories import IndicateurFactory, IndicateurSuiviFactory, periode_du_trimestre

pytestmark = pytest.mark.django_db

MIGRATION = "indicateurs.migrations.0012_valeurs_demandees_des_saisies_transmises"


def _saisie(quartier, annee, trimestre, statut, valeurs: dict) -> Saisie:
    """Une saisie écrite comme avant 0011 (sans marque) : `valeurs` va de l'indicateur à ses
    champs."""
    saisie = Saisie.objects.create(
        table=quartier.table,
        periode=periode_du_trimestre(annee, trimestre),
        statut=statut,
        motif_renvoi="À corriger." if statut == StatutSaisie.RENVOYEE else "",
    )
    Valeur.objects.bulk_create(
        Valeur(saisie=saisie, indicateur=indicateur, **champs)
        for indicateur, champs in valeurs.items()
    )
    return saisie


def _marques(saisie: Saisie) -> dict[int, bool | None]:
    return dict(saisie.valeurs.values_list("indicateur_id", "demandee"))


def _migrer() -> None:
    importlib.import_module(MIGRATION).marquer_les_valeurs_demandees(apps, None)


@pytest.fixture
def suivis(quartier_a):
    """Ce que Quartier A suit aujourd'hui : un indicateur saisi, un suivi devenu inactif, un
    indicateur retiré du catalogue, un indicateur proposé."""
    saisi = IndicateurSuiviFactory(quartier=quartier_a).indicateur
    inactif = IndicateurSuiviFactory(quartier=quartier_a, actif=False).indicateur
    retire = IndicateurSuiviFactory(
        quartier=quartier_a, indicateur=IndicateurFactory(statut=StatutIndicateur.RETIRE)
    ).indicateur
    propose = IndicateurSuiviFactory(
        quartier=quartier_a, indicateur=IndicateurFactory(statut=StatutIndicateur.PROPOSE)
    ).indicateur
    return saisi, inactif, retire, propose


def test_la_migration_marque_les_saisies_transmises_selon_la_regle(quartier_a, suivis):
    saisi, inactif, retire, propose = suivis
    vide = {}
    validee = _saisie(
        quartier_a,
        2024,
        1,
        StatutSaisie.VALIDEE,
        {
            saisi: vide,  # vide, mais saisi aujourd'hui : demandé (et manquant)
            inactif: {"valeur_numerique": Decimal(3)},  # renseigné : le formulaire le montrait
            retire: vide,  # vide et plus saisi : un reste, pas demandé
            propose: {"non_disponible": True, "raison_non_disponible": "Pas de collecte"},
        },
    )
    soumise = _saisie(
        quartier_a,
        2024,
        2,
        StatutSaisie.SOUMISE,
        {saisi: {"valeur_texte": "Adoptée"}, inactif: vide},
    )
    brouillon = _saisie(quartier_a, 2024, 3, StatutSaisie.BROUILLON, {saisi: vide})
    renvoyee = _saisie(
        quartier_a, 2024, 4, StatutSaisie.RENVOYEE, {saisi: {"valeur_numerique": Decimal(1)}}
    )

    _migrer()

    assert _marques(validee) == {saisi.pk: True, inactif.pk: True, retire.pk: False,
                                 propose.pk: True}  # fmt: skip
    assert _marques(soumise) == {saisi.pk: True, inactif.pk: False}
    assert _marques(brouillon) == {saisi.pk: None}  # sa soumission la marquera
    assert _marques(renvoyee) == {saisi.pk: None}


def test_une_saisie_deja_marquee_et_un_second_passage_ne_changent_rien(quartier_a, suivis):
    saisi, inactif, _retire, _propose = suivis
    marquee = _saisie(
        quartier_a,
        2024,
        1,
        StatutSaisie.VALIDEE,
        {saisi: {"valeur_numerique": Decimal(2)}, inactif: {"valeur_numerique": Decimal(5)}},
    )
    # Soumise depuis 0011 : le service a marqué la valeur de l'indicateur inactif non demandée.
    Valeur.objects.filter(saisie=marquee, indicateur=saisi).update(demandee=True)
    Valeur.objects.filter(saisie=marquee, indicateur=inactif).update(demandee=False)
    ancienne = _saisie(
        quartier_a, 2024, 2, StatutSaisie.VALIDEE, {saisi: {"valeur_numerique": Decimal(2)}}
    )
    _migrer()
    apres_un = {s.pk: _marques(s) for s in (marquee, ancienne)}
    _migrer()
    assert {s.pk: _marques(s) for s in (marquee, ancienne)} == apres_un
    assert apres_un == {
        marquee.pk: {saisi.pk: True, inactif.pk: False},
        ancienne.pk: {saisi.pk: True},
    }


def test_la_migration_passe_par_lots_sans_en_oublier(quartier_a, quartier_b, monkeypatch):
    migration = importlib.import_module(MIGRATION)
    monkeypatch.setattr(migration, "TAILLE_DU_LOT", 2)
    indicateurs = {
        q: IndicateurSuiviFactory(quartier=q).indicateur for q in (quartier_a, quartier_b)
    }
    saisies = []
    for trimestre in (1, 2, 3, 4):
        for quartier, indicateur in indicateurs.items():
            valeurs = {indicateur: {"valeur_numerique": Decimal(trimestre)}}
            if trimestre == 2 and quartier == quartier_a:
                valeurs = {}  # une saisie transmise sans valeur : rien à marquer, pas de boucle
            saisies.append(_saisie(quartier, 2023, trimestre, StatutSaisie.VALIDEE, valeurs))
    migration.marquer_les_valeurs_demandees(apps, None)
    assert set(Valeur.objects.values_list("demandee", flat=True)) == {True}
    assert Valeur.objects.count() == 7


def test_apres_la_migration_un_nouvel_indicateur_ne_fait_plus_baisser_un_trimestre_ancien(
    quartier_a,
):
    premiers = [IndicateurSuiviFactory(quartier=quartier_a).indicateur for _ in range(2)]
    ancienne = _saisie(
        quartier_a,
        2024,
        1,
        StatutSaisie.VALIDEE,
        {i: {"valeur_numerique": Decimal(4)} for i in premiers},
    )
    IndicateurSuiviFactory(quartier=quartier_a)  # suivi après la soumission
    cle = (quartier_a.pk, ancienne.periode_id)
    assert parts_renseignees([quartier_a], [ancienne.periode])[cle] == 66.7  # règle d'avant
    _migrer()
    assert parts_renseignees([quartier_a], [ancienne.periode])[cle] == 100.0
    assert IndicateurSuivi.objects.filter(quartier=quartier_a).count() == 3


def test_la_migration_vient_apres_0011_et_se_defait_sans_rien_faire():
    graphe = MigrationLoader(None, ignore_no_migrations=True).graph
    noeud = ("indicateurs", MIGRATION.rsplit(".", 1)[1])
    assert graphe.node_map[noeud].parents == {
        graphe.node_map[("indicateurs", "0011_valeur_demandee")]
    }
    migration = graphe.nodes[noeud]
    (operation,) = migration.operations
    assert operation.reversible
    assert migration.atomic is False  # un lot, une transaction
