"""Le catalogue d'indicateurs : thèmes, familles, définitions bilingues, suivi par quartier et cibles."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models
from django.db.models import Case, Exists, F, OuterRef, Q, Value, When
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from evalpic.textes import texte_saisi
from quartiers.acces import Droit, quartiers_accessibles
from quartiers.models import NomBilingue, Quartier


def _en_anglais() -> bool:
    return (get_language() or "fr").startswith("en")


def _dans_la_langue(francais: str, anglais: str) -> str:
    """La règle, écrite une fois, d'un texte bilingue du catalogue : l'anglais quand la langue
    active l'est et qu'il est écrit (pas seulement des espaces), sinon le français."""
    return anglais if _en_anglais() and anglais.strip() else francais


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


# Les mots des adresses du catalogue (/catalogue/nouveau/, /catalogue/propositions/) : un
# indicateur qui porterait l'un d'eux pour code n'aurait pas de page (/catalogue/<code>/).
CODES_RESERVES = frozenset({"nouveau", "propositions"})


class IndicateurQuerySet(models.QuerySet):
    def connus_dans(self, quartiers: models.QuerySet[Quartier]) -> IndicateurQuerySet:
        """La règle, écrite une fois, des indicateurs qu'on peut nommer depuis `quartiers` :
        ceux du catalogue (approuvés) et ceux que suit l'un de ces quartiers, quel que soit leur
        statut (proposé par sa table, retiré). Un indicateur proposé ailleurs n'en est pas : il
        est « inconnu », comme un code qui n'existe pas, pour ne rien révéler d'un autre
        quartier."""
        suivis = IndicateurSuivi.objects.filter(quartier__in=quartiers).values("indicateur_id")
        return self.filter(Q(statut=StatutIndicateur.APPROUVE) | Q(pk__in=suivis))

    def connus_de(self, utilisateur) -> IndicateurQuerySet:
        """Les indicateurs connus des quartiers que `utilisateur` voit (`connus_dans`)."""
        return self.connus_dans(quartiers_accessibles(utilisateur, Droit.VOIR))

    def avec_etat_de_mesure(self, quartier) -> IndicateurQuerySet:
        """Chaque indicateur avec `etat_de_mesure` (la valeur d'`EtatDeMesure`) pour
        `quartier` : vide s'il y est mesuré, sinon pourquoi il ne l'est pas."""
        return self.annotate(etat_de_mesure=etat_de_mesure(quartier))


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
    source = models.CharField(_("source (français)"), max_length=250, blank=True)
    source_en = models.CharField(_("source (anglais)"), max_length=250, blank=True)
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
    # L'examen d'une proposition (`services_catalogue`) : qui l'a approuvée ou refusée, quand,
    # et pourquoi elle l'a été (une proposition refusée est retirée du catalogue).
    examine_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="indicateurs_examines",
        null=True,
        blank=True,
        verbose_name=_("examiné par"),
    )
    examine_le = models.DateTimeField(_("examiné le"), null=True, blank=True)
    motif_refus = models.TextField(_("motif du refus"), blank=True)
    # Les refus d'une proposition proposée de nouveau depuis (son code n'a qu'un titulaire) :
    # des données, dans l'ordre, que `indicateurs.propositions_refusees` écrit et relit.
    refus_precedents = models.JSONField(
        _("refus précédents"), default=list, blank=True, editable=False
    )
    # Le retrait du catalogue d'un indicateur approuvé (`services_definitions`) : pourquoi, par
    # qui, quand. Distinct du refus d'une proposition (`motif_refus`), que sa table corrige et
    # propose de nouveau; rétabli, l'indicateur les efface. Ses valeurs ne sont jamais touchées.
    motif_retrait = models.TextField(_("motif du retrait"), blank=True, editable=False)
    retire_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="indicateurs_retires",
        null=True,
        blank=True,
        editable=False,
        verbose_name=_("retiré par"),
    )
    retire_le = models.DateTimeField(_("retiré le"), null=True, blank=True, editable=False)

    objects = IndicateurQuerySet.as_manager()

    class Meta:
        verbose_name = _("indicateur")
        verbose_name_plural = _("indicateurs")
        ordering = ["famille", "code"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(mode="calcule") & ~Q(calcul="")) | (Q(mode="saisi") & Q(calcul="")),
                name="indicateur_calcule_a_une_formule",
                violation_error_message=_(
                    "Un indicateur calculé a une formule; un indicateur saisi n'en a pas."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.nom}"

    @property
    def nom(self) -> str:
        return _dans_la_langue(self.nom_fr, self.nom_en)

    @property
    def definition(self) -> str:
        return _dans_la_langue(self.definition_fr, self.definition_en)

    @property
    def source_affichee(self) -> str:
        """La source dans la langue active (le champ `source` est la source française)."""
        return _dans_la_langue(self.source, self.source_en)

    @property
    def est_calcule(self) -> bool:
        return self.mode == ModeCollecte.CALCULE

    # Ce qu'une personne écrit (catalogue, proposition, administration) : un texte fait de seuls
    # caractères invisibles est vide (`evalpic.textes.texte_saisi`), et le champ obligatoire le
    # refuse avant toute autre règle.
    TEXTES_SAISIS = (
        "code",
        "nom_fr",
        "nom_en",
        "definition_fr",
        "definition_en",
        "source",
        "source_en",
    )

    def clean_fields(self, exclude=None) -> None:
        for nom in self.TEXTES_SAISIS:
            setattr(self, nom, texte_saisi(getattr(self, nom)))
        super().clean_fields(exclude)

    def clean(self) -> None:
        super().clean()
        erreurs: dict[str, list] = {}
        if message := self._refus_du_code():
            erreurs["code"] = [message]
        if self.pk is not None and self._change_de_nature():
            erreurs["unite"] = [
                _(
                    "Des valeurs ont déjà été saisies pour cet indicateur : son unité ne "
                    "peut plus passer du texte à un nombre, ni d'un nombre au texte. Créez "
                    "plutôt un nouvel indicateur."
                )
            ]
        elif self.pk is not None:
            try:
                self._verifier_les_valeurs_sous_la_nouvelle_unite()
            except ValidationError as erreur:
                erreurs.update(erreur.message_dict)
        if erreurs:
            raise ValidationError(erreurs)

    def code_est_fige(self) -> bool:
        """Vrai si un quartier suit l'indicateur (ou l'a suivi) ou si des valeurs sont
        enregistrées : son code est alors dans les formulaires, les fichiers d'import remplis,
        les adresses, l'API et les bilans figés, qui le nomment; il ne change plus."""
        return self.pk is not None and (self.suivis.exists() or self.valeurs.exists())

    def _refus_du_code(self) -> str:
        """Pourquoi le code ne peut pas être celui-ci (vide s'il le peut) : un mot des adresses
        du catalogue, ou un nouveau code pour un indicateur dont le code est figé. Vérifié
        seulement pour un nouvel indicateur ou un code changé."""
        if self.pk is not None:
            avant = Indicateur.objects.filter(pk=self.pk).values_list("code", flat=True).first()
            if avant is None or avant == self.code:
                return ""
        if self.code in CODES_RESERVES:
            return _("« %(code)s » nomme une page du catalogue : choisissez un autre code.") % {
                "code": self.code
            }
        if self.pk is not None and self.code_est_fige():
            return _(
                "Le code ne change plus : des quartiers suivent cet indicateur ou des valeurs "
                "sont enregistrées, et les formulaires, les fichiers d'import, les adresses et "
                "les bilans le nomment. Créez plutôt un nouvel indicateur."
            )
        return ""

    def _verifier_les_valeurs_sous_la_nouvelle_unite(self) -> None:
        """Entre deux unités numériques, les valeurs déjà enregistrées (saisies, références,
        cibles) doivent suivre la règle de la nouvelle unité (`services_unites`) : l'admin, le
        chargement du référentiel et tout `full_clean` refusent le même changement."""
        # services_unites lit les modèles de ce module : importé ici, à l'appel.
        from indicateurs.services_unites import refus_du_changement_d_unite, valeurs_hors_de_l_unite

        if hors := valeurs_hors_de_l_unite(self, self.unite):
            raise ValidationError({"unite": refus_du_changement_d_unite(hors, self.unite)})

    def _change_de_nature(self) -> bool:
        """Vrai si l'unité passe du texte à un nombre (ou l'inverse) alors que des valeurs de
        l'ancienne nature existent : elles deviendraient illisibles (le formulaire de saisie, les
        tableaux de bord et les bilans lisent une valeur selon l'unité)."""
        avant = Indicateur.objects.filter(pk=self.pk).values_list("unite", flat=True).first()
        if avant is None or (avant == Unite.TEXTE) == (self.unite == Unite.TEXTE):
            return False
        if avant == Unite.TEXTE:
            return self.valeurs.exclude(valeur_texte="").exists()
        return (
            self.valeurs.filter(valeur_numerique__isnull=False).exists()
            or self.suivis.filter(
                Q(valeur_reference__isnull=False) | Q(cibles__isnull=False)
            ).exists()
        )


