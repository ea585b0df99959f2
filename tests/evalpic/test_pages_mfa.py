"""Les pages de la double authentification (MFA d'allauth) et de la confirmation d'identité sont
celles du site (templates/mfa/, templates/account/reauthenticate.html) : carte, champs du site,
erreurs dans le style du site (alerte, liste « erreurs » sous le champ), et non les gabarits nus
d'allauth. La clé secrète TOTP s'écrit en entier dans un <code> (et non dans un petit champ en
lecture seule qui la coupait) : qui ne peut pas scanner le code QR doit pouvoir la lire. Les noms
des champs et les actions restent ceux d'allauth : ses vues fonctionnent (activation avec un code
faux puis juste, étape du code à la connexion, codes de récupération téléchargés)."""

from __future__ import annotations

import re

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

CLE_SECRETE = re.compile(r'<code class="cle cle-secrete" id="cle-secrete">([A-Z2-7]+)</code>')


def code_juste(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, next(iter(yield_hotp_counters_from_time()))))


def code_faux(secret: str) -> str:
    return f"{(int(code_juste(secret)) + 1) % 1_000_000:06d}"


def se_connecter(client, personne, mot_de_passe) -> None:
    """Connectée, puis identité confirmée par le mot de passe : allauth demande cette
    confirmation avant d'activer ou de désactiver la MFA, de voir ou générer les codes."""
    client.force_login(personne)
    reponse = client.post(
        reverse("account_reauthenticate"), {"password": mot_de_passe, "next": reverse("profil")}
    )
    assert reponse.status_code == 302, reponse.content.decode()[:500]


def page_du_site(contenu: str) -> None:
    assert 'class="entete"' in contenu  # l'en-tête du site (base.html)
    assert 'class="carte carte--etroite"' in contenu
    assert "e-mail" not in contenu.lower()  # le site dit « courriel »


def erreur_sous_le_champ(contenu: str, message: str) -> None:
    """L'erreur dans le style du site : le champ signalé, le message dans sa liste « erreurs »
    (_partials/_champ.html), et non la liste à puces nue d'allauth."""
    assert 'class="champ champ--erreur"' in contenu
    assert re.search(
        rf'<ul class="erreurs" id="id_\w+_error">\s*<li>{re.escape(message)}</li>', contenu
    )
    assert 'class="errorlist' not in contenu


def activer_par_la_page(client, personne, mot_de_passe) -> str:
    se_connecter(client, personne, mot_de_passe)
    contenu = client.get(reverse("mfa_activate_totp")).content.decode()
    secret = CLE_SECRETE.search(contenu)[1]
    reponse = client.post(reverse("mfa_activate_totp"), {"code": code_juste(secret)})
    assert reponse.status_code == 302
    return secret


def test_l_activation_montre_la_cle_secrete_en_entier(client, alice, mot_de_passe):
    se_connecter(client, alice, mot_de_passe)
    reponse = client.get(reverse("mfa_activate_totp"))
    contenu = reponse.content.decode()
    assert reponse.status_code == 200
    page_du_site(contenu)
    cle = CLE_SECRETE.search(contenu)
    assert cle, "la clé secrète est écrite en entier dans un <code>"
    assert len(cle[1]) == 32
    # Nulle part dans un champ (allauth la mettait dans un <input disabled> étroit, coupée).
    assert not re.search(rf"<input[^>]*{cle[1]}", contenu)
    assert 'id="authenticator_secret"' not in contenu
    # Le code QR reste, avec un texte de remplacement qui dit ce qu'il est.
    assert re.search(
        r'<img class="code-qr" src="data:image/svg\+xml;base64,[^"]+" alt="Code QR', contenu
    )
    # Le formulaire d'allauth : son action, son champ « code ».
    assert f'action="{reverse("mfa_activate_totp")}"' in contenu
    assert 'name="code"' in contenu and 'class="formulaire"' in contenu


