"""Le formulaire de saisie trimestrielle, construit à partir des indicateurs suivis, les
formulaires du circuit de validation et celui d'un apprentissage ajouté à un quartier."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from evalpic.forms import ErreursDuServiceMixin
from evalpic.textes import texte_saisi
from evalpic.widgets import ListeDeroulante
from indicateurs.models import (
    CategorieApprentissage,
    ChangementVise,
    Indicateur,
    IndicateurSuivi,
    ModeCollecte,
    Periode,
    StatutStrategie,
    Unite,
    Valeur,
)
from indicateurs.selectors import LigneFormulaire
from indicateurs.services import (
    LONGUEUR_MOTIF_MAX,
    MOTIF_DE_MODIFICATION_EXIGE,
    DonneeApprentissage,
    donnee_de,
    donnee_inchangee,
    nettoyer,
)
from indicateurs.validation import (
    LONGUEUR_RAISON_MAX,
    LONGUEUR_TEXTE_MAX,
    LONGUEUR_URL_MAX,
    DonneeValeur,
    analyser,
    ecrire_pour_saisie,
    verifier_donnee,
)

# Partie d'une donnée (clé des erreurs des services) → préfixe du champ du formulaire.
PREFIXES = {
    "valeur": "v",
    "non_disponible": "nd",
    "raison": "r",
    "commentaire": "c",
    "preuve_url": "p",
}

AIDE_MOTIF_FACULTATIF = _(
    "Facultative pour un brouillon jamais soumis. Si l'évaluation vous renvoie la saisie, ou la "
    "rouvre, elle devient obligatoire pour changer une valeur. Elle s'inscrit dans l'historique, "
    "à côté de chaque valeur changée par cet enregistrement."
)
AIDE_MOTIF_EXIGE = _(
    "Obligatoire si vous changez une valeur : cette saisie a déjà été soumise. Elle s'inscrit "
    "dans l'historique, à côté de chaque valeur changée par cet enregistrement."
)

INDICES_UNITE = {
    Unite.NOMBRE: _("nombre entier ≥ 0"),
    Unite.POURCENTAGE: _("de 0 à 100"),
    Unite.DOLLARS: _("en dollars, deux décimales au plus"),
    Unite.ECHELLE: _("de 1 à 5"),
    Unite.INDICE: _("nombre décimal ≥ 0"),
    Unite.TEXTE: _("texte"),
}


class SaisieForm(forms.Form):
    """Une ligne de champs par indicateur saisi : valeur (typée selon l'unité), « non disponible »
    et sa raison, commentaire, lien vers une pièce; puis un apprentissage par catégorie, et la
    raison de la modification (une pour tout l'envoi, comme le `motif` de l'API), que
    `motif_exige` (`services.motif_exige` : la saisie a déjà été soumise) rend obligatoire dès
    que l'envoi change une valeur."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(
        self,
        *args,
        lignes: list[LigneFormulaire],
        lecture_seule: bool = False,
        motif_exige: bool = False,
        **kw,
    ):
        super().__init__(*args, **kw)
        self.lignes = [ligne for ligne in lignes if ligne.indicateur.mode == ModeCollecte.SAISI]
        self.motif_exige = motif_exige
        for ligne in self.lignes:
            self._ajouter_champs(ligne, lecture_seule)
        for categorie, libelle in CategorieApprentissage.choices:
            self.fields[f"app_{categorie}"] = forms.CharField(
                label=capfirst(libelle),  # les rubriques s'écrivent en minuscules dans les phrases
                required=False,
                max_length=LONGUEUR_TEXTE_MAX,
                widget=forms.Textarea(attrs={"rows": 3}),
                disabled=lecture_seule,
            )
        self.fields["motif"] = forms.CharField(
            label=_("Raison de la modification"),
            help_text=AIDE_MOTIF_EXIGE if motif_exige else AIDE_MOTIF_FACULTATIF,
            required=False,  # exigée selon ce que l'envoi change : `clean`, et le service
            max_length=LONGUEUR_MOTIF_MAX,
            widget=forms.Textarea(attrs={"rows": 2}),
            disabled=lecture_seule,
        )

    def _ajouter_champs(self, ligne: LigneFormulaire, lecture_seule: bool) -> None:
        indicateur, valeur, pk = ligne.indicateur, ligne.valeur, ligne.indicateur.pk
        texte = indicateur.unite == Unite.TEXTE
        initiale = _valeur_initiale(valeur, texte)
        attrs = {"inputmode": "decimal", "autocomplete": "off"} if not texte else {"rows": 2}
        self.fields[f"v{pk}"] = forms.CharField(
            label=indicateur.nom,
            help_text=INDICES_UNITE[indicateur.unite],
            required=False,
            max_length=LONGUEUR_TEXTE_MAX,
            initial=initiale,
            widget=forms.Textarea(attrs=attrs) if texte else forms.TextInput(attrs=attrs),
        )
        self.fields[f"nd{pk}"] = forms.BooleanField(
            label=_("Non disponible"),
            required=False,
            initial=bool(valeur and valeur.non_disponible),
        )
        self.fields[f"r{pk}"] = forms.CharField(
            label=_("Raison"),
            required=False,
            max_length=LONGUEUR_RAISON_MAX,
            initial=valeur.raison_non_disponible if valeur else "",
        )
        self.fields[f"c{pk}"] = forms.CharField(
            label=_("Commentaire"),
            required=False,
            max_length=LONGUEUR_TEXTE_MAX,
            initial=valeur.commentaire if valeur else "",
            widget=forms.Textarea(attrs={"rows": 2}),
        )
        self.fields[f"p{pk}"] = forms.URLField(
            label=_("Lien vers une pièce justificative"),
            required=False,
            max_length=LONGUEUR_URL_MAX,
            assume_scheme="https",
            initial=valeur.preuve_url if valeur else "",
        )
        if lecture_seule:
            for prefixe in PREFIXES.values():
                self.fields[f"{prefixe}{pk}"].disabled = True

    def clean(self):
        donnees = super().clean()
        for ligne in self.lignes:
            cle = f"v{ligne.indicateur.pk}"
            if cle not in self.errors:
                unite, brut = ligne.indicateur.unite, donnees.get(cle, "")
                try:
                    donnees[cle] = analyser(unite, brut)
                except ValidationError as erreur:
                    self.add_error(cle, erreur)
            self._verifier_regles(ligne)
        if self.motif_exige and not texte_saisi(donnees.get("motif")) and self._change_une_valeur():
            # La règle du service (`enregistrer_saisie`), vérifiée ici pour paraître avec les
            # autres erreurs de l'envoi.
            self.add_error("motif", str(MOTIF_DE_MODIFICATION_EXIGE))
        return donnees

    def _change_une_valeur(self) -> bool:
        """L'envoi change au moins une valeur enregistrée (la règle du service :
        `donnee_inchangee`). Une ligne refusée compte comme changée : ce qu'on y a tapé n'est
        pas ce qui est enregistré."""
        for ligne in self.lignes:
            pk = ligne.indicateur.pk
            if any(f"{prefixe}{pk}" in self.errors for prefixe in PREFIXES.values()):
                return True
            avant = donnee_de(ligne.valeur) if ligne.valeur else None
            if not donnee_inchangee(avant, nettoyer(self._donnee(pk))):
                return True
        return False

    def _verifier_regles(self, ligne: LigneFormulaire) -> None:
        """Les règles de la donnée entière (`verifier_donnee`, celles du service, de l'API et de
        l'import), vérifiées avec celles des champs : toutes les erreurs d'un envoi paraissent
        ensemble, même la raison qui manque à un « non disponible » à côté d'une valeur
        illisible. Un champ déjà en erreur garde la sienne (pas deux fois le même message),
        sauf la valeur : tapée mais refusée (illisible, hors bornes, trop longue), elle reste une
        valeur, et « non disponible » la contredit aussi (`_donnee_a_verifier`)."""
        pk = ligne.indicateur.pk
        unite, donnee, illisible = self._donnee_a_verifier(ligne)
        for partie, messages in verifier_donnee(unite, donnee).items():
            champ = f"{PREFIXES[partie]}{pk}"
            if champ not in self.errors or (partie == "valeur" and illisible):
                self.add_error(champ, messages)

    def _donnee_a_verifier(self, ligne: LigneFormulaire) -> tuple[str, DonneeValeur, bool]:
        """L'unité et la donnée sur lesquelles vérifier les règles, et si la valeur tapée a été
        refusée par son champ. Refusée, elle n'a pas de valeur lue : on la vérifie comme le
        texte tapé d'un indicateur en texte, qui n'a pas d'autre règle sur sa valeur que celle du
        « non disponible » — ce qui ne va pas dans sa forme, son champ l'a déjà dit."""
        pk, unite = ligne.indicateur.pk, ligne.indicateur.unite
        donnee = self._donnee(pk)
        brut = (self[f"v{pk}"].data or "").strip() if f"v{pk}" in self.errors else ""
        if not brut:
            return unite, donnee, False
        return Unite.TEXTE, replace(donnee, valeur=None, texte=brut), True

    def _donnee(self, pk: int) -> DonneeValeur:
        valeur = self.cleaned_data.get(f"v{pk}")
        return DonneeValeur(
            valeur=None if isinstance(valeur, str) else valeur,
            texte=valeur if isinstance(valeur, str) else "",
            non_disponible=self.cleaned_data.get(f"nd{pk}", False),
            raison=self.cleaned_data.get(f"r{pk}", ""),
            commentaire=self.cleaned_data.get(f"c{pk}", ""),
            preuve_url=self.cleaned_data.get(f"p{pk}", ""),
        )

    def donnees(self) -> dict[int, DonneeValeur]:
        """Les données de chaque indicateur, prêtes pour `enregistrer_saisie`."""
        return {ligne.indicateur.pk: self._donnee(ligne.indicateur.pk) for ligne in self.lignes}

    def apprentissages(self) -> list[DonneeApprentissage]:
        anglais = (get_language() or "fr").startswith("en")
        resultat = []
        for categorie in CategorieApprentissage.values:
            texte = self.cleaned_data.get(f"app_{categorie}", "").strip()
            if texte:
                champ = "texte_en" if anglais else "texte_fr"
                resultat.append(DonneeApprentissage(categorie=categorie, **{champ: texte}))
        return resultat

    def erreurs_du_service(self, erreur: ValidationError) -> None:
        """Place les erreurs d'un service (« <id>.<partie> ») à côté des champs concernés; les
        autres (statut, droits) en tête du formulaire."""
        if not hasattr(erreur, "error_dict"):
            self.add_error(None, erreur.messages)
            return
        for cle, messages in erreur.message_dict.items():
            if cle == "motif":  # la raison de la modification (`services.motif_exige`)
                self.add_error(cle, messages)
                continue
            pk, _separateur, partie = cle.partition(".")
            champ = f"{PREFIXES.get(partie, 'v')}{pk}"
            self.add_error(champ if champ in self.fields else None, messages)

    def erreurs_a_corriger(self) -> list[dict]:
        """La liste en tête de page : chaque indicateur, dans l'ordre de la page, puis chaque
        rubrique d'apprentissage qui a une erreur, avec l'identifiant de son premier champ en
        erreur (l'ancre du lien) et ses messages."""
        groupes = [
            (ligne.indicateur.nom, [f"{p}{ligne.indicateur.pk}" for p in PREFIXES.values()])
            for ligne in self.lignes
        ]
        groupes += [(champ.label, [nom]) for nom, champ in self.fields.items() if nom[:4] == "app_"]
        groupes.append((self.fields["motif"].label, ["motif"]))
        resultat = []
        for libelle, noms in groupes:
            en_erreur = [nom for nom in noms if nom in self.errors]
            if en_erreur:
                resultat.append(
                    {
                        "libelle": libelle,
                        "ancre": self[en_erreur[0]].id_for_label,
                        "messages": [m for nom in en_erreur for m in self.errors[nom]],
                    }
                )
        return resultat

    def signaler_manques(self, manques: Mapping[int, str]) -> None:
        """Les manques à la soumission (`services.manques_des_donnees`) à côté de leur valeur,
        pour un envoi « Enregistrer et soumettre » refusé par ailleurs : tout paraît d'un coup,
        même à côté d'une erreur du lien ou de la raison. Sauf un manque qui se lit sur un champ
        refusé, qu'on ne sait pas juger : une valeur en erreur (non lue, ou contredite par
        « non disponible ») ne « manque » pas; une valeur inhabituelle dont le commentaire est
        refusé (trop long) en a un."""
        for pk, message in manques.items():
            if f"v{pk}" not in self.fields or f"v{pk}" in self.errors:
                continue
            if f"c{pk}" in self.errors and not self._donnee(pk).est_vide:
                continue  # le manque est celui du commentaire d'une valeur inhabituelle
            self.add_error(f"v{pk}", message)

    def champs_de(self, ligne: LigneFormulaire) -> dict:
        pk = ligne.indicateur.pk
        return {nom: self[f"{prefixe}{pk}"] for nom, prefixe in PREFIXES.items()}


