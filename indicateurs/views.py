"""Pages de la saisie trimestrielle : boîte, formulaire, révision, historique, complétude; et
l'ajout d'un apprentissage à un quartier. Les vues lisent la requête, passent par le sélecteur
d'accès, appellent un service, rendent."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from evalpic.dates import date_heure_longue
from indicateurs import selectors, services
from indicateurs.forms import PREFIXES, ApprentissageForm, RevisionForm, SaisieForm
from indicateurs.models import Periode, StatutPeriode, StatutSaisie
from indicateurs.validation import ecrire_pour_saisie
from indicateurs.views_apprentissages import url_de_la_liste
from quartiers.acces import (
    Droit,
    a_le_droit,
    quartier_accessible_ou_404,
    quartiers_accessibles,
)


@login_required
@require_safe
def boite(request):
    """Ce que la personne doit saisir (coordination) et ce qu'elle doit réviser (évaluation)."""
    return TemplateResponse(
        request,
        "indicateurs/boite.html",
        {
            "lignes": selectors.boite_de_saisie(request.user),
            "a_reviser": list(selectors.file_de_revision(request.user)),
        },
    )


def _contexte_formulaire(request, quartier, periode, form=None, page=None, **extra) -> dict:
    page = page or selectors.page_de_saisie(quartier, periode)
    saisie = page.saisie
    peut_saisir = a_le_droit(request.user, Droit.SAISIR, quartier)
    modifiable = peut_saisir and services.saisie_modifiable(saisie, periode)
    # Un brouillon d'une période fermée ne se modifie plus, mais se soumet tel quel.
    soumettre_tel_quel = (
        peut_saisir and not modifiable and services.saisie_soumettable(saisie, periode)
    )
    # Incomplet, ce brouillon ne peut ni se compléter ici ni se soumettre : seul l'import (qui
    # écrit dans les périodes fermées) le complète. La page le dit au lieu d'offrir un bouton
    # que le service refuserait.
    brouillon_incomplet = soumettre_tel_quel and bool(services.manques_a_la_soumission(saisie))
    if form is None:
        form = SaisieForm(
            initial={"version": saisie.version if saisie else 1},
            lignes=page.lignes,
            lecture_seule=not modifiable,
            motif_exige=services.motif_exige(saisie.statut if saisie else None),
        )
    return {
        "empreintes": _empreintes_du_formulaire(form, page) if modifiable else None,
        "page": page,
        "quartier": quartier,
        "periode": periode,
        "saisie": saisie,
        "form": form,
        "etat": (etat := selectors.etat_de(saisie, periode)),  # celui de la boîte
        "libelle_etat": selectors.Etat.LIBELLES[etat],
        "modifiable": modifiable,
        "soumettre_tel_quel": soumettre_tel_quel and not brouillon_incomplet,
        "brouillon_incomplet": brouillon_incomplet,
        "peut_valider": a_le_droit(request.user, Droit.VALIDER, quartier),
        "revision_form": RevisionForm(initial={"version": saisie.version if saisie else 1}),
        **extra,
    }


def _empreintes_du_formulaire(form: SaisieForm, page) -> str | None:
    """Ce que le formulaire renvoie, caché, des données enregistrées à sa version
    (`services.empreintes`) : celles de la page s'il porte la version actuelle; sinon (un
    formulaire périmé revenu avec une erreur) celles qu'il avait reçues, ou rien s'il n'en avait
    pas — un conflit le traite alors comme si la personne avait tout changé."""
    actuelle = page.saisie.version if page.saisie else 1
    version = form.data.get("version") if form.is_bound else form.initial.get("version")
    if str(version) == str(actuelle):
        return services.empreintes(
            {
                ligne.indicateur.pk: services.donnee_de(ligne.valeur)
                for ligne in page.lignes
                if ligne.valeur
            }
        )
    return form.data.get("empreintes") if form.is_bound else None


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def formulaire(request, slug: str, code: str):
    quartier = selectors.quartier_et_table(request.user, slug, Droit.VOIR)
    periode = selectors.periode_par_code(code)
    if request.method != "POST":  # GET, ou HEAD qui lit la même page
        contexte = _contexte_formulaire(request, quartier, periode)
        return TemplateResponse(request, "indicateurs/formulaire.html", contexte)
    return _enregistrer(request, quartier, periode)


