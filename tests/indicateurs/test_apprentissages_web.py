"""La page « Ajouter un apprentissage » d'un quartier : qui peut (le droit de commenter :
coordination du quartier, conseil affecté, évaluation, administration), ce qui s'enregistre,
les erreurs à côté des champs (la règle du service, la même que pour l'API), l'anglais et un
nombre de requêtes indépendant du volume."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicateurs.models import Apprentissage, StatutPeriode
from quartiers import acces
from quartiers.acces import Droit
from quartiers.models import RoleAffectation, RoleGlobal
from tests.factories import (
    ChangementViseFactory,
    IndicateurSuiviFactory,
    StrategieFactory,
    periode_du_trimestre,
)

pytestmark = pytest.mark.django_db

TEXTE = "Les jeunes reviennent quand un pair les invite."


@pytest.fixture
def monde(quartier_a, quartier_b, periode, indicateurs_a) -> dict:
    """A : une période ouverte (2025-T1), une fermée, une à venir; ses indicateurs suivis, un
    suivi inactif et une stratégie en vigueur. B : son indicateur et son changement visé."""
    archivee = StrategieFactory(quartier=quartier_a, version=1, statut="archivee")
    return {
        "ouverte": periode,
        "fermee": periode_du_trimestre(2024, 4),
        "a_venir": periode_du_trimestre(2025, 2, statut=StatutPeriode.A_VENIR),
        "indicateur_a": indicateurs_a["menages"],
        "indicateur_plus_suivi": IndicateurSuiviFactory(
            quartier=quartier_a, actif=False, indicateur__code="zz-abandonne"
        ).indicateur,
        "changement_a": ChangementViseFactory(
            strategie=StrategieFactory(quartier=quartier_a, version=2), libelle="Jeunes engagés"
        ),
        "changement_archive_a": ChangementViseFactory(strategie=archivee, libelle="Ancien but"),
        "indicateur_b": IndicateurSuiviFactory(
            quartier=quartier_b, indicateur__code="zz-ailleurs"
        ).indicateur,
        "changement_b": ChangementViseFactory(
            strategie=StrategieFactory(quartier=quartier_b), libelle="But de B"
        ),
    }


@pytest.fixture
def url(quartier_a) -> str:
    return reverse("apprentissage_nouveau", kwargs={"slug": quartier_a.slug})


def _donnees(monde, **remplacements) -> dict:
    return {
        "periode": monde["ouverte"].code,
        "categorie": "defis",
        "indicateur": str(monde["indicateur_a"].pk),
        "changement": str(monde["changement_a"].pk),
        "texte_fr": TEXTE,
        "texte_en": "",
        **remplacements,
    }


# --- Qui peut ajouter -----------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["bob", "eve", "alice", "ada"])
def test_qui_a_le_droit_de_commenter_ajoute_un_apprentissage_au_quartier_a(
    client, personas, quartier_a, monde, url, persona
):
    client.force_login(personas[persona])
    assert client.get(url).status_code == 200
    reponse = client.post(url, _donnees(monde), follow=True)
    appris = Apprentissage.objects.get()
    liste = reverse("apprentissages", kwargs={"slug": quartier_a.slug})
    assert reponse.redirect_chain == [(f"{liste}#apprentissage-{appris.pk}", 302)]
    assert (appris.auteur, appris.quartier, appris.periode, appris.categorie) == (
        personas[persona],
        quartier_a,
        monde["ouverte"],
        "defis",
    )
    assert (appris.indicateur, appris.changement, appris.texte_fr, appris.texte_en) == (
        monde["indicateur_a"],
        monde["changement_a"],
        TEXTE,
        "",
    )
    assert "L&#x27;apprentissage est ajouté à T1 2025." in reponse.content.decode()


def test_l_apprentissage_de_bob_se_lit_avec_les_apprentissages_du_trimestre(
    client, bob, quartier_a, monde, url
):
    client.force_login(bob)
    client.post(url, _donnees(monde, indicateur="", changement=""))
    saisie = reverse(
        "saisie_formulaire", kwargs={"slug": quartier_a.slug, "code": monde["ouverte"].code}
    )
    assert TEXTE in client.get(saisie).content.decode()


def test_charlie_recoit_404_sur_la_page_du_quartier_a(client, charlie, monde, url):
    client.force_login(charlie)
    assert client.get(url).status_code == 404
    assert client.post(url, _donnees(monde)).status_code == 404
    assert not Apprentissage.objects.exists()


def test_un_quartier_inconnu_repond_404(client, eve):
    client.force_login(eve)
    url = reverse("apprentissage_nouveau", kwargs={"slug": "n-existe-pas"})
    assert client.get(url).status_code == 404


def test_l_anonyme_est_renvoye_a_la_connexion(client, monde, url):
    assert client.get(url).status_code == 302
    assert client.post(url, _donnees(monde)).status_code == 302
    assert not Apprentissage.objects.exists()


@pytest.fixture
def conseil_sans_commentaire(monkeypatch):
    """Aujourd'hui, voir un quartier donne le droit d'y commenter : on retire ce droit au
    conseil dans la matrice d'accès, pour vérifier le refus d'un quartier visible."""
    monkeypatch.setitem(
        acces._MATRICE,
        Droit.COMMENTER,
        ({RoleAffectation.COORDONNATEUR}, {RoleGlobal.EVALUATEUR, RoleGlobal.ADMIN}),
    )


def test_qui_voit_le_quartier_sans_droit_de_commenter_recoit_403(
    client, bob, quartier_a, monde, url, conseil_sans_commentaire
):
    client.force_login(bob)
    assert client.get(url).status_code == 403
    assert client.post(url, _donnees(monde)).status_code == 403
    assert not Apprentissage.objects.exists()
    page = client.get(quartier_a.get_absolute_url())
    assert page.status_code == 200 and url not in page.content.decode()


@pytest.mark.parametrize("persona", ["alice", "bob", "eve", "ada"])
def test_la_page_du_quartier_mene_a_l_ajout_d_un_apprentissage(
    client, personas, quartier_a, url, persona
):
    client.force_login(personas[persona])
    contenu = client.get(quartier_a.get_absolute_url()).content.decode()
    assert f'<a href="{url}">Ajouter un apprentissage</a>' in contenu


# --- Le formulaire ----------------------------------------------------------------------------


def test_le_formulaire_offre_les_periodes_et_les_rattachements_du_quartier(client, eve, monde, url):
    client.force_login(eve)
    contenu = client.get(url).content.decode()
    # Les périodes passées ou ouvertes, la plus récente d'abord et choisie; pas celles à venir.
    ouverte, fermee = monde["ouverte"].code, monde["fermee"].code
    assert f'<option value="{ouverte}" selected>T1 2025</option>' in contenu
    assert contenu.index(f'value="{ouverte}"') < contenu.index(f'value="{fermee}"')
    assert f'value="{monde["a_venir"].code}"' not in contenu
    # Les indicateurs que A suit (actifs), les changements visés de sa stratégie en vigueur.
    assert f'<option value="{monde["indicateur_a"].pk}">menages — ' in contenu
    assert "zz-abandonne" not in contenu and "zz-ailleurs" not in contenu
    assert "Jeunes engagés" in contenu
    assert "Ancien but" not in contenu and "But de B" not in contenu
    for champ in ("periode", "categorie", "indicateur", "changement", "texte_fr", "texte_en"):
        assert f'<label for="id_{champ}">' in contenu


def test_sans_texte_le_formulaire_revient_en_400_avec_l_erreur_a_cote_des_champs(
    client, alice, monde, url
):
    client.force_login(alice)
    reponse = client.post(url, _donnees(monde, texte_fr="   ", categorie="au_dela"))
    assert reponse.status_code == 400
    contenu = reponse.content.decode()
    assert contenu.count("dans les deux langues") == 2
    assert 'id="id_texte_en_error"' in contenu
    assert 'aria-describedby="id_texte_en_error"' in contenu
    assert 'aria-invalid="true"' in contenu
    assert '<option value="au_dela" selected>' in contenu  # la saisie est gardée
    assert not Apprentissage.objects.exists()


@pytest.mark.parametrize(
    ("champ", "cle", "message"),
    [
        ("changement", "changement_b", "n&#x27;appartient pas à une stratégie de ce quartier"),
        ("indicateur", "indicateur_b", "Ce quartier ne suit pas cet indicateur."),
        ("indicateur", "indicateur_plus_suivi", "Ce quartier ne suit pas cet indicateur."),
    ],
)
def test_un_rattachement_d_ailleurs_est_refuse_a_cote_du_champ(
    client, eve, monde, url, champ, cle, message
):
    # Ève voit aussi B : c'est la règle du service, pas la visibilité, qui refuse.
    client.force_login(eve)
    reponse = client.post(url, _donnees(monde, **{champ: str(monde[cle].pk)}))
    assert reponse.status_code == 400
    contenu = reponse.content.decode()
    assert f'id="id_{champ}_error"' in contenu and message in contenu
    assert not Apprentissage.objects.exists()


def test_un_changement_d_une_version_archivee_de_la_strategie_est_accepte(client, eve, monde, url):
    # La règle du service : une stratégie du quartier, quelle qu'en soit la version.
    client.force_login(eve)
    reponse = client.post(url, _donnees(monde, changement=str(monde["changement_archive_a"].pk)))
    assert reponse.status_code == 302
    assert Apprentissage.objects.get().changement == monde["changement_archive_a"]


@pytest.mark.parametrize(
    "donnees",
    [
        {"periode": "2099-T1"},
        {"periode": "2025-T2"},  # à venir
        {"periode": ""},
        {"categorie": "autre"},
        {"indicateur": "999999"},
        {"changement": "abc"},
        {"texte_fr": "x\x00y"},
    ],
)
def test_une_entree_invalide_revient_en_400_sans_rien_enregistrer(client, bob, monde, url, donnees):
    client.force_login(bob)
    reponse = client.post(url, _donnees(monde, **donnees))
    assert reponse.status_code == 400
    assert f'id="id_{next(iter(donnees))}_error"' in reponse.content.decode()
    assert not Apprentissage.objects.exists()


# --- L'anglais ----------------------------------------------------------------------------------


def test_en_anglais_la_page_et_le_lien_sont_en_anglais(client, eve, quartier_a, monde, url):
    client.force_login(eve)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    contenu = client.get(url).content.decode()
    for anglais in (
        "Add a learning",
        "Text in French",
        "Text in English",
        "Intended change",
        "No indicator",
        "Add the learning",
        "Q1 2025",
    ):
        assert anglais in contenu, anglais
    for francais in ("Ajouter un apprentissage", "Texte en français", "Aucun indicateur"):
        assert francais not in contenu, francais
    reponse = client.post(url, _donnees(monde, texte_fr=""))
    assert "Write the learning in French, in English or in both languages." in (
        reponse.content.decode()
    )
    assert "Add a learning" in client.get(quartier_a.get_absolute_url()).content.decode()


# --- Requêtes -----------------------------------------------------------------------------------


def _requetes(client, url) -> int:
    with CaptureQueriesContext(connection) as requetes:
        assert client.get(url).status_code == 200
    return len(requetes)


def test_la_page_coute_autant_de_requetes_avec_dix_fois_plus_de_donnees(
    client, eve, quartier_a, monde, url, django_assert_num_queries
):
    client.force_login(eve)
    petit = _requetes(client, url)
    strategie = monde["changement_a"].strategie
    for rang in range(10):
        periode_du_trimestre(2020 + rang // 4, rang % 4 + 1)
        IndicateurSuiviFactory(quartier=quartier_a)
        ChangementViseFactory(strategie=strategie)
    assert _requetes(client, url) == petit
    # Session, utilisateur, quartier visible (avec sa table), droit de commenter, puis les
    # trois listes : périodes, indicateurs suivis (avec leur indicateur), changements visés.
    with django_assert_num_queries(7):
        client.get(url)
