"""Test de charge d'ÉvalPIC (locust), lancé par `scripts/charge.sh` contre gunicorn sur les
données d'échelle. Trois scénarios, pondérés pour 50 utilisateurs (20 / 20 / 10) :

- **coordination** : chaque personne ouvre le formulaire trimestriel de *son* quartier, corrige
  quelques valeurs, enregistre le brouillon (jeton CSRF, version pour le verrou optimiste), relit
  la page (nouvelle version); parfois sa boîte de saisie ou l'historique;
- **conseil** : les tableaux de bord de ses quartiers (vue d'ensemble, tableau d'un quartier, un
  indicateur entre quartiers, théorie du changement, CSV), avec ou sans filtres;
- **outil** : un script muni d'un jeton personnel (`Authorization: Bearer evp_…`) qui lit les
  valeurs de sa table par curseur, lit ses saisies et écrit parfois un lot de valeurs
  (`If-Match`).

Chaque personne charge aussi, à sa première visite, les feuilles de style et scripts des pages
(servis par whitenoise, compressés), puis les garde en cache comme un navigateur.

Toute réponse autre que celle attendue (2xx, ou la redirection attendue) compte comme une
erreur, 409 et 429 compris. Chaque utilisateur virtuel passe comme par le mandataire TLS de la
production : `X-Forwarded-Proto: https` (cookies sécurisés et redirection HTTPS restent actifs)
et `X-Forwarded-For` avec sa propre adresse (lue par allauth avec
`ALLAUTH_TRUSTED_PROXY_COUNT=1` : la limite de connexions par adresse IP reste celle de la
production, au lieu de compter 40 personnes sur la seule 127.0.0.1).

Lit les comptes dans `$CHARGE_COMPTES` (écrit par `python -m benchmarks.preparer_charge`) et
écrit le résumé par scénario dans `$CHARGE_RESUME`.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
from collections import Counter, defaultdict
from http.cookiejar import DefaultCookiePolicy
from urllib.parse import urlencode, urlsplit

from locust import FastHttpUser, between, events, task

from benchmarks.charge_commun import (
    Mesure,
    champs_du_formulaire,
    corriger,
    regrouper,
    resumer,
    valeur_voisine,
)

with open(os.environ["CHARGE_COMPTES"], encoding="utf-8") as _fichier:
    COMPTES = json.load(_fichier)

SEPARATEUR = " · "
STATIQUES = re.compile(r'(?:href|src)="(/static/[^"]+)"')
_adresses = itertools.count()
DELAI = 30.0  # au-delà, une requête est en échec (comme le délai des workers de gunicorn)


class _PolitiqueDeCookies(DefaultCookiePolicy):
    """Renvoie aussi les cookies « Secure » : pour le serveur, la connexion est en HTTPS (le
    mandataire simulé), même si locust lui parle en HTTP sur 127.0.0.1."""

    def return_ok_secure(self, cookie, request) -> bool:
        return True


class Personne(FastHttpUser):
    """Une personne (ou un outil) derrière le mandataire TLS; chaque compte sert une seule fois."""

    abstract = True
    network_timeout = DELAI
    connection_timeout = DELAI
    role = role_court = ""
    rangs = itertools.count()

    def __init__(self, environment) -> None:
        numero = next(_adresses)
        self.default_headers = {
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": f"10.0.{numero // 250}.{numero % 250 + 1}",
        }
        super().__init__(environment)
        self.client.cookiejar.set_policy(_PolitiqueDeCookies())
        self.en_cache: set[str] = set()

    def prendre_compte(self) -> dict:
        comptes = COMPTES[self.role]
        rang = next(type(self).rangs)
        if rang >= len(comptes):
            raise RuntimeError(
                f"Plus assez de comptes « {self.role} » ({len(comptes)}) : relancez "
                f"benchmarks.preparer_charge avec plus de comptes."
            )
        return comptes[rang]

    def origine(self) -> str:
        return "https://" + urlsplit(self.host).netloc

    def attendre(self, reponse, nom: str, statut: int = 200) -> bool:
        """Marque la réponse (ouverte avec catch_response) en échec si son statut diffère."""
        if reponse.status_code != statut:
            extrait = (reponse.text or "")[:300].replace("\n", " ")
            reponse.failure(f"{nom} : {reponse.status_code} au lieu de {statut} — {extrait}")
            return False
        return True

    def se_connecter(self, courriel: str) -> None:
        with self.client.get(
            "/comptes/login/", name="connexion" + SEPARATEUR + "page", catch_response=True
        ) as page:
            if not self.attendre(page, "page de connexion"):
                return
        self.charger_statiques(page.text)
        jeton = champs_du_formulaire(page.text, "formulaire").get("csrfmiddlewaretoken", "")
        donnees = {
            "csrfmiddlewaretoken": jeton,
            "login": courriel,
            "password": COMPTES["mot_de_passe"],
        }
        with self.client.post(
            "/comptes/login/",
            data=donnees,
            headers={"Origin": self.origine()},
            allow_redirects=False,
            name="connexion" + SEPARATEUR + "se connecter",
            catch_response=True,
        ) as reponse:
            # Une redirection vers /comptes/ (connexion refusée, étape MFA) n'est pas une session.
            if self.attendre(reponse, "connexion", 302) and "/comptes/" in reponse.headers.get(
                "Location", ""
            ):
                reponse.failure(f"connexion inachevée : {reponse.headers['Location']}")

    def lire(self, url: str, nom: str, **kwargs):
        with self.client.get(
            url,
            name=self.role_court + SEPARATEUR + nom,
            allow_redirects=False,
            catch_response=True,
            **kwargs,
        ) as reponse:
            self.attendre(reponse, nom)
        if reponse.status_code == 200 and "html" in reponse.headers.get("Content-Type", ""):
            self.charger_statiques(reponse.text)
        return reponse

    def charger_statiques(self, page: str) -> None:
        """Les feuilles de style et scripts de la page, une fois par personne : ensuite, le
        navigateur les garde en cache (noms à empreinte de whitenoise)."""
        for chemin in STATIQUES.findall(page):
            if chemin not in self.en_cache:
                self.en_cache.add(chemin)
                self.client.get(chemin, name="statique" + SEPARATEUR + "première visite")


# --- Coordination -------------------------------------------------------------------------------


class Coordination(Personne):
    """Saisit le trimestre ouvert de son quartier (le sien seul : aucun conflit attendu)."""

    weight = 2
    wait_time = between(3, 8)  # le temps de corriger quelques valeurs
    role, role_court = "coordinations", "coordination"
    rangs = itertools.count()

    def on_start(self) -> None:
        self.compte = self.prendre_compte()
        self.rng = random.Random(self.compte["courriel"])
        self.url = f"/quartiers/{self.compte['quartier']}/saisies/{COMPTES['periode']}/"
        self.se_connecter(self.compte["courriel"])
        self.ouvrir("ouvrir le formulaire")

    def ouvrir(self, nom: str) -> None:
        reponse = self.lire(self.url, nom)
        self.champs = champs_du_formulaire(reponse.text or "", "saisie")

    @task(6)
    def enregistrer(self) -> None:
        if "version" not in self.champs:
            self.ouvrir("ouvrir le formulaire")
            return
        donnees = corriger(self.champs, self.compte["indicateurs"], self.rng)
        donnees["action"] = "enregistrer"
        with self.client.post(
            self.url,
            data=donnees,
            headers={"Origin": self.origine(), "Referer": self.origine() + self.url},
            allow_redirects=False,
            name="coordination" + SEPARATEUR + "enregistrer le brouillon",
            catch_response=True,
        ) as reponse:
            if self.attendre(reponse, "enregistrer", 302):
                chemin = urlsplit(reponse.headers.get("Location", "")).path
                if chemin != self.url:
                    reponse.failure(f"redirection inattendue vers {chemin}")
        self.ouvrir("relire après l'enregistrement")  # la nouvelle version

    @task(1)
    def boite(self) -> None:
        self.lire("/saisie/", "boîte de saisie")

    @task(1)
    def historique(self) -> None:
        self.lire(self.url + "historique/", "historique de la saisie")


# --- Conseil ------------------------------------------------------------------------------------


class Conseil(Personne):
    """Lit les tableaux de bord des quartiers qu'il ou elle suit."""

    weight = 2
    wait_time = between(2, 6)  # le temps de lire une page
    role, role_court = "conseils", "conseil"
    rangs = itertools.count()

    def on_start(self) -> None:
        self.compte = self.prendre_compte()
        self.rng = random.Random(self.compte["courriel"])
        self.se_connecter(self.compte["courriel"])

    def filtres(self) -> str:
        """Une fois sur deux, des filtres (intervalle de périodes, thème ou famille)."""
        if self.rng.random() < 0.5:
            return ""
        periodes = COMPTES["periodes"]
        fin = self.rng.randrange(8, len(periodes))
        filtres = {"debut": periodes[fin - self.rng.choice((4, 8))], "fin": periodes[fin]}
        if self.rng.random() < 0.5:
            filtres["theme"] = self.rng.choice(COMPTES["themes"])
        else:
            filtres["famille"] = self.rng.choice(COMPTES["familles"])
        return "?" + urlencode(filtres)

    def quartier(self) -> str:
        return self.rng.choice(self.compte["quartiers"])

    @task(2)
    def vue_d_ensemble(self) -> None:
        self.lire("/tableau-de-bord/" + self.filtres(), "vue d'ensemble")

    @task(3)
    def tableau_quartier(self) -> None:
        url = f"/tableau-de-bord/quartiers/{self.quartier()}/"
        self.lire(url + self.filtres(), "tableau d'un quartier")

    @task(2)
    def indicateur(self) -> None:
        url = f"/tableau-de-bord/indicateurs/{self.rng.choice(COMPTES['indicateurs'])}/"
        self.lire(url + self.filtres(), "un indicateur entre quartiers")

    @task(1)
    def theorie(self) -> None:
        url = f"/tableau-de-bord/quartiers/{self.quartier()}/theorie-du-changement/"
        self.lire(url, "théorie du changement")

    @task(1)
    def csv(self) -> None:
        url = f"/tableau-de-bord/quartiers/{self.quartier()}/?csv=series"
        self.lire(url, "CSV d'un quartier")


