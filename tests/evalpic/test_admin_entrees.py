"""L'administration et les valeurs fabriquées : un identifiant qui n'en est pas un (« abc ») dans
une liste d'autocomplétion, un octet nul dans un filtre ou une recherche, une date préremplie par
l'adresse. Chacune répond par une erreur de formulaire (200, comme toute page de l'admin en
erreur), la liste sans filtre (« ?e=1 ») ou la page, jamais 500, et rien n'est écrit
(evalpic.admin_entrees)."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from evalpic.admin_entrees import EntreesVerifieesMixin
from quartiers.models import Affectation, JetonAPI, Participation
from tests.factories import AffectationFactory, PartenaireFactory, QuartierFactory

pytestmark = pytest.mark.django_db

AJOUT_AFFECTATION = "/admin/quartiers/affectation/add/"


@pytest.fixture
def client_ada(client, ada):
    client.force_login(ada)
    client.raise_request_exception = False  # un 500 doit se voir comme un statut, pas lever
    return client


# --- Listes d'autocomplétion --------------------------------------------------------------------


@pytest.mark.parametrize("fabrique", ["abc", "1.5", "1e5", "\x00"])
def test_une_autocompletion_preremplie_par_l_adresse_avec_un_faux_identifiant(client_ada, fabrique):
    """Avant : ValueError dans AutocompleteSelect.optgroups, 500."""
    reponse = client_ada.get(AJOUT_AFFECTATION, {"quartier": fabrique, "utilisateur": fabrique})
    assert reponse.status_code == 200
    assert reponse.context["adminform"].form.initial.get("quartier") is None


def test_une_autocompletion_preremplie_par_un_vrai_identifiant_le_montre(client_ada):
    quartier = QuartierFactory(nom="Villeray")
    reponse = client_ada.get(AJOUT_AFFECTATION, {"quartier": quartier.pk})
    assert reponse.status_code == 200
    assert f'<option value="{quartier.pk}" selected>Villeray</option>' in reponse.text


@pytest.mark.parametrize("fabrique", ["abc", "1e5", "\x00"])
def test_une_autocompletion_envoyee_avec_un_faux_identifiant_est_une_erreur_du_champ(
    client_ada, ada, fabrique
):
    quartier = QuartierFactory(nom="Villeray")
    donnees = {"utilisateur": fabrique, "quartier": quartier.pk, "role": "coordonnateur"}
    reponse = client_ada.post(AJOUT_AFFECTATION, {**donnees, "debut": "2025-01-01"})
    assert reponse.status_code == 200
    form = reponse.context["adminform"].form
    assert set(form.errors) == {"utilisateur"}
    # La valeur valide du même envoi reste choisie.
    assert f'<option value="{quartier.pk}" selected>Villeray</option>' in reponse.text
    assert not Affectation.objects.filter(quartier=quartier).exists()


def test_la_modification_avec_un_faux_identifiant_ne_change_rien(client_ada):
    affectation = AffectationFactory()
    adresse = reverse("admin:quartiers_affectation_change", args=[affectation.pk])
    reponse = client_ada.post(
        adresse,
        {
            "utilisateur": affectation.utilisateur_id,
            "quartier": "abc",
            "role": "conseiller",
            "debut": "2020-01-01",
        },
    )
    assert reponse.status_code == 200
    assert set(reponse.context["adminform"].form.errors) == {"quartier"}
    affectation.refresh_from_db()
    assert affectation.role == "coordonnateur"


def test_une_autocompletion_d_inline_avec_un_faux_identifiant(client_ada):
    """ParticipationInline (autocomplete_fields = ["table"]) dans la page d'un partenaire."""
    partenaire = PartenaireFactory(nom="Organisme")
    adresse = reverse("admin:quartiers_partenaire_change", args=[partenaire.pk])
    reponse = client_ada.post(
        adresse,
        {
            "nom": "Organisme renommé",
            "secteur": partenaire.secteur_id,
            "participations-TOTAL_FORMS": "1",
            "participations-INITIAL_FORMS": "0",
            "participations-0-table": "abc",
            "participations-0-role": "membre",
            "participations-0-debut": "2025-01-01",
        },
    )
    assert reponse.status_code == 200
    (participations,) = reponse.context["inline_admin_formsets"]
    assert set(participations.formset.errors[0]) == {"table"}
    partenaire.refresh_from_db()
    assert partenaire.nom == "Organisme" and not Participation.objects.exists()


