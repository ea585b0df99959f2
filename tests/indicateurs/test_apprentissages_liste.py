"""La liste des apprentissages d'un quartier (/quartiers/<slug>/apprentissages/) : qui la lit
(qui voit le quartier; Charlie reçoit 404 sur A), ce qu'elle montre (rubrique, auteur·e, date,
rattachements, texte dans la langue de l'interface sinon dans l'autre, un apprentissage de
brouillon marqué), ses filtres (400 pour un filtre invalide), le retour de l'ajout ancré sur
le nouvel apprentissage et un nombre de requêtes indépendant du volume."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from indicateurs.models import Apprentissage, Saisie, StatutPeriode
from tests.factories import (
    ChangementViseFactory,
    IndicateurSuiviFactory,
    StrategieFactory,
    periode_du_trimestre,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def monde(quartier_a, quartier_b, alice, bob, charlie, indicateurs_a) -> dict:
    """A : deux trimestres fermés (2024-T3, 2024-T4), un ouvert (2025-T1) avec un brouillon
    de saisie; un apprentissage en français d'Alice rattaché à un indicateur et à un
    changement, un en anglais seulement de Bob, un des deux langues, un d'un brouillon. B : un
    apprentissage qu'aucune page de A ne doit montrer."""
    t3, t4 = periode_du_trimestre(2024, 3), periode_du_trimestre(2024, 4)
    ouverte = periode_du_trimestre(2025, 1, statut=StatutPeriode.OUVERTE)
    changement = ChangementViseFactory(
        strategie=StrategieFactory(quartier=quartier_a), code="C1", libelle="Jeunes engagés"
    )
    brouillon = Saisie.objects.create(table=quartier_a.table, periode=ouverte)
    creer = Apprentissage.objects.create
    return {
        "t3": t3,
        "t4": t4,
        "ouverte": ouverte,
        "changement": changement,
        "fr": creer(
            quartier=quartier_a,
            periode=t4,
            categorie="defis",
            texte_fr="Les jeunes reviennent quand un pair les invite.",
            indicateur=indicateurs_a["menages"],
            changement=changement,
            auteur=alice,
        ),
        "en": creer(
            quartier=quartier_a,
            periode=t3,
            categorie="changements_pratiques",
            texte_en="Partners now share one intake form.",
            auteur=bob,
        ),
        "deux": creer(
            quartier=quartier_a,
            periode=t4,
            categorie="processus_resultats",
            texte_fr="Texte français du bilan.",
            texte_en="English text of the report.",
            auteur=alice,
        ),
        "brouillon": creer(
            quartier=quartier_a,
            periode=ouverte,
            categorie="au_dela",
            texte_fr="Écrit dans un brouillon de saisie.",
            saisie=brouillon,
            auteur=alice,
        ),
        "b": creer(
            quartier=quartier_b,
            periode=t4,
            categorie="defis",
            texte_fr="Secret du quartier B.",
            auteur=charlie,
        ),
    }


def _url(quartier, **filtres) -> str:
    url = reverse("apprentissages", kwargs={"slug": quartier.slug})
    if filtres:
        url += "?" + "&".join(f"{cle}={valeur}" for cle, valeur in filtres.items())
    return url


def _page(client, url, langue: str = "fr", statut: int = 200) -> str:
    client.cookies["django_language"] = langue
    reponse = client.get(url, HTTP_ACCEPT_LANGUAGE=langue)
    assert reponse.status_code == statut
    return reponse.content.decode()


