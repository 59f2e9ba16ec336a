// Filters and redraws a dashboard page from the rows embedded in it; no request leaves the page.
"use strict";

const DATA = JSON.parse(document.getElementById("dashboard-data").textContent);
const ALL = "All";
const TABLE_ROWS = 50;

function present(dataset) {
  const result = DATA.datasets[dataset];
  return result && !result.missing ? result : null;
}

function setUpFilters() {
  for (const flt of DATA.filters) {
    const box = document.querySelector(`[data-filter="${flt.id}"]`);
    const values = [...flt.values];
    if (flt.kind === "date_range") {
      const days = values.map((v) => v.slice(0, 10)).sort();
      for (const input of box.querySelectorAll("input")) {
        input.min = days[0] || "";
        input.max = days[days.length - 1] || "";
        input.value = input.dataset.bound === "from" ? input.min : input.max;
        input.addEventListener("change", draw);
      }
      continue;
    }
    const select = box.querySelector("select");
    // A single-select shows one value at a time: the rolled-up `All` when the data has it,
    // else its first value. A multi-select without a choice shows everything.
    let options = values;
    if (flt.kind === "multi") options = ["", ...values.sort()];
    else if (values.includes(ALL)) options = [ALL, ...values.filter((v) => v !== ALL)];
    for (const value of options) {
      const option = document.createElement("option");
      option.value = value;
      option.textContent = value === "" ? "(all)" : value;
      select.appendChild(option);
    }
    select.addEventListener("change", draw);
  }
}

function keep(flt, result, at) {
  const box = document.querySelector(`[data-filter="${flt.id}"]`);
  if (flt.kind === "date_range") {
    const from = box.querySelector('[data-bound="from"]').value;
    const to = box.querySelector('[data-bound="to"]').value;
    return (row) => row[at] === null || ((!from || String(row[at]).slice(0, 10) >= from) && (!to || String(row[at]).slice(0, 10) <= to));
  }
  const value = box.querySelector("select").value;
  // `All` selects a dataset's rolled-up rows; a dataset of single rows has none and keeps them all.
  const rolledUp = result.rows.some((row) => row[at] === ALL);
  if (value === "" || (value === ALL && !rolledUp)) return () => true;
  return (row) => String(row[at]) === value;
}

function filteredRows(dataset) {
  const result = present(dataset);
  let rows = result.rows;
  for (const flt of DATA.filters) {
    for (const [target, column] of flt.targets) {
      if (target !== dataset) continue;
      rows = rows.filter(keep(flt, result, result.columns.indexOf(column)));
    }
  }
  return rows;
}

function format(value) {
  if (value === null || value === undefined) return "–";
  if (typeof value === "number") return value.toLocaleString("en-US", { maximumFractionDigits: 2 });
  return String(value);
}

function series(tile, columns, rows) {
  const x = columns.indexOf(tile.x), y = columns.indexOf(tile.y);
  const color = tile.color ? columns.indexOf(tile.color) : -1;
  const sums = new Map();
  for (const row of rows) {
    if (row[y] === null) continue;
    const name = color < 0 ? null : row[color];
    if (!sums.has(name)) sums.set(name, new Map());
    const points = sums.get(name);
    points.set(row[x], (points.get(row[x]) || 0) + row[y]);
  }
  return [...sums].map(([name, points]) => ({ name, x: [...points.keys()], y: [...points.values()] }));
}

function traces(tile, columns, rows) {
  return series(tile, columns, rows).map(({ name, x, y }) => {
    const label = name === null ? tile.y : name;
    const color = DATA.statusColors[name];
    if (tile.kind === "waterfall") {
      return { type: "waterfall", name: label, x: [...x, "change"], y: [...y, 0],
               measure: [...x.map(() => "relative"), "total"], connector: { line: { color: "#999" } } };
    }
    if (tile.kind === "bar") return { type: "bar", name: label, x, y, marker: color ? { color } : {} };
    return { type: "scatter", mode: "lines+markers", name: label, x, y, line: color ? { color } : {} };
  });
}

function drawTable(tile, columns, rows, section) {
  const body = section.querySelector("tbody");
  body.replaceChildren();
  for (const row of rows.slice(0, TABLE_ROWS)) {
    const tr = document.createElement("tr");
    for (const field of tile.fields) {
      const td = document.createElement("td");
      const value = row[columns.indexOf(field)];
      td.textContent = format(value);
      if (DATA.statusColors[value]) td.className = `status status-${value}`;
      tr.appendChild(td);
    }
    body.appendChild(tr);
  }
}

// The page arrives with its charts drawn for the default filters; the first draw fills the
// counters and tables, later ones everything.
function draw(event) {
  for (const tile of DATA.tiles) {
    const result = present(tile.dataset);
    if (!result || (!event && !["counter", "table"].includes(tile.kind))) continue;
    const section = document.getElementById(`tile-${tile.id}`);
    const rows = filteredRows(tile.dataset);
    if (tile.kind === "counter") {
      section.querySelector(".counter-value").textContent = rows.length ? format(rows[0][result.columns.indexOf(tile.y)]) : "–";
    } else if (tile.kind === "table") {
      drawTable(tile, result.columns, rows, section);
    } else {
      const chart = document.getElementById(`chart-${tile.id}`);
      Plotly.react(chart, traces(tile, result.columns, rows), chart.layout);
    }
  }
  document.body.dataset.drawn = String(Number(document.body.dataset.drawn || 0) + 1);
}

setUpFilters();
draw();
