"""Les pages du catalogue et du plan de mesure (indicateurs.views_catalogue) : qui y accède
(Alice coordonne A, Bob le conseille, Charlie coordonne B, Ève évalue, Ada administre,
l'anonyme), la proposition qui devient une question du formulaire trimestriel une fois
approuvée, le refus motivé que voit la table, les entrées refusées (exposant, pourcentage hors
bornes, identifiants inconnus, version périmée) qui n'écrivent rien, et le nombre de requêtes
des listes, indépendant du volume."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from indicateurs import services_catalogue
from indicateurs.models import Cible, Indicateur, IndicateurSuivi, StatutIndicateur
from tests.factories import (
    IndicateurFactory,
    IndicateurSuiviFactory,
    UtilisateurFactory,
    periode_du_trimestre,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def monde(quartier_a, quartier_b, personas) -> dict:
    """A suit « taux » (pourcentage, une cible à 2024-T4) et une proposition d'Alice; B suit
    « secret-b »."""
    taux = IndicateurFactory(code="taux", unite="pourcentage", agregation="moyenne")
    suivi = IndicateurSuiviFactory(quartier=quartier_a, indicateur=taux)
    Cible.objects.create(suivi=suivi, periode=periode_du_trimestre(2024, 4), valeur=40)
    proposition = services_catalogue.proposer_indicateur(
        utilisateur=personas["alice"],
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
    suivi_b = IndicateurSuiviFactory(quartier=quartier_b, indicateur__code="secret-b")
    return {"suivi": suivi, "proposition": proposition, "suivi_b": suivi_b}


def _statut(client, personas, persona, methode, url, donnees=None) -> int:
    if persona != "anonyme":
        client.force_login(personas[persona])
    reponse = getattr(client, methode)(url, donnees or {})
    return reponse.status_code


# Alice, Bob, Charlie, Ève, Ada, l'anonyme (redirigé vers la connexion).
MATRICE = {
    "plan": ("get", [200, 200, 404, 200, 200, 302]),
    "proposer": ("get", [200, 403, 404, 200, 200, 302]),
    "suivre": ("post", [403, 403, 404, 400, 400, 302]),
    "modifier": ("get", [403, 403, 404, 200, 200, 302]),
    "desactiver": ("post", [403, 403, 404, 302, 302, 302]),
    "propositions": ("get", [403, 403, 403, 200, 200, 302]),
    "proposition": ("get", [403, 403, 403, 200, 200, 302]),
}
PERSONAS = ["alice", "bob", "charlie", "eve", "ada", "anonyme"]


def _url(page: str, quartier, monde) -> str:
    slug = {"slug": quartier.slug}
    return {
        "plan": reverse("plan_de_mesure", kwargs=slug),
        "proposer": reverse("indicateur_proposer", kwargs=slug),
        "suivre": reverse("suivi_ajouter", kwargs=slug),
        "modifier": reverse("suivi_modifier", kwargs={**slug, "pk": monde["suivi"].pk}),
        "desactiver": reverse("suivi_desactiver", kwargs={**slug, "pk": monde["suivi"].pk}),
        "propositions": reverse("propositions"),
        "proposition": reverse("proposition", kwargs={"pk": monde["proposition"].pk}),
    }[page]


@pytest.mark.parametrize("page", list(MATRICE))
@pytest.mark.parametrize("rang", range(len(PERSONAS)), ids=PERSONAS)
def test_matrice_d_acces(client, personas, quartier_a, monde, page, rang):
    methode, attendus = MATRICE[page]
    url = _url(page, quartier_a, monde)
    assert _statut(client, personas, PERSONAS[rang], methode, url) == attendus[rang]
    if PERSONAS[rang] in ("alice", "bob", "charlie", "anonyme"):
        monde["suivi"].refresh_from_db()
        assert monde["suivi"].actif  # rien n'a changé


def test_le_suivi_d_un_autre_quartier_repond_404_sous_l_adresse_de_a(
    client, eve, quartier_a, monde
):
    client.force_login(eve)
    for nom in ("suivi_modifier", "suivi_desactiver"):
        for pk in (monde["suivi_b"].pk, 999999):
            url = reverse(nom, kwargs={"slug": quartier_a.slug, "pk": pk})
            assert client.post(url, {}).status_code == 404
    assert client.get(reverse("proposition", kwargs={"pk": 999999})).status_code == 404
    assert client.get(reverse("plan_de_mesure", kwargs={"slug": "inconnu"})).status_code == 404


def test_la_page_du_quartier_mene_au_plan(client, bob, quartier_a):
    client.force_login(bob)
    page = client.get(quartier_a.get_absolute_url()).content.decode()
    assert reverse("plan_de_mesure", kwargs={"slug": quartier_a.slug}) in page


# --- Proposer, examiner, saisir -----------------------------------------------------------------


def _formulaire_de_proposition(**remplacements) -> dict:
    donnees = {
        "code": "familles-jointes",
        "nom_fr": "Familles jointes",
        "nom_en": "Families reached",
        "definition_fr": "Familles jointes par les activités de la table.",
        "definition_en": "Families reached by the table's activities.",
        "famille": "personnes",
        "theme": "",
        "unite": "nombre",
        "polarite": "hausse",
        "agregation": "somme",
        "periodicite": "trimestrielle",
        "source": "Registre",
        "source_en": "Register",
        "valeur_reference": "1 250",
        "date_reference": "2024-12-31",
        "source_reference": "Registre 2024",
    }
    donnees.update(remplacements)
    return donnees


def test_de_la_proposition_d_alice_au_formulaire_trimestriel(client, alice, eve, quartier_a):
    periode = periode_du_trimestre(2025, 1, statut="ouverte")
    client.force_login(alice)
    url = reverse("indicateur_proposer", kwargs={"slug": quartier_a.slug})
    reponse = client.post(url, _formulaire_de_proposition())
    assert reponse.status_code == 302
    indicateur = Indicateur.objects.get(code="familles-jointes")
    assert indicateur.statut == StatutIndicateur.PROPOSE and indicateur.propose_par == alice
    assert indicateur.suivis.get().valeur_reference == Decimal("1250")
    saisie = reverse("saisie_formulaire", kwargs={"slug": quartier_a.slug, "code": periode.code})
    assert f'name="v{indicateur.pk}"' not in client.get(saisie).content.decode()
    plan = client.get(reverse("plan_de_mesure", kwargs={"slug": quartier_a.slug})).content.decode()
    assert "familles-jointes" in plan and "en attente d'examen" in plan

    client.force_login(eve)
    liste = client.get(reverse("propositions")).content.decode()
    assert "familles-jointes" in liste and "Quartier A" in liste and str(alice) in liste
    page = reverse("proposition", kwargs={"pk": indicateur.pk})
    version = services_catalogue.empreinte_de_la_proposition(indicateur)
    assert client.post(page, {"decision": "approuver", "version": version}).status_code == 302
    assert f'href="{page}"' not in client.get(reverse("propositions")).content.decode()

    client.force_login(alice)
    assert f'name="v{indicateur.pk}"' in client.get(saisie).content.decode()


def test_une_proposition_mal_remplie_repond_400_par_champ_et_rien_n_est_ecrit(
    client, alice, quartier_a
):
    IndicateurFactory(code="pris")
    client.force_login(alice)
    url = reverse("indicateur_proposer", kwargs={"slug": quartier_a.slug})
    avant = Indicateur.objects.count()
    for donnees, champ in [
        ({"code": "pris"}, "code"),
        ({"code": "Pas un code!"}, "code"),
        ({"valeur_reference": "1e3"}, "valeur_reference"),
        ({"unite": "pourcentage", "valeur_reference": "150"}, "valeur_reference"),
        ({"valeur_reference": "12", "date_reference": ""}, "date_reference"),
        ({"theme": "999999"}, "theme"),
        ({"famille": "inconnue"}, "famille"),
    ]:
        reponse = client.post(url, _formulaire_de_proposition(**donnees))
        assert reponse.status_code == 400, donnees
        assert reponse.context["form"].errors.get(champ), donnees
    reponse = client.post(url, _formulaire_de_proposition(valeur_reference="1e3"))
    assert "soit 1\xa0000" in str(reponse.context["form"].errors["valeur_reference"])
    assert Indicateur.objects.count() == avant and not IndicateurSuivi.objects.exists()


def test_refus_motive_que_la_table_lit_sur_son_plan(client, alice, eve, quartier_a, monde):
    client.force_login(eve)
    page = reverse("proposition", kwargs={"pk": monde["proposition"].pk})
    reponse = client.post(page, {"decision": "refuser", "motif": ""})
    assert reponse.status_code == 400 and reponse.context["form"].errors["motif"]
    assert client.post(page, {"decision": "peut-etre"}).status_code == 400
    monde["proposition"].refresh_from_db()
    assert monde["proposition"].statut == StatutIndicateur.PROPOSE
    motif = "Déjà couvert par l'indicateur « taux »."
    assert client.post(page, {"decision": "refuser", "motif": motif}).status_code == 302
    client.force_login(alice)
    plan = client.get(reverse("plan_de_mesure", kwargs={"slug": quartier_a.slug}))
    assert "Déjà couvert par l&#x27;indicateur « taux »." in plan.content.decode()
    assert "refusé par Ève" in plan.content.decode()


def test_deux_evaluations_examinent_la_meme_proposition(client, eve, ada, monde):
    page = reverse("proposition", kwargs={"pk": monde["proposition"].pk})
    version = services_catalogue.empreinte_de_la_proposition(monde["proposition"])
    client.force_login(eve)
    assert client.post(page, {"decision": "approuver", "version": version}).status_code == 302
    client.force_login(ada)
    reponse = client.post(page, {"decision": "refuser", "motif": "Non", "version": version})
    assert reponse.status_code == 409
    assert "déjà été approuvée par Ève" in reponse.content.decode()
    monde["proposition"].refresh_from_db()
    assert monde["proposition"].statut == StatutIndicateur.APPROUVE
    assert monde["proposition"].motif_refus == ""


# --- Tenir le plan ------------------------------------------------------------------------------


def _formulaire_du_suivi(suivi, **remplacements) -> dict:
    actuel = services_catalogue.suivi_du_quartier_ou_404(suivi.quartier, suivi.pk)
    donnees = {
        "version": actuel.version,
        "valeur_reference": "35,5",
        "date_reference": "2023-12-31",
        "source_reference": "Sondage",
        f"cible_{periode_du_trimestre(2024, 4).pk}": "45",
    }
    donnees.update(remplacements)
    return donnees


def test_eve_modifie_reference_et_cibles(client, eve, quartier_a, monde):
    t4_2025 = periode_du_trimestre(2025, 4)
    client.force_login(eve)
    url = reverse("suivi_modifier", kwargs={"slug": quartier_a.slug, "pk": monde["suivi"].pk})
    assert client.get(url).status_code == 200
    donnees = _formulaire_du_suivi(monde["suivi"], periode_0=str(t4_2025.pk), nouvelle_0="60")
    assert client.post(url, donnees).status_code == 302
    suivi = IndicateurSuivi.objects.get(pk=monde["suivi"].pk)
    assert suivi.valeur_reference == Decimal("35.5") and suivi.source_reference == "Sondage"
    assert sorted(c.valeur for c in suivi.cibles.all()) == [Decimal("45"), Decimal("60")]


@pytest.mark.parametrize("langue", ["fr", "en"])
def test_le_formulaire_relit_tel_quel_ce_qu_il_montre(client, eve, quartier_a, monde, langue):
    IndicateurSuivi.objects.filter(pk=monde["suivi"].pk).update(valeur_reference="12.5")
    Cible.objects.filter(suivi=monde["suivi"]).update(valeur="99.25")
    client.force_login(eve)
    client.cookies["django_language"] = langue
    url = reverse("suivi_modifier", kwargs={"slug": quartier_a.slug, "pk": monde["suivi"].pk})
    form = client.get(url, HTTP_ACCEPT_LANGUAGE=langue).context["form"]
    montre = {nom: form[nom].value() for nom in form.fields}
    assert montre["valeur_reference"] == ("12,5" if langue == "fr" else "12.5")
    envoi = {nom: "" if valeur is None else valeur for nom, valeur in montre.items()}
    assert client.post(url, envoi, HTTP_ACCEPT_LANGUAGE=langue).status_code == 302
    suivi = IndicateurSuivi.objects.get(pk=monde["suivi"].pk)
    assert suivi.valeur_reference == Decimal("12.5")
    assert [c.valeur for c in suivi.cibles.all()] == [Decimal("99.25")]


@pytest.mark.parametrize(
    ("remplacements", "champ"),
    [
        ({"valeur_reference": "1e3"}, "valeur_reference"),
        ({"valeur_reference": "150"}, "valeur_reference"),
        ({"date_reference": "2999-01-01"}, "date_reference"),
        ({"cible_CIBLE": "2.5E+1"}, "cible_CIBLE"),
        ({"cible_CIBLE": "101"}, "cible_CIBLE"),
        ({"periode_0": "999999", "nouvelle_0": "50"}, "periode_0"),
        ({"periode_0": "T4", "nouvelle_0": "-3"}, "nouvelle_0"),
        ({"periode_0": "T4", "nouvelle_0": ""}, "nouvelle_0"),
        ({"periode_0": "CIBLE", "nouvelle_0": "50"}, "periode_0"),
    ],
)
def test_une_entree_refusee_repond_400_a_cote_du_champ_et_rien_n_est_ecrit(
    client, eve, quartier_a, monde, remplacements, champ
):
    t4_2024, t4_2025 = periode_du_trimestre(2024, 4), periode_du_trimestre(2025, 4)
    remplace = {"CIBLE": str(t4_2024.pk), "T4": str(t4_2025.pk)}
    donnees = {
        cle.replace("CIBLE", remplace["CIBLE"]): remplace.get(valeur, valeur)
        for cle, valeur in remplacements.items()
    }
    champ = champ.replace("CIBLE", remplace["CIBLE"])
    client.force_login(eve)
    url = reverse("suivi_modifier", kwargs={"slug": quartier_a.slug, "pk": monde["suivi"].pk})
    reponse = client.post(url, _formulaire_du_suivi(monde["suivi"], **donnees))
    assert reponse.status_code == 400
    assert reponse.context["form"].errors.get(champ), reponse.context["form"].errors
    suivi = IndicateurSuivi.objects.get(pk=monde["suivi"].pk)
    assert suivi.valeur_reference == Decimal("10") and suivi.source_reference == ""
    assert [(c.periode_id, c.valeur) for c in suivi.cibles.all()] == [(t4_2024.pk, Decimal("40"))]


def test_une_version_perimee_repond_409_et_n_ecrit_rien(client, eve, ada, quartier_a, monde):
    url = reverse("suivi_modifier", kwargs={"slug": quartier_a.slug, "pk": monde["suivi"].pk})
    perimee = _formulaire_du_suivi(monde["suivi"], valeur_reference="20")
    client.force_login(ada)
    assert (
        client.post(url, _formulaire_du_suivi(monde["suivi"], valeur_reference="25")).status_code
        == 302
    )
    client.force_login(eve)
    reponse = client.post(url, perimee)
    assert reponse.status_code == 409
    assert "Quelqu&#x27;un a modifié ce suivi" in reponse.content.decode()
    assert IndicateurSuivi.objects.get(pk=monde["suivi"].pk).valeur_reference == Decimal("25")
    # Désactiver sur une version périmée : 409, le suivi reste actif.
    desactiver = reverse(
        "suivi_desactiver", kwargs={"slug": quartier_a.slug, "pk": monde["suivi"].pk}
    )
    assert client.post(desactiver, {"version": perimee["version"]}).status_code == 409
    assert IndicateurSuivi.objects.get(pk=monde["suivi"].pk).actif


def test_ajouter_desactiver_et_reprendre_un_suivi(client, eve, quartier_a, monde):
    client.force_login(eve)
    suivre = reverse("suivi_ajouter", kwargs={"slug": quartier_a.slug})
    for inconnu in (
        "999999",
        "abc",
        str(monde["proposition"].pk),
        str(monde["suivi"].indicateur_id),
    ):
        reponse = client.post(suivre, {"indicateur": inconnu})
        assert reponse.status_code == 400 and reponse.context["ajout"].errors["indicateur"]
    # Le refus s'annonce dans le titre, et son alerte prend le focus (js/erreurs.js).
    page = reponse.content.decode()
    assert "<title>Erreur : Plan de mesure" in page
    assert 'role="alert" tabindex="-1" data-focus-au-chargement' in page
    nouveau = IndicateurFactory(code="nouveau")
    assert client.post(suivre, {"indicateur": nouveau.pk}).status_code == 302
    assert IndicateurSuivi.objects.get(quartier=quartier_a, indicateur=nouveau).actif

    url = reverse("suivi_desactiver", kwargs={"slug": quartier_a.slug, "pk": monde["suivi"].pk})
    version = services_catalogue.suivi_du_quartier_ou_404(quartier_a, monde["suivi"].pk).version
    assert client.post(url, {"version": version}).status_code == 302
    suivi = IndicateurSuivi.objects.get(pk=monde["suivi"].pk)
    assert not suivi.actif and suivi.cibles.count() == 1
    plan = client.get(reverse("plan_de_mesure", kwargs={"slug": quartier_a.slug})).content.decode()
    assert "Suivis arrêtés" in plan and "Reprendre le suivi" in plan
    assert client.post(suivre, {"indicateur": suivi.indicateur_id}).status_code == 302
    assert IndicateurSuivi.objects.get(pk=suivi.pk).actif


def test_la_coordination_lit_le_plan_sans_ses_actions(client, alice, quartier_a, monde):
    client.force_login(alice)
    plan = client.get(reverse("plan_de_mesure", kwargs={"slug": quartier_a.slug})).content.decode()
    assert "taux" in plan and "Proposer un indicateur" in plan
    assert "Désactiver le suivi" not in plan and "/plan/suivis/" not in plan
    assert "secret-b" not in plan


# --- Requêtes -----------------------------------------------------------------------------------


def _plus_de_suivis(quartier, combien: int, alice, debut: int = 0) -> None:
    periodes = [periode_du_trimestre(2024, t) for t in (1, 2, 3, 4)]
    for rang in range(debut, debut + combien):
        suivi = IndicateurSuiviFactory(quartier=quartier, indicateur__code=f"volume-{rang}")
        for periode in periodes:
            Cible.objects.create(suivi=suivi, periode=periode, valeur=rang)
        services_catalogue.proposer_indicateur(
            utilisateur=alice,
            quartier=quartier,
            code=f"propose-{rang}",
            nom_fr="Proposé",
            nom_en="Proposed",
            definition_fr="Définition.",
            definition_en="Definition.",
            famille="processus",
            unite="nombre",
            agregation="somme",
        )
    for rang in range(debut, debut + combien):  # au catalogue, à ajouter
        IndicateurFactory(code=f"catalogue-{rang}")


@pytest.mark.parametrize("persona", ["alice", "eve"])
def test_le_plan_coute_autant_de_requetes_avec_dix_fois_plus_de_suivis(
    client, personas, quartier_a, monde, django_assert_num_queries, persona
):
    client.force_login(personas[persona])
    url = reverse("plan_de_mesure", kwargs={"slug": quartier_a.slug})
    _plus_de_suivis(quartier_a, 2, personas["alice"])
    # Session, personne, quartier (sélecteur d'accès); Alice : son droit de proposer; les suivis
    # (indicateur, proposé et examiné par), leurs cibles (périodes); Ève : le catalogue à
    # ajouter.
    attendues = 6
    with django_assert_num_queries(attendues):
        assert client.get(url).status_code == 200
    _plus_de_suivis(quartier_a, 20, personas["alice"], debut=2)
    with django_assert_num_queries(attendues):
        page = client.get(url)
    # Mesurés et proposés : « taux » et la proposition d'Alice, puis 2 + 20 de chaque.
    assert page.content.decode().count('id="suivi-') == 2 * (1 + 22)


def test_la_liste_des_propositions_coute_autant_de_requetes_avec_dix_fois_plus(
    client, eve, alice, quartier_a, monde, django_assert_num_queries
):
    client.force_login(eve)
    url = reverse("propositions")
    _plus_de_suivis(quartier_a, 2, alice)
    # Session, personne; les propositions (proposé par, thème); leurs suivis (quartiers); les
    # stratégies soumises (quartier, qui les a soumises).
    with django_assert_num_queries(5):
        assert client.get(url).status_code == 200
    _plus_de_suivis(quartier_a, 20, alice, debut=2)
    with django_assert_num_queries(5):
        page = client.get(url)
    # Le lien du menu, la proposition du monde, puis les 22 ajoutées.
    assert page.content.decode().count('href="/catalogue/propositions/') == 2 + 22


def test_un_compte_inactif_ne_gere_rien(client, quartier_a, monde):
    inactif = UtilisateurFactory(role_global="evaluateur", is_active=False)
    assert not services_catalogue.gere_le_catalogue(inactif)
