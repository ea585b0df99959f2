"""Les périodes trimestrielles, les saisies des tables, leurs valeurs et les apprentissages."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from evalpic.dates import date_longue
from indicateurs.models.catalogue import Indicateur, _en_anglais
from indicateurs.models.strategie import ChangementVise
from quartiers.models import Quartier, TableDeQuartier


class StatutPeriode(models.TextChoices):
    A_VENIR = "a_venir", _("à venir")
    OUVERTE = "ouverte", _("ouverte")
    FERMEE = "fermee", _("fermée")


# Le code d'une période (`Periode.code`) : « 2025-T2 »; « t » minuscule admis, chiffres ASCII.
_CODE_PERIODE = re.compile(r"([0-9]{4})-[Tt]([1-4])")


def annee_et_trimestre(code: str) -> tuple[int, int] | None:
    """« 2025-T2 » → (2025, 2); None pour toute autre forme. Le seul décodage des codes de
    période venus d'une adresse, d'un formulaire ou de l'API."""
    correspondance = _CODE_PERIODE.fullmatch(str(code))
    if correspondance is None:
        return None
    return int(correspondance[1]), int(correspondance[2])


def periodes_entre(chemin: str, debut=None, fin=None) -> Q:
    """Les périodes de `debut` à `fin` (couples (année, trimestre), bornes incluses, l'une ou
    l'autre absente), sur le chemin `chemin` vers la période (« saisie__periode »)."""
    condition = Q()
    if debut:
        annee, trimestre = debut
        condition &= Q(**{f"{chemin}__annee__gt": annee}) | Q(
            **{f"{chemin}__annee": annee, f"{chemin}__trimestre__gte": trimestre}
        )
    if fin:
        annee, trimestre = fin
        condition &= Q(**{f"{chemin}__annee__lt": annee}) | Q(
            **{f"{chemin}__annee": annee, f"{chemin}__trimestre__lte": trimestre}
        )
    return condition


def statut_selon_calendrier(
    *, fin: datetime.date, echeance: datetime.date, aujourd_hui: datetime.date
) -> str:
    """À venir jusqu'à l'ouverture (fin − N jours), ouverte jusqu'à échéance + M jours inclus,
    fermée ensuite (réglages `EVALPIC_OUVERTURE_JOURS_AVANT_FIN` et
    `EVALPIC_FERMETURE_JOURS_APRES_ECHEANCE`)."""
    ouverture = fin - datetime.timedelta(days=settings.EVALPIC_OUVERTURE_JOURS_AVANT_FIN)
    fermeture = echeance + datetime.timedelta(days=settings.EVALPIC_FERMETURE_JOURS_APRES_ECHEANCE)
    if aujourd_hui < ouverture:
        return StatutPeriode.A_VENIR
    if aujourd_hui <= fermeture:
        return StatutPeriode.OUVERTE
    return StatutPeriode.FERMEE


class PeriodeQuerySet(models.QuerySet):
    def par_code(self, code: str) -> Periode | None:
        """La période du code « 2025-T2 », ou None (code mal formé ou période absente)."""
        annee_trimestre = annee_et_trimestre(code)
        if annee_trimestre is None:
            return None
        annee, trimestre = annee_trimestre
        return self.filter(annee=annee, trimestre=trimestre).first()

    def commencees(self) -> PeriodeQuerySet:
        """Les périodes ouvertes ou fermées (jamais « à venir ») selon le statut enregistré, la
        plus récente d'abord : celles qu'on propose pour un bilan ou une dernière valeur. Ce qui
        mène à écrire (import, apprentissage, boîte de saisie) lit `commencees_ce_jour`."""
        return self.exclude(statut=StatutPeriode.A_VENIR).order_by("-debut")

    def commencees_ce_jour(self, aujourd_hui: datetime.date | None = None) -> list[Periode]:
        """Les périodes ouvertes ou fermées le jour `aujourd_hui` (par défaut le jour local)
        selon `Periode.statut_du_jour`, la plus récente d'abord : celles où l'on écrit ou
        importe, dès minuit, sans attendre la tâche qui aligne le statut enregistré. Une
        requête; la règle n'étant écrite qu'en Python, le tri se fait après la lecture (quatre
        périodes par an)."""
        aujourd_hui = aujourd_hui or timezone.localdate()
        return [
            periode
            for periode in self.order_by("-debut")
            if periode.statut_du_jour(aujourd_hui) != StatutPeriode.A_VENIR
        ]


