"""Le test de charge (`scripts/charge.sh`) : sa préparation sur les données d'échelle, et ce que
ses utilisateurs virtuels envoient — le formulaire relu et corrigé, le lot de l'API — accepté par
les vraies vues. locust n'est pas importé ici : il n'est pas installé en intégration continue."""

from __future__ import annotations

import datetime
import json
import random
from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from benchmarks.charge_commun import (
    BORNES,
    Mesure,
    centile,
    champs_du_formulaire,
    corriger,
    regrouper,
    resumer,
    valeur_voisine,
)
from benchmarks.preparer_charge import ecrire, preparer
from indicateurs.models import Periode, Saisie, StatutPeriode, StatutSaisie, Valeur
from indicateurs.validation import analyser
from quartiers.jetons import authentifier
from quartiers.models import Affectation, RoleAffectation, Utilisateur
from rapports.echelle import Parametres, generer_donnees_echelle

JOUR = datetime.date(2026, 2, 10)  # le dernier trimestre (2026-T1) est encore « à venir »


@pytest.fixture
def echelle(db):
    generer_donnees_echelle(Parametres(quartiers=5, indicateurs=6, trimestres=4), aujourd_hui=JOUR)


@pytest.fixture
def comptes(echelle):
    return preparer(coordinations=2, conseils=2, outils=2, quartiers_par_conseil=3)


def test_preparer_ouvre_la_periode_et_donne_a_chacun_son_quartier(comptes):
    periode = Periode.objects.get(annee=2026, trimestre=1)
    assert comptes["periode"] == "2026-T1" and periode.statut == StatutPeriode.OUVERTE
    ecrivains = [c["quartier"] for c in comptes["coordinations"] + comptes["outils"]]
    assert len(set(ecrivains)) == 4  # personne ne partage une saisie : aucun 409 attendu
    for compte in comptes["coordinations"] + comptes["outils"]:
        affectations = Affectation.objects.filter(utilisateur__email=compte["courriel"])
        assert [(a.quartier.slug, a.role) for a in affectations] == [
            (compte["quartier"], RoleAffectation.COORDONNATEUR)
        ]
        assert {i["unite"] for i in compte["indicateurs"]} <= {*BORNES, "texte"}
    for compte in comptes["conseils"]:
        suivis = Affectation.objects.filter(
            utilisateur__email=compte["courriel"], role=RoleAffectation.CONSEILLER
        )
        assert sorted(a.quartier.slug for a in suivis) == sorted(compte["quartiers"])
        assert len(compte["quartiers"]) == 3
    saisies = Saisie.objects.filter(periode=periode, table__quartier__slug__in=ecrivains)
    assert {s.statut for s in saisies} == {StatutSaisie.BROUILLON}
    utilisateur = Utilisateur.objects.get(email=comptes["coordinations"][0]["courriel"])
    assert utilisateur.check_password(comptes["mot_de_passe"])


def test_preparer_est_idempotent_et_remplace_les_jetons(comptes):
    anciennes = [o["jeton"] for o in comptes["outils"]]
    assert all(authentifier(cle) for cle in anciennes)
    utilisateurs, affectations = Utilisateur.objects.count(), Affectation.objects.count()
    Saisie.objects.filter(periode__annee=2026, periode__trimestre=1).update(
        statut=StatutSaisie.SOUMISE
    )
    encore = preparer(coordinations=2, conseils=2, outils=2, quartiers_par_conseil=3)
    assert (Utilisateur.objects.count(), Affectation.objects.count()) == (
        utilisateurs,
        affectations,
    )
    assert not any(authentifier(cle) for cle in anciennes)
    assert all(authentifier(o["jeton"]) for o in encore["outils"])
    ecrivains = [c["quartier"] for c in encore["coordinations"] + encore["outils"]]
    assert set(
        Saisie.objects.filter(
            periode__annee=2026, periode__trimestre=1, table__quartier__slug__in=ecrivains
        ).values_list("statut", flat=True)
    ) == {StatutSaisie.BROUILLON}


def test_preparer_refuse_plus_d_ecrivains_que_de_quartiers(echelle):
    with pytest.raises(SystemExit, match="quartiers"):
        preparer(coordinations=4, conseils=1, outils=2, quartiers_par_conseil=2)
    assert not Utilisateur.objects.filter(email__endswith="charge.evalpic.invalid").exists()


def test_le_fichier_des_comptes_n_est_lisible_que_par_son_proprietaire(tmp_path):
    sortie = tmp_path / "comptes.json"
    ecrire({"outils": [{"jeton": "evp_x"}]}, sortie)
    assert json.loads(sortie.read_text()) == {"outils": [{"jeton": "evp_x"}]}
    assert sortie.stat().st_mode & 0o077 == 0


