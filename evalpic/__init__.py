"""Paquet de configuration d'ÉvalPIC (réglages, URL, Celery, vues transversales)."""

from evalpic.celery import app as celery_app

__all__ = ["celery_app"]
