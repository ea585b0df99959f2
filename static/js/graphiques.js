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
  // La barre d'outils ne garde que ce qui sert au clavier : télécharger l'image et, si un axe
  // se zoome (à la souris), revenir aux axes d'origine. Zoom, déplacement, sélection, lasso,
  // zoom +/−, échelle auto, pointes et modes de survol ne s'utilisent qu'à la souris : chacun
  // était un arrêt de tabulation de plus dans chaque graphique (9 par graphique).
  function boutonsDe(layout) {
    var axes = Object.keys(layout).filter(function (cle) { return /^[xy]axis\d*$/.test(cle); });
    var zoomable = axes.length < 2 || axes.some(function (cle) {
      return !(layout[cle] && layout[cle].fixedrange);
    });
    return [zoomable ? ["toImage", "resetScale2d"] : ["toImage"]];
  }
  // Des graphiques tant que la tranche dure moins de TRANCHE_MS (une image à 60 Hz; une tâche
  // de plus de 50 ms est « longue » pour le navigateur).
  var TRANCHE_MS = 16;
  var file = Array.prototype.slice.call(document.querySelectorAll("[data-figure]"));
  var aLEcran = [];
  var observateur = null;

  // Sous cette largeur (un téléphone), la mise en page se resserre (`pourEcranEtroit`).
  var LARGEUR_ETROITE = 600;
  var ENTREES_DE_LEGENDE_MAX = 6;
  var PIXELS_PAR_TRIMESTRE = 80;
  var LARGEUR_TRIMESTRE = 60;  // « T1 2025 » en 13 px, et un peu d'air
  var NOM_COURT = 16;

  // Une figure lisible sur un téléphone : sans son titre (coupé au bord, et sous la barre
  // d'outils; le titre de la section ou de l'indicateur le dit juste au-dessus), légende
  // dessous (ou masquée si elle a trop d'entrées : le tableau de données les nomme), moins
  // d'étiquettes de trimestres et droites, pas de texte dans les cases d'une carte de chaleur,
  // et ce que la figure prévoit elle-même (`layout.meta.etroit`, ex. deux panneaux par ligne).
  // Des étiquettes droites sur un axe de trimestres, une tous les PIXELS_PAR_TRIMESTRE au
  // plus (le dernier trimestre toujours) : penchées, elles chevauchaient la légende.
  function quelquesTrimestres(figure, cle, largeur) {
    var axe = figure.layout[cle];
    var domaine = axe.domain || [0, 1];
    // La place de l'axe : moins les étiquettes de gauche (les noms de quartiers d'une carte).
    var aGauche = figure.data.some(function (t) { return t.type === "heatmap"; }) ? 180 : 60;
    var place = (domaine[1] - domaine[0]) * (largeur - aGauche);
    // Deux au moins (le premier repère et le dernier), sauf dans un panneau trop étroit pour
    // deux étiquettes côte à côte (un petit multiple à 320 px : « T1 2025T3 2026 »).
    var minimum = place < 2 * LARGEUR_TRIMESTRE ? 1 : 2;
    var maximum = Math.max(minimum, Math.floor(place / PIXELS_PAR_TRIMESTRE));
    var nom = cle.replace("axis", "");
    var categories = axe.categoryarray;
    if (!categories) {
      var trace = figure.data.filter(function (t) { return (t.xaxis || "x") === nom; })[0];
      categories = (trace && trace.x) || [];
    }
    var pas = Math.ceil(categories.length / maximum);
    var dernier = categories.length - 1;
    var gardees = categories.filter(function (_c, rang) { return (dernier - rang) % pas === 0; });
    return {
      tickmode: "array", tickvals: gardees, ticktext: gardees, tickangle: 0, automargin: true
    };
  }

  function pourEcranEtroit(figure, largeur) {
    var layout = figure.layout;
    var annotationEnHaut = (layout.annotations || []).some(function (note) {
      return note.yref === "paper" && note.y > 1;
    });
    delete layout.title;
    var propres = (layout.meta && layout.meta.etroit) || {};
    Object.keys(propres).forEach(function (cle) {
      var valeur = propres[cle];
      layout[cle] = (valeur && typeof valeur === "object" && !Array.isArray(valeur))
        ? Object.assign({}, layout[cle], valeur) : valeur;
    });
    var marges = layout.margin || {};
    layout.margin = Object.assign({}, marges, {
      l: Math.min(marges.l || 40, 40), r: 16, t: annotationEnHaut ? 36 : 24
    });
    var entrees = figure.data.filter(function (trace) {
      return trace.showlegend !== false && trace.type !== "heatmap" && trace.type !== "table";
    }).length;
    if (entrees > ENTREES_DE_LEGENDE_MAX) {
      layout.showlegend = false;
    } else {
      // Au pied de la figure (`yref: "container"`) : plotly.js lui réserve sa hauteur sous
      // les graduations et le titre de l'axe des x. Placée à y -0.2 du tracé, elle tombait sur
      // le titre de l'axe dès que le tracé était bas (les statuts d'un bilan).
      layout.legend = Object.assign({}, layout.legend, {
        orientation: "h", xref: "paper", x: 0, xanchor: "left",
        yref: "container", y: 0, yanchor: "bottom"
      });
    }
    Object.keys(layout).forEach(function (cle) {
      if (!/^xaxis\d*$/.test(cle)) { return; }
      // La marge du bas s'agrandit pour les graduations et le titre de l'axe.
      layout[cle] = Object.assign({}, layout[cle], { automargin: true });
      if (layout[cle].type === "category") {
        layout[cle] = Object.assign({}, layout[cle], quelquesTrimestres(figure, cle, largeur));
      }
    });
    figure.data.forEach(function (trace) {
      if (trace.type !== "heatmap") { return; }
      delete trace.texttemplate;
      trace.showscale = false;  // l'échelle de couleur prenait un quart de la largeur
    });
    // Sur un axe des y, la marge de gauche s'agrandit pour les graduations et le titre (le
    // titre « valeur de l'indice » recouvrait « 2,05 » dans les 40 px de la marge); les noms de
    // quartiers (carte de chaleur, barres des statuts) y sont raccourcis : entiers,
    // « Pointe-aux-Trembles (avec Montréal-Est) » laissait aux barres moins d'un cinquième de
    // la largeur, et le titre de l'axe des x débordait à droite.
    Object.keys(layout).forEach(function (cle) {
      if (!/^yaxis\d*$/.test(cle)) { return; }
      var axe = layout[cle] = Object.assign({}, layout[cle], { automargin: true });
      if (axe.ticktext) {
        axe.ticktext = axe.ticktext.map(raccourci);
      } else if (axe.type === "category" && axe.categoryarray) {
        Object.assign(axe, {
          tickmode: "array", tickvals: axe.categoryarray, ticktext: axe.categoryarray.map(raccourci)
        });
      }
    });
  }

  // Un nom de plus de NOM_COURT caractères, coupé et terminé par « … ». Le serveur l'a échappé
  // (rapports/graphiques.py, `_texte` : plotly.js lit un peu de HTML) : on coupe le texte lu,
  // jamais au milieu d'une entité (« &amp; » devenait « &am… »), puis on l'échappe de nouveau.
  function raccourci(nom) {
    var lettres = Array.from(nom.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&"));
    if (lettres.length <= NOM_COURT) { return nom; }
    var court = lettres.slice(0, NOM_COURT - 1).join("").trimEnd() + "…";
    return court.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  function dessiner(zone) {
    var source = document.getElementById(zone.dataset.figure);
    if (!source) { return; }
    var figure = JSON.parse(source.textContent);
    // La langue de la zone (le contenu d'un bilan garde la sienne), sinon celle de la page.
    var langue = (zone.closest("[lang]") || document.documentElement).lang;
    var reglages = Object.assign({ locale: langue, modeBarButtons: boutonsDe(figure.layout) }, options);
    if (zone.clientWidth && zone.clientWidth < LARGEUR_ETROITE) {
      pourEcranEtroit(figure, zone.clientWidth);
      // La barre d'outils de Plotly couvrait le titre : sur un téléphone, on s'en passe
      // (zoom au doigt et survol restent; les données sont dans le tableau qui suit).
      reglages.displayModeBar = false;
    }
    Plotly.newPlot(zone, figure.data, figure.layout, reglages).then(function () {
      // À sa hauteur propre, la figure n'a plus besoin de la place réservée (evalpic.css); sans
      // elle (responsive), Plotly prend la hauteur de la zone, qu'il faut donc garder.
      if (figure.layout.height) { zone.classList.add("graphique__trace--a-sa-hauteur"); }
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
