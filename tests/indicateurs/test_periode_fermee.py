"""La fermeture d'une période arrête la saisie ordinaire, pas ce qui doit encore aboutir
(README, « Saisie trimestrielle »). Une saisie renvoyée ou rouverte par l'évaluation se corrige
et se soumet de nouveau après la fermeture; une saisie existante d'une période fermée (un
historique importé, par exemple) se soumet toujours, telle quelle. Sans cela, rouvrir une
saisie validée d'une période fermée la retirait pour de bon des tableaux de bord et des bilans,
et un historique importé restait brouillon à jamais."""

from __future__ import annotations

import html
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from indicateurs import importation, services
from indicateurs.models import Saisie, StatutPeriode, StatutSaisie, Valeur
from indicateurs.validation import DonneeValeur
from tests.factories import periode_du_trimestre

pytestmark = pytest.mark.django_db

MODIFIER_LE_BROUILLON = "Enregistrer le brouillon"
SOUMETTRE_TEL_QUEL = "Soumettre tel quel"
BROUILLON_FERME = "Cette période est fermée : ce brouillon ne se modifie plus"


def complet(ind, menages: str = "120") -> dict:
    return {
        ind["menages"].pk: DonneeValeur(valeur=Decimal(menages)),
        ind["taux"].pk: DonneeValeur(valeur=Decimal("42.5")),
        ind["politique"].pk: DonneeValeur(non_disponible=True, raison="Pas encore adoptée"),
    }


def formulaire(ind, version: int, action: str, menages: str = "120") -> dict:
    return {
        "version": str(version),
        f"v{ind['menages'].pk}": menages,
        f"v{ind['taux'].pk}": "42,5",
        f"nd{ind['politique'].pk}": "on",
        f"r{ind['politique'].pk}": "Pas encore adoptée",
        "action": action,
    }


def fermer(periode) -> None:
    periode.statut = StatutPeriode.FERMEE
    periode.save(update_fields=["statut"])


@pytest.fixture
def urls(quartier_a, periode) -> dict[str, str]:
    cles = {"slug": quartier_a.slug, "code": periode.code}
    return {
        "formulaire": reverse("saisie_formulaire", kwargs=cles),
        "revision": reverse("saisie_revision", kwargs=cles),
    }


@pytest.fixture
def validee(table_a, periode, alice, eve, indicateurs_a) -> Saisie:
    """La saisie de A pour 2025-T1, remplie, soumise et validée, puis la période fermée."""
    saisie = services.saisie_pour(table=table_a, periode=periode, auteur=alice)
    services.enregistrer_saisie(
        saisie=saisie, auteur=alice, version=1, donnees=complet(indicateurs_a)
    )
    saisie = services.soumettre_saisie(saisie=saisie, auteur=alice, version=2)
    saisie = services.valider_saisie(saisie=saisie, auteur=eve, version=3)
    fermer(periode)
    return saisie


def publiee(indicateur) -> Decimal | None:
    valeur = Valeur.objects.publiees().filter(indicateur=indicateur).first()
    return valeur.valeur_numerique if valeur else None


# --- La règle, écrite une fois --------------------------------------------------------------


@pytest.mark.parametrize(
    ("periode_statut", "saisie_statut", "ecrire", "soumettre"),
    [
        (StatutPeriode.OUVERTE, None, True, True),
        (StatutPeriode.OUVERTE, StatutSaisie.BROUILLON, True, True),
        (StatutPeriode.FERMEE, None, False, False),  # plus de nouvelle saisie
        (StatutPeriode.FERMEE, StatutSaisie.BROUILLON, False, True),  # se soumet telle quelle
        (StatutPeriode.FERMEE, StatutSaisie.RENVOYEE, True, True),  # se corrige et se soumet
        (StatutPeriode.A_VENIR, None, False, False),
        (StatutPeriode.A_VENIR, StatutSaisie.BROUILLON, False, False),
    ],
)
def test_la_regle_de_la_fermeture(periode_statut, saisie_statut, ecrire, soumettre):
    periode = periode_du_trimestre(2024, 4, statut=periode_statut)
    assert services.periode_permise(periode, saisie_statut) is ecrire
    assert services.periode_permise(periode, saisie_statut, soumission=True) is soumettre


# --- Rouverte ou renvoyée après la fermeture : se corrige, se soumet, se valide ---------------


