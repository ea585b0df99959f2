"""Parcours de la saisie trimestrielle avec les comptes de démonstration : la coordonnatrice
remplit le trimestre, corrige ses erreurs, soumet; l'évaluatrice renvoie avec un motif; la
coordonnatrice corrige et soumet de nouveau; l'évaluatrice valide; le formulaire se verrouille."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from indicateurs.models import IndicateurSuivi, ModeCollecte, Periode, Saisie, StatutPeriode
from tests.parcours.outils import se_connecter

pytestmark = [pytest.mark.navigateur, pytest.mark.django_db(transaction=True)]

VALEUR_PAR_UNITE = {
    "nombre": "100",
    "pourcentage": "50",
    "dollars": "1000",
    "echelle": "3",
    "indice": "1",
    "texte": "Démarche en cours.",
}


@pytest.fixture
def demo():
    call_command("charger_demo", verbosity=0)
    periode = Periode.objects.filter(statut=StatutPeriode.OUVERTE).order_by("-debut").first()
    suivis = IndicateurSuivi.objects.filter(
        quartier__slug="saint-michel", actif=True, indicateur__mode=ModeCollecte.SAISI
    ).select_related("indicateur")
    return periode, list(suivis)


def se_deconnecter(page: Page) -> None:
    page.get_by_role("button", name="Se déconnecter").click()


def remplir(page: Page, suivis) -> None:
    for suivi in suivis:
        pk = suivi.indicateur.pk
        page.locator(f"[name=v{pk}]").fill(VALEUR_PAR_UNITE[suivi.indicateur.unite])
        page.locator(f"[name=c{pk}]").fill("Valeur vérifiée auprès des partenaires.")


def test_circuit_complet_de_la_saisie(page: Page, live_server, demo):
    periode, suivis = demo
    nombre = next(s for s in suivis if s.indicateur.unite == "nombre").indicateur
    pourcentage = next(s for s in suivis if s.indicateur.unite == "pourcentage").indicateur
    base = live_server.url

    # La coordonnatrice ouvre sa boîte et remplit le trimestre, avec deux erreurs.
    se_connecter(page, base, "coordination@demo.evalpic.ca")
    page.get_by_role("link", name="Saisie trimestrielle").click()
    ligne = page.get_by_role("row").filter(has_text=periode.libelle).filter(has_text="Saint-Michel")
    expect(ligne).to_contain_text(re.compile("à faire|en retard"))
    ligne.get_by_role("link", name="Remplir").click()
    remplir(page, suivis)
    page.locator(f"[name=v{nombre.pk}]").fill("abc")
    page.locator(f"[name=v{pourcentage.pk}]").fill("150")
    page.get_by_role("button", name="Enregistrer et soumettre").click()
    expect(page.locator(f"#id_v{nombre.pk}_error")).to_contain_text("n'est pas un nombre")
    expect(page.locator(f"#id_v{pourcentage.pk}_error")).to_contain_text("entre 0 et 100")
    expect(page.locator(f"[name=v{nombre.pk}]")).to_have_value("abc")  # rien n'est perdu
    page.locator(f"[name=v{nombre.pk}]").fill("120")
    page.locator(f"[name=v{pourcentage.pk}]").fill("55")
    page.get_by_role("button", name="Enregistrer et soumettre").click()
    expect(page.get_by_text("La saisie est soumise pour validation.")).to_be_visible()
    se_deconnecter(page)

    # L'évaluatrice la renvoie avec un motif.
    se_connecter(page, base, "evaluation@demo.evalpic.ca")
    page.get_by_role("link", name="Saisie trimestrielle").click()
    page.get_by_role("row").filter(has_text=periode.libelle).get_by_role(
        "link", name="Saint-Michel"
    ).click()
    page.get_by_label("Motif").fill("Le nombre de ménages semble bas : vérifiez la source.")
    page.get_by_role("button", name="Renvoyer à la table").click()
    expect(page.get_by_text("renvoyée", exact=False).first).to_be_visible()
    se_deconnecter(page)

    # La coordonnatrice voit le motif, corrige et soumet de nouveau.
    se_connecter(page, base, "coordination@demo.evalpic.ca")
    page.get_by_role("link", name="Saisie trimestrielle").click()
    expect(page.get_by_text("Le nombre de ménages semble bas")).to_be_visible()
    page.get_by_role("row").filter(has_text=periode.libelle).filter(
        has_text="Saint-Michel"
    ).get_by_role("link", name="Remplir").click()
    page.locator(f"[name=v{nombre.pk}]").fill("135")
    page.get_by_label("Raison de la modification").fill("Recompté avec la source.")
    page.get_by_role("button", name="Enregistrer et soumettre").click()
    expect(page.get_by_text("La saisie est soumise pour validation.")).to_be_visible()
    se_deconnecter(page)

    # L'évaluatrice valide.
    se_connecter(page, base, "evaluation@demo.evalpic.ca")
    page.goto(f"{base}/quartiers/saint-michel/saisies/{periode.code}/")
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_text("validée", exact=False).first).to_be_visible()
    se_deconnecter(page)

    # Le formulaire est en lecture seule pour la coordonnatrice.
    se_connecter(page, base, "coordination@demo.evalpic.ca")
    page.goto(f"{base}/quartiers/saint-michel/saisies/{periode.code}/")
    expect(page.get_by_text("Ces données sont validées")).to_be_visible()
    expect(page.locator(f"[name=v{nombre.pk}]")).to_be_disabled()
    expect(page.get_by_role("button", name="Enregistrer le brouillon")).to_have_count(0)
    saisie = Saisie.objects.get(table__quartier__slug="saint-michel", periode=periode)
    assert saisie.statut == "validee"
    assert saisie.valeurs.get(indicateur=nombre).valeur_numerique == 135