def _enregistrer(request, quartier, periode: Periode):
    services.exiger_droit(request.user, Droit.SAISIR, quartier.table)
    page = selectors.page_de_saisie(quartier, periode)
    saisie = page.saisie
    if request.POST.get("action") == "soumettre_tel_quel":
        return _soumettre_tel_quel(request, quartier, periode, page)
    if not services.saisie_modifiable(saisie, periode) and (
        saisie is not None or periode.statut_du_jour() == StatutPeriode.FERMEE
    ):
        # Un formulaire ouvert quand la saisie se modifiait encore (la période s'est fermée
        # entre-temps, avant ou après le premier enregistrement) : rien n'est écrit ni soumis,
        # la page montre ce qui est enregistré, et ce que la personne avait tapé.
        return _plus_modifiable(request, quartier, periode, page)
    form = SaisieForm(
        request.POST,
        lignes=page.lignes,
        motif_exige=services.motif_exige(saisie.statut if saisie else None),
    )
    if not form.is_valid():
        if request.POST.get("action") == "soumettre":  # ce qui refuserait aussi la soumission
            form.signaler_manques(
                services.manques_des_donnees(quartier.table, periode, form.donnees())
            )
        contexte = _contexte_formulaire(request, quartier, periode, form=form, page=page)
        return TemplateResponse(request, "indicateurs/formulaire.html", contexte, status=400)
    try:
        # La saisie est créée, s'il le faut, dans la transaction de l'écriture : refusée, elle
        # ne laisse ni brouillon vide ni événement « création ».
        resultat = services.enregistrer_saisie(
            table=quartier.table,
            periode=periode,
            auteur=request.user,
            version=form.cleaned_data["version"],
            donnees=form.donnees(),
            apprentissages=form.apprentissages(),
            motif=form.cleaned_data["motif"],
        )
    except services.ConflitDeVersion as conflit:
        return _conflit_de_version(request, quartier, periode, form, conflit)
    except ValidationError as erreur:
        form.erreurs_du_service(erreur)
        contexte = _contexte_formulaire(request, quartier, periode, form=form)
        return TemplateResponse(request, "indicateurs/formulaire.html", contexte, status=400)
    if request.POST.get("action") == "soumettre":
        saisie = resultat.saisie
        try:
            services.soumettre_saisie(saisie=saisie, auteur=request.user, version=saisie.version)
        except (services.ConflitDeVersion, ValidationError) as refus:
            return _brouillon_non_soumis(request, quartier, periode, form, resultat, refus)
    _annoncer(
        request, resultat, {ligne.indicateur.pk: ligne.indicateur.nom for ligne in form.lignes}
    )
    return redirect(request.path)


def _conflit_de_version(request, quartier, periode: Periode, form: SaisieForm, conflit):
    """Quelqu'un — ou un second clic — a écrit la saisie depuis l'ouverture du formulaire; rien
    de ce formulaire n'est écrit. Trois cas :

    - la saisie ne se modifie plus (soumise, validée entre-temps) : la page la montre telle
      qu'elle est enregistrée, en lecture seule, dit qui l'a soumise ou validée et quand, et
      met à côté les valeurs envoyées qui diffèrent;
    - les valeurs envoyées sont celles enregistrées et ses apprentissages sont déjà écrits (un
      double clic, le plus souvent), et la saisie n'a été ni renvoyée ni rouverte depuis
      l'ouverture du formulaire : il n'y a rien à écrire, la page le dit — et « soumettre »
      soumet la version enregistrée, qui porte ces mêmes valeurs;
    - sinon, le formulaire revient avec la version actuelle : ce que la personne a changé y
      reste, ce qu'elle n'a pas touché et que l'autre a changé y est repris (`_fusionner`), et
      les indicateurs changés des deux côtés sont comparés — enregistrer de nouveau garde les
      changements des deux et remplace sciemment les siens là seulement. Renvoyée ou rouverte
      entre-temps, la page dit par qui, quand et pourquoi : rien ne se soumet sans que la
      personne ait lu le motif.
    """
    saisie, actuelles = conflit.saisie, conflit.valeurs_actuelles
    if not services.saisie_modifiable(saisie, periode):
        return _saisie_close(request, quartier, periode, form, saisie, actuelles, statut=409)
    renvoi = None
    if saisie.statut != StatutSaisie.BROUILLON:  # un brouillon n'a jamais été renvoyé
        renvoi = services.renvoi_depuis(saisie, form.cleaned_data["version"])
    if renvoi is None and _rien_a_ecrire(request, quartier, form, saisie, actuelles):
        if request.POST.get("action") != "soumettre":
            messages.success(request, _("Ces valeurs sont déjà enregistrées : rien n'a changé."))
            return redirect(request.path)
        try:
            services.soumettre_saisie(saisie=saisie, auteur=request.user, version=saisie.version)
        except services.ConflitDeVersion as autre:  # une troisième écriture entre-temps
            return _conflit_de_version(request, quartier, periode, form, autre)
        except ValidationError as refus:
            _poser_version(form, saisie.version)
            form.erreurs_du_service(refus)
            contexte = _contexte_formulaire(request, quartier, periode, form=form)
            return TemplateResponse(request, "indicateurs/formulaire.html", contexte, status=400)
        messages.success(request, _("La saisie est soumise pour validation."))
        return redirect(request.path)
    differences, reprises = _fusionner(request, form, actuelles)
    _poser_version(form, saisie.version)
    contexte = _contexte_formulaire(
        request,
        quartier,
        periode,
        form=form,
        en_conflit=True,
        conflit=differences,
        reprises=reprises,
        conflit_renvoi=services.message_renvoi(renvoi) if renvoi else "",
    )
    return TemplateResponse(request, "indicateurs/formulaire.html", contexte, status=409)


