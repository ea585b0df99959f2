"""Les adresses d'ÉvalPIC. Les chemins sont en français, comme les noms d'URL.

Aucune adresse ne sert MEDIA_ROOT tel quel, même en développement : les fichiers des bilans ne
sortent que par /bilans/<id>/fichier.<format>, qui revérifie l'accès à chaque téléchargement."""

from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from evalpic import sante, views
from quartiers.views_courriels import page_des_courriels

# La connexion à /admin/ passe par celle d'allauth : mêmes limites d'essais, même étape MFA.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = _("Administration d'ÉvalPIC")
admin.site.site_title = _("Administration d'ÉvalPIC")
admin.site.index_title = _("Données de la plateforme")
handler400 = "evalpic.securite.requete_invalide"
handler404 = "evalpic.views.page_introuvable"


class IconeDuSite(RedirectView):
    """/favicon.ico, que les navigateurs demandent d'office (et les pages sans `<link rel="icon">` :
    PDF, JSON) : l'icône des fichiers statiques, sous son nom stable (sans empreinte, que
    collectstatic garde aussi) pour qu'une redirection permanente reste juste d'une version à
    l'autre."""

    http_method_names = ["get", "head"]

    permanent = True

    def get_redirect_url(self, *args, **kwargs) -> str:
        return f"{settings.STATIC_URL}img/evalpic.svg"


urlpatterns = [
    path("favicon.ico", IconeDuSite.as_view(), name="icone_du_site"),
    path("", include("quartiers.urls")),
    path("", include("indicateurs.urls")),
    path("", include("indicateurs.urls_import")),
    path("", include("indicateurs.urls_catalogue")),
    path("", include("indicateurs.urls_strategie")),
    path("", include("indicateurs.urls_actions")),
    path("", include("indicateurs.urls_commentaires")),
    path("", include("rapports.urls")),
    # Avant celles d'allauth : sa page des courriels, avec la règle du courriel principal.
    path("comptes/email/", page_des_courriels, name="account_email"),
    path("comptes/", include("allauth.urls")),
    path("profil/", views.ProfilView.as_view(), name="profil"),
    path("profil/jetons/", views.creer_jeton_api, name="creer_jeton_api"),
    path("profil/jetons/<int:pk>/revoquer/", views.revoquer_jeton_api, name="revoquer_jeton_api"),
    path("langue/", views.changer_langue, name="changer_langue"),
    path("sante/", sante.sante, name="sante"),
    path("api/", include("evalpic.api.urls")),
    path("admin/", admin.site.urls),
]
