"""Ce que chaque quartier veut changer et comment il le mesure : stratégie de changement
versionnée (théorie du changement en graphe), actions, catalogue d'indicateurs, suivi par
quartier, périodes trimestrielles, saisies, valeurs et apprentissages."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from quartiers.models import NomBilingue, Partenaire, Quartier, TableDeQuartier


def _en_anglais() -> bool:
    return (get_language() or "fr").startswith("en")


class Theme(NomBilingue):
    """Les cinq thèmes du PIC (alimentation, habitation, inclusion…)."""

    class Meta(NomBilingue.Meta):
        verbose_name = _("thème")
        verbose_name_plural = _("thèmes")


class Famille(models.TextChoices):
    """Les quatre familles d'indicateurs demandées aux quartiers du PIC."""

    PERSONNES = "personnes", _("personnes")
    PROCESSUS = "processus", _("processus")
    CONDITIONS_DE_VIE = "conditions_de_vie", _("conditions de vie")
    SYSTEME = "systeme", _("système")


# --- Stratégie de changement --------------------------------------------------------------------


class StatutStrategie(models.TextChoices):
    BROUILLON = "brouillon", _("brouillon")
    EN_VIGUEUR = "en_vigueur", _("en vigueur")
    ARCHIVEE = "archivee", _("archivée")


class StrategieQuerySet(models.QuerySet):
    def en_vigueur(self) -> StrategieQuerySet:
        return self.filter(statut=StatutStrategie.EN_VIGUEUR)


