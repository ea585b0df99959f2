"""La page des courriels du compte (/comptes/email/, celle d'allauth) parle comme le site :
« courriel », jamais « e-mail », dans la page, dans ses messages (ajout, retrait, courriel
principal, renvoi de la vérification, vérification) et dans le courriel de confirmation qu'elle
envoie; en anglais, rien n'y reste en français. Elle garde la mise en page du site (carte) et
les champs qu'attend la vue d'allauth."""

from __future__ import annotations

import html
import json
import re

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.test import Client
from django.urls import reverse

from quartiers.models import Utilisateur
from tests.factories import MOT_DE_PASSE

pytestmark = pytest.mark.django_db

PAGE = "account_email"
AUTRE = "autre@exemple.org"

# Ce qu'allauth écrit en français (« Adresses e-mail », « Ajouter une adresse e-mail »,
# « Rendre principale »…) et ce que la page écrit en français, absent de sa version anglaise.
FRANCAIS = [
    "courriel",
    "Courriel",
    "vérifié",
    "principal",
    "Retirer",
    "Ajouter",
    "Renvoyer",
    "Mon profil",
]


def _dans_la_langue(client, langue: str) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = langue


def _texte(reponse) -> str:
    return html.unescape(reponse.content.decode())


def _messages(reponse) -> list[str]:
    return [
        html.unescape(message)
        for message in re.findall(r'<p class="message[^"]*">(.*?)</p>', reponse.content.decode())
    ]


def _ajouter(client, courriel: str = AUTRE, **kwargs):
    return client.post(reverse(PAGE), {"email": courriel, "action_add": ""}, **kwargs)


def _connecter(client, personne) -> None:
    """Connectée, et son mot de passe redonné à l'instant : ajouter, retirer ou rendre principal
    un courriel le demande (ACCOUNT_REAUTHENTICATION_REQUIRED)."""
    client.force_login(personne)
    reponse = client.post(reverse("account_reauthenticate"), {"password": MOT_DE_PASSE})
    assert reponse.status_code == 302, reponse.content.decode()


def _agir(client, action: str, courriel: str = AUTRE):
    return client.post(reverse(PAGE), {"email": courriel, f"action_{action}": ""}, follow=True)


@pytest.fixture
def deux_courriels(alice):
    """Le courriel de connexion d'Alice, principal et vérifié, et un second, non vérifié."""
    EmailAddress.objects.create(user=alice, email=alice.email, primary=True, verified=True)
    EmailAddress.objects.create(user=alice, email=AUTRE, primary=False, verified=False)
    return alice


def test_la_page_est_celle_du_site_et_dit_courriel(client, deux_courriels):
    client.force_login(deux_courriels)
    reponse = client.get(reverse(PAGE))
    assert reponse.status_code == 200
    contenu = _texte(reponse)
    assert '<div class="carte carte--etroite">' in contenu
    assert "<h1>Mes courriels</h1>" in contenu
    assert "<legend>Les courriels de votre compte</legend>" in contenu
    assert '<label for="id_email">Courriel <span class="requis"' in contenu
    # La liste : un bouton radio par courriel, le principal coché, ses états.
    assert re.search(
        r'<input type="radio" name="email" value="alice@exemple.org" id="\w+" checked>', contenu
    )
    assert re.search(rf'<input type="radio" name="email" value="{AUTRE}" id="\w+">', contenu)
    assert ">vérifié</span>" in contenu and ">non vérifié</span>" in contenu
    assert ">principal</span>" in contenu
    # Les noms d'actions que lit la vue d'allauth.
    for action, libelle in [
        ("action_primary", "Rendre principal"),
        ("action_send", "Renvoyer le courriel de vérification"),
        ("action_remove", "Retirer"),
        ("action_add", "Ajouter le courriel"),
    ]:
        assert re.search(rf'<button type="submit" name="{action}"[^>]*>{libelle}</button>', contenu)
    # La confirmation du retrait (static/account/js/account.js d'allauth) parle comme le site.
    assert "allauth.account.forms.manageEmailForm" in contenu
    (donnees,) = re.findall(
        r'<script data-allauth-onload="allauth.account.forms.manageEmailForm" '
        r'type="application/json">(.*?)</script>',
        contenu,
        re.S,
    )
    assert json.loads(donnees) == {
        "i18n": {"confirmDelete": "Voulez-vous vraiment retirer le courriel choisi ?"}
    }
    assert "e-mail" not in contenu.lower()


def test_en_anglais_rien_n_y_reste_en_francais(client, deux_courriels):
    _dans_la_langue(client, "en")
    client.force_login(deux_courriels)
    reponse = client.get(reverse(PAGE))
    assert reponse.status_code == 200
    contenu = _texte(reponse)
    assert '<html lang="en">' in contenu
    assert [mot for mot in FRANCAIS if mot in contenu] == []


