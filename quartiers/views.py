"""Pages des quartiers : l'accueil (les quartiers qu'on peut voir) et la page d'un quartier."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from quartiers import selectors
from quartiers.acces import Droit, a_le_droit


@login_required
@require_safe
def accueil(request):
    quartiers = selectors.quartiers_pour_accueil(request.user)
    return render(request, "quartiers/accueil.html", {"quartiers": quartiers})


@login_required
@require_safe
def detail(request, slug: str):
    page = selectors.page_quartier(request.user, slug)
    contexte = {
        "page": page,
        "quartier": page.quartier,
        "peut_saisir": a_le_droit(request.user, Droit.SAISIR, page.quartier),
        "peut_commenter": a_le_droit(request.user, Droit.COMMENTER, page.quartier),
    }
    return render(request, "quartiers/detail.html", contexte)
