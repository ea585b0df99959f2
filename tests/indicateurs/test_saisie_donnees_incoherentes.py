"""Des valeurs de l'autre nature que leur indicateur, écrites hors de l'administration (un shell,
une migration : `Valeur.objects.filter(…).update(…)`) : un texte pour un indicateur chiffré, un
nombre pour un indicateur en texte. Le formulaire de saisie trimestrielle s'affiche toujours
(la valeur telle quelle) et reste utilisable; les autres pages qui les lisent aussi.

Avant : le filtre `nombre` levait une exception decimal sur « abc » parmi les dernières valeurs
(erreur 500 pour tous les rôles); la valeur actuelle de l'autre nature ne se montrait pas dans
son champ, et le prochain enregistrement l'effaçait sans qu'on l'ait vue."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from indicateurs.models import Cible, IndicateurSuivi, Saisie, StatutSaisie, Valeur
from rapports import rendu
from rapports.instantane import construire_instantane
from rapports.models import Bilan, Portee
from tests.factories import periode_du_trimestre

pytestmark = pytest.mark.django_db


@pytest.fixture
def url(quartier_a, periode):
    return reverse("saisie_formulaire", kwargs={"slug": quartier_a.slug, "code": periode.code})


def _valeurs_du_trimestre_d_avant(quartier, indicateurs) -> Saisie:
    """Le trimestre qui précède la période ouverte (2025-T1), validé, puis rendu incohérent
    directement dans la base : « abc <b> » pour les ménages (un nombre), 12 pour la politique
    (un texte)."""
    saisie = Saisie.objects.create(
        table=quartier.table,
        periode=periode_du_trimestre(2024, 4),
        statut=StatutSaisie.VALIDEE,
    )
    menages, politique = indicateurs["menages"], indicateurs["politique"]
    Valeur.objects.create(saisie=saisie, indicateur=menages, valeur_numerique=Decimal(40))
    Valeur.objects.create(saisie=saisie, indicateur=politique, valeur_texte="Adoptée")
    Valeur.objects.filter(saisie=saisie, indicateur=menages).update(
        valeur_numerique=None, valeur_texte="abc <b>"
    )
    Valeur.objects.filter(saisie=saisie, indicateur=politique).update(
        valeur_numerique=Decimal(12), valeur_texte=""
    )
    return saisie


def _page(reponse) -> str:
    return " ".join(reponse.content.decode().split())


@pytest.mark.parametrize(
    ("langue", "attendu", "attendu_en_texte"),
    [
        (
            "fr",
            "dernières valeurs : T4 2024 : abc &lt;b&gt;",
            "référence 10 · cible 5 · dernières valeurs : T4 2024 : 12",
        ),
        (
            "en",
            "latest values: Q4 2024: abc &lt;b&gt;",
            "baseline 10 · target 5 · latest values: Q4 2024: 12",
        ),
    ],
)
def test_un_texte_parmi_les_dernieres_valeurs_d_un_indicateur_chiffre_s_affiche_tel_quel(
    client, alice, url, quartier_a, indicateurs_a, periode, langue, attendu, attendu_en_texte
):
    _valeurs_du_trimestre_d_avant(quartier_a, indicateurs_a)
    # Une référence et une cible pour l'indicateur en texte, posées sans `clean`.
    suivi = IndicateurSuivi.objects.get(indicateur=indicateurs_a["politique"])
    Cible.objects.create(suivi=suivi, periode=periode, valeur=Decimal(5))
    client.force_login(alice)
    client.cookies["django_language"] = langue
    reponse = client.get(url)
    assert reponse.status_code == 200
    page = _page(reponse)
    assert attendu in page
    assert "abc <b>" not in page  # échappé, jamais du HTML
    # L'indicateur en texte : sa référence (celle de la fabrique) et sa cible, des nombres, et
    # le nombre posé à la place de son texte, tels quels.
    assert attendu_en_texte in page


def test_un_texte_enregistre_pour_un_indicateur_chiffre_se_montre_et_se_corrige(
    client, alice, url, quartier_a, indicateurs_a, periode
):
    menages = indicateurs_a["menages"]
    saisie = Saisie.objects.create(table=quartier_a.table, periode=periode)
    Valeur.objects.create(saisie=saisie, indicateur=menages, valeur_numerique=Decimal(3))
    Valeur.objects.filter(saisie=saisie).update(valeur_numerique=None, valeur_texte="douze")
    client.force_login(alice)

    reponse = client.get(url)
    assert reponse.status_code == 200
    assert reponse.context["form"][f"v{menages.pk}"].value() == "douze"

    # Renvoyé tel quel : refusé à côté de son champ, rien d'enregistré.
    envoi = {"version": "1", f"v{menages.pk}": "douze", "action": "enregistrer"}
    reponse = client.post(url, envoi)
    assert reponse.status_code == 400
    assert reponse.context["form"].errors[f"v{menages.pk}"] == ["« douze » n'est pas un nombre."]
    assert Valeur.objects.filter(saisie=saisie).values_list(
        "valeur_numerique", "valeur_texte"
    ).get() == (None, "douze")

    # Corrigé : le nombre remplace le texte.
    assert client.post(url, {**envoi, f"v{menages.pk}": "12"}).status_code == 302
    assert Valeur.objects.filter(saisie=saisie).values_list(
        "valeur_numerique", "valeur_texte"
    ).get() == (Decimal(12), "")


def test_un_nombre_enregistre_pour_un_indicateur_en_texte_se_montre_et_se_garde_en_texte(
    client, alice, url, quartier_a, indicateurs_a, periode
):
    politique = indicateurs_a["politique"]
    saisie = Saisie.objects.create(table=quartier_a.table, periode=periode)
    Valeur.objects.create(saisie=saisie, indicateur=politique, valeur_texte="Adoptée")
    Valeur.objects.filter(saisie=saisie).update(valeur_numerique=Decimal(7), valeur_texte="")
    client.force_login(alice)

    reponse = client.get(url)
    assert reponse.status_code == 200
    assert reponse.context["form"][f"v{politique.pk}"].value() == "7"
    envoi = {"version": "1", f"v{politique.pk}": "7", "action": "enregistrer"}
    assert client.post(url, envoi).status_code == 302
    assert Valeur.objects.filter(saisie=saisie).values_list(
        "valeur_numerique", "valeur_texte"
    ).get() == (None, "7")


def test_aucune_page_qui_lit_ces_valeurs_ne_repond_500(
    client, ada, url, quartier_a, indicateurs_a, periode
):
    """La même incohérence, sur chaque page qui lit les valeurs publiées : le formulaire de
    saisie (celle d'avant et l'ouverte), la page du quartier, les tableaux de bord et leurs CSV,
    l'export, l'API et l'instantané d'un bilan rendu en HTML."""
    avant = _valeurs_du_trimestre_d_avant(quartier_a, indicateurs_a)
    menages, politique = indicateurs_a["menages"], indicateurs_a["politique"]
    client.force_login(ada)
    client.raise_request_exception = False
    adresses = [
        url,
        reverse("saisie_formulaire", kwargs={"slug": quartier_a.slug, "code": "2024-T4"}),
        reverse("saisie_historique", kwargs={"slug": quartier_a.slug, "code": "2024-T4"}),
        reverse("quartier_detail", args=[quartier_a.slug]),
        reverse("tableau_pic"),
        reverse("tableau_quartier", args=[quartier_a.slug]),
        reverse("tableau_quartier", args=[quartier_a.slug]) + "?csv=series",
        reverse("indicateur_entre_quartiers", args=[menages.code]),
        reverse("indicateur_entre_quartiers", args=[politique.code]) + "?csv=quartiers",
        reverse("export_valeurs_csv"),
        reverse("admin:indicateurs_saisie_change", args=[avant.pk]),
    ]
    for adresse in adresses:
        reponse = client.get(adresse)
        if reponse.streaming:
            b"".join(reponse.streaming_content)
        assert reponse.status_code == 200, adresse
    api = APIClient()
    api.force_authenticate(ada)
    for adresse in [
        "/api/v1/valeurs/",
        "/api/v1/valeurs/?format=csv",
        f"/api/v1/saisies/{avant.pk}/",
    ]:
        assert api.get(adresse).status_code == 200, adresse
    bilan = Bilan(portee=Portee.QUARTIER, quartier=quartier_a, annee=2024, trimestre=4, langue="fr")
    html = rendu.contenu(construire_instantane(bilan), titre="Bilan")
    assert "Indicateur menages" in html and "Indicateur politique" in html
