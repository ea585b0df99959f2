"""Accessibilité (WCAG 2.1 AA) dans un vrai navigateur : axe-core analyse les pages principales,
en français et en anglais (tableaux de bord, bilans, saisie et sa révision, commentaires, plan
de mesure, propositions, stratégie soumise et son examen, registre, apprentissages, import,
actions, catalogue), et toute violation d'une règle WCAG 2.0/2.1 A ou AA
y fait échouer le test, quel qu'en soit l'impact (`verifier`); la coordonnatrice remplit et
enregistre sa saisie au clavier seul; chaque arrêt de tabulation du tableau d'un quartier (barres
d'outils des graphiques comprises) est visible et contourné.

axe-core vient du registre npm, épinglé par `tests/parcours/package-lock.json` (`scripts/tester.sh`
lance `npm ci --prefix tests/parcours`). Il est injecté par `page.evaluate(source)` : le script
s'exécute dans le monde principal de la page par le protocole DevTools, ce que la politique de
sécurité du contenu (`script-src 'self'`) ne bloque pas, alors qu'une balise <script> en ligne
(`add_script_tag(content=…)` ou `path=…`) le serait. Le contexte garde donc sa CSP : on analyse les
pages telles que les personnes les reçoivent, sans `bypass_csp`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import Q
from playwright.sync_api import Page, expect

from indicateurs import services_catalogue, services_commentaires, services_strategie
from indicateurs.models import (
    Action,
    Apprentissage,
    Indicateur,
    IndicateurSuivi,
    ModeCollecte,
    Periode,
    Saisie,
    StatutPeriode,
    StrategieDeChangement,
)
from indicateurs.services import MODIFIABLES
from quartiers import services_registre
from quartiers.models import Participation, Quartier, Utilisateur
from rapports import services
from rapports.models import Bilan, Portee, StatutBilan
from tests.parcours.outils import MOT_DE_PASSE_DEMO, se_connecter

pytestmark = [pytest.mark.navigateur, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
NORMES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Les règles de ces normes qu'axe-core ne vérifie pas ici, chacune avec sa raison. Aucune : les
# barres d'outils et les SVG de Plotly passent toutes les règles A/AA. Une exclusion s'écrit
# ici, {"id-de-la-regle": "pourquoi"}, jamais en filtrant les résultats après coup.
REGLES_EXCLUES: dict[str, str] = {}
QUARTIER = "saint-michel"


@dataclass
class Demo:
    periode: Periode  # la période ouverte, celle que la coordination remplit
    indicateur: str  # le code d'un indicateur suivi, pour la vue entre quartiers
    suivis: list[IndicateurSuivi]  # les indicateurs saisis de Saint-Michel


@pytest.fixture(scope="module")
def source_axe() -> str:
    if not AXE.exists():
        pytest.fail(f"axe-core manque ({AXE}) : lancez « npm ci --prefix tests/parcours ».")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture
def demo() -> Demo:
    call_command("charger_demo", verbosity=0)
    ouverte = Periode.objects.filter(statut=StatutPeriode.OUVERTE).order_by("-debut").first()
    suivis = list(
        IndicateurSuivi.objects.filter(
            quartier__slug=QUARTIER, actif=True, indicateur__mode=ModeCollecte.SAISI
        )
        .select_related("indicateur")
        .order_by("pk")
    )
    return Demo(periode=ouverte, indicateur=suivis[0].indicateur.code, suivis=suivis)


@pytest.fixture
def bilan(demo, fichiers_temporaires) -> Bilan:
    """Un bilan prêt de Saint-Michel, pour le trimestre avant la période ouverte."""
    # Sans file de tâches configurée, le bilan se produit dès la fin de la transaction.
    close = Periode.objects.exclude(statut=StatutPeriode.A_VENIR).order_by("-debut")[1]
    bilan = services.demander_bilan(
        auteur=Utilisateur.objects.get(email="evaluation@demo.evalpic.ca"),
        portee=Portee.QUARTIER,
        quartier=Quartier.objects.get(slug=QUARTIER),
        annee=close.annee,
        trimestre=close.trimestre,
    )
    bilan.refresh_from_db()
    assert bilan.statut == StatutBilan.PRET, bilan.erreur
    return bilan


@dataclass
class Recentes:
    """De quoi ouvrir les pages ajoutées depuis les premières : plan de mesure, propositions,
    stratégie, registre, apprentissages, historique, actions, catalogue, commentaires."""

    proposition: Indicateur  # une proposition de la coordination, en attente d'examen
    strategie: StrategieDeChangement  # le brouillon d'une nouvelle version, pas encore soumis
    participation: Participation  # à la table du quartier, fiche modifiable par sa coordination
    apprentissage: Apprentissage  # que la coordination peut corriger ou retirer
    historique: str  # le code de la période d'une saisie validée, qui a un historique et un
    # commentaire
    action: Action  # une action en cours du quartier
    indicateur: str  # le code d'un indicateur approuvé du catalogue


@pytest.fixture
def recentes(demo) -> Recentes:
    quartier = Quartier.objects.get(slug=QUARTIER)
    coordination = Utilisateur.objects.get(email="coordination@demo.evalpic.ca")
    evaluation = Utilisateur.objects.get(email="evaluation@demo.evalpic.ca")
    proposition = services_catalogue.proposer_indicateur(
        utilisateur=coordination,
        quartier=quartier,
        code="pers-aines-rejoints",
        nom_fr="Personnes aînées rejointes",
        nom_en="Older adults reached",
        definition_fr="Personnes de 65 ans et plus rejointes.",
        definition_en="People aged 65 and over reached.",
        famille="personnes",
        unite="nombre",
        agregation="somme",
    )
    strategie, creee = services_strategie.preparer_version(
        utilisateur=evaluation, quartier=quartier
    )
    assert creee
    participation = next(
        p
        for p in Participation.objects.filter(table__quartier=quartier)
        .select_related("partenaire")
        .order_by("pk")
        if services_registre.fiche_modifiable(coordination, p.partenaire)
    )
    apprentissage = (
        Apprentissage.objects.filter(quartier=quartier)
        .filter(Q(saisie__isnull=True) | Q(saisie__statut__in=MODIFIABLES))
        .order_by("pk")
        .first()
    )
    assert apprentissage is not None
    saisie = (
        Saisie.objects.filter(table__quartier=quartier, evenements__isnull=False)
        .select_related("periode", "table__quartier")
        .order_by("-periode__debut")
        .first()
    )
    assert saisie.statut == "validee"  # la révision propose de la rouvrir
    services_commentaires.commenter(
        auteur=evaluation, saisie=saisie, texte="Pourquoi ce chiffre a-t-il doublé ?"
    )
    action = Action.objects.filter(quartier=quartier, fin__isnull=True).order_by("pk").first()
    return Recentes(
        proposition,
        strategie,
        participation,
        apprentissage,
        saisie.periode.code,
        action,
        demo.indicateur,
    )


# --- axe-core ------------------------------------------------------------------------------------


def analyser(page: Page, source_axe: str) -> list[dict]:
    """Les violations WCAG 2.1 A/AA de la page, une fois ses graphiques dessinés."""
    page.wait_for_load_state("load")
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-figure]')]"
        ".every(zone => zone.querySelector('svg.main-svg'))"
    )
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(source_axe)
    return page.evaluate(
        """async ([normes, exclues]) => {
            const r = await axe.run(document, {
                runOnly: {type: "tag", values: normes}, resultTypes: ["violations"],
                rules: Object.fromEntries(exclues.map(id => [id, {enabled: false}])),
            });
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                cibles: v.nodes.map(n => n.target.join(" ")),
            }));
        }""",
        [NORMES, list(REGLES_EXCLUES)],
    )


def resume(resultats: dict[str, list[dict]], impacts: tuple[str, ...] | None = None) -> str:
    """Un résumé lisible : par page, chaque règle (impact, aide) et ses cibles; seulement
    celles des `impacts` donnés, toutes sans eux."""
    lignes = []
    for nom, violations in resultats.items():
        for v in violations:
            if impacts is None or v["impact"] in impacts:
                cibles = ", ".join(v["cibles"][:5]) + (" …" if len(v["cibles"]) > 5 else "")
                lignes.append(f"- {nom} : {v['id']} ({v['impact']}) — {v['help']}\n    {cibles}")
    return "\n".join(lignes)


def verifier(resultats: dict[str, list[dict]]) -> None:
    """Échoue sur toute violation d'une règle WCAG 2.0/2.1 A ou AA, quel que soit son impact
    (critique, grave, modéré ou mineur) : la barre de DESIGN.md est « WCAG 2.1 AA », pas
    seulement ses violations graves."""
    toutes = resume(resultats)
    assert not toutes, "Violations WCAG 2.1 A/AA :\n" + toutes


def pages_principales(base: str, bilan: Bilan) -> dict[str, str]:
    return {
        "boîte de saisie": f"{base}/saisie/",
        "tableau du PIC": f"{base}/tableau-de-bord/",
        "tableau du quartier": f"{base}/tableau-de-bord/quartiers/{QUARTIER}/",
        "bilan": f"{base}/bilans/{bilan.pk}/",
    }


def pages_de_l_evaluation(base: str, demo: Demo, bilan: Bilan) -> dict[str, str]:
    return {
        **pages_principales(base, bilan),
        "accueil": f"{base}/",
        "théorie du changement": (
            f"{base}/tableau-de-bord/quartiers/{QUARTIER}/theorie-du-changement/"
        ),
        "indicateur entre quartiers": f"{base}/tableau-de-bord/indicateurs/{demo.indicateur}/",
        "liste des bilans": f"{base}/bilans/",
        "ajout d'un apprentissage": f"{base}/quartiers/{QUARTIER}/apprentissages/nouveau/",
    }


def visiter(page: Page, pages: dict[str, str], source_axe: str, suffixe: str = "") -> dict:
    resultats = {}
    for nom, adresse in pages.items():
        reponse = page.goto(adresse)
        assert reponse is not None and reponse.ok, f"{nom} : {adresse}"
        resultats[nom + suffixe] = analyser(page, source_axe)
    return resultats


def pages_recentes_de_la_coordination(base: str, recentes: Recentes) -> dict[str, str]:
    """Le registre (sur la page du quartier, puis ses formulaires), le plan de mesure, l'import,
    les apprentissages, les actions, les commentaires d'une saisie, le brouillon de la stratégie
    et l'ajout d'un changement visé."""
    partenaires = f"{base}/quartiers/{QUARTIER}/partenaires"
    apprentissages = f"{base}/quartiers/{QUARTIER}/apprentissages"
    return {
        "page du quartier (registre)": f"{base}/quartiers/{QUARTIER}/",
        "plan de mesure (coordination)": f"{base}/quartiers/{QUARTIER}/plan/",
        "inscription d'un partenaire": f"{partenaires}/inscrire/",
        "fiche d'un partenaire": (
            f"{partenaires}/{recentes.participation.partenaire_id}/modifier/"
        ),
        "import": f"{base}/quartiers/{QUARTIER}/import/",
        "apprentissages": f"{apprentissages}/",
        "correction d'un apprentissage": f"{apprentissages}/{recentes.apprentissage.pk}/modifier/",
        "retrait d'un apprentissage": f"{apprentissages}/{recentes.apprentissage.pk}/supprimer/",
        **pages_des_actions(base, recentes),
        "commentaires d'une saisie": (
            f"{base}/quartiers/{QUARTIER}/saisies/{recentes.historique}/commentaires/"
        ),
        "brouillon de stratégie (coordination)": (
            f"{base}/quartiers/{QUARTIER}/strategie/{recentes.strategie.pk}/"
        ),
        "ajout d'un changement visé": (
            f"{base}/quartiers/{QUARTIER}/strategie/{recentes.strategie.pk}/changements/ajouter/"
        ),
    }


def pages_des_actions(base: str, recentes: Recentes) -> dict[str, str]:
    actions = f"{base}/quartiers/{QUARTIER}/actions"
    return {
        "actions": f"{actions}/",
        "ajout d'une action": f"{actions}/ajouter/",
        "modification d'une action": f"{actions}/{recentes.action.pk}/modifier/",
        "fin d'une action": f"{actions}/{recentes.action.pk}/terminer/",
    }


def pages_recentes_de_l_evaluation(base: str, demo: Demo, recentes: Recentes) -> dict[str, str]:
    """Le plan de mesure et un suivi, les propositions (dont la stratégie soumise), le
    brouillon soumis d'une stratégie, son adoption et son renvoi, le catalogue : sa liste, la
    fiche d'un indicateur (et son retrait), la création et la modification d'une définition."""
    plan = f"{base}/quartiers/{QUARTIER}/plan"
    strategie = f"{base}/quartiers/{QUARTIER}/strategie/{recentes.strategie.pk}"
    return {
        "plan de mesure": f"{plan}/",
        "suivi d'un indicateur": f"{plan}/suivis/{demo.suivis[0].pk}/modifier/",
        "propositions": f"{base}/catalogue/propositions/",
        "examen d'une proposition": f"{base}/catalogue/propositions/{recentes.proposition.pk}/",
        "brouillon de stratégie": f"{strategie}/",
        "adoption d'une stratégie": f"{strategie}/adopter/",
        "renvoi d'une stratégie": f"{strategie}/renvoyer/",
        "catalogue": f"{base}/catalogue/",
        "fiche d'un indicateur": f"{base}/catalogue/{recentes.indicateur}/",
        "nouvel indicateur": f"{base}/catalogue/nouveau/",
        "définition d'un indicateur": f"{base}/catalogue/{recentes.indicateur}/modifier/",
    }


def soumettre_la_strategie(page: Page, base: str, recentes: Recentes) -> None:
    """La coordination soumet le brouillon à l'évaluation depuis sa page (le bouton se trouve
    par son formulaire, dans toute langue) : l'évaluation le trouve ensuite aux propositions
    et peut l'adopter ou le renvoyer."""
    page.goto(f"{base}/quartiers/{QUARTIER}/strategie/{recentes.strategie.pk}/")
    page.locator("form[action$='/soumettre/'] button").click()
    expect(page.locator("form[action$='/soumettre/']")).to_have_count(0)
    recentes.strategie.refresh_from_db()
    assert recentes.strategie.soumise_le is not None


