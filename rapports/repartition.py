"""Le bilan du PIC réparti entre les workers : une vague de tranches, puis la réunion.

Les quartiers sont partagés en `EVALPIC_BILAN_TRANCHES_PDF` groupes consécutifs (autant que de
processus de worker, au mieux). Une tâche par groupe dessine les figures de ses quartiers
(kaleido). Celle du premier groupe est la base : elle dessine aussi la vue des quartiers côte à
côte, écrit le HTML interactif, le XLSX et le CSV, puis met en page et peint le document entier
avec ses figures et des emplacements pour celles des autres. Les autres ne mettent rien en
page : elles peignent leurs figures, chacune sur sa page (voir `rapports.pdf_tranches`). La
dernière tâche réunit la base et les figures en un PDF, l'écrit et marque le bilan prêt. Chaque
worker enchaîne ses images et son PDF sans attendre les autres : pendant que l'un peint
(WeasyPrint), l'autre dessine encore (chromium).

Pendant ce temps, l'instantané attend sur la ligne, qui reste « en cours »; chaque tâche reçoit
le numéro de la tentative et ne fait rien si la ligne en est à une autre (rattrapage, autre
worker). Avec une seule tranche, tout se fait dans la tâche du bilan, comme un bilan de quartier.
"""

from __future__ import annotations

import base64
import logging
from contextlib import contextmanager

from django.conf import settings
from django.utils import translation

from rapports.models import Bilan, Portee, StatutBilan
from rapports.rendu import (
    CLE_VUE_PIC,
    figure_vue_pic,
    figures_du_quartier,
    rendre,
    series_imprimees,
)
from rapports.services import (
    FichierEcrit,
    ecrire_fichiers,
    fichiers_du_bilan,
    marquer_pret,
    titre_du_bilan,
)

journal = logging.getLogger(__name__)

#: Ce que la base fait de plus que peindre ses figures (vue des quartiers côte à côte, HTML, XLSX
#: et CSV, mise en page et texte du document entier), compté en figures, pour que les tranches
#: finissent ensemble. Mesuré sur le bilan du PIC (17 quartiers, 290 figures, 2 processus) :
#: ~3 s, le temps de ~50 figures dessinées et peintes.
AVANCE_PREMIERE_TRANCHE = 50


def repartir(bilan: Bilan, instantane: dict) -> bool:
    """Lance les tranches d'un bilan du PIC. Faux quand tout se fait dans ce processus (mode
    embarqué, pas de stockage des résultats, une seule tranche ou un seul quartier)."""
    if (
        bilan.portee != Portee.PIC
        or settings.CELERY_TASK_ALWAYS_EAGER
        or not settings.CELERY_RESULT_BACKEND
        or settings.EVALPIC_BILAN_TRANCHES_PDF < 2
        or len(instantane["quartiers"]) < 2
    ):
        return False
    from celery import chord

    from rapports.tasks import peindre_tranche_task, terminer_bilan_task

    Bilan.objects.filter(pk=bilan.pk).update(instantane=instantane)
    groupes = groupes_de_quartiers(instantane, settings.EVALPIC_BILAN_TRANCHES_PDF)
    chord(peindre_tranche_task.s(bilan.pk, bilan.tentatives, rangs) for rangs in groupes)(
        terminer_bilan_task.s(bilan.pk, bilan.tentatives)
    )
    return True


def poids_des_quartiers(instantane: dict) -> list[int]:
    """Le travail de chaque quartier pour une tranche : ses figures dessinées et peintes, une
    par indicateur sauf ceux en texte, qui n'ont pas d'image dans le PDF (leurs textes s'y
    impriment en tableau HTML, avec le texte du document, que peint la base) : celles de
    `figures_du_quartier` (`series_imprimees`), comptées sans les dessiner."""
    catalogue = instantane["indicateurs"]
    return [len(series_imprimees(q, catalogue)) for q in instantane["quartiers"]]


