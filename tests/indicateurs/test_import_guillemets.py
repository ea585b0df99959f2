"""Un guillemet non fermé dans un CSV faisait du reste du fichier le texte d'une seule cellule :
les lignes suivantes disparaissaient sans bruit, et l'essai comme l'import ne parlaient que de
la première. La lecture des guillemets est stricte : le fichier est refusé (400, rien d'écrit)
avec la ligne où le guillemet s'ouvre. Un texte entre guillemets sur plusieurs lignes (ce
qu'écrit un tableur pour un commentaire à retour à la ligne) se lit toujours."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from indicateurs.models import Valeur

pytestmark = pytest.mark.django_db

ENTETE = "periode;indicateur;nom;unite;valeur;non_disponible;raison;commentaire;preuve_url\r\n"


@pytest.fixture
def url(quartier_a):
    return reverse("import_valeurs", kwargs={"slug": quartier_a.slug})


def envoyer(client, url, lignes: str, action: str = "verifier"):
    fichier = SimpleUploadedFile("valeurs.csv", (ENTETE + lignes).encode())
    return client.post(url, {"fichier": fichier, "action": action})


def erreurs_du_fichier(reponse) -> list[str]:
    return reponse.context["form"].errors.get("fichier", [])


@pytest.mark.parametrize("action", ["verifier", "importer"])
def test_un_guillemet_non_ferme_est_refuse_avec_sa_ligne(
    client, alice, url, periode, indicateurs_a, action
):
    client.force_login(alice)
    contenu = (
        '2025-T1;menages;;;12;;;"environ 12 ménages;\r\n'
        "2025-T1;taux;;;45;;;;\r\n"
        "2025-T1;politique;;;Un texte;;;;\r\n"
    )
    reponse = envoyer(client, url, contenu, action)
    assert reponse.status_code == 400
    (message,) = erreurs_du_fichier(reponse)
    assert message.startswith("Guillemet non fermé, ligne 2 :")
    assert message in reponse.content.decode()
    assert not Valeur.objects.exists()


def test_la_ligne_compte_les_lignes_d_un_texte_sur_plusieurs_lignes(
    client, alice, url, periode, indicateurs_a
):
    client.force_login(alice)
    contenu = (
        '2025-T1;menages;;;12;;;"Première ligne\r\ndeuxième ligne";\r\n'  # lignes 2 et 3
        '2025-T1;taux;;;45;;;"jamais fermé;\r\n'  # ligne 4
        "2025-T1;politique;;;Un texte;;;;\r\n"
    )
    (message,) = erreurs_du_fichier(envoyer(client, url, contenu))
    assert message.startswith("Guillemet non fermé, ligne 4 :")


def test_un_guillemet_ferme_plus_loin_mais_mal_place_est_refuse(
    client, alice, url, periode, indicateurs_a
):
    """Le guillemet non fermé de la ligne 2 se referme sur celui qui ouvre un commentaire de
    la ligne 3 : sans lecture stricte, la ligne 3 disparaissait dans le commentaire."""
    client.force_login(alice)
    contenu = (
        '2025-T1;menages;;;12;;;"environ 12 ménages;\r\n2025-T1;taux;;;45;;;"Sondage" de mai;\r\n'
    )
    reponse = envoyer(client, url, contenu, "importer")
    assert reponse.status_code == 400
    (message,) = erreurs_du_fichier(reponse)
    assert message.startswith("Guillemet mal placé, ligne 2 :")
    assert "(ligne 3)" in message
    assert not Valeur.objects.exists()


def test_les_guillemets_bien_formes_se_lisent_toujours(client, alice, url, periode, indicateurs_a):
    client.force_login(alice)
    contenu = (
        '2025-T1;menages;;;12;;;"Première ligne\r\ndeuxième ligne";\r\n'
        '2025-T1;taux;;;45;;;"Il a dit ""oui""";\r\n'
        '2025-T1;politique;;;Un texte;;;environ 12 "ménages";\r\n'  # guillemets dans le texte
    )
    reponse = envoyer(client, url, contenu, "importer")
    assert reponse.status_code == 302
    commentaires = {v.indicateur.code: v.commentaire for v in Valeur.objects.all()}
    assert commentaires == {
        "menages": "Première ligne\r\ndeuxième ligne",
        "taux": 'Il a dit "oui"',
        "politique": 'environ 12 "ménages"',
    }
