"""Comparer deux bilans : le plus récent est celui dont les données vont le plus loin, et non
celui produit le plus tard. Avant : le bilan de l'année 2025, produit après celui du T2 2026,
passait pour le plus récent, et « Partenaires actifs 32 (T4 2025) → 34 (T2 2026) » se lisait
« ▼ moins bien »."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from rapports.comparaison import Evolution, comparer
from rapports.models import Bilan, Portee, StatutBilan
from tests.factories import AffectationFactory, QuartierFactory


def _instantane(annee: int, trimestre: int | None, points: list[tuple[str, str]]) -> dict:
    code = f"{annee}-T{trimestre}" if trimestre else str(annee)
    return {
        "format": 2,
        "portee": "quartier",
        "langue": "fr",
        "periode": {"annee": annee, "trimestre": trimestre, "code": code, "libelle": code},
        "registre": None,
        "indicateurs": {
            "partenaires": {"nom": "Partenaires actifs", "unite": "nombre", "polarite": "hausse"}
        },
        "quartiers": [
            {
                "slug": "saint-michel",
                "nom": "Saint-Michel",
                "series": [
                    {
                        "code": "partenaires",
                        "statut": "a_surveiller",
                        "points": [
                            {"periode": periode, "libelle": periode, "valeur": valeur}
                            for periode, valeur in points
                        ],
                        "cibles": [],
                    }
                ],
            }
        ],
    }


ANNEE_2025 = _instantane(2025, None, [("2025-T3", "31"), ("2025-T4", "32")])
T2_2026 = _instantane(2026, 2, [("2026-T1", "33"), ("2026-T2", "34")])


def _bilan(annee, trimestre, instantane, jour, **autres) -> Bilan:
    return Bilan(
        portee=Portee.QUARTIER,
        annee=annee,
        trimestre=trimestre,
        statut=StatutBilan.PRET,
        instantane=instantane,
        fin_generation=timezone.make_aware(datetime.datetime(2026, 7, jour)),
        **autres,
    )


@pytest.mark.parametrize("annuel_en_a", [True, False])
def test_le_bilan_annuel_produit_apres_reste_le_plus_ancien(annuel_en_a):
    annuel = _bilan(2025, None, ANNEE_2025, jour=20, pk=2)
    trimestriel = _bilan(2026, 2, T2_2026, jour=5, pk=1)
    a, b = (annuel, trimestriel) if annuel_en_a else (trimestriel, annuel)
    resultat = comparer(a, b)
    assert resultat["a_plus_recent"] is not annuel_en_a
    (ligne,) = resultat["differences"]
    assert ligne.evolution == Evolution.MIEUX


def test_un_bilan_annuel_finit_a_son_t4():
    """L'année 2025 et le T4 2025 finissent au même trimestre : le moment de la production
    départage; le T1 2026 vient après l'année 2025, le T3 2025 avant."""
    annuel = _bilan(2025, None, ANNEE_2025, jour=1, pk=1)
    t4 = _bilan(2025, 4, ANNEE_2025, jour=2, pk=2)
    assert comparer(annuel, t4)["a_plus_recent"] is False
    assert comparer(t4, annuel)["a_plus_recent"] is True
    t1 = _bilan(2026, 1, ANNEE_2025, jour=1, pk=3)
    t3 = _bilan(2025, 3, ANNEE_2025, jour=30, pk=4)
    assert comparer(annuel, t1)["a_plus_recent"] is False
    assert comparer(annuel, t3)["a_plus_recent"] is True


@pytest.mark.django_db
def test_la_page_dit_mieux_de_l_annee_2025_au_t2_2026(client):
    saint_michel = QuartierFactory(nom="Saint-Michel", slug="saint-michel")
    trimestriel = _bilan(2026, 2, T2_2026, jour=5, quartier=saint_michel)
    trimestriel.save()
    annuel = _bilan(2025, None, ANNEE_2025, jour=20, quartier=saint_michel)
    annuel.save()
    client.force_login(AffectationFactory(quartier=saint_michel, role="coordonnateur").utilisateur)
    reponse = client.get(reverse("bilans_comparer"), {"a": annuel.pk, "b": trimestriel.pk})
    assert reponse.status_code == 200
    contenu = reponse.content.decode()
    assert '<th scope="col">Évolution de A à B</th>' in contenu
    assert '<td class="evolution evolution--mieux">▲ mieux</td>' in contenu
    assert "moins bien</td>" not in contenu