def test_ajouter_un_courriel_envoie_une_confirmation_sans_e_mail(client, alice, mailoutbox):
    _connecter(client, alice)
    reponse = _ajouter(client, follow=True)
    assert reponse.redirect_chain == [(reverse(PAGE), 302)]
    adresse = EmailAddress.objects.get(user=alice, email=AUTRE)
    assert not adresse.verified and not adresse.primary
    assert _messages(reponse) == [f"Un courriel de confirmation a été envoyé à {AUTRE}."]
    assert AUTRE in _texte(reponse)

    (courriel,) = mailoutbox
    assert courriel.to == [AUTRE]
    assert courriel.subject == "ÉvalPIC : Confirmez votre adresse courriel"
    assert courriel.body.startswith("Bonjour,")
    assert f"avez ajouté l'adresse {AUTRE} à un compte ÉvalPIC. Si ce n'est" in courriel.body
    assert alice.get_full_name() not in courriel.body  # un texte libre, vers une adresse quelconque
    lien = re.search(
        r"Pour confirmer que cette adresse est la vôtre :\n(http://testserver/\S+)", courriel.body
    )
    assert lien, courriel.body
    assert courriel.body.rstrip().endswith("L'équipe ÉvalPIC")
    for texte in (courriel.subject, courriel.body):
        assert "e-mail" not in texte.lower()
        assert "Hello" not in texte and "testserver!" not in texte

    # Le lien du courriel ouvre la page du site, puis vérifie l'adresse, avec son message.
    page = _texte(client.get(lien.group(1)))
    assert "<h1>Confirmer un courriel</h1>" in page
    assert f"Confirmez que {AUTRE} est bien votre courriel." in page
    # Le nom du compte, un texte libre, n'est pas montré à qui détient l'adresse.
    assert alice.get_full_name() not in _texte(Client().get(lien.group(1)))
    assert "e-mail" not in page.lower()
    reponse = client.post(lien.group(1), follow=True)
    assert f"Le courriel {AUTRE} est maintenant vérifié." in _messages(reponse)
    adresse.refresh_from_db()
    assert adresse.verified


def test_le_courriel_de_confirmation_part_dans_la_langue_de_la_personne(client, alice, mailoutbox):
    alice.langue = "en"
    alice.save()
    _connecter(client, alice)
    assert _ajouter(client).status_code == 302
    (courriel,) = mailoutbox
    assert courriel.body.startswith("Hello,")
    assert courriel.body.rstrip().endswith("The ÉvalPIC team")
    assert "courriel" not in courriel.subject + courriel.body
    assert "adresse" not in courriel.subject + courriel.body


@pytest.mark.parametrize(
    ("courriel", "message"),
    [
        ("pas-un-courriel", "Saisissez une adresse courriel valide."),
        ("alice@exemple.org", "Ce courriel est déjà associé à votre compte."),
    ],
)
def test_un_ajout_refuse_a_le_message_du_site(client, alice, mailoutbox, courriel, message):
    _connecter(client, alice)
    reponse = _ajouter(client, courriel)
    assert reponse.status_code == 400
    contenu = _texte(reponse)
    assert re.findall(r'<ul class="erreurs" id="id_email_error"><li>(.*?)</li>', contenu) == [
        message
    ]
    assert "e-mail" not in contenu.lower()
    assert EmailAddress.objects.filter(user=alice).count() == 1
    assert mailoutbox == []


def test_le_profil_mene_a_la_page(client, alice):
    client.force_login(alice)
    profil = client.get(reverse("profil")).content.decode()
    assert f'<a href="{reverse(PAGE)}">Mes courriels</a>' in profil


@pytest.mark.parametrize("langue", ["fr", "en"])
def test_un_lien_de_confirmation_invalide_le_dit(client, alice, langue):
    client.force_login(alice)
    _dans_la_langue(client, langue)
    page = _texte(client.get(reverse("account_confirm_email", args=["cle-inconnue"])))
    attendu = {
        "fr": "Ce lien de confirmation a expiré ou n'est pas valide.",
        "en": "This confirmation link has expired or is not valid.",
    }[langue]
    assert attendu in page
    assert f'href="{reverse(PAGE)}"' in page
    assert "e-mail" not in page.lower()


def test_le_courriel_de_connexion_d_un_compte_de_l_administration_est_principal_et_reste(
    client, alice
):
    """Un compte créé par l'administration n'a pas de ligne de courriel : allauth la créait non
    principale, la page n'en montrait aucun de principal, et retirer le courriel de connexion
    passait l'identifiant à l'autre courriel, non vérifié (on se connectait alors avec lui)."""
    _connecter(client, alice)
    page = _texte(client.get(reverse(PAGE)))
    assert EmailAddress.objects.get(user=alice, email=alice.email).primary
    assert "principal" in page
    assert _ajouter(client, follow=True).status_code == 200
    reponse = _agir(client, "remove", alice.email)
    assert _messages(reponse) == [
        f"Le courriel {alice.email} ne peut pas être retiré : c'est celui de votre connexion. "
        "Rendez d'abord principal un autre courriel (ajoutez-en un au besoin)."
    ]
    alice.refresh_from_db()
    assert alice.email == "alice@exemple.org"
    assert EmailAddress.objects.filter(user=alice, email=alice.email).exists()


