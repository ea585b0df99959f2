"""La coordination d'un quartier tient la stratégie de sa table : elle prépare une nouvelle
version, la modifie et l'abandonne comme l'évaluation, mais ne l'adopte pas (403) : elle la
soumet à l'évaluation, qui l'adopte ou la lui renvoie avec un motif. Soumis, le brouillon ne se
modifie plus pour elle (409) jusqu'au renvoi. Le brouillon se montre à elle (pages, API), jamais
au conseil ni à l'autre quartier (404). Les décisions sont des mises à jour conditionnelles :
la seconde reçoit 409, rien n'est écrit à moitié.

Sur l'ancien code, la coordination recevait 403 en préparant, 404 sur le brouillon et ne le
voyait pas dans l'API; les adresses « soumettre » et « renvoyer » n'existaient pas."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse

from indicateurs import services_strategie as services
from indicateurs.models import StrategieDeChangement
from tests.factories import AffectationFactory, UtilisateurFactory
from tests.test_w1s15_strategie_services import construire

pytestmark = pytest.mark.django_db


@pytest.fixture
def brouillon(alice, quartier_a):
    """Le brouillon v3 préparé par Alice, coordonnatrice de A (v2 en vigueur)."""
    construire(quartier_a)
    return services.preparer_version(utilisateur=alice, quartier=quartier_a)[0]


def _url(nom: str, quartier, pk: int) -> str:
    return reverse(nom, kwargs={"slug": quartier.slug, "pk": pk})


def _statuts(quartier) -> dict:
    return dict(quartier.strategies.values_list("version", "statut"))


def _relu(brouillon) -> StrategieDeChangement:
    return StrategieDeChangement.objects.select_related("soumise_par", "renvoyee_par").get(
        pk=brouillon.pk
    )


# --- Services -----------------------------------------------------------------------------------


def test_la_coordination_prepare_modifie_et_abandonne_le_brouillon_de_son_quartier(
    alice, brouillon, quartier_a
):
    assert brouillon.version == 3 and brouillon.changements.count() == 3
    services.modifier_brouillon(
        utilisateur=alice, strategie=brouillon, titre="Notre version", vision="Ensemble"
    )
    assert _relu(brouillon).titre == "Notre version"
    services.abandonner_brouillon(utilisateur=alice, strategie=brouillon)
    assert _statuts(quartier_a) == {1: "archivee", 2: "en_vigueur"}


def test_la_coordination_n_adopte_pas_et_ne_renvoie_pas(alice, brouillon, quartier_a):
    with pytest.raises(PermissionDenied):
        services.adopter_brouillon(
            utilisateur=alice, strategie=brouillon, adoptee_le=datetime.date(2025, 2, 1)
        )
    services.soumettre_brouillon(utilisateur=alice, strategie=brouillon)
    with pytest.raises(PermissionDenied):
        services.renvoyer_brouillon(utilisateur=alice, strategie=brouillon, motif="Non")
    assert _statuts(quartier_a)[3] == "brouillon" and _relu(brouillon).est_soumise


def test_l_autre_quartier_et_le_conseil(bob, charlie, brouillon, quartier_a):
    with pytest.raises(Http404):
        services.preparer_version(utilisateur=charlie, quartier=quartier_a)
    with pytest.raises(Http404):
        services.strategie_ou_404(charlie, quartier_a, brouillon.pk)
    with pytest.raises(Http404):
        services.strategie_ou_404(bob, quartier_a, brouillon.pk)
    with pytest.raises(PermissionDenied):
        services.soumettre_brouillon(utilisateur=bob, strategie=brouillon)
    assert not _relu(brouillon).soumise_le


def test_soumettre_renvoyer_modifier_soumettre_adopter(alice, eve, brouillon, quartier_a):
    services.soumettre_brouillon(utilisateur=alice, strategie=brouillon)
    lu = _relu(brouillon)
    assert lu.est_soumise and lu.soumise_par == alice
    # Soumis : la coordination ne le modifie plus, ni ne l'abandonne; rien n'est écrit.
    for ecrire in (
        lambda: services.modifier_brouillon(
            utilisateur=alice, strategie=brouillon, titre="Trop tard", vision=""
        ),
        lambda: services.supprimer_changement(
            utilisateur=alice, changement=brouillon.changements.first()
        ),
        lambda: services.abandonner_brouillon(utilisateur=alice, strategie=brouillon),
    ):
        with pytest.raises(services.ConflitStrategie, match="soumis à l'évaluation"):
            ecrire()
    assert _relu(brouillon).titre == "Mieux vivre" and brouillon.changements.count() == 3
    # Une seconde soumission : 409, la première reste.
    with pytest.raises(services.ConflitStrategie, match="déjà soumis"):
        services.soumettre_brouillon(utilisateur=alice, strategie=_relu(brouillon))
    # Sans motif : refusé, toujours soumis.
    with pytest.raises(ValidationError):
        services.renvoyer_brouillon(utilisateur=eve, strategie=brouillon, motif="  ")
    assert _relu(brouillon).est_soumise
    services.renvoyer_brouillon(utilisateur=eve, strategie=brouillon, motif="Ajoutez le logement.")
    lu = _relu(brouillon)
    assert not lu.est_soumise and lu.statut == "brouillon"
    assert (lu.renvoyee_par, lu.motif_renvoi) == (eve, "Ajoutez le logement.")
    services.modifier_brouillon(
        utilisateur=alice, strategie=lu, titre="Avec le logement", vision=""
    )
    services.soumettre_brouillon(utilisateur=alice, strategie=_relu(brouillon))
    services.adopter_brouillon(
        utilisateur=eve, strategie=_relu(brouillon), adoptee_le=datetime.date(2025, 2, 1)
    )
    assert _statuts(quartier_a) == {1: "archivee", 2: "archivee", 3: "en_vigueur"}
    assert _relu(brouillon).titre == "Avec le logement"


def test_l_evaluation_garde_tous_ses_droits_sur_un_brouillon_soumis(
    alice, eve, brouillon, quartier_a
):
    services.soumettre_brouillon(utilisateur=alice, strategie=brouillon)
    services.modifier_brouillon(
        utilisateur=eve, strategie=_relu(brouillon), titre="Retouché", vision=""
    )
    assert _relu(brouillon).titre == "Retouché" and _relu(brouillon).est_soumise
    services.abandonner_brouillon(utilisateur=eve, strategie=_relu(brouillon))
    assert 3 not in _statuts(quartier_a)


def test_un_brouillon_vide_ne_se_soumet_pas(alice, quartier_a):
    vide, _creee = services.preparer_version(utilisateur=alice, quartier=quartier_a)
    with pytest.raises(ValidationError, match="aucun changement visé"):
        services.soumettre_brouillon(utilisateur=alice, strategie=vide)
    assert not _relu(vide).soumise_le


# --- Conditionnel : la seconde décision reçoit un conflit --------------------------------------


def test_deux_renvois_le_second_recoit_un_conflit(alice, eve, ada, brouillon):
    services.soumettre_brouillon(utilisateur=alice, strategie=brouillon)
    vu_par_ada = _relu(brouillon)
    services.renvoyer_brouillon(utilisateur=eve, strategie=_relu(brouillon), motif="Premier")
    with pytest.raises(services.ConflitStrategie, match="n'est plus soumis"):
        services.renvoyer_brouillon(utilisateur=ada, strategie=vu_par_ada, motif="Second")
    lu = _relu(brouillon)
    assert (lu.motif_renvoi, lu.renvoyee_par) == ("Premier", eve)


def test_un_renvoi_apres_une_adoption_recoit_un_conflit(alice, eve, ada, brouillon, quartier_a):
    services.soumettre_brouillon(utilisateur=alice, strategie=brouillon)
    vu_par_ada = _relu(brouillon)
    services.adopter_brouillon(
        utilisateur=eve, strategie=_relu(brouillon), adoptee_le=datetime.date(2025, 2, 1)
    )
    with pytest.raises(services.ConflitStrategie):
        services.renvoyer_brouillon(utilisateur=ada, strategie=vu_par_ada, motif="Trop tard")
    lu = _relu(brouillon)
    assert lu.statut == "en_vigueur" and lu.motif_renvoi == "" and lu.renvoyee_le is None


def test_une_modification_de_la_coordination_apres_l_adoption_recoit_un_conflit(
    alice, eve, brouillon, quartier_a
):
    """La page de la coordination lit encore un brouillon (son instance) : l'adoption passe
    d'abord, la modification trouve une version en vigueur sous le verrou, rien n'est écrit."""
    vu_par_alice = _relu(brouillon)
    services.adopter_brouillon(
        utilisateur=eve, strategie=_relu(brouillon), adoptee_le=datetime.date(2025, 2, 1)
    )
    with pytest.raises(services.ConflitStrategie, match="en vigueur"):
        services.modifier_brouillon(
            utilisateur=alice, strategie=vu_par_alice, titre="Après coup", vision=""
        )
    with pytest.raises(services.ConflitStrategie):
        services.soumettre_brouillon(utilisateur=alice, strategie=vu_par_alice)
    assert _relu(brouillon).titre == "Mieux vivre" and _relu(brouillon).soumise_le is None


def test_une_soumission_pendant_un_renvoi_concurrent(alice, eve, brouillon):
    """Alice soumet depuis une page lue avant la première soumission d'une collègue : 409."""
    collegue = UtilisateurFactory()
    AffectationFactory(utilisateur=collegue, quartier=brouillon.quartier, role="coordonnateur")
    vu_par_alice = _relu(brouillon)
    services.soumettre_brouillon(utilisateur=collegue, strategie=_relu(brouillon))
    with pytest.raises(services.ConflitStrategie, match="déjà soumis"):
        services.soumettre_brouillon(utilisateur=alice, strategie=vu_par_alice)
    assert _relu(brouillon).soumise_par == collegue


# --- Avis ---------------------------------------------------------------------------------------


def test_les_avis_de_soumission_de_renvoi_et_d_adoption(
    alice, eve, brouillon, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.soumettre_brouillon(utilisateur=alice, strategie=brouillon)
    assert [m.to for m in mailoutbox] == [[eve.email]]
    assert "Quartier A" in mailoutbox[0].subject and "v3" in mailoutbox[0].subject
    with django_capture_on_commit_callbacks(execute=True):
        services.renvoyer_brouillon(utilisateur=eve, strategie=_relu(brouillon), motif="Revoir C2")
    assert mailoutbox[1].to == [alice.email] and "Revoir C2" in mailoutbox[1].body
    with django_capture_on_commit_callbacks(execute=True):
        services.soumettre_brouillon(utilisateur=alice, strategie=_relu(brouillon))
    with django_capture_on_commit_callbacks(execute=True):
        services.adopter_brouillon(
            utilisateur=eve, strategie=_relu(brouillon), adoptee_le=datetime.date(2025, 2, 1)
        )
    assert [m.to for m in mailoutbox[2:]] == [[eve.email], [alice.email]]
    assert "adoptée" in mailoutbox[3].subject
