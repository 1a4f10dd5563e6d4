// The owner's page at /admin/.
#include "appsrv/admin_page.hpp"

namespace appsrv {

namespace {

constexpr std::string_view kPage = R"html(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>webstack: zones</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; }
table { border-collapse: collapse; width: 100%; }
td, th { border-bottom: 1px solid #ddd; padding: .3em; text-align: left; font-family: monospace; }
.error { color: #b00; white-space: pre-wrap; }
input { font-family: monospace; }
form label { display: inline-block; margin-right: .5em; }
form .error:empty { display: none; }
</style>
</head>
<body>
<h1>webstack zones</h1>
<p><label>API token <input id="token" type="password" size="70"></label>
<button id="save">Use</button></p>
<p class="error" id="error"></p>
<h2>Zones</h2>
<ul id="zones"></ul>
<section id="zone" hidden>
<h2 id="zone-name"></h2>
<table><thead><tr><th>name</th><th>ttl</th><th>type</th><th>content</th><th></th></tr></thead>
<tbody id="records"></tbody></table>
<h3>Add a record</h3>
<form id="add" novalidate>
<label>name <input name="name" placeholder="www, @" required></label>
<span class="error" data-field="name"></span>
<label>ttl <input name="ttl" placeholder="zone default" size="8"></label>
<span class="error" data-field="ttl"></span>
<label>type <input name="type" placeholder="A" size="6" required></label>
<span class="error" data-field="type"></span>
<label>content <input name="content" placeholder="192.0.2.1" size="40" required></label>
<span class="error" data-field="content"></span>
<button>Add</button>
</form>
<h3>Audit</h3>
<table><thead><tr><th>at</th><th>actor</th><th>action</th><th>before</th><th>after</th><th>serial</th></tr></thead>
<tbody id="audit"></tbody></table>
</section>
<script>
"use strict";
const $ = (id) => document.getElementById(id);
let current = null;
$("token").value = localStorage.getItem("webstack-token") || "";

// A refusal of the API: its status and JSON reason (error, detail, field).
class Refusal extends Error {
  constructor(status, data, text) {
    super(data ? [data.error, data.detail].filter(Boolean).join(": ") : text);
    this.status = status;
    this.field = data && data.field;
  }
}

async function api(method, path, body) {
  const response = await fetch("/api/v1" + path, {
    method,
    headers: { "Authorization": "Bearer " + $("token").value, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const data = text && response.headers.get("Content-Type") === "application/json" ? JSON.parse(text) : null;
  if (!response.ok) throw new Refusal(response.status, data, text);
  return data;
}

// Shows a refusal next to the form field it concerns, else at the top.
function showError(error, form) {
  const next = form && error.field && form.querySelector('.error[data-field="' + error.field + '"]');
  const where = next || $("error");
  where.textContent = (error.status ? error.status + " " : "") + error.message;
}

function clearErrors() {
  for (const element of document.querySelectorAll(".error")) element.textContent = "";
}

function cell(row, text) {
  const td = document.createElement("td");
  td.textContent = text;
  row.appendChild(td);
}

async function showZones() {
  const { zones } = await api("GET", "/zones");
  $("zones").replaceChildren(...zones.map((zone) => {
    const li = document.createElement("li");
    const link = document.createElement("a");
    link.href = "#";
    link.textContent = zone.name + " (serial " + zone.serial + ", " + zone.records + " records)";
    link.onclick = (event) => {
      event.preventDefault();
      clearErrors();
      current = zone.name;
      refresh().catch((error) => showError(error));
    };
    li.appendChild(link);
    return li;
  }));
}

async function showZone(name) {
  current = name;
  const { records } = await api("GET", "/zones/" + name + "/records?limit=1000");
  $("zone").hidden = false;
  $("zone-name").textContent = name;
  $("records").replaceChildren(...records.map((record) => {
    const row = document.createElement("tr");
    cell(row, record.name);
    cell(row, record.ttl);
    cell(row, record.type);
    cell(row, record.content);
    const td = document.createElement("td");
    const remove = document.createElement("button");
    remove.textContent = "Delete";
    remove.onclick = async () => {
      clearErrors();
      await api("DELETE", "/zones/" + name + "/records/" + record.id)
        .then(refresh)
        .catch((error) => showError(error));
    };
    td.appendChild(remove);
    row.appendChild(td);
    return row;
  }));
}

async function showAudit(name) {
  const { entries } = await api("GET", "/zones/" + name + "/audit?limit=50");
  $("audit").replaceChildren(...entries.map((entry) => {
    const row = document.createElement("tr");
    cell(row, entry.at);
    cell(row, entry.actor);
    cell(row, entry.action);
    cell(row, entry.before ? JSON.stringify(entry.before) : "");
    cell(row, entry.after ? JSON.stringify(entry.after) : "");
    cell(row, entry.serial_after === null ? "" : entry.serial_after);
    return row;
  }));
}

async function refresh() {
  await showZones();
  if (current) {
    await showZone(current);
    await showAudit(current);
  }
}

$("save").onclick = () => {
  localStorage.setItem("webstack-token", $("token").value);
  clearErrors();
  refresh().catch((error) => showError(error));
};

$("add").onsubmit = async (event) => {
  event.preventDefault();
  clearErrors();
  const form = new FormData(event.target);
  const record = { name: form.get("name"), type: form.get("type"), content: form.get("content") };
  // A TTL that is not a number goes as typed, for the API to refuse by name.
  const ttl = form.get("ttl").trim();
  if (ttl) record.ttl = /^[0-9]+$/.test(ttl) ? Number(ttl) : ttl;
  try {
    await api("POST", "/zones/" + current + "/records", record);
    event.target.reset();
  } catch (error) {
    showError(error, event.target);
    return;
  }
  await refresh().catch((error) => showError(error));
};

if ($("token").value) refresh().catch((error) => showError(error));
</script>
</body>
</html>
)html";

}  // namespace

std::string_view admin_page() {
    return kPage;
}

}  // namespace appsrv
