"""Le calendrier des périodes et les rappels de saisie, avec une horloge fixe (`aujourd_hui`).

Le T1 2025 sert de repère avec les réglages par défaut : fin le 31 mars, ouverture le 17 mars
(14 jours avant), échéance le 30 avril (30 jours après), rappels dès le 23 avril (7 jours
avant), fermeture après le 29 juin (60 jours après l'échéance).
"""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from celery.schedules import crontab
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from indicateurs import selectors
from indicateurs.models import (
    Calcul,
    ModeCollecte,
    Periode,
    RappelEnvoye,
    Saisie,
    StatutIndicateur,
    StatutPeriode,
    TypeRappel,
)
from indicateurs.periodes import (
    bornes_du_trimestre,
    envoyer_rappels,
    planifier_periodes,
    trimestre_de,
)
from tests.factories import (
    AffectationFactory,
    IndicateurFactory,
    IndicateurSuiviFactory,
    QuartierFactory,
    UtilisateurFactory,
    periode_du_trimestre,
)

J = datetime.date
ECHEANCE_T1 = J(2025, 4, 30)
SITE = "https://evalpic.exemple.org"


@pytest.fixture(autouse=True)
def reglages(settings):
    settings.EVALPIC_OUVERTURE_JOURS_AVANT_FIN = 14
    settings.EVALPIC_ECHEANCE_JOURS_APRES_FIN = 30
    settings.EVALPIC_FERMETURE_JOURS_APRES_ECHEANCE = 60
    settings.EVALPIC_RAPPEL_JOURS_AVANT_ECHEANCE = 7
    settings.SITE_URL = SITE
    settings.DEFAULT_FROM_EMAIL = "ÉvalPIC <evalpic@exemple.org>"
    return settings


def t1_2025() -> Periode:
    return Periode.objects.get(annee=2025, trimestre=1)


# --- Bornes des trimestres ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("annee", "trimestre", "debut", "fin"),
    [
        (2024, 1, J(2024, 1, 1), J(2024, 3, 31)),
        (2024, 2, J(2024, 4, 1), J(2024, 6, 30)),
        (2024, 3, J(2024, 7, 1), J(2024, 9, 30)),
        (2024, 4, J(2024, 10, 1), J(2024, 12, 31)),
    ],
)
def test_bornes_du_trimestre(annee, trimestre, debut, fin):
    assert bornes_du_trimestre(annee, trimestre) == (debut, fin)


@pytest.mark.parametrize("trimestre", [0, 5])
def test_un_trimestre_hors_de_1_a_4_est_refuse(trimestre):
    with pytest.raises(ValueError):
        bornes_du_trimestre(2025, trimestre)


@pytest.mark.parametrize(
    ("jour", "attendu"),
    [
        (J(2025, 1, 1), (2025, 1)),
        (J(2025, 3, 31), (2025, 1)),
        (J(2025, 4, 1), (2025, 2)),
        (J(2025, 9, 30), (2025, 3)),
        (J(2025, 12, 31), (2025, 4)),
    ],
)
def test_trimestre_de(jour, attendu):
    assert trimestre_de(jour) == attendu


# --- Planification des périodes -----------------------------------------------------------------


@pytest.mark.django_db
def test_planifier_cree_le_trimestre_courant_et_le_precedent():
    changees = planifier_periodes(aujourd_hui=J(2025, 2, 10))

    assert [p.code for p in changees] == ["2024-T4", "2025-T1"]
    t4, t1 = Periode.objects.order_by("annee", "trimestre")
    assert (t4.debut, t4.fin, t4.echeance) == (J(2024, 10, 1), J(2024, 12, 31), J(2025, 1, 30))
    assert t4.statut == StatutPeriode.OUVERTE  # fermera après le 31 mars
    assert (t1.debut, t1.fin, t1.echeance) == (J(2025, 1, 1), J(2025, 3, 31), ECHEANCE_T1)
    assert t1.statut == StatutPeriode.A_VENIR


