"""Le cache partagé sur Redis (`CACHE_URL=redis://…`), qui survit à une panne de Redis.

Le cache ne sert qu'à compter les essais des limites de débit (connexion, API). Sans Redis, le
cache de Django lève une erreur et la connexion répond 500. Ici, une commande qui échoue passe au
cache en mémoire du processus (les limites valent alors par processus, comme sans CACHE_URL), et
Redis n'est réessayé qu'après `PAUSE` secondes : une panne ne coûte pas un délai de socket à
chaque requête. Les délais de socket par défaut sont courts (un Redis figé ne bloque pas).
"""

from __future__ import annotations

import logging
import time

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

journal = logging.getLogger(__name__)
PAUSE = 10  # secondes sans essayer Redis après une erreur
DELAIS = {"socket_connect_timeout": 1, "socket_timeout": 1}


def _avec_repli(nom: str):
    def methode(self, *args, **kwargs):
        if time.monotonic() >= self._en_panne_jusqu_a:
            try:
                return getattr(RedisCache, nom)(self, *args, **kwargs)
            except RedisError as erreur:
                journal.warning(
                    "Cache Redis injoignable (%s: %s) : cache en mémoire pendant %s s.",
                    type(erreur).__name__,
                    erreur,
                    PAUSE,
                )
                self._en_panne_jusqu_a = time.monotonic() + PAUSE
        return getattr(self._repli, nom)(*args, **kwargs)

    methode.__name__ = nom
    return methode


class RedisAvecRepli(RedisCache):
    def __init__(self, server, params):
        params = {**params, "OPTIONS": {**DELAIS, **params.get("OPTIONS", {})}}
        super().__init__(server, params)
        self._repli = LocMemCache(f"evalpic-repli-{id(self)}", {})
        self._en_panne_jusqu_a = 0.0

    add = _avec_repli("add")
    get = _avec_repli("get")
    set = _avec_repli("set")
    touch = _avec_repli("touch")
    delete = _avec_repli("delete")
    get_many = _avec_repli("get_many")
    has_key = _avec_repli("has_key")
    incr = _avec_repli("incr")
    set_many = _avec_repli("set_many")
    delete_many = _avec_repli("delete_many")
    clear = _avec_repli("clear")
