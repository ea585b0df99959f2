"""Les actions d'un quartier, tenues sur le site (indicateurs.views_actions) : avant, seule
l'administration de Django (réservée au personnel) les inscrivait ou les corrigeait; ni la
coordination ni l'évaluation ne le pouvaient. Ces adresses n'existaient pas (404).

Qui : la coordination du quartier (son registre), l'évaluation et l'administration écrivent;
le conseil lit (403 sur les pages qui écrivent); l'autre quartier reçoit 404."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse

from evalpic.dates import dans_n_annees
from indicateurs.calculs import indicateurs_calcules
from indicateurs.models import Action, Calcul, ChangementVise
from tests.factories import (
    ActionFactory,
    ChangementViseFactory,
    PartenaireFactory,
    ParticipationFactory,
    StrategieFactory,
)

pytestmark = pytest.mark.django_db
J = datetime.date


def _url(nom: str, quartier, pk: int | None = None) -> str:
    kwargs = {"slug": quartier.slug} | ({"pk": pk} if pk is not None else {})
    return reverse(nom, kwargs=kwargs)


def _version(reponse) -> str:
    trouvee = re.search(r'name="version" value="([0-9a-f]{16})"', reponse.content.decode())
    return trouvee.group(1) if trouvee else ""


@pytest.fixture
def plan(quartier_a, quartier_b):
    """Le registre et la stratégie de A (v1 archivée, v2 en vigueur, v3 brouillon), et ceux
    de B."""
    organisme = ParticipationFactory(
        table=quartier_a.table, partenaire=PartenaireFactory(nom="Organisme A")
    ).partenaire
    ancien = ParticipationFactory(
        table=quartier_a.table,
        partenaire=PartenaireFactory(nom="Ancien partenaire A"),
        fin=J(2019, 12, 31),
    ).partenaire
    d_ailleurs = ParticipationFactory(
        table=quartier_b.table, partenaire=PartenaireFactory(nom="Organisme B")
    ).partenaire
    v1 = StrategieFactory(quartier=quartier_a, version=1, statut="archivee")
    v2 = StrategieFactory(quartier=quartier_a, version=2, statut="en_vigueur")
    v3 = StrategieFactory(quartier=quartier_a, version=3, statut="brouillon")
    return {
        "organisme": organisme,
        "ancien": ancien,
        "d_ailleurs": d_ailleurs,
        "archive": ChangementViseFactory(strategie=v1, code="C1", libelle="Ancien"),
        "en_vigueur": ChangementViseFactory(strategie=v2, code="C1", libelle="Actuel"),
        "brouillon": ChangementViseFactory(strategie=v3, code="C9", libelle="En préparation"),
        "de_b": ChangementViseFactory(
            strategie=StrategieFactory(quartier=quartier_b), code="B1", libelle="De B"
        ),
    }


def _envoi(**autres) -> dict:
    donnees = {
        "titre": "Assemblée citoyenne",
        "type_action": "participation_citoyenne",
        "description": "",
        "debut": "2024-02-01",
        "fin": "",
    }
    return donnees | autres


# --- Accès ------------------------------------------------------------------------------------


@pytest.mark.parametrize("qui", ["alice", "eve", "ada"])
def test_la_coordination_l_evaluation_et_l_administration_inscrivent_une_action(
    client, personas, quartier_a, plan, qui
):
    client.force_login(personas[qui])
    assert client.get(_url("action_ajouter", quartier_a)).status_code == 200
    reponse = client.post(
        _url("action_ajouter", quartier_a),
        _envoi(
            porteur=plan["organisme"].pk,
            partenaires=[plan["organisme"].pk, plan["ancien"].pk],
            changements=[plan["en_vigueur"].pk, plan["archive"].pk],
        ),
    )
    assert reponse.status_code == 302 and reponse.url == _url("actions", quartier_a)
    action = Action.objects.get()
    assert (action.quartier, action.titre, action.porteur) == (
        quartier_a,
        "Assemblée citoyenne",
        plan["organisme"],
    )
    assert set(action.partenaires.all()) == {plan["organisme"], plan["ancien"]}
    assert set(action.changements.all()) == {plan["en_vigueur"], plan["archive"]}


def test_le_conseil_lit_la_liste_et_recoit_403_sur_les_pages_qui_ecrivent(client, bob, quartier_a):
    action = ActionFactory(quartier=quartier_a, titre="Fête de quartier")
    client.force_login(bob)
    liste = client.get(_url("actions", quartier_a))
    assert liste.status_code == 200 and "Fête de quartier" in liste.content.decode()
    assert _url("action_ajouter", quartier_a) not in liste.content.decode()
    for nom, pk in (
        ("action_ajouter", None),
        ("action_modifier", action.pk),
        ("action_terminer", action.pk),
    ):
        assert client.get(_url(nom, quartier_a, pk)).status_code == 403
        assert client.post(_url(nom, quartier_a, pk), _envoi()).status_code == 403
    assert Action.objects.get() == action and action.titre == "Fête de quartier"


def test_l_autre_quartier_recoit_404_partout(client, charlie, quartier_a, quartier_b):
    action = ActionFactory(quartier=quartier_a)
    client.force_login(charlie)
    assert client.get(_url("actions", quartier_a)).status_code == 404
    for nom, pk in (
        ("action_ajouter", None),
        ("action_modifier", action.pk),
        ("action_terminer", action.pk),
    ):
        assert client.post(_url(nom, quartier_a, pk), _envoi()).status_code == 404
    # L'action de A par l'adresse de B, que Charlie coordonne : 404 aussi.
    assert client.get(_url("action_modifier", quartier_b, action.pk)).status_code == 404
    assert client.post(_url("action_terminer", quartier_b, action.pk)).status_code == 404
    assert Action.objects.get().fin is None


def test_la_page_du_quartier_mene_aux_actions(client, bob, quartier_a):
    client.force_login(bob)
    page = client.get(quartier_a.get_absolute_url()).content.decode()
    assert f'href="{_url("actions", quartier_a)}"' in page


# --- La liste ---------------------------------------------------------------------------------


def test_la_liste_montre_les_actions_en_cours_et_terminees(client, alice, bob, quartier_a, plan):
    en_cours = ActionFactory(quartier=quartier_a, titre="Jardin", porteur=plan["organisme"])
    en_cours.partenaires.add(plan["ancien"])
    en_cours.changements.add(plan["en_vigueur"], plan["brouillon"])
    ActionFactory(quartier=quartier_a, titre="Ancienne fête", fin=J(2020, 6, 30))
    client.force_login(alice)
    page = client.get(_url("actions", quartier_a)).content.decode()
    en_cours_html, terminees_html = page.split('id="titre-terminees"')
    assert "Jardin" in en_cours_html and "Ancienne fête" in terminees_html
    assert "Organisme A" in en_cours_html and "Ancien partenaire A" in en_cours_html
    # Le changement servi par son code et sa version; celui du brouillon seulement pour qui
    # voit le brouillon (`ChangementViseQuerySet.visibles_de`, la règle de l'API).
    assert '<abbr title="Actuel">C1</abbr> (v2)' in en_cours_html
    voit_le_brouillon = ChangementVise.objects.visibles_de(alice).filter(pk=plan["brouillon"].pk)
    assert ("C9</abbr> (v3, brouillon)" in page) == voit_le_brouillon.exists()
    client.force_login(bob)
    assert "C9" not in client.get(_url("actions", quartier_a)).content.decode()
    assert "30 juin 2020" in terminees_html
    assert _url("action_modifier", quartier_a, en_cours.pk) in page


# --- Inscrire, modifier, terminer -------------------------------------------------------------


def test_modifier_une_action_garde_les_changements_du_brouillon(client, alice, quartier_a, plan):
    action = ActionFactory(quartier=quartier_a, titre="Jardin", type_action="projet")
    action.changements.add(plan["archive"], plan["brouillon"])  # copiée par la préparation
    client.force_login(alice)
    formulaire = client.get(_url("action_modifier", quartier_a, action.pk))
    assert formulaire.status_code == 200
    reponse = client.post(
        _url("action_modifier", quartier_a, action.pk),
        _envoi(
            titre="Jardin collectif",
            type_action="participation_citoyenne",
            debut="2019-01-01",
            changements=[plan["en_vigueur"].pk],
            partenaires=[plan["organisme"].pk],
            version=_version(formulaire),
        ),
    )
    assert reponse.status_code == 302
    action.refresh_from_db()
    assert (action.titre, action.type_action) == ("Jardin collectif", "participation_citoyenne")
    assert set(action.changements.all()) == {plan["en_vigueur"], plan["brouillon"]}
    assert list(action.partenaires.all()) == [plan["organisme"]]


def test_terminer_une_action_pose_sa_fin_sans_l_effacer(client, eve, quartier_a):
    action = ActionFactory(quartier=quartier_a, debut=J(2023, 1, 1))
    client.force_login(eve)
    page = client.get(_url("action_terminer", quartier_a, action.pk))
    assert page.status_code == 200
    reponse = client.post(
        _url("action_terminer", quartier_a, action.pk),
        {"fin": "2024-03-31", "version": _version(page)},
    )
    assert reponse.status_code == 302
    action.refresh_from_db()
    assert action.fin == J(2024, 3, 31)
    assert (
        client.post(_url("action_terminer", quartier_a, action.pk), {"fin": "2022-12-31"})
        .content.decode()
        .count("La fin ne peut pas précéder le début.")
    )
    action.refresh_from_db()
    assert action.fin == J(2024, 3, 31)


def test_l_indicateur_calcule_compte_l_action_inscrite_sur_la_page(client, alice, quartier_a, plan):
    ParticipationFactory(table=quartier_a.table, debut=J(2020, 1, 1))  # le registre commence
    avant = indicateurs_calcules(quartier_a, J(2024, 1, 1), J(2024, 3, 31))
    assert avant[Calcul.ACTIONS_PARTICIPATION] == Decimal(0)
    client.force_login(alice)
    client.post(_url("action_ajouter", quartier_a), _envoi(debut="2024-02-01"))
    apres = indicateurs_calcules(quartier_a, J(2024, 1, 1), J(2024, 3, 31))
    assert apres[Calcul.ACTIONS_PARTICIPATION] == Decimal(1)
    # Terminée avant le trimestre suivant : elle n'y compte plus.
    action = Action.objects.get()
    page = client.get(_url("action_terminer", quartier_a, action.pk))
    client.post(
        _url("action_terminer", quartier_a, action.pk),
        {"fin": "2024-03-15", "version": _version(page)},
    )
    suivant = indicateurs_calcules(quartier_a, J(2024, 4, 1), J(2024, 6, 30))
    assert suivant[Calcul.ACTIONS_PARTICIPATION] == Decimal(0)


# --- Entrées refusées : 400, rien d'écrit -----------------------------------------------------


def _erreurs_des_champs(reponse) -> dict[str, str]:
    """Le texte de la liste d'erreurs de chaque champ (`id_<champ>_error`)."""
    return dict(
        re.findall(
            r'<ul class="erreurs" id="id_(\w+)_error">(.*?)</ul>',
            reponse.content.decode(),
            re.S,
        )
    )