DATE_REFERENCE_MIN = datetime.date(1900, 1, 1)


def erreurs_selon_l_unite(indicateur: Indicateur, valeur: Decimal) -> list[str]:
    """Ce qui ne va pas dans une valeur de référence ou une cible selon l'unité de
    l'indicateur (vide si rien) : la règle des valeurs saisies (`verifier_nombre`), et aucune
    valeur pour un indicateur en texte. Un indicateur calculé l'est au-delà du centième
    (l'indice de Shannon, au millième) : seule la grandeur de ses valeurs est vérifiée."""
    # validation.py lit `Unite` dans ce module : importé ici, à l'appel.
    from indicateurs.validation import verifier_nombre

    if indicateur.unite == Unite.TEXTE:
        return [str(_("Un indicateur en texte n'a ni valeur de référence ni cible."))]
    if indicateur.est_calcule and valeur.is_finite():
        valeur = valeur.scaleb(2).to_integral_value().scaleb(-2)  # au centième
    try:
        verifier_nombre(indicateur.unite, valeur)
    except ValidationError as erreur:
        return erreur.messages
    return []


def suivi_a_saisir(chemin: str = "") -> Q:
    """La règle, écrite une fois, de ce qu'une table saisit chaque trimestre : les indicateurs
    suivis actifs, saisis (non calculés) et approuvés. Le formulaire les demande, la soumission
    les exige, et chaque complétude (page de suivi, tableau de bord, bilan) les compte comme
    attendus. `chemin` mène au suivi depuis le modèle interrogé (« quartier__indicateurs_suivis__ »
    depuis une table, par exemple)."""
    return Q(
        **{
            f"{chemin}actif": True,
            f"{chemin}indicateur__mode": ModeCollecte.SAISI,
            f"{chemin}indicateur__statut": StatutIndicateur.APPROUVE,
        }
    )


