"""Les commentaires d'une saisie dans l'API (`indicateurs.api_commentaires`) : les mêmes règles
que la page (`indicateurs.services_commentaires`). Qui voit le quartier lit; le droit de
commenter écrit (403 sans lui); une saisie d'un autre quartier répond 404, comme une saisie qui
n'existe pas; un texte vide, invisible ou trop long, un indicateur étranger : 400 par champ et
rien d'écrit; seul·e l'auteur·e retire le sien (`POST …/retirer/`, deux fois sans dommage), et
un commentaire retiré se lit avec un texte vide et la date du retrait.

Avant : `/api/v1/commentaires/` n'existait pas (404)."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from indicateurs.models import CommentaireSaisie, EvenementSaisie, Saisie, StatutPeriode
from indicateurs.validation import LONGUEUR_TEXTE_MAX
from quartiers import acces
from tests.factories import IndicateurFactory, IndicateurSuiviFactory, periode_du_trimestre

pytestmark = pytest.mark.django_db

URL = "/api/v1/commentaires/"
QUESTION = "Pourquoi ce chiffre a-t-il doublé ?"


def _api(utilisateur=None, langue: str = "fr") -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE=langue)
    if utilisateur is not None:
        client.force_authenticate(utilisateur)
    return client


@pytest.fixture
def indicateur(quartier_a, quartier_b):
    indicateur = IndicateurFactory(code="menages", nom_fr="Ménages joints")
    IndicateurSuiviFactory(quartier=quartier_a, indicateur=indicateur)
    IndicateurSuiviFactory(quartier=quartier_b, indicateur=indicateur)
    return indicateur


@pytest.fixture
def saisie_a(quartier_a, indicateur) -> Saisie:
    periode = periode_du_trimestre(2025, 1, statut=StatutPeriode.OUVERTE)
    return Saisie.objects.create(table=quartier_a.table, periode=periode)


@pytest.fixture
def saisie_b(quartier_b, indicateur) -> Saisie:
    periode = periode_du_trimestre(2025, 1, statut=StatutPeriode.OUVERTE)
    return Saisie.objects.create(table=quartier_b.table, periode=periode)


def _commenter(client: APIClient, saisie: Saisie, **corps):
    return client.post(URL, {"saisie": saisie.pk, **corps}, format="json")


# --- Écrire -------------------------------------------------------------------------------------


@pytest.mark.parametrize("qui", ["alice", "bob", "eve", "ada"])
def test_qui_a_le_droit_de_commenter_commente_par_l_api(personas, saisie_a, indicateur, qui):
    reponse = _commenter(
        _api(personas[qui]), saisie_a, texte=f"  {QUESTION}  ", indicateur="menages"
    )
    assert reponse.status_code == 201, reponse.content
    corps = reponse.json()
    commentaire = CommentaireSaisie.objects.get()
    assert corps == {
        "id": commentaire.pk,
        "quartier": "quartier-a",
        "saisie": saisie_a.pk,
        "periode": "2025-T1",
        "indicateur": "menages",
        "auteur": personas[qui].pk,
        "auteur_nom": str(personas[qui]),
        "texte": QUESTION,
        "retire_le": None,
        "created_at": corps["created_at"],
    }
    assert commentaire.auteur == personas[qui] and commentaire.indicateur == indicateur


def test_un_commentaire_ne_change_ni_version_ni_statut_ni_historique(alice, saisie_a):
    avant = (saisie_a.version, saisie_a.statut, EvenementSaisie.objects.count())
    assert _commenter(_api(alice), saisie_a, texte=QUESTION).status_code == 201
    saisie_a.refresh_from_db()
    assert (saisie_a.version, saisie_a.statut, EvenementSaisie.objects.count()) == avant
    assert CommentaireSaisie.objects.get().indicateur is None  # toute la saisie


def test_une_saisie_d_un_autre_quartier_repond_404_comme_une_saisie_inexistante(charlie, saisie_a):
    client = _api(charlie)
    autre = _commenter(client, saisie_a, texte=QUESTION)
    inexistante = client.post(URL, {"saisie": 999999, "texte": QUESTION}, format="json")
    assert autre.status_code == inexistante.status_code == 404
    assert autre.json() == inexistante.json() == {"detail": "Saisie introuvable."}
    assert not CommentaireSaisie.objects.exists()


def test_sans_le_droit_de_commenter_403_avant_le_contenu(monkeypatch, bob, saisie_a):
    """Aucun rôle ne voit sans pouvoir commenter aujourd'hui : la matrice est changée le temps du
    test (le conseil voit, sans commenter), pour vérifier que l'API suit le sélecteur."""
    matrice = dict(acces._MATRICE)
    matrice[acces.Droit.COMMENTER] = (
        {acces.RoleAffectation.COORDONNATEUR},
        matrice[acces.Droit.COMMENTER][1],
    )
    monkeypatch.setattr(acces, "_MATRICE", matrice)
    reponse = _commenter(_api(bob, "en"), saisie_a, texte="")  # texte vide : le droit d'abord
    assert reponse.status_code == 403
    assert reponse.json() == {"detail": "You are not allowed to comment on this data entry."}
    assert not CommentaireSaisie.objects.exists()


