"""Proposer de nouveau un code refusé (indicateurs.services_catalogue.proposer_indicateur) : la
proposition refusée du même quartier est rouverte avec le nouveau contenu, en attente d'examen,
et garde son refus (ce qui avait été proposé, par qui, qui l'a refusé, quand, pourquoi) dans
`Indicateur.refus_precedents`, que la page d'examen montre. Un code approuvé, en attente, retiré
du catalogue ou refusé pour un autre quartier reste pris, avec le même message, sans rien
révéler de l'autre quartier."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicateurs import services_catalogue
from indicateurs.models import Indicateur, IndicateurSuivi, StatutIndicateur
from tests.factories import IndicateurFactory

pytestmark = pytest.mark.django_db

MOTIF = "La définition ne dit pas qui compte comme mentoré."
CODE_PRIS = "Un indicateur du catalogue porte déjà ce code."


def _contenu(**remplacements) -> dict:
    donnees = {
        "code": "jeunes-mentores",
        "nom_fr": "Jeunes mentorés",
        "nom_en": "Mentored youth",
        "definition_fr": "Jeunes accompagnés par un mentor.",
        "definition_en": "Youth supported by a mentor.",
        "famille": "personnes",
        "unite": "nombre",
        "agregation": "somme",
    }
    donnees.update(remplacements)
    return donnees


def proposer(utilisateur, quartier, **remplacements) -> Indicateur:
    return services_catalogue.proposer_indicateur(
        utilisateur=utilisateur, quartier=quartier, **_contenu(**remplacements)
    )


@pytest.fixture
def refusee(alice, eve, quartier_a) -> Indicateur:
    """« jeunes-mentores », proposé par Alice pour A (référence 12 au 31 décembre 2024),
    refusé par Ève avec `MOTIF`."""
    indicateur = proposer(
        alice,
        quartier_a,
        valeur_reference=Decimal("12"),
        date_reference=datetime.date(2024, 12, 31),
        source_reference="Registre",
    )
    return services_catalogue.refuser_proposition(
        utilisateur=eve, indicateur=indicateur, motif=MOTIF
    )


CORRIGEE = {
    "definition_fr": "Jeunes de 12 à 17 ans suivis au moins trois fois par un mentor.",
    "definition_en": "Youth aged 12 to 17 met at least three times by a mentor.",
}


def test_reproposer_un_code_refuse_de_son_quartier_rouvre_la_proposition_en_attente(
    alice, eve, quartier_a, refusee
):
    rouverte = proposer(
        alice,
        quartier_a,
        **CORRIGEE,
        valeur_reference=Decimal("15"),
        date_reference=datetime.date(2025, 3, 31),
    )
    assert (
        rouverte.pk == refusee.pk
    )  # le même indicateur, le même suivi : le code n'a qu'un titulaire
    rouverte.refresh_from_db()
    assert rouverte.statut == StatutIndicateur.PROPOSE
    assert rouverte.definition_fr == CORRIGEE["definition_fr"]
    assert (rouverte.motif_refus, rouverte.examine_par, rouverte.examine_le) == ("", None, None)
    assert rouverte.propose_par == alice
    suivi = IndicateurSuivi.objects.get(indicateur=rouverte)
    assert suivi.quartier == quartier_a and suivi.valeur_reference == Decimal("15")
    assert Indicateur.objects.count() == 1
    # Elle attend l'examen, comme toute proposition.
    assert [i.pk for i in services_catalogue.propositions_a_examiner(eve)] == [rouverte.pk]


def test_le_refus_precedent_est_garde_en_donnees_sans_rien_perdre(alice, eve, quartier_a, refusee):
    examine_le = refusee.examine_le
    rouverte = proposer(alice, quartier_a, **CORRIGEE)
    rouverte.refresh_from_db()
    [refus] = rouverte.refus_precedents
    assert refus["motif"] == MOTIF
    assert refus["examine_par"] == eve.pk and refus["examine_par_nom"] == str(eve)
    assert refus["propose_par"] == alice.pk and refus["propose_par_nom"] == str(alice)
    assert datetime.datetime.fromisoformat(refus["examine_le"]) == examine_le
    ancien = refus["proposition"]
    assert ancien["definition_fr"] == "Jeunes accompagnés par un mentor."
    assert (ancien["valeur_reference"], ancien["date_reference"]) == ("12", "2024-12-31")
    assert ancien["source_reference"] == "Registre" and ancien["unite"] == "nombre"


def test_refusee_deux_fois_elle_garde_les_deux_refus_dans_l_ordre(alice, eve, quartier_a, refusee):
    rouverte = proposer(alice, quartier_a, **CORRIGEE)
    services_catalogue.refuser_proposition(
        utilisateur=eve, indicateur=rouverte, motif="Encore flou."
    )
    troisieme = proposer(alice, quartier_a, definition_fr="Troisième essai.")
    troisieme.refresh_from_db()
    assert [r["motif"] for r in troisieme.refus_precedents] == [MOTIF, "Encore flou."]
    assert (
        troisieme.refus_precedents[1]["proposition"]["definition_fr"] == CORRIGEE["definition_fr"]
    )


def test_un_code_approuve_reste_pris(alice, eve, quartier_a):
    indicateur = proposer(alice, quartier_a)
    services_catalogue.approuver_proposition(utilisateur=eve, indicateur=indicateur)
    with pytest.raises(ValidationError) as refus:
        proposer(alice, quartier_a, **CORRIGEE)
    assert refus.value.message_dict["code"] == [CODE_PRIS]
    indicateur.refresh_from_db()
    assert indicateur.statut == StatutIndicateur.APPROUVE
    assert indicateur.definition_fr == "Jeunes accompagnés par un mentor."


def test_un_code_du_catalogue_ou_en_attente_ou_retire_sans_examen_reste_pris(alice, quartier_a):
    IndicateurFactory(code="du-catalogue")
    retire = IndicateurFactory(code="retire", statut=StatutIndicateur.RETIRE)
    IndicateurSuivi.objects.create(quartier=quartier_a, indicateur=retire)
    proposer(alice, quartier_a, code="en-attente")
    for code in ("du-catalogue", "retire", "en-attente"):
        with pytest.raises(ValidationError) as refus:
            proposer(alice, quartier_a, code=code, **CORRIGEE)
        assert refus.value.message_dict["code"] == [CODE_PRIS], code
    assert Indicateur.objects.get(code="retire").statut == StatutIndicateur.RETIRE


def test_le_code_refuse_d_un_autre_quartier_est_pris_sans_rien_en_reveler(
    charlie, eve, quartier_b, refusee
):
    """Charlie (B) reçoit pour le code refusé à A le message de tout code pris, et rien
    n'est rouvert ni copié."""
    with pytest.raises(ValidationError) as refus:
        proposer(charlie, quartier_b, **CORRIGEE)
    assert refus.value.message_dict == {"code": [CODE_PRIS]}
    # Même chose pour l'évaluation qui propose ce code pour B.
    with pytest.raises(ValidationError):
        proposer(eve, quartier_b, **CORRIGEE)
    refusee.refresh_from_db()
    assert refusee.statut == StatutIndicateur.RETIRE and refusee.motif_refus == MOTIF
    assert refusee.refus_precedents == []
    assert IndicateurSuivi.objects.get().quartier.slug == "quartier-a"


