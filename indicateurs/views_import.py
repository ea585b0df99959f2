"""Import des valeurs historiques d'une table (CSV ou XLSX) et modèles à télécharger.
Les vues lisent la requête, passent par le sélecteur d'accès, appellent `lecture_import`,
`importation` et `modele_import`, rendent."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_safe

from evalpic.securite import taille_lisible
from indicateurs import controle_fichiers, importation, lecture_import, selectors, services
from indicateurs.modele_import import TYPE_XLSX, modele_csv, modele_xlsx, periode_du_modele
from quartiers.acces import Droit

PROBLEMES_AFFICHES = 500


class ImportForm(forms.Form):
    """Le fichier à importer; il est lu (et refusé s'il est illisible) dès la validation."""

    fichier = forms.FileField(
        label=_("Fichier CSV ou XLSX"),
        widget=forms.FileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fichier"].help_text = _(
            "Au plus %(taille)s et %(lignes)s lignes, selon le modèle ci-dessus."
        ) % {
            "taille": taille_lisible(controle_fichiers.taille_max()),
            "lignes": number_format(lecture_import.LIGNES_MAX, force_grouping=True),
        }

    def clean_fichier(self):
        fichier = self.cleaned_data["fichier"]
        controle_fichiers.verifier_taille(fichier.size)
        self.lignes = lecture_import.lire_fichier(fichier, fichier.name)
        return fichier


def _page(request, quartier, form, rapport=None, essai=False, status=200):
    problemes = rapport.problemes if rapport else []
    contexte = {
        "quartier": quartier,
        "form": form,
        "rapport": rapport,
        "essai": essai,
        "problemes": problemes[:PROBLEMES_AFFICHES],
        "problemes_caches": max(0, len(problemes) - PROBLEMES_AFFICHES),
        "periode_modele": periode_du_modele(),
    }
    return TemplateResponse(request, "indicateurs/import.html", contexte, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def import_valeurs(request, slug: str):
    """« Vérifier » (essai, n'écrit rien) ou « Importer » (tout ou rien) un fichier de valeurs."""
    quartier = selectors.quartier_et_table(request.user, slug, Droit.VOIR)
    services.exiger_droit(request.user, Droit.SAISIR, quartier.table)
    if request.method != "POST":  # GET, ou HEAD qui lit la même page
        return _page(request, quartier, ImportForm())
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, quartier, form, status=400)
    if request.POST.get("action") != "importer":
        rapport = importation.verifier_import(table=quartier.table, lignes=form.lignes)
        statut = 200 if rapport.est_valide else 400
        return _page(request, quartier, form, rapport, essai=True, status=statut)
    nom_fichier = form.cleaned_data["fichier"].name
    rapport = importation.importer(
        table=quartier.table, lignes=form.lignes, auteur=request.user, nom_fichier=nom_fichier
    )
    if not rapport.est_valide:
        return _page(request, quartier, form, rapport, status=400)
    _annoncer(request, rapport, nom_fichier)
    return redirect("import_valeurs", slug=slug)


def _annoncer(request, rapport: importation.RapportImport, nom_fichier: str) -> None:
    """Ce que l'import a fait : les valeurs du fichier, dont celles qui étaient nouvelles, celles
    qu'il a changées et celles qu'il redisait telles quelles (rien d'écrit pour elles)."""
    nombre = len(rapport.lignes_valides)
    decompte = rapport.decompte()
    parties = {
        cle: sum(periode[cle] for periode in decompte)
        for cle in ("nouvelles", "modifiees", "inchangees")
    }
    messages.success(
        request,
        ngettext(
            "Le fichier « %(fichier)s » est importé : %(nombre)s valeur pour %(periodes)s"
            " (nouvelles : %(nouvelles)s; modifiées : %(modifiees)s; inchangées : %(inchangees)s).",
            "Le fichier « %(fichier)s » est importé : %(nombre)s valeurs pour %(periodes)s"
            " (nouvelles : %(nouvelles)s; modifiées : %(modifiees)s; inchangées : %(inchangees)s).",
            nombre,
        )
        % {
            "fichier": nom_fichier,
            "nombre": nombre,
            "periodes": ", ".join(p.libelle for p, _lignes in rapport.par_periode()),
            **parties,
        },
    )


@login_required
@require_safe
def modele_import(request, slug: str, format: str):
    """Le modèle d'import de la table, en CSV ou en XLSX, prérempli pour la période en cours
    (ou celle de `?periode=2024-T1`)."""
    if format not in ("csv", "xlsx"):
        raise Http404(_("Format inconnu."))
    quartier = selectors.quartier_et_table(request.user, slug, Droit.VOIR)
    code = request.GET.get("periode")
    periode = selectors.periode_par_code(code) if code else periode_du_modele()
    if format == "csv":
        # L'indicateur d'ordre d'octets (BOM) fait lire l'UTF-8 correctement par Excel.
        contenu = "\ufeff" + modele_csv(quartier.table, periode)
        reponse = HttpResponse(contenu, content_type="text/csv; charset=utf-8")
    else:
        contenu = modele_xlsx(quartier.table, periode)
        reponse = HttpResponse(contenu, content_type=TYPE_XLSX)
    reponse["Content-Disposition"] = f'attachment; filename="modele-import-{slug}.{format}"'
    return reponse
