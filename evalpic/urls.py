"""Les adresses d'ÉvalPIC. Les chemins sont en français, comme les noms d'URL."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from evalpic import sante, views

urlpatterns = [
    path("", include("quartiers.urls")),
    path("", include("indicateurs.urls")),
    path("", include("indicateurs.urls_import")),
    path("", include("rapports.urls")),
    path("comptes/", include("allauth.urls")),
    path("profil/", views.ProfilView.as_view(), name="profil"),
    path("profil/jetons/", views.creer_jeton_api, name="creer_jeton_api"),
    path("profil/jetons/<int:pk>/revoquer/", views.revoquer_jeton_api, name="revoquer_jeton_api"),
    path("langue/", views.changer_langue, name="changer_langue"),
    path("sante/", sante.sante, name="sante"),
    path("api/", include("evalpic.api.urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
