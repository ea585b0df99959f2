"""Les bilans : une photographie figée des données d'un quartier (ou de tout le PIC) pour un
trimestre ou une année, et les fichiers qui en sont tirés (HTML, PDF, XLSX, CSV).

La ligne `Bilan` est aussi le dossier de la tâche qui le produit : son statut, son erreur, ses
tentatives; l'interface interroge la ligne."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop, pgettext_lazy

from quartiers.models import Langue, Quartier


class Portee(models.TextChoices):
    QUARTIER = "quartier", _("un quartier")
    PIC = "pic", _("tout le PIC")


class StatutBilan(models.TextChoices):
    EN_ATTENTE = "en_attente", _("en attente")
    # Son propre contexte : « en cours » d'une participation au registre se traduit « ongoing ».
    EN_COURS = "en_cours", pgettext_lazy("statut du bilan", "en cours")
    PRET = "pret", _("prêt")
    ECHEC = "echec", _("échec")


# Les raisons connues d'un échec : la ligne (champ `erreur`) garde leur texte français non
# traduit, lu tel quel par l'administration et les journaux, et reconnu à la lecture pour être
# traduit dans la langue de qui le lit (la tâche qui l'écrit n'a pas sa langue).
ERREUR_INTERROMPUE = gettext_noop("La production a été interrompue trop de fois (worker arrêté ?).")
ERREUR_TENTATIVES_EPUISEES = gettext_noop("La production a échoué trop de fois.")


class RaisonEchec(models.TextChoices):
    """Pourquoi un bilan a échoué, pour qui le lit : un code stable (l'API le donne) et le
    message. Toute erreur qui n'est pas une raison connue (exception, texte technique gardé par
    la ligne pour l'administration) se lit « erreur inattendue »."""

    INTERROMPUE = "production_interrompue", _(ERREUR_INTERROMPUE)
    TENTATIVES_EPUISEES = "tentatives_epuisees", _(ERREUR_TENTATIVES_EPUISEES)
    INATTENDUE = (
        "erreur_inattendue",
        _(
            "La production a échoué : erreur inattendue. Demandez-en une nouvelle; si l'échec se "
            "répète, prévenez l'administration."
        ),
    )


RAISONS_CONNUES = {
    ERREUR_INTERROMPUE: RaisonEchec.INTERROMPUE,
    ERREUR_TENTATIVES_EPUISEES: RaisonEchec.TENTATIVES_EPUISEES,
}


def chemin_du_fichier(bilan: Bilan, nom: str) -> str:
    return f"bilans/{bilan.annee}/{bilan.pk}/{nom}"


class BilanQuerySet(models.QuerySet):
    def prets(self) -> BilanQuerySet:
        return self.filter(statut=StatutBilan.PRET)


class Bilan(models.Model):
    portee = models.CharField(_("portée"), max_length=10, choices=Portee.choices)
    quartier = models.ForeignKey(
        Quartier,
        on_delete=models.PROTECT,
        related_name="bilans",
        null=True,
        blank=True,
        verbose_name=_("quartier"),
    )
    annee = models.PositiveSmallIntegerField(_("année"))
    trimestre = models.PositiveSmallIntegerField(
        _("trimestre"), null=True, blank=True, help_text=_("Vide pour un bilan annuel.")
    )
    langue = models.CharField(_("langue"), max_length=5, choices=Langue.choices, default="fr")
    statut = models.CharField(
        _("statut"), max_length=12, choices=StatutBilan.choices, default=StatutBilan.EN_ATTENTE
    )
    erreur = models.TextField(_("erreur"), blank=True)
    tentatives = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    planifie = models.BooleanField(_("planifié par le calendrier"), default=False)
    demande_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="bilans_demandes",
        null=True,
        blank=True,
        verbose_name=_("demandé par"),
    )
    created_at = models.DateTimeField(_("demandé le"), auto_now_add=True)
    mis_en_file_le = models.DateTimeField(_("mis en file le"), null=True, blank=True)
    debut_generation = models.DateTimeField(_("génération commencée le"), null=True, blank=True)
    fin_generation = models.DateTimeField(_("génération terminée le"), null=True, blank=True)
    instantane = models.JSONField(_("instantané figé"), null=True, blank=True, editable=False)
    somme_controle = models.CharField(_("somme de contrôle"), max_length=64, blank=True)
    version_generateur = models.CharField(_("version du générateur"), max_length=40, blank=True)
    fichier_html = models.FileField(_("HTML"), upload_to=chemin_du_fichier, blank=True)
    fichier_pdf = models.FileField(_("PDF"), upload_to=chemin_du_fichier, blank=True)
    fichier_xlsx = models.FileField(_("XLSX"), upload_to=chemin_du_fichier, blank=True)
    fichier_csv = models.FileField(_("CSV"), upload_to=chemin_du_fichier, blank=True)
    # Pour chaque fichier attaché ("html", "pdf", "xlsx", "csv") : {"sha256": …, "taille": …},
    # calculés à l'écriture; `manage.py verifier_integrite` les compare aux fichiers stockés.
    empreintes = models.JSONField(_("empreintes des fichiers"), default=dict, blank=True)

    objects = BilanQuerySet.as_manager()

    class Meta:
        verbose_name = _("bilan")
        verbose_name_plural = _("bilans")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(portee="quartier") & Q(quartier__isnull=False))
                | (Q(portee="pic") & Q(quartier__isnull=True)),
                name="bilan_portee_coherente",
                violation_error_message=_(
                    "Un bilan d'un quartier nomme son quartier; un bilan du PIC n'en nomme aucun."
                ),
            ),
            models.CheckConstraint(
                condition=Q(trimestre__isnull=True) | (Q(trimestre__gte=1) & Q(trimestre__lte=4)),
                name="bilan_trimestre_1_4",
                violation_error_message=_("Le trimestre va de 1 à 4."),
            ),
            # Le calendrier ne crée chaque bilan qu'une fois (un bilan demandé à la main peut
            # être redemandé : c'est une nouvelle photographie).
            models.UniqueConstraint(
                "portee",
                Coalesce("quartier", 0),
                "annee",
                Coalesce("trimestre", 0),
                "langue",
                condition=Q(planifie=True),
                name="bilan_planifie_unique",
                violation_error_message=_("Ce bilan planifié existe déjà."),
            ),
        ]
        indexes = [models.Index(fields=["statut", "debut_generation"], name="bilan_statut_idx")]

    def __str__(self) -> str:
        # Un titre (liste des bilans, administration, courriel) : « Saint-Michel — Année 2025 ».
        return f"{self.titre_portee} — {self.titre_periode}"

    @property
    def titre_portee(self) -> str:
        return self.quartier.nom if self.quartier_id else str(_("Projet impact collectif"))

    @property
    def code_periode(self) -> str:
        return f"{self.annee}-T{self.trimestre}" if self.trimestre else str(self.annee)

    @property
    def libelle_periode(self) -> str:
        """La période, pour se lire au milieu d'une phrase : « T2 2025 », « année 2025 » (« Q2
        2025 », « year 2025 »). En tête d'une phrase, d'une cellule ou d'une partie de titre :
        `titre_periode`."""
        if self.trimestre:
            return str(
                _("T%(trimestre)s %(annee)s") % {"trimestre": self.trimestre, "annee": self.annee}
            )
        return str(_("année %(annee)s") % {"annee": self.annee})

    @property
    def titre_periode(self) -> str:
        """La période en tête d'une phrase, d'une cellule ou d'une partie de titre : « Année
        2025 » (« Year 2025 »); un trimestre ne change pas (« T2 2025 »)."""
        return capfirst(self.libelle_periode)

    @property
    def est_pret(self) -> bool:
        return self.statut == StatutBilan.PRET

    @property
    def raison_echec(self) -> RaisonEchec | None:
        """Pourquoi ce bilan a échoué, pour qui le lit (None s'il n'a pas échoué) : la raison
        connue que la ligne garde, sinon « erreur inattendue » (le texte technique de
        l'exception reste dans `erreur`, pour l'administration)."""
        if self.statut != StatutBilan.ECHEC:
            return None
        return RAISONS_CONNUES.get(self.erreur.strip(), RaisonEchec.INATTENDUE)

    @property
    def motif_echec(self) -> str:
        """Ce que lisent les pages et l'API d'un bilan en échec, dans la langue active; vide
        s'il n'a pas échoué."""
        raison = self.raison_echec
        return "" if raison is None else str(raison.label)