class StrategieDeChangement(models.Model):
    """Une version de la stratégie de changement d'un quartier. Une nouvelle version est une
    nouvelle ligne : un bilan peut toujours dire laquelle il a utilisée."""

    quartier = models.ForeignKey(
        Quartier, on_delete=models.CASCADE, related_name="strategies", verbose_name=_("quartier")
    )
    version = models.PositiveSmallIntegerField(_("version"))
    titre = models.CharField(_("titre"), max_length=200)
    vision = models.TextField(_("vision"), blank=True)
    statut = models.CharField(
        _("statut"),
        max_length=12,
        choices=StatutStrategie.choices,
        default=StatutStrategie.BROUILLON,
    )
    adoptee_le = models.DateField(_("adoptée le"), null=True, blank=True)
    donnees_fictives = models.BooleanField(_("données fictives"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = StrategieQuerySet.as_manager()

    class Meta:
        verbose_name = _("stratégie de changement")
        verbose_name_plural = _("stratégies de changement")
        ordering = ["quartier__nom", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["quartier", "version"], name="strategie_version_unique"
            ),
            models.UniqueConstraint(
                fields=["quartier"],
                condition=Q(statut="en_vigueur"),
                name="strategie_une_seule_en_vigueur",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="strategie_version_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.quartier} — v{self.version} — {self.titre}"


class Horizon(models.TextChoices):
    COURT = "court", _("court terme")
    MOYEN = "moyen", _("moyen terme")
    LONG = "long", _("long terme")


class ChangementVise(models.Model):
    """Un nœud de la théorie du changement : un changement concret auquel le quartier s'engage."""

    strategie = models.ForeignKey(
        StrategieDeChangement,
        on_delete=models.CASCADE,
        related_name="changements",
        verbose_name=_("stratégie"),
    )
    code = models.CharField(_("code"), max_length=20)
    libelle = models.CharField(_("libellé"), max_length=250)
    description = models.TextField(_("description"), blank=True)
    horizon = models.CharField(_("horizon"), max_length=10, choices=Horizon.choices)
    famille = models.CharField(_("famille"), max_length=20, choices=Famille.choices)
    theme = models.ForeignKey(
        Theme,
        on_delete=models.PROTECT,
        related_name="changements",
        null=True,
        blank=True,
        verbose_name=_("thème"),
    )
    indicateurs = models.ManyToManyField(
        "Indicateur",
        related_name="changements",
        blank=True,
        verbose_name=_("indicateurs (marqueurs de progrès)"),
    )
    ordre = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("changement visé")
        verbose_name_plural = _("changements visés")
        ordering = ["strategie", "ordre", "code"]
        constraints = [
            models.UniqueConstraint(fields=["strategie", "code"], name="changement_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.libelle}"


class LienDeChangement(models.Model):
    """Une arête de la théorie du changement : « si ce changement, alors celui-là », avec
    l'hypothèse qui la justifie."""

    strategie = models.ForeignKey(
        StrategieDeChangement,
        on_delete=models.CASCADE,
        related_name="liens",
        verbose_name=_("stratégie"),
    )
    source = models.ForeignKey(
        ChangementVise,
        on_delete=models.CASCADE,
        related_name="liens_sortants",
        verbose_name=_("changement source"),
    )
    cible = models.ForeignKey(
        ChangementVise,
        on_delete=models.CASCADE,
        related_name="liens_entrants",
        verbose_name=_("changement cible"),
    )
    hypothese = models.TextField(_("hypothèse"), blank=True)

    class Meta:
        verbose_name = _("lien de changement")
        verbose_name_plural = _("liens de changement")
        constraints = [
            models.UniqueConstraint(fields=["source", "cible"], name="lien_unique"),
            models.CheckConstraint(
                condition=~Q(source=models.F("cible")), name="lien_pas_une_boucle"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source.code} → {self.cible.code}"

    def clean(self) -> None:
        if self.source_id and self.cible_id and self.strategie_id:
            hors_strategie = {self.source.strategie_id, self.cible.strategie_id} - {
                self.strategie_id
            }
            if hors_strategie:
                raise ValidationError(
                    _("Les deux changements doivent appartenir à la même stratégie que le lien.")
                )


class TypeAction(models.TextChoices):
    PARTICIPATION_CITOYENNE = "participation_citoyenne", _("participation citoyenne")
    CONCERTATION = "concertation", _("concertation")
    PROJET = "projet", _("projet collectif")
    SERVICE = "service", _("service à la population")
    INFLUENCE = "influence", _("représentation et influence")
    EVALUATION = "evaluation", _("évaluation et recherche")
    COMMUNICATION = "communication", _("communication")


class ActionQuerySet(models.QuerySet):
    def actives_entre(self, debut, fin) -> ActionQuerySet:
        return self.filter(debut__lte=fin).filter(Q(fin__isnull=True) | Q(fin__gte=debut))


class Action(models.Model):
    """Une action concertée du plan de quartier, portée par des partenaires, au service d'un ou
    plusieurs changements visés."""

    quartier = models.ForeignKey(
        Quartier, on_delete=models.CASCADE, related_name="actions", verbose_name=_("quartier")
    )
    titre = models.CharField(_("titre"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    type_action = models.CharField(_("type d'action"), max_length=30, choices=TypeAction.choices)
    porteur = models.ForeignKey(
        Partenaire,
        on_delete=models.SET_NULL,
        related_name="actions_portees",
        null=True,
        blank=True,
        verbose_name=_("porteur de projet"),
    )
    partenaires = models.ManyToManyField(
        Partenaire, related_name="actions", blank=True, verbose_name=_("partenaires impliqués")
    )
    changements = models.ManyToManyField(
        ChangementVise, related_name="actions", blank=True, verbose_name=_("changements servis")
    )
    debut = models.DateField(_("début"))
    fin = models.DateField(_("fin"), null=True, blank=True)

    objects = ActionQuerySet.as_manager()

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["quartier__nom", "debut", "titre"]
        constraints = [
            models.CheckConstraint(
                condition=Q(fin__isnull=True) | Q(fin__gte=models.F("debut")),
                name="action_fin_apres_debut",
            )
        ]

    def __str__(self) -> str:
        return self.titre


# --- Catalogue d'indicateurs --------------------------------------------------------------------


class Unite(models.TextChoices):
    NOMBRE = "nombre", _("nombre")
    POURCENTAGE = "pourcentage", _("pourcentage")
    DOLLARS = "dollars", _("dollars")
    ECHELLE = "echelle", _("échelle de 1 à 5")
    INDICE = "indice", _("indice (décimal)")
    TEXTE = "texte", _("texte")


class Polarite(models.TextChoices):
    HAUSSE = "hausse", _("une hausse est souhaitée")
    BAISSE = "baisse", _("une baisse est souhaitée")
    NEUTRE = "neutre", _("sans direction souhaitée")


class Agregation(models.TextChoices):
    SOMME = "somme", _("somme")
    MOYENNE = "moyenne", _("moyenne")
    DERNIERE = "derniere", _("dernière valeur")
    CUMUL = "cumul", _("cumul depuis le début")


class Periodicite(models.TextChoices):
    TRIMESTRIELLE = "trimestrielle", _("trimestrielle")
    SEMESTRIELLE = "semestrielle", _("semestrielle")
    ANNUELLE = "annuelle", _("annuelle")


class ModeCollecte(models.TextChoices):
    SAISI = "saisi", _("saisi par la table")
    CALCULE = "calcule", _("calculé à partir du registre")


class Calcul(models.TextChoices):
    """Indicateurs dérivés du registre des partenaires et des actions, jamais saisis."""

    AUCUN = "", _("aucun")
    PARTENAIRES_ACTIFS = "partenaires_actifs", _("partenaires actifs")
    SECTEURS_DISTINCTS = "secteurs_distincts", _("secteurs distincts des partenaires")
    DIVERSITE_SHANNON = "diversite_shannon", _("diversité des partenaires (indice de Shannon)")
    ACTEURS_INFLUENCE = "acteurs_influence", _("acteurs d'influence joints")
    ACTIONS_PARTICIPATION = "actions_participation", _("actions de participation citoyenne")


class StatutIndicateur(models.TextChoices):
    PROPOSE = "propose", _("proposé")
    APPROUVE = "approuve", _("approuvé")
    RETIRE = "retire", _("retiré")


class Indicateur(models.Model):
    """Une mesure du catalogue, définie une fois en français et en anglais."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    nom_fr = models.CharField(_("nom (français)"), max_length=200)
    nom_en = models.CharField(_("nom (anglais)"), max_length=200)
    definition_fr = models.TextField(_("définition (français)"))
    definition_en = models.TextField(_("définition (anglais)"))
    famille = models.CharField(_("famille"), max_length=20, choices=Famille.choices)
    theme = models.ForeignKey(
        Theme,
        on_delete=models.PROTECT,
        related_name="indicateurs",
        null=True,
        blank=True,
        verbose_name=_("thème"),
    )
    unite = models.CharField(_("unité"), max_length=12, choices=Unite.choices)
    polarite = models.CharField(
        _("polarité"), max_length=8, choices=Polarite.choices, default=Polarite.HAUSSE
    )
    agregation = models.CharField(
        _("agrégation dans le temps"), max_length=10, choices=Agregation.choices
    )
    periodicite = models.CharField(
        _("périodicité"),
        max_length=15,
        choices=Periodicite.choices,
        default=Periodicite.TRIMESTRIELLE,
    )
    source = models.CharField(_("source"), max_length=250, blank=True)
    mode = models.CharField(
        _("mode de collecte"),
        max_length=10,
        choices=ModeCollecte.choices,
        default=ModeCollecte.SAISI,
    )
    calcul = models.CharField(
        _("calcul"), max_length=30, choices=Calcul.choices, blank=True, default=Calcul.AUCUN
    )
    statut = models.CharField(
        _("statut"),
        max_length=10,
        choices=StatutIndicateur.choices,
        default=StatutIndicateur.APPROUVE,
    )
    propose_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="indicateurs_proposes",
        null=True,
        blank=True,
        verbose_name=_("proposé par"),
    )

    class Meta:
        verbose_name = _("indicateur")
        verbose_name_plural = _("indicateurs")
        ordering = ["famille", "code"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(mode="calcule") & ~Q(calcul="")) | (Q(mode="saisi") & Q(calcul="")),
                name="indicateur_calcule_a_une_formule",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.nom}"

    @property
    def nom(self) -> str:
        return self.nom_en if _en_anglais() else self.nom_fr

    @property
    def definition(self) -> str:
        return self.definition_en if _en_anglais() else self.definition_fr

    @property
    def est_calcule(self) -> bool:
        return self.mode == ModeCollecte.CALCULE


class IndicateurSuivi(models.Model):
    """Un indicateur que suit un quartier : sa valeur de référence et ses cibles."""

    indicateur = models.ForeignKey(
        Indicateur, on_delete=models.PROTECT, related_name="suivis", verbose_name=_("indicateur")
    )
    quartier = models.ForeignKey(
        Quartier,
        on_delete=models.CASCADE,
        related_name="indicateurs_suivis",
        verbose_name=_("quartier"),
    )
    valeur_reference = models.DecimalField(
        _("valeur de référence"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    date_reference = models.DateField(_("date de la valeur de référence"), null=True, blank=True)
    source_reference = models.CharField(_("source de la référence"), max_length=250, blank=True)
    actif = models.BooleanField(_("actif"), default=True)

    class Meta:
        verbose_name = _("indicateur suivi")
        verbose_name_plural = _("indicateurs suivis")
        ordering = ["quartier__nom", "indicateur__code"]
        constraints = [
            models.UniqueConstraint(fields=["indicateur", "quartier"], name="suivi_unique"),
            models.CheckConstraint(
                condition=Q(valeur_reference__isnull=True) | Q(date_reference__isnull=False),
                name="suivi_reference_datee",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quartier} — {self.indicateur.code}"


class Cible(models.Model):
    """La valeur visée par un quartier pour un indicateur à la fin d'une période."""

    suivi = models.ForeignKey(
        IndicateurSuivi, on_delete=models.CASCADE, related_name="cibles", verbose_name=_("suivi")
    )
    periode = models.ForeignKey(
        "Periode", on_delete=models.CASCADE, related_name="cibles", verbose_name=_("période")
    )
    valeur = models.DecimalField(_("valeur cible"), max_digits=14, decimal_places=4)

    class Meta:
        verbose_name = _("cible")
        verbose_name_plural = _("cibles")
        ordering = ["periode__debut"]
        constraints = [
            models.UniqueConstraint(fields=["suivi", "periode"], name="cible_unique_par_periode")
        ]

    def __str__(self) -> str:
        return f"{self.suivi} — {self.periode} : {self.valeur}"


# --- Périodes, saisies, valeurs -----------------------------------------------------------------


class StatutPeriode(models.TextChoices):
    A_VENIR = "a_venir", _("à venir")
    OUVERTE = "ouverte", _("ouverte")
    FERMEE = "fermee", _("fermée")


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

    class Meta:
        verbose_name = _("période")
        verbose_name_plural = _("périodes")
        ordering = ["annee", "trimestre"]
        constraints = [
            models.UniqueConstraint(fields=["annee", "trimestre"], name="periode_unique"),
            models.CheckConstraint(
                condition=Q(trimestre__gte=1) & Q(trimestre__lte=4), name="periode_trimestre_1_4"
            ),
            models.CheckConstraint(condition=Q(fin__gt=models.F("debut")), name="periode_ordonnee"),
            models.CheckConstraint(
                condition=Q(echeance__gte=models.F("fin")), name="periode_echeance_apres_fin"
            ),
        ]

    def __str__(self) -> str:
        return self.libelle

    @property
    def libelle(self) -> str:
        return str(
            _("T%(trimestre)s %(annee)s") % {"trimestre": self.trimestre, "annee": self.annee}
        )


class StatutSaisie(models.TextChoices):
    BROUILLON = "brouillon", _("brouillon")
    SOUMISE = "soumise", _("soumise")
    RENVOYEE = "renvoyee", _("renvoyée")
    VALIDEE = "validee", _("validée")


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
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("saisie")
        verbose_name_plural = _("saisies")
        ordering = ["periode__debut", "table__quartier__nom"]
        constraints = [
            models.UniqueConstraint(fields=["table", "periode"], name="saisie_unique"),
            models.CheckConstraint(
                condition=~Q(statut="renvoyee") | ~Q(motif_renvoi=""),
                name="saisie_renvoi_motive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.table.quartier} — {self.periode}"


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
    updated_at = models.DateTimeField(auto_now=True)

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


class Apprentissage(models.Model):
    """Ce qu'un quartier a appris pendant une période, rattaché au besoin à un indicateur ou à un
    changement visé."""

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
    auteur = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="apprentissages",
        null=True,
        blank=True,
        verbose_name=_("auteur·e"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("apprentissage")
        verbose_name_plural = _("apprentissages")
        ordering = ["periode__debut", "categorie", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(texte_fr="") | ~Q(texte_en=""),
                name="apprentissage_a_un_texte",
            )
        ]

    def __str__(self) -> str:
        return f"{self.quartier} — {self.periode} — {self.get_categorie_display()}"

    @property
    def texte(self) -> str:
        """Le texte dans la langue active, sinon dans l'autre."""
        if _en_anglais():
            return self.texte_en or self.texte_fr
        return self.texte_fr or self.texte_en