def test_une_saisie_rouverte_apres_la_fermeture_se_corrige_et_revient_aux_bilans(
    client, alice, eve, validee, indicateurs_a, urls
):
    menages = indicateurs_a["menages"]
    assert publiee(menages) == Decimal(120)
    client.force_login(eve)
    reponse = client.post(
        urls["revision"], {"action": "rouvrir", "version": validee.version, "motif": "Vérifier"}
    )
    assert reponse.status_code == 302
    validee.refresh_from_db()
    assert validee.statut == StatutSaisie.RENVOYEE
    assert publiee(menages) is None  # retirée, le temps de la correction

    client.force_login(alice)
    page = client.get(urls["formulaire"]).content.decode()
    assert MODIFIER_LE_BROUILLON in page and "Enregistrer et soumettre" in page
    envoi = formulaire(indicateurs_a, validee.version, "soumettre", "130")
    reponse = client.post(urls["formulaire"], {**envoi, "motif": "Recompté."})
    assert reponse.status_code == 302
    validee.refresh_from_db()
    assert validee.statut == StatutSaisie.SOUMISE

    client.force_login(eve)
    reponse = client.post(urls["revision"], {"action": "valider", "version": validee.version})
    assert reponse.status_code == 302
    assert publiee(menages) == Decimal(130)


def test_une_saisie_renvoyee_apres_la_fermeture_se_corrige_par_l_api(
    alice, eve, table_a, periode, indicateurs_a
):
    saisie = services.saisie_pour(table=table_a, periode=periode, auteur=alice)
    services.enregistrer_saisie(
        saisie=saisie, auteur=alice, version=1, donnees=complet(indicateurs_a)
    )
    saisie = services.soumettre_saisie(saisie=saisie, auteur=alice, version=2)
    fermer(periode)
    saisie = services.renvoyer_saisie(saisie=saisie, auteur=eve, version=3, motif="Corriger")

    api = APIClient()
    api.force_authenticate(alice)
    reponse = api.post(
        "/api/v1/saisies/", {"quartier": "quartier-a", "periode": periode.code}, format="json"
    )
    assert (reponse.status_code, reponse.json()["id"]) == (200, saisie.pk)  # elle existe
    corps = {"valeurs": [{"indicateur": "menages", "valeur": "125"}], "motif": "Corrigé."}
    url = f"/api/v1/saisies/{saisie.pk}"
    reponse = api.put(f"{url}/valeurs/", corps, format="json", HTTP_IF_MATCH=reponse["ETag"])
    assert (reponse.status_code, reponse.json()["modifications"]) == (200, 1)
    reponse = api.post(f"{url}/soumettre/", HTTP_IF_MATCH=reponse["ETag"])
    assert (reponse.status_code, reponse.json()["statut"]) == (200, StatutSaisie.SOUMISE)


# --- Un brouillon d'une période fermée : se soumet tel quel, ne se modifie plus -------------


@pytest.fixture
def brouillon_ferme(table_a, periode, alice, indicateurs_a) -> Saisie:
    saisie = services.saisie_pour(table=table_a, periode=periode, auteur=alice)
    services.enregistrer_saisie(
        saisie=saisie, auteur=alice, version=1, donnees=complet(indicateurs_a)
    )
    fermer(periode)
    saisie.refresh_from_db()
    return saisie


def test_le_formulaire_d_un_brouillon_ferme_offre_seulement_de_le_soumettre(
    client, alice, brouillon_ferme, indicateurs_a, urls
):
    client.force_login(alice)
    reponse = client.get(urls["formulaire"])
    page = reponse.content.decode()
    assert SOUMETTRE_TEL_QUEL in page and BROUILLON_FERME in page
    assert MODIFIER_LE_BROUILLON not in page
    assert reponse.context["form"].fields[f"v{indicateurs_a['menages'].pk}"].disabled


def test_le_formulaire_soumet_un_brouillon_ferme_tel_qu_il_est_enregistre(
    client, alice, eve, brouillon_ferme, indicateurs_a, urls
):
    client.force_login(alice)
    # Une autre valeur envoyée quand même (champ désactivé) ne s'écrit pas.
    corps = formulaire(indicateurs_a, brouillon_ferme.version, "soumettre_tel_quel", "999")
    reponse = client.post(urls["formulaire"], corps)
    assert reponse.status_code == 302
    brouillon_ferme.refresh_from_db()
    assert brouillon_ferme.statut == StatutSaisie.SOUMISE
    assert publiee(indicateurs_a["menages"]) == Decimal(120)
    client.force_login(eve)
    reponse = client.post(
        urls["revision"], {"action": "valider", "version": brouillon_ferme.version}
    )
    assert reponse.status_code == 302


