"""La stratégie de changement d'un quartier, versionnée : sa théorie du changement en graphe
(changements visés et liens) et ses actions."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from indicateurs.models.catalogue import Famille, Theme
from quartiers.acces import Droit, quartiers_accessibles
from quartiers.models import Partenaire, Quartier


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
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

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
                violation_error_message=_("Ce quartier a déjà une stratégie en vigueur."),
            ),
            models.CheckConstraint(
                condition=Q(version__gte=1),
                name="strategie_version_positive",
                violation_error_message=_("La version commence à 1."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quartier} — v{self.version} — {self.titre}"


class Horizon(models.TextChoices):
    COURT = "court", _("court terme")
    MOYEN = "moyen", _("moyen terme")
    LONG = "long", _("long terme")


class ChangementViseQuerySet(models.QuerySet):
    def visibles_de(self, utilisateur) -> ChangementViseQuerySet:
        """Les changements visés des quartiers que `utilisateur` voit, toutes versions de leur
        stratégie : un autre est « inconnu » (l'API, la page d'un apprentissage)."""
        return self.filter(strategie__quartier__in=quartiers_accessibles(utilisateur, Droit.VOIR))


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

    objects = ChangementViseQuerySet.as_manager()

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
                condition=~Q(source=models.F("cible")),
                name="lien_pas_une_boucle",
                violation_error_message=_("Un changement visé ne mène pas à lui-même."),
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
                violation_error_message=_("La fin ne peut pas précéder le début."),
            )
        ]

    def __str__(self) -> str:
        return self.titre