# --- Outil (API) --------------------------------------------------------------------------------


class Outil(Personne):
    """Un script d'une table, avec son jeton personnel : lectures et écritures groupées."""

    weight = 1
    wait_time = between(0.5, 2)
    role, role_court = "outils", "outil"
    rangs = itertools.count()
    PAGES = 5

    def on_start(self) -> None:
        self.compte = self.prendre_compte()
        self.rng = random.Random(self.compte["courriel"])
        self.entetes = {"Authorization": f"Bearer {self.compte['jeton']}"}
        self.saisie: int | None = None

    @task(3)
    def valeurs(self) -> None:
        """Les valeurs des deux dernières années, page après page (curseur)."""
        periodes = COMPTES["periodes"]
        filtres = {"quartier": self.compte["quartier"], "periode_debut": periodes[-8]}
        url, nom = "/api/v1/valeurs/?" + urlencode(filtres), "valeurs (1re page)"
        for _page in range(self.PAGES):
            reponse = self.lire(url, nom, headers=self.entetes)
            suivante = reponse.status_code == 200 and reponse.json().get("next")
            if not suivante:
                return
            # Le lien « next » est en https (derrière le mandataire) : on garde chemin et requête.
            morceaux = urlsplit(suivante)
            url, nom = f"{morceaux.path}?{morceaux.query}", "valeurs (page suivante)"

    @task(2)
    def saisies(self) -> None:
        url = "/api/v1/saisies/?" + urlencode({"quartier": self.compte["quartier"]})
        reponse = self.lire(url, "saisies du quartier", headers=self.entetes)
        if reponse.status_code == 200:
            for saisie in reponse.json()["results"]:
                if saisie["periode"] == COMPTES["periode"]:
                    self.saisie = saisie["id"]
        if self.saisie:
            self.lire(f"/api/v1/saisies/{self.saisie}/", "une saisie", headers=self.entetes)

    @task(1)
    def ecrire(self) -> None:
        """Un lot de dix valeurs voisines, écrit sur la version lue (If-Match)."""
        if not self.saisie:
            self.saisies()
            return
        url = f"/api/v1/saisies/{self.saisie}/"
        lue = self.lire(url, "une saisie", headers=self.entetes)
        if lue.status_code != 200:
            return
        numeriques = [i for i in self.compte["indicateurs"] if i["unite"] != "texte"]
        lot = [
            {"indicateur": i["code"], "valeur": valeur_voisine(i["unite"], i["valeur"], self.rng)}
            for i in self.rng.sample(numeriques, min(10, len(numeriques)))
        ]
        with self.client.put(
            url + "valeurs/",
            json={"valeurs": lot, "motif": "test de charge"},
            headers={**self.entetes, "If-Match": lue.headers.get("ETag", "")},
            name="outil" + SEPARATEUR + "écrire un lot de valeurs",
            catch_response=True,
        ) as reponse:
            self.attendre(reponse, "écrire un lot")


