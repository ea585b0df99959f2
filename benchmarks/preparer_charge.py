"""Prépare le test de charge (`scripts/charge.sh`) sur les données d'échelle : les comptes, les
jetons et la période ouverte dont `benchmarks/charge.py` a besoin, écrits dans un fichier JSON.

- une coordination par quartier, chacune sur **son** quartier (deux personnes ne se disputent
  jamais une saisie : un 409 y serait un comportement normal, pas une erreur);
- des conseillers·ères affecté·es à plusieurs quartiers chacun·e;
- des « outils » : une coordination par quartier (d'autres quartiers que ceux des personnes qui
  saisissent) avec un jeton personnel d'API;
- la période la plus récente est ouverte, et la saisie de chaque quartier qui écrit y est un
  brouillon.

Idempotent : les comptes et affectations sont retrouvés; les jetons de charge précédents sont
révoqués et remplacés (leur clé n'est connue qu'à la création). Tout est FICTIF.
Usage : python -m benchmarks.preparer_charge --sortie /tmp/comptes.json
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
from pathlib import Path

from benchmarks.commun import preparer_django

MOT_DE_PASSE = "charge-evalpic-2026"
DOMAINE = "charge.evalpic.invalid"
NOM_DU_JETON = "test de charge"
DEBUT_AFFECTATIONS = datetime.date(2020, 1, 1)


def courriel(role: str, rang: int) -> str:
    return f"{role}-{rang:03d}@{DOMAINE}"


def _compte(email: str, mot_de_passe_hache: str):
    """Le compte de charge `email`, créé au besoin, actif, avec le mot de passe connu."""
    from quartiers.models import Utilisateur

    utilisateur, _creee = Utilisateur.objects.get_or_create(
        email=email,
        defaults={"first_name": "Charge", "last_name": "(fictif)", "password": mot_de_passe_hache},
    )
    if utilisateur.password != mot_de_passe_hache or not utilisateur.is_active:
        utilisateur.password, utilisateur.is_active = mot_de_passe_hache, True
        utilisateur.save(update_fields=["password", "is_active"])
    return utilisateur


def _affecter(utilisateur, quartiers: list, role: str) -> None:
    """Exactement ces affectations en vigueur (les autres du compte sont retirées)."""
    from quartiers.models import Affectation

    utilisateur.affectations.exclude(quartier__in=quartiers, role=role).delete()
    for quartier in quartiers:
        Affectation.objects.get_or_create(
            utilisateur=utilisateur, quartier=quartier, role=role, debut=DEBUT_AFFECTATIONS
        )


def _ouvrir_la_periode():
    """La période la plus récente, ouverte à la saisie."""
    from indicateurs.models import Periode, StatutPeriode

    periode = Periode.objects.order_by("-debut").first()
    if periode is None:
        raise SystemExit("Aucune période : générez d'abord les données d'échelle.")
    if periode.statut != StatutPeriode.OUVERTE:
        Periode.objects.filter(pk=periode.pk).update(statut=StatutPeriode.OUVERTE)
    return periode


def _brouillons(quartiers: list, periode) -> None:
    """Une saisie modifiable (ou aucune) pour chaque quartier qui écrit pendant la charge."""
    from indicateurs.models import Saisie, StatutSaisie
    from indicateurs.services import MODIFIABLES

    Saisie.objects.filter(table__quartier__in=quartiers, periode=periode).exclude(
        statut__in=MODIFIABLES
    ).update(statut=StatutSaisie.BROUILLON, soumise_le=None, validee_le=None)


def _indicateurs_saisis(quartier, periode) -> list[dict]:
    """Les indicateurs que la table saisit : id, code, unité et la valeur du brouillon (le
    point de départ des valeurs voisines que la charge écrit)."""
    from indicateurs.models import Valeur
    from indicateurs.services import indicateurs_a_saisir

    actuelles = dict(
        Valeur.objects.filter(
            saisie__table__quartier=quartier, saisie__periode=periode
        ).values_list("indicateur_id", "valeur_numerique")
    )
    return [
        {
            "id": indicateur.pk,
            "code": indicateur.code,
            "unite": indicateur.unite,
            "valeur": None
            if actuelles.get(indicateur.pk) is None
            else str(actuelles[indicateur.pk]),
        }
        for indicateur in indicateurs_a_saisir(quartier.table)
    ]


def _jeton(utilisateur) -> str:
    from quartiers.jetons import creer_jeton, revoquer_jeton

    for ancien in utilisateur.jetons.actifs().filter(nom=NOM_DU_JETON):
        revoquer_jeton(jeton=ancien)
    return creer_jeton(utilisateur=utilisateur, nom=NOM_DU_JETON)[1]


def preparer(*, coordinations: int, conseils: int, outils: int, quartiers_par_conseil: int) -> dict:
    """Crée ou remet en état les comptes, jetons et brouillons; renvoie ce que lit la charge."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from indicateurs.models import Famille, Indicateur, Periode, StatutPeriode, Theme
    from quartiers.models import Quartier, RoleAffectation
    from rapports.echelle import PREFIXE_CODE, PREFIXE_SLUG

    quartiers = list(
        Quartier.objects.filter(slug__startswith=PREFIXE_SLUG)
        .select_related("table")
        .order_by("slug")
    )
    if coordinations + outils > len(quartiers):
        raise SystemExit(
            f"{coordinations} coordinations + {outils} outils demandent autant de quartiers "
            f"distincts; les données d'échelle n'en ont que {len(quartiers)}."
        )
    hache = make_password(MOT_DE_PASSE)  # un seul hachage (≈ 0,2 s) pour tous les comptes
    coordonnateur, conseiller = RoleAffectation.COORDONNATEUR, RoleAffectation.CONSEILLER
    with transaction.atomic():
        periode = _ouvrir_la_periode()
        ecrivains = quartiers[: coordinations + outils]
        _brouillons(ecrivains, periode)
        resultat = {
            "mot_de_passe": MOT_DE_PASSE,
            "periode": periode.code,
            "periodes": [
                p.code
                for p in Periode.objects.exclude(statut=StatutPeriode.A_VENIR).order_by("debut")
            ],
            "themes": list(Theme.objects.values_list("code", flat=True)),
            "familles": list(Famille.values),
            "indicateurs": list(
                Indicateur.objects.filter(code__startswith=PREFIXE_CODE)
                .order_by("code")
                .values_list("code", flat=True)
            ),
            "coordinations": [],
            "conseils": [],
            "outils": [],
        }
        for rang, quartier in enumerate(ecrivains[:coordinations], start=1):
            utilisateur = _compte(courriel("coordination", rang), hache)
            _affecter(utilisateur, [quartier], coordonnateur)
            resultat["coordinations"].append(
                {
                    "courriel": utilisateur.email,
                    "quartier": quartier.slug,
                    "indicateurs": _indicateurs_saisis(quartier, periode),
                }
            )
        for rang, quartier in enumerate(ecrivains[coordinations:], start=1):
            utilisateur = _compte(courriel("outil", rang), hache)
            _affecter(utilisateur, [quartier], coordonnateur)
            resultat["outils"].append(
                {
                    "courriel": utilisateur.email,
                    "jeton": _jeton(utilisateur),
                    "quartier": quartier.slug,
                    "indicateurs": _indicateurs_saisis(quartier, periode),
                }
            )
        for rang in range(1, conseils + 1):
            suivis = [
                quartiers[(rang * quartiers_par_conseil + decalage) % len(quartiers)]
                for decalage in range(quartiers_par_conseil)
            ]
            utilisateur = _compte(courriel("conseil", rang), hache)
            _affecter(utilisateur, suivis, conseiller)
            resultat["conseils"].append(
                {"courriel": utilisateur.email, "quartiers": [q.slug for q in suivis]}
            )
    return resultat


