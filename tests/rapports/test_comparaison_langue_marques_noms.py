"""La page de comparaison de deux bilans parle la langue de la personne, quelle que soit celle des
bilans (relecture dans le navigateur) :

- les périodes des constats « En bref » se nomment dans cette langue (« Q1 2016 » dans la page
  anglaise, « T2 2016 » dans la française), et non dans celle du bilan figé — qui, lu dans sa
  langue (sa page, ses fichiers), garde son libellé;
- les indicateurs gardent leur nom dans cette langue : celui d'un bilan écrit dans cette langue,
  sinon celui du catalogue (une requête de plus, seulement dans ce cas), et non celui du bilan
  le plus récent (« Households served by … » dans la page française);
- le statut de B n'est marqué (gras) que s'il a changé, la valeur de B que si elle a changé
  (avant : « **on track** » à côté de « on track » dès que la valeur bougeait);
- le bilan anglais se télécharge sous un autre nom que le français de la même période
  (« bilan-villeray-2023-T4-en.pdf »), aux quatre formats, au site comme à l'API.

Les cas anglais de la page s'appuient sur des textes déjà traduits au catalogue."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from rapports.en_bref import constats
from rapports.fichiers import nom_de_telechargement
from rapports.instantane import construire_instantane
from rapports.models import Bilan, Portee, StatutBilan
from tests.factories import (
    ActionFactory,
    AffectationFactory,
    IndicateurFactory,
    IndicateurSuiviFactory,
    ParticipationFactory,
    QuartierFactory,
    periode_du_trimestre,
)

pytestmark = pytest.mark.django_db


# --- Instantanés fabriqués ------------------------------------------------------------------


def _mesures(debut: str, fin: str, libelle: str, partenaires: str) -> dict:
    return {
        "debut": debut,
        "fin": fin,
        "libelle": libelle,
        "partenaires_actifs": partenaires,
        "secteurs_distincts": "2",
        "diversite_shannon": "0.5",
        "actions_participation": "4",
        "acteurs_influence": "1",
    }


def _instantane(langue: str, series: list[dict], noms: dict[str, str] | None = None) -> dict:
    """Un instantané du format 2 d'un quartier, dans `langue`, dont le registre compare T1 2016
    (ou Q1 2016) à T1 2026; `series` : (code, statut, dernière valeur)."""
    t1 = {"fr": "T1", "en": "Q1"}[langue]
    noms = noms or {}
    return {
        "format": 2,
        "portee": "quartier",
        "langue": langue,
        "periode": {"annee": 2026, "trimestre": 1, "code": "2026-T1", "libelle": f"{t1} 2026"},
        "registre": {
            "depart": _mesures("2016-01-01", "2016-03-31", f"{t1} 2016", "2"),
            "fin": _mesures("2026-01-01", "2026-03-31", f"{t1} 2026", "33"),
        },
        "indicateurs": {
            s["code"]: {"nom": noms.get(s["code"], f"{langue} {s['code']}"), "unite": "nombre"}
            for s in series
        },
        "quartiers": [
            {
                "slug": "villeray",
                "nom": "Villeray",
                "series": [
                    {
                        "code": s["code"],
                        "statut": s["statut"],
                        "points": [{"periode": "2026-T1", "valeur": s["valeur"]}],
                        "cibles": [],
                    }
                    for s in series
                ],
            }
        ],
    }


def _serie(code: str, statut: str = "en_bonne_voie", valeur: str = "10") -> dict:
    return {"code": code, "statut": statut, "valeur": valeur}


@pytest.fixture
def villeray():
    return QuartierFactory(nom="Villeray", slug="villeray")


@pytest.fixture
def coordination(villeray):
    return AffectationFactory(quartier=villeray, role="coordonnateur").utilisateur


def _bilan(villeray, instantane: dict, *, jour: int) -> Bilan:
    return Bilan.objects.create(
        portee=Portee.QUARTIER,
        quartier=villeray,
        annee=2026,
        trimestre=1,
        langue=instantane["langue"],
        statut=StatutBilan.PRET,
        instantane=instantane,
        fin_generation=timezone.make_aware(datetime.datetime(2026, 4, jour)),
    )


def _page(client, personne, a: Bilan, b: Bilan, langue: str = "fr") -> str:
    client.force_login(personne)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = langue
    reponse = client.get(reverse("bilans_comparer"), {"a": a.pk, "b": b.pk})
    assert reponse.status_code == 200
    return reponse.content.decode()


def _rangee(contenu: str, nom: str) -> str:
    debut = contenu.index(f'<th scope="row">{nom}</th>')
    return contenu[contenu.rindex("<tr", 0, debut) : contenu.index("</tr>", debut)]


# --- 1. Les périodes des constats dans la langue de la page -----------------------------------


def test_les_periodes_des_constats_suivent_la_langue_active_et_non_celle_du_bilan():
    francais = _instantane("fr", [])
    with translation.override("en"):
        textes = {c.cle: c.texte for c in constats(francais)}
    assert "from 2 during Q1 2016 to 33 during Q1 2026" in textes["partenaires"]
    assert "T1" not in " ".join(textes.values())
    anglais = _instantane("en", [])
    with translation.override("fr"):
        textes = {c.cle: c.texte for c in constats(anglais)}
    assert "(de 2 au cours de T1 2016 à 33 au cours de T1 2026)" in textes["partenaires"]
    assert "Q1" not in " ".join(textes.values())


def test_un_bilan_lu_dans_sa_langue_garde_son_libelle_fige():
    """Sa page et ses fichiers se refont à l'octet : le libellé figé n'est pas recalculé."""
    instantane = _instantane("fr", [])
    instantane["registre"]["depart"]["libelle"] = "libellé figé"
    with translation.override("fr"):
        (partenaires, *_autres) = constats(instantane)
    assert "de 2 au cours de libellé figé à 33 au cours de T1 2026" in partenaires.texte


def test_une_fenetre_de_plusieurs_trimestres_se_nomme_dans_la_langue_active():
    instantane = _instantane("fr", [])
    instantane["registre"]["depart"].update(debut="2016-01-01", fin="2016-09-30")
    instantane["registre"]["fin"].update(debut="2026-01-01", fin="2026-12-31")
    with translation.override("en"):
        (partenaires, *_autres) = constats(instantane)
    assert "from 2 during Q1–Q3 2016 to 33 during 2026" in partenaires.texte


def test_un_instantane_du_format_1_nomme_son_trimestre_dans_la_langue_active():
    instantane = {
        "format": 1,
        "portee": "quartier",
        "langue": "fr",
        "periode": {"annee": 2026, "trimestre": 2, "code": "2026-T2", "libelle": "T2 2026"},
        "indicateurs": {},
        "quartiers": [
            {
                "series": [],
                "registre": {
                    "depart": {**_mesures("", "", "", "3"), "date": "2016-04-01"},
                    "fin": _mesures("", "", "", "5"),
                },
            }
        ],
    }
    with translation.override("en"):
        (partenaires, *_autres) = constats(instantane)
    assert "from 3 during 2016 to 5 during Q2 2026" in partenaires.texte


def test_un_vrai_instantane_francais_se_compare_en_anglais_avec_des_trimestres_anglais():
    """L'instantané produit par `construire_instantane` garde les bornes de ses fenêtres."""
    for annee in (2022, 2023):
        for trimestre in range(1, 5):
            periode_du_trimestre(annee, trimestre)
    quartier = QuartierFactory(nom="Beta", slug="beta")
    IndicateurSuiviFactory(quartier=quartier)
    ParticipationFactory(table=quartier.table, debut=datetime.date(2018, 1, 1))
    ActionFactory(
        quartier=quartier, debut=datetime.date(2018, 10, 5), fin=datetime.date(2018, 10, 20)
    )
    bilan = Bilan(portee=Portee.QUARTIER, quartier=quartier, annee=2023, trimestre=4, langue="fr")
    instantane = construire_instantane(bilan)
    with translation.override("en"):
        textes = {c.cle: c.texte for c in constats(instantane)}
    participation = textes["participation"]
    assert "during Q4 2023" in participation and "during Q4 2018" in participation
    assert "T4" not in " ".join(textes.values())