@pytest.mark.parametrize(
    ("envoi", "champ", "message"),
    [
        ({"debut": "1850-01-01"}, "debut", "trop ancienne"),
        ({"fin": "9999-12-31"}, "fin", "trop loin dans l&#x27;avenir"),
        ({"debut": "2024-05-01", "fin": "2024-04-30"}, "fin", "ne peut pas précéder"),
        ({"debut": "pas une date"}, "debut", "date valide"),
        ({"type_action": "inconnu"}, "type_action", "choix valide"),
        ({"titre": "   "}, "titre", "obligatoire"),
    ],
)
def test_des_dates_ou_champs_refuses_rendent_400_sans_rien_ecrire(
    client, alice, quartier_a, plan, envoi, champ, message
):
    client.force_login(alice)
    reponse = client.post(
        _url("action_ajouter", quartier_a),
        _envoi(**envoi, partenaires=[plan["organisme"].pk], changements=[plan["en_vigueur"].pk]),
    )
    assert reponse.status_code == 400
    assert message in _erreurs_des_champs(reponse)[champ]
    assert "data-focus-au-chargement" in reponse.content.decode()
    assert "<title>Erreur :" in reponse.content.decode()
    assert not Action.objects.exists()


@pytest.mark.parametrize(
    ("qui", "cle", "champ", "message"),
    [
        ("eve", "de_b", "changements", "ne sert que les changements visés de son quartier"),
        ("eve", "brouillon", "changements", "pas ceux d&#x27;une version en préparation"),
        ("ada", "d_ailleurs", "partenaires", "participe (ou a participé) à la table"),
        ("ada", "d_ailleurs", "porteur", "participe (ou a participé) à la table"),
    ],
)
def test_un_choix_d_ailleurs_est_refuse_a_cote_du_champ_sans_rien_ecrire(
    client, personas, quartier_a, plan, qui, cle, champ, message
):
    client.force_login(personas[qui])
    valeur = plan[cle].pk
    envoi = _envoi(
        partenaires=[plan["organisme"].pk],
        changements=[plan["en_vigueur"].pk],
    ) | {champ: [valeur] if champ != "porteur" else valeur}
    if champ == "partenaires":
        envoi["partenaires"] = [plan["organisme"].pk, valeur]
    if champ == "changements":
        envoi["changements"] = [plan["en_vigueur"].pk, valeur]
    reponse = client.post(_url("action_ajouter", quartier_a), envoi)
    assert reponse.status_code == 400
    assert message in _erreurs_des_champs(reponse)[champ]
    assert not Action.objects.exists()


