"""Retirer la soumission d'un brouillon de la stratégie : la coordination qui voit une erreur
juste après avoir soumis n'attend plus un renvoi de l'évaluation. Le brouillon redevient
modifiable (`soumise_le`, `soumise_par` effacés), quitte la page des propositions, sans avis.
Mise à jour conditionnelle : renvoyé, retiré, adopté ou abandonné entre-temps, 409 et rien
n'est écrit. POST seulement; le conseil et l'autre quartier reçoivent 404 (le brouillon leur
est invisible).

Sur l'ancien code, ni le service `retirer_la_soumission` ni l'adresse
« strategie_retirer_soumission » n'existaient : la coordination recevait 409 en modifiant son
brouillon soumis jusqu'au renvoi."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from indicateurs import services_strategie as services
from indicateurs.models import StrategieDeChangement
from tests.test_w1s15_strategie_services import construire

pytestmark = pytest.mark.django_db


@pytest.fixture
def soumis(alice, quartier_a):
    """Le brouillon v3 d'Alice, coordonnatrice de A, soumis à l'évaluation."""
    construire(quartier_a)
    brouillon = services.preparer_version(utilisateur=alice, quartier=quartier_a)[0]
    return services.soumettre_brouillon(utilisateur=alice, strategie=brouillon)


def _relu(strategie) -> StrategieDeChangement:
    return StrategieDeChangement.objects.select_related("soumise_par", "renvoyee_par").get(
        pk=strategie.pk
    )


def _url(nom: str, strategie) -> str:
    return reverse(nom, kwargs={"slug": strategie.quartier.slug, "pk": strategie.pk})


# --- Service ------------------------------------------------------------------------------------


def test_la_coordination_retire_sa_soumission_et_modifie_de_nouveau(alice, eve, soumis):
    with pytest.raises(services.ConflitStrategie, match="soumis à l'évaluation"):
        services.modifier_brouillon(
            utilisateur=alice, strategie=_relu(soumis), titre="X", vision=""
        )
    assert [s.pk for s in services.brouillons_soumis(eve)] == [soumis.pk]

    retire = services.retirer_la_soumission(utilisateur=alice, strategie=_relu(soumis))
    assert (retire.soumise_le, retire.soumise_par) == (None, None)
    lu = _relu(soumis)
    assert (lu.statut, lu.soumise_le, lu.soumise_par) == ("brouillon", None, None)
    assert services.brouillons_soumis(eve) == []
    services.modifier_brouillon(utilisateur=alice, strategie=lu, titre="Corrigé", vision="")
    assert _relu(soumis).titre == "Corrigé"
    # Et se soumet de nouveau.
    services.soumettre_brouillon(utilisateur=alice, strategie=_relu(soumis))
    assert _relu(soumis).soumise_par == alice


def test_un_renvoi_precedent_et_son_motif_restent(alice, eve, soumis):
    services.renvoyer_brouillon(utilisateur=eve, strategie=_relu(soumis), motif="Revoir C2")
    services.soumettre_brouillon(utilisateur=alice, strategie=_relu(soumis))
    services.retirer_la_soumission(utilisateur=alice, strategie=_relu(soumis))
    lu = _relu(soumis)
    assert lu.soumise_le is None and (lu.renvoyee_par, lu.motif_renvoi) == (eve, "Revoir C2")


@pytest.mark.parametrize("persona", ["eve", "ada"])
def test_l_evaluation_et_l_administration_aussi(personas, soumis, persona):
    services.retirer_la_soumission(utilisateur=personas[persona], strategie=_relu(soumis))
    assert _relu(soumis).soumise_le is None


def test_le_conseil_et_l_autre_quartier(bob, charlie, soumis):
    with pytest.raises(PermissionDenied):
        services.retirer_la_soumission(utilisateur=bob, strategie=_relu(soumis))
    with pytest.raises(Http404):
        services.retirer_la_soumission(utilisateur=charlie, strategie=_relu(soumis))
    assert _relu(soumis).soumise_le is not None


def test_un_brouillon_pas_soumis_est_un_conflit(alice, soumis):
    services.retirer_la_soumission(utilisateur=alice, strategie=_relu(soumis))
    with pytest.raises(services.ConflitStrategie, match="pas \\(ou plus\\) soumis"):
        services.retirer_la_soumission(utilisateur=alice, strategie=_relu(soumis))


def test_un_renvoi_entre_temps_est_un_conflit_et_rien_n_est_ecrit(alice, eve, soumis):
    """La page d'Alice montre encore le brouillon soumis, que l'évaluation vient de lui
    renvoyer : le retrait trouve un brouillon plus soumis (409), le renvoi reste tel quel."""
    vu_par_alice = _relu(soumis)
    services.renvoyer_brouillon(utilisateur=eve, strategie=_relu(soumis), motif="Revoir")
    with pytest.raises(services.ConflitStrategie, match="pas \\(ou plus\\) soumis"):
        services.retirer_la_soumission(utilisateur=alice, strategie=vu_par_alice)
    lu = _relu(soumis)
    assert (lu.soumise_par, lu.renvoyee_par, lu.motif_renvoi) == (alice, eve, "Revoir")


def test_une_adoption_entre_temps_est_un_conflit(alice, eve, soumis):
    vu_par_alice = _relu(soumis)
    services.adopter_brouillon(
        utilisateur=eve, strategie=_relu(soumis), adoptee_le=datetime.date(2025, 2, 1)
    )
    with pytest.raises(services.ConflitStrategie, match="adopté ou abandonné"):
        services.retirer_la_soumission(utilisateur=alice, strategie=vu_par_alice)
    lu = _relu(soumis)
    assert lu.statut == "en_vigueur" and lu.soumise_par == alice and lu.soumise_le is not None


def test_le_renvoi_apres_un_retrait_recoit_un_conflit(alice, eve, soumis):
    vu_par_eve = _relu(soumis)
    services.retirer_la_soumission(utilisateur=alice, strategie=_relu(soumis))
    with pytest.raises(services.ConflitStrategie, match="soumission a été retirée"):
        services.renvoyer_brouillon(utilisateur=eve, strategie=vu_par_eve, motif="Trop tard")
    assert _relu(soumis).motif_renvoi == ""


def test_aucun_avis(alice, soumis, mailoutbox, django_capture_on_commit_callbacks):
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True) as rappels:
        services.retirer_la_soumission(utilisateur=alice, strategie=_relu(soumis))
    assert rappels == [] and mailoutbox == []


# --- Pages --------------------------------------------------------------------------------------


def test_le_bouton_et_le_retrait_depuis_la_page(client, alice, soumis):
    client.force_login(alice)
    page = client.get(_url("strategie_brouillon", soumis)).content.decode()
    retirer = _url("strategie_retirer_soumission", soumis)
    assert f'action="{retirer}"' in page and "Retirer la soumission" in page
    assert "Enregistrer le titre et la vision" not in page  # soumis : lecture seule

    reponse = client.post(retirer)
    assert reponse.status_code == 302 and reponse["Location"] == _url("strategie_brouillon", soumis)
    assert _relu(soumis).soumise_le is None
    page = client.get(reponse["Location"]).content.decode()
    assert "La soumission de la version 3 est retirée" in page
    assert "Enregistrer le titre et la vision" in page and f'action="{retirer}"' not in page
    assert _url("strategie_soumettre", soumis) in page

    # Déjà retirée (un second onglet) : 409, le message de la page de conflit.
    conflit = client.post(retirer)
    assert conflit.status_code == 409
    assert "pas (ou plus) soumis" in conflit.content.decode().replace("&#x27;", "'")


def test_l_evaluation_ne_voit_pas_le_bouton(client, eve, soumis):
    """Elle renvoie le brouillon avec un motif (son bouton), ou le modifie elle-même."""
    client.force_login(eve)
    page = client.get(_url("strategie_brouillon", soumis)).content.decode()
    assert "Renvoyer à la coordination" in page
    assert _url("strategie_retirer_soumission", soumis) not in page


@pytest.mark.parametrize("persona", ["bob", "charlie"])
def test_le_conseil_et_l_autre_quartier_recoivent_404(client, personas, soumis, persona):
    client.force_login(personas[persona])
    assert client.post(_url("strategie_retirer_soumission", soumis)).status_code == 404
    assert _relu(soumis).soumise_le is not None


@pytest.mark.parametrize("methode", ["get", "head", "put", "delete"])
def test_post_seulement(client, alice, soumis, methode):
    client.force_login(alice)
    reponse = getattr(client, methode)(_url("strategie_retirer_soumission", soumis))
    assert reponse.status_code == 405
    assert _relu(soumis).soumise_le is not None
