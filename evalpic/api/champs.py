"""Les champs communs des sérialiseurs de l'API. (Hors de `evalpic.api.commun`, que les réglages
de DRF importent.)"""

from __future__ import annotations

from django.db import models
from rest_framework import serializers

from rapports.csv import texte_decimal


class DecimalTexteField(serializers.DecimalField):
    """Un nombre décimal écrit en texte comme partout ailleurs (`rapports.csv.texte_decimal` :
    « 420 », « 12.5 », jamais « 420.0000 » ni exposant) : les valeurs, les références et les
    cibles de l'API s'écrivent comme dans les CSV, l'export des valeurs et les bilans."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 4)
        super().__init__(**kwargs)

    def to_representation(self, value) -> str:
        return texte_decimal(value)


class DecimauxEnTexte:
    """Pour un `ModelSerializer` : ses champs décimaux tirés du modèle sont des
    `DecimalTexteField` (mêmes libellé, bornes et précision)."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DecimalField: DecimalTexteField,
    }
