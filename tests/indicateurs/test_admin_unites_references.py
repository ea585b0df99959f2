"""L'unité d'un indicateur et les nombres qui en dépendent, vérifiés par le modèle (donc par
l'administration et le chargement du référentiel) :

- l'unité ne passe plus du texte à un nombre (ni l'inverse) quand des valeurs de l'ancienne
  nature existent : le formulaire trimestriel les lisait selon la nouvelle (« abc » lu comme un
  nombre : erreur 500 pour tous les rôles);
- une valeur de référence et une cible suivent la règle des valeurs saisies
  (`verifier_nombre`) : plus de pourcentage à −9 999 999 999,9999 daté de l'an 1."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict
from django.urls import reverse

from indicateurs.models import (
    Calcul,
    Cible,
    IndicateurSuivi,
    ModeCollecte,
    Saisie,
    StatutPeriode,
    Valeur,
)
from tests.factories import IndicateurFactory, IndicateurSuiviFactory, periode_du_trimestre

pytestmark = pytest.mark.django_db

REFUS_UNITE = "son unité ne peut plus passer du texte à un nombre"


def _donnees(objet, **changements) -> dict:
    donnees = {cle: valeur for cle, valeur in model_to_dict(objet).items() if valeur is not None}
    return {**donnees, **changements}


def _valeur(quartier, indicateur, **contenu) -> Valeur:
    periode = periode_du_trimestre(2025, 1, statut=StatutPeriode.OUVERTE)
    saisie, _ = Saisie.objects.get_or_create(table=quartier.table, periode=periode)
    return Valeur.objects.create(saisie=saisie, indicateur=indicateur, **contenu)


@pytest.mark.parametrize(
    ("avant", "apres", "contenu"),
    [
        ("texte", "nombre", {"valeur_texte": "Adoptée au conseil"}),
        ("nombre", "texte", {"valeur_numerique": Decimal(12)}),
    ],
)
def test_l_unite_ne_change_pas_de_nature_quand_des_valeurs_existent(
    client, ada, quartier_a, avant, apres, contenu
):
    indicateur = IndicateurFactory(unite=avant, agregation="derniere")
    _valeur(quartier_a, indicateur, **contenu)
    client.force_login(ada)
    adresse = reverse("admin:indicateurs_indicateur_change", args=[indicateur.pk])
    reponse = client.post(adresse, _donnees(indicateur, unite=apres))
    assert reponse.status_code == 200
    assert REFUS_UNITE in str(reponse.context["adminform"].form.errors["unite"])
    indicateur.refresh_from_db()
    assert indicateur.unite == avant


def test_l_unite_change_de_nature_sans_valeur_de_l_ancienne(client, ada, quartier_a):
    """Une absence (« non disponible ») n'a ni nombre ni texte : rien ne devient illisible.
    Entre deux unités numériques, rien ne change de nature non plus."""
    indicateur = IndicateurFactory(unite="texte", agregation="derniere")
    _valeur(quartier_a, indicateur, non_disponible=True, raison_non_disponible="Pas de séance.")
    client.force_login(ada)
    adresse = reverse("admin:indicateurs_indicateur_change", args=[indicateur.pk])
    assert client.post(adresse, _donnees(indicateur, unite="nombre")).status_code == 302
    Valeur.objects.filter(indicateur=indicateur).update(
        non_disponible=False, raison_non_disponible="", valeur_numerique=Decimal(40)
    )
    assert client.post(adresse, _donnees(indicateur, unite="pourcentage")).status_code == 302
    indicateur.refresh_from_db()
    assert indicateur.unite == "pourcentage"


def test_une_reference_ou_une_cible_est_un_nombre_d_un_indicateur_non_textuel(quartier_a):
    indicateur = IndicateurFactory(unite="nombre")
    suivi = IndicateurSuiviFactory(quartier=quartier_a, indicateur=indicateur)
    indicateur.unite = "texte"
    with pytest.raises(ValidationError) as erreur:
        indicateur.full_clean()
    assert REFUS_UNITE in str(erreur.value.message_dict["unite"])
    texte = IndicateurFactory(unite="texte", agregation="derniere")
    suivi.indicateur = texte
    with pytest.raises(ValidationError) as erreur:
        suivi.full_clean()
    assert erreur.value.message_dict["valeur_reference"] == [
        "Un indicateur en texte n'a ni valeur de référence ni cible."
    ]


def test_la_reference_suit_la_regle_des_valeurs_saisies(client, ada, quartier_a):
    indicateur = IndicateurFactory(unite="pourcentage", agregation="moyenne")
    client.force_login(ada)
    reponse = client.post(
        reverse("admin:indicateurs_indicateursuivi_add"),
        {
            "indicateur": indicateur.pk,
            "quartier": quartier_a.pk,
            "valeur_reference": "-9999999999.9999",
            "date_reference": "0001-01-01",
            "actif": "on",
            "cibles-TOTAL_FORMS": "0",
            "cibles-INITIAL_FORMS": "0",
        },
    )
    assert reponse.status_code == 200
    erreurs = reponse.context["adminform"].form.errors
    assert erreurs["valeur_reference"] == ["Un pourcentage est compris entre 0 et 100."]
    assert erreurs["date_reference"] == ["La date de référence doit être en 1900 ou plus tard."]
    assert not IndicateurSuivi.objects.filter(indicateur=indicateur).exists()


def test_une_reference_datee_de_demain_est_refusee(quartier_a):
    suivi = IndicateurSuiviFactory(quartier=quartier_a)
    suivi.date_reference = datetime.date.today() + datetime.timedelta(days=2)
    with pytest.raises(ValidationError) as erreur:
        suivi.full_clean()
    assert set(erreur.value.message_dict) == {"date_reference"}


def test_une_cible_suit_la_regle_des_valeurs_saisies(client, ada, quartier_a):
    suivi = IndicateurSuiviFactory(
        quartier=quartier_a, indicateur=IndicateurFactory(unite="echelle", agregation="moyenne")
    )
    suivi.valeur_reference = Decimal(3)
    suivi.save()
    periode = periode_du_trimestre(2026, 4)
    client.force_login(ada)
    adresse = reverse("admin:indicateurs_indicateursuivi_change", args=[suivi.pk])
    donnees = _donnees(
        suivi,
        **{
            "date_reference": "2022-12-31",
            "cibles-TOTAL_FORMS": "1",
            "cibles-INITIAL_FORMS": "0",
            "cibles-0-periode": periode.pk,
            "cibles-0-valeur": "9",
        },
    )
    reponse = client.post(adresse, donnees)
    assert reponse.status_code == 200
    [formset] = reponse.context["inline_admin_formsets"]
    assert formset.formset.errors[0]["valeur"] == [
        "Sur l'échelle, la valeur est comprise entre 1 et 5."
    ]
    assert not Cible.objects.exists()
    donnees["cibles-0-valeur"] = "4.5"
    assert client.post(adresse, donnees).status_code == 302
    assert Cible.objects.get().valeur == Decimal("4.5")


def test_un_indicateur_calcule_garde_ses_decimales(quartier_a):
    """L'indice de Shannon se calcule au millième : sa référence et ses cibles aussi."""
    indicateur = IndicateurFactory(
        unite="indice", mode=ModeCollecte.CALCULE, calcul=Calcul.DIVERSITE_SHANNON
    )
    suivi = IndicateurSuiviFactory(
        quartier=quartier_a, indicateur=indicateur, valeur_reference=Decimal("1.957")
    )
    suivi.full_clean()
    Cible(suivi=suivi, periode=periode_du_trimestre(2026, 4), valeur=Decimal("2.079")).full_clean()
    suivi.valeur_reference = Decimal("-1.957")
    with pytest.raises(ValidationError):
        suivi.full_clean()


