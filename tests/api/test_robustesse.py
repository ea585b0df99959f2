"""L'API devant des requêtes absurdes : un 4xx clair, jamais de 500, rien d'écrit à moitié.

Nombres d'écriture extrême, JSON très imbriqué ou porteur de substituts isolés, curseur de
pagination forgé, apprentissage rattaché à un indicateur suivi mais non approuvé, adresse
X-Forwarded-For forgée pour échapper à la limite de débit anonyme."""

from __future__ import annotations

import base64
import json
from decimal import Decimal

import pytest
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle

from indicateurs.models import Apprentissage, Valeur
from tests.api import test_saisies_bilans as base
from tests.api.test_saisies_bilans import client_de, etat
from tests.factories import IndicateurFactory, IndicateurSuiviFactory, QuartierFactory

# Les données des tests de l'API des saisies (A et B remplis pour 2025-T1).
_fichiers_temporaires = base._fichiers_temporaires
periode = base.periode
indicateurs = base.indicateurs
monde = base.monde

pytestmark = pytest.mark.django_db

API = "/api/v1"


def _ecrire(client, saisie, valeurs: list[dict]):
    return client.put(
        f"{API}/saisies/{saisie.pk}/valeurs/",
        {"valeurs": valeurs},
        format="json",
        HTTP_IF_MATCH=f'"{saisie.version}"',
    )


# --- Nombres ------------------------------------------------------------------------------------


def _sans_exposant(brut: str) -> str:
    return f"« {brut} » est en écriture scientifique : écrivez le nombre sans exposant"


@pytest.mark.parametrize(
    ("brut", "messages"),
    [
        *(
            (brut, [f"{_sans_exposant(brut)}.", "La valeur est trop grande."])
            for brut in ("1e1000000", "-1e1000000", "1E+9999999999")
        ),
        ("0e-99999", [f"{_sans_exposant('0e-99999')}, soit 0."]),
        ("0E-20000", [f"{_sans_exposant('0E-20000')}, soit 0."]),
        ("1e3", [f"{_sans_exposant('1e3')}, soit 1\xa0000."]),
    ],
)
def test_un_exposant_repond_400_sur_le_champ_et_rien_n_est_ecrit(monde, alice, brut, messages):
    """L'écriture scientifique est refusée, énorme ou non, par la lecture commune au formulaire,
    à l'import et à l'API (tests/indicateurs/test_w1_exposants.py)."""
    saisie = monde.saisie_a
    avant = etat(saisie)
    reponse = _ecrire(
        client_de(alice, "jeton"),
        saisie,
        [{"indicateur": "taux", "valeur": "50"}, {"indicateur": "menages", "valeur": brut}],
    )
    assert reponse.status_code == 400
    assert reponse.json() == {"valeurs": {"1": {"valeur": messages}}}
    assert etat(saisie) == avant


@pytest.mark.parametrize("brut", ["0." + "0" * 17000, "0000000000000000000000.0"])
def test_un_zero_ecrit_longuement_est_enregistre_comme_zero(monde, alice, brut):
    saisie = monde.saisie_a
    reponse = _ecrire(client_de(alice, "jeton"), saisie, [{"indicateur": "taux", "valeur": brut}])
    assert reponse.status_code == 200, reponse.content[:300]
    valeur = Valeur.objects.get(saisie=saisie, indicateur__code="taux")
    assert valeur.valeur_numerique == Decimal("0")


def test_un_nombre_json_hors_limites_repond_400(monde, alice):
    saisie = monde.saisie_a
    reponse = client_de(alice, "jeton").put(
        f"{API}/saisies/{saisie.pk}/valeurs/",
        '{"valeurs": [{"indicateur": "menages", "valeur": 1e400}]}',
        content_type="application/json",
        HTTP_IF_MATCH=f'"{saisie.version}"',
    )
    assert reponse.status_code == 400