def test_une_modification_refusee_ne_touche_ni_l_action_ni_ses_liens(
    client, alice, quartier_a, plan
):
    action = ActionFactory(quartier=quartier_a, titre="Jardin")
    action.changements.add(plan["en_vigueur"])
    action.partenaires.add(plan["organisme"])
    client.force_login(alice)
    page = client.get(_url("action_modifier", quartier_a, action.pk))
    reponse = client.post(
        _url("action_modifier", quartier_a, action.pk),
        _envoi(
            titre="Autre titre",
            partenaires=[plan["d_ailleurs"].pk],
            changements=[plan["archive"].pk],
            version=_version(page),
        ),
    )
    assert reponse.status_code == 400
    action.refresh_from_db()
    assert action.titre == "Jardin"
    assert list(action.changements.all()) == [plan["en_vigueur"]]
    assert list(action.partenaires.all()) == [plan["organisme"]]


# --- Deux onglets, double clic ----------------------------------------------------------------


def test_une_page_perimee_recoit_409_et_n_ecrase_rien(client, alice, eve, quartier_a, plan):
    action = ActionFactory(quartier=quartier_a, titre="Jardin", debut=J(2023, 1, 1))
    client.force_login(alice)
    perimee = _version(client.get(_url("action_modifier", quartier_a, action.pk)))
    # Ève termine l'action pendant ce temps.
    action.fin = J(2024, 6, 30)
    action.save()
    reponse = client.post(
        _url("action_modifier", quartier_a, action.pk),
        _envoi(titre="Jardin collectif", debut="2023-01-01", version=perimee),
    )
    assert reponse.status_code == 409
    page = reponse.content.decode()
    assert "Votre envoi" in page and "Enregistré maintenant" in page
    assert "30 juin 2024" in page and "Jardin collectif" in page
    assert "<title>Erreur :" in page
    action.refresh_from_db()
    assert (action.titre, action.fin) == ("Jardin", J(2024, 6, 30))
    # La page porte maintenant la version actuelle : l'envoyer de nouveau remplace sciemment.
    nouvelle = _version(reponse)
    assert nouvelle != perimee
    reponse = client.post(
        _url("action_modifier", quartier_a, action.pk),
        _envoi(titre="Jardin collectif", debut="2023-01-01", version=nouvelle),
    )
    assert reponse.status_code == 302
    action.refresh_from_db()
    assert (action.titre, action.fin) == ("Jardin collectif", None)


