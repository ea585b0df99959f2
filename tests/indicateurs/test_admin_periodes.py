"""Une période couvre son trimestre civil (`Periode.clean`) : l'administration acceptait « T1
2031 » du 1er juillet au 30 septembre, puis « T3 2031 » aux mêmes dates — deux périodes pour les
mêmes jours, et des saisies du T1 rangées en été. L'échéance, elle, reste modifiable : c'est
ainsi qu'on la repousse."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from indicateurs.models import Periode
from tests.factories import periode_du_trimestre

pytestmark = pytest.mark.django_db

AJOUT = "admin:indicateurs_periode_add"


def _periode(annee, trimestre, debut, fin, echeance) -> dict:
    return {
        "annee": str(annee),
        "trimestre": str(trimestre),
        "debut": debut,
        "fin": fin,
        "echeance": echeance,
        "statut": "a_venir",
    }


def test_le_t1_ne_prend_pas_les_dates_du_t3(client, ada):
    client.force_login(ada)
    reponse = client.post(
        reverse(AJOUT), _periode(2031, 1, "2031-07-01", "2031-09-30", "2031-10-31")
    )
    assert reponse.status_code == 200
    erreurs = reponse.context["adminform"].form.errors
    assert erreurs["debut"] == ["Le T1 2031 commence le 1er janvier 2031."]
    assert erreurs["fin"] == ["Le T1 2031 finit le 31 mars 2031."]
    assert not Periode.objects.exists()

    reponse = client.post(
        reverse(AJOUT), _periode(2031, 3, "2031-07-01", "2031-09-30", "2031-10-31")
    )
    assert reponse.status_code == 302
    assert [(p.code, p.debut) for p in Periode.objects.all()] == [
        ("2031-T3", datetime.date(2031, 7, 1))
    ]


def test_une_periode_ne_change_pas_de_trimestre_sans_ses_dates(client, ada):
    periode = periode_du_trimestre(2031, 3)
    client.force_login(ada)
    adresse = reverse("admin:indicateurs_periode_change", args=[periode.pk])
    reponse = client.post(adresse, _periode(2031, 4, "2031-07-01", "2031-09-30", "2031-10-31"))
    assert reponse.status_code == 200
    assert set(reponse.context["adminform"].form.errors) == {"debut", "fin"}
    periode.refresh_from_db()
    assert periode.trimestre == 3


def test_l_echeance_se_repousse(client, ada):
    periode = periode_du_trimestre(2031, 3)
    client.force_login(ada)
    adresse = reverse("admin:indicateurs_periode_change", args=[periode.pk])
    reponse = client.post(adresse, _periode(2031, 3, "2031-07-01", "2031-09-30", "2031-11-15"))
    assert reponse.status_code == 302
    periode.refresh_from_db()
    assert periode.echeance == datetime.date(2031, 11, 15)


def test_une_annee_hors_du_calendrier_est_une_erreur_du_champ(client, ada):
    client.force_login(ada)
    reponse = client.post(reverse(AJOUT), _periode(0, 1, "2031-01-01", "2031-03-31", "2031-04-30"))
    assert reponse.status_code == 200
    assert reponse.context["adminform"].form.errors["annee"] == ["L'année va de 1 à 9999."]


@pytest.mark.parametrize("trimestre", [1, 2, 3, 4])
def test_les_dates_de_chaque_trimestre_sont_admises(trimestre):
    periode = periode_du_trimestre(2032, trimestre)
    periode.full_clean()  # les dates du calendrier (`bornes_du_trimestre`) passent
    periode.fin -= datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as erreur, translation.override("en"):
        periode.full_clean()
    assert set(erreur.value.message_dict) == {"fin"}
