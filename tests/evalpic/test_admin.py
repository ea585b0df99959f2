"""L'administration consulte les saisies, leurs valeurs et les bilans sans pouvoir les modifier :
ces écritures passent par les services, qui tiennent l'historique."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib import admin
from django.urls import reverse

from indicateurs.models import Saisie, Valeur
from rapports.models import Bilan
from tests.factories import construire_quartier

pytestmark = pytest.mark.django_db


def test_saisie_et_valeurs_consultables_mais_pas_modifiables(client, ada):
    quartier = construire_quartier(nom="Admin", indicateurs=2, trimestres=1)
    saisie = Saisie.objects.get(table=quartier.table)
    valeur = Valeur.objects.filter(saisie=saisie).first()
    client.force_login(ada)
    adresse = reverse("admin:indicateurs_saisie_change", args=[saisie.pk])
    page = client.get(adresse)
    assert page.status_code == 200
    assert b'name="valeurs-0-valeur_numerique"' not in page.content  # aucun champ modifiable
    assert client.post(adresse, {"statut": "brouillon"}).status_code == 403
    assert client.get(reverse("admin:indicateurs_saisie_add")).status_code == 403
    delete = reverse("admin:indicateurs_saisie_delete", args=[saisie.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    valeur.refresh_from_db()
    saisie.refresh_from_db()
    assert valeur.valeur_numerique == Decimal(10) and saisie.statut == "validee"


def test_fichiers_d_un_bilan_en_lecture_seule(client, ada):
    client.force_login(ada)
    assert client.get(reverse("admin:rapports_bilan_add")).status_code == 403
    admin_bilan = admin.site._registry[Bilan]
    for champ in ("fichier_html", "fichier_pdf", "fichier_xlsx", "fichier_csv", "empreintes"):
        assert champ in admin_bilan.readonly_fields


@pytest.mark.parametrize(
    ("langue", "entete"),
    [("fr", "Administration d’ÉvalPIC"), ("en", "ÉvalPIC administration")],
)
def test_l_administration_porte_le_nom_d_evalpic_dans_la_langue_choisie(
    client, ada, settings, langue, entete
):
    """Et non « Administration de Django », en français comme en anglais."""
    client.force_login(ada)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = langue
    html = client.get(reverse("admin:index")).content.decode()
    assert entete in html.replace("&#x27;", "’").replace("'", "’")
    assert "Django" not in html.split("<title>")[1].split("</title>")[0]
