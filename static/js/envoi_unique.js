/* Un formulaire marqué data-envoi-unique ne part qu'une fois : un double clic sur « Enregistrer
   et soumettre » (ou Entrée pressée deux fois) envoyait deux requêtes, la seconde sur une
   version déjà périmée. Au premier envoi, les suivants sont ignorés et, après ce tour de la
   boucle d'événements, les boutons d'envoi sont désactivés (aria-busy sur le formulaire) :
   désactivé tout de suite, le bouton cliqué ne ferait plus partie de l'envoi, et le serveur ne
   saurait plus s'il faut enregistrer ou soumettre. Revenue par le bouton « Précédent » (cache
   du navigateur), la page retrouve ses boutons. Sans JavaScript, le formulaire marche de même :
   le serveur reconnaît le second envoi identique et le dit.
   Fichier statique : la CSP (script-src 'self') refuse les scripts en ligne. */
(function () {
  "use strict";

  var ENVOYE = "data-envoye";
  var DESACTIVE = "data-desactive-a-l-envoi";  // ce que ce script a désactivé, et lui seul

  function boutons(formulaire) {
    return formulaire.querySelectorAll("button:not([type]), button[type=submit], input[type=submit]");
  }

  function verrouiller(formulaire) {
    boutons(formulaire).forEach(function (bouton) {
      if (!bouton.disabled) {
        bouton.disabled = true;
        bouton.setAttribute(DESACTIVE, "");
      }
    });
    formulaire.setAttribute("aria-busy", "true");
  }

  function rouvrir(formulaire) {
    formulaire.removeAttribute(ENVOYE);
    formulaire.removeAttribute("aria-busy");
    formulaire.querySelectorAll("[" + DESACTIVE + "]").forEach(function (bouton) {
      bouton.disabled = false;
      bouton.removeAttribute(DESACTIVE);
    });
  }

  document.addEventListener("submit", function (evenement) {
    var formulaire = evenement.target;
    if (evenement.defaultPrevented || !formulaire.hasAttribute("data-envoi-unique")) {
      return;
    }
    if (formulaire.hasAttribute(ENVOYE)) {
      evenement.preventDefault();
      return;
    }
    formulaire.setAttribute(ENVOYE, "");
    window.setTimeout(function () { verrouiller(formulaire); }, 0);
  });

  window.addEventListener("pageshow", function (evenement) {
    if (evenement.persisted) {
      document.querySelectorAll("form[data-envoi-unique]").forEach(rouvrir);
    }
  });
})();
