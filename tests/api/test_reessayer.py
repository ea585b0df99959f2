"""Réessayer est sans danger : le même `PUT …/valeurs/` répété avec le même If-Match après une
réponse perdue répond 200 sans rien écrire, un PUT qui ne change rien ne fait pas monter la
version (pas de faux conflit pour la coordination dans le formulaire), et `soumettre` répété par
la même personne répond 200. Un renvoi ou une réouverture survenus depuis la version annoncée
répondent 412 avec leur motif, comme le formulaire. Le 412 donne les valeurs enregistrées champ
par champ (`donnees`), en plus de leur description (`valeurs`)."""

from __future__ import annotations

import pytest

from indicateurs import services
from indicateurs.models import EvenementSaisie, StatutSaisie, TypeEvenement
from tests.api import test_saisies_bilans as base
from tests.api.test_saisies_bilans import client_de, envoyer, etat

# Les données des tests de l'API des saisies (A et B remplis pour 2025-T1, version 2).
_fichiers_temporaires = base._fichiers_temporaires
periode = base.periode
indicateurs = base.indicateurs
monde = base.monde

pytestmark = pytest.mark.django_db

API = "/api/v1"
MEMES = {
    "valeurs": [
        {"indicateur": "menages", "valeur": "120"},
        {"indicateur": "taux", "valeur": "42,5"},
        {"indicateur": "politique", "valeur": "Adoptée"},
    ]
}
AUTRES = {"valeurs": [{"indicateur": "menages", "valeur": "130"}]}


def test_le_meme_put_rejoue_avec_le_meme_if_match_repond_200_sans_rien_ecrire(monde, alice):
    saisie = monde.saisie_a
    client = client_de(alice)
    adresse = f"{API}/saisies/{saisie.pk}/valeurs/"
    premiere = envoyer(client, "put", adresse, AUTRES, saisie.version)
    assert (premiere.status_code, premiere.json()["modifications"]) == (200, 1)
    apres = etat(saisie)
    rejouee = envoyer(client, "put", adresse, AUTRES, saisie.version - 1)  # la réponse perdue
    assert rejouee.status_code == 200, rejouee.json()
    assert rejouee.json()["modifications"] == 0
    assert rejouee["ETag"] == premiere["ETag"] == f'"{apres[1]}"'
    assert rejouee.json()["saisie"]["version"] == apres[1]
    assert etat(saisie) == apres  # ni valeur, ni version, ni historique


def test_un_put_qui_ne_change_rien_ne_fait_pas_monter_la_version(monde, alice):
    saisie = monde.saisie_a
    avant = etat(saisie)
    reponse = envoyer(
        client_de(alice), "put", f"{API}/saisies/{saisie.pk}/valeurs/", MEMES, saisie.version
    )
    assert reponse.status_code == 200
    assert reponse.json()["modifications"] == 0
    assert reponse["ETag"] == f'"{avant[1]}"'
    assert etat(saisie) == avant
    # la coordination, dans le formulaire ouvert à cette version, n'a pas de conflit
    resultat = services.enregistrer_saisie(
        saisie=saisie, auteur=alice, version=avant[1], donnees={}
    )
    assert resultat.saisie.version == avant[1] + 1


def test_le_rejeu_rend_les_memes_avertissements(monde, alice, periode):
    saisie = monde.saisie_a
    client = client_de(alice)
    adresse = f"{API}/saisies/{saisie.pk}/valeurs/"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(services, "signaler_aberration", lambda serie, valeur: "Valeur inhabituelle.")
        premiere = envoyer(client, "put", adresse, AUTRES, saisie.version)
        rejouee = envoyer(client, "put", adresse, AUTRES, saisie.version - 1)
    assert premiere.json()["avertissements"] == {"menages": "Valeur inhabituelle."}
    assert rejouee.json()["avertissements"] == premiere.json()["avertissements"]


def test_des_valeurs_differentes_sur_un_if_match_perime_repondent_412_champ_par_champ(monde, alice):
    saisie = monde.saisie_a
    avant = etat(saisie)
    reponse = envoyer(
        client_de(alice), "put", f"{API}/saisies/{saisie.pk}/valeurs/", AUTRES, version=1
    )
    assert reponse.status_code == 412
    corps = reponse.json()
    assert corps["valeurs"]["menages"] == "120"  # la description, comme avant
    assert corps["donnees"] == {
        "menages": {
            "valeur": "120",
            "non_disponible": False,
            "raison": "",
            "commentaire": "",
            "preuve_url": "",
        },
        "taux": {
            "valeur": "42.5",
            "non_disponible": False,
            "raison": "",
            "commentaire": "",
            "preuve_url": "",
        },
        "politique": {
            "valeur": "Adoptée",
            "non_disponible": False,
            "raison": "",
            "commentaire": "",
            "preuve_url": "",
        },
    }
    assert corps["renvoi"] is None
    assert etat(saisie) == avant