@pytest.mark.django_db
def test_planifier_le_premier_trimestre_cree_le_quatrieme_de_l_annee_d_avant():
    planifier_periodes(aujourd_hui=J(2026, 1, 5))

    assert set(Periode.objects.values_list("annee", "trimestre")) == {(2025, 4), (2026, 1)}


@pytest.mark.django_db
def test_l_echeance_suit_le_reglage(reglages):
    reglages.EVALPIC_ECHEANCE_JOURS_APRES_FIN = 45

    planifier_periodes(aujourd_hui=J(2025, 2, 10))

    assert t1_2025().echeance == J(2025, 3, 31) + datetime.timedelta(days=45)


@pytest.mark.django_db
def test_le_statut_suit_le_calendrier_jour_apres_jour():
    # (jour, statut attendu du T1 2025, le T1 a-t-il changé ce jour-là ?)
    calendrier = [
        (J(2025, 3, 16), StatutPeriode.A_VENIR, True),  # créé ce jour-là
        (J(2025, 3, 17), StatutPeriode.OUVERTE, True),
        (J(2025, 3, 18), StatutPeriode.OUVERTE, False),
        (J(2025, 4, 30), StatutPeriode.OUVERTE, False),
        (J(2025, 6, 29), StatutPeriode.OUVERTE, False),
        (J(2025, 6, 30), StatutPeriode.FERMEE, True),
        (J(2025, 7, 1), StatutPeriode.FERMEE, False),
    ]
    for jour, statut, change in calendrier:
        changees = planifier_periodes(aujourd_hui=jour)

        assert t1_2025().statut == statut, jour
        assert ("2025-T1" in [p.code for p in changees]) is change, jour


OUVERTURE = "EVALPIC_OUVERTURE_JOURS_AVANT_FIN"
FERMETURE = "EVALPIC_FERMETURE_JOURS_APRES_ECHEANCE"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("reglage", "valeur", "jour_j", "avant", "apres"),
    [
        (OUVERTURE, 0, J(2025, 3, 31), "a_venir", "ouverte"),
        (OUVERTURE, 30, J(2025, 3, 1), "a_venir", "ouverte"),
        (FERMETURE, 0, J(2025, 5, 1), "ouverte", "fermee"),
        (FERMETURE, 10, J(2025, 5, 11), "ouverte", "fermee"),
    ],
)
def test_les_bornes_du_calendrier_se_reglent(reglages, reglage, valeur, jour_j, avant, apres):
    setattr(reglages, reglage, valeur)

    planifier_periodes(aujourd_hui=jour_j - datetime.timedelta(days=1))
    assert t1_2025().statut == avant
    planifier_periodes(aujourd_hui=jour_j)
    assert t1_2025().statut == apres


@pytest.mark.django_db
def test_planifier_deux_fois_le_meme_jour_ne_change_rien_la_seconde_fois():
    planifier_periodes(aujourd_hui=J(2025, 3, 17))
    avant = list(Periode.objects.values_list("annee", "trimestre", "statut", "echeance"))

    with CaptureQueriesContext(connection) as requetes:
        changees = planifier_periodes(aujourd_hui=J(2025, 3, 17))

    assert changees == []
    assert list(Periode.objects.values_list("annee", "trimestre", "statut", "echeance")) == avant
    assert not [q for q in requetes.captured_queries if q["sql"].startswith(("INSERT", "UPDATE"))]


@pytest.mark.django_db
def test_planifier_aligne_aussi_les_periodes_anciennes():
    ancienne = periode_du_trimestre(2023, 2, statut=StatutPeriode.OUVERTE)
    deja_fermee = periode_du_trimestre(2023, 3, statut=StatutPeriode.FERMEE)

    changees = planifier_periodes(aujourd_hui=J(2025, 2, 10))

    ancienne.refresh_from_db()
    assert ancienne.statut == StatutPeriode.FERMEE
    assert ancienne in changees
    assert deja_fermee not in changees


