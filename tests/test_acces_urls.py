"""Chaque adresse du site, pour chaque rôle et pour l'anonyme : la réponse attendue.

Le test parcourt le résolveur d'URL (`tests.adresses`) : une adresse sans règle dans `REGLES`
fait échouer `test_chaque_adresse_a_sa_regle`, si bien qu'on ne peut pas ajouter une page, une
ressource d'API ou un téléchargement sans décider qui y a accès. Nos adresses sont listées une à
une; celles d'allauth et de l'administration suivent une règle de groupe.

Les rôles : l'anonyme, Alice (coordination de A), Bob (conseil de A), Charlie (coordination de
B, qui ne doit rien voir de A : 404), Ève (évaluation) et Ada (administration). Pour chaque
méthode qui écrit, on vérifie au moins que l'anonyme et les rôles sans le droit sont refusés;
une méthode d'écriture qu'une vue DRF accepte sans règle fait échouer le test.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.urls import resolve, reverse

from indicateurs.models import (
    Apprentissage,
    CommentaireSaisie,
    LienDeChangement,
    Saisie,
    StatutPeriode,
    Valeur,
)
from quartiers.jetons import creer_jeton
from quartiers.models import Utilisateur
from rapports.instantane import construire_instantane, somme_de_controle
from rapports.models import Bilan, Portee, StatutBilan
from tests.adresses import (
    CONNEXION,
    CONNEXION_ADMIN,
    Adresse,
    Cas,
    Ecriture,
    conforme,
    decrire,
    roles,
    se_presenter,
    toutes_les_adresses,
    verifier,
)
from tests.factories import (
    ActionFactory,
    ChangementViseFactory,
    IndicateurFactory,
    IndicateurSuiviFactory,
    PartenaireFactory,
    ParticipationFactory,
    StrategieFactory,
    periode_du_trimestre,
)

pytestmark = pytest.mark.django_db


# --- Les données : deux quartiers, de quoi nommer chaque objet de A ----------------------------

# Ce qui trahirait A dans une liste que Charlie reçoit : son nom, son slug, et ce marqueur, porté
# par le nom de chaque objet propre à A (partenaire, stratégie, changement, action, apprentissage).
SECRET_A = "SECRET-A"


@dataclass
class Monde:
    a: object
    b: object
    objets: dict[str, object]
    secrets: tuple[str, ...]  # ce qu'une liste montrée à Charlie ne doit pas contenir

    def __getattr__(self, nom: str):
        try:
            return self.__dict__["objets"][nom]
        except KeyError as absent:
            raise AttributeError(nom) from absent


def _bilan_pret(auteur, portee: str, quartier=None, trimestre: int = 4) -> Bilan:
    """Un bilan prêt, avec son vrai instantané et de petits fichiers."""
    bilan = Bilan.objects.create(
        portee=portee,
        quartier=quartier,
        annee=2024,
        trimestre=trimestre,
        statut=StatutBilan.PRET,
        demande_par=auteur,
    )
    bilan.instantane = construire_instantane(bilan)
    bilan.somme_controle = somme_de_controle(bilan.instantane)
    for extension in ("html", "pdf", "xlsx", "csv"):
        fichier = getattr(bilan, f"fichier_{extension}")
        fichier.save(f"bilan.{extension}", ContentFile(b"essai"), save=False)
    bilan.save()
    return bilan


def _saisies_validees(quartiers, indicateur) -> dict:
    validees = {}
    for trimestre in range(1, 5):
        periode = periode_du_trimestre(2024, trimestre)
        for quartier in quartiers:
            saisie = Saisie.objects.create(table=quartier.table, periode=periode, statut="validee")
            Valeur.objects.create(
                saisie=saisie, indicateur=indicateur, valeur_numerique=Decimal(10 + trimestre)
            )
            validees[quartier.slug] = saisie
    return validees


@pytest.fixture
def monde(personas, quartier_a, quartier_b, settings, fichiers_temporaires) -> Monde:
    settings.EVALPIC_MFA_OBLIGATOIRE = False  # la MFA exigée a ses propres tests
    cache.clear()  # les limites de débit de l'API comptent dans le cache
    a, b = quartier_a, quartier_b
    indicateur = IndicateurFactory(code="menages")
    suivi_a = IndicateurSuiviFactory(quartier=a, indicateur=indicateur)
    IndicateurSuiviFactory(quartier=b, indicateur=indicateur)
    participation_a = ParticipationFactory(
        table=a.table, partenaire=PartenaireFactory(nom=f"Organisme {SECRET_A}")
    )
    strategie_a = StrategieFactory(quartier=a, titre=f"Stratégie {SECRET_A}")
    changement_a = ChangementViseFactory(strategie=strategie_a, libelle=f"Changement {SECRET_A}")
    changement_a.indicateurs.add(indicateur)
    validees = _saisies_validees([a, b], indicateur)
    ouverte = periode_du_trimestre(2025, 1, statut=StatutPeriode.OUVERTE)
    fermee = validees["quartier-a"].periode
    eve = personas["eve"]
    objets = {
        "indicateur": indicateur,
        "suivi_a": suivi_a,
        "participation_a": participation_a,
        "partenaire_a": participation_a.partenaire,
        "strategie_a": strategie_a,
        "changement_a": changement_a,
        "action_a": ActionFactory(quartier=a, titre=f"Action {SECRET_A}"),
        "ouverte": ouverte,
        "fermee": fermee,
        "saisie_a": Saisie.objects.create(table=a.table, periode=ouverte),
        "saisie_validee_a": validees["quartier-a"],
        "valeur_a": validees["quartier-a"].valeurs.get(),
        "apprentissage_a": Apprentissage.objects.create(
            quartier=a, periode=fermee, categorie="defis", texte_fr=SECRET_A, auteur=eve
        ),
        "commentaire_a": CommentaireSaisie.objects.create(
            saisie=validees["quartier-a"], auteur=eve, texte=SECRET_A
        ),
        "bilan_a": _bilan_pret(eve, Portee.QUARTIER, a),
        "bilan_a2": _bilan_pret(eve, Portee.QUARTIER, a, trimestre=3),
        "bilan_pic": _bilan_pret(eve, Portee.PIC),
        "jeton_alice": creer_jeton(utilisateur=personas["alice"], nom="Essai")[0],
        "proposition_a": IndicateurSuiviFactory(
            quartier=a,
            indicateur=IndicateurFactory(
                code="propose-a", nom_fr=f"Proposé {SECRET_A}", statut="propose"
            ),
        ).indicateur,
    }
    # Un brouillon de la stratégie de A (indicateurs.views_strategie), avec un changement et un
    # lien : ses adresses n'existent que pour la coordination de A, l'évaluation et
    # l'administration.
    brouillon_a = StrategieFactory(quartier=a, version=2, statut="brouillon", titre="Brouillon")
    source, cible = (ChangementViseFactory(strategie=brouillon_a) for _ in range(2))
    objets.update(
        brouillon_a=brouillon_a,
        changement_brouillon_a=source,
        lien_brouillon_a=LienDeChangement.objects.create(
            strategie=brouillon_a, source=source, cible=cible
        ),
    )
    return Monde(a=a, b=b, objets=objets, secrets=(a.nom, a.slug, SECRET_A))


# --- Les règles -------------------------------------------------------------------------------


def slug_a(m: Monde) -> dict:
    return {"slug": m.a.slug}


def pk(nom: str) -> Callable[[Monde], dict]:
    return lambda m: {"pk": getattr(m, nom).pk}


def saisie_ouverte_a(m: Monde) -> dict:
    return {"slug": m.a.slug, "code": m.ouverte.code}


def fichier(nom: str, format_: str, cle: str = "format") -> Callable[[Monde], dict]:
    return lambda m: {"pk": getattr(m, nom).pk, cle: format_}


# Pages : l'anonyme est renvoyé à la connexion; Charlie reçoit 404 sur un objet de A.
TOUS = roles(CONNEXION, 200, 200, 200, 200, 200)
VOIR_A = roles(CONNEXION, 200, 200, 404, 200, 200)
SAISIR_A = roles(CONNEXION, 200, 403, 404, 403, 200)
VALIDER = roles(CONNEXION, 403, 403, 403, 200, 200)
PIC = roles(CONNEXION, 404, 404, 404, 200, 200)
POST_SEULEMENT = roles(CONNEXION, 405, 405, 405, 405, 405)
PUBLIC = roles(200, 200, 200, 200, 200, 200)
REFUS_SAISIR_A = {"anonyme": CONNEXION, "bob": 403, "charlie": 404, "eve": 403}
REFUS_VALIDER_A = {"anonyme": CONNEXION, "alice": 403, "bob": 403, "charlie": 404}

# API : l'anonyme reçoit 401; mêmes refus que les pages.
API_TOUS = roles(401, 200, 200, 200, 200, 200)
API_A = roles(401, 200, 200, 404, 200, 200)
API_PIC = roles(401, 404, 404, 404, 200, 200)
API_ECRITURE = roles(401, 405, 405, 405, 405, 405)  # actions qui n'acceptent pas GET
API_REFUS_SAISIR_A = {"anonyme": 401, "bob": 403, "charlie": 404, "eve": 403}
API_REFUS_VALIDER_A = {"anonyme": 401, "alice": 403, "bob": 403, "charlie": 404}
SI_VERSION_1 = {"If-Match": '"1"'}


def _transition(refus: dict) -> tuple[Cas]:
    ecriture = Ecriture("POST", refus, lambda m: {"motif": "Essai"}, True, SI_VERSION_1)
    return (Cas(pk("saisie_a"), API_ECRITURE, (ecriture,)),)


def _demande_bilan(quartier: str) -> Callable[[Monde], dict]:
    return lambda m: {"quartier": quartier, "periode": m.fermee.code, "langue": "fr"}


# Un brouillon de A : sa coordination (Alice), l'évaluation et l'administration le tiennent; le
# conseil et l'autre quartier ne le voient pas (404). Adopter, renvoyer : 403 pour Alice.
BROUILLON_A = roles(CONNEXION, 200, 404, 404, 200, 200)
REFUS_BROUILLON_A = {"anonyme": CONNEXION, "bob": 404, "charlie": 404}
EXAMEN_BROUILLON_A = {"anonyme": CONNEXION, "alice": 403, "bob": 404, "charlie": 404}
REFUS_TENIR_A = {"anonyme": CONNEXION, "bob": 403, "charlie": 404}


REFUS_CATALOGUE = {"anonyme": CONNEXION, "alice": 403, "bob": 403, "charlie": 403}


def code_du_catalogue(m: Monde) -> dict:
    return {"code": m.indicateur.code}


def _brouillon_a(nom: str) -> Callable[[Monde], dict]:
    return lambda m: {"slug": m.a.slug, "pk": getattr(m, nom).pk}


REGLES: dict[str, tuple[Cas, ...]] = {
    # --- Quartiers, profil, langue, santé ------------------------------------------------------
    "accueil": (Cas(get=TOUS, liste=True),),
    "quartier_detail": (Cas(slug_a, VOIR_A),),
    "profil": (Cas(get=TOUS, liste=True, ecritures=(Ecriture("POST", {"anonyme": CONNEXION}),)),),
    # La page des courriels d'allauth, avec notre règle du courriel principal.
    "account_email": (
        Cas(get=TOUS, liste=True, ecritures=(Ecriture("POST", {"anonyme": CONNEXION}),)),
    ),
    "creer_jeton_api": (
        Cas(get=POST_SEULEMENT, ecritures=(Ecriture("POST", {"anonyme": CONNEXION}),)),
    ),
    # Révoquer le jeton d'une autre personne : 404, même pour l'administration.
    "revoquer_jeton_api": (
        Cas(
            pk("jeton_alice"),
            POST_SEULEMENT,
            (
                Ecriture(
                    "POST",
                    {"anonyme": CONNEXION, "bob": 404, "charlie": 404, "eve": 404, "ada": 404},
                ),
            ),
        ),
    ),
    # Publique : l'anonyme aussi choisit sa langue; seul POST est accepté.
    "changer_langue": (
        Cas(
            get=roles(405, 405, 405, 405, 405, 405),
            ecritures=(Ecriture("POST", {"anonyme": 302}, lambda m: {"langue": "fr"}),),
        ),
    ),
    # Publique : la sonde de l'orchestrateur n'a pas de compte (aucune donnée, que des états).
    "sante": (Cas(get=PUBLIC),),
    # Publique : /favicon.ico renvoie (301) à l'icône des fichiers statiques, pour tout le monde.
    "icone_du_site": (Cas(get=roles(301, 301, 301, 301, 301, 301)),),
    # --- Saisie trimestrielle et import --------------------------------------------------------
    "boite_de_saisie": (Cas(get=TOUS, liste=True),),
    "completude": (Cas(get=VALIDER),),
    "saisie_formulaire": (
        Cas(saisie_ouverte_a, VOIR_A, (Ecriture("POST", REFUS_SAISIR_A),)),
        Cas(lambda m: {"slug": m.a.slug, "code": m.fermee.code}, VOIR_A),
    ),
    "saisie_revision": (
        Cas(
            saisie_ouverte_a,
            POST_SEULEMENT,
            (Ecriture("POST", REFUS_VALIDER_A, lambda m: {"action": "valider", "version": 1}),),
        ),
    ),
    "saisie_historique": (Cas(lambda m: {"slug": m.a.slug, "code": m.fermee.code}, VOIR_A),),
    # Les commentaires d'une saisie (indicateurs.views_commentaires) : qui voit A les lit; le
    # droit de commenter (le même ici) pour en ajouter; seul l'auteur·e (Ève) retire le sien.
    "saisie_commentaires": (
        Cas(
            lambda m: {"slug": m.a.slug, "code": m.fermee.code},
            VOIR_A,
            (
                Ecriture(
                    "POST",
                    {"anonyme": CONNEXION, "charlie": 404},
                    lambda m: {"commentaire-texte": "Essai"},
                ),
            ),
        ),
    ),
    "saisie_commentaire_retirer": (
        Cas(
            lambda m: {"slug": m.a.slug, "code": m.fermee.code, "pk": m.commentaire_a.pk},
            POST_SEULEMENT,
            (
                Ecriture(
                    "POST",
                    {"anonyme": CONNEXION, "alice": 403, "bob": 403, "charlie": 404, "ada": 403},
                ),
            ),
        ),
    ),
    "import_valeurs": (Cas(slug_a, SAISIR_A, (Ecriture("POST", REFUS_SAISIR_A),)),),
    # Le droit de commenter : la coordination de A, le conseil affecté, l'évaluation, l'admin.
    "apprentissage_nouveau": (
        Cas(
            slug_a,
            VOIR_A,
            (
                Ecriture(
                    "POST",
                    {"anonyme": CONNEXION, "charlie": 404},
                    lambda m: {"periode": m.fermee.code, "categorie": "defis", "texte_fr": "Essai"},
                ),
            ),
        ),
    ),
    # La liste : qui voit A. Corriger, retirer : le droit de commenter; le conseil (Bob) ne
    # touche qu'aux siens (l'apprentissage de A est d'Ève) : 403.
    "apprentissages": (Cas(slug_a, VOIR_A),),
    "apprentissage_modifier": (
        Cas(
            lambda m: {"slug": m.a.slug, "pk": m.apprentissage_a.pk},
            roles(CONNEXION, 200, 403, 404, 200, 200),
            (
                Ecriture(
                    "POST",
                    {"anonyme": CONNEXION, "bob": 403, "charlie": 404},
                    lambda m: {"periode": m.fermee.code, "categorie": "defis", "texte_fr": "Essai"},
                ),
            ),
        ),
    ),
    "apprentissage_supprimer": (
        Cas(
            lambda m: {"slug": m.a.slug, "pk": m.apprentissage_a.pk},
            roles(CONNEXION, 200, 403, 404, 200, 200),
            (Ecriture("POST", {"anonyme": CONNEXION, "bob": 403, "charlie": 404}),),
        ),
    ),
    # Le catalogue et le plan de mesure (indicateurs.views_catalogue) : qui voit A lit son plan;
    # sa coordination, l'évaluation et l'administration proposent pour A; l'évaluation et
    # l'administration examinent les propositions et tiennent le plan.
    "plan_de_mesure": (Cas(slug_a, VOIR_A),),
    "indicateur_proposer": (
        Cas(
            slug_a,
            roles(CONNEXION, 200, 403, 404, 200, 200),
            (Ecriture("POST", {"anonyme": CONNEXION, "bob": 403, "charlie": 404}),),
        ),
    ),
    "suivi_ajouter": (Cas(slug_a, POST_SEULEMENT, (Ecriture("POST", REFUS_VALIDER_A),)),),
    "suivi_modifier": (
        Cas(
            lambda m: {"slug": m.a.slug, "pk": m.suivi_a.pk},
            roles(CONNEXION, 403, 403, 404, 200, 200),
            (Ecriture("POST", REFUS_VALIDER_A),),
        ),
    ),
    "suivi_desactiver": (
        Cas(
            lambda m: {"slug": m.a.slug, "pk": m.suivi_a.pk},
            POST_SEULEMENT,
            (Ecriture("POST", REFUS_VALIDER_A),),
        ),
    ),
    # La stratégie de changement (indicateurs.views_strategie) : la coordination de A la
    # prépare et la soumet, l'évaluation et l'administration l'adoptent ou la renvoient.
    # Préparer une version (sur le quartier) : 403 pour le conseil, qui voit A sans tenir sa
    # stratégie; un brouillon, ses changements et ses liens lui sont invisibles : 404.
    "strategie_preparer": (Cas(slug_a, POST_SEULEMENT, (Ecriture("POST", REFUS_TENIR_A),)),),
    "strategie_adopter": (
        Cas(
            _brouillon_a("brouillon_a"),
            roles(CONNEXION, 403, 404, 404, 200, 200),
            (Ecriture("POST", EXAMEN_BROUILLON_A),),
        ),
    ),
    # Le brouillon de A n'est pas soumis : l'évaluation reçoit 409 (rien à renvoyer).
    "strategie_renvoyer": (
        Cas(
            _brouillon_a("brouillon_a"),
            roles(CONNEXION, 403, 404, 404, 409, 409),
            (Ecriture("POST", EXAMEN_BROUILLON_A, lambda m: {"motif": "Essai"}),),
        ),
    ),
    **{
        nom: (Cas(_brouillon_a(objet), BROUILLON_A, (Ecriture("POST", REFUS_BROUILLON_A),)),)
        for nom, objet in (
            ("strategie_brouillon", "brouillon_a"),
            ("strategie_changement_ajouter", "brouillon_a"),
            ("strategie_abandonner", "brouillon_a"),
            ("strategie_changement_modifier", "changement_brouillon_a"),
        )
    },
    **{
        nom: (Cas(_brouillon_a(objet), POST_SEULEMENT, (Ecriture("POST", REFUS_BROUILLON_A),)),)
        for nom, objet in (
            ("strategie_soumettre", "brouillon_a"),
            ("strategie_retirer_soumission", "brouillon_a"),
            ("strategie_lien_ajouter", "brouillon_a"),
            ("strategie_changement_supprimer", "changement_brouillon_a"),
            ("strategie_lien_supprimer", "lien_brouillon_a"),
        )
    },
    "propositions": (Cas(get=VALIDER),),
    "proposition": (
        Cas(
            pk("proposition_a"),
            VALIDER,
            (
                Ecriture(
                    "POST",
                    {"anonyme": CONNEXION, "alice": 403, "bob": 403, "charlie": 403},
                    lambda m: {"decision": "approuver"},
                ),
            ),
        ),
    ),
    # Le catalogue (indicateurs.views_definitions) : qui voit un quartier le lit, sans les
    # propositions d'un autre quartier (404); l'évaluation et l'administration le tiennent.
    "catalogue": (Cas(get=TOUS, liste=True),),
    "catalogue_indicateur": (
        Cas(lambda m: {"code": m.indicateur.code}, TOUS, liste=True),
        Cas(lambda m: {"code": m.proposition_a.code}, VOIR_A),
    ),
    "catalogue_nouveau": (Cas(get=VALIDER, ecritures=(Ecriture("POST", REFUS_CATALOGUE),)),),
    "catalogue_modifier": (Cas(code_du_catalogue, VALIDER, (Ecriture("POST", REFUS_CATALOGUE),)),),
    **{
        nom: (Cas(code_du_catalogue, POST_SEULEMENT, (Ecriture("POST", REFUS_CATALOGUE),)),)
        for nom in ("catalogue_retirer", "catalogue_retablir")
    },
    # Le registre des partenaires : la coordination de A et l'administration (droit de saisir).
    "partenaire_inscrire": (Cas(slug_a, SAISIR_A, (Ecriture("POST", REFUS_SAISIR_A),)),),
    "participation_modifier": (
        Cas(
            lambda m: {"slug": m.a.slug, "pk": m.participation_a.pk},
            SAISIR_A,
            (Ecriture("POST", REFUS_SAISIR_A),),
        ),
    ),
    "partenaire_modifier": (
        Cas(
            lambda m: {"slug": m.a.slug, "pk": m.partenaire_a.pk},
            SAISIR_A,
            (Ecriture("POST", REFUS_SAISIR_A),),
        ),
    ),
    # Les actions du quartier (indicateurs.views_actions) : qui voit A lit leur liste; sa
    # coordination, l'évaluation et l'administration les tiennent; le conseil reçoit 403.
    "actions": (Cas(slug_a, VOIR_A),),
    **{
        nom: (
            Cas(
                arguments,
                roles(CONNEXION, 200, 403, 404, 200, 200),
                (Ecriture("POST", {"anonyme": CONNEXION, "bob": 403, "charlie": 404}),),
            ),
        )
        for nom, arguments in (
            ("action_ajouter", slug_a),
            ("action_modifier", lambda m: {"slug": m.a.slug, "pk": m.action_a.pk}),
            ("action_terminer", lambda m: {"slug": m.a.slug, "pk": m.action_a.pk}),
        )
    },
    "modele_import": (
        Cas(lambda m: {"slug": m.a.slug, "format": "csv"}, VOIR_A),
        Cas(lambda m: {"slug": m.a.slug, "format": "xlsx"}, VOIR_A),
    ),
    # --- Tableaux de bord ----------------------------------------------------------------------
    "tableau_pic": (
        Cas(get=TOUS, liste=True),
        Cas(get=TOUS, liste=True, requete=lambda m: {"csv": "completude"}),
    ),
    "tableau_quartier": (
        Cas(slug_a, VOIR_A),
        Cas(slug_a, VOIR_A, requete=lambda m: {"csv": "series"}),
    ),
    "theorie_du_changement": (Cas(slug_a, VOIR_A),),
    # Le catalogue est commun au PIC; la page ne montre que les quartiers visibles.
    "indicateur_entre_quartiers": (Cas(lambda m: {"code": m.indicateur.code}, TOUS, liste=True),),
    # --- Bilans --------------------------------------------------------------------------------
    "bilans": (
        Cas(
            get=TOUS,
            ecritures=(
                Ecriture(
                    "POST", {"anonyme": CONNEXION, "charlie": 400}, _demande_bilan("quartier-a")
                ),
                Ecriture("POST", {"alice": 400, "bob": 400, "charlie": 400}, _demande_bilan("pic")),
            ),
        ),
    ),
    "bilan_detail": (Cas(pk("bilan_a"), VOIR_A), Cas(pk("bilan_pic"), PIC)),
    "bilan_fichier": (
        Cas(fichier("bilan_a", "pdf"), VOIR_A),
        Cas(fichier("bilan_a", "xlsx"), VOIR_A),
        Cas(fichier("bilan_a", "csv"), VOIR_A),
        Cas(fichier("bilan_a", "html"), VOIR_A),
        Cas(fichier("bilan_pic", "pdf"), PIC),
    ),
    "bilans_comparer": (
        Cas(get=VOIR_A, requete=lambda m: {"a": m.bilan_a.pk, "b": m.bilan_a2.pk}),
        Cas(
            get=roles(CONNEXION, 404, 404, 404, 400, 400),
            requete=lambda m: {"a": m.bilan_a.pk, "b": m.bilan_pic.pk},
        ),
    ),
    # --- Export des valeurs (CSV en flux) : chacun n'exporte que ce qu'il voit -----------------
    "export_valeurs": (Cas(get=TOUS, liste=True),),
    "export_valeurs_csv": (
        Cas(get=TOUS, liste=True),
        # Un quartier invisible n'est pas un choix du filtre : 400, comme un slug inconnu.
        Cas(
            get=roles(CONNEXION, 200, 200, 400, 200, 200), requete=lambda m: {"quartier": m.a.slug}
        ),
    ),
    # --- API : racine, schéma et documentation -------------------------------------------------
    "api-root": (Cas(get=API_TOUS, liste=True),),
    # Le schéma et sa documentation sont publics : ils décrivent l'API, sans aucune donnée.
    "api_schema": (Cas(get=PUBLIC),),
    "api_docs": (Cas(get=PUBLIC), Cas(get=PUBLIC, requete=lambda m: {"script": ""})),
    "api_redoc": (Cas(get=PUBLIC),),
    # Toute autre adresse sous /api/ : 404 en JSON pour toute méthode (pas 405 : il n'y a pas
    # de ressource), après l'authentification de l'API (401 pour l'anonyme, comme ailleurs).
    "api/.*$": (
        Cas(
            get=roles(401, *[404] * 5),
            chemin="/api/v1/inexistant/",
            ecritures=tuple(
                Ecriture(methode, roles(401, *[404] * 5))
                for methode in ("POST", "PUT", "PATCH", "DELETE")
            ),
        ),
    ),
    # --- API : territoire ----------------------------------------------------------------------
    "api-quartier-list": (Cas(get=API_TOUS, liste=True),),
    "api-quartier-detail": (Cas(slug_a, API_A),),
    "api-table-list": (Cas(get=API_TOUS, liste=True),),
    "api-table-detail": (Cas(lambda m: {"pk": m.a.table.pk}, API_A),),
    "api-partenaire-list": (Cas(get=API_TOUS, liste=True),),
    "api-partenaire-detail": (Cas(pk("partenaire_a"), API_A),),
    "api-participation-list": (Cas(get=API_TOUS, liste=True),),
    "api-participation-detail": (Cas(pk("participation_a"), API_A),),
    # --- API : catalogue et stratégies ---------------------------------------------------------
    "api-indicateur-list": (Cas(get=API_TOUS, liste=True),),
    "api-indicateur-detail": (Cas(lambda m: {"code": m.indicateur.code}, API_TOUS),),
    "api-strategie-list": (Cas(get=API_TOUS, liste=True),),
    "api-strategie-detail": (Cas(pk("strategie_a"), API_A),),
    "api-changement-list": (Cas(get=API_TOUS, liste=True),),
    "api-changement-detail": (Cas(pk("changement_a"), API_A),),
    # Les actions s'écrivent comme sur leurs pages : qui tient celles de A (coordination,
    # évaluation, administration); le conseil reçoit 403; pour Charlie, A est « inconnu » (400)
    # dans le corps et son action introuvable (404). Le même contenu que l'action de A, rejoué,
    # ne crée rien : 200.
    "api-action-list": (
        Cas(
            get=API_TOUS,
            liste=True,
            ecritures=(
                Ecriture(
                    "POST",
                    {
                        "anonyme": 401,
                        "alice": 200,
                        "bob": 403,
                        "charlie": 400,
                        "eve": 200,
                        "ada": 200,
                    },
                    lambda m: {
                        "quartier": m.a.slug,
                        "titre": m.action_a.titre,
                        "type_action": m.action_a.type_action,
                        "debut": m.action_a.debut.isoformat(),
                    },
                    json=True,
                ),
            ),
        ),
    ),
    "api-action-detail": (
        Cas(
            pk("action_a"),
            API_A,
            (
                Ecriture(
                    "PATCH",
                    {"anonyme": 401, "bob": 403, "charlie": 404},
                    lambda m: {"titre": "Essai"},
                    json=True,
                    entetes={"If-Match": '"0"'},
                ),
            ),
        ),
    ),
    "api-indicateur-suivi-list": (Cas(get=API_TOUS, liste=True),),
    "api-indicateur-suivi-detail": (Cas(pk("suivi_a"), API_A),),
    "api-periode-list": (Cas(get=API_TOUS, liste=True),),
    "api-periode-detail": (Cas(pk("ouverte"), API_TOUS),),
    # Un quartier invisible est « inconnu » (400), comme un slug qui n'existe pas.
    "api-apprentissage-list": (
        Cas(
            get=API_TOUS,
            ecritures=(
                Ecriture(
                    "POST",
                    {"anonyme": 401, "charlie": 400},
                    lambda m: {
                        "quartier": m.a.slug,
                        "periode": m.fermee.code,
                        "categorie": "defis",
                        "texte_fr": "Essai",
                    },
                    json=True,
                ),
            ),
        ),
    ),
    "api-apprentissage-detail": (Cas(pk("apprentissage_a"), API_A),),
    # --- API : saisies, valeurs ----------------------------------------------------------------
    # Ouvrir une saisie qui existe déjà ne change rien : Alice et Ada reçoivent 200.
    "saisies-list": (
        Cas(
            get=API_TOUS,
            ecritures=(
                Ecriture(
                    "POST",
                    {**API_REFUS_SAISIR_A, "alice": 200, "ada": 200},
                    lambda m: {"quartier": m.a.slug, "periode": m.ouverte.code},
                    json=True,
                ),
            ),
        ),
    ),
    "saisies-detail": (Cas(pk("saisie_a"), API_A),),
    "saisies-valeurs": (
        Cas(
            pk("saisie_a"),
            API_ECRITURE,
            (
                Ecriture(
                    "PUT",
                    API_REFUS_SAISIR_A,
                    lambda m: {"valeurs": [{"indicateur": m.indicateur.code, "valeur": "1"}]},
                    json=True,
                    entetes=SI_VERSION_1,
                ),
            ),
        ),
    ),
    "saisies-soumettre": _transition(API_REFUS_SAISIR_A),
    "saisies-valider": _transition(API_REFUS_VALIDER_A),
    "saisies-renvoyer": _transition(API_REFUS_VALIDER_A),
    "saisies-rouvrir": _transition(API_REFUS_VALIDER_A),
    # Les commentaires (indicateurs.api_commentaires), comme leurs pages : qui voit A les lit et
    # les écrit; la saisie de A est introuvable pour Charlie; seul·e l'auteur·e (Ève) retire.
    "commentaires-list": (
        Cas(
            get=API_TOUS,
            liste=True,
            ecritures=(
                Ecriture(
                    "POST",
                    {"anonyme": 401, "charlie": 404},
                    lambda m: {"saisie": m.saisie_validee_a.pk, "texte": "Essai"},
                    json=True,
                ),
            ),
        ),
    ),
    "commentaires-detail": (Cas(pk("commentaire_a"), API_A),),
    "commentaires-retirer": (
        Cas(
            pk("commentaire_a"),
            API_ECRITURE,
            (
                Ecriture(
                    "POST", {"anonyme": 401, "alice": 403, "bob": 403, "charlie": 404, "ada": 403}
                ),
            ),
        ),
    ),
    "valeurs-list": (Cas(get=API_TOUS, liste=True),),
    "valeurs-detail": (Cas(pk("valeur_a"), API_A),),
    # --- API : bilans --------------------------------------------------------------------------
    "bilans-list": (
        Cas(
            get=API_TOUS,
            ecritures=(
                Ecriture(
                    "POST",
                    {"anonyme": 401, "charlie": 404},
                    lambda m: {"portee": "quartier", "quartier": m.a.slug, "annee": 2024},
                    json=True,
                ),
                Ecriture(
                    "POST",
                    {"alice": 403, "bob": 403, "charlie": 403},
                    lambda m: {"portee": "pic", "annee": 2024, "trimestre": 4},
                    json=True,
                ),
            ),
        ),
    ),
    "bilans-detail": (Cas(pk("bilan_a"), API_A), Cas(pk("bilan_pic"), API_PIC)),
    "bilans-fichier": (
        Cas(fichier("bilan_a", "pdf", "type_fichier"), API_A),
        Cas(fichier("bilan_a", "csv", "type_fichier"), API_A),
        Cas(fichier("bilan_pic", "pdf", "type_fichier"), API_PIC),
    ),
}


# --- Les tests ---------------------------------------------------------------------------------


def _est_d_allauth(adresse: Adresse) -> bool:
    return adresse.route.startswith("comptes/") and adresse.vue.startswith("allauth.")


def _est_de_l_admin(adresse: Adresse) -> bool:
    """Les vues de l'admin de Django, et celles qu'une admin du projet redéfinit (la suppression
    d'un compte, quartiers.admin.UtilisateurAdmin.delete_view) : toutes passent par
    `admin_site.admin_view`."""
    return adresse.route.startswith("admin/") and (
        adresse.vue.startswith("django.") or ".admin." in adresse.vue
    )


def test_chaque_adresse_a_sa_regle():
    """Une adresse nouvelle sans décision d'accès fait échouer ce test : ajoutez-la à REGLES."""
    adresses = toutes_les_adresses()
    sans_regle = sorted(
        f"{a.cle}  ({a.route} → {a.vue})"
        for a in adresses
        if a.cle not in REGLES and not _est_d_allauth(a) and not _est_de_l_admin(a)
    )
    assert not sans_regle, "Adresses sans règle d'accès :\n" + "\n".join(sans_regle)
    perimees = sorted(set(REGLES) - {a.cle for a in adresses})
    assert not perimees, f"Règles d'adresses qui n'existent plus : {perimees}"


@pytest.mark.parametrize("cle", sorted(REGLES))
def test_acces_de_chaque_adresse_pour_chaque_role(client, personas, monde, cle):
    adresses = [a for a in toutes_les_adresses() if a.cle == cle]
    assert adresses, f"{cle} : aucune adresse de ce nom"
    echecs = [
        echec
        for adresse in adresses
        for cas in REGLES[cle]
        for echec in verifier(client, personas, adresse, cas, monde)
    ]
    assert not echecs, "\n".join(echecs)


# --- allauth et l'administration : une règle par groupe ----------------------------------------

# Les pages d'allauth ouvertes sans session (connexion, mot de passe oublié, confirmation…).
# Toute autre page d'allauth, même nouvelle, demande une session : l'anonyme va à la connexion.
ALLAUTH_PUBLIQUES = {
    "account_login",
    "account_logout",
    "account_inactive",
    "account_signup",
    "account_email_verification_sent",
    "account_confirm_email",
    "account_confirm_login_code",
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key",
    "account_reset_password_from_key_done",
    "mfa_authenticate",
}
# Hors du personnel : l'anonyme, la coordination et l'évaluation (le rôle le plus large).
NON_PERSONNEL = ("anonyme", "alice", "eve")


def _url_de_groupe(adresse: Adresse) -> str:
    """Une adresse concrète, avec des paramètres quelconques (« 1 »)."""
    if adresse.nom:
        kwargs = {p: "quartiers" if p == "app_label" else "1" for p in adresse.parametres}
        return reverse(adresse.nom, kwargs=kwargs)
    chemin = adresse.route.replace("<path:object_id>", "1").replace("(?P<url>.*)$", "inconnue/")
    return "/" + chemin


def _adresses_du_groupe(filtre) -> list[tuple[Adresse, str]]:
    adresses = [(a, _url_de_groupe(a)) for a in toutes_les_adresses() if filtre(a)]
    for adresse, url in adresses:
        assert resolve(url).route == adresse.route, (adresse.cle, url)
    return adresses


def test_allauth_les_pages_de_compte_demandent_une_session(client, personas):
    """Pages publiques : 200 ou une redirection, jamais d'erreur. Les autres : l'anonyme va à
    la connexion, en lecture comme en écriture. Connecté·e, jamais d'erreur serveur."""
    echecs = []
    for adresse, url in _adresses_du_groupe(_est_d_allauth):
        for role in ("anonyme", "alice"):
            for methode in ("GET", "POST"):
                se_presenter(client, personas, role)
                reponse = client.get(url) if methode == "GET" else client.post(url, {})
                if role == "anonyme" and adresse.nom not in ALLAUTH_PUBLIQUES:
                    attendu = CONNEXION
                elif role == "anonyme" and methode == "GET":
                    attendu = 302 if reponse.status_code == 302 else 200
                else:
                    attendu = reponse.status_code if reponse.status_code < 500 else "< 500"
                if not conforme(reponse, attendu):
                    echecs.append(
                        f"{adresse.cle} [{role}] {methode} {url} : "
                        f"attendu {attendu}, reçu {decrire(reponse)}"
                    )
    assert not echecs, "\n".join(echecs)


def test_allauth_l_inscription_est_fermee(client):
    donnees = {
        "email": "intrus@exemple.org",
        "password1": "Xy7!long-mdp",
        "password2": "Xy7!long-mdp",
    }
    client.post(reverse("account_signup"), donnees)
    assert not Utilisateur.objects.filter(email="intrus@exemple.org").exists()


def test_l_administration_est_reservee_au_personnel(client, personas):
    """Hors du personnel (Ève comprise), chaque adresse de /admin/ renvoie à la connexion de
    l'administration, en lecture comme en écriture; celle-ci renvoie l'anonyme à la connexion
    d'allauth et refuse (403) une personne connectée hors du personnel. Ada (personnel) n'y a
    jamais d'erreur."""
    echecs = []
    for adresse, url in _adresses_du_groupe(_est_de_l_admin):
        for role in NON_PERSONNEL:
            se_presenter(client, personas, role)
            for methode in ("GET", "POST"):
                reponse = client.get(url) if methode == "GET" else client.post(url, {})
                if adresse.nom == "admin:login":  # la connexion passe par celle d'allauth
                    attendu = CONNEXION if role == "anonyme" else 403
                elif adresse.nom == "admin:logout":  # rien à fermer : retour à /admin/
                    attendu = 302
                else:
                    attendu = CONNEXION_ADMIN
                if not conforme(reponse, attendu):
                    echecs.append(
                        f"{adresse.cle} [{role}] {methode} {url} : "
                        f"attendu {attendu}, reçu {decrire(reponse)}"
                    )
        if adresse.nom != "admin:logout":
            se_presenter(client, personas, "ada")
            reponse = client.get(url)
            if reponse.status_code >= 500 or conforme(reponse, CONNEXION_ADMIN):
                echecs.append(f"{adresse.cle} [ada] GET {url} : reçu {decrire(reponse)}")
    assert not echecs, "\n".join(echecs)
