"""Le libellé d'une année prend sa majuscule en tête d'une cellule ou d'une partie de titre : la
liste des bilans, l'administration, la page d'un bilan et le courriel « bilan prêt » disent
« Quartier A — Année 2025 » (« Year 2025 » en anglais), et le choix de la période d'un bilan
« Année 2025 ». Avant : « Quartier A — année 2025 », « année 2025 ». Au milieu d'une phrase, le
libellé reste en minuscule (`Bilan.libelle_periode`); `Bilan.titre_periode` est celui d'un
début."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from rapports import avis_bilans
from rapports.forms_bilans import DemandeBilanForm
from rapports.models import Bilan, Portee, StatutBilan
from tests.factories import periode_du_trimestre

pytestmark = pytest.mark.django_db


def _bilan(quartier, *, trimestre=None, demande_par=None, statut=StatutBilan.EN_ATTENTE) -> Bilan:
    return Bilan.objects.create(
        portee=Portee.QUARTIER,
        quartier=quartier,
        annee=2025,
        trimestre=trimestre,
        statut=statut,
        demande_par=demande_par,
    )


@pytest.mark.parametrize(
    ("langue", "titre", "libelle"),
    [
        ("fr", "Quartier A — Année 2025", "année 2025"),
        ("en", "Quartier A — Year 2025", "year 2025"),
    ],
)
def test_le_nom_d_un_bilan_annuel_met_l_annee_en_majuscule(quartier_a, langue, titre, libelle):
    bilan = _bilan(quartier_a)
    with translation.override(langue):
        assert str(bilan) == titre
        assert bilan.titre_periode == titre.rsplit(" — ", 1)[1]
        assert bilan.libelle_periode == libelle  # au milieu d'une phrase


def test_un_trimestre_ne_change_pas(quartier_a):
    bilan = _bilan(quartier_a, trimestre=2)
    assert (str(bilan), bilan.libelle_periode, bilan.titre_periode) == (
        "Quartier A — T2 2025",
        "T2 2025",
        "T2 2025",
    )
    with translation.override("en"):
        assert str(bilan) == "Quartier A — Q2 2025"


def test_la_liste_des_bilans_et_la_page_d_un_bilan(client, alice, quartier_a):
    bilan = _bilan(quartier_a, demande_par=alice)
    client.force_login(alice)
    liste = client.get(reverse("bilans")).content.decode()
    assert "Quartier A — Année 2025" in liste
    assert "année 2025" not in liste
    page = client.get(reverse("bilan_detail", args=[bilan.pk])).content.decode()
    assert "<h1>Quartier A — Année 2025</h1>" in page


def test_la_liste_des_bilans_de_l_administration(client, ada, quartier_a):
    _bilan(quartier_a)
    client.force_login(ada)
    contenu = client.get(reverse("admin:rapports_bilan_changelist")).content.decode()
    assert "Quartier A — Année 2025" in contenu
    assert "— année 2025" not in contenu


def test_le_courriel_bilan_pret(alice, quartier_a):
    bilan = _bilan(quartier_a, demande_par=alice, statut=StatutBilan.PRET)
    assert avis_bilans.prevenir(bilan) == 1
    (courriel,) = mail.outbox
    assert "« Quartier A — Année 2025 »" in courriel.subject
    assert "Le bilan « Quartier A — Année 2025 » est prêt." in courriel.body


def test_le_choix_de_la_periode_d_un_bilan(ada, quartier_a):
    periode_du_trimestre(2025, 1)
    libelles = dict(DemandeBilanForm(utilisateur=ada).fields["periode"].choices)
    assert libelles["2025"] == "Année 2025"
    assert libelles["2025-T1"] == "T1 2025"
    with translation.override("en"):
        libelles = dict(DemandeBilanForm(utilisateur=ada).fields["periode"].choices)
    assert libelles["2025"] == "Year 2025"