@pytest.mark.django_db
def test_une_echeance_repoussee_dans_l_admin_garde_la_periode_ouverte():
    periode = periode_du_trimestre(2025, 1, statut=StatutPeriode.OUVERTE)
    periode.echeance = J(2025, 6, 30)  # fermeture repoussée au 29 août
    periode.save()

    planifier_periodes(aujourd_hui=J(2025, 8, 29))
    assert t1_2025().statut == StatutPeriode.OUVERTE
    planifier_periodes(aujourd_hui=J(2025, 8, 30))
    assert t1_2025().statut == StatutPeriode.FERMEE


# --- Rappels ------------------------------------------------------------------------------------


@pytest.fixture
def periode(quartier_a, quartier_b):
    """Le T1 2025 ouvert, où les quartiers A et B ont chacun un indicateur à saisir (une table
    qui n'a rien à saisir ne reçoit pas de rappel)."""
    for quartier in (quartier_a, quartier_b):
        IndicateurSuiviFactory(quartier=quartier)
    return periode_du_trimestre(2025, 1, statut=StatutPeriode.OUVERTE)


@pytest.fixture
def b_a_soumis(periode, quartier_b):
    """Le quartier B a remis sa saisie : seule la coordination de A reste à rappeler."""
    return Saisie.objects.create(table=quartier_b.table, periode=periode, statut="soumise")


def destinataires(boite) -> list[str]:
    return sorted(adresse for courriel in boite for adresse in courriel.to)


def test_sept_jours_avant_l_echeance_seule_alice_recoit_un_rappel(personas, b_a_soumis, mailoutbox):
    envoyes = envoyer_rappels(aujourd_hui=ECHEANCE_T1 - datetime.timedelta(days=7))

    assert envoyes == 1
    assert destinataires(mailoutbox) == ["alice@exemple.org"]
    rappel = RappelEnvoye.objects.get()
    assert (rappel.destinataire, rappel.type_rappel) == (personas["alice"], TypeRappel.AVANT)
    assert rappel.table == personas["alice"].affectations.get().quartier.table


def test_charlie_recoit_le_rappel_de_son_quartier_et_jamais_celui_de_a(
    personas, periode, mailoutbox
):
    envoyer_rappels(aujourd_hui=J(2025, 4, 25))

    assert destinataires(mailoutbox) == ["alice@exemple.org", "charlie@exemple.org"]
    pour_charlie = next(c for c in mailoutbox if c.to == ["charlie@exemple.org"])
    assert "Quartier B" in pour_charlie.subject
    assert "/quartiers/quartier-b/saisies/2025-T1/" in pour_charlie.body
    assert "quartier-a" not in pour_charlie.body


def test_huit_jours_avant_l_echeance_aucun_rappel(personas, periode, mailoutbox):
    assert envoyer_rappels(aujourd_hui=ECHEANCE_T1 - datetime.timedelta(days=8)) == 0
    assert mailoutbox == []
    assert not RappelEnvoye.objects.exists()


def test_le_jour_de_l_echeance_le_rappel_est_encore_avant(alice, periode, mailoutbox):
    envoyer_rappels(aujourd_hui=ECHEANCE_T1)

    assert RappelEnvoye.objects.get().type_rappel == TypeRappel.AVANT


def test_le_rappel_avant_part_une_seule_fois(alice, periode, mailoutbox):
    premier = envoyer_rappels(aujourd_hui=J(2025, 4, 23))
    meme_jour = envoyer_rappels(aujourd_hui=J(2025, 4, 23))
    lendemain = envoyer_rappels(aujourd_hui=J(2025, 4, 24))
    echeance = envoyer_rappels(aujourd_hui=ECHEANCE_T1)

    assert (premier, meme_jour, lendemain, echeance) == (1, 0, 0, 0)
    assert len(mailoutbox) == 1


