"""Le document d'un bilan, rendu à partir de l'instantané seul : la même mise en page sert la
page interactive (graphiques Plotly) et le PDF (graphiques en SVG par kaleido)."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import formats, translation
from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from evalpic.nombres import nombre
from indicateurs.agregation import ValeurDePeriode
from indicateurs.models import Agregation, CategorieApprentissage
from rapports import graphiques
from rapports.en_bref import constats
from rapports.instantane import lignes_de_completude, somme_de_controle
from rapports.series import Point, Repere, SerieIndicateur, Statut
from rapports.statuts import a_un_statut, libelle_trimestre

# Les rubriques du bilan fondateur, dans son ordre : (ancre, catégorie d'apprentissage, titre).
RUBRIQUES = [
    ("defis", CategorieApprentissage.DEFIS, _("Les défis")),
    (
        "changements-pratiques",
        CategorieApprentissage.CHANGEMENTS_PRATIQUES,
        _("Les changements de pratiques"),
    ),
    ("au-dela", CategorieApprentissage.AU_DELA, _("Au-delà des changements")),
]


def _decimal(texte: str | None) -> Decimal | None:
    return None if texte is None else Decimal(texte)


def serie_de(donnees: dict, catalogue: dict, quartier: str) -> SerieIndicateur:
    """Une série de l'instantané, redevenue `SerieIndicateur` pour les graphiques."""
    fiche = catalogue[donnees["code"]]
    return SerieIndicateur(
        code=donnees["code"],
        nom=fiche["nom"],
        unite=fiche["unite"],
        polarite=fiche["polarite"],
        quartier=quartier,
        reference=_decimal(donnees["reference"]),
        date_reference=(
            datetime.date.fromisoformat(donnees["date_reference"])
            if donnees.get("date_reference")
            else None
        ),
        points=[
            Point(
                p["periode"],
                p["libelle"],
                None,
                _decimal(p["valeur"]),
                p.get("texte", ""),
                # Depuis evalpic-bilan-1.4; les instantanés d'avant n'ont pas ces clés.
                p.get("non_disponible", False),
                p.get("raison", ""),
            )
            for p in donnees["points"]
        ],
        cibles=[
            Point(c["periode"], c["libelle"], None, _decimal(c["valeur"]))
            for c in donnees["cibles"]
        ],
        reperes=[Repere(**r) for r in donnees["reperes"]],
    )


def _sections_du_quartier(
    quartier: dict, catalogue: dict, image: Callable | None, periode: dict | None = None
) -> list[dict]:
    """Les indicateurs du quartier groupés par changement visé, chacun avec sa figure et la
    valeur de la période du bilan selon son agrégation, là où elle dit quelque chose
    (`valeur_de_periode_ecrite`; `periode` : celle de l'instantané). Un
    indicateur en texte n'a pas d'image dans le PDF (celui du PIC compris) : le tableau HTML de
    ses textes passe d'une page à l'autre, quand une image, de hauteur fixe, coupait le bas."""
    series = {s["code"]: s for s in quartier["series"]}
    sections, places = [], set()
    groupes = [(c, c["indicateurs"]) for c in quartier["changements"]]
    groupes.append((None, sorted(series)))
    for changement, codes in groupes:
        courbes = []
        for code in codes:
            if code in places or code not in series:
                continue
            places.add(code)
            serie = serie_de(series[code], catalogue, quartier["nom"])
            figure = graphiques.courbe_a_renverser(serie)
            # Un indicateur en texte n'a pas de statut (`a_un_statut`) : pas d'étiquette.
            etat = series[code]["statut"] if a_un_statut(serie.unite) else ""
            courbes.append(
                {
                    "serie": serie,
                    "statut": etat,
                    "libelle_statut": Statut(etat).label if etat else "",
                    "figure": figure,
                    "image": (
                        image(figure, cle_image(quartier["slug"], code))
                        if image and not graphiques.en_texte(serie)
                        else None
                    ),
                    "ancre": ancre_image(cle_image(quartier["slug"], code)),
                    "lignes": graphiques.lignes_de_la_courbe(serie),
                    "en_texte": graphiques.en_texte(serie),
                    "absences": [(p.libelle, p.raison) for p in serie.points if p.non_disponible],
                    "source": catalogue[code]["source"],
                    "valeur_de_periode": valeur_de_periode_ecrite(series[code], periode or {}),
                }
            )
        if courbes:
            sections.append({"changement": changement, "courbes": courbes})
    return sections


