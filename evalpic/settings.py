"""Réglages d'ÉvalPIC : un seul module, lu depuis l'environnement (django-environ).

Valeurs par défaut sûres pour le développement : SQLite et tâches exécutées dans le processus
quand ni DATABASE_URL ni CELERY_BROKER_URL ne sont définis. En production (DEBUG faux), une
SECRET_KEY absente fait échouer le démarrage. Chaque variable est listée dans `.env.example`.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)

_CLE_DE_DEVELOPPEMENT = "dev-uniquement-cle-non-secrete-evalpic"
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY est obligatoire quand DJANGO_DEBUG est faux (production)."
        )
    SECRET_KEY = _CLE_DE_DEVELOPPEMENT
# Les clés d'avant une rotation, séparées par des virgules : les sessions, les liens de
# réinitialisation et les secrets de double authentification (evalpic.adaptateur_mfa) signés ou
# chiffrés avec elles restent lisibles jusqu'à ce qu'on les retire.
SECRET_KEY_FALLBACKS = env.list("DJANGO_SECRET_KEY_FALLBACKS", default=[])

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# Adresse publique, base des liens des courriels (evalpic.adresses.adresse_absolue). Le défaut ne
# sert qu'au poste local : en production, `manage.py check --deploy` avertit (evalpic.W001, W002)
# tant qu'elle n'est pas en https ou vise la machine locale (evalpic.verifications).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "evalpic",
    "quartiers",
    "indicateurs",
    "rapports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # /sante/ avant le contrôle du nom d'hôte : la sonde de compose l'appelle par 127.0.0.1.
    "evalpic.sante.SondeDeSanteMiddleware",
    "evalpic.securite.PolitiqueDeContenuMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "evalpic.middleware.LangueMiddleware",
    "evalpic.securite.TailleDeRequeteMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "evalpic.mfa.MfaObligatoireMiddleware",
    "evalpic.middleware.FormulaireInvalideMiddleware",
]

ROOT_URLCONF = "evalpic.urls"
WSGI_APPLICATION = "evalpic.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]
# Le moteur de formulaires de Django, les widgets courants écrits en Python (même HTML, voir
# evalpic/rendu_formulaires.py).
FORM_RENDERER = "evalpic.rendu_formulaires.RenduDesFormulaires"

# Base de données : SQLite embarquée par défaut, PostgreSQL dès que DATABASE_URL est défini.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "quartiers.Utilisateur"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accueil"

# django-allauth : connexion par courriel, pas d'inscription publique (les comptes sont créés
# par un·e admin), réinitialisation du mot de passe par courriel, MFA (TOTP) disponible.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_ADAPTER = "quartiers.adapters.AdaptateurCompte"
ACCOUNT_FORMS = {
    "login": "quartiers.forms.ConnexionForm",
    "reset_password": "quartiers.forms.ReinitialisationMotDePasseForm",
    "add_email": "quartiers.forms.AjoutCourrielForm",
}
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
# Ajouter, retirer ou rendre principal un courriel (l'identifiant de connexion) demande le mot de
# passe depuis moins de cinq minutes : une session volée ne suffit pas à détourner le compte
# (quartiers.views_courriels).
ACCOUNT_REAUTHENTICATION_REQUIRED = True
# Pas d'inscription publique : aucun courriel à une adresse inconnue (allauth y proposerait de
# s'inscrire); la réponse de la page reste la même, qu'un compte existe ou non.
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
# Pas d'ACCOUNT_EMAIL_SUBJECT_PREFIX : le préfixe des sujets (« ÉvalPIC : », « ÉvalPIC: » en
# anglais) se traduit dans la langue du courriel (AdaptateurCompte.format_email_subject).
ACCOUNT_RATE_LIMITS = {"login_failed": "5/5m/ip,5/5m/key"}
# Derrière un mandataire inverse (nginx, répartiteur), REMOTE_ADDR est celui du mandataire : sans
# ce nombre de mandataires de confiance (lus dans X-Forwarded-For), la limite par adresse IP
# compterait les échecs de tout le monde ensemble et bloquerait tout le monde.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("ALLAUTH_TRUSTED_PROXY_COUNT", default=0)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "ÉvalPIC"
# Les clés TOTP et les graines des codes de récupération sont chiffrées en base
# (evalpic.adaptateur_mfa), avec une clé dérivée de EVALPIC_MFA_CLE, ou de SECRET_KEY si elle
# est vide. La changer sans garder l'ancienne (dans SECRET_KEY_FALLBACKS) rend ces secrets
# illisibles : mieux vaut une EVALPIC_MFA_CLE propre, qui ne change pas avec SECRET_KEY.
MFA_ADAPTER = "evalpic.adaptateur_mfa.AdaptateurMfa"
EVALPIC_MFA_CLE = env.str("EVALPIC_MFA_CLE", default="")
# allauth refuse d'activer un authentificateur tant qu'une adresse du compte n'est pas vérifiée
# (contre qui s'inscrirait avec l'adresse d'un autre pour l'enfermer dehors). Ici personne ne
# s'inscrit : les comptes sont créés par l'administration et les adresses ne se vérifient pas
# (ACCOUNT_EMAIL_VERIFICATION). Sans ce réglage, ouvrir /comptes/email/ crée une adresse « non
# vérifiée », et l'évaluation, à qui la MFA est exigée, ne peut plus l'activer ni rien ouvrir.
MFA_ALLOW_UNVERIFIED_EMAIL = True
# Vrai : l'évaluation et l'administration doivent activer la MFA (TOTP) avant toute autre page
# (evalpic.mfa.MfaObligatoireMiddleware); l'API leur répond 403 tant qu'elle manque.
EVALPIC_MFA_OBLIGATOIRE = env.bool("EVALPIC_MFA_OBLIGATOIRE", default=False)

# Cache : les limites de débit (connexion, API) y comptent les essais. Par défaut en mémoire,
# propre à chaque processus; avec plusieurs workers gunicorn, un cache partagé (Redis :
# CACHE_URL=redis://hote:6379/2) fait valoir la limite pour tous les processus ensemble.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # Redis en panne : chaque processus compte en mémoire au lieu de répondre 500.
    CACHES["default"]["BACKEND"] = "evalpic.cache.RedisAvecRepli"

# Courriel : console par défaut, SMTP dès que EMAIL_URL est défini (smtp://…). En production,
# `manage.py check --deploy` avertit tant que les courriels vont à la console (evalpic.W004) ou
# partent de l'adresse d'exemple (evalpic.W003).
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="ÉvalPIC <evalpic@example.org>")

# Langues : le français d'abord, l'anglais complet.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Les dates courtes de l'anglais en ISO 8601 (evalpic/formats/en/formats.py), pas en mois/jour.
FORMAT_MODULE_PATH = ["evalpic.formats"]
TIME_ZONE = "America/Montreal"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
# Aucun fichier de MEDIA_ROOT n'est servi tel quel : les fichiers des bilans passent par
# /bilans/<id>/fichier.<format>, qui revérifie l'accès à chaque téléchargement.
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_STORAGE",
            default="django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}

# API REST : session (navigateur) et jetons personnels; les mêmes droits que l'interface.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "evalpic.api.auth.JetonAuthentication",
        "evalpic.api.auth.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "evalpic.api.commun.Pagination",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "evalpic.api.tri.TriStable",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "evalpic.api.commun.AnalyseurJSON",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
        "evalpic.api.commun.RenduCSV",
    ],
    # `?format=` vérifié pour toute vue de l'API, racine et schéma compris.
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "evalpic.api.negociation.NegociationVerifiee",
    "DEFAULT_SCHEMA_CLASS": "evalpic.api.schema.SchemaAuto",
    "VIEW_DESCRIPTION_FUNCTION": "evalpic.api.schema.description_de_la_vue",
    "EXCEPTION_HANDLER": "evalpic.api.commun.gestionnaire_d_erreurs",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.UserRateThrottle",
        "rest_framework.throttling.AnonRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": env.str("API_LIMITE_UTILISATEUR", default="2000/hour"),
        "anon": env.str("API_LIMITE_ANONYME", default="60/hour"),
    },
    # L'adresse du client, pour la limite anonyme : lue comme allauth la lit (REMOTE_ADDR, ou
    # l'entrée de X-Forwarded-For ajoutée par le dernier mandataire de confiance); sans ce
    # réglage, DRF prend tout l'en-tête, qu'un client forge à chaque requête.
    "NUM_PROXIES": ALLAUTH_TRUSTED_PROXY_COUNT,
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ÉvalPIC API",
    # Traduite à chaque requête, comme chaque texte du schéma (evalpic.api.schema).
    "DESCRIPTION": _(
        "Indicateurs d'impact collectif des quartiers du PIC (Centraide du Grand Montréal)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Après celui de drf-spectacular : la description de chaque tag (evalpic.api.schema.TAGS).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "evalpic.api.schema.decrire_les_tags",
    ],
}

# Celery : sans CELERY_BROKER_URL, les tâches s'exécutent dans le processus (mode embarqué).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# Redis arrêté ou figé : sans délai de socket, kombu attend indéfiniment une réponse, et la page
# qui met un bilan en file reste bloquée. Avec ces délais, l'envoi échoue en 2 s au plus
# (aussitôt si Redis refuse la connexion : evalpic.taches.TacheSansAttente).
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 2}

# Heures de Montréal (CELERY_TIMEZONE). Le calendrier passe juste après minuit (avant l'heure
# des changements d'heure, 2 h) : le statut des périodes dans les listes suit le jour qui
# commence; ce qui s'écrit et se soumet suit le calendrier même avant son passage
# (Periode.statut_du_jour). Les rappels partent le matin; le rattrapage reprend ceux qu'un
# worker arrêté a laissés réservés sans les envoyer (EVALPIC_RAPPEL_DELAI_REPRISE).
CELERY_BEAT_SCHEDULE: dict = {
    "planifier-periodes": {
        "task": "indicateurs.planifier_periodes",
        "schedule": crontab(hour=0, minute=1),
    },
    "envoyer-rappels": {
        "task": "indicateurs.envoyer_rappels",
        "schedule": crontab(hour=8, minute=0),
    },
    "reprendre-rappels": {
        "task": "indicateurs.reprendre_rappels",
        "schedule": crontab(minute="*/15"),
    },
    "planifier-bilans": {
        "task": "rapports.planifier_bilans",
        "schedule": crontab(hour=2, minute=0),
    },
    "recuperer-bilans-bloques": {
        "task": "rapports.recuperer_bilans_bloques",
        "schedule": crontab(minute="*/5"),
    },
    "nettoyer-fichiers-bilans": {
        "task": "rapports.nettoyer_fichiers_orphelins",
        "schedule": crontab(hour=3, minute=30),
    },
    # Les avis « bilan prêt » restés sans envoi (envoi raté, worker arrêté) repartent.
    "reprendre-avis-bilans": {
        "task": "rapports.reprendre_avis_bilans",
        "schedule": crontab(minute="*/15"),
    },
    # Les sessions sont en base : sans ce ménage, les sessions expirées y restent pour toujours.
    "purger-sessions-expirees": {
        "task": "evalpic.purger_sessions_expirees",
        "schedule": crontab(hour=4, minute=15),
    },
}

# `manage.py charger_demo` crée des comptes au mot de passe publié (README) et écrit des données
# fictives dans les vrais quartiers : sans autre précaution en développement seulement
# (DJANGO_DEBUG vrai, que pose scripts/demarrer.sh). Lu une fois ici, au démarrage : pytest-django
# remet DEBUG à faux pendant les tests, pas ce réglage. En production, la commande demande
# --production-de-demonstration (que passe le service demo de compose) et refuse une base qui
# contient des données réelles (quartiers/management/commands/charger_demo.py).
EVALPIC_DEMO_PERMISE = DEBUG

# Bilans : au-delà de ce délai (secondes), un bilan « en cours » est tenu pour abandonné par un
# worker arrêté et repris; après ce nombre de tentatives, il passe en échec.
EVALPIC_BILAN_DELAI_BLOQUE = env.int("EVALPIC_BILAN_DELAI_BLOQUE", default=900)
EVALPIC_BILAN_TENTATIVES_MAX = env.int("EVALPIC_BILAN_TENTATIVES_MAX", default=3)
# Bilans qu'une personne peut demander par heure glissante, depuis la page ou l'API (chacun coûte
# un worker et chromium quelques secondes, et ses fichiers restent); au-delà : 429. Les bilans
# planifiés ne comptent pas. 0 : aucune limite (le banc d'essai en mesure des dizaines).
EVALPIC_BILANS_PAR_HEURE = env.int("EVALPIC_BILANS_PAR_HEURE", default=10)
# Tranches du PDF du bilan du PIC, peintes en parallèle par autant de tâches (rapports.repartition).
EVALPIC_BILAN_TRANCHES_PDF = env.int("EVALPIC_BILAN_TRANCHES_PDF", default=2)
# Onglets de chromium que le serveur kaleido d'un processus de worker utilise en parallèle pour
# dessiner les graphiques d'un bilan : 4 occupent deux cœurs à eux seuls (le plus rapide avec un
# seul processus); 1 fait d'un processus de worker une unité de calcul, que l'on multiplie avec
# --concurrency ou des machines (voir le banc des bilans dans le README).
EVALPIC_KALEIDO_ONGLETS = env.int("EVALPIC_KALEIDO_ONGLETS", default=1)

# Saisie trimestrielle : calendrier, rappels et contrôle des valeurs inhabituelles.
EVALPIC_OUVERTURE_JOURS_AVANT_FIN = env.int("EVALPIC_OUVERTURE_JOURS_AVANT_FIN", default=14)
EVALPIC_ECHEANCE_JOURS_APRES_FIN = env.int("EVALPIC_ECHEANCE_JOURS_APRES_FIN", default=30)
EVALPIC_FERMETURE_JOURS_APRES_ECHEANCE = env.int(
    "EVALPIC_FERMETURE_JOURS_APRES_ECHEANCE", default=60
)
EVALPIC_RAPPEL_JOURS_AVANT_ECHEANCE = env.int("EVALPIC_RAPPEL_JOURS_AVANT_ECHEANCE", default=7)
# Un rappel réservé depuis plus de ce délai (secondes) sans être parti (worker tué entre la
# réservation et l'envoi) est repris par le rattrapage ou le passage suivant.
EVALPIC_RAPPEL_DELAI_REPRISE = env.int("EVALPIC_RAPPEL_DELAI_REPRISE", default=600)
# Délai (secondes) de chaque opération SMTP (connexion, puis chaque échange) : sans lui, un
# serveur figé garde un envoi indéfiniment. Un rappel en train de partir depuis plus de
# EVALPIC_RAPPEL_DELAI_REPRISE serait tenu pour abandonné, repris et envoyé deux fois
# (indicateurs.periodes) : un envoi enchaîne une dizaine d'échanges (connexion, EHLO, STARTTLS,
# AUTH, MAIL, RCPT, DATA, QUIT), d'où le démarrage refusé si ce délai ne tient pas dix fois
# dans celui de la reprise.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=60)
if not 0 < EMAIL_TIMEOUT * 10 <= EVALPIC_RAPPEL_DELAI_REPRISE:
    raise ImproperlyConfigured(
        f"EMAIL_TIMEOUT ({EMAIL_TIMEOUT} s) doit être positif et tenir au moins dix fois dans "
        f"EVALPIC_RAPPEL_DELAI_REPRISE ({EVALPIC_RAPPEL_DELAI_REPRISE} s) : un rappel encore "
        "en train de partir serait repris et envoyé deux fois."
    )
EVALPIC_ABERRATION_SCORE_Z = env.float("EVALPIC_ABERRATION_SCORE_Z", default=3.5)
EVALPIC_ABERRATION_SAUT = env.float("EVALPIC_ABERRATION_SAUT", default=0.5)

# Envois : un fichier d'import (CSV, XLSX) fait au plus EVALPIC_IMPORT_TAILLE_MAX octets; un
# corps de requête plus gros que ce fichier et les autres champs est refusé (400) avant d'être
# lu (evalpic.securite.TailleDeRequeteMiddleware). Le formulaire trimestriel envoie 5 champs
# par indicateur suivi (valeur, non disponible, raison, commentaire, lien) : 1 000 champs, le
# défaut de Django, laisseraient moins de 200 indicateurs; 10 000 en laissent près de 2 000.
EVALPIC_IMPORT_TAILLE_MAX = env.int("EVALPIC_IMPORT_TAILLE_MAX", default=5 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# Politique de sécurité du contenu (CSP), posée sur chaque page HTML par
# evalpic.securite.PolitiqueDeContenuMiddleware. Seuls nos scripts s'exécutent : plotly.js
# (js/plotly-cartesian.min.js) et js/graphiques.js; les figures voyagent dans des
# <script type="application/json"> (json_script), que le navigateur n'exécute pas.
# style-src garde 'unsafe-inline' : plotly.js insère ses propres règles <style> et pose des
# attributs style sur chaque élément qu'il dessine, sans quoi les graphiques s'affichent mal (de
# même Swagger UI et ReDoc). Un style injecté n'exécute aucun code; le risque restant (masquer
# ou maquiller une partie de la page) est bien moindre que celui d'un script.
# img-src accepte data: : les codes QR d'activation TOTP d'allauth et les images des graphiques.
EVALPIC_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}

# Sécurité : les réglages de production s'activent quand DEBUG est faux.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# /sante/ n'est jamais redirigé vers https : la sonde de santé de compose l'appelle en HTTP
# depuis le conteneur (evalpic.sante.SondeDeSanteMiddleware). Chemin sans la barre initiale.
SECURE_REDIRECT_EXEMPT = [r"^sante/$"]
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Un seul gestionnaire, celui de la racine : le journal « django » perd la console que Django lui
# donne en développement (chaque ligne de django.request s'écrivait deux fois) et passe par la
# racine. django.request écrit un refus (403, 400…) en une ligne, sans la pile de l'exception
# (evalpic.journal.SansPileDesErreursDuClient); une erreur 500 garde la sienne.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"sans_pile_4xx": {"()": "evalpic.journal.SansPileDesErreursDuClient"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django": {"handlers": [], "propagate": True},
        "django.request": {"filters": ["sans_pile_4xx"]},
        # Bavards à INFO (une ligne par page de PDF, par onglet de chromium) : avertissements.
        **{
            nom: {"level": "WARNING"}
            for nom in (
                "choreographer",
                "kaleido",
                "weasyprint",
                "weasyprint.progress",
                "fontTools",
            )
        },
    },
}
