"""« Enregistrer et soumettre » avec une valeur illisible : la page dit aussi, d'un coup, ce qui
refuserait ensuite la soumission (valeur manquante, valeur inhabituelle sans commentaire), au lieu
de le révéler au second envoi. La règle de soumission reste écrite une fois
(`services.manques_des_donnees`), pour le formulaire comme pour le service."""

from __future__ import annotations

import pytest
from django.urls import reverse

from indicateurs.models import Saisie

pytestmark = pytest.mark.django_db

MANQUANTE = "Valeur manquante"


@pytest.fixture
def url(quartier_a, periode):
    return reverse("saisie_formulaire", kwargs={"slug": quartier_a.slug, "code": periode.code})


def _envoyer(client, url, indicateurs_a, action: str):
    menages, taux = indicateurs_a["menages"].pk, indicateurs_a["taux"].pk
    return client.post(
        url, {"version": "1", f"v{taux}": "150", f"v{menages}": "", "action": action}
    ), (menages, taux)


def test_soumettre_avec_une_erreur_montre_aussi_les_manques(client, alice, url, indicateurs_a):
    client.force_login(alice)
    reponse, (menages, taux) = _envoyer(client, url, indicateurs_a, "soumettre")
    assert reponse.status_code == 400
    erreurs = reponse.context["form"].errors
    assert "entre 0 et 100" in erreurs[f"v{taux}"][0]  # la sienne seule, pas « manquante »
    assert len(erreurs[f"v{taux}"]) == 1
    assert MANQUANTE in erreurs[f"v{menages}"][0]
    politique = indicateurs_a["politique"].pk
    assert MANQUANTE in erreurs[f"v{politique}"][0]
    assert not Saisie.objects.exists()  # rien d'enregistré


def test_enregistrer_un_brouillon_n_exige_pas_les_valeurs_manquantes(
    client, alice, url, indicateurs_a
):
    client.force_login(alice)
    reponse, (menages, _taux) = _envoyer(client, url, indicateurs_a, "enregistrer")
    assert reponse.status_code == 400
    assert f"v{menages}" not in reponse.context["form"].errors
