"""Le formulaire de saisie et sa révision, après l'audit d'accessibilité : une décision refusée
(« Renvoyer à la table » sans motif) revient à son alerte (#erreur-revision), qui prend le focus,
au lieu du haut d'une page de plusieurs écrans; les champs de chaque indicateur (« Non
disponible », « Raison », « Commentaire »…, répétés pour chacun) forment un groupe nommé par le
titre de l'indicateur."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from indicateurs.models import Saisie
from tests.html import balises as lire_balises

pytestmark = pytest.mark.django_db


def _soumise(client, alice, indicateurs_a, quartier_a, periode, table_a) -> Saisie:
    client.force_login(alice)
    url = reverse("saisie_formulaire", kwargs={"slug": quartier_a.slug, "code": periode.code})
    donnees = {
        "version": "1",
        f"v{indicateurs_a['menages'].pk}": "120",
        f"v{indicateurs_a['taux'].pk}": "42,5",
        f"v{indicateurs_a['politique'].pk}": "Adoptée",
        "action": "soumettre",
    }
    assert client.post(url, donnees).status_code == 302
    return Saisie.objects.get(table=table_a, periode=periode)


def test_renvoyer_sans_motif_revient_a_l_alerte_de_la_revision(
    client, alice, eve, indicateurs_a, quartier_a, periode, table_a
):
    saisie = _soumise(client, alice, indicateurs_a, quartier_a, periode, table_a)
    revision = reverse("saisie_revision", kwargs={"slug": quartier_a.slug, "code": periode.code})
    client.force_login(eve)
    page = client.get(
        reverse("saisie_formulaire", kwargs={"slug": quartier_a.slug, "code": periode.code})
    ).content.decode()
    (action,) = [
        a["action"]
        for n, a in lire_balises(page)
        if n == "form" and (a.get("action") or "").startswith(revision)
    ]
    # L'ancre désigne l'alerte, qui n'existe que sur la page d'une décision refusée : une
    # décision enregistrée redirige sans ancre, et le navigateur, qui garderait la sienne,
    # ouvre la page en haut, sur le message de réussite.
    assert action == f"{revision}#erreur-revision"
    assert 'id="erreur-revision"' not in page

    reponse = client.post(revision, {"action": "renvoyer", "version": saisie.version, "motif": ""})
    assert reponse.status_code == 400
    contenu = reponse.content.decode()
    (alerte,) = [a for n, a in lire_balises(contenu) if a.get("id") == "erreur-revision"]
    assert alerte.get("role") == "alert" and alerte.get("tabindex") == "-1"
    assert "data-focus-au-chargement" in alerte
    assert re.search(r"<title>Erreur : Saisie trimestrielle", contenu)
    # L'alerte est dans la section de la révision, juste sous son titre.
    section = contenu[contenu.index('id="titre-revision"') :]
    assert section.index('id="erreur-revision"') < section.index("<form")


def test_une_saisie_changee_entre_temps_revient_aussi_a_l_alerte(
    client, alice, eve, indicateurs_a, quartier_a, periode, table_a
):
    saisie = _soumise(client, alice, indicateurs_a, quartier_a, periode, table_a)
    revision = reverse("saisie_revision", kwargs={"slug": quartier_a.slug, "code": periode.code})
    client.force_login(eve)
    reponse = client.post(revision, {"action": "valider", "version": saisie.version - 1})
    assert reponse.status_code == 409
    (alerte,) = [
        a for n, a in lire_balises(reponse.content.decode()) if a.get("id") == "erreur-revision"
    ]
    assert "data-focus-au-chargement" in alerte


def test_une_decision_enregistree_redirige_sans_ancre(
    client, alice, eve, indicateurs_a, quartier_a, periode, table_a
):
    saisie = _soumise(client, alice, indicateurs_a, quartier_a, periode, table_a)
    revision = reverse("saisie_revision", kwargs={"slug": quartier_a.slug, "code": periode.code})
    client.force_login(eve)
    reponse = client.post(revision, {"action": "valider", "version": saisie.version})
    assert reponse.status_code == 302
    assert "#" not in reponse["Location"]


def test_les_champs_de_chaque_indicateur_forment_un_groupe_nomme(
    client, alice, indicateurs_a, quartier_a, periode
):
    client.force_login(alice)
    contenu = client.get(
        reverse("saisie_formulaire", kwargs={"slug": quartier_a.slug, "code": periode.code})
    ).content.decode()
    balises = lire_balises(contenu)
    ids = {a.get("id") for n, a in balises}
    groupes = [a for n, a in balises if "indicateur__champs" in (a.get("class") or "")]
    saisis = [i for code, i in indicateurs_a.items() if code != "partenaires"]
    assert len(groupes) == len(saisis)
    for groupe in groupes:
        assert groupe.get("role") == "group"
        assert groupe.get("aria-labelledby") in ids
    noms = {g["aria-labelledby"] for g in groupes}
    assert noms == {f"indicateur-{i.code}-titre" for i in saisis}
    for indicateur in saisis:
        titre = re.search(
            rf'<h2 class="indicateur__titre" id="indicateur-{indicateur.code}-titre">(.*?)</h2>',
            contenu,
            re.S,
        )
        assert titre and indicateur.nom in titre.group(1)
