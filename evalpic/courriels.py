"""Les courriels que le site écrit de lui-même (avis de renvoi et de réouverture d'une saisie,
et de quoi y brancher les rappels de saisie et l'avis « bilan prêt ») : chacun rédigé dans la
langue choisie par la personne à qui il écrit (`Utilisateur.langue`), pas dans celle de la page
ou de la tâche qui l'envoie.

Un gabarit de courriel va par paire dans `templates/emails/` : `<nom>_sujet.txt` et `<nom>.txt`.
Les valeurs à traduire (libellé d'une période, statut) se calculent dans le gabarit, qui est
rendu dans la langue de la personne : passez les objets ou des chaînes paresseuses."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation

journal = logging.getLogger(__name__)


def courriel_dans_sa_langue(personne, gabarit: str, contexte: Mapping) -> EmailMessage:
    """Le courriel `gabarit` (« emails/renvoi_saisie ») pour `personne`, rédigé dans sa langue;
    le sujet tient sur une ligne (un en-tête ne peut pas en avoir deux)."""
    with translation.override(personne.langue or settings.LANGUAGE_CODE):
        sujet = render_to_string(f"{gabarit}_sujet.txt", contexte)
        corps = render_to_string(f"{gabarit}.txt", contexte)
    return EmailMessage(
        subject=" ".join(sujet.split()),
        body=corps,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[personne.email],
    )


def envoyer_dans_sa_langue(personne, gabarit: str, contexte: Mapping) -> bool:
    """Envoie le courriel `gabarit` à `personne`, dans sa langue. Quel que soit l'échec (serveur
    de courriel injoignable, adresse refusée, gabarit), il est écrit au journal (gabarit et
    personne, jamais le texte) et ne lève rien : ce qui a été enregistré avant le reste, et les
    courriels suivants partent quand même. Vrai si le courriel est parti."""
    try:
        courriel_dans_sa_langue(personne, gabarit, contexte).send()
    except Exception:
        journal.exception("Courriel %s non envoyé à l'utilisateur %s.", gabarit, personne.pk)
        return False
    return True
