"""Les dates écrites en toutes lettres dans la langue active, pour les pages, les courriels et
les bilans : « 1er juillet 2026 » en français (le format de Django écrit « 1 juillet 2026 »),
« July 1, 2026 » en anglais. Et les bornes d'une date saisie à la main (`erreur_de_date`)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import get_language, gettext, ngettext

# Une date saisie à la main (début et fin d'une participation au registre, adoption d'une
# stratégie, début et fin d'une action) tombe entre le 1er janvier 1900 — le plancher des dates
# de référence des indicateurs (`indicateurs.models.catalogue.DATE_REFERENCE_MIN`) et de l'année
# de fondation d'une table — et quelques années après aujourd'hui. Au-delà, c'est une faute de
# frappe (« 0001-01-01 », « 9999-12-31 ») : un partenaire « actif depuis l'an 1 » comptait dans
# les indicateurs calculés de chaque trimestre.
PREMIER_JOUR_PLAUSIBLE = datetime.date(1900, 1, 1)


def dans_n_annees(annees: int, aujourd_hui: datetime.date | None = None) -> datetime.date:
    """Le même jour, `annees` ans après aujourd'hui (le 28 février pour un 29 février)."""
    jour = aujourd_hui or timezone.localdate()
    try:
        return jour.replace(year=jour.year + annees)
    except ValueError:  # 29 février → année non bissextile
        return jour.replace(year=jour.year + annees, day=28)


def erreur_de_date(jour: datetime.date | None, annees_a_venir: int) -> str | None:
    """Ce qui ne va pas dans `jour`, saisi à la main : avant 1900, ou plus de `annees_a_venir`
    ans après aujourd'hui. `None` s'il est plausible (ou vide : l'obligation est ailleurs)."""
    if jour is None:
        return None
    if jour < PREMIER_JOUR_PLAUSIBLE:
        return gettext("Cette date est trop ancienne : choisissez une date en 1900 ou plus tard.")
    limite = dans_n_annees(annees_a_venir)
    if jour > limite:
        return ngettext(
            "Cette date est trop loin dans l'avenir : choisissez une date au plus tard le "
            "%(date)s, dans %(annees)s an.",
            "Cette date est trop loin dans l'avenir : choisissez une date au plus tard le "
            "%(date)s, dans %(annees)s ans.",
            annees_a_venir,
        ) % {"date": date_longue(limite), "annees": annees_a_venir}
    return None


def date_longue(valeur: datetime.date | None, format_: str = "DATE_FORMAT") -> str:
    """`valeur` au format `format_` de la langue active (`DATE_FORMAT`, ou `DATETIME_FORMAT`
    pour une date et heure, à écrire déjà à l'heure locale), le premier du mois écrit « 1er »
    en français. Rien pour `None`."""
    if valeur is None or valeur == "":
        return ""
    texte = formats.date_format(valeur, format_)
    if valeur.day == 1 and (get_language() or "fr").startswith("fr") and texte.startswith("1 "):
        return "1er" + texte[1:]
    return texte


def date_heure_longue(moment: datetime.datetime) -> str:
    """Un instant en toutes lettres, à l'heure de Montréal (« 1er juillet 2026 14:05 »)."""
    return date_longue(timezone.localtime(moment), "DATETIME_FORMAT")


def verifier_les_dates(objet, champs: tuple[str, ...], annees_a_venir: int) -> None:
    """La règle de `erreur_de_date` pour les dates `champs` de `objet` (le `clean` d'un modèle) :
    une `ValidationError` par champ, à côté de chacun, s'il en est une qui n'est pas plausible."""
    erreurs = {
        champ: erreur
        for champ in champs
        if (erreur := erreur_de_date(getattr(objet, champ), annees_a_venir))
    }
    if erreurs:
        raise ValidationError(erreurs)