def test_un_brouillon_ferme_incomplet_dit_ce_qui_manque_et_reste_brouillon(
    client, alice, table_a, periode, indicateurs_a, urls
):
    saisie = services.saisie_pour(table=table_a, periode=periode, auteur=alice)
    donnees = {indicateurs_a["menages"].pk: DonneeValeur(valeur=Decimal(120))}
    services.enregistrer_saisie(saisie=saisie, auteur=alice, version=1, donnees=donnees)
    fermer(periode)
    client.force_login(alice)
    reponse = client.post(urls["formulaire"], {"version": "2", "action": "soumettre_tel_quel"})
    assert reponse.status_code == 400
    assert f"v{indicateurs_a['taux'].pk}" in reponse.context["form"].errors
    saisie.refresh_from_db()
    assert (saisie.statut, saisie.version) == (StatutSaisie.BROUILLON, 2)


@pytest.mark.parametrize("ferme", [False, True])
def test_soumettre_tel_quel_sans_saisie_repond_400_sans_rien_creer(
    client, alice, periode, indicateurs_a, urls, ferme
):
    """Le bouton ne paraît que pour un brouillon; rejoué ou forgé sans saisie, il faisait une
    erreur 500 (aucune saisie à soumettre)."""
    if ferme:
        fermer(periode)
    client.force_login(alice)
    reponse = client.post(urls["formulaire"], {"version": "1", "action": "soumettre_tel_quel"})
    assert reponse.status_code == 400
    assert "Rien n'est encore enregistré pour ce trimestre" in html.unescape(
        reponse.content.decode()
    )
    assert not Saisie.objects.exists()


def test_un_brouillon_ferme_incomplet_montre_le_chemin_de_l_import_sans_bouton_inutile(
    client, alice, table_a, periode, indicateurs_a, urls
):
    saisie = services.saisie_pour(table=table_a, periode=periode, auteur=alice)
    donnees = {indicateurs_a["menages"].pk: DonneeValeur(valeur=Decimal(120))}
    services.enregistrer_saisie(saisie=saisie, auteur=alice, version=1, donnees=donnees)
    fermer(periode)
    client.force_login(alice)
    page = client.get(urls["formulaire"]).content.decode()
    assert "ce brouillon est incomplet" in page
    assert reverse("import_valeurs", kwargs={"slug": table_a.quartier.slug}) in page
    assert SOUMETTRE_TEL_QUEL not in page and MODIFIER_LE_BROUILLON not in page


def test_soumettre_un_brouillon_ferme_sur_une_version_perimee_409_montre_l_actuelle(
    client, alice, brouillon_ferme, indicateurs_a, urls
):
    affichee = brouillon_ferme.version
    # Un import change la saisie entre l'affichage et l'envoi.
    services.enregistrer_saisie(
        saisie=brouillon_ferme,
        auteur=alice,
        version=affichee,
        donnees={indicateurs_a["menages"].pk: DonneeValeur(valeur=Decimal(121))},
        periode_fermee_permise=True,
    )
    client.force_login(alice)
    reponse = client.post(
        urls["formulaire"], formulaire(indicateurs_a, affichee, "soumettre_tel_quel")
    )
    assert reponse.status_code == 409
    form = reponse.context["form"]
    assert "La saisie a changé entre-temps" in str(form.non_field_errors())
    assert form[f"v{indicateurs_a['menages'].pk}"].value() == "121"
    assert form["version"].value() == str(affichee + 1)
    brouillon_ferme.refresh_from_db()
    assert brouillon_ferme.statut == StatutSaisie.BROUILLON