def test_le_formulaire_relu_et_corrige_s_enregistre(client, comptes):
    """Ce que fait une coordination virtuelle : lire la page, corriger, envoyer, relire."""
    compte = comptes["coordinations"][0]
    client.force_login(Utilisateur.objects.get(email=compte["courriel"]))
    url = reverse(
        "saisie_formulaire", kwargs={"slug": compte["quartier"], "code": comptes["periode"]}
    )
    champs = champs_du_formulaire(client.get(url).content.decode(), "saisie")
    version = int(champs["version"])
    donnees = corriger(champs, compte["indicateurs"], random.Random(3), combien=3)
    changes = {cle for cle in donnees if donnees[cle] != champs[cle]}
    assert changes and all(cle.startswith("v") for cle in changes)
    reponse = client.post(url, {**donnees, "action": "enregistrer"})
    assert reponse.status_code == 302 and reponse["Location"] == url
    relu = champs_du_formulaire(client.get(url).content.decode(), "saisie")
    assert int(relu["version"]) == version + 1
    for cle in changes:
        valeur = Valeur.objects.get(
            saisie__table__quartier__slug=compte["quartier"],
            saisie__periode__annee=2026,
            indicateur_id=int(cle[1:]),
        )
        assert valeur.valeur_numerique == Decimal(donnees[cle])


def test_le_lot_d_un_outil_s_ecrit_par_l_api(comptes):
    outil = comptes["outils"][0]
    api = APIClient(HTTP_AUTHORIZATION=f"Bearer {outil['jeton']}")
    saisies = api.get("/api/v1/saisies/", {"quartier": outil["quartier"]}).json()["results"]
    saisie = next(s for s in saisies if s["periode"] == comptes["periode"])
    lue = api.get(f"/api/v1/saisies/{saisie['id']}/")
    rng = random.Random(5)
    lot = [
        {"indicateur": i["code"], "valeur": valeur_voisine(i["unite"], i["valeur"], rng)}
        for i in outil["indicateurs"]
        if i["unite"] != "texte"
    ]
    reponse = api.put(
        f"/api/v1/saisies/{saisie['id']}/valeurs/",
        {"valeurs": lot, "motif": "test de charge"},
        format="json",
        HTTP_IF_MATCH=lue["ETag"],
    )
    assert reponse.status_code == 200, reponse.content
    assert reponse["ETag"] != lue["ETag"]


@pytest.mark.parametrize("unite", sorted(BORNES))
@pytest.mark.parametrize("actuelle", [None, "", "0", "1", "3.4", "99.9", "100", "184900", "abc"])
def test_une_valeur_voisine_est_toujours_valide(unite, actuelle):
    rng = random.Random(11)
    for _ in range(50):
        assert analyser(unite, valeur_voisine(unite, actuelle, rng)) is not None


def test_une_unite_texte_n_a_pas_de_valeur_voisine():
    assert valeur_voisine("texte", "un texte", random.Random(1)) is None


def test_les_champs_sont_ceux_que_soumettrait_un_navigateur():
    html = """
    <form class="langue"><input name="langue" value="en"></form>
    <form method="post" class="saisie large">
      <input type="hidden" name="version" value="7">
      <input type="text" name="v1" value="12,5">
      <input type="checkbox" name="nd1">
      <input type="checkbox" name="nd2" checked>
      <input type="text" name="v3" value="9" disabled>
      <textarea name="c1">
Ligne « un » &amp; deux</textarea>
      <select name="s"><option value="a">A</option><option value="b" selected>B</option></select>
      <button type="submit" name="action" value="enregistrer">Enregistrer</button>
      <input type="submit" name="autre" value="x">
    </form>
    <form class="saisie"><input name="plus-tard" value="1"></form>
    """
    assert champs_du_formulaire(html, "saisie") == {
        "version": "7",
        "v1": "12,5",
        "nd2": "on",
        "c1": "Ligne « un » & deux",
        "s": "b",
    }


def test_centiles_et_resume():
    durees = [float(n) for n in range(1, 101)]
    assert (centile(durees, 50), centile(durees, 95), centile([], 95)) == (50.0, 95.0, 0.0)
    lignes = resumer({"a": durees, "b": [1.0, 3.0]}, {"b": 1}, secondes=10)
    assert [(ligne["nom"], ligne["requetes"], ligne["erreurs"]) for ligne in lignes] == [
        ("a", 100, 0),
        ("b", 2, 1),
        ("ensemble", 102, 1),
    ]
    assert lignes[0]["debit"] == 10.0 and lignes[1]["p95"] == 3.0


def test_regrouper_par_scenario_et_depuis_un_instant():
    mesures = {
        "outil · valeurs": [Mesure(1.0, 10.0, False), Mesure(5.0, 20.0, True)],
        "outil · saisies": [Mesure(6.0, 30.0, False)],
        "conseil · vue": [Mesure(2.0, 40.0, False)],
    }
    assert regrouper(mesures, " · ") == (
        {"outil": [10.0, 20.0, 30.0], "conseil": [40.0]},
        {"outil": 1, "conseil": 0},
    )
    durees, erreurs = regrouper(mesures, depuis=5.0)
    assert durees == {"outil · valeurs": [20.0], "outil · saisies": [30.0]}
    assert erreurs == {"outil · valeurs": 1, "outil · saisies": 0}