def test_le_courriel_de_connexion_ne_se_retire_pas_meme_non_principal(client, alice):
    """Même si une ligne d'avant ne le marque pas principal."""
    EmailAddress.objects.create(user=alice, email=alice.email, primary=False, verified=False)
    EmailAddress.objects.create(user=alice, email=AUTRE, primary=True, verified=True)
    _connecter(client, alice)
    _agir(client, "remove", alice.email)
    alice.refresh_from_db()
    assert alice.email == "alice@exemple.org"
    assert EmailAddress.objects.filter(user=alice, email=alice.email).exists()


def test_retirer_un_courriel(client, deux_courriels):
    _connecter(client, deux_courriels)
    reponse = _agir(client, "remove")
    assert reponse.status_code == 200
    assert _messages(reponse) == [f"Le courriel {AUTRE} est retiré de votre compte."]
    assert not EmailAddress.objects.filter(email=AUTRE).exists()
    assert "e-mail" not in _texte(reponse).lower()


def test_le_courriel_de_connexion_ne_se_retire_pas(client, deux_courriels):
    _connecter(client, deux_courriels)
    reponse = _agir(client, "remove", "alice@exemple.org")
    assert _messages(reponse) == [
        "Le courriel alice@exemple.org ne peut pas être retiré : c'est celui de votre connexion. "
        "Rendez d'abord principal un autre courriel (ajoutez-en un au besoin)."
    ]
    assert EmailAddress.objects.filter(email="alice@exemple.org").exists()


def test_rendre_principal_un_courriel_verifie_change_l_identifiant(client, alice):
    EmailAddress.objects.create(user=alice, email=alice.email, primary=True, verified=False)
    EmailAddress.objects.create(user=alice, email=AUTRE, primary=False, verified=True)
    _connecter(client, alice)
    reponse = _agir(client, "primary")
    assert _messages(reponse) == ["Le courriel choisi est maintenant votre courriel principal."]
    assert EmailAddress.objects.get(email=AUTRE).primary
    alice.refresh_from_db()
    assert alice.email == AUTRE


NON_VERIFIE = (
    "Seul un courriel vérifié peut devenir principal : suivez d'abord le lien du courriel de "
    "vérification (« Renvoyer le courriel de vérification » au besoin)."
)


def test_un_courriel_non_verifie_ne_devient_pas_principal_meme_sans_aucun_verifie(client, alice):
    """Le cas de tout compte créé par l'administration : aucun courriel vérifié. allauth laissait
    alors n'importe quel courriel ajouté devenir l'identifiant de connexion."""
    _connecter(client, alice)
    assert _ajouter(client, follow=True).status_code == 200
    reponse = _agir(client, "primary")
    assert _messages(reponse) == [NON_VERIFIE]
    alice.refresh_from_db()
    assert alice.email == "alice@exemple.org"
    assert not EmailAddress.objects.get(email=AUTRE).primary


@pytest.mark.parametrize("verifie", [False, True])
def test_le_courriel_d_un_autre_compte_ne_devient_pas_principal(client, alice, bob, verifie):
    """Avant : accepté à l'ajout (allauth ne dit pas qu'un courriel a un compte), puis une erreur
    500 en le rendant principal (unicité de Utilisateur.email)."""
    _connecter(client, alice)
    assert _ajouter(client, bob.email, follow=True).status_code == 200
    EmailAddress.objects.filter(user=alice, email=bob.email).update(verified=verifie)
    reponse = _agir(client, "primary", bob.email)
    assert reponse.status_code == 200
    attendu = (
        "Ce courriel est celui d'un autre compte : il ne peut pas devenir principal."
        if verifie
        else NON_VERIFIE
    )
    assert _messages(reponse) == [attendu]
    assert Utilisateur.objects.get(pk=alice.pk).email == "alice@exemple.org"


def test_sans_mot_de_passe_recent_rien_ne_change(client, alice, mailoutbox):
    """Une session seule (volée, ou ouverte depuis longtemps) ne suffit pas : la page demande le
    mot de passe, puis reprend l'action demandée."""
    client.force_login(alice)
    reponse = _ajouter(client)
    assert reponse.status_code == 302
    assert reponse["Location"].startswith(reverse("account_reauthenticate"))
    assert not EmailAddress.objects.filter(email=AUTRE).exists()
    assert mailoutbox == []
    client.post(
        reverse("account_reauthenticate"),
        {"password": MOT_DE_PASSE, "next": reverse(PAGE)},
    )
    assert EmailAddress.objects.filter(user=alice, email=AUTRE, verified=False).exists()


def test_seul_un_courriel_verifie_devient_principal(client, deux_courriels):
    _connecter(client, deux_courriels)
    reponse = _agir(client, "primary")
    assert _messages(reponse) == [NON_VERIFIE]
    assert EmailAddress.objects.get(email="alice@exemple.org").primary


def test_renvoyer_la_verification(client, deux_courriels, mailoutbox):
    _connecter(client, deux_courriels)
    reponse = _agir(client, "send")
    assert _messages(reponse) == [f"Un courriel de confirmation a été envoyé à {AUTRE}."]
    (courriel,) = mailoutbox
    assert courriel.to == [AUTRE]
    assert "e-mail" not in (courriel.subject + courriel.body).lower()