# --- JSON ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("profondeur", [1000, 100000])
@pytest.mark.parametrize("adresse", ["saisies/", "apprentissages/", "bilans/"])
def test_un_json_tres_imbrique_repond_400(monde, alice, adresse, profondeur):
    corps = "[" * profondeur + "]" * profondeur
    reponse = client_de(alice, "jeton").post(
        f"{API}/{adresse}", corps, content_type="application/json"
    )
    assert reponse.status_code == 400
    assert reponse.json() == {"detail": "JSON illisible : imbrication trop profonde."}


@pytest.mark.parametrize(
    ("corps", "message"),
    [
        # Avant : le texte anglais du décodeur de Python, dans une réponse en français.
        (
            '{"texte_fr": "\xe9t\xe9"}'.encode("latin-1"),
            "JSON illisible : le corps n'est pas encodé en UTF-8.",
        ),
        (b'{"quartier": "a",\n "periode": }', "JSON illisible à la ligne 2, colonne 13."),
        (b'{"texte_fr": NaN}', "JSON illisible : NaN et Infinity ne sont pas des nombres JSON."),
        (b'{"x": -Infinity}', "JSON illisible : NaN et Infinity ne sont pas des nombres JSON."),
        (
            b'\xef\xbb\xbf{"texte_fr": "x"}',
            "JSON illisible : le corps commence par une marque d'ordre d'octets (BOM), à retirer.",
        ),
    ],
)
def test_un_json_illisible_est_dit_en_francais(monde, alice, corps, message):
    reponse = client_de(alice, "jeton").post(
        f"{API}/apprentissages/", corps, content_type="application/json"
    )
    assert reponse.status_code == 400
    assert reponse.json() == {"detail": message}
    assert not Apprentissage.objects.exists()


def test_un_json_tres_imbrique_n_ecrit_rien(monde, alice):
    saisie = monde.saisie_a
    avant = etat(saisie)
    reponse = client_de(alice).put(
        f"{API}/saisies/{saisie.pk}/valeurs/",
        '{"valeurs": ' + "[" * 5000 + "]" * 5000 + "}",
        content_type="application/json",
        HTTP_IF_MATCH=f'"{saisie.version}"',
    )
    assert reponse.status_code == 400
    assert etat(saisie) == avant


SUBSTITUT = "\\ud800"  # tel qu'écrit dans le JSON : un demi-caractère UTF-16, sans sa paire


@pytest.mark.parametrize(
    ("adresse", "corps"),
    [
        ("apprentissages/", {"quartier": "quartier-a", "periode": f"2025-T{SUBSTITUT}"}),
        ("apprentissages/", {"quartier": f"a{SUBSTITUT}", "periode": "2025-T1"}),
        ("apprentissages/", {"categorie": f"d{SUBSTITUT}", "texte_fr": "x"}),
        ("apprentissages/", {"texte_fr": f"x{SUBSTITUT}", "indicateur": "menages"}),
        ("saisies/", {"quartier": "quartier-a", f"cle{SUBSTITUT}": "2025-T1"}),
        ("bilans/", {"portee": f"p{SUBSTITUT}", "annee": 2025}),
        ("bilans/", {"portee": "pic", "annee": [[[f"{SUBSTITUT}"]]]}),
    ],
)
def test_un_substitut_isole_dans_le_json_repond_400(monde, alice, adresse, corps):
    texte = json.dumps(corps).replace("\\\\ud800", SUBSTITUT)
    reponse = client_de(alice, "jeton").post(
        f"{API}/{adresse}", texte, content_type="application/json"
    )
    assert reponse.status_code == 400, reponse.content[:300]
    assert reponse.json() == {
        "detail": "JSON illisible : un caractère est invalide (substitut UTF-16 isolé)."
    }


