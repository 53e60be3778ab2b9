// Recon pages: the only script. Pages work without it; it adds the confirmation before a retry.
"use strict";
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form.getAttribute("data-confirm");
  if (!question || form.dataset.confirmed === "yes") {
    return;
  }
  event.preventDefault();
  var dialog = document.getElementById("confirm-dialog");
  if (!dialog || typeof dialog.showModal !== "function") {
    if (window.confirm(question)) { form.dataset.confirmed = "yes"; form.submit(); }
    return;
  }
  dialog.querySelector("[data-question]").textContent = question;
  dialog.returnValue = "";
  dialog.onclose = function () {
    if (dialog.returnValue === "yes") { form.dataset.confirmed = "yes"; form.requestSubmit(); }
  };
  dialog.showModal();
});

// A page that waits for something (a submitted correction) reloads itself every few seconds until it is there.
document.addEventListener("DOMContentLoaded", function () {
  var waiting = document.querySelector("[data-refresh-seconds]");
  if (waiting) {
    var seconds = parseInt(waiting.getAttribute("data-refresh-seconds"), 10) || 5;
    setTimeout(function () { window.location.reload(); }, seconds * 1000);
  }
});
