/* Un tableau trop large pour l'écran défile dans sa propre boîte (téléphone : css/evalpic.css).
   Une boîte qui défile doit s'atteindre au clavier (WCAG 2.1.1; règle scrollable-region-focusable
   d'axe-core) : un tableau sans lien ni bouton ne le pouvait pas. Tant qu'il déborde, il reçoit
   donc tabindex="0" (les flèches le font alors défiler) et, s'il n'a ni légende ni nom, un nom
   générique traduit (data-libelle de la balise <script>, dans base.html). Il garde son rôle de
   tableau : le lecteur d'écran annonce « tableau » et son nom au focus. Quand il ne déborde plus
   (bureau, fenêtre élargie), tout ce qui a été posé est retiré : aucun arrêt de tabulation inutile.
   Fichier statique : la CSP (script-src 'self') refuse les scripts en ligne. */
(function () {
  "use strict";

  var script = document.currentScript;
  var LIBELLE = (script && script.dataset.libelle) || "";
  var POSE = "data-defile";  // marque ce que ce script a posé, pour ne retirer que cela

  function aUnNom(tableau) {
    var legende = tableau.querySelector(":scope > caption");
    return (legende && legende.textContent.trim())
      || tableau.hasAttribute("aria-label") || tableau.hasAttribute("aria-labelledby");
  }

  function ajuster(tableau) {
    var deborde = tableau.scrollWidth > tableau.clientWidth;
    var pose = tableau.getAttribute(POSE);
    if (deborde && pose === null) {
      if (tableau.hasAttribute("tabindex")) { return; }  // un tabindex choisi par la page reste
      var nomme = !aUnNom(tableau) && LIBELLE;
      tableau.setAttribute("tabindex", "0");
      if (nomme) { tableau.setAttribute("aria-label", LIBELLE); }
      tableau.setAttribute(POSE, nomme ? "nom" : "");
    } else if (!deborde && pose !== null) {
      tableau.removeAttribute("tabindex");
      if (pose === "nom") { tableau.removeAttribute("aria-label"); }
      tableau.removeAttribute(POSE);
    }
  }

  function tous() {
    document.querySelectorAll(".tableau").forEach(ajuster);
  }

  function demarrer() {
    tous();
    if ("ResizeObserver" in window) {
      // Fenêtre redimensionnée, <details> ouvert, police chargée : la taille du tableau change.
      var observateur = new ResizeObserver(function (entrees) {
        entrees.forEach(function (entree) { ajuster(entree.target); });
      });
      document.querySelectorAll(".tableau").forEach(function (t) { observateur.observe(t); });
    } else {
      window.addEventListener("resize", tous);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", demarrer);
  } else {
    demarrer();
  }
})();