def valeur_de_periode_lue(serie: dict) -> ValeurDePeriode | None:
    """La valeur de la période du bilan figée dans une série de l'instantané (depuis
    evalpic-bilan-1.8, `instantane._valeurs_de_la_periode`); None sans elle."""
    donnees = serie.get("valeur_de_periode")
    if not donnees:
        return None
    return ValeurDePeriode(**{**donnees, "valeur": Decimal(donnees["valeur"])})


def valeur_de_periode_ecrite(serie: dict, periode: dict) -> str:
    """La ligne qui donne la valeur de la période du bilan selon l'agrégation de l'indicateur,
    dans la langue active, ses nombres écrits comme ceux du bilan : « Total de l'année 2025 :
    9 961 (4 trimestres sur 4) », « Moyenne de l'année 2025 : 3,5 (3 trimestres sur 4) »,
    « Dernière valeur de l'année 2025 : 12 (T3 2025, 3 trimestres sur 4) », « Cumul depuis le
    début, à la fin de 2025 : 37 (4 trimestres sur 4) »; « Cumul depuis le début, à la fin de
    T3 2026 : 37 » dans un bilan trimestriel.

    Vide là où elle n'ajoute rien : dans un bilan trimestriel, la somme, la moyenne ou la
    dernière valeur du trimestre est sa valeur; seul le cumul (qui compte aussi les trimestres
    d'avant) s'écrit. Vide aussi sans valeur de la période (indicateur en texte, aucune valeur,
    instantané d'avant evalpic-bilan-1.8)."""
    lue = valeur_de_periode_lue(serie)
    annuelle = not periode.get("trimestre")
    if lue is None or not (annuelle or lue.agregation == Agregation.CUMUL):
        return ""
    trimestres = ngettext(
        "%(n)s trimestre sur %(sur)s", "%(n)s trimestres sur %(sur)s", lue.trimestres
    ) % {"n": lue.trimestres, "sur": lue.sur}
    valeur = nombre(lue.valeur)
    if lue.agregation == Agregation.CUMUL:
        fin = (
            str(periode["annee"])
            if annuelle
            else libelle_trimestre(f"{periode['annee']}-T{periode['trimestre']}")
        )
        if lue.sur == 1:
            return gettext("%(libelle)s, à la fin de %(periode)s : %(valeur)s") % {
                "libelle": lue.libelle,
                "periode": fin,
                "valeur": valeur,
            }
        return gettext("%(libelle)s, à la fin de %(periode)s : %(valeur)s (%(trimestres)s)") % {
            "libelle": lue.libelle,
            "periode": fin,
            "valeur": valeur,
            "trimestres": trimestres,
        }
    if lue.agregation == Agregation.DERNIERE:
        return gettext("%(libelle)s %(annee)s : %(valeur)s (%(periode)s, %(trimestres)s)") % {
            "libelle": lue.libelle,
            "annee": periode["annee"],
            "valeur": valeur,
            "periode": libelle_trimestre(lue.derniere_periode),
            "trimestres": trimestres,
        }
    return gettext("%(libelle)s %(annee)s : %(valeur)s (%(trimestres)s)") % {
        "libelle": lue.libelle,
        "annee": periode["annee"],
        "valeur": valeur,
        "trimestres": trimestres,
    }


def cle_image(slug: str, code: str) -> str:
    """L'identifiant d'une figure du bilan (pour répartir le rendu des images entre workers)."""
    return f"{slug}:{code}"


