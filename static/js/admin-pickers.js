"use strict";
// The admin's pickers (Select2, autocomplete_fields) name their combobox by the chosen value alone, and by nothing
// when none is chosen: a screen reader hears "combo box" with no field name (WCAG 1.3.1, 4.1.2). Name each one by
// its field's label as well, whenever Select2 draws one, in the page or in a row added to an inline table, and its
// search box when it opens.
(function () {
  function fieldName(select) {
    if (select.labels && select.labels.length) {
      return select.labels[0].textContent.trim().replace(/:$/, "");
    }
    return (select.getAttribute("aria-label") || "").trim();
  }

  function namePicker(container) {
    const select = container.previousElementSibling;
    const selection = container.querySelector(".select2-selection");
    if (!select || select.tagName !== "SELECT" || !selection || selection.dataset.portalNamed) {
      return;
    }
    const name = fieldName(select);
    if (!name) {
      return;
    }
    const nameElement = document.createElement("span");
    nameElement.id = select.id + "-picker-name";
    nameElement.hidden = true;
    nameElement.textContent = name;
    container.appendChild(nameElement);
    const rendered = selection.querySelector(".select2-selection__rendered");
    const valueIds = rendered && rendered.id ? " " + rendered.id : "";
    selection.setAttribute("aria-labelledby", nameElement.id + valueIds);
    if (rendered) {
      rendered.setAttribute("aria-labelledby", nameElement.id);
      // ARIA 1.2: an expanded combobox names the list it controls (Select2 4.0 sets only the older aria-owns).
      selection.setAttribute("aria-controls", rendered.id.replace(/-container$/, "-results"));
    }
    selection.dataset.portalNamed = "true";
  }

  // An open picker's search box, drawn at the end of the page, names the list it searches.
  function nameSearch(search) {
    const listId = /^select2-(.+)-results$/.exec(search.getAttribute("aria-controls") || "");
    const select = listId && document.getElementById(listId[1]);
    const name = select && fieldName(select);
    if (name) {
      search.setAttribute("aria-label", name);
    }
  }

  function namePickersIn(element) {
    if (element.matches(".select2-container")) {
      namePicker(element);
    }
    element.querySelectorAll(".select2-container").forEach(namePicker);
    element.querySelectorAll(".select2-search__field").forEach(nameSearch);
  }

  function watch() {
    namePickersIn(document.documentElement);
    new MutationObserver(function (mutations) {
      mutations.forEach(function (mutation) {
        mutation.addedNodes.forEach(function (node) {
          if (node.nodeType === Node.ELEMENT_NODE) {
            namePickersIn(node);
          }
        });
      });
    }).observe(document.documentElement, { childList: true, subtree: true });
  }

  // "interactive" comes just before DOMContentLoaded, where the admin starts Select2.
  if (document.readyState === "loading") {
    document.addEventListener("readystatechange", function start() {
      document.removeEventListener("readystatechange", start);
      watch();
    });
  } else {
    watch();
  }
})();
