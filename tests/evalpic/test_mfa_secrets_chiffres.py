"""Les secrets de la double authentification ne sont plus en clair : ni en base (la clé TOTP et
la graine des codes de récupération, chiffrées par evalpic.adaptateur_mfa), ni à l'écran (l'admin
des authentificateurs ne montre plus leurs données). Avant : l'admin par défaut d'allauth montrait
et laissait modifier le champ « Data », qui portait la clé TOTP en clair."""

from __future__ import annotations

import importlib

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils import translation

from evalpic.adaptateur_mfa import PREFIXE, chiffrer, dechiffrer
from tests.evalpic.test_pages_mfa import code_juste

pytestmark = pytest.mark.django_db

MIGRATION = "quartiers.migrations.0006_chiffrer_secrets_mfa"


def _se_connecter_avec_le_code(client, personne, mot_de_passe, secret) -> bool:
    client.post(reverse("account_login"), {"login": personne.email, "password": mot_de_passe})
    client.post(reverse("mfa_authenticate"), {"code": code_juste(secret)})
    return client.session.get("_auth_user_id") == str(personne.pk)


# --- En base ------------------------------------------------------------------------------------


def test_la_cle_totp_est_chiffree_en_base_et_la_connexion_marche(client, alice, mot_de_passe):
    secret = generate_totp_secret()
    TOTP.activate(alice, secret)
    enregistre = Authenticator.objects.get(user=alice, type="totp").data["secret"]
    assert enregistre.startswith(PREFIXE) and secret not in enregistre
    assert _se_connecter_avec_le_code(client, alice, mot_de_passe, secret)


def test_la_graine_des_codes_de_recuperation_est_chiffree(alice):
    codes = RecoveryCodes.activate(alice)
    graine = Authenticator.objects.get(user=alice, type="recovery_codes").data["seed"]
    assert graine.startswith(PREFIXE)
    premier = codes.generate_codes()[0]
    assert RecoveryCodes(Authenticator.objects.get(pk=codes.instance.pk)).validate_code(premier)


def test_une_cle_ecrite_en_clair_avant_le_chiffrement_marche_encore(client, alice, mot_de_passe):
    secret = generate_totp_secret()
    Authenticator.objects.create(user=alice, type="totp", data={"secret": secret})
    assert _se_connecter_avec_le_code(client, alice, mot_de_passe, secret)


def test_la_migration_chiffre_les_secrets_existants_et_le_retour_les_remet(alice):
    migration = importlib.import_module(MIGRATION)
    secret = generate_totp_secret()
    totp = Authenticator.objects.create(user=alice, type="totp", data={"secret": secret})
    codes = Authenticator.objects.create(
        user=alice,
        type="recovery_codes",
        data={"seed": "ab" * 40, "used_mask": 0, "migrated_codes": ["12345678"]},
    )
    migration.chiffrer_les_secrets(apps, None)
    migration.chiffrer_les_secrets(apps, None)  # deux fois : pas de double chiffrement
    totp.refresh_from_db()
    codes.refresh_from_db()
    assert totp.data["secret"].startswith(PREFIXE)
    assert dechiffrer(totp.data["secret"]) == secret
    assert dechiffrer(codes.data["seed"]) == "ab" * 40 and codes.data["used_mask"] == 0
    assert [dechiffrer(c) for c in codes.data["migrated_codes"]] == ["12345678"]
    migration.dechiffrer_les_secrets(apps, None)
    totp.refresh_from_db()
    assert totp.data["secret"] == secret


def test_une_cle_dediee_lit_encore_ce_que_secret_key_a_chiffre(settings):
    settings.EVALPIC_MFA_CLE = ""
    ancien = chiffrer("JBSWY3DPEHPK3PXP")
    settings.EVALPIC_MFA_CLE = "une-cle-propre-a-la-mfa"
    assert dechiffrer(ancien) == "JBSWY3DPEHPK3PXP"
    nouveau = chiffrer("JBSWY3DPEHPK3PXP")
    settings.EVALPIC_MFA_CLE = ""
    with pytest.raises(ImproperlyConfigured):  # la clé perdue : un message qui le dit
        dechiffrer(nouveau)


# --- Dans l'admin -------------------------------------------------------------------------------


@pytest.fixture
def totp_d_alice(alice):
    secret = generate_totp_secret()
    TOTP.activate(alice, secret)
    RecoveryCodes.activate(alice)
    return secret, Authenticator.objects.get(user=alice, type="totp")


def test_l_admin_ne_montre_jamais_les_donnees(client, ada, totp_d_alice):
    secret, authentificateur = totp_d_alice
    client.force_login(ada)
    fiche = reverse("admin:mfa_authenticator_change", args=[authentificateur.pk])
    contenu = client.get(fiche).content.decode()
    assert secret not in contenu
    assert authentificateur.data["secret"] not in contenu  # ni chiffrée
    assert 'name="data"' not in contenu and "Données" not in contenu
    assert client.post(fiche, {"user": ada.pk, "type": "totp", "data": "{}"}).status_code == 403
    assert client.get(reverse("admin:mfa_authenticator_add")).status_code == 403
    authentificateur.refresh_from_db()
    assert authentificateur.user_id != ada.pk


def test_retirer_l_authentificateur_d_un_telephone_perdu(client, ada, alice, totp_d_alice):
    _, authentificateur = totp_d_alice
    client.force_login(ada)
    suppression = reverse("admin:mfa_authenticator_delete", args=[authentificateur.pk])
    assert client.post(suppression, {"post": "yes"}).status_code == 302
    # Les codes de récupération seuls ne servent plus : partis avec lui, comme chez allauth.
    assert not Authenticator.objects.filter(user=alice).exists()


def test_la_liste_en_francais(client, ada, totp_d_alice):
    client.force_login(ada)
    with translation.override("fr"):
        liste = client.get(reverse("admin:mfa_authenticator_changelist")).content.decode()
        accueil = client.get(reverse("admin:index")).content.decode()
    for entete in ("Utilisateur·trice", "Type", "Créé le", "Dernier usage"):
        assert f">{entete}</a>" in liste
    assert "Alice" in liste and "Authentificateur TOTP" in liste
    for anglais in ("Authenticators", ">User<", ">Data<", "Created at", "Last used at"):
        assert anglais not in liste + accueil
    assert "Double authentification" in accueil and "Authentificateurs" in accueil