def test_une_reproposition_invalide_n_ecrit_rien(alice, quartier_a, refusee):
    with pytest.raises(ValidationError) as refus:
        proposer(
            alice,
            quartier_a,
            nom_en="",
            unite="pourcentage",
            valeur_reference=Decimal("150"),
            date_reference=datetime.date(2025, 1, 1),
        )
    assert {"nom_en", "valeur_reference"} <= set(refus.value.message_dict)
    refusee.refresh_from_db()
    assert refusee.statut == StatutIndicateur.RETIRE and refusee.refus_precedents == []
    assert refusee.unite == "nombre" and refusee.motif_refus == MOTIF
    assert IndicateurSuivi.objects.get().valeur_reference == Decimal("12")


# --- Les pages -----------------------------------------------------------------------------------


def _envoi(**remplacements) -> dict:
    donnees = {**_contenu(), "polarite": "hausse", "periodicite": "trimestrielle"}
    donnees.update(remplacements)
    return donnees


def test_page_la_coordination_repropose_et_voit_la_proposition_en_attente(
    client, alice, quartier_a, refusee
):
    client.force_login(alice)
    url = reverse("indicateur_proposer", kwargs={"slug": quartier_a.slug})
    reponse = client.post(url, _envoi(**CORRIGEE))
    assert reponse.status_code == 302, reponse.context and reponse.context["form"].errors
    plan = client.get(reverse("plan_de_mesure", kwargs={"slug": quartier_a.slug}))
    [suivi] = plan.context["plan"].propositions
    assert suivi.indicateur.statut == StatutIndicateur.PROPOSE
    assert "en attente d'examen" in plan.content.decode()