def test_les_memes_valeurs_apres_un_renvoi_repondent_412_avec_le_motif(monde, alice, eve):
    saisie = monde.saisie_a
    version_lue = saisie.version
    saisie = monde.amener(StatutSaisie.SOUMISE)
    services.renvoyer_saisie(
        saisie=saisie, auteur=eve, version=saisie.version, motif="Vérifiez les ménages."
    )
    avant = etat(saisie)
    reponse = envoyer(
        client_de(alice), "put", f"{API}/saisies/{saisie.pk}/valeurs/", MEMES, version_lue
    )
    assert reponse.status_code == 412
    corps = reponse.json()
    assert "renvoyée à la table" in corps["detail"]
    assert "« Vérifiez les ménages. »" in corps["detail"]
    assert corps["renvoi"]["evenement"] == "renvoi"
    assert corps["renvoi"]["motif"] == "Vérifiez les ménages."
    assert reponse["ETag"] == f'"{avant[1]}"'
    assert etat(saisie) == avant


def test_les_memes_valeurs_sur_une_saisie_soumise_depuis_sont_deja_enregistrees(monde, alice):
    saisie = monde.saisie_a
    version_lue = saisie.version
    saisie = monde.amener(StatutSaisie.SOUMISE)
    avant = etat(saisie)
    reponse = envoyer(
        client_de(alice), "put", f"{API}/saisies/{saisie.pk}/valeurs/", MEMES, version_lue
    )
    assert (reponse.status_code, reponse.json()["modifications"]) == (200, 0)
    assert reponse.json()["saisie"]["statut"] == "soumise"
    assert etat(saisie) == avant


def test_soumettre_rejoue_avec_le_meme_if_match_repond_200(monde, alice):
    saisie = monde.saisie_a
    client = client_de(alice)
    adresse = f"{API}/saisies/{saisie.pk}/soumettre/"
    premiere = envoyer(client, "post", adresse, {}, saisie.version)
    assert premiere.status_code == 200
    apres = etat(saisie)
    rejouee = envoyer(client, "post", adresse, {}, saisie.version - 1)
    assert rejouee.status_code == 200, rejouee.json()
    assert rejouee.json()["statut"] == "soumise"
    assert rejouee["ETag"] == premiere["ETag"]
    # puis avec l'ETag relu : toujours 200, rien de plus
    relue = envoyer(client, "post", adresse, {}, apres[1])
    assert (relue.status_code, relue.json()["version"]) == (200, apres[1])
    assert etat(saisie) == apres
    assert EvenementSaisie.objects.filter(type_evenement=TypeEvenement.SOUMISSION).count() == 1


def test_soumettre_une_saisie_soumise_par_quelqu_un_d_autre_n_est_pas_un_rejeu(monde, alice):
    saisie = monde.saisie_a
    version_lue = saisie.version
    saisie = monde.amener(StatutSaisie.SOUMISE)  # par Ada
    client = client_de(alice)
    adresse = f"{API}/saisies/{saisie.pk}/soumettre/"
    assert envoyer(client, "post", adresse, {}, version_lue).status_code == 412
    assert envoyer(client, "post", adresse, {}, saisie.version).status_code == 400


def test_soumettre_apres_un_changement_depuis_la_version_annoncee_n_est_pas_un_rejeu(monde, alice):
    saisie = monde.saisie_a
    version_lue = saisie.version
    client = client_de(alice)
    assert (
        envoyer(
            client, "put", f"{API}/saisies/{saisie.pk}/valeurs/", AUTRES, version_lue
        ).status_code
        == 200
    )
    saisie.refresh_from_db()
    services.soumettre_saisie(saisie=saisie, auteur=alice, version=saisie.version)
    reponse = envoyer(client, "post", f"{API}/saisies/{saisie.pk}/soumettre/", {}, version_lue)
    assert reponse.status_code == 412


def test_la_regle_rien_a_ecrire_est_celle_du_service(monde, alice, indicateurs):
    """Le formulaire et l'API lisent la même règle (`services.rien_a_ecrire`)."""
    saisie = monde.saisie_a
    actuelles = {v.indicateur_id: services.donnee_de(v) for v in saisie.valeurs.all()}
    assert services.rien_a_ecrire(
        saisie=saisie,
        quartier_id=saisie.table.quartier_id,
        auteur=alice,
        actuelles=actuelles,
        donnees=base.complet(indicateurs),
    )
