// The widgets' HTML manager typesets a widget's label with MathJax 2's call,
// MathJax.Hub.Queue(["Typeset", MathJax.Hub, element]), and stops rendering that widget
// when the call fails. The pages load MathJax 3, which has no Hub: this gives it one
// that typesets the element with MathJax 3's typesetPromise. Loaded after MathJax.
(function () {
  "use strict";
  var mathjax = window.MathJax;
  if (!mathjax || mathjax.Hub) {
    return;
  }
  mathjax.Hub = {
    Queue: function (job) {
      var element = job && job[2];
      var ready = mathjax.startup && mathjax.startup.promise;
      if (ready && mathjax.typesetPromise) {
        ready.then(function () {
          return mathjax.typesetPromise(element ? [element] : undefined);
        });
      }
    },
  };
})();
