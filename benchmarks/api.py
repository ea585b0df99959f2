"""L'API des valeurs, sur les données d'échelle : une page de 1 000 valeurs par l'API (jeton,
rendu JSON compris) comparée au plancher — la même page lue en une requête SQL écrite à la main
et sérialisée par json.dumps. Usage : scripts/banc.sh (ou python -m benchmarks.api)."""

from __future__ import annotations

import argparse
import json

from benchmarks.commun import Mesure, imprimer, mesurer_contre_plancher, preparer_django

TAILLE = 1000

SQL_VALEURS = """
SELECT v.id, v.saisie_id, q.slug, p.annee, p.trimestre, i.code, v.valeur_numerique,
       v.valeur_texte, v.non_disponible, v.raison_non_disponible, v.commentaire,
       v.preuve_url, v.updated_at
FROM indicateurs_valeur v
JOIN indicateurs_saisie s ON s.id = v.saisie_id
JOIN indicateurs_periode p ON p.id = s.periode_id
JOIN quartiers_tabledequartier t ON t.id = s.table_id
JOIN quartiers_quartier q ON q.id = t.quartier_id
JOIN indicateurs_indicateur i ON i.id = v.indicateur_id
ORDER BY v.id
LIMIT %s
"""


def plancher() -> None:
    from django.db import connection

    with connection.cursor() as curseur:
        curseur.execute(SQL_VALEURS, [TAILLE])
        lignes = curseur.fetchall()
    json.dumps(
        [
            {
                "id": ligne[0],
                "saisie": ligne[1],
                "quartier": ligne[2],
                "periode": f"{ligne[3]}-T{ligne[4]}",
                "indicateur": ligne[5],
                "valeur": None if ligne[6] is None else str(ligne[6]),
                "valeur_texte": ligne[7],
                "non_disponible": ligne[8],
                "raison_non_disponible": ligne[9],
                "commentaire": ligne[10],
                "preuve_url": ligne[11],
                "updated_at": ligne[12].isoformat(),
            }
            for ligne in lignes
        ]
    )


def mesurer(repetitions: int) -> list[Mesure]:
    from rest_framework.test import APIClient

    from benchmarks.commun import utilisateur_de_mesure
    from quartiers.jetons import creer_jeton

    _jeton, cle = creer_jeton(utilisateur=utilisateur_de_mesure(), nom="banc d'essai")
    client = APIClient()
    url = f"/api/v1/valeurs/?taille={TAILLE}"

    def page() -> None:
        reponse = client.get(url, HTTP_AUTHORIZATION=f"Bearer {cle}", secure=True)
        assert reponse.status_code == 200, reponse.status_code
        assert len(reponse.json()["results"]) == TAILLE

    return [mesurer_contre_plancher(f"API : {TAILLE} valeurs (JSON)", page, plancher, repetitions)]


def main() -> None:
    parseur = argparse.ArgumentParser(description=__doc__)
    parseur.add_argument("--repetitions", type=int, default=5)
    parseur.add_argument(
        "--debug", action="store_true", help="mesurer avec DEBUG vrai (par défaut : production)"
    )
    arguments = parseur.parse_args()
    preparer_django(production=not arguments.debug)
    imprimer(
        "API (côté serveur, authentification et rendu compris)", mesurer(arguments.repetitions)
    )


if __name__ == "__main__":
    main()