def _valeur_initiale(valeur: Valeur | None, texte: bool) -> str:
    """Ce que le champ montre de la valeur enregistrée : sa colonne selon l'unité. Une valeur de
    l'autre nature, écrite hors du formulaire (un shell, une migration : un texte pour un
    indicateur chiffré, un nombre pour un indicateur en texte), s'y montre aussi plutôt que de
    disparaître sans bruit au prochain enregistrement : renvoyée, le texte est refusé à côté de
    son champ (« n'est pas un nombre »), le nombre est gardé comme texte."""
    if valeur is None:
        return ""
    if texte:
        return valeur.valeur_texte or _nombre(valeur.valeur_numerique)
    if valeur.valeur_numerique is None:
        return valeur.valeur_texte
    return _nombre(valeur.valeur_numerique)


def _nombre(valeur) -> str:
    """La valeur enregistrée écrite pour son champ, que la lecture commune relit telle quelle
    (`ecrire_pour_saisie` : « 12 345,5 » en français, « 12345.5 » en anglais)."""
    if valeur is None:
        return ""
    return ecrire_pour_saisie(valeur)


class RevisionForm(forms.Form):
    """Valider, renvoyer ou rouvrir une saisie; le motif est exigé par les services."""

    ACTIONS = [("valider", _("Valider")), ("renvoyer", _("Renvoyer")), ("rouvrir", _("Rouvrir"))]
    action = forms.ChoiceField(choices=ACTIONS)
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    motif = forms.CharField(
        label=_("Motif"),
        help_text=_(
            "Obligatoire pour renvoyer la saisie à la table ou la rouvrir; "
            "on ne le demande pas pour valider."
        ),
        required=False,
        max_length=LONGUEUR_MOTIF_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ApprentissageForm(ErreursDuServiceMixin, forms.Form):
    """Un apprentissage ajouté à un quartier, ou corrigé (`apprentissage`) : période (passée
    ou ouverte, la plus récente d'abord), rubrique, rattachements facultatifs, texte dans une
    langue au moins. Trois requêtes pour les listes, quel que soit le volume.

    Les listes offrent ce qui est du quartier (ses indicateurs suivis, les changements visés de
    sa stratégie en vigueur), mais les champs acceptent ce que l'API accepte (IndicateurConnuField,
    ChangementVisibleField) : tout indicateur connu de la personne et tout changement d'un
    quartier qu'elle voit. La règle des rattachements, comme celle du texte, est celle du service
    (`ajouter_apprentissage`), la même pour cette page, l'API et le formulaire de saisie; ses
    erreurs se placent à côté des champs (`erreurs_du_service`). Un indicateur proposé ailleurs
    ou le changement d'un quartier invisible est un choix invalide, comme un id qui n'existe
    pas : rien n'est révélé d'un autre quartier."""

    periode = forms.ChoiceField(label=_("Période"), widget=ListeDeroulante)
    categorie = forms.ChoiceField(
        label=_("Rubrique"),
        choices=[(valeur, capfirst(libelle)) for valeur, libelle in CategorieApprentissage.choices],
        widget=ListeDeroulante,
    )
    indicateur = forms.ModelChoiceField(
        label=_("Indicateur"),
        help_text=_("Facultatif. L'apprentissage paraîtra sur le graphique de cet indicateur."),
        queryset=Indicateur.objects.all(),
        required=False,
        widget=ListeDeroulante,
    )
    changement = forms.ModelChoiceField(
        label=_("Changement visé"),
        help_text=_("Facultatif. Un changement visé de la stratégie en vigueur."),
        queryset=ChangementVise.objects.all(),
        required=False,
        widget=ListeDeroulante,
    )
    texte_fr = forms.CharField(
        label=_("Texte en français"),
        help_text=_("Une langue au moins : le français, l'anglais ou les deux."),
        required=False,
        max_length=LONGUEUR_TEXTE_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    texte_en = forms.CharField(
        label=_("Texte en anglais"),
        required=False,
        max_length=LONGUEUR_TEXTE_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args, quartier, utilisateur, apprentissage=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Avant les options affichées : changer le queryset remplace aussi celles du widget.
        self.fields["indicateur"].queryset = Indicateur.objects.connus_de(utilisateur)
        self.fields["changement"].queryset = ChangementVise.objects.visibles_de(
            utilisateur
        ).publies()
        periodes = Periode.objects.commencees_ce_jour()  # ouvertes ou fermées ce jour-là
        self.periodes = {p.code: p for p in periodes}
        self.fields["periode"].choices = [(p.code, p.libelle) for p in self.periodes.values()]
        self.fields["periode"].initial = next(iter(self.periodes), None)
        suivis = (
            IndicateurSuivi.objects.filter(quartier=quartier, actif=True)
            .select_related("indicateur")
            .order_by("indicateur__famille", "indicateur__code")
        )
        # Les options affichées seulement (le champ garde son queryset) : voir la docstring.
        self.fields["indicateur"].widget.choices = [("", _("Aucun indicateur"))] + [
            (s.indicateur_id, str(s.indicateur)) for s in suivis
        ]
        changements = ChangementVise.objects.filter(
            strategie__quartier=quartier, strategie__statut=StatutStrategie.EN_VIGUEUR
        ).order_by("ordre", "code")
        self.fields["changement"].widget.choices = [("", _("Aucun changement visé"))] + [
            (c.pk, f"{c.code} — {c.libelle}") for c in changements
        ]
        if apprentissage is not None:
            self._corriger(apprentissage)

    def _corriger(self, apprentissage) -> None:
        """Pour corriger `apprentissage` : ses valeurs d'abord, et ses rattachements offerts
        même s'ils ne le seraient plus (indicateur plus suivi, changement d'une stratégie
        archivée) : sans quoi la liste les effacerait sans le dire."""
        self.initial = {
            "periode": apprentissage.periode.code,
            "categorie": apprentissage.categorie,
            "indicateur": apprentissage.indicateur_id,
            "changement": apprentissage.changement_id,
            "texte_fr": apprentissage.texte_fr,
            "texte_en": apprentissage.texte_en,
        }
        for nom, objet in (
            ("indicateur", apprentissage.indicateur),
            ("changement", apprentissage.changement),
        ):
            widget = self.fields[nom].widget
            if objet is not None and objet.pk not in {pk for pk, _libelle in widget.choices}:
                widget.choices = [*widget.choices, (objet.pk, str(objet))]

    def clean_periode(self) -> Periode:
        return self.periodes[self.cleaned_data["periode"]]  # un choix validé
