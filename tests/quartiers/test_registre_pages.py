"""Les pages du registre des partenaires (/quartiers/<slug>/partenaires/…) : qui y entre, ce
qu'elles écrivent, comment elles refusent (400, messages à côté des champs, valeurs gardées,
rien d'écrit), leurs liens depuis la page du quartier et leur nombre de requêtes."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quartiers.models import Partenaire, Participation
from tests.factories import (
    PartenaireFactory,
    ParticipationFactory,
    QuartierFactory,
    SecteurFactory,
)

pytestmark = pytest.mark.django_db

J = datetime.date


def _inscrire(quartier) -> str:
    return reverse("partenaire_inscrire", kwargs={"slug": quartier.slug})


def _participation(quartier, participation) -> str:
    return reverse("participation_modifier", kwargs={"slug": quartier.slug, "pk": participation.pk})


def _fiche(quartier, partenaire) -> str:
    return reverse("partenaire_modifier", kwargs={"slug": quartier.slug, "pk": partenaire.pk})


def _retour(quartier) -> str:
    # Sans ancre : le message de confirmation, en haut de la page, reste à l'écran.
    return quartier.get_absolute_url()


def _nouveau(secteur, /, **champs) -> dict:
    return {
        "partenaire": "",
        "nom": "Carrefour jeunesse",
        "secteur": secteur.pk,
        "role": "membre",
        "debut": "2025-02-01",
        "fin": "",
        **champs,
    }


@pytest.fixture
def secteur(db):
    return SecteurFactory(code="communautaire")


# --- Accès --------------------------------------------------------------------------------------


def test_qui_entre_dans_les_pages_du_registre(client, personas, quartier_a):
    participation = ParticipationFactory(table=quartier_a.table)
    urls = [
        _inscrire(quartier_a),
        _participation(quartier_a, participation),
        _fiche(quartier_a, participation.partenaire),
    ]
    attendus = {"alice": 200, "ada": 200, "bob": 403, "eve": 403, "charlie": 404}
    for url in urls:
        for nom, statut in attendus.items():
            client.force_login(personas[nom])
            assert client.get(url).status_code == statut, (url, nom)
        client.logout()
        reponse = client.get(url)
        assert reponse.status_code == 302 and reponse["Location"].startswith(
            reverse("account_login")
        )


def test_la_participation_d_un_autre_quartier_repond_404(client, alice, quartier_a, quartier_b):
    de_b = ParticipationFactory(table=quartier_b.table)
    client.force_login(alice)
    # Par l'adresse de A, l'identifiant d'une participation (ou d'un partenaire) de B : 404.
    assert client.get(_participation(quartier_a, de_b)).status_code == 404
    reponse = client.post(
        _participation(quartier_a, de_b), {"role": "membre", "debut": "2020-01-01", "fin": ""}
    )
    assert reponse.status_code == 404
    assert client.get(_fiche(quartier_a, de_b.partenaire)).status_code == 404
    # Par l'adresse de B, qu'Alice ne voit pas : 404 aussi.
    assert client.get(_participation(quartier_b, de_b)).status_code == 404
    de_b.refresh_from_db()
    assert de_b.debut == J(2018, 1, 1)


def test_la_page_du_quartier_offre_le_registre_a_la_seule_coordination(
    client, alice, bob, quartier_a
):
    participation = ParticipationFactory(table=quartier_a.table)
    client.force_login(alice)
    contenu = client.get(quartier_a.get_absolute_url()).content.decode()
    assert _inscrire(quartier_a) in contenu
    assert _participation(quartier_a, participation) in contenu
    client.force_login(bob)
    contenu = client.get(quartier_a.get_absolute_url()).content.decode()
    assert "/partenaires/" not in contenu


def test_une_table_sans_partenaire_offre_d_en_inscrire_un(client, alice, quartier_a):
    client.force_login(alice)
    contenu = client.get(quartier_a.get_absolute_url()).content.decode()
    assert "Aucun partenaire n'est encore inscrit" in contenu
    assert _inscrire(quartier_a) in contenu


# --- Inscrire -----------------------------------------------------------------------------------


def test_alice_inscrit_un_nouveau_partenaire(client, alice, quartier_a, secteur):
    client.force_login(alice)
    reponse = client.post(
        _inscrire(quartier_a), _nouveau(secteur, acteur_influence="on", site_web="cj.exemple.org")
    )
    assert reponse.status_code == 302
    assert reponse["Location"] == _retour(quartier_a)
    participation = Participation.objects.get()
    assert participation.table == quartier_a.table
    assert participation.debut == J(2025, 2, 1) and participation.fin is None
    partenaire = participation.partenaire
    assert (partenaire.nom, partenaire.secteur, partenaire.acteur_influence) == (
        "Carrefour jeunesse",
        secteur,
        True,
    )
    assert partenaire.site_web == "https://cj.exemple.org"
    messages = [str(m) for m in get_messages(reponse.wsgi_request)]
    assert messages == ["Carrefour jeunesse figure maintenant au registre de la table."]
    contenu = client.get(reponse["Location"]).content.decode()
    assert "Carrefour jeunesse" in contenu


def test_alice_inscrit_un_partenaire_deja_connu(client, alice, quartier_a, secteur):
    ancienne = ParticipationFactory(table=quartier_a.table, fin=J(2019, 12, 31))
    client.force_login(alice)
    donnees = _nouveau(secteur, partenaire=ancienne.partenaire.pk, nom="", role="comite")
    reponse = client.post(_inscrire(quartier_a), donnees)
    assert reponse.status_code == 302
    assert Partenaire.objects.count() == 1
    nouvelle = Participation.objects.exclude(pk=ancienne.pk).get()
    assert (nouvelle.partenaire, nouvelle.role) == (ancienne.partenaire, "comite")


def test_un_partenaire_deja_actif_est_refuse_avec_un_message_clair(client, alice, quartier_a):
    active = ParticipationFactory(table=quartier_a.table, debut=J(2020, 1, 1))
    client.force_login(alice)
    donnees = _nouveau(
        active.partenaire.secteur, partenaire=active.partenaire.pk, nom="", role="porteur"
    )
    reponse = client.post(_inscrire(quartier_a), donnees)
    assert reponse.status_code == 400
    contenu = reponse.content.decode()
    assert f"{active.partenaire.nom} participe déjà à cette table depuis le" in contenu
    assert 'id="id_debut_error"' in contenu
    assert 'value="2025-02-01"' in contenu  # les valeurs restent
    assert Participation.objects.count() == 1


def test_une_fin_avant_le_debut_repond_400_sans_rien_ecrire(client, alice, quartier_a, secteur):
    client.force_login(alice)
    reponse = client.post(_inscrire(quartier_a), _nouveau(secteur, fin="2025-01-31"))
    assert reponse.status_code == 400
    contenu = reponse.content.decode()
    assert "La fin ne peut pas précéder le début." in contenu
    assert 'id="id_fin_error"' in contenu
    assert 'value="Carrefour jeunesse"' in contenu and 'value="2025-01-31"' in contenu
    assert not Partenaire.objects.exists() and not Participation.objects.exists()


@pytest.mark.parametrize(
    ("champs", "champ_en_erreur"),
    [
        ({"nom": ""}, "partenaire"),  # ni l'un ni l'autre
        ({"secteur": ""}, "secteur"),  # un nouveau sans secteur
        ({"debut": "pas une date"}, "debut"),
        ({"role": "inconnu"}, "role"),
        ({"site_web": "pas une adresse"}, "site_web"),
        ({"partenaire": "999999", "nom": ""}, "partenaire"),
    ],
)
def test_une_saisie_invalide_repond_400_a_cote_du_champ(
    client, alice, quartier_a, secteur, champs, champ_en_erreur
):
    client.force_login(alice)
    reponse = client.post(_inscrire(quartier_a), _nouveau(secteur, **champs))
    assert reponse.status_code == 400
    assert f'id="id_{champ_en_erreur}_error"' in reponse.content.decode()
    assert not Partenaire.objects.exists()


def test_un_nom_deja_au_registre_inscrit_ce_partenaire(client, alice, quartier_a, secteur):
    existant = PartenaireFactory(nom="Carrefour Jeunesse")
    client.force_login(alice)
    reponse = client.post(_inscrire(quartier_a), _nouveau(secteur))
    assert reponse.status_code == 302
    assert Participation.objects.get(table=quartier_a.table).partenaire == existant
    assert Partenaire.objects.count() == 1


def test_la_liste_n_offre_pas_les_partenaires_d_une_table_invisible(
    client, charlie, quartier_a, quartier_b
):
    ParticipationFactory(table=quartier_a.table, partenaire=PartenaireFactory(nom="Secret de A"))
    ParticipationFactory(table=quartier_b.table, partenaire=PartenaireFactory(nom="Connu de B"))
    client.force_login(charlie)
    contenu = client.get(_inscrire(quartier_b)).content.decode()
    assert "Connu de B" in contenu
    assert "Secret de A" not in contenu


# --- Modifier -----------------------------------------------------------------------------------


def test_alice_inscrit_la_fin_d_une_participation(client, alice, quartier_a):
    participation = ParticipationFactory(table=quartier_a.table, debut=J(2020, 1, 1))
    client.force_login(alice)
    url = _participation(quartier_a, participation)
    assert 'value="2020-01-01"' in client.get(url).content.decode()
    reponse = client.post(url, {"role": "membre", "debut": "2020-01-01", "fin": "2025-06-30"})
    assert reponse.status_code == 302
    assert reponse["Location"] == _retour(quartier_a)
    participation.refresh_from_db()
    assert participation.fin == J(2025, 6, 30)
    messages = [str(m) for m in get_messages(reponse.wsgi_request)]
    assert messages == [f"La participation de {participation.partenaire.nom} est modifiée."]


def test_modifier_une_participation_avec_une_fin_avant_le_debut_repond_400(
    client, alice, quartier_a
):
    participation = ParticipationFactory(table=quartier_a.table, debut=J(2020, 1, 1))
    client.force_login(alice)
    reponse = client.post(
        _participation(quartier_a, participation),
        {"role": "porteur", "debut": "2020-01-01", "fin": "2019-01-01"},
    )
    assert reponse.status_code == 400
    assert "La fin ne peut pas précéder le début." in reponse.content.decode()
    participation.refresh_from_db()
    assert (participation.role, participation.fin) == ("membre", None)


def test_alice_modifie_la_fiche_d_un_partenaire(client, alice, quartier_a, secteur):
    partenaire = ParticipationFactory(table=quartier_a.table).partenaire
    client.force_login(alice)
    url = _fiche(quartier_a, partenaire)
    assert f'value="{partenaire.nom}"' in client.get(url).content.decode()
    reponse = client.post(url, {"nom": "Maison des jeunes", "secteur": secteur.pk})
    assert reponse.status_code == 302
    partenaire.refresh_from_db()
    assert (partenaire.nom, partenaire.secteur, partenaire.acteur_influence) == (
        "Maison des jeunes",
        secteur,
        False,
    )


def test_la_fiche_d_un_partenaire_qui_siege_aussi_a_b_est_refusee_a_alice(
    client, alice, quartier_a, quartier_b
):
    participation = ParticipationFactory(table=quartier_a.table)
    ParticipationFactory(table=quartier_b.table, partenaire=participation.partenaire)
    client.force_login(alice)
    contenu = client.get(_participation(quartier_a, participation)).content.decode()
    assert _fiche(quartier_a, participation.partenaire) not in contenu
    assert "seule l'administration peut modifier sa fiche" in contenu
    assert client.get(_fiche(quartier_a, participation.partenaire)).status_code == 403


# --- Requêtes -----------------------------------------------------------------------------------


def _requetes(client, url) -> int:
    with CaptureQueriesContext(connection) as requetes:
        assert client.get(url).status_code == 200
    return len(requetes)


def test_les_pages_coutent_autant_de_requetes_avec_dix_fois_plus_de_donnees(
    client, alice, quartier_a, django_assert_num_queries
):
    participation = ParticipationFactory(table=quartier_a.table)
    urls = [
        _inscrire(quartier_a),
        _participation(quartier_a, participation),
        _fiche(quartier_a, participation.partenaire),
    ]
    client.force_login(alice)
    petit = [_requetes(client, url) for url in urls]
    for rang in range(10):
        ParticipationFactory(table=quartier_a.table)
        ParticipationFactory(
            table=quartier_a.table, partenaire=participation.partenaire, debut=J(2000 + rang, 1, 1)
        )
        SecteurFactory()
    assert [_requetes(client, url) for url in urls] == petit
    # Session, utilisateur, quartier visible (avec sa table), droit de saisir, puis les deux
    # listes : partenaires visibles, secteurs.
    with django_assert_num_queries(6):
        client.get(urls[0])
    # Session, utilisateur, quartier, droit de saisir, la participation (partenaire, secteur),
    # la fiche est-elle modifiable (une table hors de portée?).
    with django_assert_num_queries(6):
        client.get(urls[1])
    # Les mêmes, puis la liste des secteurs.
    with django_assert_num_queries(7):
        client.get(urls[2])


# --- Un quartier sans table (l'administration le permet) --------------------------------------


def test_un_quartier_sans_table_n_a_pas_de_registre(client, ada):
    sans_table = QuartierFactory(nom="Quartier sans table", slug="sans-table", table=None)
    client.force_login(ada)
    assert client.get(_inscrire(sans_table)).status_code == 404
    reponse = client.post(_inscrire(sans_table), _nouveau(SecteurFactory()))
    assert reponse.status_code == 404
    assert not Partenaire.objects.exists()
    contenu = client.get(sans_table.get_absolute_url()).content.decode()
    assert _inscrire(sans_table) not in contenu