def suivi_mesure(chemin: str = "") -> Q:
    """La règle, écrite une fois, d'un indicateur mesuré pour un quartier : il le suit (suivi
    actif) et l'indicateur est approuvé au catalogue. Les tableaux de bord et les bilans en
    montrent la courbe (`rapports.lectures.suivis_filtres`), la page d'un quartier sa dernière
    valeur; la stratégie marque les autres (`etat_de_mesure`). `chemin` mène au suivi depuis le
    modèle interrogé."""
    return Q(**{f"{chemin}actif": True, f"{chemin}indicateur__statut": StatutIndicateur.APPROUVE})


class EtatDeMesure(models.TextChoices):
    """Pourquoi un indicateur nommé par une stratégie n'est pas (ou plus) mesuré pour son
    quartier; vide s'il l'est. Le mot s'écrit à côté de l'indicateur, qui reste nommé : une
    stratégie, même ancienne, dit ce qu'elle disait."""

    MESURE = "", _("mesuré")
    PROPOSE = StatutIndicateur.PROPOSE.value, StatutIndicateur.PROPOSE.label
    RETIRE = StatutIndicateur.RETIRE.value, StatutIndicateur.RETIRE.label
    PLUS_SUIVI = "plus_suivi", _("plus suivi")
    NON_SUIVI = "non_suivi", _("non suivi")


