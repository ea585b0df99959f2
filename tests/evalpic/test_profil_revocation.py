"""Révoquer un jeton d'API est définitif : le profil demande une confirmation (sans JavaScript,
un <details> à ouvrir) et le bouton est secondaire et rouge, pas le bouton principal."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from quartiers.jetons import creer_jeton

pytestmark = pytest.mark.django_db


def test_revoquer_un_jeton_demande_une_confirmation(client, alice):
    jeton, _cle = creer_jeton(utilisateur=alice, nom="Tableur de la table")
    client.force_login(alice)
    contenu = client.get(reverse("profil")).content.decode()
    action = reverse("revoquer_jeton_api", args=[jeton.pk])
    confirmation = re.search(
        r'<details class="confirmation">\s*<summary>Révoquer….*?</summary>\s*'
        rf'<form method="post" action="{action}">.*?</form>\s*</details>',
        contenu,
        re.S,
    )
    assert confirmation, "le formulaire de révocation est dans un <details> à ouvrir"
    assert "C'est définitif." in confirmation[0]
    assert (
        '<button type="submit" class="bouton-secondaire bouton-danger">Révoquer définitivement'
        in confirmation[0]
    )


def test_un_jeton_revoque_n_a_plus_de_bouton(client, alice):
    jeton, _cle = creer_jeton(utilisateur=alice, nom="script")
    client.force_login(alice)
    client.post(reverse("revoquer_jeton_api", args=[jeton.pk]))
    contenu = client.get(reverse("profil")).content.decode()
    assert "révoqué le" in contenu and 'class="confirmation"' not in contenu