CLE_VUE_PIC = "pic:statuts"


def ancre_image(cle: str) -> str:
    """L'`id` de la figure d'une image dans le PDF : dit sur quelle page elle tombe."""
    return "figure-" + cle.replace(":", "--")


def figure_vue_pic(instantane: dict) -> tuple[dict, list]:
    """La figure des quartiers côte à côte (bilan du PIC) et ses lignes : (quartier, comptes),
    sans les indicateurs qui n'ont pas de statut (`a_un_statut`), comme « En bref »."""
    unites = {code: i["unite"] for code, i in instantane["indicateurs"].items()}
    lignes = []
    for quartier in instantane["quartiers"]:
        statuts = [x["statut"] for x in quartier["series"] if a_un_statut(unites[x["code"]])]
        lignes.append((quartier["nom"], {s.value: statuts.count(s.value) for s in Statut}))
    return graphiques.progression_quartiers(lignes), lignes


def series_imprimees(quartier: dict, catalogue: dict) -> list[SerieIndicateur]:
    """Les séries d'un quartier de l'instantané dont le PDF imprime la figure, par code : la
    première de chaque indicateur, sauf celles en texte (`graphiques.en_texte`), dont les
    textes s'impriment en tableau HTML."""
    series = []
    for code in sorted({s["code"] for s in quartier["series"]}):
        donnees = next(s for s in quartier["series"] if s["code"] == code)
        serie = serie_de(donnees, catalogue, quartier["nom"])
        if not graphiques.en_texte(serie):
            series.append(serie)
    return series


def figures_du_quartier(quartier: dict, catalogue: dict) -> dict[str, dict]:
    """Chaque figure d'un quartier de l'instantané que le PDF imprime, par clé : ce que rend un
    worker."""
    return {
        cle_image(quartier["slug"], serie.code): graphiques.courbe_a_renverser(serie)
        for serie in series_imprimees(quartier, catalogue)
    }


def contexte(instantane: dict, *, image: Callable[[dict, str], str] | None = None) -> dict:
    """Le contexte du gabarit du bilan. `image(figure, cle)` transforme une figure en image
    (PDF); sans elle, les figures restent interactives (page web)."""
    catalogue = instantane["indicateurs"]
    quartiers = [
        {
            **q,
            "sections": _sections_du_quartier(q, catalogue, image, instantane["periode"]),
            "lignes_completude": lignes_de_completude(instantane, q),
        }
        for q in instantane["quartiers"]
    ]
    vue_pic = None
    if instantane["portee"] == "pic":
        figure, lignes = figure_vue_pic(instantane)
        vue_pic = {
            "figure": figure,
            "image": image(figure, CLE_VUE_PIC) if image else None,
            "ancre": ancre_image(CLE_VUE_PIC),
            "lignes": lignes,
        }
    return {
        "instantane": instantane,
        "periode": instantane["periode"],
        **_donnees_au(instantane),
        "strategies": [(q["nom"], _strategie(q.get("strategie"))) for q in instantane["quartiers"]],
        # Des dates, que le gabarit écrit dans la langue du bilan (« 1 avril 2026 »).
        "debut": datetime.date.fromisoformat(instantane["periode"]["debut"]),
        "fin": datetime.date.fromisoformat(instantane["periode"]["fin"]),
        "constats": constats(instantane),
        # Une liste triée, pas le dictionnaire : jsonb ne garde pas l'ordre de ses clés, et le
        # HTML régénéré depuis l'instantané stocké doit être le même, à l'octet.
        "catalogue": [{"code": code, **fiche} for code, fiche in sorted(catalogue.items())],
        "quartiers": quartiers,
        "vue_pic": vue_pic,
        "statuts": Statut.choices,
        "rubriques": [
            {"ancre": ancre, "titre": titre, **_rubrique(instantane, categorie)}
            for ancre, categorie, titre in RUBRIQUES
        ],
        "processus_resultats": _rubrique(instantane, CategorieApprentissage.PROCESSUS_RESULTATS),
        "pour_impression": image is not None,
        # Depuis evalpic-bilan-1.8, le catalogue porte l'agrégation de chaque indicateur et les
        # séries la valeur de la période : la méthodologie dit comment elle se lit.
        "agregations": sorted({f["agregation"] for f in catalogue.values() if "agregation" in f}),
    }


