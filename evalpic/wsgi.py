"""Point d'entrée WSGI (gunicorn).

Une fois l'application chargée (réglages, applications, adresses et vues), ce qu'elle a créé est
gelé pour le ramasse-miettes (`gc.freeze`) : ~145 000 objets qui vivent autant que le processus.
Sans cela, chaque collecte complète les parcourt tous (~80 ms), à peu près une fois toutes les
trois vues d'ensemble du PIC. Mesuré sur les données d'échelle : temps de ramasse-miettes
moyen par page de 40 à 8 ms pour la vue d'ensemble, de 13 à 3,5 ms pour le tableau d'un
quartier (la médiane ne bouge pas : ce sont les requêtes qui tombent sur une collecte complète
qui raccourcissent).
"""

import gc
import os

from django.core.wsgi import get_wsgi_application

from evalpic.demarrage import charger_les_adresses

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "evalpic.settings")

application = get_wsgi_application()


def _geler_ce_qui_est_charge() -> None:
    """Charge les adresses (et donc les vues de chaque application), puis gèle tout."""
    charger_les_adresses()
    gc.collect()
    gc.freeze()


_geler_ce_qui_est_charge()