def test_page_l_evaluation_voit_que_c_est_une_reproposition_et_le_motif_d_avant(
    client, alice, eve, quartier_a, refusee
):
    proposer(alice, quartier_a, **CORRIGEE)
    client.force_login(eve)
    liste = client.get(reverse("propositions")).content.decode()
    assert "proposée de nouveau" in liste
    page = client.get(reverse("proposition", kwargs={"pk": refusee.pk}))
    html = page.content.decode()
    assert page.status_code == 200
    assert MOTIF in html and "Ève" in html
    # Ce qui avait été refusé, à côté de ce qui est proposé maintenant.
    assert "Jeunes accompagnés par un mentor." in html and CORRIGEE["definition_fr"] in html
    # L'examen se fait comme pour toute proposition.
    version = page.context["form"]["version"].value()
    reponse = client.post(
        reverse("proposition", kwargs={"pk": refusee.pk}),
        {"decision": "approuver", "version": version},
    )
    assert reponse.status_code == 302
    refusee.refresh_from_db()
    assert refusee.statut == StatutIndicateur.APPROUVE and len(refusee.refus_precedents) == 1


def test_page_un_examen_ouvert_avant_la_reproposition_recoit_409(
    client, alice, eve, ada, quartier_a
):
    """Ada ouvre la proposition; Ève la refuse; Alice la propose de nouveau, à l'identique :
    la décision d'Ada, prise sur la première version, n'est pas enregistrée (409)."""
    indicateur = proposer(alice, quartier_a)
    client.force_login(ada)
    url = reverse("proposition", kwargs={"pk": indicateur.pk})
    version = client.get(url).context["form"]["version"].value()
    services_catalogue.refuser_proposition(utilisateur=eve, indicateur=indicateur, motif=MOTIF)
    proposer(alice, quartier_a)
    reponse = client.post(url, {"decision": "approuver", "version": version})
    assert reponse.status_code == 409
    indicateur.refresh_from_db()
    assert indicateur.statut == StatutIndicateur.PROPOSE


def test_page_charlie_recoit_le_message_de_tout_code_pris(client, charlie, quartier_b, refusee):
    client.force_login(charlie)
    url = reverse("indicateur_proposer", kwargs={"slug": quartier_b.slug})
    reponse = client.post(url, _envoi(**CORRIGEE))
    assert reponse.status_code == 400
    assert reponse.context["form"].errors["code"] == [CODE_PRIS]
    html = reponse.content.decode()
    assert MOTIF not in html and "Jeunes accompagnés par un mentor." not in html


def test_page_le_plan_propose_de_reprendre_le_refus_et_le_formulaire_est_rempli(
    client, alice, quartier_a, refusee
):
    client.force_login(alice)
    plan = client.get(reverse("plan_de_mesure", kwargs={"slug": quartier_a.slug}))
    url = reverse("indicateur_proposer", kwargs={"slug": quartier_a.slug})
    lien = f"{url}?reprendre=jeunes-mentores"
    assert lien in plan.content.decode()
    page = client.get(lien)
    assert page.status_code == 200 and MOTIF in page.content.decode()
    form = page.context["form"]
    assert form["definition_fr"].value() == "Jeunes accompagnés par un mentor."
    assert form["valeur_reference"].value() == "12" and form["code"].value() == "jeunes-mentores"


def test_page_reprendre_un_code_qui_n_est_pas_un_refus_du_quartier_repond_404(
    client, alice, charlie, eve, quartier_a, quartier_b, refusee
):
    approuve = proposer(alice, quartier_a, code="approuve")
    services_catalogue.approuver_proposition(utilisateur=eve, indicateur=approuve)
    client.force_login(alice)
    url = reverse("indicateur_proposer", kwargs={"slug": quartier_a.slug})
    for parametre in ("approuve", "inconnu", ""):
        assert client.get(url, {"reprendre": parametre}).status_code == 404, parametre
    assert (
        client.get(f"{url}?reprendre=jeunes-mentores&reprendre=jeunes-mentores").status_code == 404
    )
    # Charlie ne reprend pas le refus de A depuis son quartier.
    client.force_login(charlie)
    url_b = reverse("indicateur_proposer", kwargs={"slug": quartier_b.slug})
    reponse = client.get(url_b, {"reprendre": "jeunes-mentores"})
    assert reponse.status_code == 404 and MOTIF not in reponse.content.decode()


def test_page_d_examen_nombre_de_requetes_independant_du_nombre_de_refus(
    client, alice, eve, quartier_a, refusee
):
    url = reverse("proposition", kwargs={"pk": refusee.pk})
    client.force_login(eve)

    def compter() -> int:
        with CaptureQueriesContext(connection) as requetes:
            assert client.get(url).status_code == 200
        return len(requetes)

    rouverte = proposer(alice, quartier_a, **CORRIGEE)
    une_fois = compter()
    for rang in range(5):
        services_catalogue.refuser_proposition(
            utilisateur=eve, indicateur=rouverte, motif=f"Non {rang}"
        )
        rouverte = proposer(alice, quartier_a, definition_fr=f"Essai {rang}")
    assert compter() == une_fois
