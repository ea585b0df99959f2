"""La comparaison de deux bilans dit de quel trimestre est chaque dernière valeur (« 84 100
(T3 2025) » quand le T4 2025 manque) et, en mots, si l'indicateur va mieux, moins bien ou pareil
du bilan le plus ancien au plus récent, selon sa polarité (« en hausse », « en baisse » pour un
indicateur neutre). Avant : « 84 100 » sans trimestre, et aucun sens, sinon le gras d'une valeur
qui change."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from evalpic.nombres import nombre
from rapports.comparaison import Evolution, differences, evolution
from rapports.models import Bilan, Portee, StatutBilan
from tests.factories import AffectationFactory, QuartierFactory


@pytest.mark.parametrize(
    ("avant", "apres", "polarite", "attendu"),
    [
        ("10", "12", "hausse", Evolution.MIEUX),
        ("10", "8", "hausse", Evolution.MOINS_BIEN),
        ("84100", "90000", "baisse", Evolution.MOINS_BIEN),
        ("84100", "80000.5", "baisse", Evolution.MIEUX),
        ("10", "10.0", "baisse", Evolution.INCHANGEE),
        ("1.9", "2.1", "neutre", Evolution.HAUSSE),
        ("2.1", "1.9", "neutre", Evolution.BAISSE),
        (None, "12", "hausse", None),
        ("10", None, "hausse", None),
    ],
)
def test_l_evolution_suit_la_polarite(avant, apres, polarite, attendu):
    assert evolution(avant, apres, polarite) == attendu


def _instantane(points: list[tuple[str, str | None]], polarite: str = "baisse") -> dict:
    return {
        "format": 2,
        "portee": "quartier",
        "langue": "fr",
        "periode": {"annee": 2026, "trimestre": 1, "code": "2026-T1", "libelle": "T1 2026"},
        "registre": None,
        "indicateurs": {
            "incivilites": {"nom": "Signalements", "unite": "nombre", "polarite": polarite}
        },
        "quartiers": [
            {
                "slug": "villeray",
                "nom": "Villeray",
                "series": [
                    {
                        "code": "incivilites",
                        "statut": "a_surveiller",
                        "points": [
                            {"periode": code, "libelle": code, "valeur": valeur}
                            for code, valeur in points
                        ],
                        "cibles": [],
                    }
                ],
            }
        ],
    }


ANCIEN = _instantane([("2025-T3", "84100"), ("2025-T4", None)])
RECENT = _instantane([("2025-T4", "91000"), ("2026-T1", "90000")])


def test_chaque_derniere_valeur_dit_son_trimestre():
    (ligne,) = differences(ANCIEN, RECENT)
    assert (ligne.valeur_a, ligne.periode_a) == ("84100", "T3 2025")
    assert (ligne.valeur_b, ligne.periode_b) == ("90000", "T1 2026")
    # Une baisse est souhaitée : de 84 100 à 90 000, c'est moins bien.
    assert ligne.evolution == Evolution.MOINS_BIEN


def test_l_evolution_va_du_plus_ancien_au_plus_recent_meme_quand_a_est_le_plus_recent():
    (ligne,) = differences(RECENT, ANCIEN, a_plus_recent=True)
    assert (ligne.valeur_a, ligne.valeur_b) == ("90000", "84100")
    assert ligne.evolution == Evolution.MOINS_BIEN


def test_un_indicateur_neutre_monte_ou_baisse_sans_jugement():
    ancien = _instantane([("2025-T3", "1.9")], polarite="neutre")
    recent = _instantane([("2026-T1", "2.1")], polarite="neutre")
    (ligne,) = differences(ancien, recent)
    assert ligne.evolution == Evolution.HAUSSE


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("langue", "periode_a", "periode_b"),
    [("fr", "T3 2025", "T1 2026"), ("en", "Q3 2025", "Q1 2026")],
)
def test_la_page_montre_le_trimestre_et_l_evolution_en_mots(client, langue, periode_a, periode_b):
    villeray = QuartierFactory(nom="Villeray", slug="villeray")
    a, b = (
        Bilan.objects.create(
            portee=Portee.QUARTIER,
            quartier=villeray,
            annee=2026,
            trimestre=1,
            statut=StatutBilan.PRET,
            instantane=instantane,
            fin_generation=timezone.make_aware(datetime.datetime(2026, 4, jour)),
        )
        for jour, instantane in ((1, ANCIEN), (2, RECENT))
    )
    client.force_login(AffectationFactory(quartier=villeray, role="coordonnateur").utilisateur)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = langue
    reponse = client.get(reverse("bilans_comparer"), {"a": a.pk, "b": b.pk})
    assert reponse.status_code == 200
    contenu = reponse.content.decode()
    rangee = contenu[contenu.index('<th scope="row">Signalements</th>') :]
    rangee = rangee[: rangee.index("</tr>")]
    with translation.override(langue):
        valeur = nombre("84100")  # « 84 100 » en français, « 84,100 » en anglais
    assert f'{valeur} <span class="periode">({periode_a})</span>' in rangee
    assert f'<span class="periode">({periode_b})</span>' in rangee
    assert '<td class="evolution evolution--moins_bien">' in rangee
    if langue == "fr":
        assert '<td class="evolution evolution--moins_bien">▼ moins bien</td>' in rangee
        assert '<th scope="col">Évolution de A à B</th>' in contenu
