"""L'icône du site : annoncée par chaque page (`<link rel="icon">`), et /favicon.ico, que les
navigateurs demandent d'office, n'est plus une 404 (une erreur dans la console à chaque page).

L'icône est un SVG fait main, servi depuis nos fichiers statiques : `img-src 'self'` de la CSP
la laisse passer, et elle ne contient ni script ni ressource externe.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.templatetags.static import static
from django.urls import reverse

from evalpic.securite import ENTETE_CSP

ICONE = "img/evalpic.svg"
SVG = "{http://www.w3.org/2000/svg}"


def test_favicon_ico_redirige_pour_toujours_vers_l_icone(client):
    reponse = client.get("/favicon.ico")
    assert reponse.status_code == 301
    assert reponse["Location"] == f"{settings.STATIC_URL}{ICONE}"


@pytest.mark.django_db
def test_chaque_page_annonce_l_icone(client):
    reponse = client.get(reverse("account_login"))
    assert reponse.status_code == 200
    assert f'<link rel="icon" href="{static(ICONE)}" type="image/svg+xml">' in (
        reponse.content.decode()
    )
    # L'icône vient du site même : la CSP (img-src 'self', default-src 'self') la laisse passer.
    politique = reponse[ENTETE_CSP]
    assert "img-src 'self'" in politique


def test_l_icone_est_un_svg_sans_script_ni_ressource_externe():
    chemin = finders.find(ICONE)
    assert chemin, "static/img/evalpic.svg manque"
    racine = ET.parse(chemin).getroot()
    assert racine.tag == f"{SVG}svg"
    noms = {element.tag.removeprefix(SVG) for element in racine.iter()}
    assert not noms & {"script", "image", "foreignObject", "use"}
    attributs = " ".join(
        f"{cle}={valeur}" for element in racine.iter() for cle, valeur in element.attrib.items()
    )
    assert "http" not in attributs.replace("http://www.w3.org/2000/svg", "")
    assert not any(cle.lower().startswith("on") for e in racine.iter() for cle in e.attrib)


def test_collectstatic_garde_le_nom_stable_que_vise_la_redirection(settings, tmp_path):
    """Avec le stockage à empreinte de l'image Docker, le fichier sans empreinte reste servi :
    une redirection permanente vers lui ne se périme pas quand l'icône change."""
    settings.STATIC_ROOT = tmp_path / "staticfiles"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    assert (Path(settings.STATIC_ROOT) / ICONE).is_file()
