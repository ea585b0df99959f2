"""Le graphique et la courbe écrits en Python (`rapports/templatetags/graphiques_html.py`)
sortent, à l'octet, ce que sortaient les gabarits qu'ils remplacent (`_partials/_graphique.html`,
`rapports/_courbe.html`, recopiés ici tels qu'ils étaient) : mêmes échappements, mêmes
traductions, mêmes blancs, avec ou sans apprentissages épinglés, en français et en anglais.
Seul le JSON des figures s'écrit autrement (orjson, `evalpic.script_json`) : il se compare une
fois lu."""

from __future__ import annotations

import datetime
import json
import re
from decimal import Decimal

import pytest
from django.template import Context, Engine
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from rapports import graphiques
from rapports.series import Point, Repere, SerieIndicateur
from rapports.templatetags.graphiques_html import article_de_courbe, graphique

GRAPHIQUE = '{% load i18n %}{% comment %}\nUn graphique Plotly. Paramètres : id, titre, figure. Le tableau de données suit dans la page\n(sans JavaScript); le graphique est dessiné par js/graphiques.js. Le conteneur est un groupe\n(role="group") et non une image : la barre d\'outils de Plotly y met des boutons focalisables;\nson dessin SVG est masqué aux lecteurs d\'écran, le tableau de données en est l\'équivalent.\n{% endcomment %}{% with id_donnees=id|add:"-donnees" %}\n<figure class="graphique" aria-labelledby="{{ id }}-titre">\n  <figcaption id="{{ id }}-titre" class="visuellement-cache">{{ titre }}</figcaption>\n  <div class="graphique__trace" data-figure="{{ id_donnees }}" role="group" aria-label="{{ titre }} — {% translate \'les données sont dans le tableau qui suit\' %}"></div>\n  {{ figure|json_script:id_donnees }}\n</figure>{% endwith %}\n'

COURBE = '{% load i18n donnees %}\n<article class="courbe" id="courbe-{{ courbe.serie.code }}">\n  <h3><span class="code">{{ courbe.serie.code }}</span> {{ courbe.serie.nom }} <span class="statut statut--{{ courbe.statut }}">{{ courbe.libelle_statut }}</span></h3>\n  {% with id="fig-"|add:courbe.serie.code titre=courbe.serie.nom figure=courbe.figure %}{% include "GRAPHIQUE" %}{% endwith %}\n  <details>\n    <summary>{% blocktranslate with nom=courbe.serie.nom %}Données : {{ nom }}{% endblocktranslate %}</summary>\n    <table class="tableau">\n      <caption class="visuellement-cache">{% blocktranslate with nom=courbe.serie.nom %}{{ nom }} : valeurs, cibles et référence{% endblocktranslate %}</caption>\n      <thead><tr><th scope="col">{% translate "Période" %}</th><th scope="col" class="nombre">{% translate "Valeur" %}</th><th scope="col" class="nombre">{% translate "Cible" %}</th><th scope="col" class="nombre">{% translate "Référence" %}</th></tr></thead>\n      <tbody>{% lignes_de_courbe courbe.lignes %}</tbody>\n    </table>\n    {% if courbe.serie.reperes %}\n      <ul class="reperes">{% for repere in courbe.serie.reperes %}<li><strong>{{ repere.libelle }} — {{ repere.categorie }}</strong> : {{ repere.texte }}</li>{% endfor %}</ul>\n    {% endif %}\n  </details>\n</article>\n'

MOTEUR = Engine(
    loaders=[("django.template.loaders.locmem.Loader", {"GRAPHIQUE": GRAPHIQUE, "COURBE": COURBE})],
    libraries={"donnees": "rapports.templatetags.donnees", "i18n": "django.templatetags.i18n"},
)
BIZARRE = "Nom <b>&\"'</b> — été"
SCRIPT = re.compile(r'(<script id="[^"]*" type="application/json">)(.*?)(</script>)', re.S)


def json_lu(page: str) -> str:
    """La page, le contenu de chaque script JSON remplacé par sa lecture (le JSON se compare par
    ce qu'il contient, le reste à l'octet)."""
    assert SCRIPT.search(page)
    return SCRIPT.sub(lambda m: m[1] + repr(json.loads(m[2])) + m[3], page)


