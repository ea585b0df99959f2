"""Registre : une page de modification restée ouverte n'écrase plus, sans rien dire, ce qu'une
autre personne (ou un autre onglet) a enregistré depuis.

Le défaut : une coordonnatrice note le départ (fin) d'un partenaire; une autre, dont la page
de la même participation était ouverte avant, change le rôle : deux réponses 302, et le départ
disparaissait (le nombre de « partenaires actifs » de la table avec lui). De même pour la
fiche d'un partenaire (secteur, acteur d'influence perdus).

La garde (celle des apprentissages et des suivis du catalogue) : le formulaire porte, cachée,
l'empreinte de ce qu'il a montré (`evalpic.empreintes.empreinte`); l'écriture la compare à la
ligne verrouillée. Si elle a changé : rien n'est écrit, 409, la page montre l'envoi à côté de
ce qui est enregistré maintenant, avec la version actuelle (l'envoyer de nouveau remplace
sciemment). Le même envoi deux fois (double clic) réussit sans rien écrire de plus.

Reproductions déterministes : le formulaire périmé est rejoué après coup."""

from __future__ import annotations

import datetime
import html
import re
import threading
from collections import Counter

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from quartiers import services_registre as services
from quartiers.models import Partenaire, Participation
from tests.factories import (
    AffectationFactory,
    ParticipationFactory,
    SecteurFactory,
    UtilisateurFactory,
)

J = datetime.date


def _participation(quartier, participation) -> str:
    return reverse("participation_modifier", kwargs={"slug": quartier.slug, "pk": participation.pk})


def _fiche(quartier, partenaire) -> str:
    return reverse("partenaire_modifier", kwargs={"slug": quartier.slug, "pk": partenaire.pk})


def _version(reponse) -> str:
    """La version cachée du formulaire de la page ("" sans elle)."""
    trouvee = re.search(r'name="version" value="([0-9a-f]{16})"', reponse.content.decode())
    return trouvee.group(1) if trouvee else ""


def _conflit(reponse) -> dict[str, tuple[str, str]]:
    """Le tableau du conflit : par champ, (votre envoi, enregistré maintenant)."""
    lignes = re.findall(
        r'<tr><th scope="row">(.*?)</th><td>(.*?)</td><td>(.*?)</td></tr>',
        reponse.content.decode(),
    )

    def texte(fragment: str) -> str:
        return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()

    return {texte(champ): (texte(votre), texte(autre)) for champ, votre, autre in lignes}


@pytest.fixture
def deux_onglets(quartier_a, alice):
    """Alice et une autre coordonnatrice de la même table, chacune son navigateur."""
    autre = UtilisateurFactory()
    AffectationFactory(utilisateur=autre, quartier=quartier_a, role="coordonnateur")
    premier, second = Client(), Client()
    premier.force_login(alice)
    second.force_login(autre)
    return premier, second


# --- Participation -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_le_depart_note_dans_un_onglet_n_est_pas_efface_par_l_autre(quartier_a, deux_onglets):
    premier, second = deux_onglets
    participation = ParticipationFactory(table=quartier_a.table, role="membre", debut=J(2018, 1, 1))
    adresse = _participation(quartier_a, participation)
    version_1, version_2 = _version(premier.get(adresse)), _version(second.get(adresse))

    depart = {"role": "membre", "debut": "2018-01-01", "fin": "2025-03-31", "version": version_1}
    assert premier.post(adresse, depart).status_code == 302
    perime = {"role": "porteur", "debut": "2018-01-01", "fin": "", "version": version_2}
    reponse = second.post(adresse, perime)

    assert reponse.status_code == 409
    participation.refresh_from_db()
    assert (participation.role, participation.fin) == ("membre", J(2025, 3, 31))
    contenu = html.unescape(reponse.content.decode())
    assert "Quelqu'un a modifié cette participation depuis que vous avez ouvert la page" in contenu
    conflit = _conflit(reponse)
    assert conflit["Rôle"] == ("Porteur de projet", "Membre")
    assert conflit["Fin"] == ("—", "31/03/2025")
    # L'envoi reste dans le formulaire, avec la version actuelle : l'envoyer de nouveau
    # remplace sciemment ce qui est enregistré.
    assert '<option value="porteur" selected>' in contenu
    assert _version(reponse) == services.empreinte_de_la_participation(participation)
    perime["version"] = _version(reponse)
    assert second.post(adresse, perime).status_code == 302
    participation.refresh_from_db()
    assert (participation.role, participation.fin) == ("porteur", None)


@pytest.mark.django_db
def test_le_meme_envoi_deux_fois_reussit_deux_fois(quartier_a, deux_onglets):
    """Un double clic : le second envoi porte une version périmée, mais ce qu'il écrirait est
    déjà enregistré; ce n'est pas un conflit."""
    premier, _second = deux_onglets
    participation = ParticipationFactory(table=quartier_a.table, role="membre", debut=J(2018, 1, 1))
    adresse = _participation(quartier_a, participation)
    envoi = {"role": "membre", "debut": "2018-01-01", "fin": "2025-03-31"}
    envoi["version"] = _version(premier.get(adresse))
    assert premier.post(adresse, envoi).status_code == 302
    assert premier.post(adresse, envoi).status_code == 302
    participation.refresh_from_db()
    assert participation.fin == J(2025, 3, 31)