@pytest.mark.parametrize(
    ("corps", "erreurs"),
    [
        ({}, {"texte": ["Écrivez le commentaire."]}),
        ({"texte": ""}, {"texte": ["Écrivez le commentaire."]}),
        ({"texte": None}, {"texte": ["Écrivez le commentaire."]}),
        ({"texte": " \u200b\n\t "}, {"texte": ["Écrivez le commentaire."]}),
        (
            {"texte": "x" * (LONGUEUR_TEXTE_MAX + 1)},
            {"texte": [f"Le texte dépasse {LONGUEUR_TEXTE_MAX} caractères."]},
        ),
        (
            {"texte": QUESTION, "indicateur": "etranger"},
            {"indicateur": ["Cet indicateur ne fait pas partie de cette saisie."]},
        ),
        (
            {"texte": QUESTION, "indicateur": "inexistant"},
            {"indicateur": ["Cet indicateur ne fait pas partie de cette saisie."]},
        ),
        (
            {"texte": "", "indicateur": "inexistant"},
            {
                "texte": ["Écrivez le commentaire."],
                "indicateur": ["Cet indicateur ne fait pas partie de cette saisie."],
            },
        ),
    ],
    ids=["absent", "vide", "null", "invisible", "trop-long", "etranger", "inconnu", "les-deux"],
)
def test_une_entree_refusee_repond_400_par_champ_et_n_ecrit_rien(alice, saisie_a, corps, erreurs):
    IndicateurFactory(code="etranger")  # au catalogue, ni suivi par A ni dans la saisie
    reponse = _commenter(_api(alice), saisie_a, **corps)
    assert reponse.status_code == 400
    assert reponse.json() == erreurs
    assert not CommentaireSaisie.objects.exists()


@pytest.mark.parametrize(
    "corps",
    [
        {"texte": QUESTION},
        {"saisie": "abc", "texte": QUESTION},
        {"saisie": True, "texte": QUESTION},
        {"saisie": 0, "texte": QUESTION},
        {"saisie": 10**30, "texte": QUESTION},
        {"saisie": "SAISIE", "texte": "a\x00b"},
        {"saisie": "SAISIE", "texte": ["liste"]},
        {"saisie": "SAISIE", "texte": QUESTION, "indicateur": "m\x00"},
        {"saisie": "SAISIE", "texte": QUESTION, "indicateur": ""},
    ],
)
def test_un_corps_mal_forme_repond_400_jamais_500(alice, saisie_a, corps):
    if corps.get("saisie") == "SAISIE":
        corps["saisie"] = saisie_a.pk
    reponse = _api(alice).post(URL, corps, format="json")
    assert reponse.status_code == 400, reponse.content
    assert not CommentaireSaisie.objects.exists()


def test_les_messages_en_anglais(alice, saisie_a):
    reponse = _commenter(_api(alice, "en"), saisie_a, texte=" ", indicateur="inexistant")
    assert reponse.status_code == 400
    assert reponse.json() == {
        "texte": ["Write the comment."],
        "indicateur": ["This indicator is not part of this data entry."],
    }
    assert _api(alice, "en").get(f"{URL}999999/").json() == {"detail": "Comment not found."}


def test_l_anonyme_recoit_401(saisie_a):
    assert _api().get(URL).status_code == 401
    assert _commenter(_api(), saisie_a, texte=QUESTION).status_code == 401


# --- Retirer ------------------------------------------------------------------------------------


def _retirer(client: APIClient, commentaire: CommentaireSaisie):
    return client.post(f"{URL}{commentaire.pk}/retirer/")


def test_l_auteur_retire_son_commentaire_deux_fois_sans_dommage(bob, saisie_a):
    commentaire = CommentaireSaisie.objects.create(saisie=saisie_a, auteur=bob, texte=QUESTION)
    premiere = _retirer(_api(bob), commentaire)
    assert premiere.status_code == 200
    assert premiere.json()["texte"] == "" and premiere.json()["retire_le"]
    seconde = _retirer(_api(bob), commentaire)
    assert seconde.status_code == 200 and seconde.json() == premiere.json()
    commentaire.refresh_from_db()
    assert commentaire.est_retire and commentaire.texte == ""
    # Il se lit encore : texte vide, date du retrait.
    lu = _api(bob).get(f"{URL}{commentaire.pk}/").json()
    assert lu["texte"] == "" and lu["retire_le"] == premiere.json()["retire_le"]


