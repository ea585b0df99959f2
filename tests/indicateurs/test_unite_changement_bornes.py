"""Changer l'unité d'un indicateur entre deux unités numériques, dans l'administration : refusé
tant qu'une valeur déjà enregistrée (saisie, de référence, cible) sort des bornes de la nouvelle
unité — la règle de la saisie (`verifier_nombre`), pas une seconde. Le refus est écrit à côté du
champ « unité » : combien de valeurs, les premières nommées (quartier, trimestre, valeur, raison);
rien n'est enregistré, le formulaire est réaffiché (200), jamais une erreur 500. Un changement
compatible reste permis.

Avant : un « nombre » de 150 devenait un pourcentage de 150, une échelle de 1 à 5 gardait sa
référence à 10; le formulaire trimestriel et les bilans les relisaient hors de leurs bornes."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.forms.models import model_to_dict
from django.urls import reverse

from indicateurs.models import Cible, Indicateur, Saisie, StatutPeriode, Valeur
from quartiers.referentiel import DOSSIER_REFERENTIEL
from tests.factories import (
    IndicateurFactory,
    IndicateurSuiviFactory,
    QuartierFactory,
    periode_du_trimestre,
)

pytestmark = pytest.mark.django_db


def _donnees(objet, **changements) -> dict:
    donnees = {cle: valeur for cle, valeur in model_to_dict(objet).items() if valeur is not None}
    return {**donnees, **changements}


def _valeur(quartier, indicateur, annee: int, trimestre: int, nombre: str) -> Valeur:
    periode = periode_du_trimestre(annee, trimestre, statut=StatutPeriode.OUVERTE)
    saisie, _ = Saisie.objects.get_or_create(table=quartier.table, periode=periode)
    return Valeur.objects.create(
        saisie=saisie, indicateur=indicateur, valeur_numerique=Decimal(nombre)
    )


def _changer(client, indicateur: Indicateur, **changements):
    adresse = reverse("admin:indicateurs_indicateur_change", args=[indicateur.pk])
    return client.post(adresse, _donnees(indicateur, **changements))


def _erreurs_de_l_unite(reponse) -> list[str]:
    assert reponse.status_code == 200
    return list(reponse.context["adminform"].form.errors["unite"])


def test_un_nombre_hors_des_bornes_refuse_le_pourcentage_puis_corrige_il_passe(
    client, ada, quartier_a
):
    indicateur = IndicateurFactory(unite="nombre")
    IndicateurSuiviFactory(quartier=quartier_a, indicateur=indicateur, valeur_reference=None)
    _valeur(quartier_a, indicateur, 2025, 1, "40")
    hors = _valeur(quartier_a, indicateur, 2025, 2, "150")
    client.force_login(ada)

    reponse = _changer(client, indicateur, unite="pourcentage", nom_fr="Nouveau nom")
    assert _erreurs_de_l_unite(reponse) == [
        "1 valeur déjà enregistrée (saisie, référence ou cible) ne respecte pas l'unité "
        "« pourcentage » : corrigez-la d'abord, ou créez plutôt un nouvel indicateur.",
        "Quartier A, T2 2025 : 150 — Un pourcentage est compris entre 0 et 100.",
    ]
    assert b'class="errorlist' in reponse.content  # à côté du champ, dans la page réaffichée
    indicateur.refresh_from_db()
    assert (indicateur.unite, indicateur.nom_fr) == ("nombre", f"Indicateur {indicateur.code}")

    # Toutes les valeurs dans les bornes : le changement compatible passe.
    Valeur.objects.filter(pk=hors.pk).update(valeur_numerique=Decimal(60))
    assert _changer(client, indicateur, unite="pourcentage").status_code == 302
    indicateur.refresh_from_db()
    assert indicateur.unite == "pourcentage"


def test_le_refus_compte_toutes_les_valeurs_et_en_nomme_cinq(client, ada, quartier_a):
    indicateur = IndicateurFactory(unite="dollars", agregation="moyenne")
    quartier_b = QuartierFactory(nom="Quartier B", slug="quartier-b")
    for rang in range(4):
        _valeur(quartier_a, indicateur, 2024, rang + 1, str(200 + rang))
        _valeur(quartier_b, indicateur, 2024, rang + 1, "12.50")
    _valeur(quartier_b, indicateur, 2025, 1, "3")  # dans les bornes : ni comptée ni nommée
    client.force_login(ada)

    erreurs = _erreurs_de_l_unite(_changer(client, indicateur, unite="echelle"))
    assert erreurs[0].startswith(
        "8 valeurs déjà enregistrées (saisies, références ou cibles) ne respectent pas l'unité "
        "« échelle de 1 à 5 » : corrigez-les d'abord"
    )
    # Dans l'ordre des trimestres, puis des quartiers.
    assert erreurs[1:] == [
        "Quartier A, T1 2024 : 200 — Sur l'échelle, la valeur est comprise entre 1 et 5.",
        "Quartier B, T1 2024 : 12,5 — Sur l'échelle, la valeur est comprise entre 1 et 5.",
        "Quartier A, T2 2024 : 201 — Sur l'échelle, la valeur est comprise entre 1 et 5.",
        "Quartier B, T2 2024 : 12,5 — Sur l'échelle, la valeur est comprise entre 1 et 5.",
        "Quartier A, T3 2024 : 202 — Sur l'échelle, la valeur est comprise entre 1 et 5.",
        "… et 3 autres.",
    ]
    assert Indicateur.objects.get(pk=indicateur.pk).unite == "dollars"


def test_des_decimales_refusent_le_nombre_entier(client, ada, quartier_a):
    """La règle entière de la saisie, pas seulement les bornes : 12,50 $ n'est pas un nombre."""
    indicateur = IndicateurFactory(unite="dollars", agregation="moyenne")
    _valeur(quartier_a, indicateur, 2025, 1, "12.50")
    client.force_login(ada)
    erreurs = _erreurs_de_l_unite(_changer(client, indicateur, unite="nombre"))
    assert erreurs[1] == "Quartier A, T1 2025 : 12,5 — Entrez un nombre entier (sans décimales)."
    assert Indicateur.objects.get(pk=indicateur.pk).unite == "dollars"


