"""La politique de sécurité du contenu (CSP) dans un vrai navigateur : les pages principales, la
documentation de l'API, l'administration, la MFA et le fichier HTML d'un bilan s'affichent sans
qu'aucune ressource ne soit bloquée, et leurs graphiques se dessinent.

Chaque violation est captée deux fois : par l'événement `securitypolicyviolation` (un script
d'initialisation posé par Playwright, hors de la page : la CSP ne le bloque pas) et par la
console, où chromium écrit « Refused to … because it violates … Content Security Policy ».
"""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from indicateurs.models import IndicateurSuivi, Periode, StatutPeriode
from quartiers.models import Quartier, Utilisateur
from rapports import services
from rapports.models import Portee, StatutBilan
from tests.parcours.outils import MOT_DE_PASSE_DEMO, se_connecter

pytestmark = [pytest.mark.navigateur, pytest.mark.django_db(transaction=True)]

QUARTIER = "saint-michel"
ECOUTE = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
    window.__violations.push(`${e.violatedDirective} ${e.blockedURI} (${e.sourceFile}:${e.lineNumber})`);
});
"""
GRAPHIQUES_DESSINES = (
    "() => [...document.querySelectorAll('[data-figure]')]"
    ".every(zone => zone.querySelector('svg.main-svg'))"
)


@pytest.fixture
def demo(fichiers_temporaires) -> dict:
    call_command("charger_demo", verbosity=0)
    ouverte = Periode.objects.filter(statut=StatutPeriode.OUVERTE).order_by("-debut").first()
    close = Periode.objects.exclude(statut=StatutPeriode.A_VENIR).order_by("-debut")[1]
    bilan = services.demander_bilan(  # sans file de tâches : produit à la fin de la transaction
        auteur=Utilisateur.objects.get(email="evaluation@demo.evalpic.ca"),
        portee=Portee.QUARTIER,
        quartier=Quartier.objects.get(slug=QUARTIER),
        annee=close.annee,
        trimestre=close.trimestre,
    )
    bilan.refresh_from_db()
    assert bilan.statut == StatutBilan.PRET, bilan.erreur
    suivi = IndicateurSuivi.objects.filter(quartier__slug=QUARTIER, actif=True).first()
    return {
        "periode": ouverte.code,
        "bilan": bilan.pk,
        "indicateur": suivi.indicateur.code,
        "quartier": Quartier.objects.get(slug=QUARTIER).pk,
    }


@pytest.fixture
def violations(page: Page) -> list[str]:
    """Les violations de CSP écrites dans la console, au fil des pages."""
    console: list[str] = []
    page.add_init_script(ECOUTE)
    page.on(
        "console",
        lambda message: (
            console.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return console


def visiter(page: Page, adresse: str, console: list[str], attendre: str | None = None) -> None:
    """Ouvre la page, attend qu'elle soit dessinée, et exige zéro violation."""
    reponse = page.goto(adresse)
    assert reponse is not None and reponse.ok, f"{adresse} : {reponse and reponse.status}"
    assert "script-src 'self'" in (reponse.header_value("content-security-policy") or "")
    page.wait_for_load_state("load")
    if attendre:
        page.wait_for_selector(attendre, state="attached")
    page.wait_for_function(GRAPHIQUES_DESSINES)
    evenements = page.evaluate("() => window.__violations")
    assert evenements == [], f"{adresse} : {evenements}"
    assert console == [], f"{adresse} : {console}"


def test_les_pages_s_affichent_sans_violation_de_csp_et_dessinent_leurs_graphiques(
    page: Page, live_server, demo, violations
):
    base = live_server.url
    visiter(page, f"{base}/comptes/login/", violations)
    se_connecter(page, base, "admin@demo.evalpic.ca")

    graphiques = {
        "tableau du PIC": f"{base}/tableau-de-bord/",
        "tableau du quartier": f"{base}/tableau-de-bord/quartiers/{QUARTIER}/",
        "théorie du changement": (
            f"{base}/tableau-de-bord/quartiers/{QUARTIER}/theorie-du-changement/"
        ),
        "indicateur entre quartiers": f"{base}/tableau-de-bord/indicateurs/{demo['indicateur']}/",
        "bilan": f"{base}/bilans/{demo['bilan']}/",
        # Le document interactif du bilan, ouvert depuis le site : mêmes scripts, même politique.
        "fichier HTML du bilan": f"{base}/bilans/{demo['bilan']}/fichier.html",
    }
    for nom, adresse in graphiques.items():
        visiter(page, adresse, violations, attendre="[data-figure] svg.main-svg")
        assert page.locator("[data-figure] svg.main-svg").count() > 0, nom

    autres = {
        f"{base}/": None,
        f"{base}/saisie/": None,
        f"{base}/quartiers/{QUARTIER}/saisies/{demo['periode']}/": "form",
        f"{base}/bilans/": None,
        f"{base}/profil/": None,
        # Swagger UI et ReDoc dessinent la documentation à partir du schéma.
        f"{base}/api/docs/": ".swagger-ui .information-container",
        f"{base}/api/redoc/": "[role=navigation], .menu-content",
        f"{base}/admin/": "#content",
        f"{base}/admin/quartiers/quartier/": "#result_list",
        f"{base}/admin/quartiers/quartier/{demo['quartier']}/change/": "form",
    }
    for adresse, selecteur in autres.items():
        visiter(page, adresse, violations, attendre=selecteur)

    # L'activation TOTP (après confirmation du mot de passe) montre son code QR en image data:.
    visiter(page, f"{base}/comptes/2fa/totp/activate/", violations, attendre="form")
    if page.get_by_label("Mot de passe").count():
        page.get_by_label("Mot de passe").fill(MOT_DE_PASSE_DEMO)
        page.locator("main form button[type=submit]").click()
    expect(page.locator("main img[src^='data:']")).to_be_visible()
    assert page.evaluate("() => window.__violations") == [] and violations == []