@pytest.mark.parametrize("partie", ["indicateur", "valeur", "raison", "commentaire", "preuve_url"])
def test_un_substitut_isole_dans_une_valeur_repond_400_et_rien_n_est_ecrit(monde, alice, partie):
    saisie = monde.saisie_a
    avant = etat(saisie)
    element = {"indicateur": "politique", "valeur": "ok", partie: "x\ud800"}
    reponse = client_de(alice, "jeton").put(
        f"{API}/saisies/{saisie.pk}/valeurs/",
        json.dumps({"valeurs": [element]}),
        content_type="application/json",
        HTTP_IF_MATCH=f'"{saisie.version}"',
    )
    assert reponse.status_code == 400
    assert etat(saisie) == avant


def test_une_paire_de_substituts_est_un_caractere_permis(monde, alice):
    reponse = client_de(alice, "jeton").post(
        f"{API}/apprentissages/",
        '{"quartier": "quartier-a", "periode": "2025-T1", "categorie": "defis", '
        '"texte_fr": "Bravo \\ud83c\\udf89"}',
        content_type="application/json",
    )
    assert reponse.status_code == 201, reponse.content
    assert reponse.json()["texte_fr"] == "Bravo \U0001f389"


# --- Curseur de pagination ----------------------------------------------------------------------


def _curseur(texte: str) -> str:
    return base64.b64encode(texte.encode()).decode()


@pytest.mark.parametrize("position", ["abc", "1.5", "", "\u00b2", "\u0661", "1e5", "9" * 5000])
def test_un_curseur_forge_repond_404_curseur_invalide(monde, eve, position):
    reponse = client_de(eve, "jeton").get(
        f"{API}/valeurs/", {"cursor": _curseur(f"o=0&r=0&p={position}")}
    )
    assert reponse.status_code == 404
    assert reponse.json() == {"detail": "Curseur non valide"}


def test_un_curseur_donne_par_l_api_mene_a_la_page_suivante(monde, eve):
    client = client_de(eve, "jeton")
    premiere = client.get(f"{API}/valeurs/", {"taille": 2}).json()
    suivante = client.get(premiere["next"])
    assert suivante.status_code == 200
    ids = [v["id"] for v in premiere["results"] + suivante.json()["results"]]
    assert ids == sorted(Valeur.objects.values_list("pk", flat=True))[:4]


@pytest.mark.parametrize("position", ["-5", "0", "9" * 20])
def test_un_curseur_a_position_entiere_repond_200(monde, eve, position):
    reponse = client_de(eve, "jeton").get(
        f"{API}/valeurs/", {"cursor": _curseur(f"o=0&r=0&p={position}")}
    )
    assert reponse.status_code == 200


# --- Apprentissages : la règle de rattachement est celle du service ------------------------------


@pytest.mark.parametrize("statut", ["propose", "retire"])
def test_apprentissage_rattache_a_un_indicateur_suivi_non_approuve(
    monde, alice, quartier_a, client, statut
):
    """La page d'ajout et l'API passent par ajouter_apprentissage : même réponse pour un
    indicateur que le quartier suit, proposé par sa table ou retiré du catalogue."""
    indicateur = IndicateurFactory(code=f"maison-{statut}", statut=statut)
    IndicateurSuiviFactory(quartier=quartier_a, indicateur=indicateur)
    client.force_login(alice)
    page = client.post(
        f"/quartiers/{quartier_a.slug}/apprentissages/nouveau/",
        {"periode": "2025-T1", "categorie": "defis", "indicateur": indicateur.pk, "texte_fr": "P"},
    )
    assert page.status_code == 302
    reponse = client_de(alice, "jeton").post(
        f"{API}/apprentissages/",
        {
            "quartier": quartier_a.slug,
            "periode": "2025-T1",
            "categorie": "defis",
            "indicateur": indicateur.code,
            "texte_fr": "API",
        },
        format="json",
    )
    assert reponse.status_code == 201, reponse.content
    assert Apprentissage.objects.get(texte_fr="API").indicateur == indicateur