def test_la_liste_montre_chaque_apprentissage_du_quartier_en_francais(
    client, eve, quartier_a, monde
):
    client.force_login(eve)
    page = _page(client, _url(quartier_a))
    assert "Les jeunes reviennent quand un pair les invite." in page
    assert "Texte français du bilan." in page
    assert "English text of the report." not in page
    # Écrit en anglais seulement : montré en anglais, marqué comme tel.
    assert (
        f'<p id="texte-{monde["en"].pk}" lang="en">Partners now share one intake form.</p>' in page
    )
    assert "Secret du quartier B." not in page
    # Rubrique, auteur·e, rattachements; le brouillon est marqué.
    for attendu in (
        "Défis",
        "Changements de pratiques",
        str(monde["fr"].auteur),
        str(monde["en"].auteur),
        "menages",
        "C1</span> Jeunes engagés",
        "Écrit dans un brouillon de saisie.",
        "saisie non transmise (brouillon ou renvoyée) : absent des bilans",
    ):
        assert attendu in page, attendu
    # La période la plus récente d'abord.
    assert page.index("T1 2025") < page.index("T4 2024") < page.index("T3 2024")
    assert f'id="apprentissage-{monde["fr"].pk}"' in page


def test_la_liste_montre_chaque_apprentissage_en_anglais(client, eve, quartier_a, monde):
    client.force_login(eve)
    page = _page(client, _url(quartier_a), langue="en")
    assert "English text of the report." in page
    assert "Texte français du bilan." not in page
    assert "Partners now share one intake form." in page
    # Écrit en français seulement : montré en français, marqué comme tel.
    assert (
        f'<p id="texte-{monde["fr"].pk}" lang="fr">Les jeunes reviennent quand un pair les invite.</p>'
        in page
    )
    with translation.override("en"):
        assert "Q4 2024" in page
        assert monde["fr"].indicateur.nom_en in page


def test_le_texte_suit_la_regle_des_bilans(client, eve, quartier_a, monde):
    """La règle du texte est `Apprentissage.texte`, celle des bilans : pas une seconde."""
    client.force_login(eve)
    for langue in ("fr", "en"):
        page = _page(client, _url(quartier_a), langue=langue)
        with translation.override(langue):
            for cle in ("fr", "en", "deux", "brouillon"):
                assert monde[cle].texte in page


def test_les_filtres_par_periode_et_par_rubrique(client, eve, quartier_a, monde):
    client.force_login(eve)
    page = _page(client, _url(quartier_a, periode="2024-T4"))
    assert "Les jeunes reviennent" in page and "Texte français du bilan." in page
    assert "Partners now share" not in page and "brouillon de saisie." not in page
    page = _page(client, _url(quartier_a, periode="2024-T4", categorie="defis"))
    assert "Les jeunes reviennent" in page and "Texte français du bilan." not in page
    page = _page(client, _url(quartier_a, categorie="changements_pratiques", periode="2025-T1"))
    assert "Aucun apprentissage pour ces filtres." in page


@pytest.mark.parametrize(
    "filtres", [{"periode": "2099-T9"}, {"categorie": "inconnue"}, {"periode": "2025-T2"}]
)
def test_un_filtre_invalide_repond_400_avec_son_message(client, eve, quartier_a, monde, filtres):
    periode_du_trimestre(2025, 2, statut=StatutPeriode.A_VENIR)  # pas encore commencée
    client.force_login(eve)
    page = _page(client, _url(quartier_a, **filtres), statut=400)
    assert "Sélectionnez un choix valide." in page
    assert "Les jeunes reviennent" not in page


@pytest.mark.parametrize("persona", ["alice", "bob", "eve", "ada"])
def test_qui_voit_le_quartier_lit_la_liste(client, personas, quartier_a, monde, persona):
    client.force_login(personas[persona])
    assert "Les jeunes reviennent" in _page(client, _url(quartier_a))


def test_charlie_recoit_404_sur_la_liste_du_quartier_a(client, charlie, quartier_a, monde):
    client.force_login(charlie)
    assert client.get(_url(quartier_a)).status_code == 404


def test_l_anonyme_est_renvoye_a_la_connexion(client, quartier_a, monde):
    reponse = client.get(_url(quartier_a))
    assert reponse.status_code == 302
    assert reponse.url.startswith(reverse("account_login"))


