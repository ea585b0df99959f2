"""Le territoire du PIC : quartiers, tables de quartier, partenaires, et les personnes qui y
travaillent (utilisateurs et leurs affectations)."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from evalpic.dates import verifier_les_dates


class NomBilingue(models.Model):
    """Référentiel nommé en français et en anglais; `nom` suit la langue active."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    nom_fr = models.CharField(_("nom (français)"), max_length=120)
    nom_en = models.CharField(_("nom (anglais)"), max_length=120)
    ordre = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        abstract = True
        ordering = ["ordre", "code"]

    def __str__(self) -> str:
        return self.nom

    @property
    def nom(self) -> str:
        return self.nom_en if (get_language() or "fr").startswith("en") else self.nom_fr


# --- Utilisateurs -------------------------------------------------------------------------------


class UtilisateurManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **champs):
        if not email:
            raise ValueError("Le courriel est obligatoire.")
        utilisateur = self.model(email=self.normalize_email(email).lower(), **champs)
        utilisateur.set_password(password)
        utilisateur.save(using=self._db)
        return utilisateur

    def create_user(self, email: str, password: str | None = None, **champs):
        champs.setdefault("is_staff", False)
        champs.setdefault("is_superuser", False)
        return self._create_user(email, password, **champs)

    def create_superuser(self, email: str, password: str | None = None, **champs):
        champs.update(is_staff=True, is_superuser=True, role_global=RoleGlobal.ADMIN)
        return self._create_user(email, password, **champs)


class RoleGlobal(models.TextChoices):
    """Rôles qui valent pour tous les quartiers."""

    AUCUN = "", _("aucun (selon les affectations)")
    EVALUATEUR = "evaluateur", _("évaluateur·trice Dynamo")
    ADMIN = "admin", _("administrateur·trice")


class Langue(models.TextChoices):
    FR = "fr", _("Français")
    EN = "en", _("English")


COURRIEL_DEJA_UTILISE = _(
    "Un compte utilise déjà ce courriel (majuscules et minuscules confondues)."
)