def test_le_double_clic_reussit_deux_fois(client, alice, quartier_a, plan):
    action = ActionFactory(quartier=quartier_a, titre="Jardin", debut=J(2023, 1, 1))
    client.force_login(alice)
    version = _version(client.get(_url("action_modifier", quartier_a, action.pk)))
    envoi = _envoi(
        titre="Jardin collectif",
        debut="2023-01-01",
        partenaires=[plan["organisme"].pk],
        changements=[plan["en_vigueur"].pk],
        version=version,
    )
    for _ in range(2):
        assert client.post(_url("action_modifier", quartier_a, action.pk), envoi).status_code == 302
    fin = _version(client.get(_url("action_terminer", quartier_a, action.pk)))
    for _ in range(2):
        reponse = client.post(
            _url("action_terminer", quartier_a, action.pk), {"fin": "2024-01-31", "version": fin}
        )
        assert reponse.status_code == 302
    # « Ajouter » cliqué deux fois : une seule action (elle compterait deux fois).
    for _ in range(2):
        assert client.post(_url("action_ajouter", quartier_a), _envoi()).status_code == 302
    assert Action.objects.filter(titre="Assemblée citoyenne").count() == 1


def test_la_fin_perimee_recoit_409(client, alice, quartier_a):
    action = ActionFactory(quartier=quartier_a, debut=J(2023, 1, 1))
    client.force_login(alice)
    version = _version(client.get(_url("action_terminer", quartier_a, action.pk)))
    Action.objects.filter(pk=action.pk).update(fin=J(2024, 2, 29))
    reponse = client.post(
        _url("action_terminer", quartier_a, action.pk), {"fin": "2024-01-31", "version": version}
    )
    assert reponse.status_code == 409
    assert "29 février 2024" in reponse.content.decode()
    action.refresh_from_db()
    assert action.fin == J(2024, 2, 29)