def test_apres_l_echeance_le_rappel_de_retard_part_une_seule_fois(alice, periode, mailoutbox):
    envoyer_rappels(aujourd_hui=J(2025, 4, 23))  # le rappel d'avant
    retard = [envoyer_rappels(aujourd_hui=J(2025, 5, jour)) for jour in (1, 1, 2, 20)]

    assert retard == [1, 0, 0, 0]
    assert [c.subject.split(" :")[0] for c in mailoutbox] == ["Rappel", "En retard"]
    assert sorted(RappelEnvoye.objects.values_list("type_rappel", flat=True)) == [
        TypeRappel.AVANT,
        TypeRappel.RETARD,
    ]


def test_le_retard_part_meme_sans_rappel_d_avant(alice, periode, mailoutbox):
    assert envoyer_rappels(aujourd_hui=J(2025, 6, 1)) == 1
    assert RappelEnvoye.objects.get().type_rappel == TypeRappel.RETARD
    assert "2025-T1" in mailoutbox[0].body


@pytest.mark.parametrize("statut", ["soumise", "validee"])
def test_aucun_rappel_quand_la_saisie_est_remise(alice, periode, quartier_a, mailoutbox, statut):
    Saisie.objects.create(table=quartier_a.table, periode=periode, statut=statut)

    assert envoyer_rappels(aujourd_hui=J(2025, 4, 23)) == 0
    assert envoyer_rappels(aujourd_hui=J(2025, 5, 2)) == 0
    assert mailoutbox == []


@pytest.mark.parametrize(
    ("statut", "motif"), [("brouillon", ""), ("renvoyee", "Il manque le nombre de partenaires.")]
)
def test_un_brouillon_ou_une_saisie_renvoyee_recoit_un_rappel(
    alice, periode, quartier_a, mailoutbox, statut, motif
):
    Saisie.objects.create(
        table=quartier_a.table, periode=periode, statut=statut, motif_renvoi=motif
    )

    assert envoyer_rappels(aujourd_hui=J(2025, 5, 2)) == 1
    (courriel,) = mailoutbox
    # Renvoyée : le rappel redit le renvoi et son motif; jamais soumise : « pas encore ».
    assert ("renvoyée" in courriel.subject) == bool(motif)
    assert ("Elle vous a été renvoyée" in courriel.body) == bool(motif)
    assert ("Elle ne l'est pas encore" in courriel.body) == (not motif)
    if motif:
        assert motif in courriel.body


@pytest.mark.parametrize("statut", [StatutPeriode.A_VENIR, StatutPeriode.FERMEE])
def test_aucun_rappel_pour_une_periode_qui_n_est_pas_ouverte(alice, periode, mailoutbox, statut):
    Periode.objects.filter(pk=periode.pk).update(statut=statut)

    assert envoyer_rappels(aujourd_hui=J(2025, 4, 23)) == 0
    assert envoyer_rappels(aujourd_hui=J(2025, 5, 2)) == 0


@pytest.mark.parametrize(
    ("suivi", "indicateur"),
    [
        pytest.param(None, None, id="aucun-indicateur-suivi"),
        pytest.param({"actif": False}, {}, id="suivi-inactif"),
        pytest.param(
            {}, {"mode": ModeCollecte.CALCULE, "calcul": Calcul.PARTENAIRES_ACTIFS}, id="calcule"
        ),
        pytest.param({}, {"statut": StatutIndicateur.PROPOSE}, id="indicateur-propose"),
    ],
)
def test_aucun_rappel_pour_une_table_qui_n_a_rien_a_saisir(
    alice, charlie, eve, quartier_a, quartier_b, mailoutbox, suivi, indicateur
):
    periode = periode_du_trimestre(2025, 1, statut=StatutPeriode.OUVERTE)
    IndicateurSuiviFactory(quartier=quartier_b)  # B a un indicateur à saisir
    if suivi is not None:  # A suit un indicateur, mais n'a pas à le saisir
        IndicateurSuiviFactory(
            quartier=quartier_a, indicateur=IndicateurFactory(**indicateur), **suivi
        )
    # La même notion que la page de complétude, qui dit « rien à saisir » pour A.
    attendues = {
        ligne.table.quartier: ligne.attendues for ligne in selectors.completude(eve, periode)
    }
    assert (attendues[quartier_a], attendues[quartier_b]) == (0, 1)

    assert envoyer_rappels(aujourd_hui=J(2025, 4, 23)) == 1
    assert envoyer_rappels(aujourd_hui=J(2025, 5, 2)) == 1

    assert destinataires(mailoutbox) == ["charlie@exemple.org"] * 2
    assert not RappelEnvoye.objects.filter(table=quartier_a.table).exists()


