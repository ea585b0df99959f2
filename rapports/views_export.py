"""L'export CSV de toutes les valeurs visibles : une page pour choisir les filtres, et le
fichier lui-même, en flux (`rapports.export_valeurs`)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import StreamingHttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from rapports.export_valeurs import flux_csv
from rapports.forms_export import ExportValeursForm

GABARIT = "rapports/export_valeurs.html"


@login_required
@require_safe
def export_valeurs(request):
    """La page de l'export : ses filtres, préremplis depuis l'adresse (`?quartier=…`)."""
    form = ExportValeursForm(initial=request.GET.dict(), utilisateur=request.user)
    return TemplateResponse(request, GABARIT, {"form": form})


@login_required
@require_safe
def export_valeurs_csv(request):
    """Le CSV, lu et envoyé par blocs; un filtre invalide répond 400 avec la page et son
    message."""
    form = ExportValeursForm(request.GET or None, utilisateur=request.user)
    if form.is_bound and not form.is_valid():
        return TemplateResponse(request, GABARIT, {"form": form}, status=400)
    reponse = StreamingHttpResponse(
        flux_csv(request.user, form.filtres()), content_type="text/csv; charset=utf-8"
    )
    jour = timezone.localdate().isoformat()
    reponse["Content-Disposition"] = f'attachment; filename="valeurs-evalpic-{jour}.csv"'
    patch_cache_control(reponse, private=True, no_store=True)
    return reponse
