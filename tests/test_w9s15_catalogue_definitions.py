"""L'évaluation et l'administration tiennent le catalogue sur le site : créer un indicateur
approuvé (/catalogue/nouveau/), modifier sa définition (/catalogue/<code>/modifier/), le retirer
avec un motif et le rétablir. La coordination et le conseil lisent, sans écrire (403). Le code
ne change plus dès qu'un quartier suit l'indicateur ou que des valeurs existent; l'unité change
selon la règle des unités (valeurs déjà enregistrées dans les bornes), refusée à côté du champ.
Deux onglets : la seconde écriture reçoit 409, rien n'est écrasé; un double clic réussit sans
rien écrire.

Avant : aucune de ces adresses n'existait (404), seule l'administration de Django, fermée à
l'évaluation, modifiait un indicateur."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from indicateurs import services_definitions
from indicateurs.models import (
    EtatDeMesure,
    Indicateur,
    IndicateurSuivi,
    Saisie,
    StatutPeriode,
    Valeur,
)
from tests.factories import IndicateurFactory, IndicateurSuiviFactory, periode_du_trimestre

pytestmark = pytest.mark.django_db

CHAMPS = {
    "code": "nouveaux-logements",
    "nom_fr": "Nouveaux logements",
    "nom_en": "New housing units",
    "definition_fr": "Logements sociaux livrés.",
    "definition_en": "Social housing units delivered.",
    "famille": "conditions_de_vie",
    "theme": "",
    "unite": "nombre",
    "polarite": "hausse",
    "agregation": "somme",
    "periodicite": "trimestrielle",
    "source": "Ville",
    "source_en": "City",
}


@pytest.fixture
def menages(quartier_a):
    indicateur = IndicateurFactory(code="menages", unite="nombre")
    IndicateurSuiviFactory(quartier=quartier_a, indicateur=indicateur, valeur_reference=150)
    return indicateur


def _envoi(indicateur: Indicateur, **changements) -> dict:
    """Ce que la page de modification envoie sans rien toucher, puis les changements."""
    donnees = {
        nom: ("" if valeur is None else valeur)
        for nom, valeur in (
            (nom, getattr(indicateur, "theme_id" if nom == "theme" else nom)) for nom in CHAMPS
        )
    }
    donnees["version"] = services_definitions.empreinte_de_la_definition(indicateur)
    return {**donnees, **changements}


def _modifier(client, indicateur, **changements):
    adresse = reverse("catalogue_modifier", args=[indicateur.code])
    return client.post(adresse, _envoi(indicateur, **changements))


# --- Qui écrit --------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["alice", "bob", "charlie"])
def test_la_coordination_et_le_conseil_ne_modifient_rien(client, personas, menages, persona):
    client.force_login(personas[persona])
    avant = services_definitions.empreinte_de_la_definition(menages)
    assert client.get(reverse("catalogue_modifier", args=["menages"])).status_code == 403
    assert _modifier(client, menages, nom_fr="Piraté").status_code == 403
    assert client.post(reverse("catalogue_nouveau"), CHAMPS).status_code == 403
    retrait = {"motif": "Non", "version": avant}
    assert client.post(reverse("catalogue_retirer", args=["menages"]), retrait).status_code == 403
    assert client.post(reverse("catalogue_retablir", args=["menages"])).status_code == 403
    menages.refresh_from_db()
    assert services_definitions.empreinte_de_la_definition(menages) == avant
    assert not Indicateur.objects.filter(code=CHAMPS["code"]).exists()


def test_la_page_ne_montre_les_actions_qu_a_l_evaluation(client, alice, eve, menages):
    adresse = reverse("catalogue_indicateur", args=["menages"])
    modifier = reverse("catalogue_modifier", args=["menages"])
    client.force_login(alice)
    assert modifier not in client.get(adresse).content.decode()
    client.force_login(eve)
    corps = client.get(adresse).content.decode()
    assert modifier in corps and reverse("catalogue_retirer", args=["menages"]) in corps


# --- Créer ------------------------------------------------------------------------------------


def test_eve_cree_un_indicateur_approuve_et_le_double_clic_n_en_cree_qu_un(client, eve):
    client.force_login(eve)
    adresse = reverse("catalogue_nouveau")
    assert client.get(adresse).status_code == 200
    reponse = client.post(adresse, CHAMPS)
    assert reponse.status_code == 302
    assert reponse["Location"] == reverse("catalogue_indicateur", args=[CHAMPS["code"]])
    cree = Indicateur.objects.get(code=CHAMPS["code"])
    assert (cree.statut, cree.mode, cree.nom_en) == ("approuve", "saisi", "New housing units")
    assert client.post(adresse, CHAMPS).status_code == 302  # le même envoi, reçu deux fois
    assert Indicateur.objects.filter(code=CHAMPS["code"]).count() == 1


def test_un_code_pris_ou_reserve_est_refuse_a_cote_du_champ(client, eve, menages):
    client.force_login(eve)
    adresse = reverse("catalogue_nouveau")
    for code in ("menages", "nouveau", "propositions"):
        reponse = client.post(adresse, {**CHAMPS, "code": code, "nom_fr": "Autre"})
        assert reponse.status_code == 400
        assert reponse.context["form"].errors["code"], code
    assert Indicateur.objects.count() == 1


def test_un_envoi_incomplet_repond_400_sans_rien_ecrire(client, eve):
    client.force_login(eve)
    reponse = client.post(reverse("catalogue_nouveau"), {**CHAMPS, "nom_en": "", "unite": "x"})
    assert reponse.status_code == 400
    assert set(reponse.context["form"].errors) == {"nom_en", "unite"}
    corps = reponse.content.decode()
    assert "data-focus-au-chargement" in corps and "<title>Erreur :" in corps
    assert not Indicateur.objects.exists()


# --- Modifier ---------------------------------------------------------------------------------


def test_eve_modifie_la_definition(client, eve, menages):
    client.force_login(eve)
    assert client.get(reverse("catalogue_modifier", args=["menages"])).status_code == 200
    reponse = _modifier(client, menages, nom_en="Households reached", polarite="baisse")
    assert reponse.status_code == 302
    menages.refresh_from_db()
    assert (menages.nom_en, menages.polarite) == ("Households reached", "baisse")


def test_le_code_d_un_indicateur_suivi_ne_change_pas(client, eve, menages):
    client.force_login(eve)
    page = client.get(reverse("catalogue_modifier", args=["menages"]))
    assert "code" not in page.context["form"].fields
    # Envoyé quand même : refusé, rien n'est écrit.
    with pytest.raises(ValidationError):
        services_definitions.modifier_definition(
            utilisateur=eve, indicateur=menages, contenu={"code": "autre"}, version=None
        )
    menages.refresh_from_db()
    assert menages.code == "menages"
    # La règle est celle du modèle : l'administration l'applique aussi.
    menages.code = "autre"
    with pytest.raises(ValidationError, match="ne change plus"):
        menages.full_clean()


def test_le_code_d_un_indicateur_que_rien_n_utilise_se_corrige(client, eve):
    indicateur = IndicateurFactory(code="menages-jionts")
    client.force_login(eve)
    reponse = _modifier(client, indicateur, code="menages-joints")
    assert reponse.status_code == 302
    assert reponse["Location"] == reverse("catalogue_indicateur", args=["menages-joints"])
    assert Indicateur.objects.filter(code="menages-joints").exists()
    for code in ("nouveau", "propositions"):
        assert _modifier(client, Indicateur.objects.get(), code=code).status_code == 400


def test_un_changement_d_unite_que_refusent_des_valeurs_est_refuse_a_cote_du_champ(
    client, eve, quartier_a, menages
):
    periode = periode_du_trimestre(2024, 1, statut=StatutPeriode.OUVERTE)
    saisie = Saisie.objects.create(table=quartier_a.table, periode=periode)
    Valeur.objects.create(saisie=saisie, indicateur=menages, valeur_numerique=Decimal("180"))
    client.force_login(eve)
    reponse = _modifier(client, menages, unite="pourcentage", nom_fr="Part des ménages")
    assert reponse.status_code == 400
    erreurs = " ".join(reponse.context["form"].errors["unite"])
    assert "pourcentage" in erreurs and "180" in erreurs
    menages.refresh_from_db()
    assert (menages.unite, menages.nom_fr) == ("nombre", "Indicateur menages")
    # Les valeurs corrigées (la référence de 150 aussi), le même changement passe.
    Valeur.objects.update(valeur_numerique=Decimal("18"))
    IndicateurSuivi.objects.update(valeur_reference=Decimal("15"))
    assert _modifier(client, menages, unite="pourcentage").status_code == 302


def test_un_indicateur_calcule_ne_modifie_que_ses_textes(client, eve):
    calcule = IndicateurFactory(
        code="partenaires", mode="calcule", calcul="partenaires_actifs", unite="nombre"
    )
    client.force_login(eve)
    form = client.get(reverse("catalogue_modifier", args=["partenaires"])).context["form"]
    assert set(form.champs) == set(services_definitions.CHAMPS_D_UN_CALCULE)
    envoi = {nom: getattr(calcule, nom) for nom in form.champs}
    envoi.update(nom_en="Active partners", unite="pourcentage", agregation="cumul")
    envoi["version"] = services_definitions.empreinte_de_la_definition(calcule)
    adresse = reverse("catalogue_modifier", args=["partenaires"])
    assert client.post(adresse, envoi).status_code == 302
    calcule.refresh_from_db()
    assert (calcule.nom_en, calcule.unite, calcule.agregation) == (
        "Active partners",
        "nombre",
        "somme",
    )


def test_une_proposition_ne_se_modifie_pas_depuis_le_catalogue(client, eve, alice, quartier_a):
    propose = IndicateurFactory(code="propose-a", statut="propose", propose_par=alice)
    IndicateurSuiviFactory(quartier=quartier_a, indicateur=propose)
    client.force_login(eve)
    assert client.get(reverse("catalogue_modifier", args=["propose-a"])).status_code == 404
    page = client.get(reverse("catalogue_indicateur", args=["propose-a"]))
    assert reverse("proposition", args=[propose.pk]) in page.content.decode()


# --- Deux onglets, double clic ----------------------------------------------------------------


def test_deux_onglets_le_second_recoit_409_et_n_ecrase_rien(client, eve, ada, menages):
    client.force_login(eve)
    page_d_eve = _envoi(menages, nom_fr="Version d'Ève")
    client.force_login(ada)
    assert _modifier(client, menages, nom_fr="Version d'Ada").status_code == 302
    client.force_login(eve)
    reponse = client.post(reverse("catalogue_modifier", args=["menages"]), page_d_eve)
    assert reponse.status_code == 409
    corps = reponse.content.decode()
    assert "Version d&#x27;Ada" in corps and "Version d&#x27;Ève" in corps
    assert "<title>Erreur :" in corps
    menages.refresh_from_db()
    assert menages.nom_fr == "Version d'Ada"
    # La page du conflit porte la version actuelle : l'envoyer de nouveau remplace sciemment.
    nouvelle = reponse.context["form"].data["version"]
    reponse = client.post(
        reverse("catalogue_modifier", args=["menages"]), {**page_d_eve, "version": nouvelle}
    )
    assert reponse.status_code == 302
    menages.refresh_from_db()
    assert menages.nom_fr == "Version d'Ève"


def test_le_double_clic_d_une_modification_reussit_sans_rien_ecrire(client, eve, menages):
    client.force_login(eve)
    envoi = _envoi(menages, nom_fr="Ménages joints")
    adresse = reverse("catalogue_modifier", args=["menages"])
    assert client.post(adresse, envoi).status_code == 302
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Indicateur, "save", lambda *a, **k: pytest.fail("rien à écrire"))
        assert client.post(adresse, envoi).status_code == 302


# --- Retirer, rétablir ------------------------------------------------------------------------


def test_retirer_puis_retablir(client, eve, quartier_a, menages):
    client.force_login(eve)
    version = services_definitions.empreinte_de_la_definition(menages)
    adresse = reverse("catalogue_retirer", args=["menages"])
    assert client.post(adresse, {"motif": " ", "version": version}).status_code == 400
    menages.refresh_from_db()
    assert menages.statut == "approuve"
    envoi = {"motif": "Remplacé par un indicateur plus précis.", "version": version}
    assert client.post(adresse, envoi).status_code == 302
    assert client.post(adresse, envoi).status_code == 302  # double clic : rien de plus
    menages.refresh_from_db()
    assert (menages.statut, menages.retire_par, menages.motif_retrait) == (
        "retire",
        eve,
        "Remplacé par un indicateur plus précis.",
    )
    # Il quitte le formulaire trimestriel; ses suivis et leurs références restent; les
    # tableaux de bord et les stratégies le marquent « retiré ».
    assert not IndicateurSuivi.objects.a_saisir().filter(indicateur=menages).exists()
    assert IndicateurSuivi.objects.get(indicateur=menages).valeur_reference == 150
    etat = Indicateur.objects.avec_etat_de_mesure(quartier_a).get(pk=menages.pk).etat_de_mesure
    assert etat == EtatDeMesure.RETIRE
    page = client.get(reverse("catalogue_indicateur", args=["menages"]))
    assert "Remplacé par un indicateur plus précis." in page.content.decode()
    # Rétablir, deux fois (double clic).
    version = services_definitions.empreinte_de_la_definition(menages)
    retablir = reverse("catalogue_retablir", args=["menages"])
    assert client.post(retablir, {"version": version}).status_code == 302
    assert client.post(retablir, {"version": version}).status_code == 302
    menages.refresh_from_db()
    assert (menages.statut, menages.motif_retrait, menages.retire_par) == ("approuve", "", None)
    assert IndicateurSuivi.objects.a_saisir().filter(indicateur=menages).exists()


def test_retirer_sur_une_page_perimee_repond_409(client, eve, ada, menages):
    version = services_definitions.empreinte_de_la_definition(menages)
    client.force_login(ada)
    assert _modifier(client, menages, definition_fr="Nouvelle définition.").status_code == 302
    client.force_login(eve)
    reponse = client.post(
        reverse("catalogue_retirer", args=["menages"]), {"motif": "Doublon", "version": version}
    )
    assert reponse.status_code == 409
    assert "Doublon" in reponse.content.decode()  # le motif envoyé reste dans le formulaire
    menages.refresh_from_db()
    assert menages.statut == "approuve"


def test_une_proposition_refusee_ne_se_retablit_pas_ici(client, eve, quartier_a):
    refusee = IndicateurFactory(code="refusee", statut="retire", motif_refus="Flou.")
    IndicateurSuiviFactory(quartier=quartier_a, indicateur=refusee)
    client.force_login(eve)
    version = services_definitions.empreinte_de_la_definition(refusee)
    reponse = client.post(reverse("catalogue_retablir", args=["refusee"]), {"version": version})
    assert reponse.status_code == 400
    refusee.refresh_from_db()
    assert refusee.statut == "retire"
