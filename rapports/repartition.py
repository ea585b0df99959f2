"""Le bilan du PIC réparti entre les workers, en deux vagues parallèles.

1. **Images** : une tâche par quartier dessine ses figures (kaleido); une autre écrit le HTML
   interactif, le XLSX et le CSV, qui ne dépendent que de l'instantané.
2. **PDF** : `EVALPIC_BILAN_TRANCHES_PDF` tâches peignent chacune le document entier avec les
   images d'un groupe de quartiers consécutifs et des images vides ailleurs (voir
   `rapports.pdf_tranches`); la dernière tâche réunit les tranches en un PDF, l'écrit et marque
   le bilan prêt.

Entre les vagues, l'instantané attend sur la ligne, qui reste « en cours »; chaque tâche reçoit
le numéro de la tentative et ne fait rien si la ligne en est à une autre (rattrapage, autre
worker). Avec une seule tranche, la fin de la première vague fait tout le PDF, comme un bilan
de quartier.
"""

from __future__ import annotations

import base64
import logging
from contextlib import contextmanager

from django.conf import settings
from django.utils import translation

from rapports.models import Bilan, Portee, StatutBilan
from rapports.rendu import CLE_VUE_PIC, ancre_image, figure_vue_pic, figures_du_quartier, rendre
from rapports.services import (
    FichierEcrit,
    ecrire_fichiers,
    fichiers_du_bilan,
    marquer_pret,
    pdf_du_bilan,
    titre_du_bilan,
)

journal = logging.getLogger(__name__)


def repartir(bilan: Bilan, instantane: dict) -> bool:
    """Lance la première vague (images par quartier) d'un bilan du PIC. Faux quand tout se fait
    dans ce processus (mode embarqué, pas de stockage des résultats, ou un seul quartier)."""
    if (
        bilan.portee != Portee.PIC
        or settings.CELERY_TASK_ALWAYS_EAGER
        or not settings.CELERY_RESULT_BACKEND
        or len(instantane["quartiers"]) < 2
    ):
        return False
    from celery import chord

    from rapports.tasks import (
        assembler_bilan_task,
        autres_fichiers_task,
        images_du_quartier_task,
    )

    Bilan.objects.filter(pk=bilan.pk).update(instantane=instantane)
    parties = [
        images_du_quartier_task.s(bilan.pk, bilan.tentatives, rang)
        for rang in range(len(instantane["quartiers"]))
    ]
    parties.append(autres_fichiers_task.s(bilan.pk, bilan.tentatives))  # toujours la dernière
    chord(parties)(assembler_bilan_task.s(bilan.pk, bilan.tentatives))
    return True


def _bilan_en_cours(bilan_id: int, tentative: int) -> Bilan | None:
    return Bilan.objects.filter(
        pk=bilan_id, tentatives=tentative, statut=StatutBilan.EN_COURS
    ).first()


def images_du_quartier(*, bilan_id: int, tentative: int, rang: int) -> dict[str, str]:
    """Les images d'un quartier d'un bilan réparti (rien si la tentative n'est plus la bonne)."""
    from rapports.images import figures_en_img

    bilan = _bilan_en_cours(bilan_id, tentative)
    if bilan is None:
        return {}
    instantane = bilan.instantane
    with translation.override(bilan.langue):
        figures = figures_du_quartier(instantane["quartiers"][rang], instantane["indicateurs"])
    return figures_en_img(figures)


def autres_fichiers(*, bilan_id: int, tentative: int) -> dict[str, list] | None:
    """Le HTML interactif, le XLSX et le CSV du bilan, écrits sous les noms de la tentative;
    rend ce qu'il faut pour les attacher au bilan (nom, empreinte, taille), ou None."""
    bilan = _bilan_en_cours(bilan_id, tentative)
    if bilan is None:
        return None
    with _echec_marque(bilan, tentative):
        fichiers = fichiers_du_bilan(bilan.instantane, titre_du_bilan(bilan))
        return {
            cle: list(ecrit)
            for cle, ecrit in ecrire_fichiers(bilan, bilan.instantane, fichiers).items()
        }
    return None


def groupes_de_tranches(instantane: dict, images: dict[str, str], nombre: int) -> list[dict]:
    """Les images réparties en `nombre` groupes de quartiers consécutifs, d'autant d'images
    chacun que possible; la vue des quartiers côte à côte va au premier. Un quartier n'est jamais
    coupé : chaque quartier commence une page, donc aucune page n'a deux tranches."""
    par_quartier = [
        {cle: image for cle, image in images.items() if cle.split(":")[0] == quartier["slug"]}
        for quartier in instantane["quartiers"]
    ]
    total = max(1, sum(len(groupe) for groupe in par_quartier))
    groupes: list[dict] = [{} for _ in range(nombre)]
    avant = 0
    for groupe in par_quartier:  # chaque quartier va au groupe où tombe le milieu de ses images
        milieu = avant + len(groupe) / 2
        groupes[min(nombre - 1, int(milieu * nombre / total))].update(groupe)
        avant += len(groupe)
    groupes = [groupe for groupe in groupes if groupe] or [{}]
    if CLE_VUE_PIC in images:
        groupes[0][CLE_VUE_PIC] = images[CLE_VUE_PIC]
    return groupes


