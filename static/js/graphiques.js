// Dessine chaque graphique Plotly de la page à partir de sa figure JSON (json_script).
// Sans JavaScript, les tableaux de données qui suivent chaque graphique restent lisibles.
(function () {
  "use strict";
  // showSendToCloud : plotly.js 3 montre par défaut un bouton « Share chart... » qui enverrait
  // la figure à Plotly Cloud; nos données restent ici (et ce bouton serait un arrêt de tabulation
  // de plus dans chaque graphique).
  var options = {
    responsive: true, displaylogo: false, showSendToCloud: false,
    locale: document.documentElement.lang
  };
  document.querySelectorAll("[data-figure]").forEach(function (zone) {
    var source = document.getElementById(zone.dataset.figure);
    if (!source || typeof Plotly === "undefined") { return; }
    var figure = JSON.parse(source.textContent);
    Plotly.newPlot(zone, figure.data, figure.layout, options).then(function () {
      // Le dessin est décoratif pour les lecteurs d'écran : le tableau de données le remplace.
      zone.querySelectorAll("svg.main-svg").forEach(function (svg) {
        svg.setAttribute("aria-hidden", "true");
      });
    });
  });
})();