def test_un_code_faux_est_signale_puis_un_code_juste_active_le_totp(client, alice, mot_de_passe):
    se_connecter(client, alice, mot_de_passe)
    secret = CLE_SECRETE.search(client.get(reverse("mfa_activate_totp")).content.decode())[1]

    reponse = client.post(reverse("mfa_activate_totp"), {"code": code_faux(secret)})
    contenu = reponse.content.decode()
    assert reponse.status_code == 400
    page_du_site(contenu)
    assert '<div class="alerte" role="alert" tabindex="-1" data-focus-au-chargement>' in contenu
    erreur_sous_le_champ(contenu, "Code incorrect.")
    assert CLE_SECRETE.search(contenu)[1] == secret  # la même clé, à scanner ou taper encore
    assert not Authenticator.objects.filter(user=alice).exists()

    reponse = client.post(reverse("mfa_activate_totp"), {"code": code_juste(secret)})
    assert reponse.status_code == 302
    assert reponse["Location"] == reverse("mfa_view_recovery_codes")
    assert Authenticator.objects.filter(user=alice, type=Authenticator.Type.TOTP).exists()


def test_les_codes_de_recuperation_se_lisent_et_se_telechargent(client, alice, mot_de_passe):
    activer_par_la_page(client, alice, mot_de_passe)
    codes = (
        Authenticator.objects.get(user=alice, type=Authenticator.Type.RECOVERY_CODES)
        .wrap()
        .get_unused_codes()
    )
    assert len(codes) == 10

    contenu = client.get(reverse("mfa_view_recovery_codes")).content.decode()
    page_du_site(contenu)
    bloc = re.search(r'<pre class="codes-recuperation"[^>]*>(.*?)</pre>', contenu, re.S)[1]
    assert bloc.split() == codes  # un code par ligne, en entier
    # Télécharger et générer : deux liens distincts, chacun dans son élément de liste.
    assert f'<li><a href="{reverse("mfa_download_recovery_codes")}">' in contenu
    assert f'<li><a href="{reverse("mfa_generate_recovery_codes")}">' in contenu

    reponse = client.get(reverse("mfa_download_recovery_codes"))
    assert reponse.status_code == 200
    assert reponse["Content-Type"].startswith("text/plain")
    assert reponse["Content-Disposition"] == 'attachment; filename="recovery-codes.txt"'
    # Une ligne qui dit ce que sont ces codes, une ligne vide, puis un code par ligne.
    premiere, vide, *lignes = reponse.content.decode().splitlines()
    assert "codes de récupération" in premiere and vide == ""
    assert lignes == codes


def test_la_page_de_la_mfa_est_celle_du_site(client, alice, mot_de_passe):
    se_connecter(client, alice, mot_de_passe)
    contenu = client.get(reverse("mfa_index")).content.decode()
    page_du_site(contenu)
    assert f'href="{reverse("mfa_activate_totp")}"' in contenu

    TOTP.activate(alice, generate_totp_secret())
    client.get(reverse("mfa_generate_recovery_codes"))
    client.post(reverse("mfa_generate_recovery_codes"))
    contenu = client.get(reverse("mfa_index")).content.decode()
    page_du_site(contenu)
    for nom in (
        "mfa_deactivate_totp",
        "mfa_view_recovery_codes",
        "mfa_download_recovery_codes",
        "mfa_generate_recovery_codes",
    ):
        assert f'<li><a href="{reverse(nom)}">' in contenu, nom
    assert "Codes encore utilisables : 10 sur 10." in contenu


def test_generer_et_desactiver_sont_des_pages_du_site(client, alice, mot_de_passe):
    activer_par_la_page(client, alice, mot_de_passe)
    generer = client.get(reverse("mfa_generate_recovery_codes")).content.decode()
    page_du_site(generer)
    assert "Vos codes actuels ne fonctionneront plus." in generer
    assert f'action="{reverse("mfa_generate_recovery_codes")}"' in generer

    desactiver = client.get(reverse("mfa_deactivate_totp")).content.decode()
    page_du_site(desactiver)
    assert f'action="{reverse("mfa_deactivate_totp")}"' in desactiver
    assert 'class="bouton-secondaire bouton-danger"' in desactiver
    reponse = client.post(reverse("mfa_deactivate_totp"))
    assert reponse.status_code == 302
    assert not Authenticator.objects.filter(user=alice, type=Authenticator.Type.TOTP).exists()


