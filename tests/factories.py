"""Fabriques factory_boy des objets du domaine, et un constructeur d'arbres complets."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from indicateurs.models import (
    Action,
    ChangementVise,
    Famille,
    Indicateur,
    IndicateurSuivi,
    Periode,
    Saisie,
    StatutPeriode,
    StrategieDeChangement,
    Theme,
    Valeur,
)
from quartiers.models import (
    Affectation,
    NiveauSoutien,
    Partenaire,
    Participation,
    Quartier,
    Secteur,
    TableDeQuartier,
    Utilisateur,
)

MOT_DE_PASSE = "mot-de-passe-de-test-1"


class UtilisateurFactory(DjangoModelFactory):
    class Meta:
        model = Utilisateur
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@exemple.org")
    first_name = factory.Faker("first_name", locale="fr_CA")
    last_name = factory.Faker("last_name", locale="fr_CA")
    password = factory.PostGenerationMethodCall("set_password", MOT_DE_PASSE)

    @factory.post_generation
    def enregistrer(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class QuartierFactory(DjangoModelFactory):
    class Meta:
        model = Quartier
        django_get_or_create = ["slug"]
        skip_postgeneration_save = True

    nom = factory.Sequence(lambda n: f"Quartier {n}")
    slug = factory.Sequence(lambda n: f"quartier-{n}")
    niveau_soutien = NiveauSoutien.INTENSIF
    table = factory.RelatedFactory(
        "tests.factories.TableDeQuartierFactory", factory_related_name="quartier"
    )


class TableDeQuartierFactory(DjangoModelFactory):
    class Meta:
        model = TableDeQuartier

    quartier = factory.SubFactory(QuartierFactory, table=None)
    nom = factory.LazyAttribute(lambda o: f"Table de {o.quartier.nom}")


class AffectationFactory(DjangoModelFactory):
    class Meta:
        model = Affectation

    utilisateur = factory.SubFactory(UtilisateurFactory)
    quartier = factory.SubFactory(QuartierFactory)
    role = "coordonnateur"
    debut = datetime.date(2020, 1, 1)


class SecteurFactory(DjangoModelFactory):
    class Meta:
        model = Secteur
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"secteur-{n}")
    nom_fr = factory.LazyAttribute(lambda o: f"Secteur {o.code}")
    nom_en = factory.LazyAttribute(lambda o: f"Sector {o.code}")


class PartenaireFactory(DjangoModelFactory):
    class Meta:
        model = Partenaire

    nom = factory.Sequence(lambda n: f"Organisme {n}")
    secteur = factory.SubFactory(SecteurFactory)


class ParticipationFactory(DjangoModelFactory):
    class Meta:
        model = Participation

    partenaire = factory.SubFactory(PartenaireFactory)
    table = factory.SubFactory(TableDeQuartierFactory)
    debut = datetime.date(2018, 1, 1)


class ThemeFactory(DjangoModelFactory):
    class Meta:
        model = Theme
        django_get_or_create = ["code"]

    code = "alimentation"
    nom_fr = "Alimentation"
    nom_en = "Food"


class IndicateurFactory(DjangoModelFactory):
    class Meta:
        model = Indicateur

    code = factory.Sequence(lambda n: f"ind-{n}")
    nom_fr = factory.LazyAttribute(lambda o: f"Indicateur {o.code}")
    nom_en = factory.LazyAttribute(lambda o: f"Indicator {o.code}")
    definition_fr = "Définition de test."
    definition_en = "Test definition."
    famille = Famille.PROCESSUS
    unite = "nombre"
    agregation = "somme"


class IndicateurSuiviFactory(DjangoModelFactory):
    class Meta:
        model = IndicateurSuivi

    indicateur = factory.SubFactory(IndicateurFactory)
    quartier = factory.SubFactory(QuartierFactory)
    valeur_reference = Decimal("10")
    date_reference = datetime.date(2022, 12, 31)


class StrategieFactory(DjangoModelFactory):
    class Meta:
        model = StrategieDeChangement

    quartier = factory.SubFactory(QuartierFactory)
    version = 1
    titre = "Stratégie de test"
    statut = "en_vigueur"


class ChangementViseFactory(DjangoModelFactory):
    class Meta:
        model = ChangementVise

    strategie = factory.SubFactory(StrategieFactory)
    code = factory.Sequence(lambda n: f"C{n}")
    libelle = factory.Sequence(lambda n: f"Changement visé {n}")
    horizon = "court"
    famille = Famille.PROCESSUS


class ActionFactory(DjangoModelFactory):
    class Meta:
        model = Action

    quartier = factory.SubFactory(QuartierFactory)
    titre = factory.Sequence(lambda n: f"Action {n}")
    type_action = "participation_citoyenne"
    debut = datetime.date(2019, 1, 1)


def periode_du_trimestre(annee: int, trimestre: int, statut=StatutPeriode.FERMEE) -> Periode:
    debut = datetime.date(annee, 3 * trimestre - 2, 1)
    fin_mois = 3 * trimestre
    fin = (
        datetime.date(annee, 12, 31)
        if fin_mois == 12
        else datetime.date(annee, fin_mois + 1, 1) - datetime.timedelta(days=1)
    )
    periode, _ = Periode.objects.get_or_create(
        annee=annee,
        trimestre=trimestre,
        defaults={
            "debut": debut,
            "fin": fin,
            "echeance": fin + datetime.timedelta(days=30),
            "statut": statut,
        },
    )
    return periode


def construire_quartier(
    *, nom: str = "Quartier", indicateurs: int = 3, trimestres: int = 4, partenaires: int = 3
) -> Quartier:
    """Un quartier complet : table, partenaires, stratégie, indicateurs suivis et des valeurs
    validées pour `trimestres` trimestres à partir de 2023."""
    quartier = QuartierFactory(nom=nom, slug=nom.lower().replace(" ", "-"))
    for _ in range(partenaires):
        ParticipationFactory(table=quartier.table)
    changement = ChangementViseFactory(strategie=StrategieFactory(quartier=quartier))
    suivis = [IndicateurSuiviFactory(quartier=quartier) for _ in range(indicateurs)]
    changement.indicateurs.set([s.indicateur for s in suivis])
    for rang in range(trimestres):
        periode = periode_du_trimestre(2023 + rang // 4, rang % 4 + 1)
        saisie = Saisie.objects.create(table=quartier.table, periode=periode, statut="validee")
        Valeur.objects.bulk_create(
            Valeur(saisie=saisie, indicateur=s.indicateur, valeur_numerique=Decimal(rang + 10))
            for s in suivis
        )
    return quartier
