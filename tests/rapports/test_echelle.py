"""Le générateur de données d'échelle : `manage.py generer_donnees_echelle`."""

from __future__ import annotations

import datetime
import itertools
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.utils import timezone

from indicateurs.calculs import indicateurs_calcules
from indicateurs.historique import consigner
from indicateurs.models import (
    Apprentissage,
    CategorieApprentissage,
    Cible,
    EvenementSaisie,
    Indicateur,
    IndicateurSuivi,
    ModeCollecte,
    Periode,
    Saisie,
    StatutSaisie,
    StatutStrategie,
    StrategieDeChangement,
    TypeEvenement,
    Unite,
    Valeur,
)
from indicateurs.periodes import bornes_du_trimestre, trimestre_de, trimestre_precedent
from indicateurs.services import donnee_de
from quartiers.models import Partenaire, Participation, Quartier, TableDeQuartier
from quartiers.referentiel import charger_referentiel
from rapports.echelle import (
    PREFIXE_CODE,
    PREFIXE_SLUG,
    DonneesEchelleExistantes,
    Parametres,
    generer_donnees_echelle,
)

pytestmark = pytest.mark.django_db


def generer(quartiers: int, indicateurs: int, trimestres: int, *options: str) -> str:
    sortie = StringIO()
    call_command(
        "generer_donnees_echelle",
        f"--quartiers={quartiers}",
        f"--indicateurs={indicateurs}",
        f"--trimestres={trimestres}",
        *options,
        stdout=sortie,
    )
    return sortie.getvalue()


def effectifs() -> dict[str, int]:
    """Le nombre de lignes de chaque modèle (et table de liaison) des applications du domaine."""
    modeles = [
        modele
        for nom in ("quartiers", "indicateurs")
        for modele in apps.get_app_config(nom).get_models(include_auto_created=True)
    ]
    return {modele._meta.label: modele.objects.count() for modele in modeles}


def echelle(modele, chemin: str = "quartier__slug__startswith"):
    return modele.objects.filter(**{chemin: PREFIXE_SLUG})


def valeurs_echelle() -> dict[tuple, tuple]:
    """Chaque valeur, par (quartier, indicateur, période)."""
    lignes = echelle(Valeur, "saisie__table__quartier__slug__startswith").values_list(
        "saisie__table__quartier__slug",
        "indicateur__code",
        "saisie__periode__annee",
        "saisie__periode__trimestre",
        "valeur_numerique",
        "valeur_texte",
        "non_disponible",
        "raison_non_disponible",
    )
    return {ligne[:4]: ligne[4:] for ligne in lignes}


def effectifs_echelle() -> dict[str, int]:
    return {
        "quartiers": echelle(Quartier, "slug__startswith").count(),
        "indicateurs": Indicateur.objects.filter(code__startswith=PREFIXE_CODE).count(),
        "partenaires": Partenaire.objects.filter(nom__startswith="Échelle ").count(),
        "participations": echelle(Participation, "table__quartier__slug__startswith").count(),
        "suivis": echelle(IndicateurSuivi).count(),
        "cibles": echelle(Cible, "suivi__quartier__slug__startswith").count(),
        "saisies": echelle(Saisie, "table__quartier__slug__startswith").count(),
        "valeurs": echelle(Valeur, "saisie__table__quartier__slug__startswith").count(),
        "evenements": echelle(EvenementSaisie, "saisie__table__quartier__slug__startswith").count(),
        "apprentissages": echelle(Apprentissage).count(),
    }


def test_effectifs_exacts():
    sortie = generer(2, 3, 4)
    calcules = Indicateur.objects.filter(mode=ModeCollecte.CALCULE).count()
    textes = Indicateur.objects.filter(code__startswith=PREFIXE_CODE, unite=Unite.TEXTE).count()
    fins_d_annee = Periode.objects.filter(trimestre=4).count()  # base vide : les T périodes
    assert calcules == 5
    assert textes == 1  # le 3e indicateur est en texte : M' = 2 numériques + 1 texte
    compte = effectifs_echelle()
    assert compte["quartiers"] == 2
    assert TableDeQuartier.objects.filter(quartier__slug__startswith=PREFIXE_SLUG).count() == 2
    assert compte["indicateurs"] == 3
    assert compte["suivis"] == 2 * (3 + calcules)
    assert compte["saisies"] == 2 * 4
    assert compte["valeurs"] == 2 * 3 * 4
    assert compte["evenements"] == compte["valeurs"]
    assert compte["cibles"] == 2 * (3 - textes + calcules) * fins_d_annee
    assert "valeurs : 24" in sortie and "historique des saisies : 24" in sortie
    assert "Données d'échelle générées en" in sortie


def test_periodes_consecutives_jusqu_au_trimestre_en_cours():
    generer(2, 3, 4)
    courant = trimestre_de(timezone.localdate())
    derniere = Periode.objects.order_by("debut").last()
    assert (derniere.annee, derniere.trimestre) == courant
    assert Periode.objects.count() == 4
    saisies = echelle(Saisie, "table__quartier__slug__startswith").filter(
        table__quartier__slug=f"{PREFIXE_SLUG}001"
    )
    trimestres = [
        (s.periode.annee, s.periode.trimestre) for s in saisies.order_by("periode__debut")
    ]
    attendus = [courant]
    for _ in range(3):
        attendus.insert(0, trimestre_precedent(*attendus[0]))
    assert trimestres == attendus


