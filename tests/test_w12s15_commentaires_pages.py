"""Les commentaires d'une saisie sur ses pages : /quartiers/<slug>/saisies/<code>/commentaires/
(la discussion, et l'ajout en POST), la section « Commentaires » du formulaire (où l'évaluation
valide et renvoie) et de l'historique, le retrait de son propre commentaire. Sur le code d'avant,
ces adresses n'existaient pas (`reverse` échoue) et aucune page ne montrait de commentaire."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from indicateurs.models import CommentaireSaisie, Saisie, StatutPeriode, StatutSaisie, Valeur
from indicateurs.validation import LONGUEUR_TEXTE_MAX
from tests.factories import IndicateurFactory, IndicateurSuiviFactory, periode_du_trimestre

pytestmark = pytest.mark.django_db

QUESTION = "Pourquoi ce chiffre a-t-il doublé ?"


@pytest.fixture
def indicateur(quartier_a):
    indicateur = IndicateurFactory(code="menages", nom_fr="Ménages joints", nom_en="Households")
    IndicateurSuiviFactory(quartier=quartier_a, indicateur=indicateur)
    return indicateur


@pytest.fixture
def validee(quartier_a, indicateur) -> Saisie:
    periode = periode_du_trimestre(2025, 1, statut=StatutPeriode.FERMEE)
    saisie = Saisie.objects.create(
        table=quartier_a.table, periode=periode, statut=StatutSaisie.VALIDEE, version=3
    )
    Valeur.objects.create(saisie=saisie, indicateur=indicateur, valeur_numerique=Decimal(20))
    return saisie


def _url(saisie, nom: str = "saisie_commentaires", **extra) -> str:
    kwargs = {"slug": saisie.table.quartier.slug, "code": saisie.periode.code, **extra}
    return reverse(nom, kwargs=kwargs)


def _envoi(texte: str = QUESTION, indicateur="", retour: str = "") -> dict:
    return {
        "commentaire-texte": texte,
        "commentaire-indicateur": indicateur,
        "commentaire-retour": retour,
    }


# --- Qui lit, qui écrit -------------------------------------------------------------------------


@pytest.mark.parametrize("qui", ["alice", "bob", "eve", "ada"])
def test_qui_voit_le_quartier_commente_et_revient_au_formulaire(client, personas, validee, qui):
    client.force_login(personas[qui])
    reponse = client.post(_url(validee), _envoi(retour="formulaire"))
    assert reponse.status_code == 302
    assert reponse.url == _url(validee, "saisie_formulaire") + "#commentaires"
    assert [str(m) for m in get_messages(reponse.wsgi_request)] == ["Votre commentaire est ajouté."]
    commentaire = CommentaireSaisie.objects.get()
    assert (commentaire.auteur, commentaire.texte) == (personas[qui], QUESTION)
    page = client.get(reponse.url).content.decode()
    assert QUESTION in page and 'id="commentaires"' in page


def test_charlie_recoit_404_sur_la_discussion_du_quartier_a(client, charlie, bob, validee):
    CommentaireSaisie.objects.create(saisie=validee, auteur=bob, texte=QUESTION)
    client.force_login(charlie)
    assert client.get(_url(validee)).status_code == 404
    assert client.post(_url(validee), _envoi("Intrus")).status_code == 404
    assert not CommentaireSaisie.objects.filter(texte="Intrus").exists()


def test_l_anonyme_est_renvoye_a_la_connexion(client, validee):
    reponse = client.post(_url(validee), _envoi())
    assert reponse.status_code == 302 and reponse.url.startswith(reverse("account_login"))
    assert not CommentaireSaisie.objects.exists()


def test_une_saisie_jamais_creee_repond_404(client, bob, quartier_a):
    periode = periode_du_trimestre(2025, 2, statut=StatutPeriode.OUVERTE)
    client.force_login(bob)
    url = reverse("saisie_commentaires", kwargs={"slug": quartier_a.slug, "code": periode.code})
    assert client.get(url).status_code == 404
    # Le formulaire, lui, s'affiche, sans section de commentaires (rien à commenter encore).
    page = client.get(
        reverse("saisie_formulaire", kwargs={"slug": quartier_a.slug, "code": periode.code})
    )
    assert page.status_code == 200 and 'id="commentaires"' not in page.content.decode()


# --- Mauvaises entrées : 400, le message au champ, le texte gardé, rien d'écrit -----------------


@pytest.mark.parametrize(
    "texte, champ",
    [
        ("", "texte"),
        ("\u200b \u202e", "texte"),
        ("x" * (LONGUEUR_TEXTE_MAX + 1), "texte"),
    ],
    ids=["vide", "invisible", "trop-long"],
)
def test_un_texte_refuse_repond_400_avec_le_message_au_champ(client, bob, validee, texte, champ):
    client.force_login(bob)
    reponse = client.post(_url(validee), _envoi(texte, retour="historique"))
    assert reponse.status_code == 400
    page = reponse.content.decode()
    assert "<title>Erreur :" in page
    assert "data-focus-au-chargement" in page
    assert f'id="id_commentaire-{champ}_error"' in page
    assert 'name="commentaire-retour" value="historique"' in page  # le retour est gardé
    assert not CommentaireSaisie.objects.exists()


def test_le_texte_est_garde_quand_l_indicateur_est_refuse(client, bob, validee, quartier_b):
    etranger = IndicateurFactory(code="autre")
    IndicateurSuiviFactory(quartier=quartier_b, indicateur=etranger)
    client.force_login(bob)
    reponse = client.post(_url(validee), _envoi(QUESTION, indicateur=etranger.pk))
    assert reponse.status_code == 400
    page = reponse.content.decode()
    assert "Cet indicateur ne fait pas partie de cette saisie." in page
    assert 'id="id_commentaire-indicateur_error"' in page
    assert QUESTION in page  # dans la zone de texte, à renvoyer tel quel
    assert not CommentaireSaisie.objects.exists()


def test_un_commentaire_sur_un_indicateur_de_la_saisie(client, bob, validee, indicateur):
    client.force_login(bob)
    reponse = client.post(_url(validee), _envoi(QUESTION, indicateur=indicateur.pk))
    assert reponse.status_code == 302 and reponse.url == _url(validee) + "#commentaires"
    assert CommentaireSaisie.objects.get().indicateur == indicateur
    page = client.get(_url(validee)).content.decode()
    assert "sur l'indicateur « Ménages joints »" in page


# --- La saisie validée ne bouge pas -------------------------------------------------------------


def test_commenter_une_saisie_validee_ne_change_ni_version_ni_historique(client, eve, validee):
    client.force_login(eve)
    assert client.post(_url(validee), _envoi()).status_code == 302
    validee.refresh_from_db()
    assert (validee.statut, validee.version) == (StatutSaisie.VALIDEE, 3)
    assert not validee.evenements.exists()
    historique = client.get(_url(validee, "saisie_historique")).content.decode()
    assert "Aucun changement enregistré." in historique
    assert QUESTION in historique  # dans la section des commentaires, pas dans le tableau


# --- Les pages de la saisie ---------------------------------------------------------------------


def test_le_formulaire_et_l_historique_montrent_la_discussion(client, eve, alice, validee):
    CommentaireSaisie.objects.create(saisie=validee, auteur=eve, texte=QUESTION)
    CommentaireSaisie.objects.create(saisie=validee, auteur=alice, texte="Nouveau partenaire.")
    client.force_login(eve)
    for nom, retour in (("saisie_formulaire", "formulaire"), ("saisie_historique", "historique")):
        page = client.get(_url(validee, nom)).content.decode()
        assert page.index(QUESTION) < page.index("Nouveau partenaire.")
        assert f'name="commentaire-retour" value="{retour}"' in page
        assert f'action="{_url(validee)}"' in page
        # Ève retire le sien, pas celui d'Alice.
        assert page.count("Retirer mon commentaire") == 1


def test_l_auteur_retire_son_commentaire_depuis_la_page(client, bob, alice, validee):
    commentaire = CommentaireSaisie.objects.create(saisie=validee, auteur=bob, texte=QUESTION)
    url = _url(validee, "saisie_commentaire_retirer", pk=commentaire.pk)
    client.force_login(alice)
    assert client.post(url, {"retour": "formulaire"}).status_code == 403
    client.force_login(bob)
    reponse = client.post(url, {"retour": "formulaire"})
    assert reponse.status_code == 302
    assert reponse.url == _url(validee, "saisie_formulaire") + "#commentaires"
    page = client.get(_url(validee)).content.decode()
    assert QUESTION not in page and "Commentaire retiré par son auteur·e" in page


def test_un_commentaire_d_une_autre_saisie_repond_404_au_retrait(client, bob, validee, quartier_a):
    autre = Saisie.objects.create(table=quartier_a.table, periode=periode_du_trimestre(2024, 4))
    commentaire = CommentaireSaisie.objects.create(saisie=autre, auteur=bob, texte=QUESTION)
    client.force_login(bob)
    url = _url(validee, "saisie_commentaire_retirer", pk=commentaire.pk)
    assert client.post(url).status_code == 404


def test_la_page_en_anglais(client, bob, eve, validee, indicateur):
    CommentaireSaisie.objects.create(
        saisie=validee, auteur=eve, texte=QUESTION, indicateur=indicateur
    )
    client.force_login(bob)
    client.cookies["django_language"] = "en"
    page = client.get(_url(validee), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en">' in page
    assert "Households" in page  # le nom de l'indicateur dans la langue de qui lit
    assert "Ménages joints" not in page


# --- Requêtes -----------------------------------------------------------------------------------


def _ajouter(validee, indicateur, auteurs, n: int) -> None:
    CommentaireSaisie.objects.bulk_create(
        CommentaireSaisie(
            saisie=validee,
            auteur=auteurs[i % len(auteurs)],
            indicateur=indicateur if i % 3 else None,
            texte=f"Commentaire {i}",
        )
        for i in range(n)
    )


@pytest.mark.parametrize("persona", ["eve", "bob"])
def test_la_discussion_coute_huit_requetes_avec_dix_fois_plus_de_commentaires(
    client, personas, alice, validee, indicateur, persona, django_assert_num_queries
):
    # Session, utilisateur; quartier visible (avec sa table), période, saisie; droit de
    # commenter (pour afficher le formulaire); les commentaires avec auteur·e et indicateur,
    # en une requête; les indicateurs de la saisie (liste du formulaire).
    auteurs = [alice, personas[persona]]
    _ajouter(validee, indicateur, auteurs, 2)
    client.force_login(personas[persona])
    with django_assert_num_queries(8):
        assert client.get(_url(validee)).status_code == 200
    _ajouter(validee, indicateur, auteurs, 18)
    with django_assert_num_queries(8):
        page = client.get(_url(validee)).content.decode()
    assert page.count('id="commentaire-') == 20


@pytest.mark.parametrize("nom", ["saisie_formulaire", "saisie_historique"])
def test_la_section_ne_fait_pas_grandir_les_pages_de_la_saisie(
    client, eve, alice, validee, indicateur, nom, django_assert_num_queries
):
    # La section ajoute trois requêtes (droit de commenter, commentaires, indicateurs), quel
    # que soit le nombre de commentaires.
    _ajouter(validee, indicateur, [alice, eve], 2)
    client.force_login(eve)
    with django_assert_num_queries(1000, exact=False) as avant:
        client.get(_url(validee, nom))
    _ajouter(validee, indicateur, [alice, eve], 18)
    with django_assert_num_queries(len(avant)):
        page = client.get(_url(validee, nom)).content.decode()
    assert page.count('id="commentaire-') == 20