def test_l_etape_du_code_a_la_connexion(client, alice, mot_de_passe):
    secret = generate_totp_secret()
    TOTP.activate(alice, secret)
    reponse = client.post(
        reverse("account_login"), {"login": alice.email, "password": mot_de_passe}
    )
    assert reponse["Location"] == reverse("mfa_authenticate")
    contenu = client.get(reverse("mfa_authenticate")).content.decode()
    page_du_site(contenu)
    assert f'action="{reverse("mfa_authenticate")}"' in contenu
    assert 'form="logout-from-stage"' in contenu  # « Annuler » quitte l'étape

    reponse = client.post(reverse("mfa_authenticate"), {"code": code_faux(secret)})
    contenu = reponse.content.decode()
    page_du_site(contenu)
    assert "Connexion refusée." in contenu.split('role="alert"', 1)[1].split("</div>", 1)[0]
    erreur_sous_le_champ(contenu, "Code incorrect.")
    assert "_auth_user_id" not in client.session

    reponse = client.post(reverse("mfa_authenticate"), {"code": code_juste(secret)})
    assert reponse.status_code == 302
    assert client.session["_auth_user_id"] == str(alice.pk)


def test_confirmer_son_identite_par_le_mot_de_passe(client, alice, mot_de_passe):
    client.force_login(alice)  # sans authentification récente : allauth redemande le mot de passe
    reponse = client.get(reverse("mfa_activate_totp"))
    assert reponse["Location"].startswith(reverse("account_reauthenticate"))
    contenu = client.get(reponse["Location"]).content.decode()
    page_du_site(contenu)
    assert f'action="{reverse("account_reauthenticate")}"' in contenu
    # Le champ du site (pleine largeur), avec le lien « Mot de passe oublié ? ».
    assert re.search(r'<div class="champ">\s*<label for="id_password">', contenu)
    assert f'href="{reverse("account_reset_password")}"' in contenu

    reponse = client.post(
        reverse("account_reauthenticate"),
        {"password": "faux", "next": reverse("mfa_activate_totp")},
    )
    contenu = reponse.content.decode()
    assert reponse.status_code == 400
    page_du_site(contenu)
    assert '<div class="alerte" role="alert" tabindex="-1" data-focus-au-chargement>' in contenu
    erreur_sous_le_champ(contenu, "Mot de passe incorrect.")

    reponse = client.post(
        reverse("account_reauthenticate"),
        {"password": mot_de_passe, "next": reverse("mfa_activate_totp")},
    )
    assert reponse.status_code == 302
    assert client.get(reverse("mfa_activate_totp")).status_code == 200


def test_confirmer_son_identite_par_un_code(client, alice):
    secret = generate_totp_secret()
    TOTP.activate(alice, secret)
    client.force_login(alice)
    contenu = client.get(reverse("mfa_reauthenticate")).content.decode()
    page_du_site(contenu)
    assert f'action="{reverse("mfa_reauthenticate")}"' in contenu
    # L'autre moyen qu'offre allauth : le mot de passe.
    assert f'href="{reverse("account_reauthenticate")}' in contenu

    reponse = client.post(reverse("mfa_reauthenticate"), {"code": code_faux(secret)})
    contenu = reponse.content.decode()
    page_du_site(contenu)
    erreur_sous_le_champ(contenu, "Code incorrect.")
    reponse = client.post(reverse("mfa_reauthenticate"), {"code": code_juste(secret)})
    assert reponse.status_code == 302


def test_en_anglais(client, alice, mot_de_passe):
    """Attend la traduction anglaise des nouveaux textes."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    se_connecter(client, alice, mot_de_passe)
    activation = client.get(reverse("mfa_activate_totp")).content.decode()
    assert CLE_SECRETE.search(activation)
    assert "Activate an authenticator app" in activation
    assert "Can't scan the code?" in activation
    index = client.get(reverse("mfa_index")).content.decode()
    assert "Two-factor authentication" in index and "Inactive" in index
