"""Le code d'une période (« 2025-T2 ») se décode à un seul endroit
(`indicateurs.models.saisies.annee_et_trimestre`), pour les adresses, les formulaires et l'API."""

from __future__ import annotations

import pytest
from django.urls import reverse

from indicateurs.models import Saisie
from indicateurs.models.saisies import annee_et_trimestre, periodes_entre
from tests.factories import periode_du_trimestre


@pytest.mark.parametrize(
    ("code", "attendu"),
    [
        ("2025-T2", (2025, 2)),
        ("2025-t4", (2025, 4)),
        ("2025-T5", None),
        ("2025-T0", None),
        ("2025T2", None),
        ("20252", None),
        (" 2025-T2", None),
        ("2025-T2\n", None),
        ("２０２５-T2", None),  # chiffres pleine chasse : int() les accepterait
        ("٢٠٢٥-T2", None),
        ("", None),
    ],
)
def test_seule_la_forme_2025_T2_est_un_code_de_periode(code, attendu):
    assert annee_et_trimestre(code) == attendu


@pytest.mark.django_db
def test_periodes_entre_deux_bornes_incluses(quartier_a):
    for annee in (2023, 2024):
        for trimestre in (1, 2, 3, 4):
            Saisie.objects.create(
                table=quartier_a.table, periode=periode_du_trimestre(annee, trimestre)
            )

    def codes(debut=None, fin=None) -> list[str]:
        saisies = Saisie.objects.filter(periodes_entre("periode", debut, fin))
        return sorted(s.periode.code for s in saisies)

    assert codes((2023, 4), (2024, 2)) == ["2023-T4", "2024-T1", "2024-T2"]
    assert codes(debut=(2024, 3)) == ["2024-T3", "2024-T4"]
    assert codes(fin=(2023, 2)) == ["2023-T1", "2023-T2"]
    assert len(codes()) == 8


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["２０２５-T1", "2025-T1 ", "2025-T9", "T1"])
def test_une_adresse_de_saisie_au_code_mal_forme_repond_404(client, alice, periode, code):
    client.force_login(alice)
    adresse = reverse("saisie_formulaire", args=[alice.affectations.get().quartier.slug, code])
    assert client.get(adresse).status_code == 404
    bonne = reverse("saisie_formulaire", args=[alice.affectations.get().quartier.slug, "2025-t1"])
    assert client.get(bonne).status_code == 200