def _fusionner(request, form: SaisieForm, actuelles: dict) -> tuple[list[dict], list[dict]]:
    """Le formulaire périmé et ce qui est enregistré (`services.fusionner`) : les champs que la
    personne n'a pas touchés prennent les valeurs enregistrées (dans `form.data`, que la page
    montre), et l'on rend les indicateurs en conflit (changés des deux côtés) et ceux repris de
    l'autre personne, décrits. Sans les empreintes de la version du formulaire (page d'avant
    elles, client qui ne les envoie pas), tout ce qui diffère est en conflit, rien n'est repris."""
    if "empreintes" not in request.POST:
        return _differences(form, actuelles), []
    fusion = services.fusionner(
        base=services.lire_empreintes(request.POST["empreintes"]),
        vos_donnees=form.donnees(),
        actuelles=actuelles,
    )
    form.data = form.data.copy()
    for pk, parties in fusion.reprises.items():
        _reprendre(form, pk, parties, fusion.donnees[pk])
    par_pk = {ligne.indicateur.pk: ligne.indicateur for ligne in form.lignes}
    conflits = [
        {
            "indicateur": par_pk[pk],
            "la_votre": _decrire(fusion.donnees[pk]),
            "l_autre": _decrire(actuelles.get(pk)),
        }
        for pk in fusion.conflits
    ]
    reprises = [
        {"indicateur": par_pk[pk], "l_autre": _decrire(actuelles.get(pk))}
        for pk in fusion.reprises
        if pk not in fusion.conflits
    ]
    return conflits, reprises


def _reprendre(form: SaisieForm, pk: int, parties: list[str], donnee) -> None:
    """Met dans les champs de l'indicateur `pk` les parties reprises de la donnée enregistrée,
    écrites comme le champ les écrit et les relit sans changement (`ecrire_pour_saisie` : en
    anglais, « 12500 » et non « 12,500 », que la lecture refuse comme ambigu)."""
    if "valeur" in parties:
        valeur = ecrire_pour_saisie(donnee.valeur) if donnee.valeur is not None else donnee.texte
        form.data[f"{PREFIXES['valeur']}{pk}"] = valeur
        form.data[f"{PREFIXES['raison']}{pk}"] = donnee.raison
        if donnee.non_disponible:
            form.data[f"{PREFIXES['non_disponible']}{pk}"] = "on"
        else:
            form.data.pop(f"{PREFIXES['non_disponible']}{pk}", None)
    if "commentaire" in parties:
        form.data[f"{PREFIXES['commentaire']}{pk}"] = donnee.commentaire
    if "preuve_url" in parties:
        form.data[f"{PREFIXES['preuve_url']}{pk}"] = donnee.preuve_url