def groupes_de_quartiers(instantane: dict, nombre: int) -> list[list[int]]:
    """Les rangs des quartiers en au plus `nombre` groupes consécutifs, d'autant de travail
    chacun que possible (figures, `poids_des_quartiers`, plus `AVANCE_PREMIERE_TRANCHE` pour le
    premier). Un quartier n'est jamais coupé : chaque quartier commence une page, donc aucune
    page n'a deux tranches."""
    poids = poids_des_quartiers(instantane)
    total = max(1, sum(poids) + AVANCE_PREMIERE_TRANCHE)
    groupes: list[list[int]] = [[] for _ in range(nombre)]
    avant = AVANCE_PREMIERE_TRANCHE
    for rang, figures in enumerate(poids):  # chaque quartier va où tombe le milieu de son travail
        milieu = avant + figures / 2
        groupes[min(nombre - 1, int(milieu * nombre / total))].append(rang)
        avant += figures
    return [groupe for groupe in groupes if groupe]


def _bilan_en_cours(bilan_id: int, tentative: int) -> Bilan | None:
    return Bilan.objects.filter(
        pk=bilan_id, tentatives=tentative, statut=StatutBilan.EN_COURS
    ).first()


def peindre_tranche(*, bilan_id: int, tentative: int, rangs: list[int]) -> dict | None:
    """Une tranche : les figures des quartiers `rangs`. La première (celle du rang 0) est la
    base : elle met en page et peint le document entier, avec ses figures et des emplacements
    pour celles des autres, et écrit les autres fichiers; les autres ne peignent que leurs
    figures (voir `rapports.pdf_tranches`). Rend `{"pdf" (base64), "cles", "ecrits"}` — `cles`,
    les figures d'une tranche qui n'est pas la base; `ecrits`, les fichiers écrits par la base —
    ou None (tentative périmée, ou échec noté sur le bilan)."""
    from rapports.images import figures_en_img
    from rapports.pdf import html_en_pdf
    from rapports.pdf_tranches import emplacement, peindre_figures

    bilan = _bilan_en_cours(bilan_id, tentative)
    if bilan is None:
        return None
    instantane, base = bilan.instantane, 0 in rangs
    with _echec_marque(bilan, tentative):
        with translation.override(bilan.langue):
            figures = {
                cle: figure
                for rang in rangs
                for cle, figure in figures_du_quartier(
                    instantane["quartiers"][rang], instantane["indicateurs"]
                ).items()
            }
            if base:
                figures[CLE_VUE_PIC] = figure_vue_pic(instantane)[0]
        images = figures_en_img(figures)
        if not base:
            tranche = peindre_figures(images)
            return {"pdf": _en_base64(tranche.pdf), "cles": list(tranche.cles), "ecrits": None}
        autres = fichiers_du_bilan(instantane, titre_du_bilan(bilan))
        ecrits = {c: list(e) for c, e in ecrire_fichiers(bilan, instantane, autres).items()}
        html = rendre(
            instantane,
            titre=titre_du_bilan(bilan),
            image=lambda _figure, cle: images.get(cle) or emplacement(cle),
        )
        return {"pdf": _en_base64(html_en_pdf(html)), "cles": None, "ecrits": ecrits}
    return None


def _en_base64(contenu: bytes) -> str:
    return base64.b64encode(contenu).decode("ascii")


def terminer_bilan(*, bilan_id: int, tentative: int, tranches: list[dict | None]) -> Bilan | None:
    """La base et les figures des autres tranches réunies en un PDF, écrit; le bilan prêt avec
    tous ses fichiers."""
    from rapports.pdf_tranches import Figures, reunir

    bilan = _bilan_en_cours(bilan_id, tentative)
    if bilan is None or None in tranches:
        return None
    with _echec_marque(bilan, tentative):
        (base,) = [t for t in tranches if t["ecrits"] is not None]
        figures = [
            Figures(pdf=base64.b64decode(t["pdf"]), cles=tuple(t["cles"]))
            for t in tranches
            if t is not base
        ]
        pdf = reunir(base64.b64decode(base["pdf"]), figures)
        tous = {
            **{cle: FichierEcrit(*ecrit) for cle, ecrit in base["ecrits"].items()},
            **ecrire_fichiers(bilan, bilan.instantane, {"pdf": pdf}),
        }
        return marquer_pret(bilan, bilan.instantane, tous)
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
