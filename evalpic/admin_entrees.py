"""Les entrées de l'administration vérifiées avant d'interroger la base : une valeur fabriquée
(« abc » pour un identifiant, un octet nul dans un filtre) répond par une erreur de formulaire ou
la liste sans filtre (« ?e=1 »), jamais par une erreur 500.

Django les passe telles quelles à la base (ou au widget) en quatre endroits, que `EntreesVerifieesMixin` couvre
pour chaque admin (et chaque inline) du projet :

- la liste d'autocomplétion (`autocomplete_fields`) cherche la valeur envoyée ou préremplie
  (`?quartier=abc`) parmi les identifiants : `ValueError` si elle n'en est pas un;
- PostgreSQL refuse l'octet nul dans un texte : un filtre de la liste (`?role__exact=%00`) ou
  une recherche d'autocomplétion (`/admin/autocomplete/?term=%00`) lèvent `DataError`;
- une action sur des objets cochés (`_selected_action=abc`, fabriqué) cherche ces identifiants
  tels quels : `ValueError`;
- une valeur préremplie par l'adresse (`?revoque_le=2025-01-01`) arrive en texte au widget, et
  celui des dates et heures (`AdminSplitDateTime`) ne sait lire qu'un `datetime`.
"""

from __future__ import annotations

from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import SEARCH_VAR
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models

NUL = "\x00"  # PostgreSQL n'en accepte dans aucun texte : aucune donnée n'en contient


def _champ_cible(champ: models.Field) -> models.Field:
    """Le champ du modèle lié que la relation `champ` désigne (comme le cherche Django dans
    `AutocompleteMixin.optgroups`) : la clé primaire, ou `to_field`."""
    options = champ.remote_field.model._meta
    return options.get_field(getattr(champ.remote_field, "field_name", None) or options.pk.name)


def _en_python(champ: models.Field, texte: str):
    """`texte` converti par `champ` (ValidationError s'il ne le peut pas, ou s'il contient un
    octet nul, qu'aucune requête ne peut porter)."""
    if NUL in str(texte):
        raise ValidationError("NUL")
    return champ.to_python(texte)


def _lisibles(champ: models.Field, textes) -> list:
    """Les textes que `champ` sait convertir, dans leur ordre."""
    lisibles = []
    for texte in textes:
        try:
            _en_python(champ, texte)
        except (ValidationError, TypeError, ValueError):
            continue
        lisibles.append(texte)
    return lisibles


class _ValeursConvertiblesMixin:
    """Ne cherche parmi les objets liés que les valeurs que leur champ sait lire : une valeur
    fabriquée n'est pas affichée, et le champ du formulaire la refuse (« choix valide »)."""

    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, _lisibles(_champ_cible(self.field), value), attr)


class AutocompletionVerifiee(_ValeursConvertiblesMixin, AutocompleteSelect):
    pass


class AutocompletionMultipleVerifiee(_ValeursConvertiblesMixin, AutocompleteSelectMultiple):
    pass


class EntreesVerifieesMixin:
    """À mettre en tête des bases de chaque `ModelAdmin` et inline du projet (vérifié par
    tests/evalpic/test_admin_entrees.py). Voir le docstring du module."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = AutocompletionVerifiee(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = AutocompletionMultipleVerifiee(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_changelist_instance(self, request):
        # Django renvoie vers la liste sans filtre (« ?e=1 ») quand un filtre est invalide; la
        # recherche (« ?q= »), elle, refuse déjà l'octet nul par son formulaire.
        if any(
            NUL in cle + "".join(valeurs)
            for cle, valeurs in request.GET.lists()
            if cle != SEARCH_VAR
        ):
            raise IncorrectLookupParameters
        return super().get_changelist_instance(request)

    def response_action(self, request, queryset):
        # Les identifiants cochés illisibles sont ignorés; s'il n'en reste aucun, Django dit
        # qu'il faut cocher des objets et revient à la liste.
        coches = request.POST.getlist(ACTION_CHECKBOX_NAME)
        if len(lisibles := _lisibles(self.opts.pk, coches)) < len(coches):
            request.POST = request.POST.copy()
            request.POST.setlist(ACTION_CHECKBOX_NAME, lisibles)
        return super().response_action(request, queryset)

    def get_search_results(self, request, queryset, search_term):
        # Rien ne peut contenir l'octet nul; la recherche d'autocomplétion passe aussi par ici.
        if NUL in search_term:
            return queryset.none(), False
        return super().get_search_results(request, queryset, search_term)

    def get_changeform_initial_data(self, request) -> dict:
        """Les valeurs préremplies par l'adresse, converties par leur champ du modèle; celles
        qu'il ne sait pas lire sont ignorées."""
        initial = super().get_changeform_initial_data(request)
        for nom, valeur in list(initial.items()):
            try:
                champ = self.opts.get_field(nom)
            except FieldDoesNotExist:
                continue
            try:
                if isinstance(champ, models.ManyToManyField):
                    initial[nom] = [_en_python(_champ_cible(champ), v) for v in valeur]
                elif champ.is_relation and champ.concrete:
                    initial[nom] = _en_python(_champ_cible(champ), valeur)
                elif champ.concrete:
                    initial[nom] = _en_python(champ, valeur)
            except (ValidationError, TypeError, ValueError):
                del initial[nom]
        return initial
