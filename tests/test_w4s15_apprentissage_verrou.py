"""Un apprentissage écrit dans une saisie se verrouille avec elle : une correction ou un
retrait lancé pendant que la saisie est soumise ne passe plus après la soumission. La page
vérifiait `verrouille` sur la saisie lue au début de la requête, rien ne le revérifiait à
l'écriture : l'apprentissage d'une saisie soumise se corrigeait ou se retirait (3 fois sur 4
dans la course). `modifier_apprentissage` et `supprimer_apprentissage` prennent maintenant le
verrou de la saisie, celui de la soumission, et relisent son statut avant d'écrire."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from indicateurs import services, services_apprentissages
from indicateurs.models import Apprentissage, Saisie, StatutPeriode, StatutSaisie
from tests.factories import IndicateurFactory, IndicateurSuiviFactory, periode_du_trimestre

TEXTE = "Texte soumis"
MESSAGE_VERROU = "il se corrige quand elle est renvoyée ou rouverte"


@pytest.fixture
def periode(db):
    return periode_du_trimestre(2025, 1, statut=StatutPeriode.OUVERTE)


@pytest.fixture
def saisie(quartier_a, alice, periode):
    indicateur = IndicateurFactory(code="menages", unite="nombre")
    IndicateurSuiviFactory(quartier=quartier_a, indicateur=indicateur)
    saisie = services.saisie_pour(table=quartier_a.table, periode=periode, auteur=alice)
    services.enregistrer_saisie(
        saisie=saisie,
        auteur=alice,
        version=1,
        donnees={indicateur.pk: services.DonneeValeur(valeur=Decimal(10), commentaire="ok")},
        apprentissages=[services.DonneeApprentissage(categorie="defis", texte_fr=TEXTE)],
    )
    saisie.refresh_from_db()
    return saisie


def _lu_au_debut_de_la_requete() -> Apprentissage:
    """L'apprentissage comme la page le lit, sa saisie avec lui (encore en brouillon)."""
    return Apprentissage.objects.select_related("saisie", "periode", "quartier").get()


def _corriger(alice, apprentissage, periode):
    services_apprentissages.modifier_apprentissage(
        utilisateur=alice,
        apprentissage=apprentissage,
        periode=periode,
        categorie="defis",
        texte_fr="Corrigé après la soumission",
    )


# --- Lu avant la soumission, écrit après : déterministe -----------------------------------------


@pytest.mark.django_db
def test_la_correction_lue_avant_la_soumission_est_refusee_apres(alice, periode, saisie):
    lu = _lu_au_debut_de_la_requete()
    services.soumettre_saisie(saisie=saisie, auteur=alice, version=saisie.version)

    with pytest.raises(PermissionDenied, match=MESSAGE_VERROU):
        _corriger(alice, lu, periode)
    assert Apprentissage.objects.get().texte_fr == TEXTE


@pytest.mark.django_db
def test_le_retrait_lu_avant_la_soumission_est_refuse_apres(alice, saisie):
    lu = _lu_au_debut_de_la_requete()
    services.soumettre_saisie(saisie=saisie, auteur=alice, version=saisie.version)

    with pytest.raises(PermissionDenied, match=MESSAGE_VERROU):
        services_apprentissages.supprimer_apprentissage(utilisateur=alice, apprentissage=lu)
    assert Apprentissage.objects.filter(texte_fr=TEXTE).exists()


@pytest.mark.django_db
def test_dans_un_brouillon_la_correction_passe_toujours(alice, periode, saisie):
    _corriger(alice, _lu_au_debut_de_la_requete(), periode)
    assert Apprentissage.objects.get().texte_fr == "Corrigé après la soumission"


# --- Par la page, pendant que la soumission tient le verrou -------------------------------------


@pytest.mark.django_db(transaction=True)
def test_la_page_de_correction_attend_la_soumission_en_cours_puis_refuse(
    quartier_a, alice, periode, saisie
):
    """La soumission a pris le verrou et écrit, sans encore valider sa transaction, quand la
    correction arrive : celle-ci lit encore un brouillon (sa vérification de début passe), puis
    attend le verrou, voit la saisie soumise et répond 403 sans rien écrire."""
    app = Apprentissage.objects.get()
    adresse = reverse("apprentissage_modifier", kwargs={"slug": quartier_a.slug, "pk": app.pk})
    corps = {"periode": periode.code, "categorie": "defis", "texte_fr": "Corrigé", "texte_en": ""}
    soumise, fin = threading.Event(), threading.Event()
    resultats = {}

    def soumettre():
        try:
            with transaction.atomic():
                services.soumettre_saisie(saisie=saisie, auteur=alice, version=saisie.version)
                soumise.set()
                fin.wait(timeout=0.5)  # la correction arrive pendant ce temps
        finally:
            soumise.set()
            connection.close()

    def corriger():
        try:
            soumise.wait(timeout=10)
            client = Client()
            client.force_login(alice)
            resultats["statut"] = client.post(adresse, corps).status_code
        finally:
            fin.set()
            connection.close()

    fils = [threading.Thread(target=soumettre), threading.Thread(target=corriger)]
    for fil in fils:
        fil.start()
    for fil in fils:
        fil.join(timeout=30)

    assert resultats["statut"] == 403
    assert Saisie.objects.get().statut == StatutSaisie.SOUMISE
    assert Apprentissage.objects.get().texte_fr == TEXTE
