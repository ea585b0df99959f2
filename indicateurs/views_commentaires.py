"""Les commentaires d'une saisie : la page qui les liste (qui voit le quartier la lit), l'ajout
(le droit de commenter) et le retrait de son propre commentaire. Les pages de la saisie
(formulaire, révision, historique) montrent la même liste et le même formulaire
(`indicateurs/_commentaires.html`, balise `commentaires_de_la_saisie`), qui envoient ici.
Les règles sont celles de `indicateurs.services_commentaires`."""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from evalpic.widgets import ListeDeroulante
from indicateurs import selectors, services_commentaires
from indicateurs.models import CommentaireSaisie, Indicateur, Saisie
from indicateurs.validation import LONGUEUR_TEXTE_MAX
from quartiers.acces import Droit

# La page où revenir après l'envoi : celle d'où il part (formulaire ou historique), sinon la
# page des commentaires. Une liste fermée : jamais une adresse reçue telle quelle.
RETOURS = {"formulaire": "saisie_formulaire", "historique": "saisie_historique"}


class CommentaireForm(forms.Form):
    """Un commentaire : son texte et, au besoin, l'indicateur de la saisie qu'il vise."""

    indicateur = forms.ModelChoiceField(
        label=gettext_lazy("Indicateur"),
        help_text=gettext_lazy("Facultatif. Sans indicateur, le commentaire vise toute la saisie."),
        queryset=Indicateur.objects.none(),
        required=False,
        empty_label=gettext_lazy("Toute la saisie"),
        error_messages={
            "invalid_choice": gettext_lazy("Cet indicateur ne fait pas partie de cette saisie.")
        },
        widget=ListeDeroulante,
    )
    texte = forms.CharField(
        label=gettext_lazy("Commentaire"),
        help_text=gettext_lazy(
            "Visible de qui voit le quartier; il ne change pas les données et ne paraît pas "
            "dans les bilans."
        ),
        max_length=LONGUEUR_TEXTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    retour = forms.CharField(required=False, widget=forms.HiddenInput)
    # Tiré à l'affichage de la page : le même envoi reçu deux fois (double clic, page renvoyée)
    # n'écrit qu'un commentaire (`services_commentaires.ecrire_commentaire`).
    jeton = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, saisie: Saisie, **kwargs):
        kwargs.setdefault("prefix", "commentaire")
        super().__init__(*args, **kwargs)
        self.saisie = saisie
        self.fields["indicateur"].queryset = services_commentaires.indicateurs_commentables(saisie)
        # Le texte se vérifie au service (texte_saisi : un texte invisible est vide), avec
        # le même message que l'API; le champ reste marqué obligatoire à l'écran.
        self.fields["texte"].required = False
        self.fields["texte"].widget.is_required = True

    def clean(self):
        # Un champ caché n'a pas de place pour son message : il va en tête du formulaire.
        if self.errors.pop("jeton", None):
            self.add_error(
                None,
                _("Le formulaire a été modifié : rechargez la page, puis envoyez le commentaire."),
            )
        return super().clean()

    def avec_un_nouveau_jeton(self) -> CommentaireForm:
        """Le même envoi, son jeton remplacé par un nouveau : l'envoyer de nouveau l'écrit."""
        donnees = self.data.copy()
        donnees[self.add_prefix("jeton")] = str(uuid.uuid4())
        return CommentaireForm(donnees, saisie=self.saisie)


def url_de_retour(saisie: Saisie, retour: str = "") -> str:
    """La page de la saisie où revenir, ancrée sur les commentaires."""
    quartier, periode = saisie.table.quartier, saisie.periode
    nom = RETOURS.get(retour, "saisie_commentaires")
    url = reverse(nom, kwargs={"slug": quartier.slug, "code": periode.code})
    return f"{url}#commentaires"


def _saisie(request, slug: str, code: str) -> Saisie:
    """La saisie du quartier `slug` pour la période `code`, si la personne voit le quartier;
    sinon 404 (quartier invisible, période ou saisie inexistante)."""
    quartier = selectors.quartier_et_table(request.user, slug, Droit.VOIR)
    periode = selectors.periode_par_code(code)
    saisie = selectors.saisie_ou_404(quartier, periode)
    saisie.table.quartier = quartier  # déjà lu, avec sa table
    saisie.periode = periode
    return saisie