def revision_refusee(page: Page, base: str, recentes: Recentes) -> None:
    """L'évaluation rouvre une saisie validée sans motif : la page de la révision (400) montre
    l'erreur, qui prend le focus."""
    page.goto(f"{base}/quartiers/{QUARTIER}/saisies/{recentes.historique}/")
    with page.expect_response(lambda r: r.request.method == "POST") as reponse:
        page.locator("button[name=action][value=rouvrir]").click()
    assert reponse.value.status == 400
    expect(page.locator("#erreur-revision")).to_be_focused()


def participation_en_conflit(page: Page, base: str, recentes: Recentes) -> int:
    """Ouvre la participation, la fait modifier par quelqu'un d'autre, puis enregistre la page
    restée ouverte : la réponse (409) montre l'envoi à côté de ce qui est enregistré."""
    participation = recentes.participation
    page.goto(
        f"{base}/quartiers/{QUARTIER}/partenaires/participations/{participation.pk}/modifier/"
    )
    Participation.objects.filter(pk=participation.pk).update(fin="2026-06-30")
    page.locator("[name=fin]").fill("2026-09-30")
    with page.expect_response(lambda r: r.request.method == "POST") as reponse:
        page.get_by_role("button", name="Enregistrer la participation").click()
    expect(page.locator(".alerte[role=alert] table")).to_be_visible()
    return reponse.value.status


