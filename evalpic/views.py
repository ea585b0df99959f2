"""Vues transversales : choix de la langue, profil de la personne connectée, page 404."""

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.functional import Promise
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_POST
from django.views.generic import UpdateView

from evalpic.forms import JetonForm, LangueForm, ProfilForm
from evalpic.middleware import poser_temoin_de_langue
from quartiers.jetons import creer_jeton, revoquer_jeton


@require_POST
def changer_langue(request):
    """Change la langue de l'interface (témoin) et, si la personne est connectée, sa langue
    préférée (celle de ses courriels)."""
    form = LangueForm(request.POST)
    if not form.is_valid():
        return TemplateResponse(request, "langue_invalide.html", {"form": form}, status=400)
    langue = form.cleaned_data["langue"]
    suivant = form.cleaned_data["suivant"]
    if not url_has_allowed_host_and_scheme(
        suivant, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        suivant = reverse("accueil")
    if request.user.is_authenticated and request.user.langue != langue:
        request.user.langue = langue
        request.user.save(update_fields=["langue"])
    response = HttpResponseRedirect(suivant)
    poser_temoin_de_langue(response, langue)
    return response


# La clé d'un jeton qui vient d'être créé, gardée dans la session (côté serveur) le temps de la
# redirection, puis montrée une fois par le profil et oubliée.
SESSION_NOUVEAU_JETON = "evalpic_nouveau_jeton"


class ProfilView(LoginRequiredMixin, UpdateView):
    # UpdateView traiterait PUT comme POST : la page se lit et s'envoie, rien d'autre.
    http_method_names = ["get", "head", "post"]
    form_class = ProfilForm
    template_name = "profil.html"
    success_url = reverse_lazy("profil")
    nouveau_jeton: dict | None = None

    def get_object(self, queryset=None):
        return self.request.user

    def get(self, request, *args, **kwargs):
        self.nouveau_jeton = request.session.pop(SESSION_NOUVEAU_JETON, None)
        response = super().get(request, *args, **kwargs)
        if self.nouveau_jeton:  # la clé ne doit rester dans aucun cache
            add_never_cache_headers(response)
        return response

    def get_context_data(self, **kwargs):
        contexte = super().get_context_data(**kwargs)
        contexte.setdefault("jeton_form", JetonForm())
        contexte["jetons"] = self.request.user.jetons.all()
        if self.nouveau_jeton:
            contexte["nouveau_jeton"] = {"nom": self.nouveau_jeton["nom"]}
            contexte["cle"] = self.nouveau_jeton["cle"]
        return contexte

    def form_valid(self, form):
        response = super().form_valid(form)
        poser_temoin_de_langue(response, form.instance.langue)
        with translation.override(form.instance.langue):
            messages.success(self.request, _("Votre profil est enregistré."))
        return response


@login_required
@require_POST
@reauthentication_required(app="allauth.account")
def creer_jeton_api(request):
    """Crée un jeton personnel puis redirige vers le profil (post/redirect/get : recharger la
    page ne crée pas un second jeton), qui montre sa clé une seule fois.

    Comme ajouter un courriel, créer un jeton demande d'avoir confirmé son identité depuis moins
    de cinq minutes (`ACCOUNT_REAUTHENTICATION_REQUIRED`) : une session volée ne suffit pas à se
    donner un accès à l'API qui lui survive. Sinon allauth garde la demande, fait confirmer le mot
    de passe (ou le code TOTP, pour qui a la double authentification) puis la rejoue."""
    form = JetonForm(request.POST)
    if form.is_valid():
        try:
            jeton, cle = creer_jeton(
                utilisateur=request.user,
                nom=form.cleaned_data["nom"],
                cle_envoi=form.cleaned_data["envoi"],
            )
        except ValidationError as erreur:
            form.add_error(None, erreur)
        else:
            if cle is None:  # le même formulaire, déjà envoyé : sa clé a été donnée alors
                messages.info(
                    request,
                    _("Ce formulaire a déjà créé le jeton « %(nom)s ».") % {"nom": jeton.nom},
                )
            else:
                request.session[SESSION_NOUVEAU_JETON] = {"nom": jeton.nom, "cle": cle}
            return HttpResponseRedirect(reverse("profil") + "#jetons")
    contexte = {
        "form": ProfilForm(instance=request.user),
        "jeton_form": form,
        "jetons": request.user.jetons.all(),
    }
    return TemplateResponse(request, "profil.html", contexte, status=400)


@login_required
@require_POST
def revoquer_jeton_api(request, pk: int):
    """Révoque un de ses propres jetons (celui d'une autre personne : 404)."""
    jeton = request.user.jetons.filter(pk=pk).first()
    if jeton is None:
        raise Http404(_("Jeton introuvable."))
    revoquer_jeton(jeton=jeton)
    messages.success(request, _("Le jeton est révoqué : il ne donne plus accès à l'API."))
    return redirect("profil")


@requires_csrf_token
def page_introuvable(request, exception=None):
    """La page 404 du site, avec la raison que le code a donnée (« Période introuvable. »,
    « Ce quartier n'a pas de table. ») : un 404 dit pourquoi. Une adresse qui ne correspond à
    rien n'a pas de raison (Django y met un dictionnaire) : le texte général suffit."""
    raison = exception.args[0] if exception is not None and exception.args else ""
    if not isinstance(raison, str | Promise):
        raison = ""
    return render(request, "404.html", {"raison": raison}, status=404)