def test_la_page_anglaise_de_deux_bilans_francais_ecrit_ses_periodes_en_anglais(
    client, villeray, coordination
):
    a = _bilan(villeray, _instantane("fr", [_serie("menages")]), jour=1)
    b = _bilan(villeray, _instantane("fr", [_serie("menages")]), jour=2)
    contenu = _page(client, coordination, a, b, langue="en")
    assert "from 2 during Q1 2016 to 33 during Q1 2026" in contenu
    assert "during T1 2016" not in contenu


# --- 1 bis. Les noms des indicateurs dans la langue de la page ---------------------------------


def test_la_page_francaise_nomme_les_indicateurs_en_francais_meme_si_b_est_anglais(
    client, villeray, coordination, django_assert_num_queries
):
    """B, anglais, est le plus récent : avant, ses noms (« Households served ») l'emportaient.
    Le bilan français nomme l'indicateur : aucune requête de plus (4, comme entre deux bilans
    français : la session, la personne, A et B)."""
    series = [_serie("menages")]
    a = _bilan(villeray, _instantane("fr", series, {"menages": "Ménages servis"}), jour=1)
    b = _bilan(villeray, _instantane("en", series, {"menages": "Households served"}), jour=2)
    client.force_login(coordination)
    with django_assert_num_queries(4):
        reponse = client.get(reverse("bilans_comparer"), {"a": a.pk, "b": b.pk})
    contenu = reponse.content.decode()
    assert '<th scope="row">Ménages servis</th>' in contenu
    assert "Households served" not in contenu