def test_la_reference_et_les_cibles_suivent_aussi_la_nouvelle_unite(client, ada, quartier_a):
    """Sans aucune valeur saisie : la référence (10, celle de la fabrique) et une cible (9)
    sortent de l'échelle; une cible de 4 y reste."""
    indicateur = IndicateurFactory(unite="nombre")
    suivi = IndicateurSuiviFactory(quartier=quartier_a, indicateur=indicateur)
    Cible.objects.create(suivi=suivi, periode=periode_du_trimestre(2026, 4), valeur=Decimal(9))
    Cible.objects.create(suivi=suivi, periode=periode_du_trimestre(2027, 4), valeur=Decimal(4))
    client.force_login(ada)
    erreurs = _erreurs_de_l_unite(_changer(client, indicateur, unite="echelle"))
    assert erreurs == [
        "2 valeurs déjà enregistrées (saisies, références ou cibles) ne respectent pas l'unité "
        "« échelle de 1 à 5 » : corrigez-les d'abord, ou créez plutôt un nouvel indicateur.",
        "Quartier A, référence : 10 — Sur l'échelle, la valeur est comprise entre 1 et 5.",
        "Quartier A, cible T4 2026 : 9 — Sur l'échelle, la valeur est comprise entre 1 et 5.",
    ]
    assert Indicateur.objects.get(pk=indicateur.pk).unite == "nombre"


def test_le_referentiel_recharge_ne_change_pas_non_plus_l_unite_hors_des_bornes(
    tmp_path, quartier_a
):
    """La règle est celle du modèle (`Indicateur.clean`), pas du seul formulaire de l'admin :
    recharger le référentiel avec une nouvelle unité qui refuse une valeur enregistrée arrête
    tout, avec le même message, et l'unité reste."""
    call_command("charger_referentiel", stdout=StringIO())
    indicateur = Indicateur.objects.get(code="proc-benevoles")
    assert indicateur.unite == "nombre"
    _valeur(quartier_a, indicateur, 2025, 2, "150")
    dossier = tmp_path / "referentiel"
    shutil.copytree(DOSSIER_REFERENTIEL, dossier)
    chemin = dossier / "indicateurs.json"
    entrees = json.loads(chemin.read_text(encoding="utf-8"))
    next(e for e in entrees if e["code"] == "proc-benevoles")["unite"] = "pourcentage"
    chemin.write_text(json.dumps(entrees, ensure_ascii=False), encoding="utf-8")

    with pytest.raises(CommandError, match=r"proc-benevoles.*T2 2025 : 150"):
        call_command("charger_referentiel", "--dossier", str(dossier), stdout=StringIO())
    assert Indicateur.objects.get(pk=indicateur.pk).unite == "nombre"
