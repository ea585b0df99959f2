"""Ce que partagent les parcours dans le navigateur."""

from __future__ import annotations

from playwright.sync_api import Page, expect

MOT_DE_PASSE_DEMO = "demo-evalpic-2026"


def se_connecter(
    page: Page, base: str, courriel: str, accueil: str | None = "Vos quartiers"
) -> None:
    """Connexion par la page d'allauth avec un compte de démonstration; attend le titre
    `accueil` de la page d'arrivée (ou n'importe quel titre h1 si `accueil` est None, pour les
    parcours en anglais)."""
    page.goto(f"{base}/comptes/login/")
    page.get_by_label("Courriel").fill(courriel)
    page.get_by_label("Mot de passe").fill(MOT_DE_PASSE_DEMO)
    page.get_by_role("button", name="Se connecter").click()
    if accueil is None:
        expect(page.locator("h1")).to_be_visible()
    else:
        expect(page.get_by_role("heading", name=accueil)).to_be_visible()
