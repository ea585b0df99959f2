"""La démonstration (`charger_demo`) et les données d'échelle (`generer_donnees_echelle`) marquent
les valeurs de leurs saisies transmises comme la soumission (`Valeur.demandee`, par la même
fonction : `services.noter_les_valeurs_demandees`). Avant, elles restaient sans marque : la
complétude de la démo suivait la règle d'avant (les suivis du jour), et suivre un nouvel
indicateur y faisait baisser chaque trimestre validé."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from indicateurs import services
from indicateurs.models import Saisie, StatutPeriode, StatutSaisie, Valeur
from indicateurs.models.saisies import STATUTS_PUBLIES
from indicateurs.validation import DonneeValeur
from quartiers.demo import charger_demo
from quartiers.models import Quartier, Utilisateur
from rapports.echelle import PREFIXE_SLUG, Parametres, generer_donnees_echelle
from rapports.lectures import parts_renseignees
from tests.factories import IndicateurSuiviFactory, periode_du_trimestre

pytestmark = pytest.mark.django_db


def _marques(saisie: Saisie) -> dict[int, bool | None]:
    return dict(saisie.valeurs.values_list("indicateur_id", "demandee"))


def _marques_de_la_soumission(saisie: Saisie) -> dict[int, bool]:
    """Ce que la soumission noterait sur les valeurs de la saisie : demandée si la table saisit
    son indicateur (`indicateurs_a_saisir`, ce que le formulaire demande)."""
    demandes = {i.pk for i in services.indicateurs_a_saisir(saisie.table)}
    return {pk: pk in demandes for pk in saisie.valeurs.values_list("indicateur_id", flat=True)}


@pytest.fixture
def demo(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return charger_demo(aujourd_hui=datetime.date(2026, 8, 20))


def test_chaque_saisie_de_la_demo_est_marquee_comme_a_la_soumission(demo):
    saisies = list(Saisie.objects.select_related("table").order_by("pk"))
    assert saisies and {s.statut for s in saisies} <= {*STATUTS_PUBLIES, StatutSaisie.RENVOYEE}
    for saisie in saisies:
        marques = _marques(saisie)
        assert None not in marques.values(), saisie  # avant : toutes vides
        assert marques == _marques_de_la_soumission(saisie), saisie


def test_un_trimestre_de_la_demo_est_marque_comme_par_le_service(demo):
    """Un trimestre de la démo, repris et soumis par le service de soumission avec les mêmes
    données, garde exactement ses marques."""
    saisie = (
        Saisie.objects.filter(statut=StatutSaisie.VALIDEE, table__quartier__slug="saint-michel")
        .select_related("table__quartier", "periode")
        .order_by("periode__debut")
        .first()
    )
    chargees = _marques(saisie)
    quartier, periode = saisie.table.quartier, saisie.periode
    donnees = {
        v.indicateur_id: DonneeValeur(
            valeur=v.valeur_numerique,
            texte=v.valeur_texte,
            non_disponible=v.non_disponible,
            raison=v.raison_non_disponible,
            commentaire=v.commentaire or "Repris de la démonstration.",
        )
        for v in saisie.valeurs.all()
    }
    # La même saisie, refaite par le formulaire et soumise par le service.
    saisie.delete()
    periode.statut = StatutPeriode.OUVERTE
    periode.save(update_fields=["statut"])
    auteur = Utilisateur.objects.get(email="coordination@demo.evalpic.ca")  # de Saint-Michel
    refaite = services.enregistrer_saisie(
        table=quartier.table, periode=periode, auteur=auteur, version=1, donnees=donnees
    ).saisie
    services.soumettre_saisie(saisie=refaite, auteur=auteur, version=refaite.version)
    assert _marques(refaite) == chargees


def test_un_indicateur_suivi_apres_la_demo_ne_fait_pas_baisser_ses_trimestres(demo):
    quartier = Quartier.objects.get(slug="saint-michel")
    periodes = [
        s.periode
        for s in Saisie.objects.filter(table__quartier=quartier, statut=StatutSaisie.VALIDEE)
        .select_related("periode")
        .order_by("periode__debut")
    ]
    avant = parts_renseignees([quartier], periodes)
    IndicateurSuiviFactory(quartier=quartier)
    # Avant : chaque trimestre validé perdait la part du nouvel indicateur.
    assert parts_renseignees([quartier], periodes) == avant


def test_les_donnees_d_echelle_marquent_les_saisies_transmises_et_pas_le_brouillon():
    generer_donnees_echelle(Parametres(2, 3, 4), aujourd_hui=datetime.date(2026, 2, 10))
    saisies = list(
        Saisie.objects.filter(table__quartier__slug__startswith=PREFIXE_SLUG).select_related(
            "table"
        )
    )
    assert len(saisies) == 2 * 4
    for saisie in saisies:
        marques = _marques(saisie)
        assert len(marques) == 3
        if saisie.statut == StatutSaisie.BROUILLON:
            assert set(marques.values()) == {None}  # comme un vrai brouillon
        else:
            assert marques == _marques_de_la_soumission(saisie), saisie
    assert Valeur.objects.filter(demandee=True).count() == 2 * 3 * 3


def test_la_soumission_et_les_donnees_d_echelle_partagent_la_fonction(quartier_a, alice):
    """La fonction que la démo et les données d'échelle appellent est celle de la soumission :
    une valeur d'un indicateur que la table ne saisit plus est marquée non demandée."""
    suivis = [IndicateurSuiviFactory(quartier=quartier_a) for _ in range(2)]
    periode = periode_du_trimestre(2025, 1, statut=StatutPeriode.OUVERTE)
    donnees = {s.indicateur_id: DonneeValeur(valeur=Decimal(4)) for s in suivis}
    saisie = services.enregistrer_saisie(
        table=quartier_a.table, periode=periode, auteur=alice, version=1, donnees=donnees
    ).saisie
    suivis[1].actif = False
    suivis[1].save(update_fields=["actif"])
    assert services.noter_les_valeurs_demandees(quartier_a.table, [saisie]) == 2
    assert _marques(saisie) == {suivis[0].indicateur_id: True, suivis[1].indicateur_id: False}