def test_periodes_franchissent_l_annee_et_suivent_le_calendrier():
    jour = datetime.date(2026, 2, 10)
    generer_donnees_echelle(Parametres(3, 5, 6), aujourd_hui=jour)
    periodes = list(Periode.objects.order_by("debut"))
    codes = [p.code for p in periodes]
    assert codes == ["2024-T4", "2025-T1", "2025-T2", "2025-T3", "2025-T4", "2026-T1"]
    for avant, apres in itertools.pairwise(periodes):
        assert apres.debut == avant.fin + datetime.timedelta(days=1)
    assert (periodes[0].debut, periodes[0].fin) == bornes_du_trimestre(2024, 4)
    assert [p.statut for p in periodes] == ["fermee"] * 4 + ["ouverte", "a_venir"]


def test_statuts_des_saisies():
    generer_donnees_echelle(Parametres(3, 5, 6), aujourd_hui=datetime.date(2026, 2, 10))
    for quartier in echelle(Quartier, "slug__startswith"):
        statuts = list(
            Saisie.objects.filter(table__quartier=quartier)
            .order_by("periode__debut")
            .values_list("statut", flat=True)
        )
        assert statuts == [StatutSaisie.VALIDEE] * 4 + [
            StatutSaisie.SOUMISE,
            StatutSaisie.BROUILLON,
        ]


def test_chaque_valeur_a_son_historique():
    generer(3, 5, 6)
    valeurs = echelle(Valeur, "saisie__table__quartier__slug__startswith").select_related("saisie")
    evenements = {
        (e.saisie_id, e.indicateur_id): e
        for e in echelle(EvenementSaisie, "saisie__table__quartier__slug__startswith")
    }
    assert len(evenements) == valeurs.count() == 3 * 5 * 6
    for valeur in valeurs:
        evenement = evenements[(valeur.saisie_id, valeur.indicateur_id)]
        assert evenement.type_evenement == TypeEvenement.VALEUR
        assert evenement.nouvelle == consigner(donnee_de(valeur))
        assert valeur.est_renseignee
        if valeur.saisie.soumise_le is not None:  # daté à la remise, pas à la génération
            assert evenement.created_at == valeur.saisie.soumise_le


def test_indicateurs_calcules_suivis_sans_valeurs():
    generer(3, 5, 6)
    calcules = Indicateur.objects.filter(mode=ModeCollecte.CALCULE)
    assert not Valeur.objects.filter(indicateur__in=calcules).exists()
    assert echelle(IndicateurSuivi).filter(indicateur__in=calcules).count() == 3 * 5
    quartier = Quartier.objects.get(slug=f"{PREFIXE_SLUG}002")
    premiere = Periode.objects.order_by("debut").first()
    fin = premiere.debut - datetime.timedelta(days=1)
    attendus = indicateurs_calcules(quartier, bornes_du_trimestre(*trimestre_de(fin))[0], fin)
    for suivi in IndicateurSuivi.objects.filter(quartier=quartier, indicateur__in=calcules):
        assert suivi.valeur_reference == attendus[suivi.indicateur.calcul]
        assert suivi.date_reference == fin


def test_registre_strategie_et_apprentissages():
    generer(3, 5, 6)
    for quartier in echelle(Quartier, "slug__startswith"):
        strategie = StrategieDeChangement.objects.get(quartier=quartier)
        assert (strategie.version, strategie.statut) == (1, StatutStrategie.EN_VIGUEUR)
        assert strategie.donnees_fictives
        changements = strategie.changements.annotate(n=Count("indicateurs"))
        assert changements.count() == 6 and all(c.n >= 1 for c in changements)
        assert strategie.liens.count() >= 6
        assert 20 <= Participation.objects.filter(table__quartier=quartier).count() <= 60
        assert quartier.actions.filter(type_action="participation_citoyenne").exists()
        categories = set(quartier.apprentissages.values_list("categorie", flat=True))
        assert categories == set(CategorieApprentissage.values)
    partenaires = Partenaire.objects.filter(participations__table__quartier__slug__startswith="e")
    assert all(p.donnees_fictives and p.nom.startswith("Échelle ") for p in partenaires)
    assert partenaires.filter(acteur_influence=True).exists()


def test_remplacer_redonne_les_memes_effectifs():
    generer(2, 3, 4)
    avant = effectifs_echelle()
    sortie = generer(2, 3, 4, "--remplacer")
    assert effectifs_echelle() == avant
    assert "Données d'échelle effacées" in sortie


def test_relance_sans_remplacer_refusee_sans_rien_ecrire():
    generer(2, 3, 4)
    avant = effectifs()
    with pytest.raises(CommandError, match="--remplacer"):
        generer(3, 5, 6)
    assert effectifs() == avant


def test_refus_leve_l_exception_du_domaine():
    generer_donnees_echelle(Parametres(1, 2, 2))
    with pytest.raises(DonneesEchelleExistantes):
        generer_donnees_echelle(Parametres(1, 2, 2))


def test_meme_graine_memes_valeurs():
    generer(2, 3, 4, "--graine=7")
    premieres = valeurs_echelle()
    generer(2, 3, 4, "--graine=7", "--remplacer")
    assert valeurs_echelle() == premieres
    generer(2, 3, 4, "--graine=8", "--remplacer")
    assert valeurs_echelle() != premieres
    assert valeurs_echelle().keys() == premieres.keys()


def test_reutilise_le_referentiel_existant():
    charger_referentiel()
    avant = Indicateur.objects.count()
    sortie = generer(1, 2, 2)
    assert Indicateur.objects.count() == avant + 2
    assert "Référentiel absent" not in sortie


@pytest.mark.parametrize("option", ["--quartiers=0", "--indicateurs=-1", "--trimestres=deux"])
def test_tailles_invalides(option):
    with pytest.raises(CommandError):
        call_command("generer_donnees_echelle", option, stdout=StringIO())
    assert not Quartier.objects.exists()
