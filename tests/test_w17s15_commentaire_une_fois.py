"""Un commentaire envoyé deux fois ne s'écrit qu'une fois. Avant : un double clic sur « Ajouter
le commentaire » (ou la page renvoyée) écrivait deux commentaires identiques et envoyait deux
courriels à la coordination. Le formulaire porte maintenant un jeton caché, tiré à l'affichage
de la page; `services_commentaires.ecrire_commentaire` le garde sur le commentaire (unique par
auteur·e) : le même envoi rend le commentaire déjà écrit, sans second courriel; le même jeton
avec un autre texte est refusé (409 sur la page, le texte gardé, avec un nouveau jeton). Pas de
fenêtre de temps : deux commentaires identiques, chacun avec son jeton, s'écrivent tous deux.

Sur le code d'avant : le champ caché n'existait pas (la page ne le montre pas), le second envoi
écrivait un second commentaire, `commenter` ne prenait pas de `jeton`."""

from __future__ import annotations

import re
import threading
import uuid
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection, transaction
from django.urls import reverse

from indicateurs import services_commentaires
from indicateurs.models import CommentaireSaisie, Saisie, StatutPeriode, StatutSaisie, Valeur
from tests.factories import IndicateurFactory, IndicateurSuiviFactory, periode_du_trimestre
from tests.verrous import attendre_une_ecriture_bloquee

QUESTION = "Pourquoi ce chiffre a-t-il doublé ?"
AUTRE = "Et celui-ci, pourquoi a-t-il baissé ?"
MOTIF_JETON = re.compile(r'name="commentaire-jeton" value="([0-9a-f-]{36})"')


@pytest.fixture
def indicateur(quartier_a):
    indicateur = IndicateurFactory(code="menages", nom_fr="Ménages joints")
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


def _url(saisie, nom: str = "saisie_commentaires") -> str:
    return reverse(nom, kwargs={"slug": saisie.table.quartier.slug, "code": saisie.periode.code})


def _jeton_de_la_page(client, url: str) -> str:
    page = client.get(url).content.decode()
    (jeton,) = MOTIF_JETON.findall(page)
    return jeton


def _envoi(jeton: str, texte: str = QUESTION, indicateur="") -> dict:
    return {
        "commentaire-texte": texte,
        "commentaire-indicateur": indicateur,
        "commentaire-retour": "formulaire",
        "commentaire-jeton": jeton,
    }


# --- La page ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_chaque_affichage_de_la_page_tire_un_nouveau_jeton(client, bob, validee):
    client.force_login(bob)
    premier = _jeton_de_la_page(client, _url(validee))
    # Le formulaire de la saisie montre la même section, avec son propre jeton.
    second = _jeton_de_la_page(client, _url(validee, "saisie_formulaire"))
    assert uuid.UUID(premier) != uuid.UUID(second)


@pytest.mark.django_db
def test_un_double_clic_n_ecrit_qu_un_commentaire_et_n_envoie_qu_un_courriel(
    client, alice, bob, validee, django_capture_on_commit_callbacks
):
    client.force_login(bob)
    envoi = _envoi(_jeton_de_la_page(client, _url(validee)))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):  # deux fois la même réussite
            reponse = client.post(_url(validee), envoi, follow=True)
            url = _url(validee, "saisie_formulaire") + "#commentaires"
            assert reponse.redirect_chain == [(url, 302)]
            # Le message, montré par la page d'arrivée (et ainsi consommé).
            assert [str(m) for m in reponse.context["messages"]] == [
                "Votre commentaire est ajouté."
            ]
    commentaire = CommentaireSaisie.objects.get()
    assert (commentaire.auteur, commentaire.texte) == (bob, QUESTION)
    assert [courriel.to for courriel in mail.outbox] == [[alice.email]]


@pytest.mark.django_db
def test_deux_commentaires_identiques_envoyes_expres_s_ecrivent_tous_deux(client, bob, validee):
    """Pas de fenêtre de temps : chaque affichage de la page est un nouvel envoi."""
    client.force_login(bob)
    for _ in range(2):
        jeton = _jeton_de_la_page(client, _url(validee))
        assert client.post(_url(validee), _envoi(jeton, "D'accord.")).status_code == 302
    assert CommentaireSaisie.objects.filter(texte="D'accord.").count() == 2


@pytest.mark.django_db
def test_le_meme_jeton_pour_un_autre_texte_repond_409_le_texte_garde(client, bob, validee):
    """La page revenue en arrière puis modifiée : rien n'est écrit, le texte reste avec un
    nouveau jeton; l'envoyer de nouveau l'ajoute."""
    client.force_login(bob)
    jeton = _jeton_de_la_page(client, _url(validee))
    assert client.post(_url(validee), _envoi(jeton)).status_code == 302
    reponse = client.post(_url(validee), _envoi(jeton, AUTRE))
    assert reponse.status_code == 409
    page = reponse.content.decode()
    assert "Ce formulaire a déjà ajouté un autre commentaire" in page
    assert AUTRE in page  # gardé dans le champ
    assert list(CommentaireSaisie.objects.values_list("texte", flat=True)) == [QUESTION]
    (nouveau,) = MOTIF_JETON.findall(page)
    assert nouveau != jeton
    assert client.post(_url(validee), _envoi(nouveau, AUTRE)).status_code == 302
    assert CommentaireSaisie.objects.filter(auteur=bob).count() == 2