def test_deux_bilans_anglais_dans_la_page_francaise_prennent_le_nom_du_catalogue(
    client, villeray, coordination, django_assert_num_queries
):
    """Aucun des deux bilans ne garde le nom français : celui du catalogue, lu en une requête
    pour tous les indicateurs (5 requêtes pour 1 comme pour 11 indicateurs). Un indicateur
    sorti du catalogue garde le nom du bilan le plus récent."""
    client.force_login(coordination)

    def page(nombre: int) -> str:
        indicateurs = [IndicateurFactory(nom_fr=f"Nom français {n}") for n in range(nombre)]
        series = [_serie(i.code) for i in indicateurs] + [_serie("retire")]
        a = _bilan(villeray, _instantane("en", series), jour=1)
        b = _bilan(villeray, _instantane("en", series, {"retire": "Removed"}), jour=2)
        with django_assert_num_queries(5):
            reponse = client.get(reverse("bilans_comparer"), {"a": a.pk, "b": b.pk})
        return reponse.content.decode()

    contenu = page(1)
    assert '<th scope="row">Nom français 0</th>' in contenu
    assert '<th scope="row">Removed</th>' in contenu
    assert '<th scope="row">en ' not in contenu
    assert contenu.count('<th scope="row">Nom français') == 1
    assert page(11).count('<th scope="row">Nom français') == 11


def test_deux_bilans_francais_dans_la_page_anglaise_prennent_le_nom_anglais_du_catalogue(
    client, villeray, coordination
):
    indicateur = IndicateurFactory(nom_fr="Ménages servis", nom_en="Households served")
    series = [_serie(indicateur.code)]
    a = _bilan(villeray, _instantane("fr", series), jour=1)
    b = _bilan(villeray, _instantane("fr", series), jour=2)
    contenu = _page(client, coordination, a, b, langue="en")
    assert '<th scope="row">Households served</th>' in contenu
    assert "Ménages servis" not in contenu and "fr " + indicateur.code not in contenu


# --- 2. Marquer ce qui a changé, et seulement cela ---------------------------------------------


