// Runs first in <body>: tells GOV.UK Frontend's styles and components that JavaScript is available.
// (A file rather than an inline script, so the Content-Security-Policy can forbid inline script.)
document.body.className +=
  " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
