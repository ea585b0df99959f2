"""Le ménage des fichiers de bilans que plus aucune ligne ne désigne.

Une tentative de production écrit ses fichiers sous un nom qui lui est propre, puis seulement les
attache au bilan (`rapports.services.ecrire_fichiers`, `marquer_pret`). Un worker tué entre les deux, une
tentative devancée par une autre ou un bilan supprimé laissent donc des fichiers orphelins : jamais
servis (seules les lignes mènent aux fichiers), mais qui occupent le disque. Beat lance ce ménage
chaque nuit; un fichier n'est supprimé qu'une fois plus vieux que `EVALPIC_BILAN_DELAI_BLOQUE`,
au-delà duquel la tentative qui l'écrivait est tenue pour morte."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterator

from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import timezone

from rapports.models import Bilan

journal = logging.getLogger(__name__)

RACINE = "bilans"
CHAMPS_FICHIERS = ("fichier_html", "fichier_pdf", "fichier_xlsx", "fichier_csv")


def _fichiers(dossier: str) -> Iterator[str]:
    """Chaque fichier sous `dossier` dans le stockage, récursivement."""
    if not default_storage.exists(dossier):
        return
    sous_dossiers, fichiers = default_storage.listdir(dossier)
    for nom in fichiers:
        yield f"{dossier}/{nom}"
    for sous_dossier in sous_dossiers:
        yield from _fichiers(f"{dossier}/{sous_dossier}")


def nettoyer_fichiers_orphelins(*, maintenant: datetime.datetime | None = None) -> list[str]:
    """Supprime les fichiers de bilans qu'aucune ligne ne désigne et plus vieux que le délai
    d'une tentative; rend leurs noms. Une requête, quel que soit le nombre de bilans."""
    maintenant = maintenant or timezone.now()
    limite = maintenant - datetime.timedelta(seconds=settings.EVALPIC_BILAN_DELAI_BLOQUE)
    designes = {
        nom
        for noms in Bilan.objects.values_list(*CHAMPS_FICHIERS).iterator()
        for nom in noms
        if nom
    }
    supprimes = []
    for nom in _fichiers(RACINE):
        if nom in designes or default_storage.get_modified_time(nom) >= limite:
            continue
        default_storage.delete(nom)
        supprimes.append(nom)
    if supprimes:
        journal.info("Ménage des bilans : %s fichier(s) orphelin(s) supprimé(s).", len(supprimes))
    return supprimes
