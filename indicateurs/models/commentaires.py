"""Les commentaires d'une saisie : la discussion à côté des données (« Pourquoi ce chiffre a-t-il
doublé ? » — « Nouveau partenaire en septembre. »).

Un commentaire ne fait pas partie des données : ni valeur, ni apprentissage, il ne paraît ni aux
bilans ni aux tableaux de bord, ne change ni la version ni le statut de la saisie et n'entre pas
à son historique. Il ne se modifie pas; son auteur·e peut le retirer : le texte est effacé, la
ligne reste (« commentaire retiré ») pour que la réponse qui suivait garde son sens."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from indicateurs.models.catalogue import Indicateur
from indicateurs.models.saisies import Saisie


class CommentaireSaisie(models.Model):
    """Un commentaire sur une saisie entière, ou sur un de ses indicateurs."""

    saisie = models.ForeignKey(
        Saisie, on_delete=models.CASCADE, related_name="commentaires", verbose_name=_("saisie")
    )
    indicateur = models.ForeignKey(
        Indicateur,
        on_delete=models.PROTECT,
        related_name="commentaires_de_saisie",
        null=True,
        blank=True,
        verbose_name=_("indicateur"),
    )
    # Comme l'historique et les apprentissages : un compte supprimé laisse le commentaire,
    # « compte supprimé » à la place du nom.
    auteur = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="commentaires_de_saisie",
        null=True,
        blank=True,
        verbose_name=_("auteur·e"),
    )
    texte = models.TextField(_("texte"), blank=True)
    retire_le = models.DateTimeField(_("retiré le"), null=True, blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True, db_index=True)
    # L'envoi qui l'a écrit : le jeton caché du formulaire (tiré à l'affichage de la page) ou
    # l'en-tête `Idempotency-Key` de l'API. Le même envoi reçu deux fois (double clic, client
    # qui réessaie) retrouve ce commentaire au lieu d'en écrire un second; null sans jeton.
    jeton = models.UUIDField(_("jeton d'envoi"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("commentaire de saisie")
        verbose_name_plural = _("commentaires de saisie")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(texte="") | Q(retire_le__isnull=False),
                name="commentaire_saisie_a_un_texte",
                violation_error_message=_("Écrivez le commentaire."),
            ),
            # Deux envois simultanés du même jeton : le second bute sur l'index, relit le
            # premier (`services_commentaires.ecrire_commentaire`). Sans jeton (null), aucune
            # ligne n'en gêne une autre : PostgreSQL tient deux null pour distincts.
            models.UniqueConstraint(
                fields=["auteur", "jeton"], name="commentaire_saisie_jeton_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.saisie} — {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def est_retire(self) -> bool:
        return self.retire_le is not None