@pytest.mark.parametrize(("qui", "code"), [("alice", 403), ("eve", 403), ("charlie", 404)])
def test_personne_d_autre_ne_retire_le_commentaire(personas, bob, saisie_a, qui, code):
    commentaire = CommentaireSaisie.objects.create(saisie=saisie_a, auteur=bob, texte=QUESTION)
    reponse = _retirer(_api(personas[qui], "en"), commentaire)
    assert reponse.status_code == code
    if code == 403:
        assert reponse.json() == {"detail": "You can only remove your own comments."}
    else:
        assert reponse.json() == {"detail": "Comment not found."}
    commentaire.refresh_from_db()
    assert commentaire.texte == QUESTION and not commentaire.est_retire


def test_retirer_ne_se_lit_pas_en_get(bob, saisie_a):
    commentaire = CommentaireSaisie.objects.create(saisie=saisie_a, auteur=bob, texte=QUESTION)
    assert _api(bob).get(f"{URL}{commentaire.pk}/retirer/").status_code == 405
    assert _api(bob).delete(f"{URL}{commentaire.pk}/").status_code == 405


# --- Lire ---------------------------------------------------------------------------------------


def test_charlie_ne_voit_rien_de_a(charlie, eve, saisie_a, saisie_b):
    de_a = CommentaireSaisie.objects.create(saisie=saisie_a, auteur=eve, texte="SECRET-A")
    de_b = CommentaireSaisie.objects.create(saisie=saisie_b, auteur=eve, texte="De B")
    client = _api(charlie)
    liste = client.get(URL)
    assert liste.status_code == 200
    assert [c["id"] for c in liste.json()["results"]] == [de_b.pk]
    assert "SECRET-A" not in liste.content.decode()
    assert client.get(f"{URL}{de_a.pk}/").status_code == 404
    assert client.get(f"{URL}{de_b.pk}/").status_code == 200


def test_les_filtres(alice, eve, saisie_a, indicateur, quartier_a):
    autre_periode = periode_du_trimestre(2024, 4)
    ancienne = Saisie.objects.create(table=quartier_a.table, periode=autre_periode)
    sur_indicateur = CommentaireSaisie.objects.create(
        saisie=saisie_a, auteur=eve, texte="a", indicateur=indicateur
    )
    general = CommentaireSaisie.objects.create(saisie=saisie_a, auteur=alice, texte="b")
    ancien = CommentaireSaisie.objects.create(saisie=ancienne, auteur=eve, texte="c")
    client = _api(alice)

    def ids(**filtres) -> list[int]:
        reponse = client.get(URL, filtres)
        assert reponse.status_code == 200, reponse.content
        return [c["id"] for c in reponse.json()["results"]]

    assert ids() == [sur_indicateur.pk, general.pk, ancien.pk]  # du plus ancien au plus récent
    assert ids(ordering="-created_at") == [ancien.pk, general.pk, sur_indicateur.pk]
    assert ids(quartier="quartier-a", periode="2025-T1") == [sur_indicateur.pk, general.pk]
    assert ids(saisie=ancienne.pk) == [ancien.pk]
    assert ids(indicateur="menages") == [sur_indicateur.pk]
    assert ids(periode_fin="2024-T4") == [ancien.pk]


@pytest.mark.parametrize(
    ("filtres", "champ"),
    [
        ({"quartier": "inconnu"}, "quartier"),
        ({"quartier": "quartier-a"}, "quartier"),  # invisible pour Charlie : comme inconnu
        ({"indicateur": "inexistant"}, "indicateur"),
        ({"indicateur": "50%"}, "indicateur"),
        ({"saisie": "1.5"}, "saisie"),
        ({"saisie": "abc"}, "saisie"),
        ({"periode": "2025-T9"}, "periode"),
        ({"ordering": "texte"}, "ordering"),
        ({"taille": "0"}, "taille"),
    ],
)
def test_un_filtre_mal_donne_repond_400(charlie, saisie_a, filtres, champ):
    reponse = _api(charlie).get(URL, filtres)
    assert reponse.status_code == 400, reponse.content
    assert list(reponse.json()) == [champ]


