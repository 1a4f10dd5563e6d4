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
<form id="add">
<input name="name" placeholder="name (www, @)" required>
<input name="ttl" placeholder="ttl" size="6">
<input name="type" placeholder="type" size="6" required>
<input name="content" placeholder="content" size="40" required>
<button>Add</button>
</form>
</section>
<script>
"use strict";
const $ = (id) => document.getElementById(id);
let current = null;
$("token").value = localStorage.getItem("webstack-token") || "";

async function api(method, path, body) {
  $("error").textContent = "";
  const response = await fetch("/api/v1" + path, {
    method,
    headers: { "Authorization": "Bearer " + $("token").value, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const data = text && response.headers.get("Content-Type") === "application/json" ? JSON.parse(text) : null;
  if (!response.ok) {
    const reason = data ? [data.error, data.detail, data.field && "(" + data.field + ")"].filter(Boolean).join(": ") : text;
    $("error").textContent = response.status + " " + reason;
    throw new Error(reason);
  }
  return data;
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
    link.onclick = (event) => { event.preventDefault(); showZone(zone.name); };
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
      await api("DELETE", "/zones/" + name + "/records/" + record.id);
      await refresh();
    };
    td.appendChild(remove);
    row.appendChild(td);
    return row;
  }));
}

async function refresh() {
  await showZones();
  if (current) await showZone(current);
}

$("save").onclick = () => {
  localStorage.setItem("webstack-token", $("token").value);
  refresh().catch(() => {});
};

$("add").onsubmit = async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const record = { name: form.get("name"), type: form.get("type"), content: form.get("content") };
  if (form.get("ttl")) record.ttl = Number(form.get("ttl"));
  await api("POST", "/zones/" + current + "/records", record).catch(() => null);
  await refresh().catch(() => {});
};

if ($("token").value) refresh().catch(() => {});
</script>
</body>
</html>
)html";

}  // namespace

std::string_view admin_page() {
    return kPage;
}

}  // namespace appsrv
