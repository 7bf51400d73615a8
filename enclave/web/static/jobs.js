// Progress of a project's stage-4 jobs, without reloading: polls the page's own JSON view
// (session cookie, same origin) every 2 seconds while a job is queued or running.
// Text only goes in through textContent, so nothing the server sends can become markup.
(function () {
  "use strict";
  var panel = document.querySelector("[data-jobs-url]");
  if (!panel || panel.getAttribute("data-active") !== "1") {
    return;
  }
  var url = panel.getAttribute("data-jobs-url");
  var timer = null;

  function field(row, name) {
    return row.querySelector("[data-field=" + name + "]");
  }

  function render(data) {
    var next = panel.querySelector("[data-next-step]");
    if (next) {
      next.textContent = data.next_step;
    }
    data.jobs.forEach(function (job) {
      var row = panel.querySelector("tr[data-job-id='" + String(job.id) + "']");
      if (!row) {
        return;
      }
      row.setAttribute("data-state", job.state);
      var badge = field(row, "state");
      badge.textContent = job.state_label;
      badge.className = "badge " + job.state;
      var bar = row.querySelector("progress");
      bar.value = job.percent;
      bar.textContent = job.percent + "%";
      field(row, "stage").textContent = job.active ? job.stage_label + " · " + job.percent + "%" : "";
      field(row, "error").textContent = job.error;
      if (!job.active) {
        var form = row.querySelector("form");
        if (form) {
          form.remove();
        }
      }
    });
    if (!data.active) {
      window.clearInterval(timer);
      var note = panel.querySelector("[data-live-note]");
      if (note) {
        note.hidden = true;
      }
      panel.querySelector("[data-reload]").hidden = false;
      panel.setAttribute("data-active", "0");
    }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data) { render(data); } })
      .catch(function () { /* the next poll tries again */ });
  }

  timer = window.setInterval(poll, 2000);
})();