def test_une_valeur_qui_change_sans_changer_de_statut_ne_marque_que_la_valeur(
    client, villeray, coordination
):
    a = _bilan(villeray, _instantane("fr", [_serie("menages", valeur="10")]), jour=1)
    b = _bilan(villeray, _instantane("fr", [_serie("menages", valeur="12")]), jour=2)
    rangee = _rangee(_page(client, coordination, a, b), "fr menages")
    assert 'class="a-change"' in rangee
    assert "<strong>12</strong>" in rangee
    assert "<td>en bonne voie</td><td>en bonne voie</td>" in rangee
    assert "<strong>en bonne voie</strong>" not in rangee


def test_un_statut_qui_change_sans_changer_de_valeur_ne_marque_que_le_statut(
    client, villeray, coordination
):
    a = _bilan(villeray, _instantane("fr", [_serie("menages", "en_bonne_voie")]), jour=1)
    b = _bilan(villeray, _instantane("fr", [_serie("menages", "a_surveiller")]), jour=2)
    rangee = _rangee(_page(client, coordination, a, b), "fr menages")
    assert 'class="a-change"' in rangee
    assert (
        '<td class="nombre">10 <span class="periode">(T1 2026)</span></td>'
        '<td class="nombre">10 <span class="periode">(T1 2026)</span></td>'
        '<td class="evolution evolution--inchangee">= inchangée</td>'
    ) in rangee
    assert "<td>en bonne voie</td><td><strong>à surveiller</strong></td>" in rangee


def test_rien_ne_change_rien_n_est_marque(client, villeray, coordination):
    a = _bilan(villeray, _instantane("fr", [_serie("menages")]), jour=1)
    b = _bilan(villeray, _instantane("fr", [_serie("menages")]), jour=2)
    rangee = _rangee(_page(client, coordination, a, b), "fr menages")
    assert "a-change" not in rangee and "<strong>" not in rangee


# --- 3. Le bilan anglais se télécharge sous son propre nom -------------------------------------


def test_le_nom_de_telechargement_dit_la_langue_d_un_bilan_qui_n_est_pas_en_francais():
    instantane = _instantane("fr", [])
    for format_ in ("html", "pdf", "xlsx", "csv"):
        assert nom_de_telechargement(instantane, format_) == f"bilan-villeray-2026-T1.{format_}"
        anglais = {**instantane, "langue": "en"}
        assert nom_de_telechargement(anglais, format_) == f"bilan-villeray-2026-T1-en.{format_}"


def _avec_fichiers(bilan: Bilan) -> Bilan:
    for format_ in ("html", "pdf", "xlsx", "csv"):
        getattr(bilan, f"fichier_{format_}").save(
            f"bilan.{format_}", ContentFile(f"{bilan.langue} {format_}".encode()), save=False
        )
    bilan.save()
    return bilan


@pytest.mark.parametrize("cote", ["site", "api"])
@pytest.mark.parametrize("format_", ["html", "pdf", "xlsx", "csv"])
def test_les_bilans_francais_et_anglais_d_une_periode_se_telechargent_sous_deux_noms(
    villeray, coordination, format_, cote
):
    francais = _avec_fichiers(_bilan(villeray, _instantane("fr", []), jour=1))
    anglais = _avec_fichiers(_bilan(villeray, _instantane("en", []), jour=2))
    client = APIClient()
    client.force_login(coordination)
    disposition = "inline" if format_ == "html" else "attachment"
    noms = {}
    for bilan in (francais, anglais):
        adresse = {
            "site": reverse("bilan_fichier", args=[bilan.pk, format_]),
            "api": f"/api/v1/bilans/{bilan.pk}/fichier/{format_}/",
        }[cote]
        reponse = client.get(adresse)
        assert reponse.status_code == 200
        assert b"".join(reponse.streaming_content) == f"{bilan.langue} {format_}".encode()
        noms[bilan.langue] = reponse["Content-Disposition"]
    assert noms == {
        "fr": f'{disposition}; filename="bilan-villeray-2026-T1.{format_}"',
        "en": f'{disposition}; filename="bilan-villeray-2026-T1-en.{format_}"',
    }
