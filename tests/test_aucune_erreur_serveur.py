"""Chaque page GET, pour chaque rôle et pour un visiteur anonyme, avec les données de
démonstration et des paramètres mal formés : jamais une erreur 500."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from indicateurs.models import Apprentissage, Periode, StatutPeriode
from quartiers.models import Participation, Utilisateur
from rapports import services
from rapports.models import Portee

pytestmark = pytest.mark.django_db

COMPTES = [
    None,
    "coordination@demo.evalpic.ca",
    "conseil@demo.evalpic.ca",
    "evaluation@demo.evalpic.ca",
    "admin@demo.evalpic.ca",
]


@pytest.fixture
def adresses(django_capture_on_commit_callbacks) -> list[str]:
    call_command("charger_demo", verbosity=0)
    periode = Periode.objects.filter(statut=StatutPeriode.OUVERTE).order_by("-debut").first()
    fermee = Periode.objects.filter(statut=StatutPeriode.FERMEE).order_by("-debut").first()
    evaluation = Utilisateur.objects.get(email="evaluation@demo.evalpic.ca")
    with django_capture_on_commit_callbacks(execute=True):
        bilan = services.demander_bilan(
            auteur=evaluation,
            portee=Portee.QUARTIER,
            quartier=_quartier("saint-michel"),
            annee=fermee.annee,
            trimestre=fermee.trimestre,
        )
    saisie = f"/quartiers/saint-michel/saisies/{fermee.code}/"
    apprentissage = Apprentissage.objects.filter(quartier__slug="saint-michel").first()
    participation = Participation.objects.filter(table__quartier__slug="saint-michel").first()
    return [
        "/",
        "/profil/",
        "/sante/",
        "/quartiers/saint-michel/",
        "/quartiers/parc-extension/",
        "/quartiers/inexistant/",
        "/saisie/",
        "/completude/",
        f"/completude/?periode={fermee.code}",
        "/completude/?periode=n-importe-quoi",
        f"/quartiers/saint-michel/saisies/{periode.code}/",
        saisie,
        saisie + "historique/",
        "/quartiers/saint-michel/saisies/9999-T9/",
        "/quartiers/saint-michel/apprentissages/nouveau/",
        "/quartiers/inexistant/apprentissages/nouveau/",
        "/quartiers/saint-michel/apprentissages/",
        "/quartiers/saint-michel/apprentissages/?periode=zz&categorie=%00",
        f"/quartiers/saint-michel/apprentissages/{apprentissage.pk}/modifier/",
        f"/quartiers/saint-michel/apprentissages/{apprentissage.pk}/supprimer/",
        "/quartiers/saint-michel/apprentissages/999999/modifier/",
        f"/quartiers/parc-extension/apprentissages/{apprentissage.pk}/modifier/",
        "/quartiers/saint-michel/partenaires/inscrire/",
        f"/quartiers/saint-michel/partenaires/participations/{participation.pk}/modifier/",
        f"/quartiers/saint-michel/partenaires/{participation.partenaire_id}/modifier/",
        "/quartiers/saint-michel/partenaires/participations/999999/modifier/",
        f"/quartiers/parc-extension/partenaires/participations/{participation.pk}/modifier/",
        "/quartiers/saint-michel/import/",
        "/quartiers/saint-michel/import/modele.csv",
        "/quartiers/saint-michel/import/modele.xlsx",
        "/quartiers/saint-michel/import/modele.exe",
        "/tableau-de-bord/",
        "/tableau-de-bord/?debut=%00&fin=zz&theme=%ff&famille=<script>",
        "/tableau-de-bord/?csv=inconnu",
        "/tableau-de-bord/?csv=completude",
        "/tableau-de-bord/quartiers/saint-michel/",
        "/tableau-de-bord/quartiers/saint-michel/?csv=series",
        "/tableau-de-bord/quartiers/saint-michel/theorie-du-changement/",
        "/tableau-de-bord/quartiers/saint-michel/theorie-du-changement/?version=-1",
        "/tableau-de-bord/indicateurs/proc-partenaires-actifs/",
        "/tableau-de-bord/indicateurs/inconnu/",
        "/bilans/",
        reverse("bilan_detail", args=[bilan.pk]),
        reverse("bilan_fichier", args=[bilan.pk, "pdf"]),
        reverse("bilan_fichier", args=[bilan.pk, "exe"]),
        "/bilans/999999/",
        f"/bilans/comparer/?a={bilan.pk}&b={bilan.pk}",
        "/bilans/comparer/?a=&b=",
        "/export/valeurs/",
        "/export/valeurs.csv",
        "/export/valeurs.csv?quartier=saint-michel&debut=2025-T1&statut=transmises",
        "/export/valeurs.csv?quartier=inexistant&debut=zz&fin=%00&indicateur=<script>",
        "/admin/",
        "/comptes/login/",
        "/comptes/password/reset/",
    ]


def _quartier(slug: str):
    from quartiers.models import Quartier

    return Quartier.objects.get(slug=slug)


@pytest.mark.parametrize("courriel", COMPTES)
def test_aucune_page_ne_repond_500(client, adresses, courriel):
    if courriel:
        client.force_login(Utilisateur.objects.get(email=courriel))
    erreurs = []
    for adresse in adresses:
        reponse = client.get(adresse)
        if reponse.status_code >= 500:
            erreurs.append((adresse, reponse.status_code))
        assert reponse.status_code in (200, 302, 400, 403, 404, 405), (adresse, reponse.status_code)
    assert erreurs == []
