"""Les bilans en anglais, session 14 (W6) : le statut « en cours » d'un bilan n'est plus celui
d'une participation au registre (« ongoing »), l'avis « bilan prêt » a son pluriel, et le refus
au-delà de la limite horaire accorde « bilan » avec la limite."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.translation import gettext

from rapports.models import AvisBilanPret, StatutBilan
from rapports.services import DemandesTropNombreuses
from tests.w6s14_traductions import traductions_anglaises

SINGULIER = "Vous avez demandé %(limite)d bilan dans la dernière heure, la limite par personne."
MINUTE = (
    "Vous pourrez en demander un autre dans %(minutes)d minute. Ceux déjà demandés restent "
    "dans la liste."
)


def test_un_bilan_en_cours_n_est_pas_une_participation_en_cours():
    """Avant : un seul msgid « en cours », traduit « ongoing » pour le bilan aussi."""
    anglais = {("statut du bilan", "en cours"): "in progress"}
    with traductions_anglaises(anglais), translation.override("en"):
        assert str(StatutBilan.EN_COURS.label) == "in progress"
        assert gettext("en cours") != "in progress"  # la participation garde le sien
    with translation.override("fr"):
        assert str(StatutBilan.EN_COURS.label) == "en cours"
        assert StatutBilan(StatutBilan.EN_COURS).label == "en cours"


def test_l_avis_bilan_pret_a_son_pluriel():
    """Avant : verbose_name_plural = verbose_name, un msgid : « “report ready” notice » pour la
    liste de l'administration anglaise."""
    with (
        traductions_anglaises(
            {
                "avis « bilan prêt »": "“report ready” notice",
                ("pluriel", "avis « bilan prêt »"): "“report ready” notices",
            }
        ),
        translation.override("en"),
    ):
        assert str(AvisBilanPret._meta.verbose_name) == "“report ready” notice"
        assert str(AvisBilanPret._meta.verbose_name_plural) == "“report ready” notices"
    with translation.override("fr"):
        assert str(AvisBilanPret._meta.verbose_name_plural) == "avis « bilan prêt »"


@pytest.mark.parametrize(
    ("limite", "attente", "attendu"),
    [
        (
            1,
            30,
            "Vous avez demandé 1 bilan dans la dernière heure, la limite par personne. "
            "Vous pourrez en demander un autre dans 1 minute.",
        ),
        (
            3,
            3600,
            "Vous avez demandé 3 bilans dans la dernière heure, la limite par personne. "
            "Vous pourrez en demander un autre dans 60 minutes.",
        ),
        (
            1,
            600,
            "Vous avez demandé 1 bilan dans la dernière heure, la limite par personne. "
            "Vous pourrez en demander un autre dans 10 minutes.",
        ),
    ],
)
def test_le_refus_accorde_bilan_avec_la_limite(limite, attente, attendu):
    """Avant : « Vous avez demandé 1 bilans » (« 1 reports » en anglais), le pluriel ne suivant
    que les minutes."""
    with translation.override("fr"):
        message = str(DemandesTropNombreuses(limite=limite, attente=attente).detail)
    assert message.startswith(attendu)
    assert message.endswith("Ceux déjà demandés restent dans la liste.")


def test_le_refus_en_anglais_accorde_report_avec_la_limite():
    anglais = {
        (
            SINGULIER,
            0,
        ): "You have requested %(limite)d report in the last hour, the limit per person.",
        (
            SINGULIER,
            1,
        ): "You have requested %(limite)d reports in the last hour, the limit per person.",
        (MINUTE, 0): "You can request another in %(minutes)d minute.",
        (MINUTE, 1): "You can request another in %(minutes)d minutes.",
    }
    with traductions_anglaises(anglais), translation.override("en"):
        un = str(DemandesTropNombreuses(limite=1, attente=3000).detail)
        trois = str(DemandesTropNombreuses(limite=3, attente=30).detail)
    assert un.startswith("You have requested 1 report in the last hour")
    assert un.endswith("in 50 minutes.")
    assert trois.startswith("You have requested 3 reports in the last hour")
    assert trois.endswith("in 1 minute.")
