"""La page de complétude (`/completude/`, `selectors.completude`) suit la règle de la carte de la
vue d'ensemble (`lectures.parts_renseignees`) : un trimestre transmis attend ce que son formulaire
demandait à la soumission (`Valeur.demandee`), un trimestre sans rien de transmis ce que la table
saisit aujourd'hui. Les deux lisent la même fonction (`selectors.comptes_de_completude`). Avant,
la page comptait les suivis du jour pour chaque période : suivre un nouvel indicateur faisait
passer un trimestre validé de « 2 / 2, 100 % » à « 2 / 3, 67 % » sur la page, quand la carte
disait toujours 100 %."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicateurs import selectors, services
from indicateurs.models import IndicateurSuivi, Saisie, StatutPeriode, Valeur
from indicateurs.validation import DonneeValeur
from rapports.lectures import parts_renseignees
from tests.factories import (
    AffectationFactory,
    IndicateurSuiviFactory,
    QuartierFactory,
    UtilisateurFactory,
    periode_du_trimestre,
)

pytestmark = pytest.mark.django_db


def _transmettre(quartier, periode, auteur, validateur=None) -> Saisie:
    """Une valeur pour chaque indicateur que le formulaire demande, soumise (et validée) par
    les services, comme la page et l'API."""
    donnees = {
        i.pk: DonneeValeur(valeur=Decimal(10))
        for i in services.indicateurs_a_saisir(quartier.table)
    }
    saisie = services.enregistrer_saisie(
        table=quartier.table, periode=periode, auteur=auteur, version=1, donnees=donnees
    ).saisie
    saisie = services.soumettre_saisie(saisie=saisie, auteur=auteur, version=saisie.version)
    if validateur:
        saisie = services.valider_saisie(saisie=saisie, auteur=validateur, version=saisie.version)
    return saisie


def _ligne_de_la_page(client, periode, nom: str) -> str:
    contenu = client.get(reverse("completude"), {"periode": periode.code}).content.decode()
    debut = contenu.index(f">{nom}<")
    return " ".join(contenu[debut : contenu.index("</tr>", debut)].split())


@pytest.fixture
def deux_trimestres(quartier_a, alice, eve):
    """Quartier A saisit deux indicateurs; son T1 2025 est validé, son T2 ouvert, sans saisie."""
    suivis = [IndicateurSuiviFactory(quartier=quartier_a) for _ in range(2)]
    validee = periode_du_trimestre(2025, 1, statut=StatutPeriode.OUVERTE)
    ouverte = periode_du_trimestre(2025, 2, statut=StatutPeriode.OUVERTE)
    _transmettre(quartier_a, validee, alice, eve)
    return quartier_a, suivis, validee, ouverte


def test_un_indicateur_suivi_depuis_ne_fait_pas_baisser_le_trimestre_valide_sur_la_page(
    deux_trimestres, eve, client
):
    quartier, _suivis, validee, ouverte = deux_trimestres
    IndicateurSuiviFactory(quartier=quartier)  # un troisième, suivi à partir d'aujourd'hui

    (ligne,) = selectors.completude(eve, validee)
    # Avant : 2 / 3, 67 %, quand la carte disait 100 %.
    assert (ligne.renseignees, ligne.attendues, ligne.part) == (2, 2, 100)
    assert parts_renseignees([quartier], [validee]) == {(quartier.pk, validee.pk): 100.0}
    client.force_login(eve)
    page = _ligne_de_la_page(client, validee, quartier.nom)
    assert "2 / 2" in page and "100 %" in page
    contenu = client.get(reverse("completude"), {"periode": validee.code}).content.decode()
    assert "attend ce que son formulaire demandait à sa soumission" in contenu  # la note le dit

    # Le trimestre où rien n'est transmis attend ce que la table saisit aujourd'hui : le
    # nouvel indicateur y compte, sur la page comme sur la carte.
    (ligne,) = selectors.completude(eve, ouverte)
    assert (ligne.renseignees, ligne.attendues, ligne.part) == (0, 3, 0)
    assert parts_renseignees([quartier], [ouverte]) == {(quartier.pk, ouverte.pk): 0.0}
    page = _ligne_de_la_page(client, ouverte, quartier.nom)
    assert "0 / 3" in page and "0 %" in page