class Utilisateur(AbstractUser):
    """Une personne qui se connecte, par son courriel. Les droits par quartier viennent de ses
    affectations; les rôles transversaux (évaluation, administration) de `role_global`."""

    username = None
    email = models.EmailField(_("courriel"), unique=True)
    role_global = models.CharField(
        _("rôle transversal"), max_length=20, choices=RoleGlobal.choices, blank=True, default=""
    )
    langue = models.CharField(
        _("langue préférée"), max_length=5, choices=Langue.choices, default=Langue.FR
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UtilisateurManager()

    class Meta:
        verbose_name = _("utilisateur·trice")
        verbose_name_plural = _("utilisateur·trices")
        ordering = ["email"]
        constraints = [
            # La connexion (allauth) cherche le courriel sans tenir compte de la casse : deux
            # comptes qui ne diffèrent que par elle ne pourraient plus se connecter ni l'un ni
            # l'autre.
            models.UniqueConstraint(
                Lower("email"),
                name="utilisateur_courriel_unique_insensible_casse",
                violation_error_message=COURRIEL_DEJA_UTILISE,
            )
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    # Retirer le mot de passe (administration : « Authentification par mot de passe :
    # désactivée ») est un changement de mot de passe, que Django ne marque pas comme
    # `set_password` le marque (`_password`) : `_mot_de_passe_retire` le dit jusqu'à
    # l'enregistrement, pour la révocation des jetons (`quartiers.jetons`).
    def set_password(self, raw_password: str | None) -> None:
        super().set_password(raw_password)
        self._mot_de_passe_retire = raw_password is None

    def set_unusable_password(self) -> None:
        super().set_unusable_password()
        self._mot_de_passe_retire = True

    @property
    def voit_tous_les_quartiers(self) -> bool:
        return self.is_superuser or self.role_global in (RoleGlobal.EVALUATEUR, RoleGlobal.ADMIN)


# --- Territoire ---------------------------------------------------------------------------------


class NiveauSoutien(models.TextChoices):
    INTENSIF = "intensif", _("soutien intensif")
    MODERE = "modere", _("soutien modéré")
    AUCUN = "aucun", _("aucun soutien du PIC")


class Quartier(models.Model):
    slug = models.SlugField(_("identifiant"), max_length=60, unique=True)
    nom = models.CharField(_("nom"), max_length=120, unique=True)
    niveau_soutien = models.CharField(
        _("niveau de soutien"), max_length=10, choices=NiveauSoutien.choices
    )
    arrondissement = models.CharField(_("arrondissement ou ville"), max_length=120, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("quartier")
        verbose_name_plural = _("quartiers")
        ordering = ["nom"]

    def __str__(self) -> str:
        return self.nom

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("quartier_detail", kwargs={"slug": self.slug})


class TableDeQuartier(models.Model):
    """La concertation intersectorielle du quartier : une seule par quartier. Son nom reste vide
    tant qu'aucune source ne l'établit."""

    quartier = models.OneToOneField(
        Quartier, on_delete=models.CASCADE, related_name="table", verbose_name=_("quartier")
    )
    nom = models.CharField(_("nom"), max_length=200, blank=True)
    organisme_coordonnateur = models.CharField(
        _("organisme coordonnateur"), max_length=200, blank=True
    )
    annee_fondation = models.PositiveSmallIntegerField(
        _("année de fondation"), null=True, blank=True
    )
    site_web = models.URLField(_("site web"), blank=True)

    class Meta:
        verbose_name = _("table de quartier")
        verbose_name_plural = _("tables de quartier")
        ordering = ["quartier__nom"]
        constraints = [
            models.CheckConstraint(
                condition=Q(annee_fondation__isnull=True) | Q(annee_fondation__gte=1900),
                name="table_annee_fondation_plausible",
                violation_error_message=_("L'année de fondation doit être 1900 ou plus tard."),
            )
        ]

    def __str__(self) -> str:
        return self.nom or str(_("Table de quartier de %(quartier)s") % {"quartier": self.quartier})


class Secteur(NomBilingue):
    """Secteur d'un partenaire (communautaire, santé et services sociaux, éducation…)."""

    class Meta(NomBilingue.Meta):
        verbose_name = _("secteur")
        verbose_name_plural = _("secteurs")


class Partenaire(models.Model):
    """Une organisation (ou un regroupement citoyen) qui participe à une ou plusieurs tables."""

    nom = models.CharField(_("nom"), max_length=200)
    secteur = models.ForeignKey(
        Secteur, on_delete=models.PROTECT, related_name="partenaires", verbose_name=_("secteur")
    )
    acteur_influence = models.BooleanField(
        _("acteur d'influence"),
        default=False,
        help_text=_(
            "Bailleur, chercheur·e ou décideur hors du quartier que la table peut joindre."
        ),
    )
    site_web = models.URLField(_("site web"), blank=True)
    donnees_fictives = models.BooleanField(_("données fictives"), default=False)

    class Meta:
        verbose_name = _("partenaire")
        verbose_name_plural = _("partenaires")
        ordering = ["nom"]
        constraints = [
            models.UniqueConstraint(
                Lower("nom"),
                name="partenaire_nom_unique_insensible_casse",
                violation_error_message=_(
                    "Un partenaire porte déjà ce nom (majuscules et minuscules confondues)."
                ),
            )
        ]

    def __str__(self) -> str:
        return self.nom


class RoleParticipation(models.TextChoices):
    MEMBRE = "membre", _("membre")
    PORTEUR = "porteur", _("porteur de projet")
    BAILLEUR = "bailleur", _("bailleur de fonds")
    COMITE = "comite", _("membre d'un comité")
    SOUTIEN = "soutien", _("soutien ou accompagnement")


class ParticipationQuerySet(models.QuerySet):
    def actives_entre(self, debut: datetime.date, fin: datetime.date) -> ParticipationQuerySet:
        """Participations qui recoupent l'intervalle [debut, fin]."""
        return self.filter(debut__lte=fin).filter(Q(fin__isnull=True) | Q(fin__gte=debut))


class Participation(models.Model):
    """Un partenaire à une table, dans le temps : c'est ce registre qui rend mesurables la
    mobilisation et la diversité des partenaires."""

    # Une arrivée annoncée ou la fin d'un cycle de financement se datent d'avance, pas plus loin
    # (`evalpic.dates.erreur_de_date`).
    ANNEES_A_VENIR = 5

    partenaire = models.ForeignKey(
        Partenaire,
        on_delete=models.CASCADE,
        related_name="participations",
        verbose_name=_("partenaire"),
    )
    table = models.ForeignKey(
        TableDeQuartier,
        on_delete=models.CASCADE,
        related_name="participations",
        verbose_name=_("table de quartier"),
    )
    role = models.CharField(
        _("rôle"),
        max_length=20,
        choices=RoleParticipation.choices,
        default=RoleParticipation.MEMBRE,
    )
    debut = models.DateField(_("début"))
    fin = models.DateField(_("fin"), null=True, blank=True)
    # Inscrit par son nom alors qu'il ne siégeait qu'à des tables que la coordination ne voit pas
    # (`services_registre._partenaire_du_nom`) : la table prend sa fiche telle quelle, et cette
    # participation ne compte pas parmi celles dont il faut le droit pour la modifier
    # (`services_registre.fiche_modifiable`).
    inscrit_par_son_nom = models.BooleanField(
        _("inscrit par son nom"), default=False, editable=False
    )

    objects = ParticipationQuerySet.as_manager()

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        ordering = ["debut", "partenaire__nom"]
        constraints = [
            models.CheckConstraint(
                condition=Q(fin__isnull=True) | Q(fin__gte=models.F("debut")),
                name="participation_fin_apres_debut",
                violation_error_message=_("La fin ne peut pas précéder le début."),
            ),
            models.UniqueConstraint(
                fields=["partenaire", "table", "debut"], name="participation_unique_par_debut"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partenaire} — {self.table}"

    def clean(self) -> None:
        """Début et fin d'une année plausible : la règle du registre (`services_registre`) et de
        l'administration, à côté du champ."""
        super().clean()
        verifier_les_dates(self, ("debut", "fin"), self.ANNEES_A_VENIR)


# --- Affectations -------------------------------------------------------------------------------


class RoleAffectation(models.TextChoices):
    COORDONNATEUR = "coordonnateur", _("coordonnateur·trice de la table")
    CONSEILLER = "conseiller", _("conseiller·ère Centraide")


class AffectationQuerySet(models.QuerySet):
    def en_vigueur(self, jour: datetime.date | None = None) -> AffectationQuerySet:
        jour = jour or timezone.localdate()
        return self.filter(debut__lte=jour).filter(Q(fin__isnull=True) | Q(fin__gte=jour))

    def coordinations_en_poste(self, jour: datetime.date | None = None) -> AffectationQuerySet:
        """Les coordinations de table en poste le jour `jour`, comptes actifs : à qui écrivent
        les rappels de saisie et les avis de renvoi, une règle écrite une fois."""
        return self.en_vigueur(jour).filter(
            role=RoleAffectation.COORDONNATEUR, utilisateur__is_active=True
        )


class Affectation(models.Model):
    """Le rôle d'une personne dans un quartier (coordination de la table ou conseil Centraide)."""

    # Une arrivée annoncée ou la fin d'un contrat, d'un mandat de conseil se datent d'avance,
    # comme la participation d'un partenaire, pas plus loin (`evalpic.dates.erreur_de_date`) :
    # « jusqu'en 9999 » est une faute de frappe, et « depuis l'an 1 » aussi.
    ANNEES_A_VENIR = 5

    utilisateur = models.ForeignKey(
        Utilisateur,
        on_delete=models.CASCADE,
        related_name="affectations",
        verbose_name=_("utilisateur·trice"),
    )
    quartier = models.ForeignKey(
        Quartier, on_delete=models.CASCADE, related_name="affectations", verbose_name=_("quartier")
    )
    role = models.CharField(_("rôle"), max_length=20, choices=RoleAffectation.choices)
    debut = models.DateField(_("début"), default=timezone.localdate)
    fin = models.DateField(
        _("fin"),
        null=True,
        blank=True,
        help_text=_(
            "Dernier jour d'accès, inclus : l'accès cesse à minuit, à la fin de ce jour. Pour "
            "le retirer tout de suite, cochez l'affectation dans la liste et choisissez "
            "« Retirer l'accès maintenant »."
        ),
    )

    objects = AffectationQuerySet.as_manager()

    class Meta:
        verbose_name = _("affectation")
        verbose_name_plural = _("affectations")
        ordering = ["quartier__nom", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["utilisateur", "quartier", "role", "debut"],
                name="affectation_unique_par_debut",
            ),
            models.CheckConstraint(
                condition=Q(fin__isnull=True) | Q(fin__gte=models.F("debut")),
                name="affectation_fin_apres_debut",
                violation_error_message=_("La fin ne peut pas précéder le début."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.utilisateur} — {self.get_role_display()} — {self.quartier}"

    def clean(self) -> None:
        """Début et fin d'une année plausible, à côté du champ : l'administration (page des
        affectations et fiche de la personne) les refuse avant d'écrire quoi que ce soit."""
        super().clean()
        verifier_les_dates(self, ("debut", "fin"), self.ANNEES_A_VENIR)


# --- Jetons d'API -------------------------------------------------------------------------------


class MotifRevocation(models.TextChoices):
    """Pourquoi un jeton a été révoqué sans que sa personne le demande (vide : révoqué depuis le
    profil ou l'administration)."""

    MOT_DE_PASSE = "mot_de_passe", _("mot de passe changé ou réinitialisé")


class JetonAPIQuerySet(models.QuerySet):
    def actifs(self) -> JetonAPIQuerySet:
        return self.filter(revoque_le__isnull=True)


class JetonAPI(models.Model):
    """Un jeton personnel d'API : il agit avec les droits de sa personne, jamais plus. Seule
    l'empreinte SHA-256 de la clé est gardée; la clé n'est montrée qu'une fois, à la création."""

    utilisateur = models.ForeignKey(
        Utilisateur,
        on_delete=models.CASCADE,
        related_name="jetons",
        verbose_name=_("utilisateur·trice"),
    )
    nom = models.CharField(_("nom"), max_length=100)
    prefixe = models.CharField(_("début de la clé"), max_length=12)
    empreinte = models.CharField(_("empreinte"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    dernier_usage = models.DateTimeField(_("dernier usage"), null=True, blank=True)
    revoque_le = models.DateTimeField(_("révoqué le"), null=True, blank=True)
    motif_revocation = models.CharField(
        _("motif de la révocation"),
        max_length=20,
        choices=MotifRevocation.choices,
        blank=True,
        editable=False,
    )
    # La clé d'envoi du formulaire qui l'a créé : le même formulaire envoyé deux fois (double
    # clic) ne crée qu'un jeton (`quartiers.jetons.creer_jeton`).
    cle_envoi = models.UUIDField(
        _("clé d'envoi du formulaire"), null=True, blank=True, unique=True, editable=False
    )

    objects = JetonAPIQuerySet.as_manager()

    class Meta:
        verbose_name = _("jeton d'API")
        verbose_name_plural = _("jetons d'API")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.nom} ({self.prefixe}…)"
