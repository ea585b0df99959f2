"""La démonstration montre les échanges de la plateforme (`quartiers.demo_echanges`) : des
commentaires sur des saisies, un brouillon de stratégie soumis à l'évaluation; sans écrire à
personne au chargement, et sans doublon à la seconde exécution."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils.html import escape

from indicateurs.models import CommentaireSaisie, StatutStrategie, StrategieDeChangement
from quartiers.models import Utilisateur

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings, django_capture_on_commit_callbacks):
    """La démonstration chargée; les avis qu'elle aurait mis en file après la transaction sont
    exécutés (et comptés) comme en vrai."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_capture_on_commit_callbacks(execute=True) as avis:
        call_command("charger_demo", stdout=StringIO())
    return avis


def _compte(courriel: str) -> Utilisateur:
    return Utilisateur.objects.get(email=courriel)


def test_le_chargement_n_ecrit_a_personne(demo):
    assert demo == []
    assert mail.outbox == []


def test_l_evaluation_voit_la_strategie_soumise_aux_propositions(client, demo):
    soumise = StrategieDeChangement.objects.soumises().select_related("quartier").get()
    assert soumise.quartier.slug == "centre-sud" and soumise.version == 3
    assert soumise.statut == StatutStrategie.BROUILLON
    assert soumise.soumise_par == _compte("coordination-centre-sud@demo.evalpic.ca")
    assert soumise.donnees_fictives
    # Une copie de la v2 et un changement visé de plus, avec son marqueur et son lien.
    v2 = soumise.quartier.strategies.get(version=2)
    assert soumise.changements.count() == v2.changements.count() + 1
    ajoute = soumise.changements.get(code="C7")
    assert list(ajoute.indicateurs.values_list("code", flat=True)) == ["cond-semis-distribues"]
    assert soumise.liens.filter(source=ajoute, cible__code="C5").exists()

    client.force_login(_compte("evaluation@demo.evalpic.ca"))
    page = client.get("/catalogue/propositions/").content.decode()
    assert "Stratégies de changement soumises" in page
    assert "Centre-Sud" in page
    lien = reverse("strategie_brouillon", kwargs={"slug": "centre-sud", "pk": soumise.pk})
    assert lien in page


def test_la_coordination_lit_la_discussion_de_sa_saisie(client, demo):
    coordination = _compte("coordination@demo.evalpic.ca")
    fil = list(
        CommentaireSaisie.objects.filter(saisie__table__quartier__slug="saint-michel")
        .select_related("saisie__periode", "auteur", "indicateur")
        .order_by("created_at")
    )
    assert [c.auteur.email for c in fil] == ["conseil@demo.evalpic.ca", coordination.email]
    question, reponse = fil
    assert question.saisie_id == reponse.saisie_id
    assert question.indicateur.code == "pers-personnes-rejointes"
    assert question.created_at < reponse.created_at
    assert question.created_at > question.saisie.soumise_le

    client.force_login(coordination)
    url = reverse(
        "saisie_formulaire",
        kwargs={"slug": "saint-michel", "code": question.saisie.periode.code},
    )
    reponse_http = client.get(url)
    assert reponse_http.status_code == 200
    page = reponse_http.content.decode()
    assert 'id="commentaires"' in page
    for commentaire in fil:
        assert escape(commentaire.texte) in page


def test_trois_quartiers_ont_un_fil_de_question_et_reponse(demo):
    par_quartier = {}
    for commentaire in CommentaireSaisie.objects.select_related("saisie__table__quartier"):
        par_quartier.setdefault(commentaire.saisie.table.quartier.slug, []).append(commentaire)
    assert set(par_quartier) == {"saint-michel", "centre-sud", "parc-extension"}
    for fil in par_quartier.values():
        assert len(fil) == 2 and len({c.saisie_id for c in fil}) == 1
        assert len({c.auteur_id for c in fil}) == 2


def test_une_seconde_execution_ne_double_rien(demo):
    avant = (
        CommentaireSaisie.objects.count(),
        StrategieDeChangement.objects.count(),
        list(CommentaireSaisie.objects.order_by("pk").values_list("texte", "created_at")),
    )
    soumise = StrategieDeChangement.objects.soumises().get()
    call_command("charger_demo", stdout=StringIO())
    apres = (
        CommentaireSaisie.objects.count(),
        StrategieDeChangement.objects.count(),
        list(CommentaireSaisie.objects.order_by("pk").values_list("texte", "created_at")),
    )
    assert apres == avant
    assert StrategieDeChangement.objects.soumises().get() == soumise
