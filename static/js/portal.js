// Starts the GOV.UK Frontend components on every page.
if (window.GOVUKFrontend) {
  window.GOVUKFrontend.initAll();
}