def test_pages_en_francais_sans_violation(
    page: Page, live_server, demo, bilan, recentes, source_axe
):
    base = live_server.url
    page.goto(f"{base}/comptes/login/")
    resultats = {"connexion": analyser(page, source_axe)}

    se_connecter(page, base, "coordination@demo.evalpic.ca", accueil=None)
    resultats |= visiter(
        page,
        {
            "boîte de la coordination": f"{base}/saisie/",
            "formulaire trimestriel": f"{base}/quartiers/{QUARTIER}/saisies/{demo.periode.code}/",
        },
        source_axe,
    )
    # Le formulaire renvoyé avec une erreur : message à côté du champ, alerte en tête.
    champ = page.locator(f"[name=v{demo.suivis[0].indicateur.pk}]")
    champ.fill("abc")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page.locator(".alerte[role=alert]")).to_be_visible()
    resultats["formulaire avec erreurs"] = analyser(page, source_axe)
    resultats |= visiter(page, pages_recentes_de_la_coordination(base, recentes), source_axe)
    assert participation_en_conflit(page, base, recentes) == 409
    resultats["participation en conflit (409)"] = analyser(page, source_axe)
    # Une action qui finirait avant de commencer : refusée, le résumé des erreurs en tête.
    page.goto(f"{base}/quartiers/{QUARTIER}/actions/ajouter/")
    page.locator("[name=titre]").fill("Corvée de ruelle")
    page.locator("[name=type_action]").select_option(index=1)
    page.locator("[name=debut]").fill("2026-03-01")
    page.locator("[name=fin]").fill("2026-01-15")
    page.get_by_role("button", name="Enregistrer l'action").click()
    expect(page.locator(".alerte[role=alert]").first).to_be_focused()
    resultats["action avec erreurs"] = analyser(page, source_axe)
    soumettre_la_strategie(page, base, recentes)
    resultats["brouillon soumis (coordination)"] = analyser(page, source_axe)
    resultats |= visiter(
        page,
        {
            "théorie du changement (coordination)": (
                f"{base}/tableau-de-bord/quartiers/{QUARTIER}/theorie-du-changement/"
            )
        },
        source_axe,
    )
    page.get_by_role("button", name="Se déconnecter").click()

    se_connecter(page, base, "evaluation@demo.evalpic.ca", accueil=None)
    resultats |= visiter(page, pages_de_l_evaluation(base, demo, bilan), source_axe)
    resultats |= visiter(page, pages_recentes_de_l_evaluation(base, demo, recentes), source_axe)
    # La proposition envoyée incomplète : erreurs à côté des champs, résumé en tête.
    page.goto(f"{base}/quartiers/{QUARTIER}/plan/proposer/")
    page.get_by_role("button", name="Proposer l'indicateur").click()
    expect(page.locator(".alerte[role=alert]").first).to_be_focused()
    resultats["proposition avec erreurs"] = analyser(page, source_axe)
    # Une définition du catalogue sans nom, puis un retrait sans motif : refusés (400).
    page.goto(f"{base}/catalogue/nouveau/")
    page.locator("[name=code]").fill("pers-voisins-accueillis")
    page.get_by_role("button", name="Créer l'indicateur").click()
    expect(page.locator(".alerte[role=alert]").first).to_be_focused()
    expect(page.locator("#id_nom_fr_error")).to_be_visible()
    resultats["définition avec erreurs"] = analyser(page, source_axe)
    page.goto(f"{base}/catalogue/{recentes.indicateur}/")
    with page.expect_response(lambda r: r.request.method == "POST") as reponse:
        page.get_by_role("button", name="Retirer avec ce motif").click()
    assert reponse.value.status == 400
    resultats["retrait sans motif"] = analyser(page, source_axe)
    revision_refusee(page, base, recentes)
    resultats["révision refusée"] = analyser(page, source_axe)
    verifier(resultats)


