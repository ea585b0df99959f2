"""Les pages de saisie : accès, erreurs à côté des champs, conflit, circuit, requêtes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicateurs import services
from indicateurs.models import EvenementSaisie, Saisie, StatutPeriode, StatutSaisie, Valeur
from tests.factories import IndicateurFactory, IndicateurSuiviFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def url(quartier_a, periode):
    return reverse("saisie_formulaire", kwargs={"slug": quartier_a.slug, "code": periode.code})


def formulaire(ind, version=1, **remplacements) -> dict:
    donnees = {
        "version": str(version),
        f"v{ind['menages'].pk}": "120",
        f"v{ind['taux'].pk}": "42,5",
        f"v{ind['politique'].pk}": "",
        f"nd{ind['politique'].pk}": "on",
        f"r{ind['politique'].pk}": "Pas encore adoptée",
        "action": "enregistrer",
    }
    donnees.update(remplacements)
    return donnees


@pytest.mark.parametrize(
    ("persona", "statut"),
    [("alice", 200), ("bob", 200), ("eve", 200), ("ada", 200), ("charlie", 404)],
)
def test_acces_au_formulaire(client, personas, url, indicateurs_a, persona, statut):
    client.force_login(personas[persona])
    assert client.get(url).status_code == statut


def test_anonyme_renvoye_a_la_connexion(client, url):
    assert client.get(url).status_code == 302


def test_une_periode_inconnue_repond_404(client, alice, quartier_a):
    client.force_login(alice)
    for code in ["2099-T1", "abc", "2025-T9"]:
        url = reverse("saisie_formulaire", kwargs={"slug": quartier_a.slug, "code": code})
        assert client.get(url).status_code == 404


def test_le_formulaire_montre_unites_contexte_et_indicateur_calcule(
    client, alice, url, indicateurs_a, quartier_a
):
    from tests.factories import ParticipationFactory

    ParticipationFactory(table=quartier_a.table)  # un registre (depuis 2018)
    client.force_login(alice)
    contenu = client.get(url).content.decode()
    assert "nombre entier ≥ 0" in contenu and "de 0 à 100" in contenu
    assert "calculé à partir du registre" in contenu
    assert f'name="v{indicateurs_a["partenaires"].pk}"' not in contenu


@pytest.mark.parametrize(
    ("champ", "brut", "message"),
    [
        ("menages", "abc", "n'est pas un nombre"),
        ("taux", "150", "entre 0 et 100"),
        ("menages", "-4", "négatif"),
    ],
)
def test_une_erreur_reste_a_cote_du_champ_et_rien_n_est_enregistre(
    client, alice, url, indicateurs_a, champ, brut, message
):
    client.force_login(alice)
    reponse = client.post(url, formulaire(indicateurs_a, **{f"v{indicateurs_a[champ].pk}": brut}))
    assert reponse.status_code == 400
    assert message in " ".join(reponse.context["form"].errors[f"v{indicateurs_a[champ].pk}"])
    assert f'value="{brut}"' in reponse.content.decode()  # la saisie est gardée
    assert not Valeur.objects.exists()


def test_non_disponible_sans_raison_est_refuse(client, alice, url, indicateurs_a):
    client.force_login(alice)
    pk = indicateurs_a["politique"].pk
    reponse = client.post(url, formulaire(indicateurs_a, **{f"r{pk}": ""}))
    assert reponse.status_code == 400
    assert reponse.context["form"].errors[f"r{pk}"]
    assert not Valeur.objects.exists()
    # Refusée, la première écriture ne laisse ni brouillon vide ni événement « création ».
    assert not Saisie.objects.exists()
    assert not EvenementSaisie.objects.exists()


def test_enregistrer_puis_soumettre(client, alice, url, indicateurs_a, periode, table_a):
    client.force_login(alice)
    assert client.post(url, formulaire(indicateurs_a)).status_code == 302
    saisie = Saisie.objects.get(table=table_a, periode=periode)
    assert saisie.valeurs.get(indicateur=indicateurs_a["taux"]).valeur_numerique == Decimal("42.5")
    reponse = client.post(
        url, formulaire(indicateurs_a, version=saisie.version + 0, action="soumettre")
    )
    assert reponse.status_code == 302
    saisie.refresh_from_db()
    assert saisie.statut == StatutSaisie.SOUMISE


@pytest.mark.parametrize("action", ["enregistrer", "soumettre"])
def test_le_formulaire_refuse_une_periode_fermee(
    client, alice, url, indicateurs_a, periode, action
):
    periode.statut = StatutPeriode.FERMEE
    periode.save(update_fields=["statut"])
    client.force_login(alice)
    reponse = client.post(url, formulaire(indicateurs_a, action=action))
    assert reponse.status_code == 400
    # Ouvert avant la fermeture : la page le dit et garde ce qui a été tapé
    # (test_fermee_avant_le_premier_enregistrement.py).
    assert "La période s'est fermée pendant que vous remplissiez" in reponse.content.decode()
    assert not Saisie.objects.exists()


def test_le_formulaire_soumet_tel_quel_un_brouillon_d_une_periode_fermee(
    client, alice, url, indicateurs_a, periode, table_a
):
    """Sans le modifier (tests/indicateurs/test_periode_fermee.py)."""
    client.force_login(alice)
    client.post(url, formulaire(indicateurs_a))
    saisie = Saisie.objects.get(table=table_a, periode=periode)
    periode.statut = StatutPeriode.FERMEE
    periode.save(update_fields=["statut"])
    reponse = client.post(
        url, formulaire(indicateurs_a, version=saisie.version, action="soumettre_tel_quel")
    )
    assert reponse.status_code == 302
    saisie.refresh_from_db()
    assert (saisie.statut, saisie.version) == (StatutSaisie.SOUMISE, 3)


def test_une_sauvegarde_perimee_montre_les_deux_valeurs_et_ne_change_rien(
    client, alice, ada, url, indicateurs_a, table_a, periode
):
    client.force_login(ada)
    client.post(url, formulaire(indicateurs_a, **{f"v{indicateurs_a['menages'].pk}": "77"}))
    client.force_login(alice)
    reponse = client.post(
        url, formulaire(indicateurs_a, version=1, **{f"v{indicateurs_a['menages'].pk}": "99"})
    )
    assert reponse.status_code == 409
    contenu = reponse.content.decode()
    assert "77" in contenu and "99" in contenu
    assert Valeur.objects.get(indicateur=indicateurs_a["menages"]).valeur_numerique == 77


def test_circuit_complet_par_les_pages(
    client, alice, eve, url, indicateurs_a, quartier_a, periode, table_a
):
    client.force_login(alice)
    client.post(url, formulaire(indicateurs_a, action="soumettre"))
    saisie = Saisie.objects.get(table=table_a, periode=periode)
    revision = reverse("saisie_revision", kwargs={"slug": quartier_a.slug, "code": periode.code})
    client.force_login(eve)
    reponse = client.post(revision, {"action": "renvoyer", "version": saisie.version, "motif": ""})
    assert reponse.status_code == 400
    client.post(
        revision, {"action": "renvoyer", "version": saisie.version, "motif": "Vérifier le taux."}
    )
    client.force_login(alice)
    assert "Vérifier le taux." in client.get(reverse("boite_de_saisie")).content.decode()
    saisie.refresh_from_db()
    client.post(url, formulaire(indicateurs_a, version=saisie.version, action="soumettre"))
    saisie.refresh_from_db()
    client.force_login(eve)
    client.post(revision, {"action": "valider", "version": saisie.version})
    saisie.refresh_from_db()
    assert saisie.statut == StatutSaisie.VALIDEE
    client.force_login(alice)
    contenu = client.get(url).content.decode()
    assert "verrouillées" in contenu and "disabled" in contenu
    changee = formulaire(indicateurs_a, version=saisie.version)
    changee[f"v{indicateurs_a['menages'].pk}"] = "121"
    reponse = client.post(url, changee)
    assert reponse.status_code == 400
    assert saisie.valeurs.get(indicateur=indicateurs_a["menages"]).valeur_numerique == 120


@pytest.mark.parametrize(("persona", "statut"), [("bob", 403), ("charlie", 404), ("alice", 403)])
def test_seule_l_evaluation_revise(
    client, personas, quartier_a, periode, table_a, indicateurs_a, persona, statut
):
    services.saisie_pour(table=table_a, periode=periode)
    revision = reverse("saisie_revision", kwargs={"slug": quartier_a.slug, "code": periode.code})
    client.force_login(personas[persona])
    assert client.post(revision, {"action": "valider", "version": 1}).status_code == statut


@pytest.mark.parametrize(("persona", "statut"), [("bob", 403), ("charlie", 404)])
def test_seule_la_coordination_enregistre(client, personas, url, indicateurs_a, persona, statut):
    client.force_login(personas[persona])
    assert client.post(url, formulaire(indicateurs_a)).status_code == statut
    assert not Valeur.objects.exists()


def test_l_historique_montre_auteur_et_valeurs(
    client, alice, bob, url, indicateurs_a, quartier_a, periode
):
    client.force_login(alice)
    client.post(url, formulaire(indicateurs_a))
    client.post(
        url, formulaire(indicateurs_a, version=2, **{f"v{indicateurs_a['menages'].pk}": "130"})
    )
    client.force_login(bob)
    historique = reverse(
        "saisie_historique", kwargs={"slug": quartier_a.slug, "code": periode.code}
    )
    contenu = client.get(historique).content.decode()
    assert "Alice" in contenu and "120" in contenu and "130" in contenu
    client.force_login(alice)
    assert EvenementSaisie.objects.filter(type_evenement="valeur").count() == 4


def test_charlie_ne_voit_pas_l_historique_de_a(
    client, charlie, alice, url, indicateurs_a, quartier_a, periode
):
    client.force_login(alice)
    client.post(url, formulaire(indicateurs_a))
    client.force_login(charlie)
    historique = reverse(
        "saisie_historique", kwargs={"slug": quartier_a.slug, "code": periode.code}
    )
    assert client.get(historique).status_code == 404


def test_la_completude_est_reservee_a_l_evaluation(client, alice, eve, periode):
    client.force_login(alice)
    assert client.get(reverse("completude")).status_code == 403
    client.force_login(eve)
    assert client.get(reverse("completude")).status_code == 200


def _suivre(quartier, nombre: int) -> dict:
    ind = {}
    for _ in range(nombre):
        indicateur = IndicateurFactory(unite="nombre")
        IndicateurSuiviFactory(quartier=quartier, indicateur=indicateur)
        ind[indicateur.pk] = indicateur
    return ind


def _enregistrer(client, url, indicateurs, version=1) -> int:
    donnees = {"version": str(version), "action": "enregistrer"}
    donnees.update({f"v{pk}": str(rang) for rang, pk in enumerate(indicateurs)})
    with CaptureQueriesContext(connection) as requetes:
        assert client.post(url, donnees).status_code == 302
    return len(requetes)


def test_enregistrer_10_ou_100_indicateurs_coute_autant_de_requetes(
    client, alice, charlie, quartier_a, quartier_b, periode
):
    # Session, utilisateur, accès (quartier, droits), période, page (saisie, suivis, cibles,
    # valeurs précédentes, changements, registre), saisie, version, valeurs existantes, une
    # insertion groupée des valeurs, une de l'historique, les séries pour les avertissements.
    petits = _suivre(quartier_a, 10)
    grands = _suivre(quartier_b, 100)
    client.force_login(alice)
    url_a = reverse("saisie_formulaire", kwargs={"slug": quartier_a.slug, "code": periode.code})
    url_b = reverse("saisie_formulaire", kwargs={"slug": quartier_b.slug, "code": periode.code})
    requetes_a = _enregistrer(client, url_a, petits)
    client.force_login(charlie)
    assert _enregistrer(client, url_b, grands) == requetes_a


def test_afficher_10_ou_100_indicateurs_coute_autant_de_requetes(
    client, eve, quartier_a, quartier_b, periode
):
    _suivre(quartier_a, 10)
    _suivre(quartier_b, 100)
    client.force_login(eve)
    compte = []
    for quartier in (quartier_a, quartier_b):
        url = reverse("saisie_formulaire", kwargs={"slug": quartier.slug, "code": periode.code})
        with CaptureQueriesContext(connection) as requetes:
            client.get(url)
        compte.append(len(requetes))
    assert compte[0] == compte[1]
