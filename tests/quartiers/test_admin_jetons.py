"""L'admin des jetons d'API consulte et révoque, rien d'autre. Avant : « Ajouter » enregistrait un
jeton sans empreinte (le second ajout : IntegrityError, 500), et la fiche laissait changer la
personne d'un jeton : la clé d'Alice agissait ensuite avec les droits d'Ada."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from quartiers.jetons import creer_jeton
from quartiers.models import JetonAPI

pytestmark = pytest.mark.django_db

LISTE = "admin:quartiers_jetonapi_changelist"


def _api(cle: str) -> int:
    reponse = Client().get("/api/v1/quartiers/", HTTP_AUTHORIZATION=f"Bearer {cle}")
    return reponse.status_code


def test_aucun_jeton_ne_s_ajoute_dans_l_admin(client, ada):
    client.force_login(ada)
    client.raise_request_exception = False
    ajout = reverse("admin:quartiers_jetonapi_add")
    assert client.get(ajout).status_code == 403
    for nom in ("x", "y"):  # avant : 302, puis 500
        assert client.post(ajout, {"utilisateur": ada.pk, "nom": nom}).status_code == 403
    assert not JetonAPI.objects.exists()


def test_un_jeton_ne_change_pas_de_main(client, ada, alice):
    jeton, cle = creer_jeton(utilisateur=alice, nom="tableur")
    client.force_login(ada)
    fiche = reverse("admin:quartiers_jetonapi_change", args=[jeton.pk])
    contenu = client.get(fiche).content.decode()
    assert 'name="utilisateur"' not in contenu and 'name="nom"' not in contenu
    assert "alice@exemple.org" in contenu or "Alice" in contenu  # consultable
    donnees = {"utilisateur": ada.pk, "nom": "tableur", "revoque_le_0": "", "revoque_le_1": ""}
    assert client.post(fiche, donnees).status_code == 403
    jeton.refresh_from_db()
    assert jeton.utilisateur == alice and jeton.revoque_le is None
    assert _api(cle) == 200


def test_l_action_revoquer(client, ada, alice, bob):
    jeton_alice, cle_alice = creer_jeton(utilisateur=alice, nom="tableur")
    _jeton_bob, cle_bob = creer_jeton(utilisateur=bob, nom="script")
    assert _api(cle_alice) == 200
    client.force_login(ada)
    liste = client.get(reverse(LISTE))
    actions = [nom for nom, _ in liste.context["action_form"].fields["action"].choices]
    assert "revoquer" in actions
    reponse = client.post(
        reverse(LISTE), {"action": "revoquer", "_selected_action": [jeton_alice.pk]}, follow=True
    )
    messages = [str(m) for m in reponse.context["messages"]]
    assert messages == ["1 jeton révoqué : la clé ne donne plus accès à l'API."]
    assert _api(cle_alice) == 401
    assert _api(cle_bob) == 200
    # Déjà révoqué : la date de révocation ne bouge pas.
    jeton_alice.refresh_from_db()
    revoque_le = jeton_alice.revoque_le
    client.post(reverse(LISTE), {"action": "revoquer", "_selected_action": [jeton_alice.pk]})
    jeton_alice.refresh_from_db()
    assert jeton_alice.revoque_le == revoque_le


def test_la_liste_et_la_fiche_disent_pourquoi_un_jeton_a_ete_revoque(client, ada, alice):
    """Un nouveau mot de passe révoque les jetons de sa personne (`MotifRevocation`) :
    l'administration voit pourquoi, et peut filtrer sur ce motif."""
    jeton, _cle = creer_jeton(utilisateur=alice, nom="tableur")
    alice.set_password("un-tout-nouveau-mot-de-passe")
    alice.save()
    jeton.refresh_from_db()
    assert jeton.motif_revocation == "mot_de_passe"
    client.force_login(ada)
    liste = client.get(reverse(LISTE), {"motif_revocation__exact": "mot_de_passe"})
    assert list(liste.context["cl"].result_list) == [jeton]
    assert "mot de passe changé ou réinitialisé" in liste.content.decode()
    fiche = client.get(reverse("admin:quartiers_jetonapi_change", args=[jeton.pk]))
    assert "mot de passe changé ou réinitialisé" in fiche.content.decode()
