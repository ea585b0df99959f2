"""Demander, produire, rattraper et planifier les bilans.

La ligne `Bilan` est le dossier de la tâche : le service la réclame par une mise à jour
conditionnelle (en attente → en cours), si bien qu'un message en double ou un second worker ne
produit rien de plus. Les fichiers sont écrits sous un nom propre à la tentative, et la ligne ne
les désigne qu'à la fin, quand tout est écrit : un worker tué ne laisse jamais un fichier
tronqué servi, et un bilan resté « en cours » est repris ou marqué en échec par
`recuperer_bilans_bloques`.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import math
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import OperationalError, transaction
from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from rest_framework.exceptions import Throttled

from indicateurs.models import IndicateurSuivi, Periode, StatutPeriode
from quartiers.acces import Droit, peut_generer_bilan_pic, quartiers_accessibles
from quartiers.models import Quartier, Utilisateur
from rapports.avis_bilans import _expedier_tous, reserver_avis
from rapports.exports import exporter_csv, exporter_xlsx, nom_de_fichier
from rapports.instantane import VERSION_GENERATEUR, construire_instantane, somme_de_controle
from rapports.models import (
    ERREUR_INTERROMPUE,
    ERREUR_TENTATIVES_EPUISEES,
    Bilan,
    Portee,
    StatutBilan,
)
from rapports.rendu import rendre

journal = logging.getLogger(__name__)
FICHIERS = ("html", "pdf", "xlsx", "csv")
# Un bilan demandé il y a moins longtemps n'est pas relancé par le rattrapage : sa requête est
# peut-être encore en train de le mettre en file.
DELAI_DE_GRACE = datetime.timedelta(minutes=1)


# --- Demander -----------------------------------------------------------------------------------


def _verifier_periode(annee: int, trimestre: int | None) -> None:
    periodes = Periode.objects.filter(annee=annee)
    if trimestre is not None:
        periodes = periodes.filter(trimestre=trimestre)
    if not periodes.exclude(statut=StatutPeriode.A_VENIR).exists():
        raise ValidationError({"periode": [_("Cette période n'a pas encore de données.")]})


def _verifier_droit(auteur, portee: str, quartier: Quartier | None) -> None:
    if portee == Portee.PIC:
        if not peut_generer_bilan_pic(auteur):
            raise PermissionDenied(_("Le bilan de tout le PIC est réservé à l'évaluation."))
        return
    if quartier is None:
        raise ValidationError({"quartier": [_("Choisissez un quartier.")]})
    if not quartiers_accessibles(auteur, Droit.GENERER_BILAN).filter(pk=quartier.pk).exists():
        raise Http404(_("Quartier introuvable."))


class DemandesTropNombreuses(Throttled):
    """La personne a demandé `EVALPIC_BILANS_PAR_HEURE` bilans dans l'heure : le suivant
    attendra `wait` secondes. Une exception de DRF, pour que l'API réponde d'elle-même 429 avec
    `Retry-After` et le corps d'erreur habituel (`{"detail": …}`); la page la montre dans son
    formulaire, en 429 aussi (`rapports.views_bilans`)."""

    default_code = "bilans_par_heure"

    def __init__(self, *, limite: int, attente: int):
        minutes = max(1, math.ceil(attente / 60))
        # Deux phrases, chacune au pluriel de son nombre (« 1 bilan », « 3 minutes »).
        demandes = ngettext(
            "Vous avez demandé %(limite)d bilan dans la dernière heure, la limite par personne.",
            "Vous avez demandé %(limite)d bilans dans la dernière heure, la limite par personne.",
            limite,
        ) % {"limite": limite}
        suite = ngettext(
            "Vous pourrez en demander un autre dans %(minutes)d minute. Ceux déjà demandés "
            "restent dans la liste.",
            "Vous pourrez en demander un autre dans %(minutes)d minutes. Ceux déjà demandés "
            "restent dans la liste.",
            minutes,
        ) % {"minutes": minutes}
        message = f"{demandes} {suite}"
        super().__init__(detail=message)
        self.wait = attente


FENETRE_DES_DEMANDES = datetime.timedelta(hours=1)


def _verifier_la_limite(auteur) -> None:
    """Refuse une nouvelle demande (`DemandesTropNombreuses`) si la personne a déjà demandé
    `EVALPIC_BILANS_PAR_HEURE` bilans dans l'heure glissante, quels que soient leur portée et
    leur sort (chacun a occupé un worker, ou le fera). Compté sur ses lignes `Bilan` : rien à
    tenir à part, et la limite vaut pour tous les processus. Les bilans planifiés n'ont pas de
    demandeur et ne passent pas par ici. 0 : aucune limite."""
    limite = settings.EVALPIC_BILANS_PAR_HEURE
    if limite <= 0:
        return
    maintenant = timezone.now()
    recentes = list(
        Bilan.objects.filter(
            demande_par=auteur, planifie=False, created_at__gt=maintenant - FENETRE_DES_DEMANDES
        )
        .order_by("created_at")
        .values_list("created_at", flat=True)
    )
    if len(recentes) < limite:
        return
    # La demande redevient possible quand il n'en reste que limite - 1 dans la fenêtre.
    libere = recentes[len(recentes) - limite] + FENETRE_DES_DEMANDES
    attente = max(1, math.ceil((libere - maintenant).total_seconds()))
    raise DemandesTropNombreuses(limite=limite, attente=attente)


def demander_bilan(
    *,
    auteur,
    portee: str,
    annee: int,
    trimestre: int | None = None,
    quartier: Quartier | None = None,
    langue: str = "fr",
) -> Bilan:
    """Crée un bilan en attente et confie sa production à un worker (après la transaction).

    Une demande répétée (double clic, page rechargée, client de l'API qui réessaie) ne crée
    pas de second bilan : tant que la même personne attend un bilan de même portée, quartier,
    période et langue (en attente ou en cours), c'est lui qui est rendu, sans nouvelle tâche.
    Un bilan prêt ou en échec se redemande : c'est une nouvelle photographie, dans la limite de
    `EVALPIC_BILANS_PAR_HEURE` nouveaux bilans par personne et par heure
    (`DemandesTropNombreuses` au-delà; la demande répétée d'un bilan attendu ne compte pas).
    Deux demandes simultanées de la même personne passent l'une après l'autre (verrou sur sa
    ligne) : elles ne dépassent pas la limite ensemble.

    Le bilan rendu est relu après l'envoi (hors d'une transaction englobante) :
    `attend_la_file(bilan)` dit si la file était injoignable; le bilan est alors enregistré, en
    attente, et partira au retour de la file."""
    _verifier_droit(auteur, portee, quartier)
    _verifier_periode(annee, trimestre)
    quartier = quartier if portee == Portee.QUARTIER else None
    demande = {
        "portee": portee,
        "quartier": quartier,
        "annee": annee,
        "trimestre": trimestre,
        "langue": langue,
        "demande_par": auteur,
    }
    with transaction.atomic():
        # Verrou sur la ligne de la personne : sa seconde demande attend la fin de la première,
        # puis trouve son bilan (sans verrou, chacune ne voit pas encore celui de l'autre).
        Utilisateur.objects.select_for_update().filter(pk=auteur.pk).first()
        bilan = Bilan.objects.filter(
            statut__in=(StatutBilan.EN_ATTENTE, StatutBilan.EN_COURS), **demande
        ).first()
        if bilan is None:
            _verifier_la_limite(auteur)
            bilan = Bilan.objects.create(**demande)
            _confier(bilan)
    bilan.refresh_from_db()
    return bilan


# Ce que disent la page et l'API d'un bilan demandé pendant une panne de la file (Redis).
MESSAGE_FILE_INDISPONIBLE = gettext_lazy(
    "La file des tâches est indisponible pour le moment : le bilan est enregistré, en attente, "
    "et sera produit dès qu'elle sera de retour. Rien n'est perdu, inutile de le redemander."
)


def attend_la_file(bilan: Bilan) -> bool:
    """Vrai si le bilan attend le retour de la file des tâches : en attente et jamais mis en
    file (Redis était injoignable quand il a été demandé). Le rattrapage l'y mettra."""
    return bilan.statut == StatutBilan.EN_ATTENTE and bilan.mis_en_file_le is None


def _confier(bilan: Bilan) -> None:
    transaction.on_commit(lambda: _envoyer(bilan.pk))


def _envoyer(bilan_id: int) -> bool:
    """Met la tâche en file et le note sur la ligne; si la file est injoignable, l'envoi échoue
    vite (`evalpic.taches.TacheSansAttente`), le bilan reste en attente et sera remis en file
    par le rattrapage (rien n'est perdu). Vrai si la tâche est partie."""
    from rapports.tasks import generer_bilan_task

    try:
        generer_bilan_task.delay(bilan_id)
    except Exception as erreur:  # broker injoignable : on le journalise, la ligne reste en attente
        journal.warning(
            "File de tâches injoignable : bilan %s laissé en attente (%s: %s).",
            bilan_id,
            type(erreur).__name__,
            erreur,
        )
        return False
    Bilan.objects.filter(pk=bilan_id).update(mis_en_file_le=timezone.now())
    return True


# --- Produire -----------------------------------------------------------------------------------


def _reclamer(bilan_id: int) -> bool:
    return bool(
        Bilan.objects.filter(pk=bilan_id, statut=StatutBilan.EN_ATTENTE).update(
            statut=StatutBilan.EN_COURS,
            debut_generation=timezone.now(),
            tentatives=F("tentatives") + 1,
            erreur="",
        )
    )


def fabriquer_fichiers(instantane: dict, titre: str) -> dict[str, bytes]:
    """Les quatre fichiers d'un bilan, tirés de l'instantané seul, dans ce processus."""
    return fichiers_du_bilan(instantane, titre, pdf=pdf_du_bilan(instantane, titre))


def pdf_du_bilan(instantane: dict, titre: str) -> bytes:
    """Le PDF d'un bilan, d'un seul tenant : toutes ses figures dessinées ici, en un lot."""
    from rapports.images import figure_en_img, figures_en_img
    from rapports.pdf import html_en_pdf
    from rapports.rendu import figures_du_quartier

    with translation.override(instantane["langue"]):
        images = figures_en_img(  # un lot : les onglets de kaleido en parallèle
            {
                cle: figure
                for quartier in instantane["quartiers"]
                for cle, figure in figures_du_quartier(quartier, instantane["indicateurs"]).items()
            }
        )

    def image(figure: dict, cle: str) -> str:
        return images.get(cle) or figure_en_img(figure)

    return html_en_pdf(rendre(instantane, titre=titre, image=image))


def fichiers_du_bilan(
    instantane: dict, titre: str, *, pdf: bytes | None = None
) -> dict[str, bytes]:
    """Les fichiers d'un bilan tirés de l'instantané : HTML interactif, XLSX, CSV, et le PDF
    s'il est fourni."""
    fichiers = {
        "html": rendre(instantane, titre=titre).encode("utf-8"),
        "xlsx": exporter_xlsx(instantane),
        "csv": exporter_csv(instantane),
    }
    return fichiers if pdf is None else {**fichiers, "pdf": pdf}


def generer_bilan(*, bilan_id: int) -> Bilan | None:
    """Produit le bilan s'il est en attente (sinon ne fait rien : message en double, ou autre
    worker déjà dessus). Une erreur passagère de la base remet le bilan en attente et remonte
    (la tâche réessaie); toute autre erreur le marque en échec, avec son texte technique (pour
    l'administration; pages et API disent « erreur inattendue », `Bilan.motif_echec`)."""
    from rapports import repartition

    if not _reclamer(bilan_id):
        return None
    bilan = Bilan.objects.select_related("quartier").get(pk=bilan_id)
    try:
        instantane = construire_instantane(bilan)
        if repartition.repartir(bilan, instantane):
            return Bilan.objects.get(pk=bilan_id)
        noms = ecrire_fichiers(
            bilan, instantane, fabriquer_fichiers(instantane, titre_du_bilan(bilan))
        )
    except OperationalError:
        Bilan.objects.filter(pk=bilan_id, statut=StatutBilan.EN_COURS).update(
            statut=StatutBilan.EN_ATTENTE
        )
        raise
    except Exception as erreur:
        journal.exception("Échec du bilan %s", bilan_id)
        Bilan.objects.filter(pk=bilan_id, statut=StatutBilan.EN_COURS).update(
            statut=StatutBilan.ECHEC, erreur=f"{type(erreur).__name__}: {erreur}"[:2000]
        )
        return Bilan.objects.get(pk=bilan_id)
    return marquer_pret(bilan, instantane, noms)


def titre_du_bilan(bilan: Bilan) -> str:
    with translation.override(bilan.langue):
        return _("Bilan — %(portee)s — %(periode)s") % {
            "portee": bilan.titre_portee,
            "periode": bilan.libelle_periode,
        }


class FichierEcrit(NamedTuple):
    """Un fichier écrit sur le stockage, et son empreinte prise sur les octets écrits."""

    nom: str
    sha256: str
    taille: int


def ecrire_fichiers(
    bilan: Bilan, instantane: dict, fichiers: dict[str, bytes]
) -> dict[str, FichierEcrit]:
    """Écrit chaque fichier sous un nom propre à cette tentative; aucune ligne ne le désigne
    encore. L'empreinte (SHA-256, taille) est prise sur les octets en mémoire, sans relecture."""
    ecrits = {}
    for extension, contenu in fichiers.items():
        nom = f"bilans/{bilan.annee}/{bilan.pk}/t{bilan.tentatives}-{nom_de_fichier(instantane, extension)}"
        ecrits[extension] = FichierEcrit(
            nom=default_storage.save(nom, ContentFile(contenu)),
            sha256=hashlib.sha256(contenu).hexdigest(),
            taille=len(contenu),
        )
    return ecrits


def marquer_pret(bilan: Bilan, instantane: dict, ecrits: dict[str, FichierEcrit]) -> Bilan:
    """Marque le bilan prêt, avec ses fichiers et leurs empreintes, si cette tentative le tient
    encore. Dans la même transaction, il réserve l'avis « bilan prêt » de qui l'attend : un
    worker arrêté juste après ne le perd pas, le rattrapage l'enverra. L'avis part après la
    transaction; une erreur à l'envoi n'y change rien, le bilan est prêt."""
    with transaction.atomic():
        fait = Bilan.objects.filter(
            pk=bilan.pk, statut=StatutBilan.EN_COURS, tentatives=bilan.tentatives
        ).update(
            statut=StatutBilan.PRET,
            fin_generation=timezone.now(),
            instantane=instantane,
            somme_controle=somme_de_controle(instantane),
            version_generateur=VERSION_GENERATEUR,
            empreintes={
                extension: {"sha256": ecrit.sha256, "taille": ecrit.taille}
                for extension, ecrit in ecrits.items()
            },
            **{f"fichier_{extension}": ecrit.nom for extension, ecrit in ecrits.items()},
        )
        avis = reserver_avis(bilan) if fait else []
    if not fait:  # repris par un rattrapage entre-temps : nos fichiers ne servent à rien
        for ecrit in ecrits.values():
            default_storage.delete(ecrit.nom)
        return Bilan.objects.get(pk=bilan.pk)
    bilan.refresh_from_db()
    transaction.on_commit(lambda: _expedier_tous(avis), robust=True)
    return bilan


# --- Rattraper et planifier ---------------------------------------------------------------------


def recuperer_bilans_bloques(*, maintenant: datetime.datetime | None = None) -> list[int]:
    """Les bilans « en cours » depuis plus longtemps que la limite (worker tué) repartent en
    attente et en file; après trop de tentatives, ils passent en échec avec la raison. Les
    bilans en attente jamais mis en file (file injoignable à la demande) y sont mis dès la
    minute passée; ceux mis en file il y a plus longtemps que la limite (message perdu avec un
    Redis redémarré) y sont remis."""
    maintenant = maintenant or timezone.now()
    limite = maintenant - datetime.timedelta(seconds=settings.EVALPIC_BILAN_DELAI_BLOQUE)
    bloques = Bilan.objects.filter(statut=StatutBilan.EN_COURS, debut_generation__lt=limite)
    # La raison s'écrit non traduite (le texte français) : les pages et l'API la traduisent
    # dans la langue de qui la lit (Bilan.motif_echec).
    _abandonner(
        bloques.filter(tentatives__gte=settings.EVALPIC_BILAN_TENTATIVES_MAX), ERREUR_INTERROMPUE
    )
    repris = list(bloques.values_list("pk", flat=True))
    bloques.filter(pk__in=repris).update(statut=StatutBilan.EN_ATTENTE)
    # En attente et jamais mis en file (la file était injoignable) : dès que la demande a plus
    # d'une minute (celle d'une requête en cours part d'elle-même après sa transaction). Déjà
    # mis en file mais toujours en attente (message perdu, erreurs passagères épuisées) : au
    # plus une fois par délai, jusqu'à la limite de tentatives.
    jamais_en_file = Q(mis_en_file_le__isnull=True, created_at__lt=maintenant - DELAI_DE_GRACE)
    en_file_il_y_a_longtemps = Q(created_at__lt=limite, mis_en_file_le__lt=limite)
    en_attente = Bilan.objects.filter(statut=StatutBilan.EN_ATTENTE).filter(
        jamais_en_file | en_file_il_y_a_longtemps
    )
    _abandonner(
        en_attente.filter(tentatives__gte=settings.EVALPIC_BILAN_TENTATIVES_MAX),
        ERREUR_TENTATIVES_EPUISEES,
    )
    a_relancer = sorted(set(repris) | set(en_attente.values_list("pk", flat=True)))
    for bilan_id in a_relancer:
        transaction.on_commit(lambda i=bilan_id: _envoyer(i))
    return a_relancer


def _abandonner(bilans: QuerySet[Bilan], raison: str) -> None:
    """Passe ces bilans en échec avec une raison connue, et le note au journal."""
    if echoues := bilans.update(statut=StatutBilan.ECHEC, erreur=raison):
        journal.warning("%s bilan(s) passé(s) en échec : %s", echoues, raison)


def planifier_bilans(*, aujourd_hui: datetime.date) -> list[Bilan]:
    """Après la fermeture d'un trimestre : son bilan pour chaque quartier qui suit des
    indicateurs et pour tout le PIC; après le quatrième trimestre, les bilans annuels aussi.
    Chaque bilan planifié n'est créé qu'une fois (contrainte d'unicité)."""
    periode = (
        Periode.objects.filter(statut=StatutPeriode.FERMEE, fin__lt=aujourd_hui)
        .order_by("-debut")
        .first()
    )
    if periode is None:
        return []
    quartiers = Quartier.objects.filter(
        pk__in=IndicateurSuivi.objects.filter(actif=True).values("quartier_id")
    )
    voulus = [(Portee.QUARTIER, q, periode.trimestre) for q in quartiers]
    voulus.append((Portee.PIC, None, periode.trimestre))
    if periode.trimestre == 4:
        voulus += [(portee, q, None) for portee, q, _t in voulus]
    crees = []
    with transaction.atomic():
        for portee, quartier, trimestre in voulus:
            bilan, cree = Bilan.objects.get_or_create(
                portee=portee,
                quartier=quartier,
                annee=periode.annee,
                trimestre=trimestre,
                langue=settings.LANGUAGE_CODE,
                planifie=True,
            )
            if cree:
                crees.append(bilan)
                _confier(bilan)
    return crees