def _plus_modifiable(request, quartier, periode: Periode, page) -> TemplateResponse:
    """Un formulaire envoyé sur une saisie qui ne se modifie plus (la période s'est fermée
    depuis son ouverture) : rien n'est écrit ni soumis; la page la montre telle qu'elle est
    enregistrée, en lecture seule, avec à côté les valeurs envoyées qui diffèrent et les
    apprentissages tapés. Sans saisie (fermée avant le premier enregistrement), la page montre
    ce qui avait été tapé."""
    form = SaisieForm(request.POST, lignes=page.lignes)
    if page.saisie is None:
        return _fermee_avant_le_premier_enregistrement(request, quartier, periode, form, page)
    actuelles = {
        ligne.indicateur.pk: services.donnee_de(ligne.valeur)
        for ligne in page.lignes
        if ligne.valeur
    }
    # 409 si la saisie a changé depuis l'ouverture du formulaire (sa version); sinon la requête
    # ne pouvait venir d'aucun formulaire modifiable : 400, comme le refus du service à l'API.
    statut = 400 if request.POST.get("version", "") == str(page.saisie.version) else 409
    valide = form.is_valid()
    return _saisie_close(
        request,
        quartier,
        periode,
        form,
        page.saisie,
        actuelles,
        statut=statut,
        valide=valide,
        page=page,
    )


def _saisie_close(
    request,
    quartier,
    periode,
    form,
    saisie,
    actuelles: dict,
    *,
    statut: int,
    valide=True,
    page=None,
):
    """La saisie ne se modifie plus (soumise, validée, période fermée) et rien n'est écrit. Le
    même envoi une seconde fois sur une saisie soumise ou validée avec ces valeurs (page
    renvoyée, client qui réessaie) : c'est fait, on le dit. Sinon, la page la montre telle
    qu'elle est enregistrée, en lecture seule, dit ce qui s'est passé et met à côté ce que la
    personne avait tapé et qui diffère."""
    if (
        valide
        and saisie.statut != StatutSaisie.BROUILLON
        and _rien_a_ecrire(request, quartier, form, saisie, actuelles)
    ):
        messages.info(request, _deja_avec_ces_valeurs(saisie))
        return redirect(request.path)
    page = page or selectors.page_de_saisie(quartier, periode)
    lecture = None  # le formulaire de la page, en lecture seule
    if tapes := _apprentissages_tapes(request, quartier, form, saisie):
        lecture = SaisieForm(
            initial={"version": page.saisie.version, **tapes},
            lignes=page.lignes,
            lecture_seule=True,
        )
    contexte = _contexte_formulaire(
        request,
        quartier,
        periode,
        form=lecture,
        page=page,
        conflit=_differences(form, actuelles, vos_vides=False) if valide else [],
        conflit_clos=_deja_decidee(saisie, periode),
        apprentissages_tapes=bool(tapes),
    )
    return TemplateResponse(request, "indicateurs/formulaire.html", contexte, status=statut)


def _fermee_avant_le_premier_enregistrement(
    request, quartier, periode: Periode, form: SaisieForm, page
) -> TemplateResponse:
    """La période s'est fermée avant le premier enregistrement de la saisie : rien n'est écrit
    (une période fermée ne reçoit plus de nouvelle saisie par le formulaire), mais rien de ce
    qui a été tapé n'est perdu — la page le montre en lecture seule, apprentissages compris,
    et dit par où le faire entrer : l'import des valeurs, qui écrit dans les périodes fermées,
    la page d'ajout d'un apprentissage, ou l'évaluation. 400, comme le refus du service."""
    tapes = {nom: request.POST[nom] for nom in form.fields if nom in request.POST}
    lecture = SaisieForm(initial=tapes, lignes=page.lignes, lecture_seule=True)
    contexte = _contexte_formulaire(
        request,
        quartier,
        periode,
        form=lecture,
        page=page,
        fermee_avant_enregistrement=True,
        apprentissages_tapes=bool(_apprentissages_tapes(request, quartier, form, None)),
    )
    return TemplateResponse(request, "indicateurs/formulaire.html", contexte, status=400)