def test_pages_principales_en_anglais_sans_violation(
    page: Page, live_server, demo, bilan, recentes, source_axe
):
    base = live_server.url
    page.goto(f"{base}/comptes/login/")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    resultats = {"login (en)": analyser(page, source_axe)}

    page.get_by_label("Email").fill("coordination@demo.evalpic.ca")
    page.get_by_label("Password").fill(MOT_DE_PASSE_DEMO)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    saisies = f"{base}/quartiers/{QUARTIER}/saisies"
    partenaires = f"{base}/quartiers/{QUARTIER}/partenaires"
    resultats |= visiter(
        page,
        {
            "form": f"{saisies}/{demo.periode.code}/",
            "history": f"{saisies}/{recentes.historique}/historique/",
            "neighbourhood page (registry)": f"{base}/quartiers/{QUARTIER}/",
            "participation": (
                f"{partenaires}/participations/{recentes.participation.pk}/modifier/"
            ),
            "import": f"{base}/quartiers/{QUARTIER}/import/",
            "learnings": f"{base}/quartiers/{QUARTIER}/apprentissages/",
            "comments": f"{saisies}/{recentes.historique}/commentaires/",
            "strategy draft (coordination)": (
                f"{base}/quartiers/{QUARTIER}/strategie/{recentes.strategie.pk}/"
            ),
            **pages_des_actions(base, recentes),
        },
        source_axe,
        " (en)",
    )
    soumettre_la_strategie(page, base, recentes)
    resultats["submitted draft (coordination) (en)"] = analyser(page, source_axe)
    page.get_by_role("button", name="Sign out").click()

    page.goto(f"{base}/comptes/login/")
    page.get_by_label("Email").fill("evaluation@demo.evalpic.ca")
    page.get_by_label("Password").fill(MOT_DE_PASSE_DEMO)
    page.get_by_role("button", name="Sign in").click()
    resultats |= visiter(page, pages_principales(base, bilan), source_axe, " (en)")
    resultats |= visiter(
        page,
        {
            **pages_recentes_de_l_evaluation(base, demo, recentes),
            "theory of change": (
                f"{base}/tableau-de-bord/quartiers/{QUARTIER}/theorie-du-changement/"
            ),
        },
        source_axe,
        " (en)",
    )
    # La théorie du changement, analysée en dernier, montre le bloc de la stratégie : le lien
    # vers le brouillon soumis, à examiner.
    expect(page.locator(f"a[href$='/strategie/{recentes.strategie.pk}/']")).to_be_visible()
    revision_refusee(page, base, recentes)
    resultats["review refused (en)"] = analyser(page, source_axe)
    verifier(resultats)