def test_l_indicateur_propose_ailleurs_est_inconnu(charlie, quartier_a, saisie_a):
    IndicateurSuiviFactory(
        quartier=quartier_a, indicateur=IndicateurFactory(code="propose-a", statut="propose")
    )
    reponse = _api(charlie).get(URL, {"indicateur": "propose-a"})
    assert reponse.status_code == 400
    assert reponse.json() == {"indicateur": ["Indicateur inconnu : « propose-a »."]}


def test_en_csv_une_ligne_par_commentaire_retire_compris(bob, eve, saisie_a):
    CommentaireSaisie.objects.create(saisie=saisie_a, auteur=eve, texte="=SOMME(A1:A2)")
    retire = CommentaireSaisie.objects.create(saisie=saisie_a, auteur=bob, texte=QUESTION)
    _retirer(_api(bob), retire)
    reponse = _api(bob).get(URL, {"format": "csv"})
    assert reponse.status_code == 200 and reponse["Content-Type"].startswith("text/csv")
    lignes = list(csv.DictReader(io.StringIO(reponse.content.decode("utf-8-sig"))))
    assert list(lignes[0]) == [
        "id",
        "quartier",
        "saisie",
        "periode",
        "indicateur",
        "auteur",
        "auteur_nom",
        "texte",
        "retire_le",
        "created_at",
    ]
    assert [ligne["texte"] for ligne in lignes] == ["'=SOMME(A1:A2)", ""]
    assert lignes[0]["retire_le"] == "" and lignes[1]["retire_le"]
    vide = _api(bob).get(URL, {"format": "csv", "saisie": 999999})
    assert vide.content.decode("utf-8-sig").startswith("id,quartier,saisie,periode")


def test_un_compte_supprime_laisse_le_commentaire_sans_nom(alice, saisie_a):
    CommentaireSaisie.objects.create(saisie=saisie_a, auteur=None, texte=QUESTION)
    resultat = _api(alice).get(URL).json()["results"][0]
    assert resultat["auteur"] is None and resultat["auteur_nom"] is None


def _creer(saisies: list[Saisie], auteurs: list, combien: int, indicateur) -> None:
    CommentaireSaisie.objects.bulk_create(
        CommentaireSaisie(
            saisie=saisies[rang % len(saisies)],
            auteur=auteurs[rang % len(auteurs)],
            indicateur=indicateur if rang % 2 else None,
            texte=f"Commentaire {rang}",
        )
        for rang in range(combien)
    )


@pytest.mark.parametrize("format_", ["json", "csv"])
def test_le_nombre_de_requetes_ne_grandit_pas_avec_les_commentaires(
    personas, quartier_a, indicateur, saisie_a, format_
):
    ancienne = Saisie.objects.create(table=quartier_a.table, periode=periode_du_trimestre(2024, 4))
    auteurs = [personas[qui] for qui in ("alice", "bob", "eve", "ada")]
    client = _api(personas["eve"])

    def compter() -> int:
        with CaptureQueriesContext(connection) as requetes:
            reponse = client.get(URL, {"format": format_, "taille": 1000})
        assert reponse.status_code == 200
        return len(requetes)

    _creer([saisie_a], auteurs[:1], 2, indicateur)
    peu = compter()
    _creer([saisie_a, ancienne], auteurs, 40, indicateur)
    # Requêtes : les quartiers visibles de la personne, le compte, la page (tout joint).
    assert compter() == peu


def test_le_detail_en_un_nombre_fixe_de_requetes(eve, saisie_a, indicateur):
    commentaire = CommentaireSaisie.objects.create(
        saisie=saisie_a, auteur=eve, texte=QUESTION, indicateur=indicateur
    )
    client = _api(eve)
    with CaptureQueriesContext(connection) as requetes:
        assert client.get(f"{URL}{commentaire.pk}/").status_code == 200
    assert len(requetes) <= 2  # les quartiers visibles (sous-requête), le commentaire joint


# --- Le schéma ----------------------------------------------------------------------------------


def test_le_schema_documente_les_commentaires():
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    liste = schema["paths"]["/api/v1/commentaires/"]
    retrait = schema["paths"]["/api/v1/commentaires/{id}/retirer/"]["post"]
    detail = schema["paths"]["/api/v1/commentaires/{id}/"]["get"]
    for operation in (liste["get"], liste["post"], retrait, detail):
        assert operation["tags"] == ["v1"]
        assert operation["summary"]
    assert {"400", "401", "403", "404", "429"} <= set(liste["post"]["responses"])
    assert {"401", "403", "404", "429"} <= set(retrait["responses"])
    parametres = {p["name"] for p in liste["get"]["parameters"]}
    assert {"quartier", "saisie", "periode", "indicateur", "ordering", "taille"} <= parametres
    assert "requestBody" not in retrait
