"""Un indicateur en texte (unité « texte ») se lit en tableau de ses textes par trimestre, au
tableau de bord du quartier, entre quartiers et dans le bilan : ses textes arrivent jusque-là
(`lectures.lire_series`, l'instantané), sans requête de plus, et il n'a ni courbe ni statut.
Avant : un graphique vide (axe −1…4), « — » à chaque ligne et l'étiquette « sans données »."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from indicateurs.models import Saisie, Valeur
from rapports import rendu
from rapports.forms import FiltreForm
from rapports.instantane import construire_instantane
from rapports.lectures import Filtre, lire_series
from rapports.models import Bilan, Portee
from tests.factories import (
    IndicateurFactory,
    IndicateurSuiviFactory,
    construire_quartier,
    periode_du_trimestre,
)

pytestmark = pytest.mark.django_db

TEXTES = {0: "Projet déposé au conseil <b>", 2: "Politique adoptée & publiée"}


def _quartier_avec_un_texte(nom: str = "Alpha"):
    """Un quartier (un indicateur chiffré, quatre trimestres de 2023) qui suit aussi
    l'indicateur en texte « politique », renseigné aux 1er et 3e trimestres."""
    quartier = construire_quartier(nom=nom, indicateurs=1, trimestres=4)
    politique = IndicateurFactory(code="politique", nom_fr="Politique municipale", unite="texte")
    IndicateurSuiviFactory(quartier=quartier, indicateur=politique, valeur_reference=None)
    saisies = Saisie.objects.filter(table=quartier.table).order_by("periode__debut")
    for rang, saisie in enumerate(saisies):
        if rang in TEXTES:
            Valeur.objects.create(saisie=saisie, indicateur=politique, valeur_texte=TEXTES[rang])
    return quartier


def _article(page: str, code: str) -> str:
    (article,) = re.findall(rf'<article class="[^"]*" id="courbe-{code}">.*?</article>', page, re.S)
    return article


def test_les_series_portent_les_textes_d_un_indicateur_en_texte():
    quartier = _quartier_avec_un_texte()
    filtre = FiltreForm().filtre()
    series = {s.code: s for s in lire_series([quartier], filtre)[quartier.pk]}
    politique = series["politique"]
    assert [p.texte for p in politique.points][-4:] == [TEXTES[0], "", TEXTES[2], ""]
    assert all(p.valeur is None for p in politique.points)
    chiffre = next(s for code, s in series.items() if code != "politique")
    assert all(p.texte == "" for p in chiffre.points)
    assert [p.valeur for p in chiffre.points if p.valeur is not None] == [10, 11, 12, 13]


def test_au_tableau_de_bord_du_quartier_ses_textes_en_tableau_sans_graphique_ni_statut(client, eve):
    quartier = _quartier_avec_un_texte()
    client.force_login(eve)
    reponse = client.get(reverse("tableau_quartier", args=[quartier.slug]))
    assert reponse.status_code == 200
    page = reponse.content.decode()
    article = _article(page, "politique")
    assert "Projet déposé au conseil &lt;b&gt;" in article
    assert "Politique adoptée &amp; publiée" in article
    assert "T1 2023" in article and "T3 2023" in article
    assert "statut" not in article and "sans données" not in article
    assert "data-figure" not in article
    assert 'id="fig-politique-donnees"' not in page
    assert "css/graphiques.css" in page
    # L'indicateur chiffré garde sa courbe et son statut.
    autre = next(a for a in re.findall(r"<article .*?</article>", page, re.S) if a != article)
    assert "data-figure" in autre and 'class="statut statut--' in autre


def test_entre_quartiers_un_indicateur_en_texte_se_lit_par_quartier(client, eve):
    _quartier_avec_un_texte("Alpha")
    client.force_login(eve)
    reponse = client.get(reverse("indicateur_entre_quartiers", args=["politique"]))
    assert reponse.status_code == 200
    page = reponse.content.decode()
    assert "Politique adoptée &amp; publiée" in page
    assert 'data-figure="multiples-donnees"' not in page
    assert "csv=quartiers" in page  # le CSV de ces textes, comme pour chaque tableau
    assert reponse.context["figure"] is None  # pas de petits multiples calculés pour rien


def test_l_instantane_et_le_bilan_gardent_les_textes():
    quartier = _quartier_avec_un_texte()
    bilan = Bilan(portee=Portee.QUARTIER, quartier=quartier, annee=2023, trimestre=4, langue="fr")
    instantane = construire_instantane(bilan)
    (serie_quartier,) = instantane["quartiers"]
    par_code = {s["code"]: s for s in serie_quartier["series"]}
    points = par_code["politique"]["points"]
    assert [p.get("texte") for p in points][-4:] == [TEXTES[0], None, TEXTES[2], None]
    autre = next(s for code, s in par_code.items() if code != "politique")
    assert all(set(p) == {"periode", "libelle", "valeur"} for p in autre["points"])

    html = rendu.contenu(instantane, titre="Bilan")
    assert "Projet déposé au conseil &lt;b&gt;" in html
    assert "Politique adoptée &amp; publiée" in html
    assert 'data-figure="bilan-alpha-politique-donnees"' not in html
    (titre,) = re.findall(r"<h4>Politique municipale.*?</h4>", html)
    assert "sans données" not in titre
    assert 'class="statut' not in titre  # ni étiquette vide, que l'impression encadrerait
    # Imprimé, le bilan d'un quartier donne le tableau des textes, pas aussi leur image.
    imprime = rendu.rendre(instantane, titre="Bilan", image=lambda _figure, cle: f"img:{cle}")
    assert "Politique adoptée &amp; publiée" in imprime
    assert "img:alpha:politique" not in imprime
    assert "img:alpha:" in imprime  # les courbes des indicateurs chiffrés gardent la leur
    # … et le worker ne la dessine pas pour rien; le bilan du PIC non plus : il imprime aussi
    # le tableau HTML (tests/rapports/test_bilan_pic_textes_imprimes.py).
    (dessinees,) = [
        set(rendu.figures_du_quartier(q, instantane["indicateurs"]))
        for q in instantane["quartiers"]
    ]
    assert "alpha:politique" not in dessinees and dessinees
    # Un instantané d'avant (sans « texte ») se rend toujours : des tirets, pas d'erreur.
    for point in points:
        point.pop("texte", None)
    ancien = rendu.contenu(instantane, titre="Bilan")
    assert "Politique adoptée" not in ancien and "Politique municipale" in ancien


def test_le_filtre_dit_vrai_sur_le_debut_par_defaut():
    """Sans début choisi, le tableau montre les douze derniers trimestres, pas « le début »."""
    for rang in range(13):  # treize trimestres commencés : le choix vide en montre douze
        periode_du_trimestre(2020 + rang // 4, rang % 4 + 1)
    form = FiltreForm()
    assert form.fields["debut"].choices[0] == ("", "les 12 trimestres finissant à « À »")


def test_lire_les_textes_ne_coute_pas_de_requete_de_plus(django_assert_num_queries):
    # Suivis, valeurs (nombres et textes ensemble), cibles, apprentissages épinglés.
    quartier = _quartier_avec_un_texte()
    filtre = Filtre(periodes=tuple(FiltreForm().filtre().periodes))
    with django_assert_num_queries(4):
        lire_series([quartier], filtre)