def etat_de_mesure(quartier, chemin: str = "") -> Case:
    """L'état de mesure (`EtatDeMesure`, sa valeur) de l'indicateur d'une ligne pour `quartier`
    (instance ou id), en SQL : mesuré selon `suivi_mesure`; sinon proposé ou retiré au catalogue;
    sinon « plus suivi » (un suivi inactif) ou « non suivi » (aucun suivi). `chemin` mène à
    l'indicateur depuis le modèle interrogé (« indicateur__ » depuis une table de liaison).
    Une annotation : pas une requête de plus."""
    suivis = IndicateurSuivi.objects.filter(
        quartier=quartier, indicateur_id=OuterRef(f"{chemin}pk")
    )
    return Case(
        When(Exists(suivis.filter(suivi_mesure())), then=Value(EtatDeMesure.MESURE.value)),
        When(~Q(**{f"{chemin}statut": StatutIndicateur.APPROUVE}), then=F(f"{chemin}statut")),
        When(Exists(suivis), then=Value(EtatDeMesure.PLUS_SUIVI.value)),
        default=Value(EtatDeMesure.NON_SUIVI.value),
        output_field=models.CharField(),
    )


class IndicateurSuiviQuerySet(models.QuerySet):
    def a_saisir(self) -> IndicateurSuiviQuerySet:
        """Les suivis qu'une table saisit (`suivi_a_saisir`); un quartier sans table (ce que
        l'administration permet) n'a rien à saisir."""
        return self.filter(suivi_a_saisir(), quartier__table__isnull=False)


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

    objects = IndicateurSuiviQuerySet.as_manager()

    class Meta:
        verbose_name = _("indicateur suivi")
        verbose_name_plural = _("indicateurs suivis")
        ordering = ["quartier__nom", "indicateur__code"]
        constraints = [
            models.UniqueConstraint(fields=["indicateur", "quartier"], name="suivi_unique"),
            models.CheckConstraint(
                condition=Q(valeur_reference__isnull=True) | Q(date_reference__isnull=False),
                name="suivi_reference_datee",
                violation_error_message=_("Une valeur de référence doit être datée."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quartier} — {self.indicateur.code}"

    def clean(self) -> None:
        super().clean()
        erreurs: dict[str, list[str]] = {}
        if self.valeur_reference is not None and self.indicateur_id is not None:
            erreurs["valeur_reference"] = erreurs_selon_l_unite(
                self.indicateur, self.valeur_reference
            )
        if self.date_reference is not None:
            if self.date_reference < DATE_REFERENCE_MIN:
                erreurs["date_reference"] = [
                    _("La date de référence doit être en 1900 ou plus tard.")
                ]
            elif self.date_reference > timezone.localdate():
                erreurs["date_reference"] = [
                    _("La date de référence ne peut pas être après aujourd'hui.")
                ]
        if erreurs := {champ: messages for champ, messages in erreurs.items() if messages}:
            raise ValidationError(erreurs)


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

    def clean(self) -> None:
        super().clean()
        if self.valeur is None:
            return
        try:
            indicateur = self.suivi.indicateur
        except ObjectDoesNotExist:  # ajoutée avec un suivi refusé : son formulaire le dit déjà
            return
        if messages := erreurs_selon_l_unite(indicateur, self.valeur):
            raise ValidationError({"valeur": messages})