@pytest.mark.django_db
def test_un_jeton_illisible_repond_400_sans_rien_ecrire(client, bob, validee):
    client.force_login(bob)
    reponse = client.post(_url(validee), _envoi("pas-un-jeton"))
    assert reponse.status_code == 400
    assert "Le formulaire a été modifié : rechargez la page" in reponse.content.decode()
    assert not CommentaireSaisie.objects.exists()


@pytest.mark.django_db
def test_l_envoi_rejoue_apres_le_retrait_ne_le_ressuscite_pas(client, bob, validee):
    client.force_login(bob)
    jeton = _jeton_de_la_page(client, _url(validee))
    assert client.post(_url(validee), _envoi(jeton)).status_code == 302
    commentaire = CommentaireSaisie.objects.get()
    services_commentaires.retirer_commentaire(auteur=bob, commentaire=commentaire)
    assert client.post(_url(validee), _envoi(jeton)).status_code == 302
    commentaire = CommentaireSaisie.objects.get()
    assert commentaire.est_retire and commentaire.texte == ""


# --- Le service ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_le_service_rend_le_commentaire_deja_ecrit_par_le_meme_jeton(bob, alice, validee):
    jeton = uuid.uuid4()
    premier, ecrit = services_commentaires.ecrire_commentaire(
        auteur=bob, saisie=validee, texte=QUESTION, jeton=jeton
    )
    assert ecrit
    # Le texte est comparé nettoyé, comme il est écrit.
    second, ecrit = services_commentaires.ecrire_commentaire(
        auteur=bob, saisie=validee, texte=f"  {QUESTION} ", jeton=jeton
    )
    assert (second.pk, ecrit) == (premier.pk, False)
    assert (
        services_commentaires.commenter(auteur=bob, saisie=validee, texte=QUESTION, jeton=jeton)
        == premier
    )
    # Le jeton est celui d'une personne : le même chez une autre est un autre envoi.
    assert (
        services_commentaires.commenter(auteur=alice, saisie=validee, texte=QUESTION, jeton=jeton)
        != premier
    )
    assert CommentaireSaisie.objects.count() == 2


@pytest.mark.django_db
def test_sans_jeton_chaque_appel_ecrit_comme_avant(bob, validee):
    for _ in range(2):
        services_commentaires.commenter(auteur=bob, saisie=validee, texte=QUESTION)
    assert CommentaireSaisie.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("ecart", ["texte", "indicateur"])
def test_le_meme_jeton_pour_un_autre_commentaire_est_refuse(bob, validee, indicateur, ecart):
    jeton = uuid.uuid4()
    services_commentaires.commenter(auteur=bob, saisie=validee, texte=QUESTION, jeton=jeton)
    autre = {"texte": AUTRE} if ecart == "texte" else {"indicateur": indicateur}
    with pytest.raises(services_commentaires.JetonDejaUtilise):
        services_commentaires.commenter(
            auteur=bob, saisie=validee, jeton=jeton, **{"texte": QUESTION, **autre}
        )
    assert CommentaireSaisie.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_deux_envois_simultanes_du_meme_jeton_n_ecrivent_qu_un_commentaire(alice, bob, validee):
    """Le premier envoi a écrit sans avoir encore validé; le second ne le voit pas, écrit et
    attend sur l'index d'unicité (observé dans `pg_stat_activity`); le premier valide. Le
    second rend le commentaire du premier, comme en séquence; un seul courriel part."""
    jeton = uuid.uuid4()
    ecrit = threading.Event()
    liberer = threading.Event()
    resultats: dict = {}
    mail.outbox.clear()

    def premier():
        try:
            with transaction.atomic():
                resultats["premier"] = services_commentaires.ecrire_commentaire(
                    auteur=bob, saisie=validee, texte=QUESTION, jeton=jeton
                )
                ecrit.set()
                liberer.wait(5)
        finally:
            connection.close()

    def second():
        try:
            ecrit.wait(5)
            resultats["second"] = services_commentaires.ecrire_commentaire(
                auteur=bob, saisie=validee, texte=QUESTION, jeton=jeton
            )
        except Exception as erreur:
            resultats["second"] = erreur
        finally:
            connection.close()

    fils = [threading.Thread(target=premier), threading.Thread(target=second)]
    for fil in fils:
        fil.start()
    bloque = attendre_une_ecriture_bloquee()
    liberer.set()
    for fil in fils:
        fil.join(10)

    assert bloque, "le second envoi aurait dû attendre l'écriture du premier"
    commentaire, cree = resultats["premier"]
    assert cree
    assert resultats["second"] == (commentaire, False), resultats["second"]
    assert CommentaireSaisie.objects.count() == 1
    assert [courriel.to for courriel in mail.outbox] == [[alice.email]]