def _strategie(strategie: dict | None) -> dict | None:
    """La stratégie figée d'un quartier (titre, version), sa date d'adoption en date; de même
    pour celle en vigueur à la production du bilan quand l'instantané la nomme (depuis
    evalpic-bilan-1.7, `instantane._strategie_retenue`)."""
    if not strategie:
        return None
    adoptee_le = strategie.get("adoptee_le")
    resultat = {
        **strategie,
        "adoptee_le": datetime.date.fromisoformat(adoptee_le) if adoptee_le else None,
    }
    if strategie.get("en_vigueur_a_la_production"):
        resultat["en_vigueur_a_la_production"] = _strategie(strategie["en_vigueur_a_la_production"])
    return resultat


def _donnees_au(instantane: dict) -> dict:
    """Le moment où le bilan a lu la base (`instantane["donnees_au"]`, depuis
    evalpic-bilan-1.5), en date et en heure à écrire dans la langue active; rien pour un
    instantané d'avant, qui ne l'a pas figé."""
    if not instantane.get("donnees_au"):
        return {"donnees_au": None, "donnees_au_heure": ""}
    moment = datetime.datetime.fromisoformat(instantane["donnees_au"])
    return {
        "donnees_au": moment.date(),
        "donnees_au_heure": formats.time_format(moment.time(), "TIME_FORMAT"),
    }


def _rubrique(instantane: dict, categorie: str) -> dict:
    par_quartier = [
        (q["nom"], q["apprentissages"].get(categorie, [])) for q in instantane["quartiers"]
    ]
    return {"par_quartier": par_quartier, "present": any(textes for _nom, textes in par_quartier)}


def contenu(instantane: dict, *, titre: str, extra: dict | None = None) -> SafeString:
    """Le contenu du bilan sans page autour (couverture, constats, sections, méthodologie), dans
    la langue du bilan : la page du site l'insère dans sa mise en page, qui reste dans la langue
    de la personne qui la lit."""
    return _dans_sa_langue("rapports/_bilan_contenu.html", instantane, titre=titre, extra=extra)


def rendre(
    instantane: dict, *, titre: str, image: Callable | None = None, extra: dict | None = None
) -> str:
    """Le document HTML complet du bilan, dans sa langue. Sans `image`, c'est le fichier HTML
    autonome : sa feuille de style et ses scripts y sont écrits (`embarques`), rien ne se
    charge d'ailleurs; avec `image`, c'est l'entrée du PDF (feuille d'impression)."""
    # La somme de contrôle des données, comme la page du bilan (qui la lit sur le bilan).
    extra = {"somme_controle": somme_de_controle(instantane), **(extra or {})}
    if image is None:
        extra = {"embarque": embarques(instantane["langue"]), **extra}
    document = _dans_sa_langue(
        "rapports/bilan_document.html", instantane, titre=titre, image=image, extra=extra
    )
    return _avec_sa_date(document, instantane)


_FIN_ENTETE = re.compile(r"</head\s*>", re.IGNORECASE)


def _avec_sa_date(document: str, instantane: dict) -> str:
    """Le document avec, dans son en-tête, la date de ses données (`dcterms.created` et
    `dcterms.modified`) : WeasyPrint en fait la date de création et de modification du PDF
    (sinon il n'en écrit aucune). Rien pour un instantané d'avant evalpic-bilan-1.5."""
    if not instantane.get("donnees_au"):
        return document
    date = escape(instantane["donnees_au"])
    metas = "".join(
        f'<meta name="dcterms.{nom}" content="{date}">\n' for nom in ("created", "modified")
    )
    return _FIN_ENTETE.sub(lambda fin: metas + fin.group(0), document, count=1)