def assembler_bilan(
    *, bilan_id: int, tentative: int, images: dict[str, str], ecrits: dict[str, list] | None
) -> Bilan | None:
    """Fin de la première vague : lance la seconde (les tranches du PDF), ou, avec une seule
    tranche, fait le PDF ici et termine le bilan. `ecrits` : les autres fichiers déjà écrits."""
    bilan = _bilan_en_cours(bilan_id, tentative)
    if bilan is None or ecrits is None:
        return None
    nombre = settings.EVALPIC_BILAN_TRANCHES_PDF
    with _echec_marque(bilan, tentative):
        if nombre < 2:
            pdf = pdf_du_bilan(bilan.instantane, titre_du_bilan(bilan), images)
            return _terminer(bilan, pdf, ecrits)
        from celery import chord

        from rapports.images import figure_en_img
        from rapports.tasks import peindre_tranche_task, terminer_bilan_task

        with translation.override(bilan.langue):
            images = {**images, CLE_VUE_PIC: figure_en_img(figure_vue_pic(bilan.instantane)[0])}
        groupes = groupes_de_tranches(bilan.instantane, images, nombre)
        chord(peindre_tranche_task.s(bilan_id, tentative, groupe) for groupe in groupes)(
            terminer_bilan_task.s(bilan_id, tentative, ecrits)
        )
    return Bilan.objects.get(pk=bilan_id)


def _terminer(bilan: Bilan, pdf: bytes, ecrits: dict[str, list]) -> Bilan:
    """Écrit le PDF et marque le bilan prêt avec tous ses fichiers."""
    tous = {
        **{cle: FichierEcrit(*ecrit) for cle, ecrit in ecrits.items()},
        **ecrire_fichiers(bilan, bilan.instantane, {"pdf": pdf}),
    }
    return marquer_pret(bilan, bilan.instantane, tous)


def peindre_tranche(*, bilan_id: int, tentative: int, images: dict[str, str]) -> dict | None:
    """Une tranche du PDF : le document entier, peint avec ces images-ci et des images vides
    ailleurs. Rend `{"pages": [...], "pdf": base64}` (ou None si la tentative est périmée)."""
    from rapports.images import image_vide
    from rapports.pdf_tranches import peindre_tranche as peindre

    bilan = _bilan_en_cours(bilan_id, tentative)
    if bilan is None:
        return None
    vide = image_vide()
    with _echec_marque(bilan, tentative):
        html = rendre(
            bilan.instantane,
            titre=titre_du_bilan(bilan),
            image=lambda _figure, cle: images.get(cle, vide),
        )
        tranche = peindre(html, {ancre_image(cle) for cle in images})
        return {"pages": list(tranche.pages), "pdf": base64.b64encode(tranche.pdf).decode()}
    return None


def terminer_bilan(
    *, bilan_id: int, tentative: int, tranches: list[dict | None], ecrits: dict[str, list]
) -> Bilan | None:
    """Fin de la seconde vague : les tranches réunies en un PDF, écrit, et le bilan prêt."""
    from rapports.pdf_tranches import Tranche, reunir

    bilan = _bilan_en_cours(bilan_id, tentative)
    if bilan is None or None in tranches:
        return None
    with _echec_marque(bilan, tentative):
        pdf = reunir(
            [Tranche(pdf=base64.b64decode(t["pdf"]), pages=tuple(t["pages"])) for t in tranches]
        )
        return _terminer(bilan, pdf, ecrits)
    return Bilan.objects.get(pk=bilan_id)


@contextmanager
def _echec_marque(bilan: Bilan, tentative: int):
    """Toute erreur marque le bilan en échec avec son message (si la tentative le tient encore)
    et s'arrête là : l'échec est noté sur la ligne, la tâche se termine sans erreur."""
    try:
        yield
    except Exception as erreur:
        journal.exception("Échec du bilan réparti %s", bilan.pk)
        Bilan.objects.filter(pk=bilan.pk, statut=StatutBilan.EN_COURS, tentatives=tentative).update(
            statut=StatutBilan.ECHEC, erreur=f"{type(erreur).__name__}: {erreur}"[:2000]
        )
