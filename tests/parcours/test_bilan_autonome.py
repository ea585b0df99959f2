"""Le fichier HTML d'un bilan, ouvert dans un vrai navigateur : depuis le disque, sans aucun
accès au réseau (un fichier sauvé ou reçu par courriel), il dessine ses graphiques et prend sa
mise en page; servi par le site, sous sa politique de sécurité, aussi."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.rapports.test_bilans_rendu_corrections import coordination, produire, villeray

pytestmark = pytest.mark.navigateur

__all__ = ["coordination", "villeray"]  # les fixtures, réutilisées telles quelles

BOUTON_PNG = {
    "fr": "Télécharger le graphique en fichier PNG",
    "en": "Download plot as a PNG",
}


def _graphiques_dessines(page: Page) -> None:
    figures = page.locator("[data-figure]")
    expect(figures.first).to_be_visible()
    nombre = figures.count()
    assert nombre >= 3  # les trois indicateurs de Villeray
    expect(page.locator("[data-figure] svg.main-svg").first).to_be_visible()
    # Tous finissent dessinés (graphiques.js les dessine par tranches).
    page.wait_for_function(
        "n => document.querySelectorAll('[data-figure] .main-svg').length >= n", arg=nombre
    )


@pytest.mark.django_db
@pytest.mark.parametrize("langue", ["fr", "en"])
def test_le_fichier_ouvert_depuis_le_disque_sans_reseau_dessine_ses_graphiques(
    page: Page, fichiers_temporaires, coordination, villeray, tmp_path, langue
):
    chemin = tmp_path / "bilan.html"
    chemin.write_bytes(produire(coordination, villeray, langue=langue).fichier_html.read())
    demandes: list[str] = []

    def seulement_le_fichier(route):
        demandes.append(route.request.url)
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            route.abort()

    page.route("**/*", seulement_le_fichier)
    erreurs: list[str] = []
    page.on("pageerror", lambda erreur: erreurs.append(str(erreur)))
    page.goto(chemin.as_uri())
    _graphiques_dessines(page)
    graphique = page.locator("[data-figure]").first
    expect(
        graphique.locator(f"button.modebar-btn[aria-label='{BOUTON_PNG[langue]}']")
    ).to_have_count(1)
    # La feuille du site s'applique : la police du site, pas celle du navigateur par défaut.
    police = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert police.startswith("system-ui")
    assert demandes == [chemin.as_uri()]
    assert erreurs == []


@pytest.mark.django_db(transaction=True)
def test_le_fichier_servi_par_le_site_dessine_ses_graphiques_sous_sa_politique(
    page: Page, live_server, fichiers_temporaires, coordination, villeray
):
    bilan = produire(coordination, villeray)
    coordination.set_password("mot-de-passe-du-parcours")
    coordination.save()
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.goto(f"{live_server.url}/comptes/login/")
    page.get_by_label("Courriel").fill(coordination.email)
    page.get_by_label("Mot de passe").fill("mot-de-passe-du-parcours")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.locator("h1")).to_be_visible()
    page.goto(live_server.url + reverse("bilan_fichier", args=[bilan.pk, "html"]))
    _graphiques_dessines(page)
    assert violations == []
