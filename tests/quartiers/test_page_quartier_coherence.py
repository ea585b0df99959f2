"""La page d'un quartier dit des indicateurs suivis ce qu'en disent les tableaux de bord et les
bilans :
- un indicateur calculé (partenaires actifs, diversité…) d'un quartier sans registre (ni
  participation ni action) n'a pas de valeur (« aucune ») au lieu de 0 : la page appelait
  `calculer` sans la règle `couvert_par_le_registre`; elle passe par `mesures_du_registre`,
  la fonction des séries;
- un indicateur retiré, même suivi et actif, n'y est plus, comme sur les tableaux de bord, les
  bilans et le formulaire (`lectures.suivis_filtres`)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from indicateurs.models import Calcul, Saisie, StatutIndicateur, Valeur
from quartiers.selectors import page_quartier
from tests.factories import (
    ActionFactory,
    IndicateurFactory,
    IndicateurSuiviFactory,
    ParticipationFactory,
    QuartierFactory,
    periode_du_trimestre,
)

pytestmark = pytest.mark.django_db


def _cellules(contenu: str) -> str:
    return " ".join(contenu.split())


def _ligne(contenu: str, code: str) -> str:
    debut = contenu.index(f'<span class="code">{code}</span>')
    return contenu[debut : contenu.index("</tr>", debut)]


def _calcules(quartier) -> list:
    return [
        IndicateurSuiviFactory(
            quartier=quartier,
            indicateur=IndicateurFactory(
                code=f"{quartier.slug}-{calcul}", mode="calcule", calcul=calcul
            ),
            valeur_reference=None,
        )
        for calcul in (Calcul.PARTENAIRES_ACTIFS, Calcul.DIVERSITE_SHANNON)
    ]


def _valeurs(utilisateur, slug: str) -> dict:
    return {s.indicateur.calcul: s.derniere_valeur for s in page_quartier(utilisateur, slug).suivis}


def test_sans_registre_un_indicateur_calcule_n_a_pas_de_valeur(client, eve):
    periode_du_trimestre(2024, 1)
    sans_registre = QuartierFactory(nom="Anjou", slug="anjou")
    _calcules(sans_registre)
    client.force_login(eve)

    assert _valeurs(eve, "anjou") == {
        Calcul.PARTENAIRES_ACTIFS: None,
        Calcul.DIVERSITE_SHANNON: None,
    }
    contenu = _cellules(client.get(sans_registre.get_absolute_url()).content.decode())
    for calcul in (Calcul.PARTENAIRES_ACTIFS, Calcul.DIVERSITE_SHANNON):
        ligne = _ligne(contenu, f"anjou-{calcul}")
        assert "aucune" in ligne and '<td class="nombre">0 ' not in ligne, ligne


def test_avec_un_registre_commence_la_valeur_calculee_reste(client, eve):
    """Un registre commencé avant la période : sa valeur, même nulle, est connue."""
    periode_du_trimestre(2024, 1)
    verdun = QuartierFactory(nom="Verdun", slug="verdun")
    _calcules(verdun)
    ParticipationFactory(table=verdun.table, debut=datetime.date(2020, 1, 1))
    ParticipationFactory(table=verdun.table, debut=datetime.date(2020, 1, 1))
    rosemont = QuartierFactory(nom="Rosemont", slug="rosemont")
    _calcules(rosemont)
    ActionFactory(quartier=rosemont, debut=datetime.date(2019, 1, 1))  # registre, sans partenaire

    assert _valeurs(eve, "verdun") == {
        Calcul.PARTENAIRES_ACTIFS: Decimal(2),
        Calcul.DIVERSITE_SHANNON: Decimal("0.693"),  # deux secteurs
    }
    assert _valeurs(eve, "rosemont") == {
        Calcul.PARTENAIRES_ACTIFS: Decimal(0),
        Calcul.DIVERSITE_SHANNON: Decimal("0.000"),
    }


def test_un_indicateur_retire_n_est_plus_sur_la_page(client, eve):
    periode = periode_du_trimestre(2024, 1)
    quartier = QuartierFactory(nom="Villeray", slug="villeray")
    garde = IndicateurSuiviFactory(quartier=quartier, indicateur=IndicateurFactory(code="garde"))
    retire = IndicateurSuiviFactory(
        quartier=quartier, indicateur=IndicateurFactory(code="retire-1")
    )
    saisie = Saisie.objects.create(table=quartier.table, periode=periode, statut="validee")
    for rang, suivi in enumerate((garde, retire)):
        Valeur.objects.create(
            saisie=saisie, indicateur=suivi.indicateur, valeur_numerique=Decimal(41 + rang)
        )
    retire.indicateur.statut = StatutIndicateur.RETIRE
    retire.indicateur.save(update_fields=["statut"])
    client.force_login(eve)

    assert [s.indicateur.code for s in page_quartier(eve, "villeray").suivis] == ["garde"]
    contenu = _cellules(client.get(quartier.get_absolute_url()).content.decode())
    assert "garde" in contenu and "retire-1" not in contenu and ">42 " not in contenu
