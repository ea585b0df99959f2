"""`{% commentaires_de_la_saisie retour %}` : la discussion d'une saisie sur ses pages
(formulaire et révision, historique), sans toucher à leurs vues. La balise lit la `saisie` et la
personne du contexte et appelle `views_commentaires.contexte_des_commentaires` : trois requêtes
au plus (les commentaires, le droit de commenter, les indicateurs du formulaire), quel que soit
le nombre de commentaires. Rien sans saisie (un trimestre encore jamais enregistré)."""

from __future__ import annotations

from django import template

register = template.Library()


@register.inclusion_tag("indicateurs/_commentaires_liste.html", takes_context=True)
def commentaires_de_la_saisie(context, retour: str = "") -> dict:
    from indicateurs.views_commentaires import contexte_des_commentaires

    saisie = context.get("saisie")
    requete = context.get("request")
    if saisie is None or requete is None:
        return {"saisie_commentee": None}
    return {
        "request": requete,
        **contexte_des_commentaires(requete.user, saisie, retour=retour),
    }
