"""La stratégie de changement d'un quartier, versionnée : sa théorie du changement en graphe
(changements visés et liens) et ses actions."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from evalpic.dates import verifier_les_dates
from indicateurs.models.catalogue import Famille, Theme
from quartiers.acces import Droit, a_le_droit_partout, quartiers_accessibles
from quartiers.models import Partenaire, Quartier


class StatutStrategie(models.TextChoices):
    BROUILLON = "brouillon", _("brouillon")
    EN_VIGUEUR = "en_vigueur", _("en vigueur")
    ARCHIVEE = "archivee", _("archivée")


def quartiers_des_brouillons(utilisateur):
    """Les quartiers dont `utilisateur` voit les brouillons de stratégie : ceux où il a
    `Droit.GERER_CATALOGUE` (sa coordination, qui prépare et soumet la nouvelle version de la
    stratégie de sa table; l'évaluation et l'administration partout). Aucun pour le conseil,
    ni sans session ni compte actif. Une requête imbriquée, jamais une requête de plus."""
    return quartiers_accessibles(utilisateur, Droit.GERER_CATALOGUE)


def voit_les_brouillons(utilisateur, quartier: Quartier) -> bool:
    """Vrai si `utilisateur` voit les brouillons de stratégie de `quartier`
    (`quartiers_des_brouillons`) : pour les autres, un brouillon n'existe pas, ni ses
    changements visés (pages, API, formulaires). Sans requête pour l'évaluation et
    l'administration."""
    if not _connu(utilisateur):
        return False
    if a_le_droit_partout(utilisateur, Droit.GERER_CATALOGUE):
        return True
    return quartiers_des_brouillons(utilisateur).filter(pk=quartier.pk).exists()


def _connu(utilisateur) -> bool:
    return utilisateur is not None and utilisateur.is_authenticated and utilisateur.is_active


def _sans_les_brouillons_caches(versions, utilisateur, champ: str):
    """`versions` sans les brouillons des quartiers dont `utilisateur` ne voit pas les
    brouillons; `champ` mène de la ligne à sa stratégie (« » ou « strategie__ »)."""
    if _connu(utilisateur) and a_le_droit_partout(utilisateur, Droit.GERER_CATALOGUE):
        return versions
    return versions.filter(
        ~Q(**{f"{champ}statut": StatutStrategie.BROUILLON})
        | Q(**{f"{champ}quartier__in": quartiers_des_brouillons(utilisateur)})
    )


class StrategieQuerySet(models.QuerySet):
    def en_vigueur(self) -> StrategieQuerySet:
        return self.filter(statut=StatutStrategie.EN_VIGUEUR)

    def visibles_de(self, utilisateur) -> StrategieQuerySet:
        """Les versions des quartiers que `utilisateur` voit, sans les brouillons de ceux dont
        il ne voit pas les brouillons (`quartiers_des_brouillons`). Une requête."""
        versions = self.filter(quartier__in=quartiers_accessibles(utilisateur, Droit.VOIR))
        return _sans_les_brouillons_caches(versions, utilisateur, "")

    def soumises(self) -> StrategieQuerySet:
        """Les brouillons soumis à l'évaluation par la coordination, à adopter ou à renvoyer."""
        return self.filter(statut=StatutStrategie.BROUILLON, soumise_le__isnull=False)


class StrategieDeChangement(models.Model):
    """Une version de la stratégie de changement d'un quartier. Une nouvelle version est une
    nouvelle ligne : un bilan peut toujours dire laquelle il a utilisée."""

    # Une adoption se date d'avance (la prochaine assemblée), d'un an au plus : la version
    # s'applique dès ce jour-là (`indicateurs.selectors`), une date lointaine est une faute.
    ANNEES_A_VENIR = 1

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
    # Le brouillon que la coordination soumet à l'évaluation (`services_strategie`) : tant
    # qu'il l'est, elle ne le modifie plus; l'évaluation l'adopte ou le lui renvoie avec un
    # motif (le dernier renvoi reste sur la ligne, la coordination le lit sur le brouillon).
    soumise_le = models.DateTimeField(_("soumise à l'évaluation le"), null=True, blank=True)
    soumise_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("soumise par"),
    )
    renvoyee_le = models.DateTimeField(_("renvoyée le"), null=True, blank=True)
    renvoyee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("renvoyée par"),
    )
    motif_renvoi = models.TextField(_("motif du renvoi"), blank=True)
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

    @property
    def est_soumise(self) -> bool:
        """Un brouillon soumis à l'évaluation, ni adopté ni renvoyé depuis."""
        return self.statut == StatutStrategie.BROUILLON and self.soumise_le is not None

    def clean(self) -> None:
        super().clean()
        verifier_les_dates(self, ("adoptee_le",), self.ANNEES_A_VENIR)
        if self.pk is None or self.quartier_id is None:
            return
        servis_ailleurs = Action.objects.filter(changements__strategie=self).exclude(
            quartier_id=self.quartier_id
        )
        if servis_ailleurs.exists():
            raise ValidationError(
                {
                    "quartier": _(
                        "Des actions du quartier servent les changements de cette stratégie : "
                        "elle ne change pas de quartier."
                    )
                }
            )


