"""Inscrire par son nom un partenaire déjà au registre (il siège à une autre table) garde sa
fiche existante : la coordination l'apprend par un message (qui ne dit rien de cette fiche, celle
d'une autre table), au lieu de croire que le secteur saisi s'applique à ses indicateurs. La page de complétude, en lecture
seule, refuse le POST (405)."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from quartiers.models import Partenaire
from tests.factories import PartenaireFactory, ParticipationFactory, SecteurFactory

pytestmark = pytest.mark.django_db


def _inscrire(client, quartier, secteur, nom: str):
    return client.post(
        reverse("partenaire_inscrire", kwargs={"slug": quartier.slug}),
        {
            "partenaire": "",
            "nom": nom,
            "secteur": secteur.pk,
            "role": "membre",
            "debut": "2025-02-01",
            "fin": "",
        },
    )


def test_la_fiche_existante_gardee_se_dit(client, alice, charlie, quartier_a, quartier_b):
    sante = SecteurFactory(code="sante", nom_fr="Santé et services sociaux")
    communautaire = SecteurFactory(code="communautaire", nom_fr="Communautaire")
    organisme = PartenaireFactory(nom="CIUSSS du Nord", secteur=sante)
    ParticipationFactory(table=quartier_a.table, partenaire=organisme)
    client.force_login(charlie)

    reponse = _inscrire(client, quartier_b, communautaire, "ciusss du nord")

    assert reponse.status_code == 302
    textes = [str(m) for m in get_messages(reponse.wsgi_request)]
    assert textes[0] == "CIUSSS du Nord figure maintenant au registre de la table."
    # Sans rien de la fiche de l'autre table (son secteur).
    assert textes[1].startswith(
        "CIUSSS du Nord était déjà au registre : ce partenaire existant est inscrit à votre "
        "table avec sa fiche, et non ce que vous avez saisi pour lui."
    )
    assert "Santé" not in textes[1]
    assert Partenaire.objects.get(pk=organisme.pk).secteur == sante


@pytest.mark.parametrize("nom", ["carrefour", "Tout nouveau"])
def test_sans_ecart_avec_la_fiche_ni_nouveau_partenaire_pas_de_message_en_plus(
    client, charlie, quartier_a, quartier_b, nom
):
    communautaire = SecteurFactory(code="communautaire")
    organisme = PartenaireFactory(nom="Carrefour", secteur=communautaire)
    ParticipationFactory(table=quartier_a.table, partenaire=organisme)
    client.force_login(charlie)

    reponse = _inscrire(client, quartier_b, communautaire, nom)
    assert reponse.status_code == 302
    assert len(list(get_messages(reponse.wsgi_request))) == 1


def test_la_completude_refuse_le_post(client, eve, quartier_a):
    client.force_login(eve)
    assert client.get(reverse("completude")).status_code == 200
    assert client.post(reverse("completude")).status_code == 405
