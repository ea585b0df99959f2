"""Les refus d'une proposition d'indicateur proposée de nouveau (`Indicateur.refus_precedents`) :
des données, jamais une phrase, comme l'historique des saisies (`indicateurs.historique`).
La page d'examen les décrit dans la langue de qui la lit.

Un code n'a qu'un titulaire (`Indicateur.code` est unique) : la table qui propose de nouveau
le code d'une proposition refusée de son quartier la rouvre
(`services_catalogue.proposer_indicateur`), et l'examen d'avant, que les champs de l'examen
(`examine_par`, `examine_le`, `motif_refus`) ne peuvent plus porter, s'ajoute ici :

    {"proposition": {<CHAMPS_PROPOSES>, "theme": id ou null,
                     "valeur_reference": "12" ou null, "date_reference": "2024-12-31" ou null,
                     "source_reference": "…"},
     "propose_par": id ou null, "propose_par_nom": "Alice",
     "examine_par": id ou null, "examine_par_nom": "Ève",
     "examine_le": "2026-03-03T14:05:00+00:00", "motif": "…"}

Les noms sont ceux du moment du refus (une personne supprimée depuis reste nommée); les choix
(famille, unité…) gardent leur code, décrit à la lecture."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import formats
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from evalpic.nombres import nombre
from indicateurs.models import Indicateur, IndicateurSuivi, Theme

CHAMPS_DE_LA_REFERENCE = ("valeur_reference", "date_reference", "source_reference")


def consigner_le_refus(
    indicateur: Indicateur, suivi: IndicateurSuivi | None, champs: tuple[str, ...]
) -> dict:
    """Ce que garde le refus de `indicateur` (tel qu'enregistré, avant d'être rouvert) : ce qui
    avait été proposé (`champs` et la référence de `suivi`), qui l'avait proposé, qui l'a
    refusé, quand et pourquoi."""
    proposition: dict = {
        nom: (indicateur.theme_id if nom == "theme" else getattr(indicateur, nom)) for nom in champs
    }
    valeur = suivi.valeur_reference if suivi is not None else None
    date = suivi.date_reference if suivi is not None else None
    proposition.update(
        valeur_reference=None if valeur is None else f"{valeur.normalize():f}",
        date_reference=None if date is None else date.isoformat(),
        source_reference=suivi.source_reference if suivi is not None else "",
    )
    return {
        "proposition": proposition,
        "propose_par": indicateur.propose_par_id,
        "propose_par_nom": str(indicateur.propose_par or ""),
        "examine_par": indicateur.examine_par_id,
        "examine_par_nom": str(indicateur.examine_par or ""),
        "examine_le": indicateur.examine_le.isoformat() if indicateur.examine_le else None,
        "motif": indicateur.motif_refus,
    }


@dataclass
class RefusLu:
    """Un refus, pour la page d'examen : qui, quand, pourquoi, et ce qui a changé depuis
    (`changements` : libellé, valeur refusée, valeur proposée ensuite), dans la langue active."""

    propose_par: str
    examine_par: str
    examine_le: datetime.datetime | None
    motif: str
    changements: list[tuple[str, str, str]] = field(default_factory=list)


def lire_les_refus(indicateur: Indicateur, suivi: IndicateurSuivi | None) -> list[RefusLu]:
    """Les refus de `indicateur`, le plus ancien d'abord, chacun comparé à la version proposée
    ensuite (le refus suivant, ou la proposition d'aujourd'hui et la référence de `suivi`).
    Une requête (les thèmes nommés) s'il y a des refus, aucune sinon."""
    refus = [r for r in indicateur.refus_precedents if isinstance(r, dict)]
    if not refus:
        return []
    champs = tuple(
        nom
        for nom in refus[-1].get("proposition") or {}
        if nom not in CHAMPS_DE_LA_REFERENCE and hasattr(indicateur, nom)
    )
    actuelle = consigner_le_refus(indicateur, suivi, champs)
    versions = [r.get("proposition") or {} for r in refus] + [actuelle["proposition"]]
    themes = {
        theme.pk: theme
        for theme in Theme.objects.filter(pk__in={v.get("theme") for v in versions} - {None})
    }
    lus = []
    for rang, entree in enumerate(refus):
        quand = entree.get("examine_le")
        lus.append(
            RefusLu(
                propose_par=entree.get("propose_par_nom") or "",
                examine_par=entree.get("examine_par_nom") or "",
                examine_le=datetime.datetime.fromisoformat(quand) if quand else None,
                motif=entree.get("motif") or "",
                changements=_changements(versions[rang], versions[rang + 1], themes),
            )
        )
    return lus


def _changements(avant: dict, apres: dict, themes: dict) -> list[tuple[str, str, str]]:
    return [
        (
            _libelle(nom),
            _decrire(nom, avant.get(nom), themes),
            _decrire(nom, apres.get(nom), themes),
        )
        for nom in apres
        if avant.get(nom) != apres.get(nom)
    ]


def _libelle(nom: str) -> str:
    modele = IndicateurSuivi if nom in CHAMPS_DE_LA_REFERENCE else Indicateur
    return capfirst(str(modele._meta.get_field(nom).verbose_name))


def _decrire(nom: str, valeur, themes: dict) -> str:
    """Une valeur gardée, dans la langue active : le libellé d'un choix, le nom d'un thème, un
    nombre ou une date au format de la langue; « — » pour rien."""
    if valeur in (None, ""):
        return "—"
    if nom == "theme":
        theme = themes.get(valeur)
        return str(theme) if theme is not None else _("thème supprimé")
    if nom == "valeur_reference":
        return nombre(Decimal(valeur))
    if nom == "date_reference":
        return formats.date_format(datetime.date.fromisoformat(valeur), "DATE_FORMAT")
    if nom in CHAMPS_DE_LA_REFERENCE:
        return str(valeur)
    choix = dict(Indicateur._meta.get_field(nom).choices or ())
    return str(choix.get(valeur, valeur))