# --- Clavier seul --------------------------------------------------------------------------------

VALEUR_PAR_UNITE = {
    "nombre": "100",
    "pourcentage": "50",
    "dollars": "1000",
    "echelle": "3",
    "indice": "1",
    "texte": "Démarche en cours.",
}
VISIBLE = """(el) => {
    // À l'écran (pas déplacé hors champ), avec une taille, ni caché ni transparent (ancêtres compris).
    const cadre = el.getBoundingClientRect();
    if (!(cadre.width > 0 && cadre.height > 0 && cadre.right > 0 && cadre.bottom > 0
          && cadre.left < document.documentElement.scrollWidth)) { return false; }
    if (getComputedStyle(el).visibility === "hidden") { return false; }
    for (let e = el; e; e = e.parentElement) {
        if (parseFloat(getComputedStyle(e).opacity) === 0) { return false; }
    }
    return true;
}"""
FOCUS = f"""() => {{
    const el = document.activeElement;
    const style = getComputedStyle(el);
    return {{
        nom: el.getAttribute("name") || "", balise: el.tagName.toLowerCase(),
        texte: (el.innerText || el.getAttribute("aria-label") || "").trim(),
        href: el.getAttribute("href") || "",
        contour: style.outlineStyle !== "none" ? parseFloat(style.outlineWidth) : 0,
        couleur: style.outlineColor.match(/[0-9.]+/g).slice(0, 3).map(Number),
        visible: ({VISIBLE})(el),
    }};
}}"""


