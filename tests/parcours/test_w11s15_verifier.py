"""La barre d'accessibilité des parcours : `verifier` (test_accessibilite.py) échoue sur toute
violation d'une règle WCAG 2.0/2.1 A ou AA, modérée ou mineure comme grave ou critique. Avant,
les modérées et les mineures n'étaient qu'affichées : un xml:lang contraire à lang
(html-xml-lang-mismatch, modérée) ou un rôle ARIA déprécié (mineure) passaient."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.parcours.test_accessibilite import analyser, source_axe, verifier

__all__ = ["source_axe"]  # la fixture, réutilisée telle quelle


def _violation(impact: str) -> dict[str, list[dict]]:
    return {
        "page": [
            {
                "id": "form-field-multiple-labels",
                "impact": impact,
                "help": "Form field must not have multiple label elements",
                "cibles": ["#id_login"],
            }
        ]
    }


@pytest.mark.parametrize("impact", ["critical", "serious", "moderate", "minor"])
def test_verifier_echoue_sur_une_violation_de_tout_impact(impact):
    with pytest.raises(AssertionError, match=rf"form-field-multiple-labels \({impact}\)"):
        verifier(_violation(impact))


def test_verifier_passe_sans_violation():
    verifier({"page": [], "autre page": []})


@pytest.mark.navigateur
def test_une_violation_moderee_ou_mineure_dans_une_vraie_page_fait_echouer(
    page: Page, live_server, source_axe
):
    """Dans le navigateur, sur la page de connexion : un xml:lang qui contredit lang (modérée,
    WCAG 3.1.1) et un rôle ARIA déprécié (mineure, WCAG 4.1.2)."""
    page.goto(f"{live_server.url}/comptes/login/")
    page.evaluate(
        """() => {
            document.documentElement.setAttribute("xml:lang", "de");
            document.querySelector("main").setAttribute("role", "directory");
        }"""
    )
    violations = analyser(page, source_axe)
    assert {(v["id"], v["impact"]) for v in violations} == {
        ("html-xml-lang-mismatch", "moderate"),
        ("aria-deprecated-role", "minor"),
    }
    with pytest.raises(AssertionError, match="html-xml-lang-mismatch") as echec:
        verifier({"connexion": violations})
    assert "aria-deprecated-role (minor)" in str(echec.value)
