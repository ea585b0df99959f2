"""Les refus précédents d'une proposition proposée de nouveau (`Indicateur.refus_precedents`,
écrits par `indicateurs.propositions_refusees`) se lisent sur la fiche de l'indicateur dans
l'administration, comme sur la page d'examen : qui l'avait proposé, qui l'a refusé, quand,
pourquoi, et ce qui a changé depuis, dans la langue de qui lit. Ils ne se modifient pas là.

Avant : la fiche ne les montrait pas du tout (champ non modifiable, donc absent du
formulaire)."""

from __future__ import annotations

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse

from indicateurs import services_catalogue
from indicateurs.models import Indicateur

pytestmark = pytest.mark.django_db

MOTIF = "La définition ne dit pas qui compte comme mentoré."


def _proposer(alice, quartier, **remplacements) -> Indicateur:
    contenu = {
        "code": "jeunes-mentores",
        "nom_fr": "Jeunes mentorés",
        "nom_en": "Mentored youth",
        "definition_fr": "Jeunes accompagnés par un mentor.",
        "definition_en": "Youth supported by a mentor.",
        "famille": "personnes",
        "unite": "nombre",
        "agregation": "somme",
        **remplacements,
    }
    return services_catalogue.proposer_indicateur(utilisateur=alice, quartier=quartier, **contenu)


@pytest.fixture
def reproposee(alice, eve, quartier_a) -> Indicateur:
    """Proposé par Alice, refusé par Ève avec `MOTIF`, proposé de nouveau corrigé."""
    indicateur = _proposer(alice, quartier_a)
    services_catalogue.refuser_proposition(utilisateur=eve, indicateur=indicateur, motif=MOTIF)
    return _proposer(alice, quartier_a, definition_fr="Jeunes vus trois fois par un mentor.")


def _fiche(indicateur) -> str:
    return reverse("admin:indicateurs_indicateur_change", args=[indicateur.pk])


def test_la_fiche_montre_le_refus_precedent_et_ce_qui_a_change(client, ada, reproposee):
    client.force_login(ada)
    reponse = client.get(_fiche(reproposee))
    assert reponse.status_code == 200
    html = reponse.content.decode()
    assert "Refus précédents" in html or "refus précédents" in html.lower()
    assert "Motif :" in html and MOTIF.replace("'", "&#x27;") in html
    assert "Proposé par Alice" in html and "refusé par Ève" in html
    # Ce qui a changé depuis le refus : la définition d'avant et celle d'aujourd'hui.
    assert "Jeunes accompagnés par un mentor." in html
    assert "Jeunes vus trois fois par un mentor." in html
    assert "{&quot;" not in html and '"motif":' not in html  # jamais le JSON brut


def test_la_fiche_se_lit_dans_la_langue_de_qui_la_lit(client, ada, reproposee):
    client.force_login(ada)
    client.cookies["django_language"] = "en"
    html = client.get(_fiche(reproposee), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Reason:" in html and "Motif :" not in html
    assert MOTIF.replace("'", "&#x27;") in html  # le motif, tel qu'écrit


def test_sans_refus_la_fiche_montre_un_tiret(client, ada, alice, quartier_a):
    indicateur = _proposer(alice, quartier_a)
    client.force_login(ada)
    reponse = client.get(_fiche(indicateur))
    assert reponse.status_code == 200
    html = reponse.content.decode()
    assert (
        "field-refus_lus" in html
        and "Jeunes accompagnés" not in html.split("field-refus_lus")[1][:300]
    )


def test_les_refus_ne_se_modifient_pas_par_la_fiche(client, ada, reproposee):
    avant = Indicateur.objects.get(pk=reproposee.pk).refus_precedents
    client.force_login(ada)
    donnees = {
        cle: valeur for cle, valeur in model_to_dict(reproposee).items() if valeur is not None
    }
    donnees.update(
        nom_fr="Jeunes mentorés (corrigé)",
        refus_precedents='[{"motif": "fabriqué"}]',
        refus_lus="fabriqué",
    )
    reponse = client.post(_fiche(reproposee), donnees)
    assert reponse.status_code == 302, reponse.context and reponse.context["adminform"].form.errors
    apres = Indicateur.objects.get(pk=reproposee.pk)
    assert apres.nom_fr == "Jeunes mentorés (corrigé)"  # le reste de la fiche s'enregistre
    assert apres.refus_precedents == avant and apres.refus_precedents[0]["motif"] == MOTIF