@pytest.mark.django_db
def test_une_version_perimee_ne_laisse_rien_ecrire_par_le_service(alice, quartier_a):
    participation = ParticipationFactory(table=quartier_a.table, role="membre", debut=J(2018, 1, 1))
    version = services.empreinte_de_la_participation(participation)
    Participation.objects.filter(pk=participation.pk).update(fin=J(2025, 3, 31))
    with pytest.raises(services.ConflitRegistre) as conflit:
        services.modifier_participation(
            auteur=alice,
            participation=participation,
            role="porteur",
            debut=J(2018, 1, 1),
            version=version,
        )
    assert conflit.value.actuel.fin == J(2025, 3, 31)
    participation.refresh_from_db()
    assert (participation.role, participation.fin) == ("membre", J(2025, 3, 31))


# --- Fiche du partenaire ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_la_fiche_corrigee_dans_un_onglet_n_est_pas_effacee_par_l_autre(quartier_a, deux_onglets):
    premier, second = deux_onglets
    communautaire = SecteurFactory(code="communautaire", nom_fr="Communautaire")
    sante = SecteurFactory(code="sante", nom_fr="Santé")
    participation = ParticipationFactory(table=quartier_a.table)
    partenaire = participation.partenaire
    Partenaire.objects.filter(pk=partenaire.pk).update(secteur=communautaire)
    adresse = _fiche(quartier_a, partenaire)
    version_1, version_2 = _version(premier.get(adresse)), _version(second.get(adresse))

    correction = {"nom": partenaire.nom, "secteur": sante.pk, "acteur_influence": "on"}
    assert premier.post(adresse, {**correction, "version": version_1}).status_code == 302
    perime = {"nom": partenaire.nom, "secteur": communautaire.pk, "site_web": "https://exemple.org"}
    reponse = second.post(adresse, {**perime, "version": version_2})

    assert reponse.status_code == 409
    partenaire.refresh_from_db()
    assert (partenaire.secteur_id, partenaire.acteur_influence, partenaire.site_web) == (
        sante.pk,
        True,
        "",
    )
    contenu = html.unescape(reponse.content.decode())
    assert "Quelqu'un a modifié cette fiche depuis que vous avez ouvert la page" in contenu
    conflit = _conflit(reponse)
    assert conflit["Secteur"] == ("Communautaire", "Santé")
    assert conflit["Acteur d'influence"] == ("non", "oui")
    assert conflit["Site web"] == ("https://exemple.org", "—")
    assert conflit["Nom"] == (partenaire.nom, partenaire.nom)
    assert _version(reponse) == services.empreinte_de_la_fiche(partenaire)


@pytest.mark.django_db
def test_la_meme_fiche_envoyee_deux_fois_reussit_deux_fois(quartier_a, deux_onglets):
    premier, _second = deux_onglets
    sante = SecteurFactory(code="sante")
    partenaire = ParticipationFactory(table=quartier_a.table).partenaire
    adresse = _fiche(quartier_a, partenaire)
    envoi = {"nom": f"  {partenaire.nom} ", "secteur": sante.pk, "acteur_influence": "on"}
    envoi["version"] = _version(premier.get(adresse))
    assert premier.post(adresse, envoi).status_code == 302
    assert premier.post(adresse, envoi).status_code == 302
    partenaire.refresh_from_db()
    assert (partenaire.secteur_id, partenaire.acteur_influence) == (sante.pk, True)


@pytest.mark.django_db(transaction=True)
def test_deux_fiches_envoyees_au_meme_instant_une_seule_est_ecrite(quartier_a, alice):
    """Sur de vraies transactions : deux envois différents de la même version, au même
    instant. La ligne verrouillée les met en file : le premier écrit, le second reçoit 409."""
    autre = UtilisateurFactory()
    AffectationFactory(utilisateur=autre, quartier=quartier_a, role="coordonnateur")
    sante, education = SecteurFactory(code="sante"), SecteurFactory(code="education")
    partenaire = ParticipationFactory(table=quartier_a.table).partenaire
    adresse = _fiche(quartier_a, partenaire)
    version = services.empreinte_de_la_fiche(partenaire)
    envois = [
        (alice, {"nom": partenaire.nom, "secteur": sante.pk, "version": version}),
        (autre, {"nom": partenaire.nom, "secteur": education.pk, "version": version}),
    ]
    barriere = threading.Barrier(len(envois), timeout=5)
    statuts: Counter = Counter()

    def envoyer(personne, donnees):
        try:
            navigateur = Client()
            navigateur.force_login(personne)
            barriere.wait()
            statuts[navigateur.post(adresse, donnees).status_code] += 1
        finally:
            connection.close()

    fils = [threading.Thread(target=envoyer, args=envoi) for envoi in envois]
    for fil in fils:
        fil.start()
    for fil in fils:
        fil.join(10)

    assert statuts == Counter({302: 1, 409: 1})
    partenaire.refresh_from_db()
    assert partenaire.secteur_id in (sante.pk, education.pk)
