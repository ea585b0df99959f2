#!/usr/bin/env bash
# Remplace static/js/plotly-cartesian.min.js par le paquet npm plotly.js-cartesian-dist-min de la
# version de plotly.js qu'embarque le paquet Python plotly (celle que kaleido utilise pour les
# bilans en PDF), ou de VERSION si elle est donnée. Le test tests/evalpic/test_plotly_js.py
# échoue tant que les deux versions diffèrent.
#   scripts/mettre_a_jour_plotly.sh            # la version du paquet Python
#   VERSION=4.1.1 scripts/mettre_a_jour_plotly.sh
set -euo pipefail
source "$(dirname "$0")/_commun.sh"
cd "$RACINE"

VERSION="${VERSION:-$("$PY" -c 'import re, plotly, pathlib; print(re.search(r"plotly\.js v([0-9.]+)", (pathlib.Path(plotly.__file__).parent / "package_data/plotly.min.js").read_text()[:300]).group(1))')}"
TEMPORAIRE="$(mktemp -d)"
trap 'rm -rf "$TEMPORAIRE"' EXIT
(cd "$TEMPORAIRE" && npm pack --silent "plotly.js-cartesian-dist-min@$VERSION" >/dev/null && tar xzf ./*.tgz)
cp "$TEMPORAIRE/package/plotly-cartesian.min.js" static/js/plotly-cartesian.min.js
cp "$TEMPORAIRE/package/LICENSE" static/js/plotly-cartesian.LICENSE.txt
echo "plotly.js (cartesian) $VERSION → static/js/plotly-cartesian.min.js"
