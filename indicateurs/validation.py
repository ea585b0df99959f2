"""Lire et contrôler une valeur selon l'unité de son indicateur, et repérer les valeurs
inhabituelles. Fonctions pures, partagées par le formulaire, l'import, l'API et les services."""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, DecimalException

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.formats import get_format
from django.utils.translation import gettext as _

from evalpic.nombres import nombre
from evalpic.textes import texte_saisi
from indicateurs.agregation import est_un_flux
from indicateurs.models import Unite
from indicateurs.models.saisies import SeriePrecedente

LONGUEUR_TEXTE_MAX = 2000
LONGUEUR_RAISON_MAX = 500
LONGUEUR_URL_MAX = 200
VALEUR_MAX = Decimal("9999999999")  # 10 chiffres avant la virgule : DecimalField(14, 4)

_ESPACES = re.compile(r"[\s\u00a0\u202f]")
# Une virgule suivie de trois chiffres, sans autre marque décimale (« 12,500 », « 1,234,567 ») :
# les milliers de l'anglais (Excel anglais les écrit ainsi dans un CSV) ou trois décimales à la
# française. Ambigu : refusé plutôt que lu divisé par mille.
_MILLIERS_AMBIGUS = re.compile(r"[-+]?[1-9]\d{0,2}(,\d{3})+")  # « 0,005 » : des décimales
# Des virgules de milliers suivies d'un point décimal (« 12,345.50 ») : sans ambiguïté.
_MILLIERS_ET_POINT = re.compile(r"[-+]?\d{1,3}(,\d{3})+\.\d*")
# Un exposant (« 1e3 », « 2,5E-1 », « 1.20E+07 » d'un tableur, « 1e-05 » d'un programme) : la
# mantisse, puis l'exposant. Refusé partout (formulaire, import, API), la valeur sans exposant
# proposée (`_ecrit_avec_exposant`).
_EXPOSANT = re.compile(r"(.*[0-9.,])[eE]([-+]?[0-9]+)")


@dataclass(frozen=True)
class DonneeValeur:
    """Ce qu'une personne (ou un fichier, ou l'API) fournit pour un indicateur d'une saisie."""

    valeur: Decimal | None = None
    texte: str = ""
    non_disponible: bool = False
    raison: str = ""
    commentaire: str = ""
    preuve_url: str = ""

    @property
    def est_vide(self) -> bool:
        return self.valeur is None and not self.texte and not self.non_disponible


def _pas_un_nombre(brut: str) -> ValidationError:
    return ValidationError(_("« %(brut)s » n'est pas un nombre.") % {"brut": brut})


def _decimal(brut: str) -> tuple[Decimal, bool]:
    """Le nombre écrit, et s'il l'est avec un exposant : la même lecture pour le formulaire (dans
    les deux langues), l'import et l'API. Espaces (des milliers, à la française), « $ » et « % »
    ignorés; virgule décimale ou point décimal; virgules des milliers seulement devant un point
    décimal (« 12,345.5 »). Une virgule suivie de trois chiffres sans point est ambiguë, donc
    refusée; devant un exposant (« 12,500e3 »), la valeur sans exposant ne se propose pas."""
    nettoye = _ESPACES.sub("", brut).replace("$", "").rstrip("%")
    exposant = _EXPOSANT.fullmatch(nettoye)
    mantisse = exposant[1] if exposant else nettoye
    if _MILLIERS_AMBIGUS.fullmatch(mantisse):
        if exposant:
            raise ValidationError(_sans_exposant(brut))
        raise ValidationError(
            _(
                "« %(brut)s » est ambigu : une virgule suivie de trois chiffres peut séparer les "
                "milliers ou les décimales. Retirez les séparateurs de milliers (%(sans)s); pour "
                "des décimales, gardez-en deux au plus (12,5)."
            )
            % {"brut": brut, "sans": nettoye.replace(",", "")}
        )
    if _MILLIERS_ET_POINT.fullmatch(mantisse):
        nettoye = nettoye.replace(",", "")
    nettoye = nettoye.replace(",", ".")
    try:
        nombre = Decimal(nettoye)
    except DecimalException as erreur:  # dont un exposant hors de portée (« 1e-99999999999… »)
        raise _pas_un_nombre(brut) from erreur
    if not nombre.is_finite():
        raise _pas_un_nombre(brut)
    return nombre, exposant is not None


