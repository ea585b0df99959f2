"""La démonstration se lit comme un vrai quartier (revue du domaine, session 14) :

1. le changement sur les personnes (C3) de chaque stratégie se mesure par des indicateurs de son
   thème : plus la « participation des parents à la vie scolaire » pour des locataires ou des
   personnes nouvellement arrivées, et le catalogue sert (`cond-menages-accompagnes-logement`);
   ses actions aussi suivent son thème;
2. la raison d'un « non disponible » va avec la source de la donnée : plus de « questionnaire
   reporté faute de répondant·es » pour un montant attendu des bailleurs;
3. les acteurs d'influence sont les bailleurs, la recherche et la direction de l'arrondissement
   (DOMAIN.md : extérieurs au quartier), sans tirage au sort, et certains repartent : leur
   nombre peut baisser d'un trimestre à l'autre."""

from __future__ import annotations

import datetime

import pytest

from indicateurs.calculs import indicateurs_calcules
from indicateurs.models import (
    Action,
    Calcul,
    Indicateur,
    IndicateurSuivi,
    ModeCollecte,
    Periode,
    StrategieDeChangement,
    Unite,
    Valeur,
)
from quartiers.demo import charger_demo
from quartiers.demo_commun import PROFILS
from quartiers.demo_registre import planifier_partenaires
from quartiers.models import NiveauSoutien, Partenaire, Participation, Quartier

pytestmark = pytest.mark.django_db

JOUR = datetime.date(2026, 8, 20)
GENERIQUE = "inclusion"  # les personnes rejointes, le leadership : un marqueur de tout thème


