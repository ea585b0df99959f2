"""La négociation du format de toute vue de l'API (`DEFAULT_CONTENT_NEGOTIATION_CLASS`) :
ressources, racine `/api/v1/`, schéma OpenAPI (`/api/schema/`) et sa documentation.

Module à part, qui n'importe que la négociation et les exceptions de DRF : les réglages de DRF
le nomment, et `rest_framework.views` le lit en définissant `APIView`; `evalpic.api.commun`,
qui importe les vues de DRF, ne peut pas l'être à ce moment-là."""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from rest_framework import exceptions, negotiation

FORMAT_INCONNU = gettext_lazy("Format de sortie inconnu : « %(format)s ». Formats : %(formats)s.")


class NegociationVerifiee(negotiation.DefaultContentNegotiation):
    """`?format=` nomme un format de la vue (`json`, `csv`, `api` pour une ressource; `yaml`,
    `json` pour le schéma; `html` pour sa documentation), sinon 404 comme un format inconnu,
    avec les formats possibles : DRF ignorait un `format=` vide (la réponse dans le format par
    défaut) ou prenait le dernier de deux, et répondait un « Non trouvé. » sans dire pourquoi à
    un format inconnu; de même un suffixe inconnu (« quartiers.xyz »). Un en-tête Accept
    qu'aucun format ne satisfait répond 406, comme le fait DRF."""

    def select_renderer(self, request, renderers, format_suffix=None):
        cle = self.settings.URL_FORMAT_OVERRIDE
        formats = list(dict.fromkeys(rendu.format for rendu in renderers))
        if format_suffix:  # « /api/v1/quartiers.xyz »
            valeurs = [format_suffix]
        else:
            valeurs = request.query_params.getlist(cle) if cle else []
        if valeurs and (len(valeurs) > 1 or valeurs[0] not in formats):
            raise exceptions.NotFound(
                FORMAT_INCONNU % {"format": ", ".join(valeurs), "formats": ", ".join(formats)}
            )
        return super().select_renderer(request, renderers, format_suffix)
