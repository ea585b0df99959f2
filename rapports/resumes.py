"""Le résumé de chaque série (`rapports.statuts.Resume`), calculé dans la base : la vue
d'ensemble du PIC compte les statuts de milliers de séries et n'a besoin ni des points ni des
courbes. Une requête agrège, par quartier et indicateur, les valeurs transmises des huit derniers
trimestres de l'intervalle affiché (`statuts.points_retenus` : nombre, Σx, Σy, Σxy, Σx², de quoi
tracer la tendance), la dernière de ces valeurs et la cible courante, celle que choisissent les
séries (`rapports.lectures._cibles`), même lointaine; l'unité et la référence viennent du suivi.
Les règles du statut (dont les bornes de la projection et la part du changement prévu) restent en
Python, écrites une fois (`statut_du_resume`). SQL portable : PostgreSQL et SQLite (fonctions
de fenêtre, CTE)."""

from __future__ import annotations

from decimal import Decimal

from django.db import connection

from indicateurs.models import Cible, IndicateurSuivi, Periode, Saisie, Valeur
from quartiers.models import TableDeQuartier
from rapports.statuts import Resume, Sommes, debut_des_retenus

_PAS_DES_VALEURS = Decimal(10) ** -Valeur._meta.get_field("valeur_numerique").decimal_places

_SQL = """
WITH fenetre(periode_id, x, debut) AS (VALUES {fenetre}),
retenues AS (
  -- Les valeurs des huit derniers trimestres affichés : x > x_fin - 8, soit x >= le premier
  -- retenu (statuts.debut_des_retenus, points_retenus). Un trimestre sans valeur y compte,
  -- aucune valeur plus ancienne ne le remplace.
  SELECT t.quartier_id AS q, v.indicateur_id AS i, f.x AS x, f.debut AS debut,
         v.valeur_numerique AS y,
         ROW_NUMBER() OVER (PARTITION BY t.quartier_id, v.indicateur_id ORDER BY f.x DESC) AS rang
  FROM {valeur} v
  JOIN {saisie} s ON s.id = v.saisie_id
  JOIN {table} t ON t.id = s.table_id
  JOIN fenetre f ON f.periode_id = s.periode_id
  WHERE f.x >= %s AND s.statut IN ({statuts}) AND v.valeur_numerique IS NOT NULL
    AND t.quartier_id IN ({quartiers}) AND v.indicateur_id IN ({indicateurs})
),
sommes AS (
  -- La dernière valeur, celle de rang 1. (Une jointure de `retenues` sur MAX(x) éviterait la
  -- fonction de fenêtre, mais coûte un second tri : ~15 ms de plus sur le banc. Le tri par
  -- quartier, indicateur et x sert ici au rang et au regroupement.)
  SELECT q, i, COUNT(*) AS n, SUM(x) AS sx, SUM(y) AS sy, SUM(x * y) AS sxy, SUM(x * x) AS sxx,
         MAX(x) AS x_der, MAX(debut) AS debut_der, MAX(CASE WHEN rang = 1 THEN y END) AS y_der
  FROM retenues GROUP BY q, i
),
cibles AS (
  -- La cible courante : la première dont la période est celle de la dernière valeur ou une
  -- suivante, quelle que soit sa distance; à défaut, la dernière (rapports.statuts.cible_courante).
  -- Les séries lisent les cibles jusqu'à un an après l'intervalle et la première à venir au-delà
  -- (rapports.lectures._cibles) : la cible choisie parmi toutes celles depuis le début de
  -- l'intervalle est la même.
  SELECT su.quartier_id AS q, su.indicateur_id AS i, p.annee AS annee, p.trimestre AS trimestre,
         c.valeur AS valeur,
         ROW_NUMBER() OVER (
           PARTITION BY su.quartier_id, su.indicateur_id
           ORDER BY CASE WHEN p.debut >= s.debut_der THEN 0 ELSE 1 END,
                    CASE WHEN p.debut >= s.debut_der THEN p.debut END,
                    p.debut DESC
         ) AS rang
  FROM {cible} c
  JOIN {suivi} su ON su.id = c.suivi_id
  JOIN {periode} p ON p.id = c.periode_id
  JOIN sommes s ON s.q = su.quartier_id AND s.i = su.indicateur_id
  WHERE c.valeur IS NOT NULL AND p.debut >= %s
)
SELECT r.q, r.i, r.n, r.sx, r.sy, r.sxy, r.sxx, r.x_der, r.y_der,
       COALESCE(r.annee, pa.annee), COALESCE(r.trimestre, pa.trimestre),
       COALESCE(r.valeur, ca.valeur)
FROM (
  SELECT s.q, s.i, s.n, s.sx, s.sy, s.sxy, s.sxx, s.x_der, s.y_der,
         c.annee, c.trimestre, c.valeur,
         -- Sans cible depuis le début de l'intervalle, toutes les cibles de la série sont
         -- passées et la dernière d'avant l'intervalle décide, quelle que soit sa longueur
         -- (rapports.lectures._cibles). Cherchée pour ces seules séries, par les index.
         CASE WHEN c.q IS NULL THEN (
           SELECT ce.id FROM {cible} ce
           JOIN {suivi} se ON se.id = ce.suivi_id
           JOIN {periode} pe ON pe.id = ce.periode_id
           WHERE se.quartier_id = s.q AND se.indicateur_id = s.i AND pe.debut < %s
           ORDER BY pe.debut DESC LIMIT 1
         ) END AS avant
  FROM sommes s
  LEFT JOIN cibles c ON c.q = s.q AND c.i = s.i AND c.rang = 1
) r
LEFT JOIN {cible} ca ON ca.id = r.avant
LEFT JOIN {periode} pa ON pa.id = ca.periode_id
"""


