"""`script_json` écrit le même JSON que `json_script` de Django (une fois lu), avec les mêmes
protections de la balise."""

from __future__ import annotations

import datetime
import json
import re
from decimal import Decimal

import pytest
from django.utils.html import json_script
from django.utils.translation import gettext_lazy

from evalpic.script_json import script_json

VALEURS = [
    {"data": [{"y": [1, 2.5, None], "name": "</script><b>&"}], "layout": {"title": "été « x »"}},
    {"montant": Decimal("12.50"), "jour": datetime.date(2026, 3, 31), "texte": gettext_lazy("x")},
    ["<!--", "]]>", "\u2028"],
]


def contenu(script: str) -> str:
    return re.fullmatch(r'<script id="[^"]*" type="application/json">(.*)</script>', script)[1]


@pytest.mark.parametrize("valeur", VALEURS)
def test_meme_json_que_django_une_fois_lu(valeur):
    obtenu, django = script_json(valeur, "fig"), json_script(valeur, "fig")
    assert json.loads(contenu(obtenu)) == json.loads(contenu(django))


def test_la_balise_ne_peut_pas_se_fermer_ni_s_ouvrir():
    script = script_json({"a": "</script><script>alert(1)</script>&amp;"}, 'x"><b')
    assert script.startswith('<script id="x&quot;&gt;&lt;b" type="application/json">')
    assert "<" not in contenu(script) and ">" not in contenu(script) and "&" not in contenu(script)
    assert json.loads(contenu(script)) == {"a": "</script><script>alert(1)</script>&amp;"}


def test_un_type_inconnu_est_refuse():
    with pytest.raises(TypeError):
        script_json({"a": object()}, "x")