def test_la_recherche_d_autocompletion_avec_un_octet_nul(client_ada):
    """Avant : DataError de PostgreSQL (texte avec NUL), 500."""
    QuartierFactory(nom="Villeray")
    reponse = client_ada.get(
        "/admin/autocomplete/",
        {
            "app_label": "quartiers",
            "model_name": "affectation",
            "field_name": "quartier",
            "term": "Vil\x00",
        },
    )
    assert reponse.status_code == 200
    assert reponse.json()["results"] == []
    # La recherche ordinaire répond toujours.
    reponse = client_ada.get(
        "/admin/autocomplete/",
        {"app_label": "quartiers", "model_name": "affectation", "field_name": "quartier"}
        | {"term": "Vil"},
    )
    assert [r["text"] for r in reponse.json()["results"]] == ["Villeray"]


# --- Filtres des listes -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "adresse",
    [
        "/admin/quartiers/affectation/?role__exact=%00",
        "/admin/quartiers/affectation/?role=coordo%00",
        "/admin/quartiers/utilisateur/?role_global__exact=%00",
        "/admin/indicateurs/indicateur/?unite__exact=%00",
        "/admin/rapports/bilan/?statut__exact=%00",
        "/admin/indicateurs/apprentissage/?categorie__exact=%00",
    ],
)
def test_un_filtre_avec_un_octet_nul_renvoie_a_la_liste_sans_filtre(client_ada, adresse):
    """Comme Django pour un filtre qu'il ne sait pas appliquer (« ?quartier__id__exact=abc »)."""
    AffectationFactory()
    reponse = client_ada.get(adresse)
    assert reponse.status_code == 302
    assert reponse["Location"].endswith("?e=1")
    assert client_ada.get(adresse + "&e=1").status_code == 200  # la page « erreur de base »


def test_une_recherche_avec_un_octet_nul_garde_le_message_de_django(client_ada):
    reponse = client_ada.get("/admin/quartiers/utilisateur/", {"q": "ada\x00"})
    assert reponse.status_code == 200
    assert "caractère nul" in " ".join(str(m) for m in reponse.context["messages"])


# --- Valeurs préremplies ------------------------------------------------------------------------


class _JetonsAvecAjout(EntreesVerifieesMixin, admin.ModelAdmin):
    """Une admin des jetons qui permet l'ajout, pour son champ date et heure modifiable :
    aucune admin du projet n'en a plus (celle des jetons ne fait que consulter et révoquer)."""


@pytest.mark.parametrize("date", ["abc", "2025-01-01", "2025-01-01 10:00"])
def test_une_date_et_heure_preremplie_par_l_adresse(rf, ada, date):
    """Avant : AdminSplitDateTime recevait le texte, 500 (« 'str' object has no attribute
    'utcoffset' »), même pour une date valide."""
    modele_admin = _JetonsAvecAjout(JetonAPI, admin.AdminSite(name="essai"))
    requete = rf.get("/admin/quartiers/jetonapi/add/", {"revoque_le": date})
    requete.user = ada
    formulaire = modele_admin.get_form(requete)(
        initial=modele_admin.get_changeform_initial_data(requete)
    )
    champ = str(formulaire["revoque_le"])
    if date != "abc":
        assert 'name="revoque_le_0" value="01/01/2025"' in champ


def _admins_du_projet():
    for modele, modele_admin in admin.site._registry.items():
        if modele._meta.app_label in {"quartiers", "indicateurs", "rapports"}:
            yield type(modele_admin)
            yield from modele_admin.inlines


@pytest.mark.parametrize("classe", sorted(_admins_du_projet(), key=lambda c: c.__name__))
def test_chaque_admin_du_projet_verifie_ses_entrees(classe):
    """Une admin (ou un inline) sans le mixin retrouverait les 500 ci-dessus."""
    assert issubclass(classe, EntreesVerifieesMixin)


# --- Actions sur les objets cochés --------------------------------------------------------------


@pytest.mark.parametrize("confirmation", [{}, {"post": "yes"}])
@pytest.mark.parametrize("fabrique", ["abc", "1e5", "\x00"])
def test_une_action_sur_un_identifiant_fabrique(client_ada, fabrique, confirmation):
    """Avant : ValueError dans queryset.filter(pk__in=…), 500. L'identifiant illisible est
    ignoré; les autres cochés gardent l'action (ici la confirmation de suppression)."""
    affectation = AffectationFactory()
    liste = "/admin/quartiers/affectation/"
    action = {"action": "delete_selected", **confirmation}
    seul = client_ada.post(liste, {**action, "_selected_action": [fabrique]})
    assert seul.status_code == 302 and seul["Location"] == liste
    avec = client_ada.post(liste, {**action, "_selected_action": [fabrique, affectation.pk]})
    if confirmation:
        assert avec.status_code == 302 and not Affectation.objects.exists()
    else:
        assert avec.status_code == 200
        assert list(avec.context["queryset"]) == [affectation]
