"""Le même envoi reçu deux fois dans le catalogue (double clic, envoi rejoué) : la seconde
requête, qui porte la version d'avant la première, trouve déjà enregistré exactement ce qu'elle
écrirait; elle réussit comme la première (302), sans rien écrire. Un écart de plus (autre
contenu, autre décision, autre personne) garde son refus : 409 pour un suivi ou un examen, le
message de tout code pris pour une proposition.

Avant : enregistrer deux fois la référence et les cibles répondait 409 « Quelqu'un a modifié ce
suivi … rien de ce que vous avez envoyé n'a été enregistré » alors que le premier clic l'avait
enregistré; « Proposer » deux fois, 400 « Un indicateur du catalogue porte déjà ce code » sur
sa propre proposition; désactiver deux fois, 409 « Ce suivi est déjà désactivé »; reprendre
deux fois, 400; approuver ou refuser deux fois, 409 « déjà approuvée par » soi-même."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicateurs import services_catalogue
from indicateurs.models import Cible, Indicateur, IndicateurSuivi, StatutIndicateur
from tests.factories import IndicateurFactory, IndicateurSuiviFactory, periode_du_trimestre

pytestmark = pytest.mark.django_db

CODE_PRIS = "Un indicateur du catalogue porte déjà ce code."


def _ecritures(contexte: CaptureQueriesContext) -> list[str]:
    """Les écritures dans les tables des indicateurs (la session et les messages à part)."""
    return [
        requete["sql"]
        for requete in contexte.captured_queries
        if requete["sql"].split(" ", 1)[0] in {"INSERT", "UPDATE", "DELETE"}
        and "indicateurs_" in requete["sql"]
    ]


def _rejouer(client, url: str, donnees: dict):
    """Envoie `donnees` deux fois de suite, comme un double clic : les deux réponses, et les
    écritures de la seconde."""
    premiere = client.post(url, donnees)
    with CaptureQueriesContext(connection) as requetes:
        seconde = client.post(url, donnees)
    return premiere, seconde, _ecritures(requetes)


# --- La référence et les cibles d'un suivi ------------------------------------------------------


@pytest.fixture
def suivi(quartier_a) -> IndicateurSuivi:
    """« taux » (pourcentage) suivi par A : référence 10, une cible de 40 à 2024-T4."""
    indicateur = IndicateurFactory(code="taux", unite="pourcentage", agregation="moyenne")
    suivi = IndicateurSuiviFactory(quartier=quartier_a, indicateur=indicateur)
    Cible.objects.create(suivi=suivi, periode=periode_du_trimestre(2024, 4), valeur=40)
    return suivi


def _url_du_suivi(suivi, nom: str = "suivi_modifier") -> str:
    return reverse(nom, kwargs={"slug": suivi.quartier.slug, "pk": suivi.pk})


def _formulaire(client, suivi, **remplacements) -> dict:
    """Ce que montre la page de modification (avec sa version), puis les changements."""
    form = client.get(_url_du_suivi(suivi)).context["form"]
    donnees = {nom: form[nom].value() for nom in form.fields}
    donnees = {nom: "" if valeur is None else valeur for nom, valeur in donnees.items()}
    donnees.update(remplacements)
    return donnees


def test_enregistrer_deux_fois_la_reference_et_les_cibles_reussit_et_n_ecrit_qu_une_fois(
    client, eve, suivi
):
    t4_2024, t4_2025 = periode_du_trimestre(2024, 4), periode_du_trimestre(2025, 4)
    client.force_login(eve)
    donnees = _formulaire(
        client,
        suivi,
        valeur_reference="12,5",
        date_reference="2022-12-31",
        source_reference="Sondage",
        **{f"cible_{t4_2024.pk}": "", "periode_0": str(t4_2025.pk), "nouvelle_0": "60"},
    )
    premiere, seconde, ecritures = _rejouer(client, _url_du_suivi(suivi), donnees)
    assert premiere.status_code == 302
    assert seconde.status_code == 302, seconde.content.decode()[:2000]
    assert seconde.url == premiere.url
    assert ecritures == []
    suivi.refresh_from_db()
    assert (suivi.valeur_reference, suivi.source_reference) == (Decimal("12.5"), "Sondage")
    assert [(c.periode, c.valeur) for c in suivi.cibles.all()] == [(t4_2025, Decimal("60"))]


def test_une_version_perimee_qui_envoie_autre_chose_repond_toujours_409(client, eve, ada, suivi):
    client.force_login(eve)
    perimee = _formulaire(client, suivi, valeur_reference="20")
    client.force_login(ada)
    assert (
        client.post(_url_du_suivi(suivi), {**perimee, "valeur_reference": "25"}).status_code == 302
    )
    client.force_login(eve)
    reponse = client.post(_url_du_suivi(suivi), perimee)
    assert reponse.status_code == 409
    assert "Quelqu&#x27;un a modifié ce suivi" in reponse.content.decode()
    assert IndicateurSuivi.objects.get(pk=suivi.pk).valeur_reference == Decimal("25")
    # Une cible de plus, ou de moins, que ce qui est enregistré : autre chose, 409 aussi.
    t4_2024 = periode_du_trimestre(2024, 4)
    autre_cible = {**perimee, "valeur_reference": "25", f"cible_{t4_2024.pk}": "41"}
    assert client.post(_url_du_suivi(suivi), autre_cible).status_code == 409
    assert Cible.objects.get(suivi=suivi).valeur == Decimal("40")
    # La cible que montrait la page a été retirée depuis : l'envoyer n'est pas « déjà fait ».
    Cible.objects.filter(suivi=suivi).delete()
    assert (
        client.post(_url_du_suivi(suivi), {**perimee, "valeur_reference": "25"}).status_code == 409
    )
    assert not Cible.objects.filter(suivi=suivi).exists()


def test_le_service_rend_le_suivi_sans_rien_ecrire_quand_tout_est_deja_enregistre(
    eve, ada, quartier_a, suivi
):
    """Ada a déjà enregistré exactement ce qu'Ève envoie sur la version d'avant : rien à
    écraser, rien à écrire."""
    lu = services_catalogue.suivi_du_quartier_ou_404(quartier_a, suivi.pk)
    envoi = {
        "valeur_reference": Decimal("30"),
        "date_reference": datetime.date(2023, 12, 31),
        "source_reference": "Recensement",
        "cibles": {periode_du_trimestre(2024, 4): Decimal("40.0")},
        "version": lu.version,
    }
    services_catalogue.modifier_suivi(utilisateur=ada, suivi=lu, **envoi)
    with CaptureQueriesContext(connection) as requetes:
        services_catalogue.modifier_suivi(utilisateur=eve, suivi=lu, **envoi)
    assert _ecritures(requetes) == []


# --- Désactiver et reprendre un suivi -----------------------------------------------------------


def test_desactiver_deux_fois_reussit_et_n_ecrit_qu_une_fois(client, eve, quartier_a, suivi):
    client.force_login(eve)
    version = services_catalogue.suivi_du_quartier_ou_404(quartier_a, suivi.pk).version
    premiere, seconde, ecritures = _rejouer(
        client, _url_du_suivi(suivi, "suivi_desactiver"), {"version": version}
    )
    assert (premiere.status_code, seconde.status_code) == (302, 302)
    assert ecritures == []
    assert not IndicateurSuivi.objects.get(pk=suivi.pk).actif


def test_desactiver_sur_une_version_perimee_d_un_suivi_actif_repond_toujours_409(
    client, eve, quartier_a, suivi
):
    client.force_login(eve)
    version = services_catalogue.suivi_du_quartier_ou_404(quartier_a, suivi.pk).version
    IndicateurSuivi.objects.filter(pk=suivi.pk).update(valeur_reference=11)
    reponse = client.post(_url_du_suivi(suivi, "suivi_desactiver"), {"version": version})
    assert reponse.status_code == 409
    assert IndicateurSuivi.objects.get(pk=suivi.pk).actif


def test_reprendre_deux_fois_un_suivi_arrete_reussit_et_n_ecrit_qu_une_fois(
    client, eve, quartier_a, suivi
):
    IndicateurSuivi.objects.filter(pk=suivi.pk).update(actif=False)
    client.force_login(eve)
    plan = client.get(reverse("plan_de_mesure", kwargs={"slug": quartier_a.slug}))
    assert 'name="reprise" value="1"' in plan.content.decode()  # le bouton du plan
    url = reverse("suivi_ajouter", kwargs={"slug": quartier_a.slug})
    envoi = {"indicateur": str(suivi.indicateur_id), "reprise": "1"}
    premiere, seconde, ecritures = _rejouer(client, url, envoi)
    assert (premiere.status_code, seconde.status_code) == (302, 302)
    assert ecritures == []
    assert IndicateurSuivi.objects.get(pk=suivi.pk).actif
    # Ajouter (le formulaire de la liste, sans reprise) un indicateur déjà suivi : refusé.
    reponse = client.post(url, {"indicateur": str(suivi.indicateur_id)})
    assert reponse.status_code == 400 and reponse.context["ajout"].errors["indicateur"]
    # La reprise n'ouvre pas d'autres indicateurs : non approuvé ou jamais suivi, 400.
    jamais = IndicateurFactory(code="jamais-suivi")
    propose = IndicateurFactory(code="propose", statut=StatutIndicateur.PROPOSE)
    IndicateurSuiviFactory(quartier=quartier_a, indicateur=propose)
    for autre in (jamais, propose):
        reponse = client.post(url, {"indicateur": str(autre.pk), "reprise": "1"})
        assert reponse.status_code == 400 and reponse.context["erreur"]
    assert not IndicateurSuivi.objects.filter(indicateur=jamais).exists()


# --- Proposer -----------------------------------------------------------------------------------


PROPOSITION = {
    "code": "jardins-partages",
    "nom_fr": "Jardins partagés",
    "nom_en": "Shared gardens",
    "definition_fr": "Nombre de jardins partagés actifs.",
    "definition_en": "Number of active shared gardens.",
    "famille": "processus",
    "unite": "nombre",
    "agregation": "somme",
    "polarite": "hausse",
    "periodicite": "trimestrielle",
    "source": "registre",
    "source_en": "registry",
    "valeur_reference": "4",
    "date_reference": "2024-12-31",
    "source_reference": "Registre de la table",
}


def _url_proposer(quartier) -> str:
    return reverse("indicateur_proposer", kwargs={"slug": quartier.slug})


def test_proposer_deux_fois_la_meme_proposition_reussit_et_n_en_garde_qu_une(
    client, alice, quartier_a
):
    client.force_login(alice)
    premiere, seconde, ecritures = _rejouer(client, _url_proposer(quartier_a), PROPOSITION)
    assert premiere.status_code == 302
    assert seconde.status_code == 302, seconde.context and seconde.context["form"].errors
    assert seconde.url == premiere.url
    assert ecritures == []
    [indicateur] = Indicateur.objects.filter(code="jardins-partages")
    assert indicateur.statut == StatutIndicateur.PROPOSE and indicateur.propose_par == alice
    assert IndicateurSuivi.objects.filter(indicateur=indicateur).count() == 1
    plan = client.get(premiere.url).content.decode()
    assert "est proposé" in plan


def test_une_seconde_proposition_differente_du_meme_code_reste_refusee(
    client, alice, eve, quartier_a, quartier_b
):
    client.force_login(alice)
    assert client.post(_url_proposer(quartier_a), PROPOSITION).status_code == 302
    # Alice, autre contenu ou autre référence : le code est pris.
    for remplacement in ({"definition_fr": "Autre chose."}, {"valeur_reference": "5"}):
        reponse = client.post(_url_proposer(quartier_a), {**PROPOSITION, **remplacement})
        assert reponse.status_code == 400
        assert reponse.context["form"].errors["code"] == [CODE_PRIS]
    # Ève, même contenu pour A, ou pour B : une autre personne, un autre quartier, pris aussi.
    client.force_login(eve)
    for quartier in (quartier_a, quartier_b):
        reponse = client.post(_url_proposer(quartier), PROPOSITION)
        assert reponse.status_code == 400
        assert reponse.context["form"].errors["code"] == [CODE_PRIS]
    indicateur = Indicateur.objects.get(code="jardins-partages")
    assert indicateur.definition_fr == PROPOSITION["definition_fr"]
    assert indicateur.propose_par == alice
    assert [s.quartier for s in IndicateurSuivi.objects.filter(indicateur=indicateur)] == [
        quartier_a
    ]


def test_la_meme_proposition_deja_examinee_n_est_pas_rendue(client, alice, eve, quartier_a):
    """Approuvée entre-temps, elle n'est plus en attente : proposer de nouveau est refusé."""
    client.force_login(alice)
    assert client.post(_url_proposer(quartier_a), PROPOSITION).status_code == 302
    indicateur = Indicateur.objects.get(code="jardins-partages")
    services_catalogue.approuver_proposition(utilisateur=eve, indicateur=indicateur)
    reponse = client.post(_url_proposer(quartier_a), PROPOSITION)
    assert reponse.status_code == 400
    assert reponse.context["form"].errors["code"] == [CODE_PRIS]