def test_apprentissage_indicateur_non_suivi_refuse_par_le_service(monde, alice, quartier_a):
    indicateur = IndicateurFactory(code="ailleurs")  # approuvé, mais pas suivi par A
    reponse = client_de(alice, "jeton").post(
        f"{API}/apprentissages/",
        {
            "quartier": quartier_a.slug,
            "periode": "2025-T1",
            "categorie": "defis",
            "indicateur": indicateur.code,
            "texte_fr": "x",
        },
        format="json",
    )
    assert reponse.status_code == 400
    assert reponse.json() == {"indicateur": ["Ce quartier ne suit pas cet indicateur."]}
    assert not Apprentissage.objects.exists()


def test_apprentissage_indicateur_propose_ailleurs_reste_inconnu(monde, alice, quartier_a):
    """Un indicateur proposé par une autre table n'est pas au catalogue : son code ne se
    distingue pas d'un code qui n'existe pas."""
    autre = IndicateurFactory(code="maison-de-b", statut="propose")
    IndicateurSuiviFactory(quartier=QuartierFactory(), indicateur=autre)
    reponses = [
        client_de(alice, "jeton").post(
            f"{API}/apprentissages/",
            {
                "quartier": quartier_a.slug,
                "periode": "2025-T1",
                "categorie": "defis",
                "indicateur": code,
                "texte_fr": "x",
            },
            format="json",
        )
        for code in ("maison-de-b", "nexiste-pas")
    ]
    assert [r.status_code for r in reponses] == [400, 400]
    assert reponses[0].json()["indicateur"] == ["Indicateur inconnu : « maison-de-b »."]
    assert reponses[1].json()["indicateur"] == ["Indicateur inconnu : « nexiste-pas »."]


# --- Limite de débit anonyme : l'adresse du client comme la lit allauth ------------------------


@pytest.fixture
def limite_anonyme_de_deux(monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "2/hour", "user": "2/hour"})


def _statuts(client, *xff: str) -> list[int]:
    return [client.get("/api/schema/", HTTP_X_FORWARDED_FOR=x).status_code for x in xff]


def test_la_limite_anonyme_suit_le_nombre_de_mandataires_d_allauth(settings):
    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == settings.ALLAUTH_TRUSTED_PROXY_COUNT


def test_sans_mandataire_x_forwarded_for_ne_contourne_pas_la_limite(db, limite_anonyme_de_deux):
    statuts = _statuts(APIClient(), "198.51.100.1", "198.51.100.2", "198.51.100.3")
    assert statuts == [200, 200, 429]


def test_derriere_un_mandataire_l_adresse_qu_il_ajoute_compte(db, settings, limite_anonyme_de_deux):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    client = APIClient()
    # Le client forge la première adresse; le mandataire ajoute la vraie (203.0.113.7).
    assert _statuts(client, "1.1.1.1, 203.0.113.7", "2.2.2.2, 203.0.113.7") == [200, 200]
    assert _statuts(client, "3.3.3.3, 203.0.113.7") == [429]
    assert _statuts(client, "203.0.113.8") == [200]  # une autre personne derrière le mandataire


@pytest.mark.parametrize(
    ("corps", "cite"),
    [
        ('"changement": 1e400', "inf"),  # l'infini de JSON : une erreur 500 avant
        ('"changement": -1e400', "-inf"),
        ('"changement": 2.5', "2.5"),
        ('"changement": "abc"', "abc"),  # « Changement visé inconnu : str. » avant
        ('"changement": true', "True"),
        ('"changement": [1]', "[1]"),
    ],
)
def test_un_changement_qui_n_est_pas_un_entier_repond_400_en_le_citant(
    monde, alice, quartier_a, corps, cite
):
    reponse = client_de(alice, "jeton").post(
        f"{API}/apprentissages/",
        f'{{"quartier": "{quartier_a.slug}", "periode": "2025-T1", "categorie": "defis", '
        f'"texte_fr": "x", {corps}}}',
        content_type="application/json",
    )
    assert reponse.status_code == 400, reponse.content
    assert reponse.json() == {
        "changement": [
            f"Changement visé inconnu : « {cite} » (son identifiant est un nombre entier)."
        ]
    }
    assert not Apprentissage.objects.exists()
