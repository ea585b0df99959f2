"""Le ménage des fichiers de bilans orphelins : seuls les fichiers qu'aucune ligne ne désigne et
plus vieux que le délai d'une tentative s'en vont."""

from __future__ import annotations

import datetime
import os

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rapports.models import Bilan, Portee, StatutBilan
from rapports.nettoyage import nettoyer_fichiers_orphelins
from rapports.tasks import nettoyer_fichiers_orphelins_task

pytestmark = pytest.mark.django_db

IL_Y_A_UN_JOUR = timezone.now() - datetime.timedelta(days=1)


def _fichier(nom: str, age: datetime.datetime | None = IL_Y_A_UN_JOUR) -> str:
    nom = default_storage.save(nom, ContentFile(b"contenu"))
    if age is not None:
        os.utime(default_storage.path(nom), (age.timestamp(), age.timestamp()))
    return nom


def _bilan_pret(**fichiers) -> Bilan:
    return Bilan.objects.create(
        portee=Portee.PIC, annee=2025, trimestre=4, statut=StatutBilan.PRET, **fichiers
    )


def test_seuls_les_orphelins_assez_vieux_sont_supprimes(settings):
    settings.EVALPIC_BILAN_DELAI_BLOQUE = 900
    bilan = _bilan_pret()
    designes = {
        "fichier_pdf": _fichier(f"bilans/2025/{bilan.pk}/t2-bilan.pdf"),
        "fichier_csv": _fichier(f"bilans/2025/{bilan.pk}/t2-bilan.csv"),
    }
    Bilan.objects.filter(pk=bilan.pk).update(**designes)
    tentative_morte = _fichier(f"bilans/2025/{bilan.pk}/t1-bilan.pdf")
    en_cours_d_ecriture = _fichier(f"bilans/2025/{bilan.pk}/t3-bilan.pdf", age=None)
    bilan_supprime = _fichier("bilans/2024/999999/t1-bilan.xlsx")

    supprimes = nettoyer_fichiers_orphelins()

    assert sorted(supprimes) == sorted([tentative_morte, bilan_supprime])
    for nom in [*designes.values(), en_cours_d_ecriture]:
        assert default_storage.exists(nom)
    assert not default_storage.exists(tentative_morte)
    assert not default_storage.exists(bilan_supprime)
    assert nettoyer_fichiers_orphelins() == []  # rien de plus au second passage


def test_le_delai_vient_des_reglages(settings):
    settings.EVALPIC_BILAN_DELAI_BLOQUE = 3 * 86400
    orphelin = _fichier("bilans/2025/1/t1-bilan.pdf")  # vieux d'un jour seulement
    assert nettoyer_fichiers_orphelins() == []
    dans_quatre_jours = timezone.now() + datetime.timedelta(days=4)
    assert nettoyer_fichiers_orphelins(maintenant=dans_quatre_jours) == [orphelin]


def test_sans_dossier_de_bilans_rien_a_faire():
    assert nettoyer_fichiers_orphelins() == []


def test_une_requete_quel_que_soit_le_nombre_de_bilans():
    for _ in range(12):
        _bilan_pret()
    with CaptureQueriesContext(connection) as requetes:
        nettoyer_fichiers_orphelins()
    assert len(requetes) == 1


def test_la_tache_de_beat_appelle_le_service():
    _fichier("bilans/2025/1/t1-bilan.pdf")
    assert nettoyer_fichiers_orphelins_task() == 1