def _decimal(nombre) -> Decimal:
    """PostgreSQL rend des `Decimal` exacts; SQLite, des flottants (ou des entiers), que l'on
    ramène aux décimales du champ : des sommes de valeurs à quatre décimales (fois des entiers)
    en ont quatre au plus, et l'erreur d'arrondi des flottants est bien en deçà."""
    if isinstance(nombre, Decimal):
        return nombre
    return Decimal(repr(nombre)).quantize(_PAS_DES_VALEURS)


def lire_resumes(
    quartier_ids: list[int],
    suivis: list,
    periodes: list[Periode],
    statuts: list[str],
) -> dict[tuple[int, int], Resume]:
    """(quartier, indicateur) → résumé, pour les `suivis` (tuples nommés de
    `rapports.lectures.CHAMPS_SUIVI`) d'indicateurs saisis, sur les `periodes` affichées. Une
    requête. Une série sans valeur a le résumé « aucune valeur » (statut sans données)."""
    if not periodes or not suivis:
        return {}
    premier = debut_des_retenus(len(periodes))  # le x du premier trimestre retenu
    par_serie = {(s.quartier_id, s.indicateur_id): s for s in suivis}
    indicateur_ids = sorted({s.indicateur_id for s in suivis})
    sql = _SQL.format(
        fenetre=", ".join(["(%s, %s, %s)"] * len(periodes)),
        statuts=", ".join(["%s"] * len(statuts)),
        quartiers=", ".join(["%s"] * len(quartier_ids)),
        indicateurs=", ".join(["%s"] * len(indicateur_ids)),
        valeur=Valeur._meta.db_table,
        saisie=Saisie._meta.db_table,
        table=TableDeQuartier._meta.db_table,
        cible=Cible._meta.db_table,
        suivi=IndicateurSuivi._meta.db_table,
        periode=Periode._meta.db_table,
    )
    parametres = [v for x, p in enumerate(periodes) for v in (p.pk, x, p.debut)]
    parametres += [premier, *statuts, *quartier_ids, *indicateur_ids]
    parametres += [periodes[0].debut, periodes[0].debut]
    codes = [p.code for p in periodes]
    with connection.cursor() as curseur:
        curseur.execute(sql, parametres)
        lignes = curseur.fetchall()
    # Construits d'un coup, sans résumé vide copié par `_replace` : ~80 ms de moins par vue
    # d'ensemble sur les données d'échelle (banc).
    resumes: dict[tuple[int, int], Resume] = {}
    for q, i, n, sx, sy, sxy, sxx, x_der, y_der, annee, trimestre, cible in lignes:
        suivi = par_serie.get((q, i))
        if suivi is None:
            continue
        resumes[(q, i)] = Resume(
            suivi.indicateur__polarite, suivi.indicateur__unite, suivi.valeur_reference,
            _decimal(y_der), codes[x_der], x_der,
            Sommes(n, int(sx), _decimal(sy), _decimal(sxy), int(sxx)),
            (f"{annee}-T{trimestre}", _decimal(cible)) if cible is not None else None,
        )  # fmt: skip
    aucune = Sommes(0, 0, Decimal(0), Decimal(0), 0)
    return {  # dans l'ordre des suivis; une série sans valeur : « aucune valeur »
        cle: resumes.get(cle)
        or Resume(
            suivi.indicateur__polarite, suivi.indicateur__unite, suivi.valeur_reference, None,
            None, None, aucune, None,
        )
        for cle, suivi in par_serie.items()
    }  # fmt: skip
