"""Les données de démonstration : `manage.py charger_demo`."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db.models import Count

from indicateurs.calculs import indicateurs_calcules
from indicateurs.models import (
    Apprentissage,
    Calcul,
    CategorieApprentissage,
    Cible,
    IndicateurSuivi,
    ModeCollecte,
    Periode,
    Saisie,
    StatutPeriode,
    StatutSaisie,
    StatutStrategie,
    StrategieDeChangement,
    Valeur,
)
from quartiers.demo import charger_demo
from quartiers.models import (
    NiveauSoutien,
    Partenaire,
    Participation,
    Quartier,
    RoleAffectation,
    RoleGlobal,
    Utilisateur,
)

MOT_DE_PASSE = "demo-evalpic-2026"


def effectifs() -> dict[str, int]:
    """Le nombre de lignes de chaque modèle (et table de liaison) des applications du domaine."""
    modeles = [
        modele
        for nom in ("quartiers", "indicateurs")
        for modele in apps.get_app_config(nom).get_models(include_auto_created=True)
    ]
    return {modele._meta.label: modele.objects.count() for modele in modeles}


def annee(a: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(a, 1, 1), datetime.date(a, 12, 31)


@pytest.fixture
def demo(db, settings) -> str:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    sortie = StringIO()
    call_command("charger_demo", stdout=sortie)
    return sortie.getvalue()


@pytest.fixture
def intensifs(demo) -> list[Quartier]:
    return list(Quartier.objects.filter(niveau_soutien=NiveauSoutien.INTENSIF))


def test_un_compte_de_demo_par_role(demo):
    coordination = Utilisateur.objects.get(email="coordination@demo.evalpic.ca")
    conseil = Utilisateur.objects.get(email="conseil@demo.evalpic.ca")
    evaluation = Utilisateur.objects.get(email="evaluation@demo.evalpic.ca")
    admin = Utilisateur.objects.get(email="admin@demo.evalpic.ca")

    affectation = coordination.affectations.get()
    assert (affectation.quartier.slug, affectation.role) == (
        "saint-michel",
        RoleAffectation.COORDONNATEUR,
    )
    assert affectation.debut < datetime.date.today()
    assert set(conseil.affectations.values_list("quartier__slug", "role")) == {
        ("saint-michel", RoleAffectation.CONSEILLER),
        ("parc-extension", RoleAffectation.CONSEILLER),
        ("centre-sud", RoleAffectation.CONSEILLER),
    }
    assert evaluation.role_global == RoleGlobal.EVALUATEUR
    assert not evaluation.affectations.exists()
    assert admin.is_superuser and admin.is_staff and admin.role_global == RoleGlobal.ADMIN
    for utilisateur in (coordination, conseil, evaluation, admin):
        assert utilisateur.check_password(MOT_DE_PASSE)


def test_la_commande_affiche_les_comptes_et_le_mot_de_passe(demo):
    assert MOT_DE_PASSE in demo
    for courriel in ("coordination", "conseil", "evaluation", "admin"):
        assert f"{courriel}@demo.evalpic.ca" in demo
    assert "quartiers : 17" in demo


def test_partenaires_plus_nombreux_et_plus_diversifies_qu_en_2017(intensifs):
    """Depuis 2017, ou depuis la première année du registre pour une table créée plus tard
    (avant son registre, les indicateurs calculés sont inconnus, pas nuls)."""
    derniere = datetime.date.today().year
    for quartier in intensifs:
        debut = Participation.objects.filter(table__quartier=quartier).earliest("debut").debut
        depart = max(2017, debut.year + (debut > datetime.date(debut.year, 1, 1)))
        if depart != 2017:  # la seule table créée après 2017 : 2017 est inconnu, pas nul
            assert None in indicateurs_calcules(quartier, *annee(2017)).values()
        au_depart = indicateurs_calcules(quartier, *annee(depart))
        recemment = indicateurs_calcules(quartier, *annee(derniere))
        for calcul in (
            Calcul.PARTENAIRES_ACTIFS,
            Calcul.SECTEURS_DISTINCTS,
            Calcul.ACTEURS_INFLUENCE,
            Calcul.ACTIONS_PARTICIPATION,
        ):
            assert recemment[calcul] > au_depart[calcul], (quartier.nom, calcul)
        assert recemment[Calcul.DIVERSITE_SHANNON] > au_depart[Calcul.DIVERSITE_SHANNON]
    assert Participation.objects.filter(fin__isnull=False).exists()  # quelques départs


def test_tout_ce_qui_est_invente_est_marque_fictif(intensifs):
    assert Partenaire.objects.filter(donnees_fictives=False).count() == 0
    assert all(p.nom.endswith("(fictif)") for p in Partenaire.objects.all())
    assert not StrategieDeChangement.objects.filter(donnees_fictives=False).exists()
    for apprentissage in Apprentissage.objects.all():
        assert apprentissage.texte_fr.startswith("[Données fictives]")
        assert apprentissage.texte_en.startswith("[Fictional data]")


def test_chaque_quartier_intensif_a_une_strategie_en_vigueur_et_une_archivee(intensifs):
    for quartier in intensifs:
        strategies = {s.version: s for s in quartier.strategies.all()}
        assert strategies[1].statut == StatutStrategie.ARCHIVEE
        v2 = strategies[2]
        assert v2.statut == StatutStrategie.EN_VIGUEUR
        changements = list(v2.changements.prefetch_related("indicateurs"))
        assert 4 <= len(changements) <= 6
        assert {c.horizon for c in changements} == {"court", "moyen", "long"}
        assert all(1 <= len(c.indicateurs.all()) <= 3 for c in changements)
        assert v2.liens.exists()
        assert all(lien.hypothese for lien in v2.liens.all())
        assert quartier.actions.filter(changements__strategie=v2).exists()


def test_des_valeurs_pour_huit_trimestres_ou_plus(intensifs):
    periodes = Periode.objects.order_by("annee", "trimestre")
    assert (periodes[0].annee, periodes[0].trimestre) == (2023, 1)
    # Le calendrier de saisie garde au moins une période ouverte à tout moment.
    assert periodes.filter(statut=StatutPeriode.OUVERTE).exists()
    for periode in periodes:
        assert periode.echeance == periode.fin + datetime.timedelta(days=30)
    avec_valeurs = periodes.filter(saisies__valeurs__isnull=False).distinct()
    assert avec_valeurs.count() >= 8
    for quartier in intensifs:
        assert Saisie.objects.filter(table__quartier=quartier).count() >= 8
        suivis = IndicateurSuivi.objects.filter(quartier=quartier)
        assert suivis.filter(indicateur__mode=ModeCollecte.CALCULE).count() == 5
        assert suivis.filter(indicateur__mode=ModeCollecte.SAISI).count() >= 8
        assert Cible.objects.filter(suivi__quartier=quartier).exists()
    assert not Valeur.objects.filter(indicateur__mode=ModeCollecte.CALCULE).exists()
    assert not IndicateurSuivi.objects.filter(
        valeur_reference__isnull=False, date_reference__isnull=True
    ).exists()


def test_statuts_des_saisies(intensifs):
    assert Saisie.objects.filter(statut=StatutSaisie.VALIDEE).exists()
    assert Saisie.objects.filter(statut=StatutSaisie.SOUMISE).exists()
    renvoyee = Saisie.objects.get(statut=StatutSaisie.RENVOYEE)
    assert renvoyee.motif_renvoi
    non_disponibles = Valeur.objects.filter(non_disponible=True)
    assert non_disponibles.exists()
    assert not non_disponibles.filter(raison_non_disponible="").exists()


def test_apprentissages_dans_les_quatre_categories(intensifs):
    for quartier in intensifs:
        categories = set(quartier.apprentissages.values_list("categorie", flat=True))
        assert categories == set(CategorieApprentissage.values)


def test_seconde_execution_ne_change_pas_les_effectifs(demo, settings):
    avant = effectifs()
    call_command("charger_demo", stdout=StringIO())
    assert effectifs() == avant


@pytest.mark.django_db
def test_les_periodes_suivent_la_date_du_jour(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    charger_demo(aujourd_hui=datetime.date(2025, 5, 10))
    periodes = list(Periode.objects.order_by("annee", "trimestre"))
    assert len(periodes) == 10  # 2023-T1 … 2025-T2
    assert (periodes[-1].annee, periodes[-1].trimestre) == (2025, 2)
    # Le 10 mai 2025 : T2 pas encore ouvert (ouvre 14 jours avant sa fin), T1 ouvert jusqu'au
    # 29 juillet (échéance le 30 avril + 60 jours), le reste fermé.
    assert periodes[-1].statut == StatutPeriode.A_VENIR
    assert periodes[-2].statut == StatutPeriode.OUVERTE
    assert {p.statut for p in periodes[:-2]} == {StatutPeriode.FERMEE}
    assert not Saisie.objects.filter(periode=periodes[-1]).exists()
    # Le trimestre ouvert est à faire pour la coordonnatrice de démonstration (Saint-Michel),
    # soumis ailleurs.
    assert not Saisie.objects.filter(
        periode=periodes[-2], table__quartier__slug="saint-michel"
    ).exists()
    assert Saisie.objects.filter(periode=periodes[-2], statut=StatutSaisie.SOUMISE).exists()
    assert not Participation.objects.filter(debut__gt=datetime.date(2025, 5, 10)).exists()


@pytest.mark.django_db
def test_relancer_plus_tard_complete_sans_dupliquer(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    charger_demo(aujourd_hui=datetime.date(2025, 5, 10))
    t1_2025 = Saisie.objects.filter(periode__annee=2025, periode__trimestre=1)
    assert set(t1_2025.values_list("statut", flat=True)) == {"soumise", "renvoyee"}

    charger_demo(aujourd_hui=datetime.date(2025, 11, 20))

    assert Periode.objects.count() == 12  # 2023-T1 … 2025-T4
    assert set(t1_2025.values_list("statut", flat=True)) == {StatutSaisie.VALIDEE}
    doublons = (
        Participation.objects.values("partenaire", "table").annotate(n=Count("id")).filter(n__gt=1)
    )
    assert not doublons.exists()
    assert Apprentissage.objects.count() == 5 * 8
