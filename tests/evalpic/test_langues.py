"""Le français d'abord, l'anglais complet : chaque page est rendue dans les deux langues."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from indicateurs.models import Periode, StatutPeriode
from tests.factories import AffectationFactory, construire_quartier

pytestmark = pytest.mark.django_db

FICHIER_PO = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"

# Des phrases de l'interface qui ne doivent jamais rester en français dans la version anglaise.
FRANCAIS_CONNU = [
    "Aller au contenu",
    "Se connecter",
    "Se déconnecter",
    "Mon profil",
    "Vos quartiers",
    "Partenaires dans le temps",
    "Partenaires actifs",
    "Stratégie de changement",
    "Changements visés",
    "Indicateurs suivis",
    "Dernière valeur",
    "Table de quartier",
    "Soutien du PIC",
    "Mot de passe oublié",
    "Connectez-vous",
    "Enregistrer",
    "Sécurité du compte",
    "Page introuvable",
    "Accès refusé",
    "Projet impact collectif",
    "soutien intensif",
    "Courriel",
    "Mot de passe",
    "Réinitialisation",
    "Authentification à deux facteurs",
    "Saisie trimestrielle",
    "Échéance",
    "Historique",
    "Complétude",
    "Valeurs présentes",
    "Apprentissages du trimestre",
    "Autres indicateurs suivis",
    "calculé à partir du registre",
    "Enregistrer le brouillon",
    "Révision",
    "dernières valeurs",
    "validée",
    "Importer",
    "Modèle",
    "Tableau de bord",
    "Théorie du changement",
    "Filtrer",
    "télécharger en CSV",
    "Demander un bilan",
    "Bilans produits",
    "à surveiller",
    "en bonne voie",
    "Ajouter un apprentissage",
    "Texte en français",
]


@pytest.fixture
def pages(client, eve, ada):
    quartier = construire_quartier(nom="Villeray")
    AffectationFactory(utilisateur=eve, quartier=quartier, role="conseiller")
    periode = Periode.objects.order_by("-debut").first()
    Periode.objects.filter(pk=periode.pk).update(statut=StatutPeriode.OUVERTE)
    saisie = reverse("saisie_formulaire", kwargs={"slug": quartier.slug, "code": periode.code})
    return {
        "boîte de saisie": (eve, reverse("boite_de_saisie")),
        "formulaire de saisie": (eve, saisie),
        "historique": (eve, saisie + "historique/"),
        "complétude": (eve, reverse("completude")),
        "tableau de bord": (eve, reverse("tableau_pic")),
        "tableau du quartier": (eve, reverse("tableau_quartier", args=[quartier.slug])),
        "théorie du changement": (eve, reverse("theorie_du_changement", args=[quartier.slug])),
        "bilans": (eve, reverse("bilans")),
        "export des valeurs": (eve, reverse("export_valeurs")),
        "import": (ada, reverse("import_valeurs", kwargs={"slug": quartier.slug})),
        "ajout d'un apprentissage": (
            eve,
            reverse("apprentissage_nouveau", kwargs={"slug": quartier.slug}),
        ),
        "connexion": (None, reverse("account_login")),
        "mot de passe oublié": (None, reverse("account_reset_password")),
        "accueil": (eve, reverse("accueil")),
        "quartier": (eve, quartier.get_absolute_url()),
        "profil": (eve, reverse("profil")),
        "mfa": (eve, reverse("mfa_index")),
        "mot de passe": (eve, reverse("account_change_password")),
        "introuvable": (eve, "/quartiers/inexistant/"),
        "interdit": (eve, reverse("import_valeurs", kwargs={"slug": quartier.slug})),
    }


def _rendre(client, utilisateur, url, langue=None) -> str:
    client.logout()
    if utilisateur:
        client.force_login(utilisateur)
    if langue:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = langue
    else:
        client.cookies.pop(settings.LANGUAGE_COOKIE_NAME, None)
    reponse = client.get(url, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert reponse.status_code in (200, 403, 404), url
    return reponse.content.decode()


def test_chaque_page_est_en_francais_par_defaut_meme_pour_un_navigateur_anglais(client, pages):
    for nom, (utilisateur, url) in pages.items():
        contenu = _rendre(client, utilisateur, url)
        assert '<html lang="fr">' in contenu, nom
        assert "Aller au contenu" in contenu, nom


def test_chaque_page_est_entierement_en_anglais_quand_on_le_choisit(client, pages):
    for nom, (utilisateur, url) in pages.items():
        contenu = _rendre(client, utilisateur, url, langue="en")
        assert '<html lang="en">' in contenu, nom
        restes = [phrase for phrase in FRANCAIS_CONNU if phrase in contenu]
        assert restes == [], f"{nom} : {restes}"


def test_le_choix_de_langue_bascule_l_interface(client, eve):
    client.force_login(eve)
    reponse = client.post(
        reverse("changer_langue"), {"langue": "en", "suivant": reverse("profil")}, follow=True
    )
    assert "My profile" in reponse.content.decode()


def test_le_catalogue_anglais_est_complet():
    statistiques = subprocess.run(
        ["msgfmt", "--statistics", "-o", "/dev/null", str(FICHIER_PO)],
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    assert "untranslated" not in statistiques, statistiques
    assert "fuzzy" not in statistiques, statistiques


def test_chaque_texte_du_code_est_au_catalogue_anglais(tmp_path):
    """Le catalogue complet ne suffit pas : un texte ajouté au code sans `makemessages` n'y est
    pas, et s'affiche en français sur une page anglaise. On extrait les textes d'une copie du
    code dans une copie du catalogue (makemessages) : rien n'y doit manquer."""
    racine = Path(settings.BASE_DIR)
    sans_caches = shutil.ignore_patterns("__pycache__", "*.pyc")
    for nom in ("evalpic", "quartiers", "indicateurs", "rapports", "templates"):
        shutil.copytree(racine / nom, tmp_path / nom, ignore=sans_caches)
    shutil.copy(racine / "manage.py", tmp_path / "manage.py")
    copie = tmp_path / "locale" / "en" / "LC_MESSAGES"
    copie.mkdir(parents=True)
    shutil.copy(FICHIER_PO, copie / "django.po")
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "en", "--no-obsolete", "-v", "0"],
        cwd=tmp_path,
        env={**os.environ, "DJANGO_DEBUG": "true"},
        check=True,
        capture_output=True,
    )
    manquants = subprocess.run(
        ["msgattrib", "--untranslated", "--no-obsolete", str(copie / "django.po")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    flous = subprocess.run(
        ["msgattrib", "--only-fuzzy", str(copie / "django.po")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert manquants == "", "lancer makemessages et traduire :\n" + manquants[:3000]
    assert flous == "", "lancer makemessages et traduire :\n" + flous[:3000]