def _ecrit_avec_exposant(unite: str, brut: str, nombre: Decimal) -> ValidationError:
    """Le refus d'un nombre écrit avec un exposant, le même pour le formulaire, l'import et
    l'API : un tableur (« 1.20E+07 », parfois arrondi à l'affichage) ou un programme l'écrit
    ainsi, une personne ne le tape pas; le lire en silence cacherait une erreur de copie. La
    valeur sans exposant, écrite dans la langue active (`ecrire_pour_saisie`), est proposée si
    elle serait acceptée; sinon, la raison de son refus suit (trop grande, décimales, bornes de
    l'unité), pour tout corriger d'un coup. `verifier_nombre` borne la grandeur avant tout
    calcul : « 1e1000000 » ne s'écrit jamais chiffre à chiffre."""
    try:
        valeur = verifier_nombre(unite, nombre)
    except ValidationError as refus:
        return ValidationError([_sans_exposant(brut), *refus.messages])
    return ValidationError(
        _(
            "« %(brut)s » est en écriture scientifique : écrivez le nombre sans exposant, "
            "soit %(nombre)s."
        )
        % {"brut": brut, "nombre": ecrire_pour_saisie(valeur)}
    )


def _sans_exposant(brut: str) -> str:
    return _("« %(brut)s » est en écriture scientifique : écrivez le nombre sans exposant.") % {
        "brut": brut
    }


def _decimales(nombre: Decimal) -> int:
    """Le nombre de décimales significatives, lu dans l'écriture du nombre : aucun calcul, donc
    aucune exception decimal, même pour « 1e-999999999 » ou 17 000 zéros après la virgule."""
    if nombre.is_zero():
        return 0
    _signe, chiffres, exposant = nombre.as_tuple()
    zeros_de_fin = len(chiffres) - len("".join(map(str, chiffres)).rstrip("0"))
    return max(0, -(exposant + zeros_de_fin))


def _forme_courte(nombre: Decimal) -> Decimal:
    """Le même nombre écrit avec au plus deux décimales et sans exposant positif : « 12. » suivi
    de 17 000 zéros, ou un Decimal déjà lu comme Decimal("0E-99999") ou Decimal("1E+5") (le
    texte « 1e5 » est refusé par `analyser`), tiennent ainsi dans la colonne
    (DecimalField(14, 4)) au lieu d'être refusés par la base. Une écriture usuelle (« 12 »,
    « 12.50 ») reste telle quelle."""
    if -2 <= nombre.as_tuple().exponent <= 0:
        return nombre
    if nombre.is_zero():
        return Decimal(0)
    return nombre.quantize(Decimal(1).scaleb(-_decimales(nombre)))


def verifier_nombre(unite: str, nombre: Decimal) -> Decimal:
    """Contrôle une valeur déjà numérique selon l'unité; renvoie la valeur, écrite pour tenir dans
    la colonne, ou lève une erreur. La grandeur est vérifiée avant tout calcul : « 1e1000000 »
    est trop grand, pas une exception decimal (500)."""
    if not nombre.is_finite():
        raise _pas_un_nombre(str(nombre))
    if not nombre.is_zero() and nombre.adjusted() > VALEUR_MAX.adjusted():
        raise ValidationError(_("La valeur est trop grande."))
    if unite == Unite.NOMBRE:
        if _decimales(nombre) > 0:
            raise ValidationError(_("Entrez un nombre entier (sans décimales)."))
        if nombre < 0:
            raise ValidationError(_("Un nombre ne peut pas être négatif."))
    elif unite == Unite.POURCENTAGE:
        if not Decimal(0) <= nombre <= Decimal(100):
            raise ValidationError(_("Un pourcentage est compris entre 0 et 100."))
    elif unite == Unite.ECHELLE:
        if not Decimal(1) <= nombre <= Decimal(5):
            raise ValidationError(_("Sur l'échelle, la valeur est comprise entre 1 et 5."))
    elif nombre < 0:
        raise ValidationError(_("La valeur ne peut pas être négative."))
    if nombre.copy_abs() > VALEUR_MAX:
        raise ValidationError(_("La valeur est trop grande."))
    if _decimales(nombre) > 2:
        raise _trop_de_decimales(nombre)
    return _forme_courte(nombre)