# --- Requêtes, anglais ------------------------------------------------------------------------


def _plus_d_actions(quartier, plan, nombre: int) -> None:
    for rang in range(nombre):
        action = ActionFactory(
            quartier=quartier,
            porteur=plan["organisme"],
            fin=J(2020, 1, 1) if rang % 2 else None,
        )
        action.partenaires.add(plan["organisme"], plan["ancien"])
        action.changements.add(plan["en_vigueur"], plan["archive"])


def test_la_liste_coute_autant_de_requetes_avec_dix_fois_plus_d_actions(
    client, alice, quartier_a, plan, django_assert_num_queries
):
    client.force_login(alice)
    url = _url("actions", quartier_a)
    # Session, personne, quartier (sélecteur d'accès); les actions (et leur porteur), leurs
    # partenaires, leurs changements (et leur version); le droit de les tenir (saisir sur le
    # quartier : ses affectations en vigueur).
    attendues = 7
    _plus_d_actions(quartier_a, plan, 2)
    with django_assert_num_queries(attendues):
        assert client.get(url).status_code == 200
    _plus_d_actions(quartier_a, plan, 20)
    with django_assert_num_queries(attendues):
        page = client.get(url)
    assert page.content.decode().count("/modifier/") == 22


def test_le_formulaire_coute_autant_de_requetes_avec_dix_fois_plus_de_choix(
    client, eve, quartier_a, plan, django_assert_num_queries
):
    client.force_login(eve)
    url = _url("action_ajouter", quartier_a)
    # Session, personne, quartier (sélecteur d'accès); les partenaires du registre, les
    # changements des versions adoptées. L'évaluation tient les actions par son rôle : pas de
    # requête pour le droit.
    attendues = 5
    with django_assert_num_queries(attendues):
        assert client.get(url).status_code == 200
    for _ in range(10):
        ParticipationFactory(table=quartier_a.table)
        ChangementViseFactory(strategie=plan["en_vigueur"].strategie)
    with django_assert_num_queries(attendues):
        page = client.get(url)
    assert page.content.decode().count('name="changements"') == 2 + 10


def test_les_pages_en_anglais(client, alice, quartier_a, plan):
    action = ActionFactory(quartier=quartier_a, titre="Jardin", fin=J(2020, 3, 1))
    client.force_login(alice)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    liste = client.get(_url("actions", quartier_a)).content.decode()
    assert '<html lang="en"' in liste
    assert "Citizen participation" in liste and "March 1, 2020" in liste
    assert '<th scope="row" lang="fr">Jardin</th>' in liste
    formulaire = client.get(_url("action_ajouter", quartier_a)).content.decode()
    assert "Citizen participation" in formulaire
    reponse = client.post(_url("action_ajouter", quartier_a), _envoi(debut="1850-01-01"))
    assert reponse.status_code == 400 and "<title>Error:" in reponse.content.decode()
    assert client.get(_url("action_terminer", quartier_a, action.pk)).status_code == 200


def test_la_date_limite_suit_le_modele(quartier_a):
    """Les bornes du sélecteur de date sont celles de `Action.clean` (cinq ans)."""
    from indicateurs.forms_actions import FinForm

    rendu = str(FinForm()["fin"])
    assert f'max="{dans_n_annees(Action.ANNEES_A_VENIR).isoformat()}"' in rendu
    assert 'min="1900-01-01"' in rendu
