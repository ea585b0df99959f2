"""Les pages de l'administration des indicateurs coûtent autant de requêtes avec dix fois plus
de données. Avant : la fiche d'une saisie, 33 requêtes avec 5 indicateurs et 507 avec 100 (cinq
par valeur, `Valeur.__str__`); la liste des indicateurs, une par ligne pour le thème; la fiche
d'une stratégie, les listes de chaque ligne (thème, changements source et cible) relues ligne
par ligne; la liste des stratégies d'un changement visé, une requête par stratégie pour nommer
son quartier; les cibles d'un suivi, leur suivi et leurs périodes relus par ligne."""

from __future__ import annotations

from itertools import pairwise

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicateurs.models import Cible, LienDeChangement, Saisie
from tests.factories import (
    ChangementViseFactory,
    IndicateurFactory,
    IndicateurSuiviFactory,
    StrategieFactory,
    ThemeFactory,
    construire_quartier,
    periode_du_trimestre,
)

pytestmark = pytest.mark.django_db


def _requetes(client, adresse: str) -> int:
    """Les requêtes de la page, lue une première fois pour mettre en cache ce qui ne se relit
    plus (le type de contenu du modèle)."""
    client.get(adresse)
    with CaptureQueriesContext(connection) as requetes:
        assert client.get(adresse).status_code == 200
    return len(requetes)


@pytest.fixture
def client_ada(client, ada):
    client.force_login(ada)
    return client


def test_la_fiche_d_une_saisie(client_ada):
    def fiche(nom: str, indicateurs: int) -> int:
        quartier = construire_quartier(nom=nom, indicateurs=indicateurs, trimestres=1)
        saisie = Saisie.objects.get(table=quartier.table)
        return _requetes(client_ada, reverse("admin:indicateurs_saisie_change", args=[saisie.pk]))

    assert fiche("Petit", 5) == fiche("Grand", 50)


def test_la_liste_des_indicateurs_et_leur_theme(client_ada):
    theme = ThemeFactory()
    adresse = reverse("admin:indicateurs_indicateur_changelist")
    IndicateurFactory.create_batch(5, theme=theme)
    petit = _requetes(client_ada, adresse)
    IndicateurFactory.create_batch(45, theme=theme)
    assert _requetes(client_ada, adresse) == petit


def _strategie(changements: int):
    strategie = StrategieFactory()
    theme = ThemeFactory()
    noeuds = [ChangementViseFactory(strategie=strategie, theme=theme) for _ in range(changements)]
    LienDeChangement.objects.bulk_create(
        LienDeChangement(strategie=strategie, source=source, cible=cible)
        for source, cible in pairwise(noeuds)
    )
    return strategie


def test_la_fiche_d_une_strategie(client_ada):
    def fiche(strategie) -> int:
        adresse = reverse("admin:indicateurs_strategiedechangement_change", args=[strategie.pk])
        return _requetes(client_ada, adresse)

    petite = _strategie(3)
    assert fiche(petite) == fiche(_strategie(30))


def test_l_ajout_et_la_fiche_d_un_changement_vise(client_ada):
    ajout = reverse("admin:indicateurs_changementvise_add")
    changement = ChangementViseFactory()
    fiche = reverse("admin:indicateurs_changementvise_change", args=[changement.pk])
    petit = [_requetes(client_ada, ajout), _requetes(client_ada, fiche)]
    StrategieFactory.create_batch(10)  # chacune dans son quartier
    assert [_requetes(client_ada, ajout), _requetes(client_ada, fiche)] == petit


def test_les_cibles_d_un_suivi(client_ada):
    def fiche(cibles: int) -> int:
        suivi = IndicateurSuiviFactory()
        Cible.objects.bulk_create(
            Cible(
                suivi=suivi, periode=periode_du_trimestre(2030 + rang // 4, rang % 4 + 1), valeur=3
            )
            for rang in range(cibles)
        )
        return _requetes(
            client_ada, reverse("admin:indicateurs_indicateursuivi_change", args=[suivi.pk])
        )

    assert fiche(1) == fiche(10)