def contexte_des_commentaires(
    utilisateur, saisie: Saisie, form: CommentaireForm | None = None, retour: str = ""
) -> dict:
    """Ce que montre `_commentaires_liste.html` : les commentaires (une requête), le droit de
    commenter (le sélecteur d'accès) et le formulaire, s'il y a lieu (les indicateurs de la
    saisie, une requête)."""
    peut = services_commentaires.peut_commenter(utilisateur, saisie)
    if peut and form is None:
        form = CommentaireForm(saisie=saisie, initial={"retour": retour, "jeton": uuid.uuid4()})
    return {
        "commentaires": services_commentaires.commentaires_de(saisie),
        "peut_commenter": peut,
        "form_commentaire": form if peut else None,
        "saisie_commentee": saisie,
        "utilisateur_id": utilisateur.pk,
        "retour": retour,
    }


def _page(request, saisie: Saisie, form: CommentaireForm | None = None, status: int = 200):
    """La page des commentaires; `status` 400 ou 409 avec le formulaire envoyé."""
    contexte = {
        "quartier": saisie.table.quartier,
        "periode": saisie.periode,
        "saisie": saisie,
        **contexte_des_commentaires(request.user, saisie, form),
    }
    return TemplateResponse(request, "indicateurs/commentaires.html", contexte, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def commentaires(request, slug: str, code: str):
    """La discussion d'une saisie (GET); l'ajout d'un commentaire (POST) : retour à la page
    d'où il part avec un message; une erreur répond 400 sur cette page, le texte gardé, rien
    d'écrit. Le même envoi reçu de nouveau (son jeton) réussit pareil sans rien écrire; son
    jeton réutilisé pour un autre texte (une page revenue en arrière puis modifiée) répond
    409, le texte gardé avec un nouveau jeton : l'envoyer de nouveau l'ajoute."""
    saisie = _saisie(request, slug, code)
    if request.method != "POST":
        return _page(request, saisie)
    # Le droit avant le contenu : sans lui, 403, pas une erreur de champ.
    services_commentaires.exiger_de_pouvoir_commenter(request.user, saisie)
    form = CommentaireForm(request.POST, saisie=saisie)
    if form.is_valid():
        try:
            services_commentaires.commenter(
                auteur=request.user,
                saisie=saisie,
                texte=form.cleaned_data["texte"],
                indicateur=form.cleaned_data["indicateur"],
                jeton=form.cleaned_data["jeton"],
            )
        except ValidationError as refus:
            form.add_error(None, refus)
        except services_commentaires.JetonDejaUtilise:
            form = form.avec_un_nouveau_jeton()
            form.is_valid()
            form.add_error(
                None,
                _(
                    "Ce formulaire a déjà ajouté un autre commentaire (dans la liste). Votre "
                    "texte est gardé : envoyez-le de nouveau pour l'ajouter aussi."
                ),
            )
            return _page(request, saisie, form, status=409)
        else:
            messages.success(request, _("Votre commentaire est ajouté."))
            return redirect(url_de_retour(saisie, form.cleaned_data["retour"]))
    return _page(request, saisie, form, status=400)


@login_required
@require_POST
def commentaire_retirer(request, slug: str, code: str, pk: int):
    """Retire son propre commentaire (le texte effacé, « commentaire retiré » à sa place)."""
    saisie = _saisie(request, slug, code)
    commentaire = CommentaireSaisie.objects.filter(saisie=saisie, pk=pk).first()
    if commentaire is None:
        raise Http404(_("Commentaire introuvable."))
    commentaire.saisie = saisie
    services_commentaires.retirer_commentaire(auteur=request.user, commentaire=commentaire)
    messages.success(request, _("Votre commentaire est retiré."))
    retour = request.POST.get("retour", "")
    return redirect(url_de_retour(saisie, retour if retour in RETOURS else ""))
