"""Chaque tableau de bord, sur les données d'échelle, comparé à la requête SQL écrite à la main
qui répond à la même question. Usage : scripts/banc.sh (ou python -m benchmarks.tableaux)."""

from __future__ import annotations

import argparse

from benchmarks.commun import (
    Mesure,
    imprimer,
    mediane_ms,
    mesurer_contre_plancher,
    preparer_django,
    requete_sql,
    utilisateur_de_mesure,
)

# Les valeurs publiées (non brouillon) des 12 dernières périodes, par quartier et indicateur,
# avec la complétude et les participations : ce que lit la vue d'ensemble.
SQL_VUE_D_ENSEMBLE = """
WITH periodes AS (
  SELECT id FROM indicateurs_periode WHERE statut <> 'a_venir' ORDER BY debut DESC LIMIT 12
)
SELECT t.quartier_id, v.indicateur_id, s.periode_id, v.valeur_numerique
FROM indicateurs_valeur v
JOIN indicateurs_saisie s ON s.id = v.saisie_id
JOIN quartiers_tabledequartier t ON t.id = s.table_id
WHERE s.periode_id IN (SELECT id FROM periodes) AND s.statut <> 'brouillon'
UNION ALL
SELECT t.quartier_id, p.partenaire_id, NULL, NULL
FROM quartiers_participation p JOIN quartiers_tabledequartier t ON t.id = p.table_id
"""

SQL_QUARTIER = """
WITH periodes AS (
  SELECT id FROM indicateurs_periode WHERE statut <> 'a_venir' ORDER BY debut DESC LIMIT 12
)
SELECT v.indicateur_id, s.periode_id, v.valeur_numerique, c.valeur
FROM indicateurs_valeur v
JOIN indicateurs_saisie s ON s.id = v.saisie_id
JOIN quartiers_tabledequartier t ON t.id = s.table_id
LEFT JOIN indicateurs_indicateursuivi su
  ON su.quartier_id = t.quartier_id AND su.indicateur_id = v.indicateur_id
LEFT JOIN indicateurs_cible c ON c.suivi_id = su.id AND c.periode_id = s.periode_id
WHERE t.quartier_id = %s AND s.periode_id IN (SELECT id FROM periodes)
  AND s.statut <> 'brouillon'
"""

SQL_INDICATEUR = """
WITH periodes AS (
  SELECT id FROM indicateurs_periode WHERE statut <> 'a_venir' ORDER BY debut DESC LIMIT 12
)
SELECT t.quartier_id, s.periode_id, v.valeur_numerique
FROM indicateurs_valeur v
JOIN indicateurs_saisie s ON s.id = v.saisie_id
JOIN quartiers_tabledequartier t ON t.id = s.table_id
WHERE v.indicateur_id = %s AND s.periode_id IN (SELECT id FROM periodes)
  AND s.statut <> 'brouillon'
"""

SQL_THEORIE = """
SELECT c.code, c.libelle, c.horizon, i.code, l.cible_id
FROM indicateurs_changementvise c
JOIN indicateurs_strategiedechangement s ON s.id = c.strategie_id
LEFT JOIN indicateurs_changementvise_indicateurs ci ON ci.changementvise_id = c.id
LEFT JOIN indicateurs_indicateur i ON i.id = ci.indicateur_id
LEFT JOIN indicateurs_liendechangement l ON l.source_id = c.id
WHERE s.quartier_id = %s AND s.statut = 'en_vigueur'
"""


def mesurer(repetitions: int) -> list[Mesure]:
    from django.test import Client
    from django.urls import reverse

    from indicateurs.models import IndicateurSuivi
    from quartiers.models import Quartier

    client = Client()
    client.force_login(utilisateur_de_mesure())
    quartier = Quartier.objects.filter(indicateurs_suivis__isnull=False).order_by("slug").first()
    suivi = IndicateurSuivi.objects.filter(
        quartier=quartier, indicateur__mode="saisi", indicateur__unite="nombre"
    ).first()
    cas = [
        ("vue d'ensemble du PIC", reverse("tableau_pic"), SQL_VUE_D_ENSEMBLE, ()),
        (
            f"tableau du quartier ({quartier.slug})",
            reverse("tableau_quartier", args=[quartier.slug]),
            SQL_QUARTIER,
            (quartier.pk,),
        ),
        (
            "un indicateur entre quartiers",
            reverse("indicateur_entre_quartiers", args=[suivi.indicateur.code]),
            SQL_INDICATEUR,
            (suivi.indicateur_id,),
        ),
        (
            "théorie du changement",
            reverse("theorie_du_changement", args=[quartier.slug]),
            SQL_THEORIE,
            (quartier.pk,),
        ),
    ]
    return [
        mesurer_contre_plancher(
            nom,
            lambda url=url: _obtenir(client, url),
            requete_sql(sql, parametres),
            repetitions,
        )
        for nom, url, sql, parametres in cas
    ]


def _obtenir(client, url: str) -> None:
    reponse = client.get(url, secure=True)
    assert reponse.status_code == 200, (url, reponse.status_code)


def main() -> None:
    parseur = argparse.ArgumentParser(description=__doc__)
    parseur.add_argument("--repetitions", type=int, default=5)
    parseur.add_argument(
        "--debug", action="store_true", help="mesurer avec DEBUG vrai (par défaut : production)"
    )
    arguments = parseur.parse_args()
    preparer_django(production=not arguments.debug)
    from indicateurs.models import Valeur
    from quartiers.models import Quartier

    print(f"Données : {Quartier.objects.count()} quartiers, {Valeur.objects.count()} valeurs")
    imprimer("Tableaux de bord (côté serveur, rendu compris)", mesurer(arguments.repetitions))
    print(
        "\nRepère : le cycle de requête seul (session, authentification, intergiciels, gabarit de"
        " base), mesuré sur une page qui ne lit ni ne calcule rien, la page 404 du site pour une"
        f" personne connectée : {cycle_de_requete_ms(arguments.repetitions):.1f} ms"
    )


def cycle_de_requete_ms(repetitions: int) -> float:
    """Ce que coûte une page qui ne lit ni ne calcule rien : le minimum de chaque tableau de bord,
    que le plancher SQL ne compte pas. En production, une adresse inconnue rend `404.html` (le
    gabarit de base et son menu, pour la personne connectée); avec DEBUG vrai, ce serait la page
    technique de Django, qui liste toutes les adresses et coûte bien plus."""
    import logging

    from django.test import Client

    logging.getLogger("django.request").setLevel(logging.ERROR)  # pas de « Not Found » à l'écran
    client = Client()
    client.force_login(utilisateur_de_mesure())

    def page_404() -> None:
        # Une adresse qu'aucune route ne reconnaît : aucune vue ne s'exécute. Une adresse de
        # tableau de bord au quartier inconnu lirait d'abord les périodes et les thèmes du filtre,
        # puis chercherait le quartier (~1,6 ms de plus, mesuré en session 15).
        reponse = client.get("/adresse-inexistante/", secure=True)
        assert reponse.status_code == 404, reponse.status_code

    return mediane_ms(page_404, repetitions)


if __name__ == "__main__":
    main()
