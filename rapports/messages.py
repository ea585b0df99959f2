"""Les phrases sur l'état d'un bilan que disent à la fois les pages et l'API."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

# Un bilan demandé pendant une panne de la file des tâches (Redis) : enregistré, en attente.
MESSAGE_FILE_INDISPONIBLE = gettext_lazy(
    "La file des tâches est indisponible pour le moment : le bilan est enregistré, en attente, "
    "et sera produit dès qu'elle sera de retour. Rien n'est perdu, inutile de le redemander."
)