def test_aucun_rappel_pour_une_coordination_partie_ou_pas_encore_arrivee(
    periode, quartier_a, mailoutbox
):
    AffectationFactory(quartier=quartier_a, debut=J(2020, 1, 1), fin=J(2025, 4, 1))
    AffectationFactory(quartier=quartier_a, debut=J(2025, 5, 1))

    assert envoyer_rappels(aujourd_hui=J(2025, 4, 23)) == 0


def test_aucun_rappel_pour_un_compte_desactive(alice, periode, mailoutbox):
    alice.is_active = False
    alice.save()

    assert envoyer_rappels(aujourd_hui=J(2025, 4, 23)) == 0


def test_deux_affectations_qui_se_chevauchent_donnent_un_seul_rappel(
    alice, periode, quartier_a, mailoutbox
):
    AffectationFactory(utilisateur=alice, quartier=quartier_a, debut=J(2024, 1, 1))

    assert envoyer_rappels(aujourd_hui=J(2025, 4, 23)) == 1


def test_le_courriel_a_un_sujet_d_une_ligne_un_lien_et_l_expediteur_du_site(
    alice, periode, quartier_a, mailoutbox
):
    quartier_a.nom = "L'Acadie"  # une apostrophe ne doit pas devenir &#x27;
    quartier_a.save()

    envoyer_rappels(aujourd_hui=J(2025, 4, 23))

    (courriel,) = mailoutbox
    assert "\n" not in courriel.subject
    sujet = "Rappel : saisie T1 2025 de L'Acadie à soumettre d'ici le 30 avril 2025"
    assert courriel.subject == sujet
    assert courriel.from_email == "ÉvalPIC <evalpic@exemple.org>"
    assert f"{SITE}/quartiers/quartier-a/saisies/2025-T1/" in courriel.body
    assert "Bonjour Alice," in courriel.body
    assert "L'Acadie" in courriel.body
    assert "&#x27;" not in courriel.body


def test_le_courriel_suit_la_langue_de_la_personne(alice, charlie, periode, mailoutbox):
    alice.langue = "en"
    alice.save()

    envoyer_rappels(aujourd_hui=J(2025, 4, 23))

    pour = {c.to[0]: c for c in mailoutbox}
    anglais, francais = pour["alice@exemple.org"], pour["charlie@exemple.org"]
    # Dates et libellé de période viennent des traductions déjà compilées (Django, ÉvalPIC).
    assert "April 30, 2025" in anglais.body
    assert "Q1 2025" in anglais.subject
    assert "30 avril 2025" in francais.body
    assert "T1 2025" in francais.subject
    assert translation.get_language() == "fr"  # la langue active est rétablie


def test_le_courriel_est_entierement_en_anglais_pour_une_personne_anglophone(
    alice, periode, mailoutbox
):
    alice.langue = "en"
    alice.save()

    envoyer_rappels(aujourd_hui=J(2025, 4, 23))

    (courriel,) = mailoutbox
    texte = courriel.subject + courriel.body  # le lien contient « saisies » : on l'ignore
    for francais in ("Rappel :", "La saisie", "à soumettre", "Bonjour", "Pour ouvrir", "L'équipe"):
        assert francais not in texte