def _serie(reperes: list[Repere]) -> SerieIndicateur:
    debut = datetime.date(2024, 1, 1)
    points = [
        Point(f"2024-T{n}", f"T{n} 2024", debut, None if n == 2 else Decimal(n * 10))
        for n in range(1, 5)
    ]
    return SerieIndicateur(
        code="IND-<1>", nom=BIZARRE, unite="nombre", polarite="hausse", quartier="Q & R",
        reference=Decimal("12.5"), date_reference=debut, points=points,
        cibles=[Point("2024-T4", "T4 2024", debut, Decimal(50))], reperes=reperes,
    )  # fmt: skip


REPERES = [
    Repere("2024-T2", "T2 2024", "Défis <x>", "Un texte & des « guillemets »"),
    Repere("2024-T3", "T3 2024", "Leviers", "Autre"),
]


@pytest.mark.parametrize("langue", ["fr", "en"])
@pytest.mark.parametrize("reperes", [[], REPERES], ids=["sans-reperes", "avec-reperes"])
def test_la_courbe_comme_le_gabarit(langue, reperes):
    serie = _serie(reperes)
    courbe = {
        "serie": serie,
        "statut": "en_bonne_voie",
        "libelle_statut": gettext_lazy("En bonne voie"),
        "figure": graphiques.courbe_a_renverser(serie),
        "lignes": graphiques.lignes_de_la_courbe(serie),
    }
    with translation.override(langue):
        attendu = MOTEUR.get_template("COURBE").render(Context({"courbe": courbe}))
        assert json_lu(article_de_courbe(courbe)) == json_lu(attendu)
    assert "&lt;b&gt;&amp;&quot;&#x27;&lt;/b&gt;" in attendu and "IND-&lt;1&gt;" in attendu
    assert ("Un texte &amp; des" in attendu) is bool(reperes)
    if langue == "en":  # les textes du code Python sont bien dans le catalogue anglais
        for anglais in ("Data: ", ": values, targets and baseline", "Period", "the data are"):
            assert anglais in attendu, anglais


@pytest.mark.parametrize("langue", ["fr", "en"])
@pytest.mark.parametrize(
    "titre", [BIZARRE, mark_safe("<em>déjà sûr</em>"), gettext_lazy("Tableau de bord")]
)
def test_le_graphique_comme_le_gabarit(langue, titre):
    figure = {"data": [{"y": [1, 2], "name": "</script><b>"}], "layout": {"title": BIZARRE}}
    with translation.override(langue):
        attendu = MOTEUR.get_template("GRAPHIQUE").render(
            Context({"id": "fig-<a>", "titre": titre, "figure": figure})
        )
        obtenu = graphique("fig-<a>", titre, figure)
        assert json_lu(obtenu) == json_lu(attendu)
    assert "\\u003C/script\\u003E" in obtenu  # la figure ne ferme pas sa balise


CELLULE_INDICATEURS = (
    "{% load evalpic %}{% for code in noeud.indicateurs %}{% with adresse=adresses|cle:code %}"
    '{% if adresse %}<a href="{{ adresse }}">{{ code }}</a>{% else %}{{ code }}{% endif %}'
    "{% endwith %}{% with etat=noeud.non_mesures|cle:code %}{% if etat %} "
    '<span class="etiquette etiquette--non-mesure">{{ etat.label }}</span>{% endif %}'
    "{% endwith %}{% if not forloop.last %}, {% endif %}{% endfor %}"
)


@pytest.mark.parametrize("langue", ["fr", "en"])
@pytest.mark.parametrize(
    "adresses",
    [None, {}, {"a-1": "/tableau-de-bord/indicateurs/a-1/?debut=2024-T1&fin=2026-T2"}],
)
def test_la_cellule_des_indicateurs_de_la_theorie_comme_le_gabarit(langue, adresses):
    """`{% indicateurs_du_changement %}` écrit, à l'octet près, ce qu'écrivait la boucle du
    gabarit de la théorie du changement (échappement, liens, mots « retiré »…)."""
    from django.template import Template

    from indicateurs.models import EtatDeMesure
    from rapports.templatetags.graphiques_html import indicateurs_du_changement

    noeuds = [
        {"indicateurs": [], "non_mesures": {}},
        {"indicateurs": ["a-1"], "non_mesures": {}},
        {
            "indicateurs": ["a-1", "b<2>", "c&3"],
            "non_mesures": {"b<2>": EtatDeMesure.RETIRE, "c&3": EtatDeMesure.PLUS_SUIVI},
        },
    ]
    with translation.override(langue):
        for noeud in noeuds:
            attendu = Template(CELLULE_INDICATEURS).render(
                Context({"noeud": noeud, "adresses": adresses})
            )
            assert indicateurs_du_changement(noeud, adresses) == attendu
