"""Le formulaire de saisie et l'import après la revue d'ergonomie : toutes les erreurs d'un envoi
ensemble et listées en tête, valeurs inhabituelles nommées et écrites à côté de leur champ,
nombres au format de la langue (aller-retour sans changement), même état que la boîte, textes
précédents, messages de période de l'import, boutons et libellés."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone, translation

from indicateurs import importation, services
from indicateurs.models import EvenementSaisie, Saisie, StatutPeriode, TypeEvenement, Valeur
from indicateurs.validation import DonneeValeur, signaler_aberration
from tests.factories import IndicateurFactory, IndicateurSuiviFactory, periode_du_trimestre

pytestmark = pytest.mark.django_db

ESPACE = "\xa0"  # le séparateur des milliers du français (Django)


@pytest.fixture
def url(quartier_a, periode):
    return reverse("saisie_formulaire", kwargs={"slug": quartier_a.slug, "code": periode.code})


@pytest.fixture
def dollars(quartier_a):
    indicateur = IndicateurFactory(code="budget", nom_fr="Budget du projet", unite="dollars")
    IndicateurSuiviFactory(quartier=quartier_a, indicateur=indicateur)
    return indicateur


def _page(reponse) -> str:
    """La page, blancs ASCII resserrés (l'espace insécable des nombres reste)."""
    return re.sub(r"[ \t\r\n]+", " ", reponse.content.decode())


class _Champs(HTMLParser):
    """Ce que le navigateur renverrait du formulaire de saisie tel qu'affiché."""

    def __init__(self):
        super().__init__()
        self.donnees: dict[str, str] = {}
        self._dans_saisie = False
        self._zone: str | None = None

    def handle_starttag(self, balise, attributs):
        a = dict(attributs)
        if balise == "form":
            self._dans_saisie = "saisie" in (a.get("class") or "")
        if not self._dans_saisie or "disabled" in a:
            return
        if balise == "input" and a.get("name") and a.get("type") != "submit":
            if a.get("type") == "checkbox":
                if "checked" in a:
                    self.donnees[a["name"]] = "on"
            else:
                self.donnees[a["name"]] = a.get("value") or ""
        elif balise == "textarea":
            self._zone = a["name"]
            self.donnees[self._zone] = ""

    def handle_endtag(self, balise):
        if balise == "textarea" and self._zone:
            # Le navigateur ignore le saut de ligne qui suit <textarea>.
            self.donnees[self._zone] = self.donnees[self._zone].removeprefix("\n")
            self._zone = None
        elif balise == "form":
            self._dans_saisie = False

    def handle_data(self, texte):
        if self._zone:
            self.donnees[self._zone] += texte


def _champs_affiches(reponse) -> dict[str, str]:
    lecteur = _Champs()
    lecteur.feed(reponse.content.decode())
    return lecteur.donnees


def _historique_menages(table, menages, valeurs=(100, 104, 98, 102)) -> None:
    for trimestre, valeur in zip([1, 2, 3, 4], valeurs, strict=True):
        ancienne = services.saisie_pour(
            table=table, periode=periode_du_trimestre(2024, trimestre), periode_fermee_permise=True
        )
        Valeur.objects.create(saisie=ancienne, indicateur=menages, valeur_numerique=valeur)


# --- 1. Toutes les erreurs d'un envoi ensemble ------------------------------------------------


def test_une_absence_sans_raison_est_signalee_avec_les_autres_erreurs(
    client, alice, url, indicateurs_a
):
    menages, politique = indicateurs_a["menages"].pk, indicateurs_a["politique"].pk
    client.force_login(alice)
    reponse = client.post(
        url,
        {
            "version": "1",
            f"v{menages}": "abc",
            f"nd{politique}": "on",
            f"r{politique}": "",
            "action": "enregistrer",
        },
    )
    assert reponse.status_code == 400
    erreurs = reponse.context["form"].errors
    assert "n'est pas un nombre" in erreurs[f"v{menages}"][0]
    assert erreurs[f"r{politique}"] == ["Expliquez pourquoi la valeur n'est pas disponible."]
    assert not Saisie.objects.exists()


def test_une_valeur_et_non_disponible_ensemble_sont_signales_au_premier_envoi(
    client, alice, url, indicateurs_a
):
    menages, taux = indicateurs_a["menages"].pk, indicateurs_a["taux"].pk
    client.force_login(alice)
    reponse = client.post(
        url,
        {
            "version": "1",
            f"v{menages}": "12",
            f"nd{menages}": "on",
            f"r{menages}": "Pas de données",
            f"v{taux}": "150",
            "action": "enregistrer",
        },
    )
    erreurs = reponse.context["form"].errors
    assert "ne peut pas avoir de valeur" in erreurs[f"v{menages}"][0]
    assert "entre 0 et 100" in erreurs[f"v{taux}"][0]


def test_un_champ_deja_en_erreur_ne_recoit_pas_le_message_une_seconde_fois(
    client, alice, url, indicateurs_a
):
    menages = indicateurs_a["menages"].pk
    client.force_login(alice)
    reponse = client.post(
        url, {"version": "1", f"p{menages}": "pas un lien", "action": "enregistrer"}
    )
    assert len(reponse.context["form"].errors[f"p{menages}"]) == 1


# --- 2. La liste des erreurs en tête ------------------------------------------------------------


def test_le_bandeau_liste_chaque_indicateur_en_erreur_avec_un_lien_vers_son_champ(
    client, alice, url, indicateurs_a
):
    menages, politique = indicateurs_a["menages"], indicateurs_a["politique"]
    client.force_login(alice)
    reponse = client.post(
        url,
        {
            "version": "1",
            f"v{menages.pk}": "abc",
            f"nd{politique.pk}": "on",
            "action": "enregistrer",
        },
    )
    page = _page(reponse)
    assert "2 indicateurs ou rubriques à corriger" in page
    assert f'<a href="#id_v{menages.pk}">{menages.nom}</a>' in page
    assert f'<a href="#id_r{politique.pk}">{politique.nom}</a>' in page
    assert f'id="id_v{menages.pk}"' in page and f'id="id_r{politique.pk}"' in page


def test_le_bandeau_liste_aussi_une_rubrique_d_apprentissage_trop_longue(
    client, alice, url, indicateurs_a
):
    client.force_login(alice)
    reponse = client.post(url, {"version": "1", "app_defis": "x" * 2001, "action": "enregistrer"})
    page = _page(reponse)
    assert "1 indicateur ou rubrique à corriger" in page
    assert '<a href="#id_app_defis">Défis</a>' in page


def test_sans_erreur_pas_de_liste(client, alice, url, indicateurs_a):
    client.force_login(alice)
    assert "à corriger" not in _page(client.get(url))


# --- 3. Valeurs inhabituelles -------------------------------------------------------------------


@pytest.mark.parametrize(("langue", "attendu"), [("fr", f"93{ESPACE}200"), ("en", "93,200")])
def test_l_avertissement_ecrit_ses_nombres_dans_la_langue_active(langue, attendu):
    serie = [Decimal(v) for v in (93000, 93200, 93400, 93100, 93300)]
    with translation.override(langue):
        message = signaler_aberration(serie, Decimal(500000))
    assert f"({attendu})" in message


def test_l_avertissement_ecrit_les_decimales_a_la_francaise():
    serie = [Decimal(v) for v in ("3.5", "3.4", "3.6", "3.5", "3.7")]
    with translation.override("fr"):
        assert "(3,5)" in signaler_aberration(serie, Decimal(90))


def test_l_avertissement_nomme_l_indicateur_et_paraît_a_cote_du_champ(
    client, alice, url, table_a, indicateurs_a
):
    menages = indicateurs_a["menages"]
    _historique_menages(table_a, menages)
    client.force_login(alice)
    reponse = client.post(url, {"version": "1", f"v{menages.pk}": "1000", "action": "enregistrer"})
    assert reponse.status_code == 302
    annonces = [str(m) for m in get_messages(reponse.wsgi_request)]
    assert (
        f"{menages.nom} : Valeur inhabituelle : écart de plus de 50 % avec le même trimestre de 2024 (100)."
        in (annonces)
    )
    page = _page(client.get(url))
    bloc = page[page.index(f'id="indicateur-{menages.code}"') :]
    bloc = (
        bloc[: bloc.index('<div class="indicateur"')] if '<div class="indicateur"' in bloc else bloc
    )
    assert (
        "Valeur inhabituelle : écart de plus de 50 % avec le même trimestre de 2024 (100)." in bloc
    )
    assert "Ajoutez un commentaire pour la confirmer." in bloc


def test_en_lecture_seule_l_avertissement_ne_demande_pas_de_commentaire(
    client, alice, eve, url, table_a, indicateurs_a
):
    """Une saisie soumise, lue par l'évaluation : l'avertissement reste, mais personne ne peut y
    ajouter un commentaire, la page ne le demande donc pas."""
    menages = indicateurs_a["menages"]
    _historique_menages(table_a, menages)
    client.force_login(alice)
    client.post(url, {"version": "1", f"v{menages.pk}": "1000", "action": "enregistrer"})
    saisie = Saisie.objects.get(periode__annee=2025)
    Valeur.objects.filter(saisie=saisie).update(non_disponible=False)
    Saisie.objects.filter(pk=saisie.pk).update(statut="soumise")
    client.force_login(eve)
    page = _page(client.get(url))
    assert (
        "Valeur inhabituelle : écart de plus de 50 % avec le même trimestre de 2024 (100)." in page
    )
    assert "Ajoutez un commentaire pour la confirmer." not in page


def test_pas_d_avertissement_a_cote_d_une_valeur_habituelle(
    client, alice, url, table_a, indicateurs_a
):
    menages = indicateurs_a["menages"]
    _historique_menages(table_a, menages)
    client.force_login(alice)
    client.post(url, {"version": "1", f"v{menages.pk}": "101", "action": "enregistrer"})
    assert "inhabituelle" not in _page(client.get(url))


# --- 4. Format des nombres et aller-retour ------------------------------------------------------


@pytest.mark.parametrize(
    ("langue", "tape", "affiche"),
    [
        (
            "fr",
            {"taux": "3,5", "budget": "12 345,50"},
            {"taux": "3,5", "budget": f"12{ESPACE}345,5"},
        ),
        ("en", {"taux": "3.5", "budget": "12,345.50"}, {"taux": "3.5", "budget": "12345.5"}),
    ],
)
def test_les_valeurs_reviennent_au_format_de_la_langue_et_se_renvoient_sans_changement(
    client, alice, url, indicateurs_a, dollars, langue, tape, affiche
):
    taux = indicateurs_a["taux"].pk
    client.force_login(alice)
    client.cookies["django_language"] = langue
    reponse = client.post(
        url,
        {
            "version": "1",
            f"v{taux}": tape["taux"],
            f"v{dollars.pk}": tape["budget"],
            "action": "enregistrer",
        },
    )
    assert reponse.status_code == 302
    valeurs = {v.indicateur_id: v.valeur_numerique for v in Valeur.objects.all()}
    assert valeurs == {taux: Decimal("3.5"), dollars.pk: Decimal("12345.5")}
    affichage = client.get(url)
    champs = _champs_affiches(affichage)
    assert champs[f"v{taux}"] == affiche["taux"]
    assert champs[f"v{dollars.pk}"] == affiche["budget"]
    # Renvoyé tel qu'affiché : rien ne change, aucun événement de valeur.
    evenements = EvenementSaisie.objects.filter(type_evenement=TypeEvenement.VALEUR).count()
    assert client.post(url, champs | {"action": "enregistrer"}).status_code == 302
    assert EvenementSaisie.objects.filter(type_evenement=TypeEvenement.VALEUR).count() == (
        evenements
    )
    assert {v.indicateur_id: v.valeur_numerique for v in Valeur.objects.all()} == valeurs


def test_en_anglais_une_virgule_seule_reste_une_virgule_decimale(client, alice, url, indicateurs_a):
    taux = indicateurs_a["taux"].pk
    client.force_login(alice)
    client.cookies["django_language"] = "en"
    client.post(url, {"version": "1", f"v{taux}": "3,5", "action": "enregistrer"})
    assert Valeur.objects.get(indicateur_id=taux).valeur_numerique == Decimal("3.5")


@pytest.mark.parametrize(("langue", "attendu"), [("fr", "3,7"), ("en", "3.7")])
def test_le_formulaire_en_lecture_seule_ecrit_les_nombres_dans_la_langue(
    client, bob, url, table_a, periode, indicateurs_a, langue, attendu
):
    saisie = services.saisie_pour(table=table_a, periode=periode)
    Valeur.objects.create(
        saisie=saisie, indicateur=indicateurs_a["taux"], valeur_numerique=Decimal("3.7")
    )
    client.force_login(bob)  # le conseil voit le formulaire sans pouvoir saisir
    client.cookies["django_language"] = langue
    reponse = client.get(url)
    champ = reponse.context["form"][f"v{indicateurs_a['taux'].pk}"]
    assert champ.field.disabled
    assert f'value="{attendu}"' in str(champ)


@pytest.mark.parametrize(
    ("langue", "grand", "decimal"), [("fr", f"93{ESPACE}200", "3,8"), ("en", "93,200", "3.8")]
)
def test_l_historique_ecrit_les_nombres_dans_la_langue(
    client, alice, table_a, periode, indicateurs_a, quartier_a, langue, grand, decimal
):
    menages, taux, politique = (indicateurs_a[c].pk for c in ("menages", "taux", "politique"))
    saisie = services.saisie_pour(table=table_a, periode=periode, auteur=alice)
    services.enregistrer_saisie(
        saisie=saisie,
        auteur=alice,
        version=1,
        donnees={
            menages: DonneeValeur(valeur=Decimal(93200), commentaire="Recensement"),
            taux: DonneeValeur(valeur=Decimal("3.8")),
            politique: DonneeValeur(texte="1234"),
        },
    )
    client.force_login(alice)
    client.cookies["django_language"] = langue
    adresse = reverse("saisie_historique", kwargs={"slug": quartier_a.slug, "code": periode.code})
    page = _page(client.get(adresse))
    assert f"<td>{grand} — " in page  # suivi de son commentaire
    assert f"<td>{decimal}</td>" in page
    assert "<td>1234</td>" in page  # un texte reste tel quel
    assert "93200" not in page


def test_le_tableau_d_un_conflit_ecrit_les_nombres_dans_la_langue(
    client, alice, url, indicateurs_a
):
    taux = indicateurs_a["taux"].pk
    client.force_login(alice)
    client.post(url, {"version": "1", f"v{taux}": "42,5", "action": "enregistrer"})
    reponse = client.post(url, {"version": "1", f"v{taux}": "12,5", "action": "enregistrer"})
    assert reponse.status_code == 409
    page = _page(reponse)
    assert "<td>12,5</td><td>42,5</td>" in page


# --- 5. Le même état que la boîte ---------------------------------------------------------------


def test_le_formulaire_dit_en_retard_comme_la_boite(client, alice, quartier_a):
    passee = periode_du_trimestre(2025, 3, statut=StatutPeriode.OUVERTE)
    assert passee.echeance < datetime.date.today()
    client.force_login(alice)
    boite = _page(client.get(reverse("boite_de_saisie")))
    assert 'etat--en_retard">en retard' in boite
    adresse = reverse("saisie_formulaire", kwargs={"slug": quartier_a.slug, "code": passee.code})
    page = _page(client.get(adresse))
    assert '<span class="etat etat--en_retard">en retard</span>' in page


# --- 6. Les textes précédents -------------------------------------------------------------------


def test_les_dernieres_valeurs_d_un_indicateur_en_texte_montrent_les_textes(
    client, alice, url, table_a, indicateurs_a
):
    politique = indicateurs_a["politique"]
    long = "Politique adoptée par le conseil municipal " + "et mise en œuvre " * 10
    for trimestre, texte in ((3, "En rédaction"), (4, long)):
        ancienne = services.saisie_pour(
            table=table_a,
            periode=periode_du_trimestre(2024, trimestre),
            periode_fermee_permise=True,
        )
        Valeur.objects.create(saisie=ancienne, indicateur=politique, valeur_texte=texte)
    client.force_login(alice)
    page = _page(client.get(url))
    assert "T3 2024 : En rédaction; T4 2024 : Politique adoptée par le conseil" in page
    assert long.strip() not in page
    assert re.search(r"T4 2024 : Politique adoptée[^;<]{0,60}…", page)


# --- 7. Les périodes de l'import ----------------------------------------------------------------


@pytest.fixture
def suivi_import(quartier_a):
    indicateur = IndicateurFactory(code="imp-menages", unite="nombre")
    IndicateurSuiviFactory(quartier=quartier_a, indicateur=indicateur)
    periode_du_trimestre(2021, 1)
    return indicateur


def _probleme_de_periode(quartier, code: str) -> str:
    lignes = [{"periode": code, "indicateur": "imp-menages", "valeur": "12"}]
    rapport = importation.verifier_import(table=quartier.table, lignes=lignes)
    assert [p.colonne for p in rapport.problemes] == ["periode"]
    return rapport.problemes[0].message


def test_l_import_dit_qu_une_periode_future_n_est_pas_encore_ouverte(quartier_a, suivi_import):
    annee = datetime.date.today().year + 1
    message = _probleme_de_periode(quartier_a, f"{annee}-T1")
    assert message == (
        f"La période T1 {annee} n'est pas encore ouverte : on n'y importe pas de valeurs."
    )


def test_l_import_dit_que_le_trimestre_en_cours_n_est_pas_encore_ouvert(quartier_a, suivi_import):
    aujourd_hui = timezone.localdate()
    code = f"{aujourd_hui.year}-T{(aujourd_hui.month + 2) // 3}"
    assert "n'est pas encore ouverte" in _probleme_de_periode(quartier_a, code)


def test_l_import_dit_qu_une_periode_ancienne_n_existe_pas(quartier_a, suivi_import):
    message = _probleme_de_periode(quartier_a, "2010-T2")
    assert message == (
        "La période T2 2010 n'existe pas dans ÉvalPIC : on ne peut pas y importer de valeurs."
    )


def test_l_import_garde_le_format_attendu_pour_un_code_mal_ecrit(quartier_a, suivi_import):
    assert "format attendu : 2024-T1" in _probleme_de_periode(quartier_a, "T1 2021")


# --- 8. Boutons et libellés ---------------------------------------------------------------------


def test_soumettre_est_le_bouton_principal_et_le_brouillon_secondaire(
    client, alice, url, indicateurs_a
):
    client.force_login(alice)
    page = _page(client.get(url))
    assert 'value="enregistrer" class="bouton-secondaire"' in page
    assert re.search(r'<button type="submit" name="action" value="soumettre">', page)


def test_les_rubriques_d_apprentissage_commencent_par_une_majuscule(
    client, alice, url, indicateurs_a
):
    client.force_login(alice)
    page = _page(client.get(url))
    assert '<label for="id_app_defis">Défis</label>' in page
    assert '<label for="id_app_processus_resultats">Processus et résultats</label>' in page


def test_le_motif_dit_quand_il_est_obligatoire(client, eve, table_a, periode, indicateurs_a):
    saisie = services.saisie_pour(table=table_a, periode=periode)
    Saisie.objects.filter(pk=saisie.pk).update(statut="soumise")
    client.force_login(eve)
    adresse = reverse(
        "saisie_formulaire", kwargs={"slug": table_a.quartier.slug, "code": periode.code}
    )
    assert "Obligatoire pour renvoyer la saisie à la table ou la rouvrir" in _page(
        client.get(adresse)
    )


def test_la_page_d_ajout_et_l_historique_commencent_leurs_libelles_par_une_majuscule(
    client, alice, quartier_a, table_a, periode
):
    client.force_login(alice)
    ajout = _page(client.get(reverse("apprentissage_nouveau", kwargs={"slug": quartier_a.slug})))
    assert ">Processus et résultats</option>" in ajout
    services.saisie_pour(table=table_a, periode=periode, auteur=alice)
    adresse = reverse("saisie_historique", kwargs={"slug": quartier_a.slug, "code": periode.code})
    assert ">Saisie créée</th>" in _page(client.get(adresse))