def test_un_envoi_rate_est_retente_au_passage_suivant(alice, periode, mailoutbox):
    with mock.patch("indicateurs.periodes.EmailMessage.send", side_effect=OSError("SMTP")):
        assert envoyer_rappels(aujourd_hui=J(2025, 4, 23)) == 0
    assert not RappelEnvoye.objects.exists()

    assert envoyer_rappels(aujourd_hui=J(2025, 4, 24)) == 1
    assert len(mailoutbox) == 1


def _coordinations(nombre: int, periode: Periode) -> None:
    for rang in range(nombre):
        quartier = QuartierFactory()
        IndicateurSuiviFactory(quartier=quartier)
        AffectationFactory(quartier=quartier, utilisateur=UtilisateurFactory())
        if rang % 2:
            Saisie.objects.create(table=quartier.table, periode=periode, statut="brouillon")


def _requetes_pour(nombre: int, periode: Periode) -> int:
    _coordinations(nombre, periode)
    with CaptureQueriesContext(connection) as requetes:
        envoyes = envoyer_rappels(aujourd_hui=J(2025, 4, 23))
    assert envoyes == nombre  # les tables déjà rappelées ne le sont pas deux fois
    return len(requetes.captured_queries)


def test_le_nombre_de_requetes_ne_depend_pas_du_nombre_de_tables(periode, mailoutbox):
    # périodes; verrou de la période; rappels déjà réservés; coordinations à rappeler (une
    # requête, saisies remises et tables à saisir en sous-requêtes); insertion groupée;
    # savepoints. Puis deux par courriel, la seule part qui croît : le reprendre à son nom et
    # le marquer envoyé aussitôt parti (un worker tué en route n'en renvoie aucun déjà parti).
    petit = _requetes_pour(2, periode)
    grand = _requetes_pour(20, periode)

    assert petit - 2 * 2 == grand - 2 * 20


# --- Tâches et calendrier de Celery beat --------------------------------------------------------


def test_le_calendrier_de_beat_contient_les_deux_taches(settings):
    par_tache = {e["task"]: e["schedule"] for e in settings.CELERY_BEAT_SCHEDULE.values()}

    assert par_tache["indicateurs.planifier_periodes"] == crontab(hour=0, minute=1)
    assert par_tache["indicateurs.envoyer_rappels"] == crontab(hour=8, minute=0)
    assert settings.CELERY_TIMEZONE == "America/Montreal"


def test_les_taches_sont_enregistrees_aupres_de_celery():
    import indicateurs.tasks  # noqa: F401
    from evalpic.celery import app

    assert {"indicateurs.planifier_periodes", "indicateurs.envoyer_rappels"} <= set(app.tasks)
    assert {e["task"] for e in app.conf.beat_schedule.values()} >= {
        "indicateurs.planifier_periodes",
        "indicateurs.envoyer_rappels",
    }


def test_la_tache_des_rappels_appelle_le_service_avec_la_date_du_jour():
    from indicateurs.tasks import envoyer_rappels_task

    with mock.patch("indicateurs.tasks.envoyer_rappels", return_value=3) as service:
        resultat = envoyer_rappels_task.apply()

    assert resultat.get() == 3
    service.assert_called_once_with(aujourd_hui=timezone.localdate())


def test_la_tache_du_calendrier_appelle_le_service_avec_la_date_du_jour():
    from indicateurs.tasks import planifier_periodes_task

    periode = Periode(annee=2025, trimestre=2)
    with mock.patch("indicateurs.tasks.planifier_periodes", return_value=[periode]) as service:
        resultat = planifier_periodes_task.apply()

    assert resultat.get() == ["2025-T2"]
    service.assert_called_once_with(aujourd_hui=timezone.localdate())


@pytest.mark.django_db
def test_la_tache_du_calendrier_cree_les_periodes_du_jour():
    from indicateurs.tasks import planifier_periodes_task

    planifier_periodes_task.apply().get()

    annee, trimestre = trimestre_de(timezone.localdate())
    assert Periode.objects.filter(annee=annee, trimestre=trimestre).exists()
    assert Periode.objects.count() == 2