def test_un_indicateur_qui_n_est_plus_saisi_compte_encore_la_ou_il_etait_demande(
    deux_trimestres, eve
):
    quartier, suivis, validee, _ouverte = deux_trimestres
    # Sa valeur effacée après coup (par l'administration), puis son suivi rendu inactif :
    # 1 / 2 comme sur la carte. Avant : 1 / 1, 100 %.
    Valeur.objects.filter(saisie__periode=validee, indicateur_id=suivis[0].indicateur_id).update(
        valeur_numerique=None
    )
    IndicateurSuivi.objects.filter(pk=suivis[0].pk).update(actif=False)
    (ligne,) = selectors.completude(eve, validee)
    assert (ligne.renseignees, ligne.attendues) == (1, 2)
    assert parts_renseignees([quartier], [validee])[(quartier.pk, validee.pk)] == 50.0


def test_une_saisie_sans_la_marque_se_compte_sur_les_suivis_du_jour_comme_sur_la_carte(
    deux_trimestres, eve
):
    quartier, _suivis, validee, _ouverte = deux_trimestres
    Valeur.objects.filter(saisie__periode=validee).update(demandee=None)
    IndicateurSuiviFactory(quartier=quartier)
    (ligne,) = selectors.completude(eve, validee)
    assert (ligne.renseignees, ligne.attendues) == (2, 3)
    assert parts_renseignees([quartier], [validee])[(quartier.pk, validee.pk)] == 66.7


def test_la_page_et_la_carte_lisent_les_memes_comptes(deux_trimestres, quartier_b, eve):
    """Pour chaque quartier et chaque période, la page et la carte disent la même chose que
    `comptes_de_completude`, la règle écrite une fois."""
    quartier, suivis, validee, ouverte = deux_trimestres
    IndicateurSuiviFactory(quartier=quartier)
    IndicateurSuivi.objects.filter(pk=suivis[1].pk).update(actif=False)
    sans_rien = QuartierFactory(nom="Sans rien", slug="sans-rien")  # rien à saisir
    quartiers = [quartier, quartier_b, sans_rien]
    comptes = selectors.comptes_de_completude(quartiers, [validee, ouverte])
    parts = parts_renseignees(quartiers, [validee, ouverte])
    assert parts.keys() == comptes.keys()
    for periode in (validee, ouverte):
        for ligne in selectors.completude(eve, periode):
            cle = (ligne.table.quartier_id, periode.pk)
            compte = comptes.get(cle, selectors.CompteDeCompletude(0, 0))
            assert (ligne.renseignees, ligne.attendues) == compte
            assert (cle in parts) == bool(ligne.attendues)
    assert comptes[(quartier.pk, validee.pk)] == (2, 2)
    assert comptes[(quartier.pk, ouverte.pk)] == (0, 2)  # le premier et le nouveau


def test_la_page_coute_autant_de_requetes_avec_dix_fois_plus_de_saisies_transmises(client, eve):
    validee = periode_du_trimestre(2025, 1, statut=StatutPeriode.OUVERTE)
    client.force_login(eve)

    def requetes() -> int:
        with CaptureQueriesContext(connection) as capturees:
            assert client.get(reverse("completude"), {"periode": validee.code}).status_code == 200
        return len(capturees)

    premier = QuartierFactory(nom="Premier", slug="premier")
    IndicateurSuiviFactory(quartier=premier)
    _transmettre(premier, validee, _coordination(premier), eve)
    petit = requetes()
    for rang in range(10):
        quartier = QuartierFactory(nom=f"Q{rang}", slug=f"q{rang}")
        for _ in range(3):
            IndicateurSuiviFactory(quartier=quartier)
        _transmettre(quartier, validee, _coordination(quartier), eve if rang % 2 else None)
        IndicateurSuiviFactory(quartier=quartier)  # suivi après la soumission
    assert requetes() == petit
    lignes = selectors.completude(eve, validee)
    assert {(ligne.renseignees, ligne.attendues) for ligne in lignes} == {(1, 1), (3, 3)}


def _coordination(quartier):
    utilisateur = UtilisateurFactory(email=f"coord-{quartier.slug}@exemple.org")
    AffectationFactory(utilisateur=utilisateur, quartier=quartier, role="coordonnateur")
    return utilisateur