@pytest.mark.parametrize("par", ["formulaire", "api"])
def test_un_brouillon_ferme_ne_se_modifie_plus(
    client, alice, brouillon_ferme, indicateurs_a, urls, par
):
    version = brouillon_ferme.version
    if par == "formulaire":
        client.force_login(alice)
        corps = formulaire(indicateurs_a, version, "enregistrer", "130")
        reponse = client.post(urls["formulaire"], corps)
        message = reponse.context["conflit_clos"]
    else:
        api = APIClient()
        api.force_authenticate(alice)
        corps = {"valeurs": [{"indicateur": "menages", "valeur": "130"}]}
        reponse = api.put(
            f"/api/v1/saisies/{brouillon_ferme.pk}/valeurs/",
            corps,
            format="json",
            HTTP_IF_MATCH=f'"{version}"',
        )
        (message,) = reponse.json()["periode"]
    assert reponse.status_code == 400
    assert "ce brouillon ne se modifie plus" in message
    brouillon_ferme.refresh_from_db()
    assert (brouillon_ferme.statut, brouillon_ferme.version) == (StatutSaisie.BROUILLON, version)


def test_l_api_soumet_un_brouillon_ferme(alice, brouillon_ferme):
    api = APIClient()
    api.force_authenticate(alice)
    reponse = api.post(
        f"/api/v1/saisies/{brouillon_ferme.pk}/soumettre/",
        HTTP_IF_MATCH=f'"{brouillon_ferme.version}"',
    )
    assert (reponse.status_code, reponse.json()["statut"]) == (200, StatutSaisie.SOUMISE)


def test_une_periode_fermee_ne_recoit_plus_de_nouvelle_saisie(
    client, alice, table_a, periode, indicateurs_a, urls
):
    fermer(periode)
    client.force_login(alice)
    page = client.get(urls["formulaire"]).content.decode()
    assert SOUMETTRE_TEL_QUEL not in page and MODIFIER_LE_BROUILLON not in page
    with pytest.raises(ValidationError) as erreur:
        services.saisie_pour(table=table_a, periode=periode, auteur=alice)
    assert erreur.value.message_dict == {
        "periode": ["Cette période n'est pas ouverte à la saisie."]
    }
    assert not Saisie.objects.exists()


def test_rien_ne_se_soumet_dans_une_periode_a_venir(alice, table_a, periode, indicateurs_a):
    saisie = services.saisie_pour(table=table_a, periode=periode, auteur=alice)
    services.enregistrer_saisie(
        saisie=saisie, auteur=alice, version=1, donnees=complet(indicateurs_a)
    )
    periode.statut = StatutPeriode.A_VENIR
    periode.save(update_fields=["statut"])
    saisie.refresh_from_db()
    with pytest.raises(ValidationError) as erreur:
        services.soumettre_saisie(saisie=saisie, auteur=alice, version=saisie.version)
    assert "periode" in erreur.value.message_dict


# --- Un historique importé atteint les bilans -------------------------------------------------


def test_un_historique_importe_se_soumet_se_valide_et_atteint_les_bilans(
    client, quartier_a, alice, eve, indicateurs_a
):
    ancienne = periode_du_trimestre(2021, 1, statut=StatutPeriode.FERMEE)
    lignes = [
        {"periode": "2021-T1", "indicateur": "menages", "valeur": "120"},
        {"periode": "2021-T1", "indicateur": "taux", "valeur": "40"},
        {"periode": "2021-T1", "indicateur": "politique", "valeur": "Adoptée"},
    ]
    rapport = importation.importer(
        table=quartier_a.table, lignes=lignes, auteur=alice, nom_fichier="historique.csv"
    )
    assert rapport.est_valide
    saisie = Saisie.objects.get(periode=ancienne)
    assert saisie.statut == StatutSaisie.BROUILLON
    cles = {"slug": quartier_a.slug, "code": ancienne.code}

    client.force_login(eve)  # la révision attend la soumission : elle est désormais possible
    page = client.get(reverse("saisie_formulaire", kwargs=cles)).content.decode()
    assert "La révision sera possible quand la table aura soumis sa saisie." in page

    client.force_login(alice)
    reponse = client.post(
        reverse("saisie_formulaire", kwargs=cles),
        {"version": str(saisie.version), "action": "soumettre_tel_quel"},
    )
    assert reponse.status_code == 302
    client.force_login(eve)
    saisie.refresh_from_db()
    reponse = client.post(
        reverse("saisie_revision", kwargs=cles), {"action": "valider", "version": saisie.version}
    )
    assert reponse.status_code == 302
    assert publiee(indicateurs_a["menages"]) == Decimal(120)
