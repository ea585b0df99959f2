"""Durcissement : politique de sécurité du contenu (CSP), verrouillage après des échecs de
connexion, MFA exigée de l'évaluation et de l'administration, fichiers des bilans servis
seulement par la vue qui revérifie l'accès, taille des requêtes."""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
from pathlib import Path

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.test import override_settings
from django.urls import clear_url_caches, reverse
from rest_framework.test import APIClient

import evalpic.urls
from evalpic.securite import politique_de_contenu
from quartiers.jetons import creer_jeton
from rapports.models import Bilan, Portee, StatutBilan

pytestmark = pytest.mark.django_db

RACINE = Path(__file__).resolve().parents[2]
DIRECTIVES = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}


def directives(reponse) -> dict[str, str]:
    politique = reponse["Content-Security-Policy"]
    return dict(partie.strip().split(" ", 1) for partie in politique.split(";"))


def scripts_en_ligne(html: str) -> list[str]:
    """Les balises <script> qui s'exécuteraient sans venir d'un fichier (ni src, ni JSON)."""
    return [
        balise
        for balise in re.findall(r"<script\b[^>]*>", html)
        if "src=" not in balise and "application/json" not in balise
    ]


# --- Politique de sécurité du contenu -----------------------------------------------------------


@pytest.mark.parametrize(
    ("adresse", "connectee"),
    [("/comptes/login/", False), ("/tableau-de-bord/", True), ("/admin/", True)],
)
def test_chaque_page_html_porte_la_politique(client, ada, adresse, connectee):
    if connectee:
        client.force_login(ada)
    reponse = client.get(adresse)
    assert reponse.status_code == 200
    assert directives(reponse) == DIRECTIVES


def test_une_page_d_erreur_porte_aussi_la_politique(client, alice):
    client.force_login(alice)
    reponse = client.get("/quartiers/inexistant/")
    assert reponse.status_code == 404
    assert directives(reponse) == DIRECTIVES


def test_une_reponse_json_n_a_pas_de_politique_de_page(client, alice):
    client.force_login(alice)
    reponse = client.get("/api/v1/quartiers/", HTTP_ACCEPT="application/json")
    assert reponse.status_code == 200
    assert "Content-Security-Policy" not in reponse


def test_les_pages_du_site_n_ont_aucun_script_en_ligne(client, ada, quartier_a):
    client.force_login(ada)
    for adresse in ["/", "/tableau-de-bord/", f"/tableau-de-bord/quartiers/{quartier_a.slug}/"]:
        reponse = client.get(adresse)
        assert reponse.status_code == 200, adresse
        assert scripts_en_ligne(reponse.content.decode()) == [], adresse


def test_swagger_charge_son_initialisation_depuis_un_fichier(client):
    page = client.get("/api/docs/")
    assert page.status_code == 200
    assert scripts_en_ligne(page.content.decode()) == []
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


def test_redoc_sans_script_en_ligne_ni_police_externe_avec_sa_politique_propre(client):
    reponse = client.get("/api/redoc/")
    assert reponse.status_code == 200
    html = reponse.content.decode()
    assert scripts_en_ligne(html) == []
    assert "fonts.googleapis.com" not in html
    politique = directives(reponse)
    assert politique["worker-src"] == "blob:"
    assert politique["img-src"] == "'self' data: https://cdn.redoc.ly"
    assert politique["script-src"] == "'self'"


def test_le_decorateur_ajoute_des_sources_pour_une_vue_seulement(rf, settings):
    from django.http import HttpResponse

    from evalpic.securite import PolitiqueDeContenuMiddleware

    vue = politique_de_contenu(img_src=["https://exemple.org"], connect_src=["wss:"])(
        lambda request: HttpResponse("<p>ok</p>")
    )
    reponse = PolitiqueDeContenuMiddleware(vue)(rf.get("/"))
    politique = directives(reponse)
    assert politique["img-src"] == "'self' data: https://exemple.org"
    assert politique["connect-src"] == "wss:"
    assert settings.EVALPIC_CSP["img-src"] == ["'self'", "data:"]  # le réglage est intact


# --- Fichiers des bilans ------------------------------------------------------------------------


@pytest.fixture
def bilan_pret(quartier_a, fichiers_temporaires) -> Bilan:
    bilan = Bilan.objects.create(
        portee=Portee.QUARTIER,
        quartier=quartier_a,
        annee=2025,
        trimestre=1,
        statut=StatutBilan.PRET,
        instantane={"langue": "fr", "portee": "quartier", "periode": {"code": "2025-T1"}},
    )
    document = "<!DOCTYPE html><html><body><p>Bilan de A</p></body></html>"
    bilan.fichier_html.save("bilan.html", ContentFile(document.encode()), save=False)
    bilan.fichier_csv.save("bilan.csv", ContentFile(b"a;b\n1;2\n"), save=True)
    return bilan


