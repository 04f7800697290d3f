/* lstmbook website: small accessibility fixes applied after the page is parsed (deferred).
 *
 * jupyterquiz renders a numeric/text question as <label class="InpLabel">Type numeric answer
 * here:</label><input class="Input-text">, but the label is not tied to the input, so screen
 * readers announce an unlabelled text field (axe-core: critical "label"). Tie them together.
 */
(function () {
  "use strict";
  function labelQuizInputs(root) {
    root.querySelectorAll(".Quiz .Answer").forEach(function (answer) {
      var label = answer.querySelector("label.InpLabel");
      var input = answer.querySelector("input.Input-text");
      if (label && input && input.id && !(input.labels && input.labels.length)) {
        label.htmlFor = input.id;
      }
    });
  }
  labelQuizInputs(document);
  // jupyterquiz retries every 200 ms if its container was not in the DOM yet: look again at load.
  window.addEventListener("load", function () { labelQuizInputs(document); });
})();
