"""Le formulaire de saisie trimestrielle, construit à partir des indicateurs suivis, et les
formulaires du circuit de validation."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from indicateurs.models import CategorieApprentissage, ModeCollecte, Unite
from indicateurs.selectors import LigneFormulaire
from indicateurs.services import LONGUEUR_MOTIF_MAX, DonneeApprentissage
from indicateurs.validation import (
    LONGUEUR_RAISON_MAX,
    LONGUEUR_TEXTE_MAX,
    LONGUEUR_URL_MAX,
    DonneeValeur,
    analyser,
)

# Partie d'une donnée (clé des erreurs des services) → préfixe du champ du formulaire.
PREFIXES = {
    "valeur": "v",
    "non_disponible": "nd",
    "raison": "r",
    "commentaire": "c",
    "preuve_url": "p",
}

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
    et sa raison, commentaire, lien vers une pièce; puis un apprentissage par catégorie."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, lignes: list[LigneFormulaire], lecture_seule: bool = False, **kw):
        super().__init__(*args, **kw)
        self.lignes = [ligne for ligne in lignes if ligne.indicateur.mode == ModeCollecte.SAISI]
        for ligne in self.lignes:
            self._ajouter_champs(ligne, lecture_seule)
        for categorie, libelle in CategorieApprentissage.choices:
            self.fields[f"app_{categorie}"] = forms.CharField(
                label=libelle,
                required=False,
                max_length=LONGUEUR_TEXTE_MAX,
                widget=forms.Textarea(attrs={"rows": 3}),
                disabled=lecture_seule,
            )

    def _ajouter_champs(self, ligne: LigneFormulaire, lecture_seule: bool) -> None:
        indicateur, valeur, pk = ligne.indicateur, ligne.valeur, ligne.indicateur.pk
        texte = indicateur.unite == Unite.TEXTE
        initiale = ""
        if valeur is not None:
            initiale = valeur.valeur_texte if texte else _nombre(valeur.valeur_numerique)
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
            if cle in self.errors:
                continue
            try:
                donnees[cle] = analyser(ligne.indicateur.unite, donnees.get(cle, ""))
            except ValidationError as erreur:
                self.add_error(cle, erreur)
        return donnees

    def donnees(self) -> dict[int, DonneeValeur]:
        """Les données de chaque indicateur, prêtes pour `enregistrer_saisie`."""
        resultat = {}
        for ligne in self.lignes:
            pk = ligne.indicateur.pk
            valeur = self.cleaned_data.get(f"v{pk}")
            resultat[pk] = DonneeValeur(
                valeur=None if isinstance(valeur, str) else valeur,
                texte=valeur if isinstance(valeur, str) else "",
                non_disponible=self.cleaned_data.get(f"nd{pk}", False),
                raison=self.cleaned_data.get(f"r{pk}", ""),
                commentaire=self.cleaned_data.get(f"c{pk}", ""),
                preuve_url=self.cleaned_data.get(f"p{pk}", ""),
            )
        return resultat

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
            pk, _separateur, partie = cle.partition(".")
            champ = f"{PREFIXES.get(partie, 'v')}{pk}"
            self.add_error(champ if champ in self.fields else None, messages)

    def champs_de(self, ligne: LigneFormulaire) -> dict:
        pk = ligne.indicateur.pk
        return {nom: self[f"{prefixe}{pk}"] for nom, prefixe in PREFIXES.items()}


def _nombre(valeur) -> str:
    if valeur is None:
        return ""
    return f"{valeur.normalize():f}"


class RevisionForm(forms.Form):
    """Valider, renvoyer ou rouvrir une saisie; le motif est exigé par les services."""

    ACTIONS = [("valider", _("Valider")), ("renvoyer", _("Renvoyer")), ("rouvrir", _("Rouvrir"))]
    action = forms.ChoiceField(choices=ACTIONS)
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    motif = forms.CharField(
        label=_("Motif"),
        required=False,
        max_length=LONGUEUR_MOTIF_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
