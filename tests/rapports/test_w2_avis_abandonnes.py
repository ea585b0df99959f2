"""Un avis « bilan prêt » auquel on renonce reste sur sa ligne, marqué abandonné avec sa raison
(`abandonne_le`, `raison_abandon`) : deux jours sans pouvoir partir, ou une personne qui ne peut
plus lire le bilan (compte désactivé, plus d'accès). Avant, il était effacé et seul le journal
en gardait une trace. L'administration les montre (liste en lecture seule, filtrée par état et
par raison), et le rattrapage ne reprend jamais un avis abandonné."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.core.mail import EmailMessage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from evalpic import reservations
from rapports import avis_bilans
from rapports.avis_bilans import prevenir, reprendre_avis_bilans
from rapports.models import AvisBilanPret, Bilan, Portee, RaisonAbandon, StatutBilan
from tests.factories import QuartierFactory, UtilisateurFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def reglages(settings):
    settings.EVALPIC_RAPPEL_DELAI_REPRISE = 600  # dix minutes


def _bilan(quartier, demande_par) -> Bilan:
    return Bilan.objects.create(
        portee=Portee.QUARTIER,
        quartier=quartier,
        annee=2024,
        trimestre=4,
        statut=StatutBilan.PRET,
        demande_par=demande_par,
    )


def _rate(bilan) -> AvisBilanPret:
    with mock.patch.object(EmailMessage, "send", side_effect=OSError("SMTP injoignable")):
        assert prevenir(bilan) == 0
    return AvisBilanPret.objects.get(bilan=bilan)


def _vieillir(minutes: int, **autres) -> None:
    AvisBilanPret.objects.update(
        created_at=timezone.now() - datetime.timedelta(minutes=minutes), **autres
    )


def _deux_jours_plus_tard() -> None:
    _vieillir(11, premier_essai_le=timezone.now() - datetime.timedelta(days=2, minutes=1))


def test_deux_jours_sans_partir_l_avis_est_marque_abandonne_et_jamais_repris(
    alice, quartier_a, mailoutbox
):
    avis = _rate(_bilan(quartier_a, alice))
    _deux_jours_plus_tard()
    avant = timezone.now()

    assert reprendre_avis_bilans() == 0

    avis.refresh_from_db()
    assert avis.abandonne_le is not None and avis.abandonne_le >= avant
    assert avis.raison_abandon == RaisonAbandon.DELAI
    assert avis.get_raison_abandon_display() == "jamais parti en deux jours d'essais"
    assert avis.envoye_le is None
    # Même réservé il y a longtemps et avec un premier essai récent, il n'est plus repris.
    _vieillir(60 * 24, premier_essai_le=timezone.now())
    assert reprendre_avis_bilans() == 0
    assert prevenir(avis.bilan) == 0  # ni réservé de nouveau
    assert not mailoutbox
    avis.refresh_from_db()
    assert (avis.raison_abandon, avis.envoye_le) == (RaisonAbandon.DELAI, None)


def test_plus_d_acces_l_avis_est_marque_abandonne_avec_sa_raison(alice, quartier_a, mailoutbox):
    affectation = alice.affectations.get()
    avis = _rate(_bilan(quartier_a, alice))
    alice.affectations.update(fin=timezone.localdate() - datetime.timedelta(days=1))
    _vieillir(11)

    assert reprendre_avis_bilans() == 0

    avis.refresh_from_db()
    assert avis.raison_abandon == RaisonAbandon.PLUS_D_ACCES
    assert avis.abandonne_le is not None and avis.envoye_le is None
    # Son accès rendu, l'avis abandonné ne repart pas pour autant.
    alice.affectations.filter(pk=affectation.pk).update(fin=None)
    _vieillir(60)
    assert reprendre_avis_bilans() == 0
    assert not mailoutbox


def test_compte_desactive_l_avis_est_marque_abandonne_avec_sa_raison(alice, quartier_a):
    (avis,) = avis_bilans.reserver_avis(_bilan(quartier_a, alice))
    alice.is_active = False
    alice.save()

    assert avis_bilans._expedier(avis) == 0

    avis.refresh_from_db()
    assert avis.raison_abandon == RaisonAbandon.COMPTE_DESACTIVE
    assert avis.get_raison_abandon_display() == "compte désactivé"


def test_un_rattrapage_qui_l_a_lu_avant_l_abandon_ne_le_reprend_pas(alice, quartier_a, mailoutbox):
    """L'abandon pose sa marque : une exécution qui avait lu l'avis avant lui ne peut plus le
    reprendre (reprise conditionnelle) ni le prendre."""
    _rate(_bilan(quartier_a, alice))
    _deux_jours_plus_tard()
    lu_avant = AvisBilanPret.objects.select_related("bilan", "destinataire").get()
    limite = reservations.limite_de_reprise()

    assert reprendre_avis_bilans() == 0  # un autre rattrapage y renonce

    assert reservations.reprendre(AvisBilanPret, {lu_avant.pk: lu_avant}, limite) == []
    assert avis_bilans._expedier(lu_avant) == 0
    assert not mailoutbox


def test_le_rattrapage_ignore_les_abandonnes_en_une_requete(alice, quartier_a, mailoutbox):
    _rate(_bilan(quartier_a, alice))
    _deux_jours_plus_tard()
    reprendre_avis_bilans()
    _vieillir(60 * 24)

    with CaptureQueriesContext(connection) as requetes:
        assert reprendre_avis_bilans() == 0
    assert len(requetes) == 1
    assert "abandonne_le" in requetes[0]["sql"]


# --- Administration ----------------------------------------------------------------------------


def _avis_de_chaque_sorte(quartier) -> dict[str, AvisBilanPret]:
    maintenant = timezone.now()

    def avis(**champs) -> AvisBilanPret:
        personne = UtilisateurFactory()
        return AvisBilanPret.objects.create(
            bilan=_bilan(quartier, personne), destinataire=personne, **champs
        )

    return {
        "envoye": avis(envoye_le=maintenant),
        "en_attente": avis(),
        "delai": avis(abandonne_le=maintenant, raison_abandon=RaisonAbandon.DELAI),
        "acces": avis(abandonne_le=maintenant, raison_abandon=RaisonAbandon.PLUS_D_ACCES),
    }


def _lignes(reponse) -> set[int]:
    return {avis.pk for avis in reponse.context["cl"].result_list}


def test_l_admin_liste_les_avis_filtres_par_etat_et_par_raison(client, ada, quartier_a):
    avis = _avis_de_chaque_sorte(quartier_a)
    client.force_login(ada)
    adresse = reverse("admin:rapports_avisbilanpret_changelist")

    reponse = client.get(adresse)
    assert reponse.status_code == 200
    assert _lignes(reponse) == {a.pk for a in avis.values()}
    assert "jamais parti en deux jours d&#x27;essais" in reponse.content.decode()
    assert _lignes(client.get(adresse, {"etat": "abandonne"})) == {
        avis["delai"].pk,
        avis["acces"].pk,
    }
    assert _lignes(client.get(adresse, {"etat": "en_attente"})) == {avis["en_attente"].pk}
    assert _lignes(client.get(adresse, {"etat": "envoye"})) == {avis["envoye"].pk}
    assert _lignes(client.get(adresse, {"raison_abandon__exact": "plus_d_acces"})) == {
        avis["acces"].pk
    }


def test_l_admin_des_avis_est_en_lecture_seule(client, ada, quartier_a):
    avis = _avis_de_chaque_sorte(quartier_a)["delai"]
    client.force_login(ada)
    fiche = client.get(reverse("admin:rapports_avisbilanpret_change", args=[avis.pk]))
    assert fiche.status_code == 200
    assert 'name="_save"' not in fiche.content.decode()
    assert client.get(reverse("admin:rapports_avisbilanpret_add")).status_code == 403
    supprimer = reverse("admin:rapports_avisbilanpret_delete", args=[avis.pk])
    assert client.post(supprimer, {"post": "yes"}).status_code == 403
    assert AvisBilanPret.objects.filter(pk=avis.pk).exists()


def test_la_liste_des_avis_coute_autant_de_requetes_avec_plus_de_lignes(client, ada):
    client.force_login(ada)
    adresse = reverse("admin:rapports_avisbilanpret_changelist")

    def requetes() -> int:
        client.get(adresse)
        with CaptureQueriesContext(connection) as capture:
            assert client.get(adresse).status_code == 200
        return len(capture)

    _avis_de_chaque_sorte(QuartierFactory())
    peu = requetes()
    for _rang in range(4):
        _avis_de_chaque_sorte(QuartierFactory())
    assert requetes() == peu
