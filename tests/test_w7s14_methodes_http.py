"""Chaque vue du projet refuse d'un 405 un verbe qu'elle ne connaît pas, et une page qu'on lit
répond à HEAD comme à GET.

Le test parcourt le résolveur d'URL (`tests.adresses.toutes_les_adresses`) : une vue ajoutée
sans `require_safe` (lecture seule : GET et HEAD) ou `require_http_methods([...])` (formulaire :
GET, HEAD et POST) fait échouer `test_un_verbe_inconnu_est_refuse`; une vue de lecture décorée de
`require_GET` (qui refuse HEAD) fait échouer `test_head_repond_comme_get`. Sans ces décorateurs,
DELETE, PUT ou un verbe inventé (« FOO ») recevaient la page avec un 200.

Les exceptions sont listées une à une (`EXCEPTIONS`), chacune avec sa raison.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from indicateurs.models import Apprentissage
from quartiers.models import Participation
from tests.adresses import Adresse, toutes_les_adresses
from tests.factories import ParticipationFactory, periode_du_trimestre

pytestmark = pytest.mark.django_db

VERBES_INCONNUS = ("FOO", "DELETE", "PUT", "PATCH")

# Les modules du projet dont les vues sont vérifiées; l'administration de Django (ses vues
# répondent à tout verbe autre que POST comme à GET, hors de notre code) et allauth (vues à
# classes : un verbe inconnu y reçoit déjà 405, mais PUT y vaut POST, comme pour tout FormView de
# Django) sont hors du test.
MODULES_DU_PROJET = ("quartiers.", "indicateurs.", "rapports.", "evalpic.")

# Vue (module.nom) → verbes qu'elle peut accepter, et pourquoi.
EXCEPTIONS: dict[str, tuple[frozenset[str], str]] = {
    # Toute adresse inconnue sous /api/ répond « introuvable » en JSON, quel que soit le verbe :
    # c'est une ressource absente, pas une méthode refusée (`tests/api/test_adresse_inconnue.py`).
    "evalpic.api.views.RessourceIntrouvable": (
        frozenset(VERBES_INCONNUS),
        "adresse inconnue de l'API : 404 pour tout verbe",
    ),
}

# Vues qui répondent à GET mais refusent HEAD, et pourquoi. À retirer une à une : une exception
# devenue inutile fait échouer `test_head_repond_comme_get`.
HEAD_REFUSE: dict[str, str] = {}


def _du_projet(adresse: Adresse) -> bool:
    return adresse.vue.startswith(MODULES_DU_PROJET) and not adresse.vue.startswith(
        ("quartiers.admin.", "indicateurs.admin.", "rapports.admin.")
    )


def _url(adresse: Adresse) -> str:
    """Une adresse concrète : des valeurs quelconques pour ses paramètres (la méthode se vérifie
    avant que la vue ne cherche l'objet); la route brute quand elle n'a pas de nom."""
    if adresse.nom is None:
        return "/" + re.sub(r"[\^$]|\.\*", "", adresse.route) + "inconnue/"
    kwargs = {}
    for parametre in adresse.parametres:
        if parametre == "format":
            kwargs[parametre] = "json" if adresse.methodes_drf is not None else "csv"
        elif parametre in ("pk", "id"):
            kwargs[parametre] = 999999
        elif parametre == "type_fichier":
            kwargs[parametre] = "pdf"
        else:
            kwargs[parametre] = "inconnu"
    return reverse(adresse.nom, kwargs=kwargs)


def _adresses_du_projet() -> list[Adresse]:
    vues = {}
    for adresse in toutes_les_adresses():
        if _du_projet(adresse):
            vues.setdefault((adresse.vue, adresse.nom), adresse)  # une variante par vue et nom
    return list(vues.values())


@pytest.fixture
def client_ada(client, ada):
    client.force_login(ada)
    return client


def test_le_parcours_trouve_les_vues_du_projet():
    vues = {adresse.vue for adresse in _adresses_du_projet()}
    for attendue in (
        "quartiers.views.accueil",
        "indicateurs.views.boite",
        "rapports.views.tableau_pic",
        "rapports.views_export.export_valeurs_csv",
        "quartiers.views_registre.modifier_participation",
    ):
        assert attendue in vues


def test_un_verbe_inconnu_est_refuse(client_ada):
    fautes = []
    for adresse in _adresses_du_projet():
        permis = EXCEPTIONS.get(adresse.vue, (frozenset(), ""))[0]
        url = _url(adresse)
        for verbe in VERBES_INCONNUS:
            if verbe in (adresse.methodes_drf or ()):
                continue
            refuse = client_ada.generic(verbe, url).status_code == 405
            if verbe in permis and refuse:
                fautes.append(f"{adresse.vue} refuse {verbe} : retirez-la de EXCEPTIONS")
            elif verbe not in permis and not refuse:
                fautes.append(f"{verbe} {url} ({adresse.vue}) n'est pas refusé (405)")
    assert not fautes, "\n".join(fautes)


def test_head_repond_comme_get(client_ada):
    fautes = []
    for adresse in _adresses_du_projet():
        if adresse.vue in EXCEPTIONS:
            continue
        if adresse.methodes_drf is not None and "GET" not in adresse.methodes_drf:
            continue
        url = _url(adresse)
        get = client_ada.get(url)
        if get.status_code == 405:
            continue  # une vue d'écriture seulement (require_POST)
        head = client_ada.head(url)
        if adresse.vue in HEAD_REFUSE:
            if head.status_code != 405:
                fautes.append(f"{adresse.vue} répond à HEAD : retirez-la de HEAD_REFUSE")
        elif head.status_code != get.status_code:
            fautes.append(
                f"HEAD {url} ({adresse.vue}) → {head.status_code}, GET → {get.status_code}"
            )
    assert not fautes, "\n".join(fautes)


def test_les_exceptions_existent():
    """Une exception dont la vue a disparu se retire de la liste (celles de HEAD_REFUSE visent
    des pages en cours d'écriture : seule celle qui répond à HEAD est signalée)."""
    vues = {adresse.vue for adresse in _adresses_du_projet()}
    assert set(EXCEPTIONS) <= vues


# --- HEAD sur une page à formulaire : la page, jamais l'envoi -----------------------------------
#
# Ces vues choisissaient « GET : la page; sinon : l'envoi ». HEAD permis, il doit lire la page
# comme GET : pris pour un envoi, il aurait retiré un apprentissage ou refusé le formulaire vide.


def test_head_sur_les_pages_du_registre_lit_la_page(client, alice, quartier_a):
    participation = ParticipationFactory(table=quartier_a.table)
    client.force_login(alice)
    for url in (
        reverse("partenaire_inscrire", kwargs={"slug": quartier_a.slug}),
        reverse("participation_modifier", kwargs={"slug": quartier_a.slug, "pk": participation.pk}),
        reverse(
            "partenaire_modifier",
            kwargs={"slug": quartier_a.slug, "pk": participation.partenaire_id},
        ),
        reverse("import_valeurs", kwargs={"slug": quartier_a.slug}),
        reverse("apprentissage_nouveau", kwargs={"slug": quartier_a.slug}),
    ):
        reponse = client.head(url)
        assert reponse.status_code == 200, url
        assert reponse.content == b""
    assert Participation.objects.count() == 1


def test_head_sur_la_confirmation_ne_retire_pas_l_apprentissage(client, alice, quartier_a):
    apprentissage = Apprentissage.objects.create(
        quartier=quartier_a,
        periode=periode_du_trimestre(2024, 4),
        categorie="defis",
        texte_fr="Les jeunes reviennent quand un pair les invite.",
        auteur=alice,
    )
    client.force_login(alice)
    kwargs = {"slug": quartier_a.slug, "pk": apprentissage.pk}
    for nom in ("apprentissage_supprimer", "apprentissage_modifier"):
        assert client.head(reverse(nom, kwargs=kwargs)).status_code == 200
    assert Apprentissage.objects.filter(pk=apprentissage.pk).exists()


def test_verbes_inconnus_sur_les_pages_signalees(client, alice, quartier_a):
    """Les adresses du relevé : DELETE, PUT ou FOO recevaient la page avec un 200."""
    client.force_login(alice)
    for url in ("/", "/saisie/", f"/quartiers/{quartier_a.slug}/", "/tableau-de-bord/"):
        assert client.get(url).status_code == 200, url
        assert client.head(url).status_code == 200, url
        for verbe in ("DELETE", "PUT", "FOO"):
            assert client.generic(verbe, url).status_code == 405, (verbe, url)
