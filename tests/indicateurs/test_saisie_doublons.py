"""« Enregistrer et soumettre » refusé après l'enregistrement du brouillon : la page dit ce qui
est enregistré (le brouillon et ses apprentissages, pas la soumission) et le formulaire ne
repropose pas les apprentissages déjà écrits, qu'un nouvel envoi écrirait une seconde fois."""

from __future__ import annotations

import pytest
from django.db.models import F
from django.urls import reverse

from indicateurs import services
from indicateurs.models import Apprentissage, Saisie, StatutSaisie

pytestmark = pytest.mark.django_db


@pytest.fixture
def url(quartier_a, periode):
    return reverse("saisie_formulaire", kwargs={"slug": quartier_a.slug, "code": periode.code})


def _envoi_du_navigateur(reponse) -> dict:
    """Ce que le navigateur renverrait du formulaire affiché : chaque champ avec sa valeur."""
    form = reponse.context["form"]
    donnees = {}
    for champ in form:
        valeur = champ.value()
        if valeur in (None, False):
            continue
        donnees[champ.html_name] = "on" if valeur is True else str(valeur)
    return donnees


def _soumission_sans_taux(ind) -> dict:
    return {
        "version": "1",
        f"v{ind['menages'].pk}": "120",
        f"v{ind['taux'].pk}": "",  # manquant : la soumission sera refusée
        f"nd{ind['politique'].pk}": "on",
        f"r{ind['politique'].pk}": "Pas encore adoptée",
        "app_defis": "Un défi important.",
        "action": "soumettre",
    }


def test_soumission_refusee_le_brouillon_est_dit_enregistre_sans_pretendre_le_contraire(
    client, alice, url, indicateurs_a
):
    client.force_login(alice)
    reponse = client.post(url, _soumission_sans_taux(indicateurs_a))
    assert reponse.status_code == 400
    html = reponse.content.decode()
    assert "Le brouillon est enregistré, mais la saisie n'est pas soumise" in html
    assert "rien n'a été enregistré" not in html
    # Le pourquoi est à côté du champ.
    assert reponse.context["form"].errors[f"v{indicateurs_a['taux'].pk}"]
    saisie = Saisie.objects.get()
    assert saisie.statut == StatutSaisie.BROUILLON
    assert reponse.context["form"]["version"].value() == str(saisie.version)


def test_soumission_refusee_les_apprentissages_enregistres_ne_sont_pas_reproposes(
    client, alice, url, indicateurs_a
):
    client.force_login(alice)
    reponse = client.post(url, _soumission_sans_taux(indicateurs_a))
    assert reponse.status_code == 400
    assert Apprentissage.objects.count() == 1
    # Le champ est vide; l'apprentissage paraît dans la liste de ceux du trimestre.
    assert not reponse.context["form"]["app_defis"].value()
    assert [a.texte for a in reponse.context["page"].apprentissages] == ["Un défi important."]
    # Les valeurs, elles, restent (les renvoyer ne change rien).
    assert reponse.context["form"][f"v{indicateurs_a['menages'].pk}"].value() == "120"

    # La personne corrige le taux et renvoie le formulaire tel qu'il est affiché.
    donnees = _envoi_du_navigateur(reponse)
    donnees |= {f"v{indicateurs_a['taux'].pk}": "40", "action": "soumettre"}
    assert client.post(url, donnees).status_code == 302
    assert Saisie.objects.get().statut == StatutSaisie.SOUMISE
    textes = list(Apprentissage.objects.values_list("texte_fr", flat=True))
    assert textes == ["Un défi important."]


def test_une_erreur_avant_tout_enregistrement_garde_l_apprentissage_et_le_dit(
    client, alice, url, indicateurs_a
):
    """Contrôle : quand rien n'est écrit, le texte reste dans le champ et la page le dit."""
    client.force_login(alice)
    donnees = _soumission_sans_taux(indicateurs_a) | {f"v{indicateurs_a['menages'].pk}": "abc"}
    reponse = client.post(url, donnees)
    assert reponse.status_code == 400
    assert not Saisie.objects.exists() and not Apprentissage.objects.exists()
    assert reponse.context["form"]["app_defis"].value() == "Un défi important."
    assert "rien n'a été enregistré" in reponse.content.decode()


def test_une_ecriture_entre_l_enregistrement_et_la_soumission_repond_409(
    client, alice, url, indicateurs_a, monkeypatch
):
    """Quelqu'un écrit entre les deux étapes : le brouillon est enregistré, la soumission est
    refusée (409), et la page ne repropose pas les apprentissages écrits."""
    soumettre = services.soumettre_saisie

    def apres_une_autre_ecriture(*, saisie, auteur, version):
        Saisie.objects.filter(pk=saisie.pk).update(version=F("version") + 1)
        return soumettre(saisie=saisie, auteur=auteur, version=version)

    monkeypatch.setattr(services, "soumettre_saisie", apres_une_autre_ecriture)
    client.force_login(alice)
    donnees = _soumission_sans_taux(indicateurs_a) | {f"v{indicateurs_a['taux'].pk}": "40"}
    reponse = client.post(url, donnees)
    assert reponse.status_code == 409
    assert Saisie.objects.get().statut == StatutSaisie.BROUILLON
    assert Apprentissage.objects.count() == 1
    assert not reponse.context["form"]["app_defis"].value()
    html = reponse.content.decode()
    assert "Le brouillon est enregistré, mais la saisie n'est pas soumise" in html
    assert "pendant que vous la remplissiez" in html