class Periode(models.Model):
    """Un trimestre civil de collecte, avec son échéance de saisie."""

    annee = models.PositiveSmallIntegerField(_("année"))
    trimestre = models.PositiveSmallIntegerField(_("trimestre"))
    debut = models.DateField(_("début"))
    fin = models.DateField(_("fin"))
    echeance = models.DateField(_("échéance de saisie"))
    statut = models.CharField(
        _("statut"), max_length=10, choices=StatutPeriode.choices, default=StatutPeriode.A_VENIR
    )
    # Le jour (heure locale) où la tâche du calendrier a aligné `statut` sur les dates; vide
    # pour un statut posé à la main (script, données de démonstration). Voir `statut_du_jour`.
    statut_aligne_le = models.DateField(
        _("statut aligné sur le calendrier le"), null=True, blank=True, editable=False
    )

    objects = PeriodeQuerySet.as_manager()

    class Meta:
        verbose_name = _("période")
        verbose_name_plural = _("périodes")
        ordering = ["annee", "trimestre"]
        constraints = [
            models.UniqueConstraint(fields=["annee", "trimestre"], name="periode_unique"),
            models.CheckConstraint(
                condition=Q(trimestre__gte=1) & Q(trimestre__lte=4),
                name="periode_trimestre_1_4",
                violation_error_message=_("Le trimestre va de 1 à 4."),
            ),
            models.CheckConstraint(
                condition=Q(fin__gt=models.F("debut")),
                name="periode_ordonnee",
                violation_error_message=_("La fin de la période doit suivre son début."),
            ),
            models.CheckConstraint(
                condition=Q(echeance__gte=models.F("fin")),
                name="periode_echeance_apres_fin",
                violation_error_message=_("L'échéance ne peut pas précéder la fin de la période."),
            ),
        ]

    def __str__(self) -> str:
        return self.libelle

    def clean(self) -> None:
        """Le début et la fin sont le premier et le dernier jour du trimestre civil
        (`bornes_du_trimestre`) : « T1 2031 » ne couvre pas juillet à septembre, et deux
        périodes ne couvrent jamais les mêmes jours. L'échéance, elle, se repousse."""
        super().clean()
        if self.annee is None or self.trimestre not in (1, 2, 3, 4):
            return  # le champ ou la contrainte du trimestre le dit
        if not datetime.MINYEAR <= self.annee <= datetime.MAXYEAR:
            raise ValidationError({"annee": _("L'année va de 1 à 9999.")})
        from indicateurs.periodes import bornes_du_trimestre  # le calendrier lit ce module

        debut, fin = bornes_du_trimestre(self.annee, self.trimestre)
        erreurs = {}
        if self.debut is not None and self.debut != debut:
            erreurs["debut"] = _("Le %(periode)s commence le %(date)s.") % {
                "periode": self.libelle,
                "date": date_longue(debut),
            }
        if self.fin is not None and self.fin != fin:
            erreurs["fin"] = _("Le %(periode)s finit le %(date)s.") % {
                "periode": self.libelle,
                "date": date_longue(fin),
            }
        if erreurs:
            raise ValidationError(erreurs)

    @property
    def code(self) -> str:
        """L'identifiant de la période dans les adresses et les fichiers : « 2025-T2 »."""
        return f"{self.annee}-T{self.trimestre}"

    @property
    def libelle(self) -> str:
        return str(
            _("T%(trimestre)s %(annee)s") % {"trimestre": self.trimestre, "annee": self.annee}
        )

    def statut_du_jour(self, aujourd_hui: datetime.date | None = None) -> str:
        """Le statut qui décide de ce qui s'écrit et se soumet le jour `aujourd_hui` (par défaut
        le jour local) : la règle de l'ouverture, écrite une fois. La tâche du calendrier aligne
        `statut` peu après minuit; d'ici là, le calendrier répond lui-même, si bien qu'une
        période s'ouvre et se ferme à minuit, heure de Montréal, même si la tâche passe en
        retard ou pas du tout. Le statut en base fait foi le jour de son alignement, quand
        aucune tâche ne l'a aligné (posé à la main), et quand il a été changé dans l'admin
        depuis son alignement (il ne vaut plus ce que le calendrier donnait ce jour-là) : jusqu'à
        l'alignement suivant, qui le remet sur le calendrier."""
        aujourd_hui = aujourd_hui or timezone.localdate()
        aligne_le = self.statut_aligne_le
        if aligne_le is None or aligne_le >= aujourd_hui:
            return self.statut
        if self.statut != self.statut_au_calendrier(aligne_le):
            return self.statut
        return self.statut_au_calendrier(aujourd_hui)

    def statut_au_calendrier(self, jour: datetime.date) -> str:
        return statut_selon_calendrier(fin=self.fin, echeance=self.echeance, aujourd_hui=jour)


