"""Bilans, vue d'ensemble et stratégie, après l'audit d'accessibilité :

- les boutons radio « A » et « B » de la liste des bilans nomment leur bilan (texte caché), et
  l'erreur d'une comparaison refusée leur est liée (aria-describedby, aria-invalid);
- la vue d'ensemble donne en tableau l'évolution des partenaires et de la diversité que son
  graphique trace (« les données sont dans le tableau qui suit »), et pas seulement le dernier
  trimestre;
- la stratégie d'un quartier, écrite en français seulement, porte lang="fr" dans une page
  anglaise (tableau de bord du quartier, théorie du changement, fiche du quartier)."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import reverse

from rapports.models import Bilan, Portee, StatutBilan
from tests.factories import construire_quartier
from tests.html import balises as lire_balises

pytestmark = pytest.mark.django_db


def _texte(fragment: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", fragment)).strip()


@pytest.fixture
def villeray():
    return construire_quartier(nom="Villeray", indicateurs=2, trimestres=4)


# --- Les boutons radio de la comparaison ------------------------------------------------------


@pytest.fixture
def deux_bilans(villeray) -> list[Bilan]:
    return [
        Bilan.objects.create(
            portee=Portee.QUARTIER,
            quartier=villeray,
            annee=2023,
            trimestre=4,
            langue=langue,
            statut=StatutBilan.PRET,
        )
        for langue in ("fr", "en")
    ]


def _radios(contenu: str) -> list[dict]:
    return [a for n, a in lire_balises(contenu) if n == "input" and a.get("type") == "radio"]


def test_chaque_bouton_radio_nomme_son_bilan(client, eve, deux_bilans):
    client.force_login(eve)
    contenu = client.get(reverse("bilans")).content.decode()
    etiquettes = [
        _texte(e) for e in re.findall(r"<label><input type=\"radio\".*?</label>", contenu)
    ]
    assert len(etiquettes) == 4
    for bilan in deux_bilans:
        nom = f"{bilan} ({bilan.get_langue_display()})"
        assert f"A — {nom}" in etiquettes and f"B — {nom}" in etiquettes
    # Le nom est pour les lecteurs d'écran; à l'écran, la colonne garde « A » et « B ».
    assert contenu.count('<span class="visuellement-cache"> — ') == 4
    assert all("aria-invalid" not in r for r in _radios(contenu))


def test_l_erreur_de_la_comparaison_est_liee_aux_boutons_radio(client, eve, deux_bilans):
    client.force_login(eve)
    reponse = client.get(reverse("bilans_comparer"), {"a": deux_bilans[0].pk})
    assert reponse.status_code == 400
    contenu = reponse.content.decode()
    (alerte,) = [a for n, a in lire_balises(contenu) if a.get("id") == "erreur-comparaison"]
    assert alerte.get("role") == "alert" and "data-focus-au-chargement" in alerte
    radios = _radios(contenu)
    assert len(radios) == 4
    for radio in radios:
        assert radio.get("aria-invalid") == "true"
        assert radio.get("aria-describedby") == "erreur-comparaison"
    assert re.search(r"<title>Erreur : Bilans", contenu)


# --- L'évolution des partenaires, en tableau ---------------------------------------------------


def test_la_vue_d_ensemble_donne_l_evolution_des_partenaires_en_tableau(client, eve, villeray):
    client.force_login(eve)
    reponse = client.get(reverse("tableau_pic"))
    assert reponse.status_code == 200
    contenu = reponse.content.decode()
    section = contenu[contenu.index('id="titre-partenaires"') :]
    section = section[: section.index("</section>")]
    periodes = reponse.context["periodes"]
    (ligne,) = [ligne for ligne in reponse.context["lignes"] if ligne.quartier == villeray]
    assert len(periodes) > 1 and any(v is not None for v in ligne.partenaires)
    # Le tableau qui suit le graphique (replié, comme celui de la complétude) : une colonne par
    # trimestre tracé, pour les partenaires et pour la diversité.
    apres_graphique = section[section.index("<details>") :]
    assert section.index("<details>") < section.index("Indicateurs calculés du dernier trimestre")
    tableaux = re.findall(
        r"<table.*?</table>", apres_graphique[: apres_graphique.index("</details>")], re.S
    )
    assert [_texte(re.search(r"<caption>(.*?)</caption>", t, re.S)[1]) for t in tableaux] == [
        "Partenaires actifs",
        "Diversité (indice de Shannon)",
    ]
    for tableau, valeurs in zip(tableaux, [ligne.partenaires, ligne.diversite], strict=True):
        entetes = [_texte(c) for c in re.findall(r'<th scope="col"[^>]*>(.*?)</th>', tableau)]
        assert entetes == ["Quartier", *periodes]
        rangee = re.search(r'<tr><th scope="row">Villeray</th>(.*?)</tr>', tableau, re.S)[1]
        cellules = [_texte(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", rangee)]
        assert len(cellules) == len(periodes)
        for cellule, valeur in zip(cellules, valeurs, strict=True):
            assert cellule == ("—" if valeur is None else f"{valeur:g}".replace(".", ","))


# --- La stratégie, en français dans une page anglaise -----------------------------------------


def _strategie(quartier):
    strategie = quartier.strategies.get()
    return strategie, strategie.changements.get()


def _porte_lang_fr(contenu: str, texte: str) -> bool:
    """Le texte est dans un élément qui porte lang="fr" (qui ne contient que lui)."""
    return bool(re.search(rf'lang="fr">\s*{re.escape(texte)}\s*<', contenu))


@pytest.mark.parametrize("page", ["tableau_quartier", "theorie_du_changement", "quartier_detail"])
def test_la_strategie_porte_lang_fr_dans_une_page_anglaise(client, eve, villeray, page):
    strategie, changement = _strategie(villeray)
    client.force_login(eve)
    adresse = reverse(page, args=[villeray.slug])
    francais = client.get(adresse).content.decode()
    assert changement.libelle in francais and 'lang="fr"' not in francais.split("<main", 1)[1]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    contenu = client.get(adresse).content.decode()
    assert '<html lang="en">' in contenu
    assert _porte_lang_fr(contenu, changement.libelle)
    if page != "tableau_quartier":  # le tableau de bord ne nomme que les changements visés
        assert _porte_lang_fr(contenu, strategie.titre) or re.search(
            rf'lang="fr"><strong>{re.escape(strategie.titre)}</strong>', contenu
        )
