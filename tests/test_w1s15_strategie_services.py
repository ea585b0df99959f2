"""Les règles de la stratégie tenue sur le site (indicateurs.services_strategie) : préparer une
version (copie complète et indépendante, un seul brouillon), le modifier (règles des modèles),
l'adopter (archivage, conditionnel, dates), l'abandonner. Sur l'ancien code, le module
n'existe pas : chaque test échoue à l'import."""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from evalpic.dates import dans_n_annees
from indicateurs import services_strategie as services
from indicateurs.models import (
    Action,
    ChangementVise,
    LienDeChangement,
    StatutStrategie,
    StrategieDeChangement,
)
from indicateurs.selectors import strategies_au
from tests.factories import (
    ActionFactory,
    ChangementViseFactory,
    IndicateurFactory,
    StrategieFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db

ADOPTION_V2 = datetime.date(2024, 6, 1)


def construire(quartier, *, changements: int = 3):
    """v1 archivée, v2 en vigueur (adoptée le 1er juin 2024) avec `changements` changements
    visés chaînés par des liens, deux indicateurs chacun, une action en cours qui les sert tous
    et une action terminée qui sert le premier."""
    StrategieFactory(quartier=quartier, version=1, statut="archivee", adoptee_le="2023-01-01")
    v2 = StrategieFactory(
        quartier=quartier,
        version=2,
        titre="Mieux vivre",
        vision="Un quartier solidaire",
        adoptee_le=ADOPTION_V2,
    )
    theme = ThemeFactory()
    liste = []
    for n in range(changements):
        changement = ChangementViseFactory(
            strategie=v2,
            code=f"C{n}",
            libelle=f"Changement {n}",
            description=f"Texte {n}",
            horizon="moyen",
            famille="systeme",
            theme=theme,
            ordre=n,
        )
        changement.indicateurs.add(IndicateurFactory(), IndicateurFactory())
        liste.append(changement)
    for source, cible in itertools.pairwise(liste):
        LienDeChangement.objects.create(
            strategie=v2, source=source, cible=cible, hypothese=f"{source.code} mène à {cible.code}"
        )
    en_cours = ActionFactory(quartier=quartier, titre="Cuisine collective")
    en_cours.changements.add(*liste)
    terminee = ActionFactory(quartier=quartier, titre="Fête 2019", fin=datetime.date(2019, 12, 31))
    terminee.changements.add(liste[0])
    return v2


def _graphe(strategie):
    """Ce qui doit passer d'une version à sa copie, sans les identifiants."""
    changements = [
        (
            c.code,
            c.libelle,
            c.description,
            c.horizon,
            c.famille,
            c.theme_id,
            c.ordre,
            sorted(i.code for i in c.indicateurs.all()),
        )
        for c in strategie.changements.order_by("code")
    ]
    liens = sorted(
        (lien.source.code, lien.cible.code, lien.hypothese) for lien in strategie.liens.all()
    )
    return changements, liens


def test_preparer_copie_la_version_en_vigueur_en_brouillon_n_plus_1(eve, quartier_a):
    v2 = construire(quartier_a)
    brouillon, creee = services.preparer_version(utilisateur=eve, quartier=quartier_a)
    assert creee
    assert (brouillon.version, brouillon.statut) == (3, StatutStrategie.BROUILLON)
    assert (brouillon.titre, brouillon.vision, brouillon.adoptee_le) == (
        "Mieux vivre",
        "Un quartier solidaire",
        None,
    )
    assert _graphe(brouillon) == _graphe(v2)
    # Des copies, pas les mêmes lignes : les liens relient les copies.
    assert not set(brouillon.changements.values_list("pk", flat=True)) & set(
        v2.changements.values_list("pk", flat=True)
    )
    assert all(lien.source.strategie_id == brouillon.pk for lien in brouillon.liens.all())
    v2.refresh_from_db()
    assert (v2.statut, v2.adoptee_le) == (StatutStrategie.EN_VIGUEUR, ADOPTION_V2)


def test_les_actions_en_cours_servent_l_original_et_la_copie(eve, quartier_a):
    v2 = construire(quartier_a)
    brouillon, _creee = services.preparer_version(utilisateur=eve, quartier=quartier_a)
    en_cours = Action.objects.get(titre="Cuisine collective")
    terminee = Action.objects.get(titre="Fête 2019")
    # L'ancienne version garde toutes ses actions (sa théorie du changement, ses bilans).
    assert set(en_cours.changements.filter(strategie=v2).values_list("code", flat=True)) == {
        "C0",
        "C1",
        "C2",
    }
    assert list(terminee.changements.filter(strategie=v2).values_list("code", flat=True)) == ["C0"]
    # La nouvelle : les actions en cours seulement.
    assert set(en_cours.changements.filter(strategie=brouillon).values_list("code", flat=True)) == {
        "C0",
        "C1",
        "C2",
    }
    assert not terminee.changements.filter(strategie=brouillon).exists()


def test_modifier_le_brouillon_ne_touche_pas_la_version_en_vigueur(eve, quartier_a):
    v2 = construire(quartier_a)
    avant = _graphe(v2)
    brouillon, _creee = services.preparer_version(utilisateur=eve, quartier=quartier_a)
    services.modifier_brouillon(utilisateur=eve, strategie=brouillon, titre="Neuf", vision="")
    c0 = brouillon.changements.get(code="C0")
    services.enregistrer_changement(
        utilisateur=eve,
        strategie=brouillon,
        changement=c0,
        code="C0",
        libelle="Autre",
        horizon="court",
        famille="personnes",
        indicateurs=[IndicateurFactory()],
    )
    services.supprimer_changement(utilisateur=eve, changement=brouillon.changements.get(code="C2"))
    services.supprimer_lien(utilisateur=eve, lien=brouillon.liens.first())
    v2.refresh_from_db()
    assert (v2.titre, v2.vision) == ("Mieux vivre", "Un quartier solidaire")
    assert _graphe(v2) == avant
    assert (
        Action.objects.get(titre="Cuisine collective").changements.filter(strategie=v2).count() == 3
    )


def test_un_seul_brouillon_a_la_fois(eve, ada, quartier_a):
    construire(quartier_a)
    premier, creee = services.preparer_version(utilisateur=eve, quartier=quartier_a)
    second, creee_encore = services.preparer_version(utilisateur=ada, quartier=quartier_a)
    assert creee and not creee_encore
    assert second == premier
    assert quartier_a.strategies.filter(statut=StatutStrategie.BROUILLON).count() == 1


def test_sans_aucune_version_une_version_1_vide(eve, quartier_a):
    brouillon, creee = services.preparer_version(utilisateur=eve, quartier=quartier_a)
    assert creee and brouillon.version == 1 and brouillon.statut == StatutStrategie.BROUILLON
    assert brouillon.titre == "Stratégie de changement — Quartier A"
    assert not brouillon.changements.exists()


def test_le_conseil_ne_prepare_pas(bob, quartier_a):
    """Le conseil voit le quartier sans y tenir la stratégie : 403. (La coordination prépare
    celle de son quartier : tests/test_w7s15_strategie_soumise.py.)"""
    with pytest.raises(PermissionDenied):
        services.preparer_version(utilisateur=bob, quartier=quartier_a)
    assert not StrategieDeChangement.objects.exists()


def test_un_autre_quartier_est_introuvable(charlie, quartier_a):
    with pytest.raises(Http404):
        services.preparer_version(utilisateur=charlie, quartier=quartier_a)


# --- Modifier : les règles des modèles, à côté de leur champ ------------------------------------


def _brouillon(eve, quartier):
    construire(quartier)
    return services.preparer_version(utilisateur=eve, quartier=quartier)[0]


def test_le_code_est_unique_dans_la_version(eve, quartier_a):
    brouillon = _brouillon(eve, quartier_a)
    with pytest.raises(ValidationError) as erreur:
        services.enregistrer_changement(
            utilisateur=eve,
            strategie=brouillon,
            code="C1",
            libelle="Doublon",
            horizon="court",
            famille="personnes",
        )
    assert "C1" in erreur.value.message_dict["code"][0]
    assert brouillon.changements.count() == 3


def test_un_changement_mal_rempli_n_est_pas_enregistre(eve, quartier_a):
    brouillon = _brouillon(eve, quartier_a)
    retire = IndicateurFactory(code="vieux", statut="retire")
    with pytest.raises(ValidationError) as erreur:
        services.enregistrer_changement(
            utilisateur=eve,
            strategie=brouillon,
            code="C9",
            libelle="",
            horizon="eternel",
            famille="personnes",
            indicateurs=[retire],
        )
    assert set(erreur.value.message_dict) == {"libelle", "horizon", "indicateurs"}
    assert "vieux" in erreur.value.message_dict["indicateurs"][0]
    assert not brouillon.changements.filter(code="C9").exists()


def test_un_indicateur_retire_deja_nomme_reste_permis(eve, quartier_a):
    brouillon = _brouillon(eve, quartier_a)
    c0 = brouillon.changements.get(code="C0")
    retire = c0.indicateurs.first()
    retire.statut = "retire"
    retire.save()
    services.enregistrer_changement(
        utilisateur=eve,
        strategie=brouillon,
        changement=c0,
        code="C0",
        libelle="Gardé",
        horizon="court",
        famille="personnes",
        indicateurs=[retire],
    )
    assert list(c0.indicateurs.all()) == [retire]


def test_les_liens_refusent_boucle_doublon_et_autre_version(eve, quartier_a):
    brouillon = _brouillon(eve, quartier_a)
    c0, c1 = brouillon.changements.get(code="C0"), brouillon.changements.get(code="C1")
    v2_c2 = ChangementVise.objects.get(strategie__version=2, code="C2")
    cas = {
        "boucle": (c0, c0, "cible", "lui-même"),
        "doublon": (c0, c1, "cible", "existe déjà"),
        "ailleurs": (c0, v2_c2, "cible", "n'appartient pas"),
    }
    for source, cible, champ, texte in cas.values():
        with pytest.raises(ValidationError) as erreur:
            services.ajouter_lien(utilisateur=eve, strategie=brouillon, source=source, cible=cible)
        assert texte in " ".join(erreur.value.message_dict[champ])
    assert brouillon.liens.count() == 2
    lien = services.ajouter_lien(
        utilisateur=eve, strategie=brouillon, source=c1, cible=c0, hypothese="Retour"
    )
    assert (lien.source, lien.cible, lien.hypothese) == (c1, c0, "Retour")


@pytest.mark.parametrize("statut", ["en_vigueur", "archivee"])
def test_une_version_adoptee_ou_archivee_ne_se_modifie_pas(eve, quartier_a, statut):
    v2 = construire(quartier_a)
    version = v2 if statut == "en_vigueur" else quartier_a.strategies.get(version=1)
    changement = ChangementViseFactory(strategie=version) if statut == "archivee" else None
    changement = changement or v2.changements.first()
    essais = [
        lambda: services.modifier_brouillon(
            utilisateur=eve, strategie=version, titre="X", vision=""
        ),
        lambda: services.enregistrer_changement(
            utilisateur=eve,
            strategie=version,
            code="N",
            libelle="N",
            horizon="court",
            famille="personnes",
        ),
        lambda: services.supprimer_changement(utilisateur=eve, changement=changement),
        lambda: services.adopter_brouillon(
            utilisateur=eve, strategie=version, adoptee_le=datetime.date(2025, 1, 1)
        ),
        lambda: services.abandonner_brouillon(utilisateur=eve, strategie=version),
    ]
    for essai in essais:
        with pytest.raises(services.ConflitStrategie):
            essai()
    version.refresh_from_db()
    assert version.statut == statut and version.titre != "X"
    assert ChangementVise.objects.filter(pk=changement.pk).exists()


# --- Adopter, abandonner ------------------------------------------------------------------------


def test_adopter_archive_l_ancienne_version(eve, quartier_a):
    brouillon = _brouillon(eve, quartier_a)
    services.adopter_brouillon(
        utilisateur=eve, strategie=brouillon, adoptee_le=datetime.date(2025, 3, 1)
    )
    statuts = dict(quartier_a.strategies.values_list("version", "statut"))
    assert statuts == {1: "archivee", 2: "archivee", 3: "en_vigueur"}
    brouillon.refresh_from_db()
    assert brouillon.adoptee_le == datetime.date(2025, 3, 1)
    # Les bilans : la fin de 2024 lit toujours la v2, la fin de 2025 la v3.
    assert (
        strategies_au([quartier_a.pk], datetime.date(2024, 12, 31))[quartier_a.pk].retenue.version
        == 2
    )
    assert (
        strategies_au([quartier_a.pk], datetime.date(2025, 12, 31))[quartier_a.pk].retenue.version
        == 3
    )


def test_deux_adoptions_simultanees_une_seule_passe(eve, ada, quartier_a):
    """Deux personnes ont ouvert la page d'adoption : la seconde lit encore un brouillon (son
    instance), la mise en vigueur conditionnelle ne le trouve plus; son archivage est annulé."""
    brouillon = _brouillon(eve, quartier_a)
    vue_par_ada = StrategieDeChangement.objects.get(pk=brouillon.pk)
    services.adopter_brouillon(
        utilisateur=eve, strategie=brouillon, adoptee_le=datetime.date(2025, 3, 1)
    )
    with pytest.raises(services.ConflitStrategie, match="entre-temps"):
        services.adopter_brouillon(
            utilisateur=ada, strategie=vue_par_ada, adoptee_le=datetime.date(2025, 4, 1)
        )
    brouillon.refresh_from_db()
    assert (brouillon.statut, brouillon.adoptee_le) == ("en_vigueur", datetime.date(2025, 3, 1))
    assert quartier_a.strategies.filter(statut="en_vigueur").count() == 1


def test_une_adoption_apres_un_abandon_est_un_conflit(eve, ada, quartier_a):
    brouillon = _brouillon(eve, quartier_a)
    vue_par_ada = StrategieDeChangement.objects.get(pk=brouillon.pk)
    services.abandonner_brouillon(utilisateur=eve, strategie=brouillon)
    with pytest.raises(services.ConflitStrategie):
        services.adopter_brouillon(
            utilisateur=ada, strategie=vue_par_ada, adoptee_le=datetime.date(2025, 4, 1)
        )
    # L'archivage de la v2 a été annulé avec le reste.
    assert quartier_a.strategies.get(version=2).statut == "en_vigueur"


@pytest.mark.parametrize(
    ("jour", "texte"),
    [
        (None, "Indiquez"),
        (datetime.date(1899, 12, 31), ""),
        ("dans_deux_ans", ""),
        (datetime.date(2024, 5, 31), "adoptée le"),
    ],
)
def test_les_dates_d_adoption_refusees(eve, quartier_a, jour, texte):
    brouillon = _brouillon(eve, quartier_a)
    if jour == "dans_deux_ans":
        jour = dans_n_annees(2)
    with pytest.raises(ValidationError) as erreur:
        services.adopter_brouillon(utilisateur=eve, strategie=brouillon, adoptee_le=jour)
    assert texte in erreur.value.message_dict["adoptee_le"][0]
    assert dict(quartier_a.strategies.values_list("version", "statut")) == {
        1: "archivee",
        2: "en_vigueur",
        3: "brouillon",
    }


def test_une_adoption_dans_l_annee_est_permise(eve, quartier_a):
    brouillon = _brouillon(eve, quartier_a)
    services.adopter_brouillon(utilisateur=eve, strategie=brouillon, adoptee_le=dans_n_annees(1))
    assert quartier_a.strategies.get(statut="en_vigueur") == brouillon


def test_un_brouillon_vide_ne_s_adopte_pas(eve, quartier_a):
    brouillon, _creee = services.preparer_version(utilisateur=eve, quartier=quartier_a)
    with pytest.raises(ValidationError, match="aucun changement"):
        services.adopter_brouillon(
            utilisateur=eve, strategie=brouillon, adoptee_le=datetime.date(2025, 1, 1)
        )


def test_adopter_la_premiere_version(eve, quartier_a):
    brouillon, _creee = services.preparer_version(utilisateur=eve, quartier=quartier_a)
    services.enregistrer_changement(
        utilisateur=eve,
        strategie=brouillon,
        code="C1",
        libelle="Un",
        horizon="court",
        famille="personnes",
    )
    services.adopter_brouillon(
        utilisateur=eve, strategie=brouillon, adoptee_le=datetime.date(2025, 1, 1)
    )
    assert quartier_a.strategies.get().statut == "en_vigueur"


def test_abandonner_supprime_le_brouillon_et_ses_copies_seulement(eve, quartier_a):
    v2 = construire(quartier_a)
    avant = _graphe(v2)
    brouillon, _creee = services.preparer_version(utilisateur=eve, quartier=quartier_a)
    services.abandonner_brouillon(utilisateur=eve, strategie=brouillon)
    assert not StrategieDeChangement.objects.filter(pk=brouillon.pk).exists()
    assert dict(quartier_a.strategies.values_list("version", "statut")) == {
        1: "archivee",
        2: "en_vigueur",
    }
    assert _graphe(v2) == avant
    assert ChangementVise.objects.count() == 3 and LienDeChangement.objects.count() == 2
    assert Action.objects.count() == 2
    assert Action.objects.get(titre="Cuisine collective").changements.count() == 3
    # Un nouveau brouillon reprend le numéro 3.
    assert services.preparer_version(utilisateur=eve, quartier=quartier_a)[0].version == 3


def test_preparer_coute_autant_de_requetes_avec_dix_fois_plus(
    eve, quartier_a, quartier_b, django_assert_num_queries
):
    """Requêtes (15) : le point de sauvegarde et sa libération; le droit (le quartier visible,
    deux fois : `exiger_le_droit`), le verrou du quartier, ses versions, la création; la copie :
    changements et leur création, leurs indicateurs et leur création, les liens et leur
    création, les actions en cours et leur création."""
    construire(quartier_a, changements=2)
    construire(quartier_b, changements=20)
    for quartier in (quartier_a, quartier_b):
        with django_assert_num_queries(15):
            services.preparer_version(utilisateur=eve, quartier=quartier)
    assert quartier_b.strategies.get(statut="brouillon").changements.count() == 20