class Horizon(models.TextChoices):
    COURT = "court", _("court terme")
    MOYEN = "moyen", _("moyen terme")
    LONG = "long", _("long terme")


class ChangementViseQuerySet(models.QuerySet):
    def visibles_de(self, utilisateur) -> ChangementViseQuerySet:
        """Les changements visés des quartiers que `utilisateur` voit, toutes versions de leur
        stratégie sauf les brouillons qu'il ne voit pas (`quartiers_des_brouillons`) : un autre
        est « inconnu » (l'API, la page d'un apprentissage)."""
        changements = self.filter(
            strategie__quartier__in=quartiers_accessibles(utilisateur, Droit.VOIR)
        )
        return _sans_les_brouillons_caches(changements, utilisateur, "strategie__")

    def publies(self) -> ChangementViseQuerySet:
        """Sans les changements des brouillons : un apprentissage se rattache à une version
        adoptée, jamais à un brouillon qui peut être abandonné."""
        return self.exclude(strategie__statut=StatutStrategie.BROUILLON)


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
    # Le changement de la version d'où la préparation d'un brouillon l'a copié
    # (`services_strategie._copier`) : son code peut changer dans le brouillon, ce lien non.
    # Une action qui sert l'original sert aussi la copie (`services_actions`).
    copie_de = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        related_name="copies",
        null=True,
        blank=True,
        editable=False,
        verbose_name=_("copié de"),
    )

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

    def clean(self) -> None:
        super().clean()
        if self.pk is None or self.strategie_id is None:
            return
        avant = (
            ChangementVise.objects.filter(pk=self.pk).values_list("strategie_id", flat=True).first()
        )
        if avant in (None, self.strategie_id):
            return
        relie = LienDeChangement.objects.filter(Q(source=self) | Q(cible=self)).exists()
        if relie or self.actions.exclude(quartier_id=self.strategie.quartier_id).exists():
            raise ValidationError(
                {
                    "strategie": _(
                        "Ce changement a des liens ou des actions dans sa stratégie : il ne "
                        "change pas de stratégie."
                    )
                }
            )


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
        """Les deux bouts du lien sont des changements de sa stratégie. Une stratégie encore à
        créer (ajoutée avec ses liens dans l'administration) n'a aucun changement enregistré :
        tout bout est alors d'ailleurs."""
        try:
            strategie = self.strategie
        except ObjectDoesNotExist:  # champ obligatoire : son formulaire le dit déjà
            return
        erreurs = {
            bout: _("Ce changement n'appartient pas à la stratégie du lien.")
            for bout in ("source", "cible")
            if getattr(self, f"{bout}_id") is not None
            and (strategie.pk is None or getattr(self, bout).strategie_id != strategie.pk)
        }
        if erreurs:
            raise ValidationError(erreurs)


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

    ANNEES_A_VENIR = 5  # `evalpic.dates.erreur_de_date`, comme une participation

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

    def clean(self) -> None:
        """Début et fin d'une année plausible, comme une participation au registre."""
        super().clean()
        verifier_les_dates(self, ("debut", "fin"), self.ANNEES_A_VENIR)


def verifier_changements_de_l_action(
    quartier: Quartier, changements: Iterable[ChangementVise]
) -> None:
    """Une action ne sert que les changements visés de son quartier (toutes versions de sa
    stratégie) : celui d'un autre quartier paraîtrait dans la théorie du changement de cet
    autre. Les changements d'une action (plusieurs à plusieurs) ne s'enregistrent qu'après elle :
    `clean()` ne les voit pas, le formulaire qui les choisit appelle cette règle."""
    ailleurs = (
        ChangementVise.objects.filter(pk__in=[changement.pk for changement in changements])
        .exclude(strategie__quartier=quartier)
        .select_related("strategie__quartier")
    )
    if noms := [libelle_complet(changement) for changement in ailleurs]:
        raise ValidationError(
            _(
                "Une action ne sert que les changements visés de son quartier (%(quartier)s). "
                "D'un autre quartier : %(changements)s."
            ),
            params={"quartier": quartier, "changements": "; ".join(noms)},
            code="changement_d_un_autre_quartier",
        )


def libelle_complet(changement: ChangementVise) -> str:
    """« Saint-Michel, v2 — C1 — libellé » : le quartier et la version de la stratégie
    distinguent des changements de même code et de même libellé."""
    strategie = changement.strategie
    return f"{strategie.quartier}, v{strategie.version} — {changement}"
