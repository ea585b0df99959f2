"""L'administration montre les champs écrits par les circuits, sans les laisser changer :

- le retrait d'un indicateur du catalogue (`motif_retrait`, `retire_par`, `retire_le`, migration
  indicateurs 0017, non modifiables : la fiche ne les montrait pas du tout);
- la soumission d'un brouillon de stratégie et son renvoi (`soumise_le`, `soumise_par`,
  `renvoyee_le`, `renvoyee_par`, `motif_renvoi`, migration 0016 : la fiche les offrait à la
  modification, un changement sans avis ni trace);
- les commentaires des saisies (`CommentaireSaisie`, migration 0018 : absents de
  l'administration) : consultés par quartier, période, auteur·e et date, cherchés dans le
  texte, jamais réécrits; un commentaire abusif se supprime."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse, reverse_lazy
from django.utils import timezone

from indicateurs.models import CommentaireSaisie, Indicateur, Saisie, StrategieDeChangement
from tests.factories import (
    IndicateurFactory,
    IndicateurSuiviFactory,
    StrategieFactory,
    periode_du_trimestre,
)

pytestmark = pytest.mark.django_db

LE = timezone.make_aware(datetime.datetime(2025, 3, 4, 10, 30))
MOTIF_RETRAIT = "Remplacé par un indicateur mieux défini."
MOTIF_RENVOI = "Le changement visé n'a pas d'indicateur."


def _fiche(objet) -> str:
    options = objet._meta
    return reverse(f"admin:{options.app_label}_{options.model_name}_change", args=[objet.pk])


def _bloc(html: str, champ: str) -> str:
    """Le bloc d'un champ de la fiche (`<div class="… field-<champ>">…`)."""
    assert f"field-{champ}" in html, champ
    return html.split(f"field-{champ}", 1)[1][:600]


# --- Indicateur : le retrait du catalogue -------------------------------------------------------


@pytest.fixture
def retire(eve) -> Indicateur:
    indicateur = IndicateurFactory(code="ancien", nom_fr="Ancien indicateur")
    Indicateur.objects.filter(pk=indicateur.pk).update(
        statut="retire", motif_retrait=MOTIF_RETRAIT, retire_par=eve, retire_le=LE
    )
    indicateur.refresh_from_db()
    return indicateur


def test_la_fiche_de_l_indicateur_montre_son_retrait(client, ada, retire):
    client.force_login(ada)
    reponse = client.get(_fiche(retire))
    assert reponse.status_code == 200
    html = reponse.content.decode()
    assert MOTIF_RETRAIT in _bloc(html, "motif_retrait")
    assert "Ève" in _bloc(html, "retire_par")
    assert "2025" in _bloc(html, "retire_le")
    form = reponse.context["adminform"].form
    assert not {"motif_retrait", "retire_par", "retire_le"} & set(form.fields)


def test_le_retrait_ne_se_modifie_pas_par_la_fiche(client, ada, retire):
    client.force_login(ada)
    donnees = {cle: v for cle, v in model_to_dict(retire).items() if v is not None}
    donnees.update(
        nom_fr="Ancien indicateur (corrigé)",
        motif_retrait="fabriqué",
        retire_par=ada.pk,
        retire_le_0="",
        retire_le_1="",
    )
    reponse = client.post(_fiche(retire), donnees)
    assert reponse.status_code == 302, reponse.context and reponse.context["adminform"].form.errors
    apres = Indicateur.objects.get(pk=retire.pk)
    assert apres.nom_fr == "Ancien indicateur (corrigé)"  # le reste de la fiche s'enregistre
    assert (apres.motif_retrait, apres.retire_par_id, apres.retire_le) == (
        MOTIF_RETRAIT,
        retire.retire_par_id,
        LE,
    )


# --- Stratégie : la soumission et le renvoi ----------------------------------------------------


CHAMPS_DU_CIRCUIT = ["soumise_le", "soumise_par", "renvoyee_le", "renvoyee_par", "motif_renvoi"]


@pytest.fixture
def brouillon(quartier_a, alice, eve) -> StrategieDeChangement:
    strategie = StrategieFactory(quartier=quartier_a, version=2, statut="brouillon")
    StrategieDeChangement.objects.filter(pk=strategie.pk).update(
        soumise_le=LE,
        soumise_par=alice,
        renvoyee_le=LE - datetime.timedelta(days=7),
        renvoyee_par=eve,
        motif_renvoi=MOTIF_RENVOI,
    )
    strategie.refresh_from_db()
    return strategie


def test_la_fiche_de_la_strategie_montre_la_soumission_et_le_renvoi(client, ada, brouillon):
    client.force_login(ada)
    reponse = client.get(_fiche(brouillon))
    assert reponse.status_code == 200
    html = reponse.content.decode()
    assert "Alice" in _bloc(html, "soumise_par") and "Ève" in _bloc(html, "renvoyee_par")
    assert "2025" in _bloc(html, "soumise_le") and "2025" in _bloc(html, "renvoyee_le")
    assert MOTIF_RENVOI.replace("'", "&#x27;") in _bloc(html, "motif_renvoi")
    assert not set(CHAMPS_DU_CIRCUIT) & set(reponse.context["adminform"].form.fields)