def ecrire(donnees: dict, sortie: Path) -> None:
    """Écrit le fichier (il contient des clés d'API : lisible par son seul propriétaire)."""
    descripteur = os.open(sortie, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descripteur, "w", encoding="utf-8") as fichier:
        json.dump(donnees, fichier, ensure_ascii=False)


def main() -> None:
    parseur = argparse.ArgumentParser(description=__doc__)
    parseur.add_argument("--sortie", type=Path, required=True, help="fichier JSON à écrire")
    parseur.add_argument("--coordinations", type=int, default=20)
    parseur.add_argument("--conseils", type=int, default=20)
    parseur.add_argument("--outils", type=int, default=10)
    parseur.add_argument("--quartiers-par-conseil", type=int, default=4)
    arguments = parseur.parse_args()
    preparer_django()
    donnees = preparer(
        coordinations=arguments.coordinations,
        conseils=arguments.conseils,
        outils=arguments.outils,
        quartiers_par_conseil=arguments.quartiers_par_conseil,
    )
    ecrire(donnees, arguments.sortie)
    print(
        f"Charge préparée : {len(donnees['coordinations'])} coordinations, "
        f"{len(donnees['conseils'])} conseils, {len(donnees['outils'])} outils; "
        f"période ouverte {donnees['periode']} → {arguments.sortie}"
    )


if __name__ == "__main__":
    main()