def test_l_administration_refuse_l_exposant_comme_le_formulaire_trimestriel(
    client, ada, quartier_a
):
    """« 1e3 » en valeur de référence, « 2.5E+1 » en cible : refusés avec le nombre sans exposant
    proposé, comme au formulaire trimestriel, l'import et l'API (Django les lisait 1 000 et 25
    en silence). Rien n'est enregistré; « 12,5 » se lit comme au formulaire."""
    suivi = IndicateurSuiviFactory(
        quartier=quartier_a, indicateur=IndicateurFactory(unite="dollars", agregation="moyenne")
    )
    periode = periode_du_trimestre(2026, 4)
    client.force_login(ada)
    adresse = reverse("admin:indicateurs_indicateursuivi_change", args=[suivi.pk])
    donnees = _donnees(
        suivi,
        **{
            "valeur_reference": "1e3",
            "date_reference": "2022-12-31",
            "cibles-TOTAL_FORMS": "1",
            "cibles-INITIAL_FORMS": "0",
            "cibles-0-periode": periode.pk,
            "cibles-0-valeur": "2.5E+1",
        },
    )
    reponse = client.post(adresse, donnees)
    assert reponse.status_code == 200
    assert reponse.context["adminform"].form.errors["valeur_reference"] == [
        "« 1e3 » est en écriture scientifique : écrivez le nombre sans exposant, soit 1\xa0000."
    ]
    [formset] = reponse.context["inline_admin_formsets"]
    assert formset.formset.errors[0]["valeur"] == [
        "« 2.5E+1 » est en écriture scientifique : écrivez le nombre sans exposant, soit 25."
    ]
    suivi.refresh_from_db()
    assert suivi.valeur_reference != Decimal(1000)
    assert not Cible.objects.exists()
    donnees.update({"valeur_reference": "12,5", "cibles-0-valeur": "25"})
    assert client.post(adresse, donnees).status_code == 302
    suivi.refresh_from_db()
    assert suivi.valeur_reference == Decimal("12.5")
    assert Cible.objects.get().valeur == Decimal(25)
