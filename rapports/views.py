"""Tableaux de bord : vue d'ensemble du PIC, quartier, théorie du changement, un indicateur
entre quartiers. Chaque graphique a son tableau de données et son CSV (`?csv=<nom>`). Un filtre
invalide répond 400 avec son message à côté du champ, que la page ou un CSV soit demandé."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import quote, urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from indicateurs.models import Calcul, EtatDeMesure
from rapports import graphique_theorie, graphiques, selectors
from rapports.csv import reponse_csv
from rapports.forms import FiltreForm
from rapports.series import Statut
from rapports.statuts import libelles_des_statuts, normaliser


def _filtre(request) -> tuple[FiltreForm, bool, str]:
    """Le filtre de l'adresse, s'il est valide, et le tableau de données demandé (`?csv=<nom>`,
    vide pour la page). Sous un filtre invalide, aucun CSV : la page répond 400 avec le message
    à côté du champ, plutôt qu'un CSV du filtre par défaut pris pour celui demandé."""
    form = FiltreForm(request.GET or None)
    valide = not form.is_bound or form.is_valid()
    return form, valide, request.GET.get("csv", "") if valide else ""


def _requete_du_filtre(form: FiltreForm, valide: bool) -> str:
    """Le filtre à garder dans les liens de la page (sans « ? ») : ses champs choisis, s'il est
    valide. Sous un filtre invalide, vide : les liens mènent au filtre par défaut au lieu de
    répéter l'erreur (chaque quartier, chaque CSV aurait été un autre 400)."""
    if not (valide and form.is_bound):
        return ""
    donnees = form.cleaned_data
    return urlencode([(nom, donnees[nom]) for nom in form.fields if donnees.get(nom)])


def _adresses_des_indicateurs(requete: str = "") -> Callable[[str], str]:
    """Code → adresse de la page d'un indicateur entre les quartiers, suivie du filtre `requete`
    (`_requete_du_filtre`). L'adresse est construite une fois, un code est mis à la place de la
    marque : le tableau d'un quartier nomme jusqu'à 125 indicateurs, autant de `reverse()`."""
    marque = "CODE"
    avant, _marque, apres = reverse("indicateur_entre_quartiers", args=[marque]).rpartition(marque)
    apres = f"{apres}?{requete}" if requete else apres
    return lambda code: f"{avant}{quote(code, safe='')}{apres}"


def _rendre(
    request, gabarit: str, contexte: dict, form: FiltreForm, valide: bool
) -> TemplateResponse:
    """La page du tableau de bord, 400 sous un filtre invalide. Le gabarit reçoit le filtre à
    garder dans ses liens (`requete_du_filtre`) et s'il est valide (`filtre_valide` : sinon,
    pas de lien CSV, qui ne servirait que l'erreur)."""
    contexte |= {"filtre_valide": valide, "requete_du_filtre": _requete_du_filtre(form, valide)}
    return TemplateResponse(request, gabarit, contexte, status=200 if valide else 400)


# --- Vue d'ensemble -----------------------------------------------------------------------------


@login_required
@require_safe
def tableau_pic(request):
    form, valide, csv = _filtre(request)
    tableau = selectors.tableau_pic(request.user, form.filtre())
    periodes = [p.libelle for p in tableau.filtre.periodes]
    if csv:
        return _csv_pic(csv, tableau, periodes)
    avec, sans_donnees = tableau.avec_et_sans_donnees()
    lignes = [ligne for ligne, _parts in avec]
    noms = [ligne.quartier.nom for ligne in lignes]
    partenaires = {
        ligne.quartier.nom: {"partenaires": ligne.partenaires, "diversite": ligne.diversite}
        for ligne in tableau.lignes
    }
    figures = {
        "progression": graphiques.progression_quartiers(
            [(ligne.quartier.nom, ligne.statuts) for ligne in lignes]
        ),
        "completude": graphiques.carte_completude(noms, periodes, [p for _l, p in avec]),
        "partenaires": graphiques.croissance_partenaires(periodes, partenaires),
    }
    contexte = {
        "form": form,
        "tableau": tableau,
        "lignes": lignes,
        "sans_donnees": sans_donnees,
        "sans_partenaires": graphiques.sans_partenaires(partenaires),
        "periodes": periodes,
        "figures": figures,
        "statuts": Statut.choices,
        "calculs": _calculs(_requete_du_filtre(form, valide)),
        "completude": [(ligne.quartier.nom, parts) for ligne, parts in avec],
    }
    return _rendre(request, "rapports/tableau_pic.html", contexte, form, valide)


def _calculs(requete: str) -> list[tuple[str, str, str]]:
    """Les indicateurs calculés du tableau (`Calcul`) : valeur, libellé et adresse de la page de
    l'indicateur du catalogue qui les porte (vide s'il n'y en a pas). Une requête."""
    codes = selectors.indicateurs_des_calculs()
    adresse = _adresses_des_indicateurs(requete)
    return [
        (calcul, libelle, adresse(codes[calcul]) if calcul in codes else "")
        for calcul, libelle in Calcul.choices
        if calcul
    ]


def _csv_pic(nom: str, tableau, periodes: list[str]):
    if nom == "progression":
        entetes = [_("Quartier"), *[str(libelle) for _code, libelle in Statut.choices]]
        lignes = [[q.quartier.nom, *[q.statuts[s] for s in Statut.values]] for q in tableau.lignes]
        return reponse_csv("progression-quartiers", entetes, lignes)
    if nom == "completude":
        lignes = [
            [q.quartier.nom, *parts]
            for q, parts in zip(tableau.lignes, tableau.completude, strict=True)
        ]
        return reponse_csv("completude", [_("Quartier"), *periodes], lignes)
    if nom == "partenaires":
        entetes = [_("Quartier"), _("Période"), _("Partenaires actifs"), _("Diversité (Shannon)")]
        lignes = [
            [q.quartier.nom, periode, partenaires, diversite]
            for q in tableau.lignes
            for periode, partenaires, diversite in zip(
                periodes, q.partenaires, q.diversite, strict=True
            )
        ]
        return reponse_csv("partenaires", entetes, lignes)
    raise Http404(_("Ce tableau de données n'existe pas."))


