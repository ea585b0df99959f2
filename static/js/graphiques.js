// Dessine chaque graphique Plotly de la page à partir de sa figure JSON (json_script).
// Sans JavaScript, les tableaux de données qui suivent chaque graphique restent lisibles.
//
// Quelques graphiques à la fois, en rendant la main au navigateur entre deux tranches : le
// tableau de bord d'un quartier en compte plus de cent, et les dessiner d'une traite bloquait la
// page (défilement, clics, lecteur d'écran) jusqu'au dernier. Ceux qui sont à l'écran passent
// d'abord (y compris après un lien vers #courbe-…), les autres suivent dans l'ordre de la page;
// tous finissent dessinés.
(function () {
  "use strict";
  if (typeof Plotly === "undefined") { return; }
  // showSendToCloud : plotly.js 3 montre par défaut un bouton « Share chart... » qui enverrait
  // la figure à Plotly Cloud; nos données restent ici (et ce bouton serait un arrêt de tabulation
  // de plus dans chaque graphique).
  var options = { responsive: true, displaylogo: false, showSendToCloud: false };
  // Des graphiques tant que la tranche dure moins de TRANCHE_MS (une image à 60 Hz; une tâche
  // de plus de 50 ms est « longue » pour le navigateur).
  var TRANCHE_MS = 16;
  var file = Array.prototype.slice.call(document.querySelectorAll("[data-figure]"));
  var aLEcran = [];
  var observateur = null;

  function dessiner(zone) {
    var source = document.getElementById(zone.dataset.figure);
    if (!source) { return; }
    var figure = JSON.parse(source.textContent);
    // La langue de la zone (le contenu d'un bilan garde la sienne), sinon celle de la page.
    var langue = (zone.closest("[lang]") || document.documentElement).lang;
    var reglages = Object.assign({ locale: langue }, options);
    Plotly.newPlot(zone, figure.data, figure.layout, reglages).then(function () {
      // Le dessin est décoratif pour les lecteurs d'écran : le tableau de données le remplace.
      zone.querySelectorAll("svg.main-svg").forEach(function (svg) {
        svg.setAttribute("aria-hidden", "true");
      });
    });
  }

  // La prochaine zone à dessiner (à l'écran d'abord), ou null : chacune une seule fois.
  var faites = new Set();
  function suivante() {
    while (aLEcran.length || file.length) {
      var zone = aLEcran.length ? aLEcran.shift() : file.shift();
      if (faites.has(zone)) { continue; }
      faites.add(zone);
      if (observateur) { observateur.unobserve(zone); }
      return zone;
    }
    return null;
  }

  // La main rendue par un message : setTimeout(0) attendrait au moins 4 ms une fois imbriqué.
  var canal = new MessageChannel();
  canal.port1.onmessage = function () {
    var debut = performance.now();
    try {
      var zone;
      while (performance.now() - debut < TRANCHE_MS && (zone = suivante())) {
        try {
          dessiner(zone);
        } catch (erreur) {  // une figure fautive n'empêche pas les suivantes
          if (window.console) { console.error(erreur); }
        }
      }
    } finally {
      if (file.length || aLEcran.length) { canal.port2.postMessage(null); }
    }
  };

  if (!("IntersectionObserver" in window)) {
    canal.port2.postMessage(null);
    return;
  }
  // Le premier rapport de l'observateur (après la première mise en page, donc après le saut
  // vers l'ancre) lance le dessin; les suivants tiennent à jour ce qui est à l'écran.
  var lance = false;
  observateur = new IntersectionObserver(function (entrees) {
    entrees.forEach(function (entree) {
      var rang = aLEcran.indexOf(entree.target);
      if (entree.isIntersecting && rang < 0) { aLEcran.push(entree.target); }
      if (!entree.isIntersecting && rang >= 0) { aLEcran.splice(rang, 1); }
    });
    if (!lance) {
      lance = true;
      canal.port2.postMessage(null);
    }
  });
  file.forEach(function (zone) { observateur.observe(zone); });
})();
