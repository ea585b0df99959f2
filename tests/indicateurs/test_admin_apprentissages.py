"""L'administration des apprentissages suit les règles de la page d'ajout et de l'API
(`verifier_apprentissage`, `verifier_correction`) : avant, elle enregistrait un apprentissage de
A rattaché au changement visé d'une stratégie en brouillon de B et à un indicateur que A ne suit
pas (302, aucune erreur); la coordination de A lisait alors le libellé du changement de B sur
sa liste d'apprentissages, et l'API lui donnait son identifiant. La liste des changements
proposés disait « C1 — … » pour chaque quartier, sans le nommer."""

from __future__ import annotations

import pytest
from django.urls import reverse

from indicateurs.models import Apprentissage, Saisie
from tests.factories import (
    ChangementViseFactory,
    IndicateurFactory,
    IndicateurSuiviFactory,
    StrategieFactory,
    periode_du_trimestre,
)

pytestmark = pytest.mark.django_db

AJOUT = "admin:indicateurs_apprentissage_add"


@pytest.fixture
def changements(quartier_a, quartier_b) -> dict:
    """Un « C1 » par quartier, au même libellé; celui de B dans un brouillon de sa stratégie."""
    return {
        quartier_a: ChangementViseFactory(
            strategie=StrategieFactory(quartier=quartier_a), code="C1", libelle="Concertation"
        ),
        quartier_b: ChangementViseFactory(
            strategie=StrategieFactory(quartier=quartier_b, version=2, statut="brouillon"),
            code="C1",
            libelle="Concertation",
        ),
    }


def _apprentissage(quartier, periode, *, indicateur=None, changement=None, texte="Appris") -> dict:
    return {
        "quartier": quartier.pk,
        "periode": periode.pk,
        "categorie": "defis",
        "indicateur": indicateur.pk if indicateur else "",
        "changement": changement.pk if changement else "",
        "texte_fr": texte,
        "texte_en": "",
        "auteur": "",
    }


def test_un_apprentissage_de_a_ne_se_rattache_ni_au_changement_de_b_ni_a_un_indicateur_non_suivi(
    client, ada, quartier_a, quartier_b, periode, changements
):
    non_suivi = IndicateurFactory(code="non-suivi")
    client.force_login(ada)
    reponse = client.post(
        reverse(AJOUT),
        _apprentissage(
            quartier_a, periode, indicateur=non_suivi, changement=changements[quartier_b]
        ),
    )
    assert reponse.status_code == 200
    erreurs = reponse.context["adminform"].form.errors
    assert erreurs["changement"] == [
        "Ce changement visé n'appartient pas à une stratégie de ce quartier."
    ]
    assert erreurs["indicateur"] == ["Ce quartier ne suit pas cet indicateur."]
    assert not Apprentissage.objects.exists()


def test_un_apprentissage_de_a_se_rattache_a_ce_que_a_suit(
    client, ada, quartier_a, periode, changements
):
    suivi = IndicateurSuiviFactory(quartier=quartier_a)
    client.force_login(ada)
    reponse = client.post(
        reverse(AJOUT),
        _apprentissage(
            quartier_a,
            periode,
            indicateur=suivi.indicateur,
            changement=changements[quartier_a],
            texte="  Appris  ",
        ),
    )
    assert reponse.status_code == 302
    apprentissage = Apprentissage.objects.get()
    assert (apprentissage.changement, apprentissage.indicateur) == (
        changements[quartier_a],
        suivi.indicateur,
    )


def test_l_administration_refuse_aussi_un_apprentissage_sans_texte(
    client, ada, quartier_a, periode
):
    client.force_login(ada)
    reponse = client.post(reverse(AJOUT), _apprentissage(quartier_a, periode, texte=" "))
    assert reponse.status_code == 200
    assert "texte_fr" in reponse.context["adminform"].form.errors
    assert not Apprentissage.objects.exists()


def test_les_changements_proposes_disent_leur_quartier_et_leur_version(client, ada, changements):
    client.force_login(ada)
    formulaire = client.get(reverse(AJOUT)).context["adminform"].form
    libelles = [libelle for _valeur, libelle in formulaire.fields["changement"].choices][1:]
    assert libelles == ["Quartier A, v1 — C1 — Concertation", "Quartier B, v2 — C1 — Concertation"]


def test_changer_de_quartier_verifie_les_rattachements_dans_le_nouveau(
    client, ada, quartier_a, quartier_b, periode, changements
):
    apprentissage = Apprentissage.objects.create(
        quartier=quartier_a, periode=periode, categorie="defis", texte_fr="Appris",
        changement=changements[quartier_a],
    )  # fmt: skip
    client.force_login(ada)
    adresse = reverse("admin:indicateurs_apprentissage_change", args=[apprentissage.pk])
    donnees = _apprentissage(quartier_b, periode, changement=changements[quartier_a])
    reponse = client.post(adresse, donnees)
    assert reponse.status_code == 200
    assert "changement" in reponse.context["adminform"].form.errors
    apprentissage.refresh_from_db()
    assert apprentissage.quartier == quartier_a


def test_une_correction_garde_un_rattachement_que_le_quartier_ne_suit_plus(
    client, ada, quartier_a, periode
):
    suivi = IndicateurSuiviFactory(quartier=quartier_a)
    apprentissage = Apprentissage.objects.create(
        quartier=quartier_a, periode=periode, categorie="defis", texte_fr="Apris",
        indicateur=suivi.indicateur,
    )  # fmt: skip
    suivi.actif = False
    suivi.save()
    client.force_login(ada)
    adresse = reverse("admin:indicateurs_apprentissage_change", args=[apprentissage.pk])
    donnees = _apprentissage(quartier_a, periode, indicateur=suivi.indicateur, texte="Appris")
    assert client.post(adresse, donnees).status_code == 302
    apprentissage.refresh_from_db()
    assert (apprentissage.texte_fr, apprentissage.indicateur) == ("Appris", suivi.indicateur)


def test_un_apprentissage_ecrit_dans_une_saisie_garde_son_quartier_et_sa_periode(
    client, ada, quartier_a, quartier_b, periode
):
    saisie = Saisie.objects.create(table=quartier_a.table, periode=periode)
    apprentissage = Apprentissage.objects.create(
        quartier=quartier_a, periode=periode, categorie="defis", texte_fr="Appris", saisie=saisie
    )
    client.force_login(ada)
    adresse = reverse("admin:indicateurs_apprentissage_change", args=[apprentissage.pk])
    assert "quartier" not in client.get(adresse).context["adminform"].form.fields
    autre = periode_du_trimestre(2024, 4)
    reponse = client.post(adresse, _apprentissage(quartier_a, autre))
    assert reponse.status_code == 200
    assert reponse.context["adminform"].form.errors["periode"] == [
        "Cet apprentissage a été écrit dans la saisie de T1 2025 : il garde cette période."
    ]
    donnees = _apprentissage(quartier_b, periode, texte="Corrigé")  # le quartier est ignoré
    assert client.post(adresse, donnees).status_code == 302
    apprentissage.refresh_from_db()
    assert (apprentissage.quartier, apprentissage.texte_fr) == (quartier_a, "Corrigé")