def test_la_soumission_ne_se_modifie_pas_par_la_fiche(client, ada, brouillon):
    client.force_login(ada)
    page = client.get(_fiche(brouillon))
    donnees = {
        cle: v
        for cle, v in model_to_dict(brouillon).items()
        if v is not None and cle not in CHAMPS_DU_CIRCUIT
    }
    for inline in page.context["inline_admin_formsets"]:
        prefixe = inline.formset.prefix
        donnees.update({f"{prefixe}-TOTAL_FORMS": 0, f"{prefixe}-INITIAL_FORMS": 0})
    # Ce qu'un envoi fabriqué essaierait : effacer la soumission, réécrire le renvoi.
    donnees.update(
        titre="Titre corrigé",
        soumise_le_0="",
        soumise_le_1="",
        soumise_par="",
        renvoyee_par=ada.pk,
        motif_renvoi="fabriqué",
    )
    reponse = client.post(_fiche(brouillon), donnees)
    assert reponse.status_code == 302, reponse.context and reponse.context["adminform"].form.errors
    apres = StrategieDeChangement.objects.get(pk=brouillon.pk)
    assert apres.titre == "Titre corrigé"
    assert [getattr(apres, champ) for champ in CHAMPS_DU_CIRCUIT] == [
        getattr(brouillon, champ) for champ in CHAMPS_DU_CIRCUIT
    ]


# --- Les commentaires des saisies ---------------------------------------------------------------

LISTE = reverse_lazy("admin:indicateurs_commentairesaisie_changelist")


@pytest.fixture
def saisies(quartier_a, quartier_b) -> list[Saisie]:
    IndicateurSuiviFactory(quartier=quartier_a, indicateur=IndicateurFactory(code="menages"))
    return [
        Saisie.objects.create(table=quartier.table, periode=periode_du_trimestre(2025, trimestre))
        for quartier in (quartier_a, quartier_b)
        for trimestre in (1, 2)
    ]


def _commentaires(saisies, auteurs, combien: int) -> None:
    indicateur = Indicateur.objects.get(code="menages")
    CommentaireSaisie.objects.bulk_create(
        CommentaireSaisie(
            saisie=saisies[rang % len(saisies)],
            auteur=auteurs[rang % len(auteurs)],
            indicateur=indicateur if rang % 3 == 0 else None,
            texte=f"Commentaire numéro {rang}",
        )
        for rang in range(combien)
    )


def test_la_liste_des_commentaires_en_un_nombre_fixe_de_requetes(
    client, ada, alice, bob, eve, saisies
):
    client.force_login(ada)

    def compter() -> int:
        with CaptureQueriesContext(connection) as requetes:
            reponse = client.get(LISTE)
        assert reponse.status_code == 200
        return len(requetes)

    _commentaires(saisies[:1], [alice], 2)
    peu = compter()
    _commentaires(saisies, [alice, bob, eve, None], 40)
    # Requêtes : session et personne, comptes (total et filtré), la page (saisie, table,
    # quartier, période, indicateur, auteur·e joints), les choix de chaque filtre, les dates.
    assert compter() == peu


def test_la_liste_montre_filtre_et_cherche(client, ada, alice, eve, saisies, quartier_b):
    CommentaireSaisie.objects.create(saisie=saisies[0], auteur=alice, texte="Pourquoi ce chiffre ?")
    CommentaireSaisie.objects.create(saisie=saisies[2], auteur=eve, texte="Dans le quartier B")
    CommentaireSaisie.objects.create(
        saisie=saisies[0], auteur=eve, texte="", retire_le=LE
    )  # retiré par son autrice
    client.force_login(ada)
    html = client.get(LISTE).content.decode()
    assert "Pourquoi ce chiffre ?" in html and "Dans le quartier B" in html
    assert "Commentaire retiré par son auteur·e le" in html
    assert "Quartier A" in html and "Alice" in html
    cherche = client.get(LISTE, {"q": "chiffre"}).content.decode()
    assert "Pourquoi ce chiffre ?" in cherche and "Dans le quartier B" not in cherche
    filtre = client.get(LISTE, {"saisie__table__quartier__id__exact": quartier_b.pk})
    assert "Dans le quartier B" in filtre.content.decode()
    assert "Pourquoi ce chiffre ?" not in filtre.content.decode()
    retires = client.get(LISTE, {"retire_le__isempty": "0"}).content.decode()
    assert "Commentaire retiré" in retires and "Pourquoi ce chiffre ?" not in retires


def test_un_commentaire_se_lit_sans_se_modifier_ni_s_ajouter(client, ada, alice, saisies):
    commentaire = CommentaireSaisie.objects.create(
        saisie=saisies[0], auteur=alice, texte="Texte d'origine"
    )
    client.force_login(ada)
    fiche = client.get(_fiche(commentaire))
    assert fiche.status_code == 200
    html = fiche.content.decode()
    assert "Texte d&#x27;origine" in html and "Quartier A" in html
    assert "<textarea" not in html  # en lecture seule
    assert client.post(_fiche(commentaire), {"texte": "Réécrit"}).status_code == 403
    commentaire.refresh_from_db()
    assert commentaire.texte == "Texte d'origine"
    ajout = reverse("admin:indicateurs_commentairesaisie_add")
    assert client.get(ajout).status_code == 403


def test_un_commentaire_abusif_se_supprime(client, ada, alice, saisies):
    commentaire = CommentaireSaisie.objects.create(saisie=saisies[0], auteur=alice, texte="Abus")
    client.force_login(ada)
    suppression = reverse("admin:indicateurs_commentairesaisie_delete", args=[commentaire.pk])
    assert client.get(suppression).status_code == 200
    assert client.post(suppression, {"post": "yes"}).status_code == 302
    assert not CommentaireSaisie.objects.filter(pk=commentaire.pk).exists()
