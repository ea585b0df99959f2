# ÉvalPIC : une seule image pour tous les rôles (web, worker, beat, démo) ; la commande choisit le
# rôle. docker-compose.yml montre la pile complète. Construction : `docker build -t evalpic .`
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=evalpic.settings \
    STATICFILES_STORAGE=whitenoise.storage.CompressedManifestStaticFilesStorage \
    MEDIA_ROOT=/app/media

# Paquets système d'exécution, surtout pour le worker qui produit les bilans :
# - chromium et des polices : kaleido 1.x (Plotly -> SVG) trouve le chromium de Debian tout seul,
#   sans rien télécharger ;
# - pango, harfbuzz, fontconfig : WeasyPrint (HTML -> PDF) ;
# - gettext : msgfmt, pour `compilemessages` plus bas.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        chromium \
        fonts-liberation \
        fonts-dejavu-core \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz0b \
        libharfbuzz-subset0 \
        fontconfig \
        gettext \
    && rm -rf /var/lib/apt/lists/*

# Utilisateur sans privilèges. Le code reste à root (lecture seule pour l'application) ; seul
# media/ est modifiable. Le HOME sert au profil de chromium.
RUN groupadd --system --gid 10001 evalpic \
    && useradd --system --uid 10001 --gid evalpic --home-dir /home/evalpic --create-home \
        --shell /usr/sbin/nologin evalpic

WORKDIR /app

# Les dépendances d'abord, lues dans pyproject.toml : cette couche reste en cache tant que seul le
# code change.
COPY pyproject.toml ./
RUN python -c "import tomllib; deps = tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']; open('/tmp/requirements.txt', 'w').write('\n'.join(deps))" \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# Puis le projet lui-même. PYTHONPATH=/app fait importer le code de /app (et non la copie de
# site-packages) : BASE_DIR vaut /app, et templates/, static/, locale/ et fixtures/ s'y trouvent.
COPY . .
RUN pip install . \
    && rm -rf build ./*.egg-info

# Traductions et fichiers statiques construits dans l'image (clé jetable : aucun secret ici).
# locale/ peut encore être vide : compilemessages demande seulement qu'il existe.
RUN mkdir -p locale \
    && DJANGO_SECRET_KEY=build-only-not-secret python manage.py compilemessages \
    && DJANGO_SECRET_KEY=build-only-not-secret python manage.py collectstatic --noinput \
    && mkdir -p /app/media \
    && chown evalpic:evalpic /app/media

USER evalpic

EXPOSE 8000

# gunicorn lit ces variables : 5 workers sync (2 × cœurs + 1, le meilleur réglage mesuré par
# scripts/charge.sh sur 2 cœurs; à ajuster par WEB_CONCURRENCY), et un délai de 300 s pour qu'un
# gros export CSV en flux (/export/valeurs.csv) ne soit pas coupé en route.
ENV WEB_CONCURRENCY=5 \
    GUNICORN_CMD_ARGS="--timeout 300"

CMD ["gunicorn", "evalpic.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