class StatutSaisie(models.TextChoices):
    BROUILLON = "brouillon", _("brouillon")
    SOUMISE = "soumise", _("soumise")
    RENVOYEE = "renvoyee", _("renvoyée")
    VALIDEE = "validee", _("validée")


# Les saisies publiées, soumises ou validées : ce que voient les tableaux de bord, les bilans,
# la page d'un quartier et les complétudes. Ni un brouillon, ni une saisie renvoyée à la table :
# redevenue modifiable, elle ne reparaît qu'une fois soumise de nouveau.
STATUTS_PUBLIES = (StatutSaisie.SOUMISE, StatutSaisie.VALIDEE)


class Saisie(models.Model):
    """Les données d'une table pour un trimestre; `version` protège des écrasements silencieux."""

    table = models.ForeignKey(
        TableDeQuartier, on_delete=models.CASCADE, related_name="saisies", verbose_name=_("table")
    )
    periode = models.ForeignKey(
        Periode, on_delete=models.PROTECT, related_name="saisies", verbose_name=_("période")
    )
    statut = models.CharField(
        _("statut"), max_length=10, choices=StatutSaisie.choices, default=StatutSaisie.BROUILLON
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    motif_renvoi = models.TextField(_("motif du renvoi"), blank=True)
    soumise_le = models.DateTimeField(_("soumise le"), null=True, blank=True)
    soumise_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="saisies_soumises",
        null=True,
        blank=True,
        verbose_name=_("soumise par"),
    )
    validee_le = models.DateTimeField(_("validée le"), null=True, blank=True)
    validee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="saisies_validees",
        null=True,
        blank=True,
        verbose_name=_("validée par"),
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("saisie")
        verbose_name_plural = _("saisies")
        ordering = ["periode__debut", "table__quartier__nom"]
        constraints = [
            models.UniqueConstraint(fields=["table", "periode"], name="saisie_unique"),
            models.CheckConstraint(
                condition=~Q(statut="renvoyee") | ~Q(motif_renvoi=""),
                name="saisie_renvoi_motive",
                violation_error_message=_("Une saisie renvoyée doit avoir un motif."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.table.quartier} — {self.periode}"


def valeur_renseignee(chemin: str = "") -> Q:
    """Une valeur compte comme renseignée si elle a un nombre, un texte, ou une absence
    expliquée (`Valeur.est_renseignee`, en SQL). `chemin` mène à la valeur depuis le modèle
    interrogé (« valeurs__ » depuis une saisie)."""
    return (
        Q(**{f"{chemin}non_disponible": True})
        | Q(**{f"{chemin}valeur_numerique__isnull": False})
        | ~Q(**{f"{chemin}valeur_texte": ""})
    )


class ValeurQuerySet(models.QuerySet):
    def publiees(self) -> ValeurQuerySet:
        """Les valeurs des saisies soumises ou validées (`STATUTS_PUBLIES`) : jamais un
        brouillon ni une saisie renvoyée en cours de correction."""
        return self.filter(saisie__statut__in=STATUTS_PUBLIES)

    def renseignees(self) -> ValeurQuerySet:
        return self.filter(valeur_renseignee())

    def series_precedentes(
        self, table: TableDeQuartier, periode: Periode, indicateur_ids: Iterable[int]
    ) -> dict[int, SeriePrecedente]:
        """Les valeurs numériques de la table aux périodes antérieures à `periode`, par
        indicateur, en ordre chronologique (une requête, l'agrégation de l'indicateur jointe) :
        la série à laquelle une nouvelle valeur se compare (`signaler_aberration`), avec celles
        du même trimestre que `periode` les années précédentes (`SeriePrecedente`)."""
        series: dict[int, SeriePrecedente] = {}
        lignes = (
            self.filter(
                saisie__table=table,
                saisie__periode__debut__lt=periode.debut,
                indicateur_id__in=list(indicateur_ids),
                valeur_numerique__isnull=False,
            )
            .order_by("saisie__periode__debut")
            .values_list(
                "indicateur_id",
                "indicateur__agregation",
                "saisie__periode__annee",
                "saisie__periode__trimestre",
                "valeur_numerique",
            )
        )
        for indicateur_id, agregation, annee, trimestre, valeur in lignes:
            serie = series.get(indicateur_id)
            if serie is None:
                serie = series[indicateur_id] = SeriePrecedente(agregation=agregation)
            serie.append(valeur)
            if trimestre == periode.trimestre:
                serie.meme_trimestre.append((annee, valeur))
        return series


class SeriePrecedente(list[Decimal]):
    """Les valeurs numériques d'un indicateur aux périodes antérieures à celle qu'on juge (une
    liste, en ordre chronologique : `ValeurQuerySet.series_precedentes`), avec ce qu'il faut
    pour juger un flux selon la saison (`indicateurs.validation.signaler_aberration`) :
    l'agrégation de l'indicateur, et les valeurs du même trimestre les années précédentes
    (`meme_trimestre` : couples (année, valeur), en ordre chronologique)."""

    def __init__(self, valeurs: Iterable[Decimal] = (), *, agregation: str = "") -> None:
        super().__init__(valeurs)
        self.agregation = agregation
        self.meme_trimestre: list[tuple[int, Decimal]] = []


class Valeur(models.Model):
    """La valeur d'un indicateur dans une saisie, ou « non disponible » avec sa raison."""

    saisie = models.ForeignKey(
        Saisie, on_delete=models.CASCADE, related_name="valeurs", verbose_name=_("saisie")
    )
    indicateur = models.ForeignKey(
        Indicateur, on_delete=models.PROTECT, related_name="valeurs", verbose_name=_("indicateur")
    )
    valeur_numerique = models.DecimalField(
        _("valeur"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    valeur_texte = models.TextField(_("valeur (texte)"), blank=True)
    non_disponible = models.BooleanField(_("non disponible"), default=False)
    raison_non_disponible = models.CharField(_("raison de l'absence"), max_length=500, blank=True)
    commentaire = models.TextField(_("commentaire"), blank=True)
    preuve_url = models.URLField(_("lien vers une pièce justificative"), blank=True)
    # Ce que le formulaire demandait quand la saisie a été soumise (`services.soumettre_saisie`) :
    # vrai pour un indicateur que la table saisissait alors, faux pour une valeur restée d'un
    # indicateur qu'elle ne saisissait plus. La complétude d'un trimestre transmis se compte sur
    # ce qui était demandé (`rapports.lectures.parts_renseignees`), pas sur les suivis
    # d'aujourd'hui. Vide : saisie pas encore soumise, ou soumise avant que la soumission le note.
    demandee = models.BooleanField(
        _("demandée à la soumission"), null=True, blank=True, editable=False
    )
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    objects = ValeurQuerySet.as_manager()

    class Meta:
        verbose_name = _("valeur")
        verbose_name_plural = _("valeurs")
        ordering = ["saisie", "indicateur__code"]
        constraints = [
            models.UniqueConstraint(fields=["saisie", "indicateur"], name="valeur_unique"),
            models.CheckConstraint(
                condition=Q(non_disponible=False)
                | (
                    Q(valeur_numerique__isnull=True)
                    & Q(valeur_texte="")
                    & ~Q(raison_non_disponible="")
                ),
                name="valeur_non_disponible_expliquee",
                violation_error_message=_(
                    "Une valeur « non disponible » n'a ni nombre ni texte, mais une raison."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.saisie} — {self.indicateur.code}"

    @property
    def est_renseignee(self) -> bool:
        return self.non_disponible or self.valeur_numerique is not None or bool(self.valeur_texte)


# --- Apprentissages -----------------------------------------------------------------------------


class CategorieApprentissage(models.TextChoices):
    """Les quatre rubriques du bilan d'ÉvalPIC."""

    PROCESSUS_RESULTATS = "processus_resultats", _("processus et résultats")
    DEFIS = "defis", _("défis")
    CHANGEMENTS_PRATIQUES = "changements_pratiques", _("changements de pratiques")
    AU_DELA = "au_dela", _("au-delà des changements")


class ApprentissageQuerySet(models.QuerySet):
    def publies(self) -> ApprentissageQuerySet:
        """Les apprentissages que lisent les bilans et les tableaux de bord (et l'API avec
        `?publie=true`) : ajoutés hors saisie (page d'ajout, API), publiés aussitôt, ou écrits
        dans une saisie publiée (`STATUTS_PUBLIES`, comme `ValeurQuerySet.publiees`). Une
        jointure dans la même requête."""
        return self.filter(apprentissage_publie())


def apprentissage_publie() -> Q:
    """La règle de publication d'un apprentissage, en SQL : sans saisie, ou d'une saisie soumise
    ou validée (le filtre `publie` de l'API s'en sert aussi pour l'exclure)."""
    return Q(saisie__isnull=True) | Q(saisie__statut__in=STATUTS_PUBLIES)


class Apprentissage(models.Model):
    """Ce qu'un quartier a appris pendant une période, rattaché au besoin à un indicateur ou à un
    changement visé. Écrit dans le formulaire de saisie, il suit sa `saisie` : absent des bilans
    et des tableaux de bord tant qu'elle n'est pas soumise (`ApprentissageQuerySet.publies`);
    la page de saisie et l'API, comme pour les valeurs, le montrent avec sa saisie."""

    quartier = models.ForeignKey(
        Quartier,
        on_delete=models.CASCADE,
        related_name="apprentissages",
        verbose_name=_("quartier"),
    )
    periode = models.ForeignKey(
        Periode, on_delete=models.PROTECT, related_name="apprentissages", verbose_name=_("période")
    )
    categorie = models.CharField(
        _("catégorie"), max_length=25, choices=CategorieApprentissage.choices
    )
    indicateur = models.ForeignKey(
        Indicateur,
        on_delete=models.SET_NULL,
        related_name="apprentissages",
        null=True,
        blank=True,
        verbose_name=_("indicateur"),
    )
    changement = models.ForeignKey(
        ChangementVise,
        on_delete=models.SET_NULL,
        related_name="apprentissages",
        null=True,
        blank=True,
        verbose_name=_("changement visé"),
    )
    texte_fr = models.TextField(_("texte (français)"), blank=True)
    texte_en = models.TextField(_("texte (anglais)"), blank=True)
    # La saisie où l'apprentissage a été écrit (formulaire de saisie); vide s'il a été ajouté
    # hors saisie (page d'ajout, API, avant ce champ), et alors publié aussitôt.
    saisie = models.ForeignKey(
        Saisie,
        on_delete=models.CASCADE,
        related_name="apprentissages",
        null=True,
        blank=True,
        verbose_name=_("saisie"),
    )
    auteur = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="apprentissages",
        null=True,
        blank=True,
        verbose_name=_("auteur·e"),
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    objects = models.Manager.from_queryset(ApprentissageQuerySet)()

    class Meta:
        verbose_name = _("apprentissage")
        verbose_name_plural = _("apprentissages")
        ordering = ["periode__debut", "categorie", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(texte_fr="") | ~Q(texte_en=""),
                name="apprentissage_a_un_texte",
                violation_error_message=_(
                    "Écrivez l'apprentissage en français, en anglais ou dans les deux langues."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.quartier} — {self.periode} — {self.get_categorie_display()}"

    @property
    def est_publie(self) -> bool:
        """`apprentissage_publie()` pour un apprentissage déjà lu (sa saisie lue avec lui) :
        sans saisie, ou d'une saisie soumise ou validée."""
        return self.saisie_id is None or self.saisie.statut in STATUTS_PUBLIES

    @property
    def texte(self) -> str:
        """Le texte dans la langue active, sinon dans l'autre."""
        if _en_anglais():
            return self.texte_en or self.texte_fr
        return self.texte_fr or self.texte_en


# --- Historique et rappels ----------------------------------------------------------------------


class TypeEvenement(models.TextChoices):
    VALEUR = "valeur", _("valeur modifiée")
    CREATION = "creation", _("saisie créée")
    SOUMISSION = "soumission", _("soumise")
    VALIDATION = "validation", _("validée")
    RENVOI = "renvoi", _("renvoyée")
    REOUVERTURE = "reouverture", _("rouverte")


class EvenementSaisie(models.Model):
    """Une ligne de l'historique d'une saisie : un changement de valeur (ancienne, nouvelle) ou
    une étape du circuit de validation, avec son auteur·e, sa date et son motif. Jamais modifiée
    ni supprimée."""

    saisie = models.ForeignKey(
        Saisie, on_delete=models.CASCADE, related_name="evenements", verbose_name=_("saisie")
    )
    type_evenement = models.CharField(_("type"), max_length=12, choices=TypeEvenement.choices)
    indicateur = models.ForeignKey(
        Indicateur,
        on_delete=models.PROTECT,
        related_name="evenements",
        null=True,
        blank=True,
        verbose_name=_("indicateur"),
    )
    ancienne = models.TextField(_("avant"), blank=True)
    nouvelle = models.TextField(_("après"), blank=True)
    motif = models.TextField(_("motif"), blank=True)
    auteur = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="evenements_saisie",
        null=True,
        blank=True,
        verbose_name=_("auteur·e"),
    )
    version = models.PositiveIntegerField(_("version de la saisie"))
    created_at = models.DateTimeField(_("date"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("événement de saisie")
        verbose_name_plural = _("historique des saisies")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(type_evenement="valeur") | Q(indicateur__isnull=False),
                name="evenement_valeur_a_un_indicateur",
                violation_error_message=_("Un événement de valeur nomme son indicateur."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.saisie} — {self.get_type_evenement_display()}"


class TypeRappel(models.TextChoices):
    AVANT = "avant", _("avant l'échéance")
    RETARD = "retard", _("en retard")


class RappelEnvoye(models.Model):
    """Un rappel réservé (`created_at`), puis envoyé (`envoye_le`) : chaque rappel part une
    seule fois par personne. Une réservation jamais envoyée (worker arrêté entre les deux) est
    reprise passé `EVALPIC_RAPPEL_DELAI_REPRISE` (`indicateurs.periodes`)."""

    periode = models.ForeignKey(
        Periode, on_delete=models.CASCADE, related_name="rappels", verbose_name=_("période")
    )
    table = models.ForeignKey(
        TableDeQuartier, on_delete=models.CASCADE, related_name="rappels", verbose_name=_("table")
    )
    destinataire = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="rappels",
        verbose_name=_("destinataire"),
    )
    type_rappel = models.CharField(_("type"), max_length=10, choices=TypeRappel.choices)
    created_at = models.DateTimeField(_("réservé le"), auto_now_add=True)
    envoye_le = models.DateTimeField(_("envoyé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("rappel envoyé")
        verbose_name_plural = _("rappels envoyés")
        constraints = [
            models.UniqueConstraint(
                fields=["periode", "table", "destinataire", "type_rappel"], name="rappel_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.periode} — {self.table} — {self.get_type_rappel_display()}"
