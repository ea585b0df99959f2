"""Soumettre un brouillon de stratégie prend son verrou, comme le retrait d'un changement visé :
le dernier changement ne disparaît pas entre la vérification (« au moins un changement visé »)
et la soumission.

Reproduction déterministe, sur de vraies transactions : un premier fil a verrouillé le
brouillon et retiré tous ses changements sans avoir encore validé; le second soumet et attend
sur le verrou (on l'observe dans `pg_stat_activity`); le premier valide. Sur l'ancien code, la
vérification lisait encore les changements (non validés) et la mise à jour attendait puis
passait : un brouillon vide était soumis à l'évaluation."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from indicateurs import services_strategie
from indicateurs.models import ChangementVise, StrategieDeChangement
from tests.test_w1s15_strategie_services import construire
from tests.verrous import attendre_une_ecriture_bloquee


@pytest.mark.django_db(transaction=True)
def test_un_brouillon_vide_ne_se_soumet_pas_pendant_le_retrait_de_ses_changements(
    alice, eve, quartier_a
):
    construire(quartier_a)
    brouillon = services_strategie.preparer_version(utilisateur=eve, quartier=quartier_a)[0]
    lu_avant = StrategieDeChangement.objects.get(pk=brouillon.pk)
    verrouille, valider = threading.Event(), threading.Event()
    resultat: dict = {}

    def retirer_tout() -> None:
        try:
            with transaction.atomic():
                services_strategie._verrouiller(brouillon, eve)
                ChangementVise.objects.filter(strategie=brouillon).delete()
                verrouille.set()
                valider.wait(5)
        finally:
            connection.close()

    def soumettre() -> None:
        try:
            services_strategie.soumettre_brouillon(utilisateur=alice, strategie=lu_avant)
            resultat["soumis"] = True
        except ValidationError as erreur:
            resultat["refus"] = erreur.messages
        finally:
            connection.close()

    premier = threading.Thread(target=retirer_tout)
    premier.start()
    assert verrouille.wait(5)
    second = threading.Thread(target=soumettre)
    second.start()
    assert attendre_une_ecriture_bloquee(), "la soumission devait attendre le verrou du brouillon"
    valider.set()
    premier.join(5)
    second.join(5)

    assert "refus" in resultat, resultat
    apres = StrategieDeChangement.objects.get(pk=brouillon.pk)
    assert apres.soumise_le is None and not apres.changements.exists()
