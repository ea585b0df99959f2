"""Le fichier HTML d'un bilan est autonome : sauvé, ou envoyé par courriel, il s'ouvre hors du
site avec ses graphiques et sa mise en page. Sa feuille et ses scripts y sont écrits, lus dans
les fichiers statiques à sa fabrication (avec ou sans collectstatic), et seule la traduction de
plotly de sa langue l'accompagne. Servi par le site, la politique de sécurité permet ses
scripts, et eux seuls. (Le dessin dans un vrai navigateur : tests/parcours/test_bilan_autonome.py.)"""

from __future__ import annotations

import base64
import hashlib
import re
import shutil

import pytest
from django.urls import reverse

from rapports import services
from rapports.fichiers import politique_du_document
from rapports.rendu import embarques, rendre, texte_statique
from tests.rapports.test_bilans_rendu_corrections import coordination, produire, villeray

pytestmark = pytest.mark.django_db

__all__ = ["coordination", "villeray"]  # les fixtures, réutilisées telles quelles

PLOTLY = texte_statique("js/plotly-cartesian.min.js")
LOCALE_FR = texte_statique("js/plotly-locale-fr.js")


def _empreinte(texte: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(texte.encode()).digest()).decode() + "'"


@pytest.mark.parametrize("langue", ["fr", "en"])
def test_le_fichier_html_ne_charge_rien_d_une_adresse_du_serveur(coordination, villeray, langue):
    html = produire(coordination, villeray, langue=langue).fichier_html.read().decode()
    assert not re.search(r"""(src|href)=["']?/static""", html)
    assert "<link" not in html and not re.search(r"<script[^>]*\bsrc=", html)
    assert texte_statique("css/evalpic.css") in html
    for nom in ("js/graphiques.js", "js/tableaux.js"):
        assert texte_statique(nom) in html
    assert PLOTLY in html


def test_seule_la_traduction_de_plotly_de_la_langue_du_bilan_l_accompagne(coordination, villeray):
    francais = produire(coordination, villeray, langue="fr").fichier_html.read().decode()
    anglais = produire(coordination, villeray, langue="en").fichier_html.read().decode()
    assert LOCALE_FR in francais
    assert LOCALE_FR not in anglais and "plotly-locale" not in anglais


def test_les_scripts_sont_dans_l_ordre_ou_ils_se_servent(coordination, villeray):
    """plotly, puis sa traduction, puis le dessin des graphiques qui se sert des deux."""
    html = produire(coordination, villeray).fichier_html.read().decode()
    positions = [
        html.index(PLOTLY),
        html.index(LOCALE_FR),
        html.index(texte_statique("js/graphiques.js")),
    ]
    assert positions == sorted(positions)
    assert 'data-libelle="Tableau qui défile de côté"' in html


def test_le_fichier_se_fabrique_aussi_des_fichiers_de_collectstatic(
    coordination, villeray, settings, tmp_path
):
    """En production, les sources du projet peuvent manquer : seul STATIC_ROOT les a."""
    bilan = produire(coordination, villeray)
    settings.STATIC_ROOT = tmp_path / "staticfiles"
    shutil.copytree(settings.BASE_DIR / "static", settings.STATIC_ROOT)
    (settings.STATIC_ROOT / "js" / "graphiques.js").write_text("/* collecté */", "utf-8")
    settings.STATICFILES_DIRS = []
    html = rendre(bilan.instantane, titre=services.titre_du_bilan(bilan))
    assert "<script>/* collecté */</script>" in html and PLOTLY in html


def test_un_fichier_statique_introuvable_est_une_erreur_qui_le_dit():
    with pytest.raises(FileNotFoundError, match=re.escape("js/absent.js")):
        texte_statique("js/absent.js")


def test_un_texte_qui_fermerait_la_balise_script_ne_la_ferme_pas_et_les_fins_de_ligne_sont_lf(
    settings, tmp_path
):
    settings.STATIC_ROOT = tmp_path
    (tmp_path / "js").mkdir()
    for nom in ("plotly-cartesian.min.js", "graphiques.js", "tableaux.js"):
        (tmp_path / "js" / nom).write_bytes(b'var s = "</script><b>";\r\nvar t;\r')
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "evalpic.css").write_text("body {}", "utf-8")
    settings.STATICFILES_DIRS = []
    assert embarques("en")["scripts"] == ['var s = "<\\/script><b>";\nvar t;\n'] * 2


def test_le_site_sert_le_fichier_avec_l_empreinte_de_chacun_de_ses_scripts(
    client, coordination, villeray
):
    """`script-src 'self'` refuserait les scripts écrits dans la page : la réponse permet
    exactement les siens, par leur empreinte, et ouvre le document dans une origine à part."""
    bilan = produire(coordination, villeray)
    client.force_login(coordination)
    reponse = client.get(reverse("bilan_fichier", args=[bilan.pk, "html"]))
    assert reponse.status_code == 200
    assert b"".join(reponse.streaming_content) == bilan.fichier_html.read()
    directives = dict(
        d.strip().split(" ", 1) for d in reponse["Content-Security-Policy"].split(";")
    )
    scripts = embarques("fr")
    attendues = [_empreinte(s) for s in [*scripts["scripts"], scripts["tableaux"]]]
    assert directives["script-src"].split() == ["'self'", *attendues]
    assert directives["sandbox"] == "allow-scripts allow-downloads"
    assert directives["default-src"] == "'self'"  # le reste de la politique ne change pas


def test_les_figures_en_json_et_les_scripts_de_fichiers_n_ajoutent_rien():
    html = (
        b'<script type="application/json" id="f">{"data": []}</script>'
        b'<script src="/static/js/graphiques.js"></script>'
    )
    assert politique_du_document(html) == {}


def test_la_taille_du_fichier_autonome(coordination, villeray):
    """Le prix de l'autonomie : plotly (cartésien) pèse l'essentiel du fichier."""
    taille = len(produire(coordination, villeray).fichier_html.read())
    assert len(PLOTLY.encode()) < taille < len(PLOTLY.encode()) + 300_000
