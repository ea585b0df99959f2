"""Vues transversales : choix de la langue et profil de la personne connectée."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import UpdateView

from evalpic.forms import LangueForm, ProfilForm


def _poser_langue(response, langue: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        langue,
        max_age=settings.LANGUAGE_COOKIE_AGE or 365 * 24 * 3600,
        samesite="Lax",
        secure=not settings.DEBUG,
    )


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
    _poser_langue(response, langue)
    return response


class ProfilView(LoginRequiredMixin, UpdateView):
    form_class = ProfilForm
    template_name = "profil.html"
    success_url = reverse_lazy("profil")

    def get_object(self, queryset=None):
        return self.request.user

    def form_valid(self, form):
        response = super().form_valid(form)
        _poser_langue(response, form.instance.langue)
        with translation.override(form.instance.langue):
            messages.success(self.request, _("Votre profil est enregistré."))
        return response