def _trop_de_decimales(valeur: Decimal) -> ValidationError:
    """Le refus d'une troisième décimale, avec la valeur lue et son arrondi au centième, écrits
    dans la langue active (« 33,333 » → 33,33). La valeur est déjà bornée (`VALEUR_MAX`)."""
    arrondi = ecrire_pour_saisie(valeur.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    return ValidationError(
        _("« %(valeur)s » a plus de deux décimales : arrondissez-la, par exemple à %(arrondi)s.")
        % {"valeur": _decimales_ecrites(valeur), "arrondi": arrondi}
    )


def _decimales_ecrites(valeur: Decimal, maximum: int = 30) -> str:
    """La valeur lue avec toutes ses décimales (au plus `maximum`, puis « … »), dans la langue
    active (`ecrire_pour_saisie`). Écrite chiffre à chiffre : `nombre` arrondit à 28 chiffres
    (« 1,000…01 » y devient « 1 ») et « 1e-999999999 » aurait un milliard de zéros."""
    _signe, chiffres, exposant = valeur.as_tuple()
    texte, decimales = "".join(map(str, chiffres)), -exposant
    if len(texte) > decimales:
        entier, fraction = texte[:-decimales], texte[-decimales:]
    else:
        entier, fraction = "0", "0" * min(decimales - len(texte), maximum + 1) + texte
    fraction = fraction.rstrip("0")
    suite = "…" if len(fraction) > maximum else ""
    signe = "-" if valeur < 0 else ""
    separateur = get_format("DECIMAL_SEPARATOR")
    return f"{signe}{ecrire_pour_saisie(Decimal(entier))}{separateur}{fraction[:maximum]}{suite}"


def ecrire_pour_saisie(valeur) -> str:
    """Un nombre écrit dans la langue active tel que la lecture (`analyser`) le relit sans
    changement : les espaces des milliers du français restent (« 12 345,5 »), les virgules des
    milliers de l'anglais partent (« 12345.5 ») — « 12,500 » serait refusé, ambigu. Pour le
    champ d'une valeur enregistrée et les nombres que proposent les messages."""
    texte = nombre(valeur)
    if get_format("THOUSAND_SEPARATOR") == ",":
        texte = texte.replace(",", "")
    return texte


def lire_nombre(brut: str) -> Decimal | None:
    """Le nombre écrit dans `brut` (None si vide), lu comme le formulaire trimestriel le lit
    (`_decimal` : virgule ou point décimal, espaces des milliers), l'exposant refusé de même,
    sans les bornes d'une unité : pour la valeur de référence et les cibles de
    l'administration, dont le modèle vérifie ensuite les bornes (`erreurs_selon_l_unite`)."""
    brut = (brut or "").strip()
    if not brut:
        return None
    nombre, avec_exposant = _decimal(brut)
    if avec_exposant:
        raise _ecrit_avec_exposant("", brut, nombre)
    return nombre


def analyser(unite: str, brut: str) -> Decimal | str | None:
    """Transforme le texte saisi en valeur typée selon l'unité (None si vide)."""
    brut = (brut or "").strip()
    if not brut:
        return None
    if unite == Unite.TEXTE:
        if len(brut) > LONGUEUR_TEXTE_MAX:
            raise ValidationError(
                _("Le texte dépasse %(max)s caractères.") % {"max": LONGUEUR_TEXTE_MAX}
            )
        return brut
    nombre, avec_exposant = _decimal(brut)
    if avec_exposant:
        raise _ecrit_avec_exposant(unite, brut, nombre)
    return verifier_nombre(unite, nombre)


def verifier_donnee(unite: str, donnee: DonneeValeur) -> dict[str, list[str]]:
    """Les erreurs d'une donnée complète, par partie (valeur, raison, commentaire, preuve)."""
    erreurs: dict[str, list[str]] = {}

    def ajouter(partie: str, message: str) -> None:
        erreurs.setdefault(partie, []).append(message)

    if donnee.non_disponible:
        if donnee.valeur is not None or donnee.texte:
            ajouter("valeur", _("Une valeur « non disponible » ne peut pas avoir de valeur."))
        if not texte_saisi(donnee.raison):
            ajouter("raison", _("Expliquez pourquoi la valeur n'est pas disponible."))
    elif texte_saisi(donnee.raison):  # elle serait perdue : seule une absence garde sa raison
        ajouter(
            "raison",
            _(
                "Une raison n'accompagne qu'une valeur « non disponible » : indiquez-la non "
                "disponible, ou effacez la raison."
            ),
        )
    if len(donnee.raison) > LONGUEUR_RAISON_MAX:
        ajouter("raison", _("La raison dépasse %(max)s caractères.") % {"max": LONGUEUR_RAISON_MAX})
    if len(donnee.commentaire) > LONGUEUR_TEXTE_MAX:
        ajouter(
            "commentaire",
            _("Le commentaire dépasse %(max)s caractères.") % {"max": LONGUEUR_TEXTE_MAX},
        )
    if donnee.valeur is not None:
        if unite == Unite.TEXTE:
            ajouter("valeur", _("Cet indicateur attend un texte."))
        else:
            try:
                verifier_nombre(unite, donnee.valeur)
            except ValidationError as erreur:
                erreurs.setdefault("valeur", []).extend(erreur.messages)
    if donnee.texte and unite != Unite.TEXTE:
        ajouter("valeur", _("Cet indicateur attend un nombre."))
    erreurs.update(_verifier_url(donnee.preuve_url))
    return erreurs


def _verifier_url(url: str) -> dict[str, list[str]]:
    if not url:
        return {}
    if len(url) > LONGUEUR_URL_MAX:
        return {
            "preuve_url": [_("Le lien dépasse %(max)s caractères.") % {"max": LONGUEUR_URL_MAX}]
        }
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        return {"preuve_url": [_("Entrez un lien web valide (https://…).")]}
    return {}


# --- Valeurs inhabituelles ----------------------------------------------------------------------


def signaler_aberration(serie: Sequence[Decimal], valeur: Decimal | None) -> str | None:
    """Un message si `valeur` s'écarte de sa série : score z robuste (médiane et écart absolu
    médian, sur quatre valeurs au moins) au-delà du seuil, ou saut relatif par rapport à la
    dernière valeur au-delà de la part configurée. None sinon. La série est dans l'ordre
    chronologique.

    Un flux (somme ou cumul : `indicateurs.agregation.est_un_flux`) suit les saisons : s'il a
    une valeur au même trimestre d'une année précédente (`SeriePrecedente.meme_trimestre`, que
    lit `Valeur.objects.series_precedentes`), la même règle le juge sur ces seules valeurs —
    la médiane des mêmes trimestres, le saut par rapport au plus récent d'entre eux. Sinon (pas
    d'année précédente; une moyenne, une dernière valeur; une simple liste), sur toute la
    série."""
    if valeur is None or not serie:
        return None
    seuil_saut = Decimal(str(settings.EVALPIC_ABERRATION_SAUT))
    if (
        isinstance(serie, SeriePrecedente)
        and est_un_flux(serie.agregation)
        and serie.meme_trimestre
    ):
        derniere_annee = serie.meme_trimestre[-1][0]
        ecart = _ecart([v for _annee, v in serie.meme_trimestre], valeur, seuil_saut)
        if ecart is None:
            return None
        mediane, derniere = ecart
        if mediane is not None:
            return _(
                "Valeur inhabituelle : loin de la médiane du même trimestre des années "
                "précédentes (%(mediane)s)."
            ) % {"mediane": _format(mediane)}
        return _(
            "Valeur inhabituelle : écart de plus de %(part)s %% avec le même trimestre de "
            "%(annee)s (%(precedente)s)."
        ) % {
            "part": _format(seuil_saut * 100),
            "annee": derniere_annee,
            "precedente": _format(derniere),
        }
    ecart = _ecart(serie, valeur, seuil_saut)
    if ecart is None:
        return None
    mediane, derniere = ecart
    if mediane is not None:
        return _("Valeur inhabituelle : loin de la médiane de la série (%(mediane)s).") % {
            "mediane": _format(mediane)
        }
    return _(
        "Valeur inhabituelle : écart de plus de %(part)s %% avec la valeur précédente (%(derniere)s)."
    ) % {"part": _format(seuil_saut * 100), "derniere": _format(derniere)}


def _ecart(
    serie: Sequence[Decimal], valeur: Decimal, seuil_saut: Decimal
) -> tuple[Decimal | None, Decimal] | None:
    """La règle des valeurs inhabituelles sur une série non vide : (la médiane, la dernière
    valeur) si le score z robuste dépasse son seuil, (None, la dernière valeur) si l'écart
    relatif à la dernière valeur dépasse `seuil_saut`, None sinon."""
    derniere = serie[-1]
    if len(serie) >= 4:
        seuil_z = Decimal(str(settings.EVALPIC_ABERRATION_SCORE_Z))
        mediane = statistics.median(serie)
        mad = statistics.median(abs(x - mediane) for x in serie)
        if mad > 0 and Decimal("0.6745") * abs(valeur - mediane) / mad > seuil_z:
            return mediane, derniere
    if derniere != 0 and abs(valeur - derniere) / abs(derniere) > seuil_saut:
        return None, derniere
    return None


def _format(valeur: Decimal) -> str:
    """Arrondi au centième et écrit dans la langue active (« 93 200 », « 3,5 »)."""
    return nombre(Decimal(valeur).quantize(Decimal("0.01")))