def _apprentissages_tapes(request, quartier, form: SaisieForm, saisie) -> dict[str, str]:
    """Les rubriques d'apprentissage tapées dans le formulaire envoyé et que rien n'a écrites
    (champ → texte) : la page qui refuse l'envoi les montre en lecture seule plutôt que de les
    perdre. Celles que la saisie a déjà de cette personne (un envoi précédent) n'en sont pas."""
    tapes = {
        nom: texte
        for nom in form.fields
        if nom.startswith("app_") and (texte := (form.data.get(nom) or "").strip())
    }
    if tapes and saisie is not None and form.is_valid():
        restants = services.apprentissages_a_ecrire(
            saisie=saisie,
            quartier_id=quartier.pk,
            auteur=request.user,
            apprentissages=form.apprentissages(),
        )
        a_montrer = {f"app_{apprentissage.categorie}" for apprentissage in restants}
        tapes = {nom: texte for nom, texte in tapes.items() if nom in a_montrer}
    return tapes


def _rien_a_ecrire(request, quartier, form: SaisieForm, saisie, actuelles: dict) -> bool:
    """Le formulaire (valide) n'écrirait rien : ses données sont celles enregistrées
    (`actuelles`), selon la règle du service, et ses apprentissages sont déjà écrits dans la
    saisie par cette personne (le même formulaire envoyé deux fois : double clic, page
    renvoyée)."""
    return services.rien_a_ecrire(
        saisie=saisie,
        quartier_id=quartier.pk,
        auteur=request.user,
        actuelles=actuelles,
        donnees=form.donnees(),
        apprentissages=form.apprentissages(),
    )


def _deja_avec_ces_valeurs(saisie) -> str:
    if saisie.statut == StatutSaisie.VALIDEE:
        return _("Cette saisie est déjà validée avec ces valeurs : rien n'a changé.")
    return _("Cette saisie est déjà soumise avec ces valeurs : rien n'a changé.")


def _deja_decidee(saisie, periode: Periode) -> str:
    """Ce qu'est devenue une saisie qui ne se modifie plus, pour qui envoyait un formulaire."""
    if services.saisie_soumettable(saisie, periode):  # un brouillon d'une période fermée
        return _(
            "La période s'est fermée pendant que vous remplissiez ce formulaire : ce brouillon ne"
            " se modifie plus, mais vous pouvez encore le soumettre tel qu'il est enregistré."
            " Rien de ce que vous venez d'envoyer n'a été enregistré."
        )
    if saisie.statut == StatutSaisie.VALIDEE and saisie.validee_le:
        quand, qui = saisie.validee_le, saisie.validee_par
        modele = _(
            "Cette saisie a été validée le %(quand)s par %(qui)s pendant que vous la remplissiez :"
            " elle est verrouillée. Rien de ce que vous venez d'envoyer n'a été enregistré."
        )
    elif saisie.statut == StatutSaisie.SOUMISE and saisie.soumise_le:
        quand, qui = saisie.soumise_le, saisie.soumise_par
        modele = _(
            "Cette saisie a été soumise le %(quand)s par %(qui)s pendant que vous la remplissiez :"
            " elle attend la validation et ne se modifie plus. Rien de ce que vous venez"
            " d'envoyer n'a été enregistré."
        )
    else:
        return _(
            "Cette saisie a changé pendant que vous la remplissiez et ne se modifie plus. Rien de"
            " ce que vous venez d'envoyer n'a été enregistré."
        )
    return modele % {
        "quand": date_heure_longue(quand),
        "qui": qui or _("une personne dont le compte n'existe plus"),
    }


def _soumettre_tel_quel(request, quartier, periode: Periode, page) -> TemplateResponse:
    """Soumettre une saisie qu'on ne peut plus modifier (un brouillon d'une période fermée) :
    ses valeurs enregistrées, sans rien écrire d'autre; le formulaire est en lecture seule,
    seule sa version compte. Le service refuse ce qui ne se soumet pas (statut, période à
    venir, valeur manquante), et la page le dit. Sans saisie (bouton rejoué ou forgé : il ne
    paraît que pour un brouillon), rien n'est à soumettre : 400 et le formulaire à remplir."""
    if page.saisie is None:
        messages.error(
            request,
            _(
                "Rien n'est encore enregistré pour ce trimestre : remplissez le formulaire, "
                "puis enregistrez-le ou soumettez-le."
            ),
        )
        contexte = _contexte_formulaire(request, quartier, periode, page=page)
        return TemplateResponse(request, "indicateurs/formulaire.html", contexte, status=400)
    form = SaisieForm(request.POST, lignes=page.lignes, lecture_seule=True)
    statut = 400
    if form.is_valid():
        try:
            services.soumettre_saisie(
                saisie=page.saisie, auteur=request.user, version=form.cleaned_data["version"]
            )
        except services.ConflitDeVersion as conflit:
            # La saisie a changé (un import, par exemple) : on montre ce qui est enregistré
            # maintenant, à relire avant de soumettre.
            page = selectors.page_de_saisie(quartier, periode)
            donnees = {"version": str(conflit.saisie.version)}
            form = SaisieForm(donnees, lignes=page.lignes, lecture_seule=True)
            form.is_valid()
            form.add_error(None, _("La saisie a changé entre-temps : relisez-la avant de décider."))
            statut = 409
        except ValidationError as refus:
            form.erreurs_du_service(refus)
        else:
            messages.success(request, _("La saisie est soumise pour validation."))
            return redirect(request.path)
    contexte = _contexte_formulaire(request, quartier, periode, form=form, page=page)
    return TemplateResponse(request, "indicateurs/formulaire.html", contexte, status=statut)


