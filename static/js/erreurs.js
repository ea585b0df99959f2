/* Après un envoi refusé, le focus va au résumé des erreurs (WCAG 3.3.1, 2.4.3) : la page
   revenait avec le focus sur <body>, et rien ne disait au clavier ni au lecteur d'écran où
   reprendre; le résumé pouvait même être hors de l'écran (révision d'une saisie, jetons d'API).
   Le premier élément marqué data-focus-au-chargement (un résumé d'erreurs, tabindex="-1")
   reçoit le focus et vient à l'écran; le lecteur d'écran lit son texte.
   Une adresse à ancre (#erreur-revision, #erreur-jeton : l'action de ces formulaires) désigne
   le résumé lui-même : le navigateur y met le focus, JavaScript ou non. Une ancre qui désigne
   autre chose ramène le focus sur <body> quand le navigateur la traite, après ce script : au
   chargement, le résumé le reprend, si rien d'autre ne l'a pris entre-temps.
   Fichier statique : la CSP (script-src 'self') refuse les scripts en ligne. */
(function () {
  "use strict";

  var resume = document.querySelector("[data-focus-au-chargement]");
  if (!resume) {
    return;
  }
  resume.focus();
  window.addEventListener("load", function () {
    if (document.activeElement === document.body || document.activeElement === null) {
      resume.focus();
    }
  });
})();
