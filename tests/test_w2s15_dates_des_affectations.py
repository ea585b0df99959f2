"""Les dates d'une affectation (rôle d'une personne dans un quartier) tombent entre 1900 et cinq
ans après aujourd'hui (`evalpic.dates.erreur_de_date`), comme celles d'une participation. Avant :
l'administration acceptait une coordination « depuis l'an 1 » ou « jusqu'en 9999 » (un accès
sans fin que « Retirer l'accès maintenant » était seul à pouvoir couper). Refus à côté du champ
(200 : l'administration réaffiche son formulaire), rien d'écrit; sur la fiche de la personne,
ni la personne ni son affectation."""

from __future__ import annotations

import datetime
from html import escape

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from evalpic.dates import dans_n_annees
from quartiers.models import Affectation, Utilisateur
from tests.factories import AffectationFactory, QuartierFactory, UtilisateurFactory

pytestmark = pytest.mark.django_db

TROP_ANCIENNE = "Cette date est trop ancienne : choisissez une date en 1900 ou plus tard."
TROP_LOIN = "Cette date est trop loin dans l'avenir"
AJOUT = reverse("admin:quartiers_affectation_add")


@pytest.fixture
def client_ada(client, ada):
    client.force_login(ada)
    client.raise_request_exception = False  # un 500 doit se voir comme un statut, pas lever
    return client


def _affectation(personne, quartier, **dates) -> dict:
    return {
        "utilisateur": personne.pk,
        "quartier": quartier.pk,
        "role": "coordonnateur",
        "debut": "2025-01-01",
        "fin": "",
        **dates,
    }


@pytest.mark.parametrize(
    ("dates", "champ", "debut_du_message"),
    [
        ({"debut": "0001-01-01"}, "debut", TROP_ANCIENNE),
        ({"debut": "1899-12-31"}, "debut", TROP_ANCIENNE),
        ({"debut": "9999-12-31"}, "debut", TROP_LOIN),
        ({"fin": "9999-12-31"}, "fin", TROP_LOIN),
    ],
)
def test_l_ajout_refuse_une_date_hors_de_portee(client_ada, dates, champ, debut_du_message):
    personne, quartier = UtilisateurFactory(), QuartierFactory()
    reponse = client_ada.post(AJOUT, _affectation(personne, quartier, **dates))
    assert reponse.status_code == 200
    form = reponse.context["adminform"].form
    assert set(form.errors) == {champ}  # à côté du champ, pas en tête du formulaire
    [message] = form.errors[champ]
    assert message.startswith(debut_du_message)
    assert escape(message) in reponse.text
    assert not Affectation.objects.exists()


def test_la_modification_refuse_une_fin_en_9999_sans_rien_changer(client_ada):
    affectation = AffectationFactory()
    reponse = client_ada.post(
        reverse("admin:quartiers_affectation_change", args=[affectation.pk]),
        _affectation(affectation.utilisateur, affectation.quartier, fin="9999-12-31"),
    )
    assert reponse.status_code == 200
    assert set(reponse.context["adminform"].form.errors) == {"fin"}
    affectation.refresh_from_db()
    assert (affectation.debut, affectation.fin) == (datetime.date(2020, 1, 1), None)


def test_l_ajout_accepte_les_bornes(client_ada):
    personne, quartier = UtilisateurFactory(), QuartierFactory()
    limite = dans_n_annees(Affectation.ANNEES_A_VENIR)
    reponse = client_ada.post(
        AJOUT, _affectation(personne, quartier, debut="1900-01-01", fin=limite.isoformat())
    )
    assert reponse.status_code == 302
    affectation = Affectation.objects.get()
    assert (affectation.debut, affectation.fin) == (datetime.date(1900, 1, 1), limite)


def test_la_fin_ne_precede_pas_le_debut(client_ada):
    """La règle existait (contrainte `affectation_fin_apres_debut`) : elle tient toujours."""
    personne, quartier = UtilisateurFactory(), QuartierFactory()
    reponse = client_ada.post(
        AJOUT, _affectation(personne, quartier, debut="2025-06-01", fin="2025-05-31")
    )
    assert reponse.status_code == 200
    assert escape("La fin ne peut pas précéder le début.") in reponse.text
    assert not Affectation.objects.exists()


def test_le_modele_refuse_au_lendemain_de_la_limite(quartier_a, alice):
    affectation = Affectation(utilisateur=alice, quartier=quartier_a, role="conseiller")
    affectation.fin = dans_n_annees(Affectation.ANNEES_A_VENIR)
    affectation.full_clean()
    affectation.fin += datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as refus:
        affectation.full_clean()
    assert list(refus.value.message_dict) == ["fin"]


# --- La fiche de la personne (affectations en ligne) ---------------------------------------------


def _ajout_de_personne(quartier, debut: str) -> dict:
    return {
        "email": "nouvelle@exemple.org",
        "password1": "Xy-tres-long-2026!",
        "password2": "Xy-tres-long-2026!",
        "usable_password": "true",
        "role_global": "",
        "affectations-TOTAL_FORMS": "1",
        "affectations-INITIAL_FORMS": "0",
        "affectations-0-quartier": quartier.pk,
        "affectations-0-role": "coordonnateur",
        "affectations-0-debut": debut,
        "affectations-0-fin": "",
    }


def test_la_fiche_d_une_nouvelle_personne_refuse_l_an_1_sans_rien_creer(client_ada):
    quartier = QuartierFactory()
    reponse = client_ada.post(
        reverse("admin:quartiers_utilisateur_add"), _ajout_de_personne(quartier, "0001-01-01")
    )
    assert reponse.status_code == 200
    [formset] = [f.formset for f in reponse.context["inline_admin_formsets"]]
    assert formset.errors == [{"debut": [TROP_ANCIENNE]}]
    assert escape(TROP_ANCIENNE) in reponse.text
    assert not Utilisateur.objects.filter(email="nouvelle@exemple.org").exists()
    assert not Affectation.objects.exists()


def test_la_fiche_d_une_nouvelle_personne_accepte_une_date_plausible(client_ada):
    quartier = QuartierFactory()
    reponse = client_ada.post(
        reverse("admin:quartiers_utilisateur_add"), _ajout_de_personne(quartier, "2025-01-01")
    )
    assert reponse.status_code == 302
    affectation = Affectation.objects.get(utilisateur__email="nouvelle@exemple.org")
    assert affectation.debut == datetime.date(2025, 1, 1)