@pytest.fixture
def adresses_de_developpement(settings):
    """Les adresses telles que DEBUG=True les construirait (runserver), rechargées puis remises."""
    settings.DEBUG = True
    importlib.reload(evalpic.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(evalpic.urls)
    clear_url_caches()


def test_media_n_est_jamais_servi_directement_meme_en_debug(
    client, alice, bilan_pret, adresses_de_developpement
):
    client.force_login(alice)
    chemin = bilan_pret.fichier_csv.name
    assert (Path(bilan_pret.fichier_csv.path)).exists()
    assert client.get(f"/media/{chemin}").status_code == 404
    assert client.get(f"/media/{bilan_pret.fichier_html.name}").status_code == 404
    # Par la vue, qui revérifie l'accès : Alice l'obtient, Charlie non.
    assert client.get(reverse("bilan_fichier", args=[bilan_pret.pk, "csv"])).status_code == 200


def test_le_fichier_d_un_bilan_reverifie_l_acces(client, charlie, bilan_pret):
    client.force_login(charlie)
    assert client.get(reverse("bilan_fichier", args=[bilan_pret.pk, "csv"])).status_code == 404


def test_le_document_html_du_bilan_s_ouvre_depuis_le_site_avec_la_politique(
    client, alice, bilan_pret
):
    """Servi dans la page (pas en pièce jointe) : ses scripts viennent de nos fichiers
    statiques (plotly.js, graphiques.js), si bien que la même politique stricte s'y applique."""
    client.force_login(alice)
    reponse = client.get(reverse("bilan_fichier", args=[bilan_pret.pk, "html"]))
    assert reponse.status_code == 200
    assert not reponse.get("Content-Disposition", "").startswith("attachment")
    assert directives(reponse) == DIRECTIVES


def test_aucun_gabarit_ne_pointe_vers_l_adresse_brute_d_un_fichier():
    gabarits = (RACINE / "templates").rglob("*.html")
    fautifs = [str(g) for g in gabarits if re.search(r"fichier_\w+\.url", g.read_text())]
    assert fautifs == []


def test_la_page_d_un_bilan_ne_lie_que_la_vue_de_telechargement(client, alice, bilan_pret):
    client.force_login(alice)
    page = client.get(reverse("bilans")).content.decode()
    assert "/media/" not in page and reverse("bilan_fichier", args=[bilan_pret.pk, "csv"]) in page


# --- Verrouillage après des échecs de connexion -------------------------------------------------


@pytest.fixture
def cache_vide():
    """Les limites de débit comptent dans le cache : chaque test part de zéro et n'en laisse rien."""
    cache.clear()
    yield
    cache.clear()


def connexion(client, courriel: str, mot_de_passe: str, ip: str = "10.0.0.1", **entetes):
    return client.post(
        reverse("account_login"),
        {"login": courriel, "password": mot_de_passe},
        REMOTE_ADDR=ip,
        **entetes,
    )


def test_apres_cinq_echecs_meme_le_bon_mot_de_passe_est_refuse(
    client, alice, mot_de_passe, cache_vide
):
    for _essai in range(5):
        reponse = connexion(client, alice.email, "mauvais")
        assert reponse.status_code == 400
        assert "_auth_user_id" not in client.session
    reponse = connexion(client, alice.email, mot_de_passe)
    assert reponse.status_code == 400
    assert "Trop de tentatives de connexion échouées" in reponse.content.decode()
    assert "_auth_user_id" not in client.session


def test_le_verrou_d_un_compte_ne_bloque_pas_un_autre_compte(
    client, alice, bob, mot_de_passe, cache_vide
):
    for _essai in range(5):
        connexion(client, alice.email, "mauvais", ip="10.0.0.1")
    # Depuis une autre adresse : Bob entre; Alice reste verrouillée (limite par compte).
    assert connexion(client, bob.email, mot_de_passe, ip="10.0.0.2").status_code == 302
    client.logout()
    assert connexion(client, alice.email, mot_de_passe, ip="10.0.0.3").status_code == 400


def test_la_limite_par_adresse_ip_bloque_les_essais_sur_plusieurs_comptes(
    client, alice, bob, mot_de_passe, cache_vide
):
    """Cinq échecs d'une même adresse, sur des comptes différents (essais de mots de passe
    courants) : cette adresse est bloquée, même pour un bon mot de passe."""
    for compte in ["x1@exemple.org", "x2@exemple.org", "x3@exemple.org", alice.email, "x4@e.org"]:
        connexion(client, compte, "mauvais", ip="10.0.0.9")
    assert connexion(client, bob.email, mot_de_passe, ip="10.0.0.9").status_code == 400


def test_derriere_un_mandataire_l_adresse_vient_de_x_forwarded_for(
    client, alice, bob, mot_de_passe, cache_vide, settings
):
    """Sans ALLAUTH_TRUSTED_PROXY_COUNT, tout le monde aurait l'adresse du mandataire : les
    échecs d'une personne bloqueraient les autres."""
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    for compte in ["x1@exemple.org", "x2@exemple.org", "x3@exemple.org", "x4@e.org", "x5@e.org"]:
        connexion(client, compte, "mauvais", ip="172.18.0.2", HTTP_X_FORWARDED_FOR="203.0.113.7")
    bonne = connexion(
        client, bob.email, mot_de_passe, ip="172.18.0.2", HTTP_X_FORWARDED_FOR="198.51.100.4"
    )
    assert bonne.status_code == 302


def test_cache_url_choisit_un_cache_partage():
    code = (
        "import evalpic.settings as s; c = s.CACHES['default'];"
        "print(c['BACKEND'], c.get('LOCATION'))"
    )
    commun = {"DJANGO_DEBUG": "true", "PATH": "/usr/bin:/bin"}

    def backend(env: dict) -> str:
        resultat = subprocess.run(
            [sys.executable, "-c", code],
            cwd=RACINE,
            env={**commun, **env},
            capture_output=True,
            text=True,
            check=True,
        )
        return resultat.stdout.strip()

    assert backend({}).startswith("django.core.cache.backends.locmem.LocMemCache")
    # Le cache Redis de Django, qui passe en mémoire si Redis tombe (tests/integration/test_pannes).
    assert backend({"CACHE_URL": "redis://127.0.0.1:6379/2"}) == (
        "evalpic.cache.RedisAvecRepli redis://127.0.0.1:6379/2"
    )


# --- MFA exigée ---------------------------------------------------------------------------------


@pytest.fixture
def mfa_obligatoire(settings):
    settings.EVALPIC_MFA_OBLIGATOIRE = True


def activer_totp(utilisateur) -> str:
    secret = generate_totp_secret()
    TOTP.activate(utilisateur, secret)
    return secret


def code_totp(secret: str) -> str:
    compteur = next(iter(yield_hotp_counters_from_time()))
    return format_hotp_value(hotp_value(secret, compteur))


def test_eve_sans_mfa_est_renvoyee_a_l_activation(client, eve, mfa_obligatoire):
    client.force_login(eve)
    for adresse in ["/", "/tableau-de-bord/", "/bilans/", "/profil/"]:
        reponse = client.get(adresse)
        assert reponse.status_code == 302, adresse
        assert reponse["Location"] == reverse("mfa_activate_totp")
    page = client.get("/tableau-de-bord/", follow=True).content.decode()
    assert "exige la double authentification" in page


def test_ada_sans_mfa_n_entre_pas_dans_l_administration(client, ada, mfa_obligatoire):
    client.force_login(ada)
    reponse = client.get("/admin/")
    assert reponse.status_code == 302 and reponse["Location"] == reverse("mfa_activate_totp")


def test_sans_mfa_les_pages_pour_l_activer_restent_ouvertes(client, eve, mfa_obligatoire):
    client.force_login(eve)
    activation = client.get(reverse("mfa_activate_totp"))
    # allauth demande d'abord de confirmer le mot de passe : une page d'allauth, pas une boucle.
    assert activation.status_code == 302
    assert activation["Location"].startswith(reverse("account_reauthenticate"))
    assert client.get(reverse("account_reauthenticate")).status_code == 200
    assert client.get(reverse("mfa_index")).status_code == 200
    assert client.get(reverse("sante")).status_code in (200, 503)
    langue = client.post(reverse("changer_langue"), {"langue": "en", "suivant": "/"})
    assert langue.status_code == 302 and langue["Location"] == "/"
    assert client.post(reverse("account_logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_l_api_repond_403_en_json_sans_mfa(eve, mfa_obligatoire):
    api = APIClient()
    api.force_login(eve)
    reponse = api.get("/api/v1/quartiers/")
    assert reponse.status_code == 403
    assert "double authentification" in reponse.json()["detail"]


def test_un_jeton_ne_contourne_pas_la_mfa_exigee(eve, settings):
    _jeton, cle = creer_jeton(utilisateur=eve, nom="script")
    api = APIClient(HTTP_AUTHORIZATION=f"Bearer {cle}")
    assert api.get("/api/v1/quartiers/").status_code == 200
    settings.EVALPIC_MFA_OBLIGATOIRE = True
    reponse = api.get("/api/v1/quartiers/")
    assert reponse.status_code == 403
    assert "double authentification" in reponse.json()["detail"]
    activer_totp(eve)
    assert api.get("/api/v1/quartiers/").status_code == 200


def test_avec_un_totp_eve_atteint_le_tableau_de_bord(client, eve, mfa_obligatoire):
    activer_totp(eve)
    client.force_login(eve)
    assert client.get("/tableau-de-bord/").status_code == 200
    assert APIClient().get("/api/v1/quartiers/").status_code in (401, 403)  # anonyme


def test_des_codes_de_recuperation_seuls_ne_suffisent_pas(client, eve, mfa_obligatoire):
    Authenticator.objects.create(
        user=eve, type=Authenticator.Type.RECOVERY_CODES, data={"seed": "x"}
    )
    client.force_login(eve)
    assert client.get("/tableau-de-bord/").status_code == 302


def test_la_coordination_et_le_conseil_ne_sont_pas_concernes(client, alice, bob, mfa_obligatoire):
    for personne in (alice, bob):
        client.force_login(personne)
        assert client.get("/tableau-de-bord/").status_code == 200


def test_reglage_faux_personne_n_est_renvoye(client, eve, ada, settings):
    settings.EVALPIC_MFA_OBLIGATOIRE = False
    for personne in (eve, ada):
        client.force_login(personne)
        assert client.get("/tableau-de-bord/").status_code == 200
    assert client.get("/admin/").status_code == 200


def test_avec_un_totp_la_connexion_demande_le_code(client, eve, mot_de_passe, cache_vide):
    secret = activer_totp(eve)
    reponse = connexion(client, eve.email, mot_de_passe)
    assert reponse.status_code == 302
    assert reponse["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session  # pas encore connectée
    reponse = client.post(reverse("mfa_authenticate"), {"code": code_totp(secret)})
    assert reponse.status_code == 302
    assert client.session["_auth_user_id"] == str(eve.pk)


def test_la_connexion_a_l_administration_passe_par_allauth(client):
    reponse = client.get("/admin/login/?next=/admin/")
    assert reponse.status_code == 302
    assert reponse["Location"].startswith(reverse("account_login"))


# --- Taille des requêtes ------------------------------------------------------------------------


@override_settings(EVALPIC_IMPORT_TAILLE_MAX=1000, DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_un_corps_trop_gros_est_refuse_400_avec_un_message_clair(client, alice):
    client.force_login(alice)
    reponse = client.post(reverse("profil"), {"first_name": "x" * 3000})
    assert reponse.status_code == 400
    assert "trop volumineuse" in reponse.content.decode()
    alice.refresh_from_db()
    assert alice.first_name == "Alice"


@override_settings(EVALPIC_IMPORT_TAILLE_MAX=1000, DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_un_corps_trop_gros_vers_l_api_repond_400_en_json(alice):
    api = APIClient()
    api.force_login(alice)
    reponse = api.post("/api/v1/saisies/", {"quartier": "x" * 3000}, format="json")
    assert reponse.status_code == 400
    assert "trop volumineuse" in reponse.json()["detail"]


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_un_formulaire_au_dela_de_la_limite_de_django_repond_400_et_non_500(client, alice):
    """Sous la limite de la requête entière, mais au-delà de DATA_UPLOAD_MAX_MEMORY_SIZE :
    Django lève RequestDataTooBig, rendu par notre page 400."""
    client.force_login(alice)
    reponse = client.post(reverse("profil"), {"first_name": "x" * 1500})
    assert reponse.status_code == 400
    assert "trop volumineuse" in reponse.content.decode()


@override_settings(DATA_UPLOAD_MAX_NUMBER_FIELDS=10)
def test_trop_de_champs_repond_400_et_non_500(client, alice):
    client.force_login(alice)
    reponse = client.post(reverse("profil"), {f"champ{i}": "x" for i in range(20)})
    assert reponse.status_code == 400
    assert "trop de champs" in reponse.content.decode()


def test_une_adresse_non_verifiee_n_empeche_pas_d_activer_la_mfa(client, eve, mfa_obligatoire):
    """Ouvrir la page des adresses crée une adresse « non vérifiée » (les adresses ne se
    vérifient pas ici); allauth refusait ensuite d'activer le TOTP, et l'évaluation, renvoyée à
    cette activation par chaque page, restait dehors."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.internal.flows.add import validate_can_add_authenticator

    client.force_login(eve)
    assert client.get(reverse("account_email")).status_code == 200
    EmailAddress.objects.filter(user=eve).update(verified=False)
    assert EmailAddress.objects.filter(user=eve, verified=False).exists()
    validate_can_add_authenticator(eve)  # ne lève rien