# Ce que le fichier HTML autonome embarque, lu dans les fichiers statiques à sa fabrication :
# la feuille du site, plotly (cartésien), la traduction de plotly de la langue du bilan (aucune
# en anglais, sa langue d'origine), le dessin des graphiques, puis les tableaux qui défilent.
FEUILLE_AUTONOME = "css/evalpic.css"
PLOTLY, DESSIN = "js/plotly-cartesian.min.js", "js/graphiques.js"
LOCALES_PLOTLY = {"fr": "js/plotly-locale-fr.js"}
SCRIPT_TABLEAUX = "js/tableaux.js"
_FIN_DE_SCRIPT = re.compile(r"</(script)", re.IGNORECASE)


def embarques(langue: str) -> dict:
    """La feuille et les scripts du fichier autonome, en texte prêt à écrire dans `<style>` et
    `<script>` : un « </script » du texte (il n'y en a pas aujourd'hui) devient « <\\/script »,
    qui se lit pareil en JavaScript sans fermer la balise."""
    locale = [LOCALES_PLOTLY[langue]] if langue in LOCALES_PLOTLY else []
    scripts = [PLOTLY, *locale, DESSIN]
    return {
        "feuille": SafeString(texte_statique(FEUILLE_AUTONOME)),
        "scripts": [SafeString(_sans_fin(texte_statique(nom))) for nom in scripts],
        "tableaux": SafeString(_sans_fin(texte_statique(SCRIPT_TABLEAUX))),
    }


def _sans_fin(script: str) -> str:
    return _FIN_DE_SCRIPT.sub(r"<\\/\1", script)


def texte_statique(nom: str) -> str:
    """Le texte d'un fichier statique (« css/evalpic.css »), trouvé comme pour le PDF : par les
    chercheurs de staticfiles (sources du projet), sinon dans STATIC_ROOT (après
    collectstatic). Un fichier introuvable est une erreur : le bilan échoue (le nom du fichier
    au journal) plutôt que de produire un fichier sans graphiques."""
    from rapports.pdf import fichier_statique  # WeasyPrint : chargé au besoin seulement

    chemin = fichier_statique(nom)
    if chemin is None:
        raise FileNotFoundError(f"Fichier statique introuvable : {nom}")
    # En mode texte, les fins de ligne deviennent LF, comme le navigateur lit un script : le site
    # calcule sur le fichier l'empreinte que le navigateur vérifie (fichiers.politique_du_document).
    return chemin.read_text(encoding="utf-8")


def _dans_sa_langue(
    gabarit: str,
    instantane: dict,
    *,
    titre: str,
    image: Callable | None = None,
    extra: dict | None = None,
) -> SafeString:
    with translation.override(instantane["langue"]):
        titre = titre_capitalise(titre, instantane["periode"]["libelle"])
        donnees = {
            **contexte(instantane, image=image),
            "titre": titre,
            "titre_couverture": titre_insecable(titre),
            **(extra or {}),
        }
        return render_to_string(gabarit, donnees)


def titre_capitalise(titre: str, libelle: str) -> str:
    """Le titre dont la dernière partie, le libellé de la période, prend sa majuscule : « Bilan —
    Saint-Michel — Année 2025 » (« Report — Saint-Michel — Year 2025 ») et non « année 2025 »,
    libellé figé en minuscule pour se lire au milieu d'une phrase (`Bilan.libelle_periode`)."""
    if libelle and titre.endswith(libelle):
        return titre[: -len(libelle)] + capfirst(libelle)
    return titre


def titre_insecable(titre: str) -> str:
    """Le titre de la couverture du PDF, qui ne laisse pas un mot seul sur sa ligne : le tiret
    reste avec le mot qui le précède et les deux derniers mots vont ensemble (« T2 2026 »)."""
    titre = titre.replace(" —", "\u00a0—")
    debut, espace, fin = titre.rpartition(" ")
    return f"{debut}\u00a0{fin}" if espace else titre