def test_les_liens_corriger_et_retirer_suivent_les_droits(client, personas, quartier_a, monde):
    """Alice (coordination) corrige tout ce qui est de sa table; Bob (conseil) seulement le
    sien."""

    def liens(persona) -> set[str]:
        client.force_login(personas[persona])
        page = _page(client, _url(quartier_a))
        return {
            cle
            for cle in ("fr", "en", "deux", "brouillon")
            if reverse(
                "apprentissage_modifier", kwargs={"slug": quartier_a.slug, "pk": monde[cle].pk}
            )
            in page
        }

    assert liens("alice") == {"fr", "en", "deux", "brouillon"}
    assert liens("eve") == {"fr", "en", "deux", "brouillon"}
    assert liens("bob") == {"en"}


def test_l_ajout_ramene_a_la_liste_ancree_sur_le_nouvel_apprentissage(
    client, alice, quartier_a, monde
):
    client.force_login(alice)
    reponse = client.post(
        reverse("apprentissage_nouveau", kwargs={"slug": quartier_a.slug}),
        {"periode": "2024-T3", "categorie": "defis", "texte_fr": "Un apprentissage hors saisie."},
    )
    nouveau = Apprentissage.objects.get(texte_fr="Un apprentissage hors saisie.")
    assert reponse.status_code == 302
    assert reponse.url == f"{_url(quartier_a)}#apprentissage-{nouveau.pk}"
    page = client.get(reponse.url).content.decode()
    assert "L&#x27;apprentissage est ajouté à T3 2024." in page
    assert f'id="apprentissage-{nouveau.pk}"' in page
    assert "Un apprentissage hors saisie." in page


def _plus_de_donnees(quartier_a, alice, indicateurs_a) -> None:
    strategie = StrategieFactory(quartier=quartier_a, version=9, statut="archivee")
    for rang in range(10):
        periode = periode_du_trimestre(2020 + rang // 4, rang % 4 + 1)
        for categorie in ("processus_resultats", "defis", "changements_pratiques", "au_dela"):
            Apprentissage.objects.create(
                quartier=quartier_a,
                periode=periode,
                categorie=categorie,
                texte_fr=f"Apprentissage {rang}",
                texte_en=f"Learning {rang}",
                indicateur=IndicateurSuiviFactory(quartier=quartier_a).indicateur,
                changement=ChangementViseFactory(strategie=strategie),
                saisie=Saisie.objects.create(table=quartier_a.table, periode=periode)
                if categorie == "defis"
                else None,
                auteur=alice,
            )


@pytest.mark.parametrize("persona, requetes", [("eve", 8), ("alice", 7), ("bob", 7)])
def test_la_liste_coute_autant_de_requetes_avec_dix_fois_plus_de_donnees(
    client,
    personas,
    quartier_a,
    alice,
    indicateurs_a,
    monde,
    persona,
    requetes,
    django_assert_num_queries,
):
    # Session, utilisateur, quartier visible (avec sa table); droit de commenter, puis de
    # saisir (Alice l'a : on s'arrête là) et de valider (aucun rôle d'affectation ne l'a :
    # sans requête pour Bob), pour toucher aux apprentissages des autres; les périodes
    # commencées (filtre); les apprentissages avec période, auteur·e, indicateur, changement
    # visé et saisie, en une requête.
    client.force_login(personas[persona])
    with django_assert_num_queries(requetes):
        assert client.get(_url(quartier_a)).status_code == 200
    _plus_de_donnees(quartier_a, alice, indicateurs_a)
    with django_assert_num_queries(requetes):
        page = client.get(_url(quartier_a)).content.decode()
    assert page.count('class="apprentissage"') == 4 + 40


@pytest.mark.parametrize("persona", ["alice", "bob", "eve"])
def test_la_page_du_quartier_mene_a_la_liste(client, request, quartier_a, persona):
    """Quiconque voit le quartier y trouve ses apprentissages, pas seulement qui peut en ajouter."""
    client.force_login(request.getfixturevalue(persona))
    page = client.get(reverse("quartier_detail", kwargs={"slug": quartier_a.slug}))
    assert f'<a href="{reverse("apprentissages", kwargs={"slug": quartier_a.slug})}">' in (
        page.content.decode()
    )