class RaisonAbandon(models.TextChoices):
    """Pourquoi un avis « bilan prêt » n'est jamais parti (`AvisBilanPret.abandonne_le`)."""

    DELAI = "delai", _("jamais parti en deux jours d'essais")
    COMPTE_DESACTIVE = "compte_desactive", _("compte désactivé")
    PLUS_D_ACCES = "plus_d_acces", _("ne peut plus lire le bilan")


class AvisBilanPret(models.Model):
    """L'avis « bilan prêt » à une personne, réservé (`created_at`) puis envoyé (`envoye_le`) :
    il part une seule fois par bilan et par personne. Un envoi raté ou un worker arrêté laisse
    la réservation sans envoi; le rattrapage (`rapports.avis_bilans.reprendre_avis_bilans`) la
    reprend passé `EVALPIC_RAPPEL_DELAI_REPRISE`, et y renonce deux jours après le premier
    essai (`premier_essai_le`). `created_at` est la marque de l'exécution qui tient l'avis
    (`evalpic.reservations`).

    Un avis auquel on renonce (deux jours sans partir, ou une personne qui ne peut plus lire
    le bilan au moment de l'envoi) reste, avec `abandonne_le` et `raison_abandon` : il ne sera
    ni repris ni réservé de nouveau, et l'administration le voit."""

    bilan = models.ForeignKey(
        Bilan, on_delete=models.CASCADE, related_name="avis", verbose_name=_("bilan")
    )
    destinataire = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="avis_bilans",
        verbose_name=_("destinataire"),
    )
    created_at = models.DateTimeField(_("réservé le"), auto_now_add=True)
    premier_essai_le = models.DateTimeField(_("premier essai le"), default=timezone.now)
    envoye_le = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    abandonne_le = models.DateTimeField(_("abandonné le"), null=True, blank=True)
    raison_abandon = models.CharField(
        _("raison de l'abandon"), max_length=20, choices=RaisonAbandon.choices, blank=True
    )

    class Meta:
        verbose_name = _("avis « bilan prêt »")
        # « avis » est invariable en français, pas en anglais : le pluriel a son propre texte.
        verbose_name_plural = pgettext_lazy("pluriel", "avis « bilan prêt »")
        constraints = [
            models.UniqueConstraint(fields=["bilan", "destinataire"], name="avis_bilan_unique")
        ]
        # Le rattrapage cherche, toutes les 15 minutes, les avis jamais envoyés ni abandonnés.
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=Q(envoye_le__isnull=True, abandonne_le__isnull=True),
                name="avis_bilan_en_attente_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.bilan} — {self.destinataire}"