def contraste_sur_blanc(rgb: list[float]) -> float:
    """Le rapport de contraste WCAG d'une couleur sRGB (0–255) sur le blanc."""

    def lineaire(composante: float) -> float:
        c = composante / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    rouge, vert, bleu = (lineaire(c) for c in rgb)
    return 1.05 / (0.2126 * rouge + 0.7152 * vert + 0.0722 * bleu + 0.05)


def tabuler(page: Page) -> dict:
    """Appuie sur Tab; vérifie que l'élément qui reçoit le focus est à l'écran (la barre d'outils
    d'un graphique apparaît en fondu : on attend qu'elle soit visible) et montre un contour de
    focus d'au moins 2 px contrasté à 3:1 sur le blanc (WCAG 2.4.7 et 1.4.11)."""
    page.keyboard.press("Tab")
    focus = page.evaluate(FOCUS)
    if focus["balise"] != "body" and not focus["visible"]:
        page.wait_for_function(f"() => ({VISIBLE})(document.activeElement)", timeout=2000)
        focus = page.evaluate(FOCUS)
    if focus["balise"] != "body":
        assert focus["contour"] >= 2, f"focus sans contour visible : {focus}"
        assert contraste_sur_blanc(focus["couleur"]) >= 3, f"contour peu contrasté : {focus}"
    return focus