def test_reproposer_deux_fois_apres_un_refus_ne_garde_le_refus_qu_une_fois(
    client, alice, eve, quartier_a
):
    client.force_login(alice)
    assert client.post(_url_proposer(quartier_a), PROPOSITION).status_code == 302
    indicateur = Indicateur.objects.get(code="jardins-partages")
    services_catalogue.refuser_proposition(utilisateur=eve, indicateur=indicateur, motif="Flou.")
    corrigee = {**PROPOSITION, "definition_fr": "Jardins partagés ouverts au public."}
    premiere, seconde, ecritures = _rejouer(client, _url_proposer(quartier_a), corrigee)
    assert (premiere.status_code, seconde.status_code) == (302, 302)
    assert ecritures == []
    indicateur.refresh_from_db()
    assert indicateur.statut == StatutIndicateur.PROPOSE
    assert [refus["motif"] for refus in indicateur.refus_precedents] == ["Flou."]


# --- Examiner une proposition -------------------------------------------------------------------


@pytest.fixture
def proposition(alice, quartier_a) -> Indicateur:
    return services_catalogue.proposer_indicateur(
        utilisateur=alice,
        quartier=quartier_a,
        code="jeunes-mentores",
        nom_fr="Jeunes mentorés",
        nom_en="Mentored youth",
        definition_fr="Jeunes accompagnés par un mentor.",
        definition_en="Youth supported by a mentor.",
        famille="personnes",
        unite="nombre",
        agregation="somme",
    )