# --- Résumé par scénario ------------------------------------------------------------------------

REGIME = 10.0  # le régime établi commence 10 s après le lancement du dernier utilisateur
_mesures: dict[str, list[Mesure]] = defaultdict(list)
_exemples: Counter = Counter()
_instants: dict[str, float] = {}
_utilisateurs: list[int] = [0]


@events.test_start.add_listener
def _au_depart(**_kwargs) -> None:
    _instants["debut"] = time.perf_counter()


@events.spawning_complete.add_listener
def _tous_lances(user_count: int, **_kwargs) -> None:
    _utilisateurs[0] = user_count
    _instants["regime"] = time.perf_counter() + REGIME


@events.request.add_listener
def _a_chaque_requete(name: str, response_time: float, exception=None, **_kwargs) -> None:
    _mesures[name].append(Mesure(time.perf_counter(), response_time, exception is not None))
    if exception is not None:
        _exemples[str(exception)[:200]] += 1


@events.test_stop.add_listener
def _a_la_fin(**_kwargs) -> None:
    fin = time.perf_counter()
    debut = _instants.get("debut", fin)
    regime = min(_instants.get("regime", fin), fin)
    resume = {
        "utilisateurs": _utilisateurs[0],
        "secondes": fin - debut,
        "secondes_regime": fin - regime,
        "scenarios": resumer(*regrouper(_mesures, SEPARATEUR), fin - debut),
        "scenarios_regime": resumer(*regrouper(_mesures, SEPARATEUR, depuis=regime), fin - regime),
        "requetes": resumer(*regrouper(_mesures), fin - debut),
        "exemples_d_erreurs": dict(_exemples.most_common(10)),
    }
    chemin = os.environ.get("CHARGE_RESUME")
    if chemin:
        with open(chemin, "w", encoding="utf-8") as fichier:
            json.dump(resume, fichier, ensure_ascii=False, indent=1)