def tabuler_jusqu_a(page: Page, condition, maximum: int = 400) -> dict:
    """Tabule jusqu'à ce que l'élément qui a le focus remplisse `condition`."""
    for _ in range(maximum):
        focus = tabuler(page)
        assert focus["balise"] != "body", "le focus a quitté la page avant d'atteindre la cible"
        if condition(focus):
            return focus
    raise AssertionError(f"introuvable au clavier après {maximum} tabulations")


def test_la_coordonnatrice_remplit_sa_saisie_au_clavier_seul(page: Page, live_server, demo):
    base = live_server.url
    page.goto(f"{base}/comptes/login/")
    tabuler_jusqu_a(page, lambda f: f["nom"] == "login")
    page.keyboard.type("coordination@demo.evalpic.ca")
    page.keyboard.press("Tab")  # le champ suivant est le mot de passe, le lien d'aide vient après
    assert page.evaluate(FOCUS)["nom"] == "password"
    page.keyboard.type(MOT_DE_PASSE_DEMO)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Vos quartiers")).to_be_visible()

    tabuler_jusqu_a(page, lambda f: f["texte"] == "Saisie trimestrielle")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Saisie trimestrielle")).to_be_visible()
    formulaire = f"/quartiers/{QUARTIER}/saisies/{demo.periode.code}/"
    tabuler_jusqu_a(page, lambda f: f["href"] == formulaire)
    page.keyboard.press("Enter")
    expect(page.locator("form.saisie")).to_be_visible()

    # Un seul passage au clavier dans l'ordre de la page : chaque valeur et son commentaire.
    valeurs = {f"v{s.indicateur.pk}": VALEUR_PAR_UNITE[s.indicateur.unite] for s in demo.suivis}
    commentaires = {f"c{s.indicateur.pk}": "Saisi au clavier." for s in demo.suivis}
    a_remplir = {**valeurs, **commentaires}

    def remplir_et_continuer(focus: dict) -> bool:
        if focus["nom"] in a_remplir:
            page.keyboard.type(a_remplir.pop(focus["nom"]))
        return focus["texte"] == "Enregistrer le brouillon"

    tabuler_jusqu_a(page, remplir_et_continuer)
    assert not a_remplir, f"champs jamais atteints au clavier : {sorted(a_remplir)}"
    page.keyboard.press("Space")
    expect(page.get_by_text("Le brouillon est enregistré.")).to_be_visible()
    expect(page.locator(".alerte[role=alert]")).to_have_count(0)

    saisie = Saisie.objects.get(table__quartier__slug=QUARTIER, periode=demo.periode)
    assert saisie.statut == "brouillon"
    enregistrees = {v.indicateur_id: v for v in saisie.valeurs.all()}
    assert {f"v{pk}" for pk in enregistrees} == set(valeurs)
    for pk, v in enregistrees.items():
        valeur = valeurs[f"v{pk}"]
        if v.valeur_numerique is None:
            assert v.valeur_texte == valeur
        else:
            assert v.valeur_numerique == Decimal(valeur)
        assert v.commentaire == "Saisi au clavier."


def test_au_clavier_chaque_arret_du_tableau_d_un_quartier_est_visible(
    page: Page, live_server, demo
):
    """Graphiques compris : leurs barres d'outils apparaissent au focus et prennent le contour."""
    se_connecter(page, live_server.url, "conseil@demo.evalpic.ca", accueil=None)
    page.goto(f"{live_server.url}/tableau-de-bord/quartiers/{QUARTIER}/")
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-figure]')]"
        ".every(zone => zone.querySelector('svg.main-svg'))"
    )
    atteints = []
    for _ in range(600):
        focus = tabuler(page)
        if focus["balise"] == "body":  # le focus a quitté la page : tout est parcouru
            break
        atteints.append(focus)
    else:
        raise AssertionError("la tabulation ne sort jamais de la page (piège à focus ?)")
    textes = {f["texte"] for f in atteints}
    assert "Toutes les séries en CSV" in textes
    # Libellé de Plotly, en français comme la page (js/plotly-locale-fr.js).
    assert "Télécharger le graphique en fichier PNG" in textes
    assert "Download plot as a PNG" not in textes
    assert "Share chart..." not in textes  # pas d'envoi à Plotly Cloud (js/graphiques.js)