@pytest.fixture
def demo(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return charger_demo(aujourd_hui=JOUR)


def _c3(quartier: Quartier, version: int = 2):
    strategie = StrategieDeChangement.objects.get(quartier=quartier, version=version)
    return strategie.changements.select_related("theme").get(code="C3")


# --- 1. Les marqueurs du changement sur les personnes -------------------------------------------


def test_le_changement_sur_les_personnes_se_mesure_selon_son_theme(demo):
    for quartier in Quartier.objects.filter(niveau_soutien=NiveauSoutien.INTENSIF):
        for version in (1, 2):
            c3 = _c3(quartier, version)
            themes = {i.theme and i.theme.code for i in c3.indicateurs.select_related("theme")}
            assert c3.theme.code in themes, (quartier.nom, c3.libelle, themes)
            assert themes <= {c3.theme.code, GENERIQUE}, (quartier.nom, c3.libelle, themes)


def test_chaque_c3_a_ses_marqueurs(demo):
    attendus = {
        "centre-sud": {"pers-personnes-rejointes", "cond-semis-distribues"},
        "cote-des-neiges": {"pers-personnes-rejointes", "cond-menages-accompagnes-logement"},
        "parc-extension": {"pers-personnes-rejointes", "pers-leadership-citoyen"},
        "saint-leonard": {"pers-participation-parents", "pers-personnes-rejointes"},
        "saint-michel": {"pers-participation-parents", "pers-personnes-rejointes"},
    }
    for slug, codes in attendus.items():
        c3 = _c3(Quartier.objects.get(slug=slug))
        assert set(c3.indicateurs.values_list("code", flat=True)) == codes, slug
    # la vie scolaire ne mesure que les changements sur la réussite éducative
    parents = Indicateur.objects.get(code="pers-participation-parents")
    assert set(parents.changements.values_list("theme__code", flat=True)) == {
        "reussite-educative-emploi"
    }


def test_les_actions_du_changement_sur_les_personnes_suivent_son_theme(demo):
    """Le graphe de la théorie nomme les actions de chaque changement : plus de « rentrée
    scolaire » ni de « halte-garderie » pour des locataires ou des personnes nouvellement
    arrivées."""
    for quartier in Quartier.objects.filter(niveau_soutien=NiveauSoutien.INTENSIF):
        titres = list(
            Action.objects.filter(quartier=quartier, changements__code="C3").values_list(
                "titre", flat=True
            )
        )
        if _c3(quartier).theme.code != "reussite-educative-emploi":
            assert not [t for t in titres if "scolaire" in t or "garderie" in t], quartier.nom
    locataires = Action.objects.filter(quartier__slug="cote-des-neiges", changements__code="C3")
    assert locataires.exists()
    assert all("locataires" in titre for titre in locataires.values_list("titre", flat=True))


def test_chaque_marqueur_saisi_d_une_strategie_est_suivi_et_mesure(demo):
    """Pas de changement « non mesuré » dans la démonstration : chaque indicateur saisi d'un
    changement visé est suivi par son quartier et a des valeurs."""
    for strategie in StrategieDeChangement.objects.select_related("quartier"):
        for changement in strategie.changements.prefetch_related("indicateurs"):
            for indicateur in changement.indicateurs.all():
                if indicateur.mode != ModeCollecte.SAISI:
                    continue
                contexte = (strategie.quartier.nom, changement.code, indicateur.code)
                assert IndicateurSuivi.objects.filter(
                    quartier=strategie.quartier, indicateur=indicateur, actif=True
                ).exists(), contexte
                assert Valeur.objects.filter(
                    saisie__table__quartier=strategie.quartier, indicateur=indicateur
                ).exists(), contexte


def test_les_series_de_saint_michel_restent_celles_de_l_exemple_du_readme(demo):
    """L'exemple de l'API du README écrit toutes les valeurs de Saint-Michel d'un coup."""
    suivis = IndicateurSuivi.objects.filter(
        quartier__slug="saint-michel", indicateur__mode=ModeCollecte.SAISI
    )
    assert set(suivis.values_list("indicateur__code", flat=True)) == {
        "cond-menages-securite-alimentaire",
        "cond-signalements-incivilites",
        "pers-participation-parents",
        "pers-personnes-rejointes",
        "proc-benevoles",
        "proc-qualite-concertation",
        "sys-financement-mobilise",
        "sys-politique-municipale",
    }


# --- 2. Les raisons de « non disponible » -------------------------------------------------------


def _attendu(indicateur: Indicateur) -> tuple[str, ...]:
    """Les mots dont l'un doit figurer dans la raison, selon la source et l'unité au catalogue."""
    source = indicateur.source.lower()
    if indicateur.unite == Unite.DOLLARS:
        return ("bailleur",)
    if indicateur.unite == Unite.ECHELLE or "questionnaire" in source:
        return ("questionnaire",)
    if "arrondissement" in source:
        return ("arrondissement", "administration")
    if "école" in source:
        return ("école",)
    if "organisme" in source:
        return ("partenaire",)
    return ("table",)  # le registre de la table


def test_la_raison_d_un_non_disponible_va_avec_la_source(demo):
    non_disponibles = list(
        Valeur.objects.filter(non_disponible=True).select_related(
            "indicateur", "saisie__table__quartier", "saisie__periode"
        )
    )
    assert len(non_disponibles) >= 10
    assert len({v.indicateur.code for v in non_disponibles}) >= 5
    for valeur in non_disponibles:
        raison, indicateur = valeur.raison_non_disponible.lower(), valeur.indicateur
        contexte = (valeur.saisie.table.quartier.slug, valeur.saisie.periode.code, indicateur.code)
        assert any(mot in raison for mot in _attendu(indicateur)), (*contexte, raison)
        sondage = indicateur.unite == Unite.ECHELLE or "questionnaire" in indicateur.source.lower()
        assert ("questionnaire" in raison) == sondage, (*contexte, raison)


def test_saint_michel_2025_t4_le_financement_attend_les_bailleurs(demo):
    """Le cas de la revue : un montant dont la source est les bailleurs de fonds."""
    valeur = Valeur.objects.get(
        saisie__table__quartier__slug="saint-michel",
        saisie__periode=Periode.objects.get(annee=2025, trimestre=4),
        indicateur__code="sys-financement-mobilise",
    )
    assert valeur.non_disponible
    assert "bailleur" in valeur.raison_non_disponible
    assert "Questionnaire" not in valeur.raison_non_disponible


def test_la_provenance_de_chaque_indicateur_saisi_du_catalogue(demo):
    from quartiers.demo_saisies import RAISONS_PAR_PROVENANCE, provenance

    attendues = {
        "proc-qualite-concertation": "questionnaire",
        "proc-residents-instances": "registre",
        "proc-benevoles": "organismes",
        "proc-capacite-planifier-evaluer": "questionnaire",
        "pers-taux-diplomation": "administration",
        "pers-participation-parents": "ecoles",
        "pers-leadership-citoyen": "registre",
        "pers-personnes-rejointes": "organismes",
        "pers-jeunes-accompagnes-emploi": "organismes",
        "cond-menages-securite-alimentaire": "organismes",
        "cond-semis-distribues": "organismes",
        "cond-logements-sociaux": "administration",
        "cond-menages-accompagnes-logement": "organismes",
        "cond-menages-faible-revenu": "administration",
        "cond-signalements-incivilites": "administration",
        "cond-superficie-lieux-communautaires": "registre",
        "sys-collaboration-ecole-communaute": "questionnaire",
        "sys-financement-mobilise": "bailleurs",
        "sys-politique-municipale": "administration",
        "sys-desserte-transport": "administration",
    }
    saisis = Indicateur.objects.filter(mode=ModeCollecte.SAISI)
    assert {i.code: provenance(i) for i in saisis} == attendues
    assert set(attendues.values()) == set(RAISONS_PAR_PROVENANCE)


# --- 3. Les acteurs d'influence -----------------------------------------------------------------


def test_les_acteurs_d_influence_sont_bailleurs_chercheurs_ou_decideurs(demo):
    partenaires = list(Partenaire.objects.select_related("secteur"))
    assert partenaires
    for partenaire in partenaires:
        secteur = partenaire.secteur.code
        decideur = partenaire.nom.startswith("Direction de l'arrondissement")
        attendu = secteur in ("philanthropie", "recherche") or decideur
        assert partenaire.acteur_influence == attendu, partenaire.nom
    locaux = Partenaire.objects.filter(
        nom__regex=r"^(Service des loisirs|Bibliothèque de quartier)"
    )
    assert locaux.exists() and not locaux.filter(acteur_influence=True).exists()
    # chaque table compte la direction de son arrondissement, une seule fois
    for quartier in Quartier.objects.filter(niveau_soutien=NiveauSoutien.INTENSIF):
        directions = Participation.objects.filter(
            table__quartier=quartier, partenaire__nom__startswith="Direction de l'arrondissement"
        )
        assert directions.count() == 1, quartier.nom


def test_le_registre_ne_depend_que_du_profil_et_du_jour():
    for profil in PROFILS:
        assert planifier_partenaires(profil, "Q", JOUR) == planifier_partenaires(profil, "Q", JOUR)


def test_des_acteurs_d_influence_repartent_et_leur_nombre_peut_baisser(demo):
    assert Participation.objects.filter(
        partenaire__acteur_influence=True, fin__isnull=False
    ).exists()
    baisses = []
    periodes = list(Periode.objects.filter(fin__lt=JOUR).order_by("debut"))
    for quartier in Quartier.objects.filter(niveau_soutien=NiveauSoutien.INTENSIF):
        serie = [
            indicateurs_calcules(quartier, p.debut, p.fin)[Calcul.ACTEURS_INFLUENCE]
            for p in periodes
        ]
        baisses += [
            (quartier.slug, periodes[i].code)
            for i in range(1, len(serie))
            if serie[i] < serie[i - 1]
        ]
        assert serie[-1] > 0, quartier.slug
    assert baisses  # au moins un quartier, un trimestre


def test_relancer_remet_les_drapeaux_et_les_departs_au_plan(demo):
    """Une démonstration chargée avant la règle (un service local marqué, un départ effacé)
    est remise au plan à l'exécution suivante, sans doublon."""
    loisirs = Partenaire.objects.filter(nom__startswith="Service des loisirs").first()
    parti = Participation.objects.filter(
        partenaire__acteur_influence=True, fin__isnull=False
    ).first()
    fin = parti.fin
    Partenaire.objects.filter(pk=loisirs.pk).update(acteur_influence=True)
    Participation.objects.filter(pk=parti.pk).update(fin=None)
    avant = (Partenaire.objects.count(), Participation.objects.count())

    charger_demo(aujourd_hui=JOUR)

    loisirs.refresh_from_db()
    parti.refresh_from_db()
    assert not loisirs.acteur_influence
    assert parti.fin == fin
    assert (Partenaire.objects.count(), Participation.objects.count()) == avant