def _brouillon_non_soumis(request, quartier, periode, form, resultat, refus) -> TemplateResponse:
    """Le brouillon est écrit (valeurs et apprentissages) mais la soumission est refusée : la
    page le dit, met le pourquoi à côté des champs et porte la nouvelle version. Les
    apprentissages écrits quittent le formulaire (ils paraissent dans la liste du trimestre) :
    le renvoyer les écrirait une seconde fois; les valeurs restent, les renvoyer ne change rien."""
    if isinstance(refus, services.ConflitDeVersion):  # quelqu'un a écrit entre les deux étapes
        form.add_error(None, str(refus))
    else:
        form.erreurs_du_service(refus)
    apprentissages = bool(form.apprentissages())
    _poser_version(form, resultat.saisie.version)
    for nom in form.fields:
        if nom.startswith("app_"):
            form.data.pop(nom, None)
    contexte = _contexte_formulaire(
        request,
        quartier,
        periode,
        form=form,
        brouillon_enregistre=True,
        apprentissages_enregistres=apprentissages,
    )
    statut = 409 if isinstance(refus, services.ConflitDeVersion) else 400
    return TemplateResponse(request, "indicateurs/formulaire.html", contexte, status=statut)


def _poser_version(form: SaisieForm, version: int) -> None:
    form.data = form.data.copy()
    form.data["version"] = str(version)


def _annoncer(request, resultat: services.Enregistrement, noms: dict[int, str]) -> None:
    """Le succès, puis chaque valeur inhabituelle, précédée du nom de son indicateur (la page
    l'écrit aussi à côté du champ)."""
    if resultat.saisie.statut == "soumise" or request.POST.get("action") == "soumettre":
        messages.success(request, _("La saisie est soumise pour validation."))
    else:
        messages.success(request, _("Le brouillon est enregistré."))
    for pk, message in resultat.avertissements.items():
        messages.warning(
            request,
            _("%(indicateur)s : %(message)s") % {"indicateur": noms[pk], "message": message},
        )


def _differences(form: SaisieForm, actuelles: dict, *, vos_vides: bool = True) -> list[dict]:
    """Pour chaque indicateur où les données envoyées et celles enregistrées (`actuelles`)
    diffèrent : les deux, décrites, lien vers la pièce compris. Sans `vos_vides`, les champs
    laissés vides dans le formulaire ne comptent pas (la saisie ne se modifie plus : seul ce que
    la personne avait tapé l'intéresse)."""
    vos_donnees = form.donnees()
    lignes = []
    for ligne in form.lignes:
        pk = ligne.indicateur.pk
        la_votre, l_autre = _decrire(vos_donnees.get(pk)), _decrire(actuelles.get(pk))
        if la_votre != l_autre and (la_votre or vos_vides):
            lignes.append(
                {"indicateur": ligne.indicateur, "la_votre": la_votre, "l_autre": l_autre}
            )
    return lignes


def _decrire(donnee) -> str:
    """`services.decrire` (celle de l'historique), plus le lien vers la pièce, qui compte aussi
    dans une comparaison."""
    description = services.decrire(donnee)
    if donnee is not None and donnee.preuve_url:
        piece = _("pièce : %(lien)s") % {"lien": donnee.preuve_url}
        description = f"{description} — {piece}" if description else piece
    return description


SERVICES_DE_REVISION = {
    "valider": services.valider_saisie,
    "renvoyer": services.renvoyer_saisie,
    "rouvrir": services.rouvrir_saisie,
}


