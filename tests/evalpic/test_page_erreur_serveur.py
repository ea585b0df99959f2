"""La page 500 : statique (elle ne doit dépendre de rien qui puisse échouer), bilingue, et chaque
partie anglaise marquée comme telle pour les lecteurs d'écran."""

from __future__ import annotations

import re

from django.template.loader import render_to_string


def test_bilingue_et_l_anglais_est_marque():
    page = render_to_string("500.html")
    assert '<html lang="fr">' in page
    assert "{%" not in page and "{{" not in page
    anglais = re.findall(r'<span lang="en">([^<]+)</span>', page)
    assert anglais == ["An error occurred", "The team has been notified. Please try again later."]
    assert "<title>ÉvalPIC — erreur / error</title>" in page