# --- Un quartier --------------------------------------------------------------------------------


@login_required
@require_safe
def tableau_quartier(request, slug: str):
    form, valide, csv = _filtre(request)
    tableau = selectors.tableau_quartier(request.user, slug, form.filtre())
    if csv:
        if csv != "series":
            raise Http404(_("Ce tableau de données n'existe pas."))
        return reponse_csv(f"indicateurs-{slug}", _entetes_series(), _lignes_series(tableau))
    adresse = _adresses_des_indicateurs(_requete_du_filtre(form, valide))
    groupes = [
        {
            "changement": groupe.changement,
            "courbes": [
                {
                    "serie": serie,
                    "statut": etat,
                    "libelle_statut": libelles_des_statuts()[etat],
                    "figure": graphiques.courbe_a_renverser(serie),
                    "lignes": graphiques.lignes_de_la_courbe(serie),
                    "adresse": adresse(serie.code),  # l'indicateur entre les quartiers
                }
                for serie, etat in groupe.series
            ],
        }
        for groupe in tableau.groupes
    ]
    contexte = {"form": form, "tableau": tableau, "quartier": tableau.quartier, "groupes": groupes}
    return _rendre(request, "rapports/tableau_quartier.html", contexte, form, valide)


def _entetes_series() -> list[str]:
    return [
        _("Indicateur"),
        _("Nom"),
        _("Période"),
        _("Valeur"),
        _("Cible"),
        _("Référence"),
        *_entetes_absence(),
    ]


def _entetes_absence() -> list[str]:
    """Les deux colonnes d'une valeur « non disponible », comme l'export des valeurs."""
    return [_("Non disponible"), _("Raison de l'absence")]


def _lignes_series(tableau):
    oui, non = _("oui"), _("non")
    for groupe in tableau.groupes:
        for serie, _etat in groupe.series:
            for ligne in graphiques.lignes_de_la_courbe(serie):
                yield [
                    serie.code,
                    serie.nom,
                    ligne["periode"],
                    ligne.get("texte") or ligne["valeur"],  # le texte d'un indicateur en texte
                    ligne["cible"],
                    ligne["reference"],
                    oui if ligne["non_disponible"] else non,
                    ligne["raison"],
                ]


# --- Théorie du changement ----------------------------------------------------------------------


@login_required
@require_safe
def theorie_du_changement(request, slug: str):
    theorie = selectors.theorie_du_changement(request.user, slug, _version(request))
    adresse = _adresses_des_indicateurs()
    # Un indicateur proposé ou retiré n'a pas de page entre les quartiers (404) : nommé sans lien.
    sans_page = {EtatDeMesure.PROPOSE, EtatDeMesure.RETIRE}
    contexte = {
        "theorie": theorie,
        "quartier": theorie.quartier,
        "figure": graphique_theorie.graphe_theorie_du_changement(theorie.noeuds, theorie.liens),
        "familles": graphique_theorie.legende_des_familles(theorie.noeuds),
        "adresses": {
            code: adresse(code)
            for noeud in theorie.noeuds
            for code in noeud["indicateurs"]
            if noeud["non_mesures"].get(code) not in sans_page
        },
        "couleur_non_mesure": graphique_theorie.COULEUR_NON_MESURE,
        "fond_non_mesure": graphique_theorie.FOND_NON_MESURE,
    }
    return TemplateResponse(request, "rapports/theorie.html", contexte)


def _version(request) -> int | None:
    """La version demandée (`?version=`) : des chiffres 0-9 seulement, sinon 404. Pas
    `str.isdigit()`, vrai pour « ² » (qu'int() refuse) et pour « １ » (qu'int() lit 1)."""
    texte = request.GET.get("version")
    if texte is None:
        return None
    if re.fullmatch(r"[0-9]+", texte):
        try:
            return int(texte)
        except ValueError:  # plus de chiffres qu'int() n'en accepte (sys.int_info)
            pass
    raise Http404(_("Version introuvable."))


# --- Un indicateur entre quartiers --------------------------------------------------------------


@login_required
@require_safe
def indicateur_entre_quartiers(request, code: str):
    form, valide, csv = _filtre(request)
    vue = selectors.indicateur_entre_quartiers(request.user, code, form.filtre())
    if csv:
        if csv != "quartiers":
            raise Http404(_("Ce tableau de données n'existe pas."))
        oui, non = _("oui"), _("non")
        lignes = [
            [
                s.quartier,
                p.libelle,
                p.texte or p.valeur,
                s.reference,
                oui if p.non_disponible else non,
                p.raison,
            ]
            for s in vue.series
            for p in s.points
        ]
        entetes = [_("Quartier"), _("Période"), _("Valeur"), _("Référence"), *_entetes_absence()]
        return reponse_csv(f"indicateur-{code}", entetes, lignes)
    contexte = {
        "form": form,
        "vue": vue,
        "figure": (
            None
            if vue.en_texte  # ses textes en tableaux, sans petits multiples
            else graphiques.petits_multiples([(s.quartier, normaliser(s)) for s in vue.series])
        ),
        "periodes": [p.libelle for p in vue.filtre.periodes],
    }
    return _rendre(request, "rapports/indicateur.html", contexte, form, valide)
