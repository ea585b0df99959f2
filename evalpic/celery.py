"""L'application Celery. Sans CELERY_BROKER_URL, les tâches s'exécutent dans le processus."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "evalpic.settings")

app = Celery("evalpic")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
