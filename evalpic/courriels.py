"""Les courriels que le site écrit de lui-même (avis de renvoi et de réouverture d'une saisie,
et de quoi y brancher les rappels de saisie et l'avis « bilan prêt ») : chacun rédigé dans la
langue choisie par la personne à qui il écrit (`Utilisateur.langue`), pas dans celle de la page
ou de la tâche qui l'envoie.

Un gabarit de courriel va par paire dans `templates/emails/` : `<nom>_sujet.txt` et `<nom>.txt`.
Les valeurs à traduire (libellé d'une période, statut) se calculent dans le gabarit, qui est
rendu dans la langue de la personne : passez les objets ou des chaînes paresseuses.

Les courriels d'une page (ceux d'allauth : réinitialisation du mot de passe…) partent hors de
la requête (`envoyer_hors_de_la_requete`) : rédigés pendant la requête, envoyés par la tâche
`evalpic.envoyer_courriel`."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Mapping

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from evalpic.taches import en_file_sinon_ici

journal = logging.getLogger(__name__)

# Un envoi raté : serveur injoignable, figé (délai EMAIL_TIMEOUT), connexion coupée, adresse
# refusée. Le reste (un gabarit cassé) est une erreur du code, qui n'est pas rattrapée.
PANNES_D_ENVOI = (smtplib.SMTPException, OSError)


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


# --- Courriels d'une page, envoyés hors de la requête --------------------------------------------


def message_en_donnees(message: EmailMessage) -> dict:
    """`message` en données JSON, pour la file de tâches : sujet, corps, adresses, en-têtes,
    variantes (HTML). Sans pièce jointe (aucun courriel de page n'en a)."""
    if message.attachments:
        raise ValueError("Un courriel avec pièce jointe ne passe pas par la file.")
    return {
        "sujet": message.subject,
        "corps": message.body,
        "type": message.content_subtype,
        "de": message.from_email,
        "a": list(message.to),
        "cc": list(message.cc),
        "cci": list(message.bcc),
        "repondre_a": list(message.reply_to),
        "entetes": dict(message.extra_headers),
        "variantes": [[contenu, type_mime] for contenu, type_mime in message.alternatives]
        if isinstance(message, EmailMultiAlternatives)
        else [],
    }


def message_des_donnees(donnees: Mapping) -> EmailMultiAlternatives:
    """Le courriel que `message_en_donnees` a mis en données."""
    message = EmailMultiAlternatives(
        subject=donnees["sujet"],
        body=donnees["corps"],
        from_email=donnees["de"],
        to=donnees["a"],
        cc=donnees["cc"],
        bcc=donnees["cci"],
        reply_to=donnees["repondre_a"],
        headers=donnees["entetes"],
    )
    message.content_subtype = donnees["type"]
    for contenu, type_mime in donnees["variantes"]:
        message.attach_alternative(contenu, type_mime)
    return message


def journaliser_l_echec(modele: str, destinataires, erreur: BaseException) -> None:
    """L'envoi abandonné, à ERROR : le modèle et les destinataires, jamais le texte (celui de
    la réinitialisation porte son lien)."""
    journal.error(
        "Courriel du compte non envoyé (%s) à %s : %s: %s",
        modele,
        ", ".join(destinataires),
        type(erreur).__name__,
        erreur,
    )


def envoyer_ou_journaliser(message: EmailMessage, *, modele: str) -> bool:
    """Envoie `message`; une panne d'envoi est journalisée (`journaliser_l_echec`) au lieu
    d'être levée. Vrai si le courriel est parti."""
    try:
        message.send()
    except PANNES_D_ENVOI as erreur:
        journaliser_l_echec(modele, message.to, erreur)
        return False
    return True


def envoyer_hors_de_la_requete(message: EmailMessage, *, modele: str) -> None:
    """Met en file l'envoi de `message`, déjà rédigé (`modele` le nomme dans le journal) : la
    page répond sans attendre le serveur de courriel, qui peut être figé (jusqu'à
    EMAIL_TIMEOUT par échange), et le temps de réponse ne dit pas si un courriel est parti —
    pour la réinitialisation, si l'adresse a un compte. La tâche `evalpic.envoyer_courriel`
    reprend un envoi raté, puis le journalise. Sans file (CELERY_TASK_ALWAYS_EAGER), elle
    s'exécute dans la requête, une seule fois. File injoignable (elle échoue vite,
    `evalpic.taches.TacheSansAttente`) : le courriel part d'ici plutôt que pas du tout."""
    from evalpic.tasks import envoyer_courriel_task

    donnees = message_en_donnees(message)
    en_file_sinon_ici(
        lambda: envoyer_courriel_task.apply_async(
            kwargs={"message": donnees, "modele": modele},
            # Ce que les journaux et la supervision de Celery montrent : pas le texte.
            kwargsrepr=repr({"modele": modele, "a": list(message.to)}),
        ),
        lambda: envoyer_ou_journaliser(message, modele=modele),
        quoi=f"courriel {modele}",
        journal=journal,
    )