@login_required
@require_POST
def revision(request, slug: str, code: str):
    """Valider, renvoyer (avec motif) ou rouvrir (avec motif) une saisie."""
    quartier = selectors.quartier_et_table(request.user, slug, Droit.VOIR)
    periode = selectors.periode_par_code(code)
    saisie = selectors.saisie_ou_404(quartier, periode)
    services.exiger_droit(request.user, Droit.VALIDER, quartier.table)
    form = RevisionForm(request.POST)
    erreur = None
    if form.is_valid():
        action = form.cleaned_data["action"]
        arguments = {
            "saisie": saisie,
            "auteur": request.user,
            "version": form.cleaned_data["version"],
        }
        if action != "valider":
            arguments["motif"] = form.cleaned_data["motif"]
        try:
            saisie = SERVICES_DE_REVISION[action](**arguments)
        except services.ConflitDeVersion:
            erreur = _("La saisie a changé entre-temps : relisez-la avant de décider.")
        except ValidationError as refus:
            champ = (
                "motif" if hasattr(refus, "error_dict") and "motif" in refus.error_dict else None
            )
            form.add_error(champ, refus.messages)
        else:
            messages.success(
                request,
                _("C'est fait : la saisie est maintenant « %(statut)s ».")
                % {"statut": saisie.get_statut_display()},
            )
            return redirect("saisie_formulaire", slug=slug, code=code)
    contexte = _contexte_formulaire(request, quartier, periode, revision_form=form)
    contexte["erreur_revision"] = erreur
    return TemplateResponse(
        request, "indicateurs/formulaire.html", contexte, status=409 if erreur else 400
    )


@login_required
@require_safe
def historique(request, slug: str, code: str):
    quartier = selectors.quartier_et_table(request.user, slug, Droit.VOIR)
    periode = selectors.periode_par_code(code)
    saisie = selectors.saisie_ou_404(quartier, periode)
    return TemplateResponse(
        request,
        "indicateurs/historique.html",
        {
            "quartier": quartier,
            "periode": periode,
            "saisie": saisie,
            "evenements": selectors.historique(saisie),
        },
    )


@login_required
@require_safe
def completude(request):
    """Pour l'évaluation : l'état de chaque table pour une période et la part des valeurs."""
    if not quartiers_accessibles(request.user, Droit.VALIDER).exists():
        raise PermissionDenied(
            _("La complétude est réservée à l'évaluation et à l'administration.")
        )
    periodes = list(Periode.objects.commencees())
    code = request.GET.get("periode")
    periode = selectors.periode_par_code(code) if code else (periodes[0] if periodes else None)
    lignes = selectors.completude(request.user, periode) if periode else []
    return TemplateResponse(
        request,
        "indicateurs/completude.html",
        {"periodes": periodes, "periode": periode, "lignes": lignes},
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def apprentissage_nouveau(request, slug: str):
    """Ajouter un apprentissage au quartier, avec le droit de commenter : sa coordination, le
    conseil qui y est affecté, l'évaluation, l'administration. 404 pour un quartier invisible,
    403 pour un quartier visible sans ce droit."""
    quartier = quartier_accessible_ou_404(request.user, slug, Droit.VOIR)
    if not a_le_droit(request.user, Droit.COMMENTER, quartier):
        raise PermissionDenied(str(services.REFUS_D_APPRENTISSAGE))
    if request.method != "POST":  # GET, ou HEAD qui lit la même page
        form = ApprentissageForm(quartier=quartier, utilisateur=request.user)
        return TemplateResponse(
            request, "indicateurs/apprentissage_nouveau.html", {"quartier": quartier, "form": form}
        )
    form = ApprentissageForm(request.POST, quartier=quartier, utilisateur=request.user)
    if form.is_valid():
        try:
            apprentissage = services.ajouter_apprentissage(
                auteur=request.user, quartier=quartier, **form.cleaned_data
            )
        except ValidationError as erreur:
            form.erreurs_du_service(erreur)
        else:
            messages.success(
                request,
                _("L'apprentissage est ajouté à %(periode)s.")
                % {"periode": apprentissage.periode.libelle},
            )
            return redirect(url_de_la_liste(quartier, apprentissage))
    contexte = {"quartier": quartier, "form": form}
    return TemplateResponse(request, "indicateurs/apprentissage_nouveau.html", contexte, status=400)