def _examen(client, proposition, **envoi):
    url = reverse("proposition", kwargs={"pk": proposition.pk})
    version = client.get(url).context["form"]["version"].value()
    return url, {"version": version, **envoi}


@pytest.mark.parametrize(
    ("envoi", "statut"),
    [
        ({"decision": "approuver"}, StatutIndicateur.APPROUVE),
        ({"decision": "refuser", "motif": "Déjà couvert."}, StatutIndicateur.RETIRE),
    ],
)
def test_la_meme_decision_envoyee_deux_fois_par_la_meme_personne_reussit(
    client, eve, proposition, envoi, statut
):
    client.force_login(eve)
    url, donnees = _examen(client, proposition, **envoi)
    premiere, seconde, ecritures = _rejouer(client, url, donnees)
    assert (premiere.status_code, seconde.status_code) == (302, 302)
    assert ecritures == []
    proposition.refresh_from_db()
    assert proposition.statut == statut and proposition.examine_par == eve


@pytest.mark.parametrize(
    ("premier", "second"),
    [
        ({"decision": "approuver"}, {"decision": "refuser", "motif": "Non."}),
        ({"decision": "refuser", "motif": "Non."}, {"decision": "approuver"}),
        ({"decision": "refuser", "motif": "Non."}, {"decision": "refuser", "motif": "Autre."}),
    ],
)
def test_une_autre_decision_de_la_meme_personne_repond_409(
    client, eve, proposition, premier, second
):
    client.force_login(eve)
    url, donnees = _examen(client, proposition)
    assert client.post(url, {**donnees, **premier}).status_code == 302
    reponse = client.post(url, {**donnees, **second})
    assert reponse.status_code == 409
    proposition.refresh_from_db()
    assert proposition.motif_refus == premier.get("motif", "")


def test_la_meme_decision_d_une_autre_personne_repond_409(client, eve, ada, proposition):
    client.force_login(eve)
    url, donnees = _examen(client, proposition, decision="approuver")
    assert client.post(url, donnees).status_code == 302
    client.force_login(ada)
    reponse = client.post(url, donnees)
    assert reponse.status_code == 409
    assert "déjà été approuvée par Ève" in reponse.content.decode()
    proposition.refresh_from_db()
    assert proposition.examine_par == eve
