import "./style.css";
import * as api from "./api";
import type { BulletinLine, CapacityReport, CapacityUpdate, IncidentSummary, IncidentUpdate, ObservationEvent, ObservationLine, Reference, Who } from "./api";
import { renderBulletins } from "./bulletins";
import { ago, byId, h, label, s, time } from "./dom";
import { renderDistrictMap, renderMap } from "./map";
import { categories, ObservationQueue, renderQueue } from "./observations";

const view = byId("view");
const connection = byId("connection");
let stop: Array<() => void> = [];
let reference: Reference | null = null;
let who: Who | null = null;

function setConnection(state: api.StreamState | "connecting", why?: string): void {
  connection.dataset.state = state;
  connection.textContent = state === "live" ? "live" : state === "closed" ? "disconnected" : state;
  connection.title = why ?? "";
  if (state === "closed") void checkSession();
}

async function checkSession(): Promise<void> {
  try {
    await api.whoAmI();
  } catch (e) {
    if (e instanceof api.HttpError && e.status === 401) showSignIn("Your session has ended. Sign in again.");
  }
}

function stopStreams(): void {
  stop.forEach((close) => close());
  stop = [];
}

// ---- sign-in -------------------------------------------------------------------------------

function showSignIn(message?: string): void {
  stopStreams();
  byId("who").textContent = "";
  byId("sign-out").hidden = true;
  setConnectionIdle();
  const token = h("textarea", { id: "token", rows: 5, placeholder: "eyJhbGciOiJFUzI1NiIs…", spellcheck: "false", autocomplete: "off" });
  const error = h("p", { class: "error", id: "sign-in-error" }, message ?? "");
  const form = h("form", { class: "sign-in" },
    h("h1", {}, "Sign in"),
    h("p", {}, "Paste a police, viewer or operator token. A local node mints one with ",
      h("code", {}, "dotnet run --project cli -- token --role viewer --national"), "."),
    token, error, h("button", { type: "submit" }, "Sign in"));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    void signIn(token.value, error);
  });
  view.replaceChildren(form);
}

function setConnectionIdle(): void {
  connection.dataset.state = "idle";
  connection.textContent = "";
}

async function signIn(token: string, error: HTMLElement): Promise<void> {
  try {
    who = await api.signIn(token);
    const back = new URLSearchParams(location.search).get("return");
    if (back && back.startsWith("/") && !back.startsWith("//")) {
      location.href = back;
      return;
    }
    await start();
  } catch (e) {
    error.textContent = e instanceof Error ? e.message : String(e);
  }
}

// ---- the situation: map, board, district figures ----------------------------------------------

interface Situation {
  figures: Map<string, CapacityReport>; incidents: Map<string, IncidentSummary[]>; bulletins: Map<string, BulletinLine[]>; total: CapacityReport | null;
  observations: Map<string, ObservationLine[]>;
}

let capability = "";
let selected: string | null = null;

function showSituation(): void {
  stopStreams();
  const ref = reference!;
  const situation: Situation = { figures: new Map(), incidents: new Map(), bulletins: new Map(), total: null, observations: new Map() };
  const categoryOf = categories(ref.capabilities.observationCategories);
  const police = who!.role === "police";
  const mapBox = h("div", { class: "map-box" });
  const observationPanel = h("section", { class: "board observations", id: "observations", "aria-live": "polite" });
  const board = h("section", { class: "board", "aria-live": "polite" });
  const bulletinList = h("section", { class: "board bulletins", "aria-live": "polite" });
  const side = h("section", { class: "district-panel" });
  const totals = h("div", { class: "totals" });
  const capabilityPicker = h("select", { id: "capability", "aria-label": "Capability shown on the map" },
    h("option", { value: "" }, "All capabilities"),
    ...ref.capabilities.capabilities.map((c) => h("option", { value: c.id }, c.name)));
  capabilityPicker.value = capability;
  capabilityPicker.addEventListener("change", () => { capability = capabilityPicker.value; render(); });

  view.replaceChildren(h("div", { class: "situation" },
    h("div", { class: "left" }, h("div", { class: "map-tools" }, h("label", {}, "Available guards: ", capabilityPicker)), mapBox,
      h("p", { class: "legend" }, h("span", { class: "key ok" }, "above the district's reserve"), h("span", { class: "key low" }, "at or below it"),
        h("span", { class: "key none" }, "none"), h("span", { class: "key incident" }, "incident"), h("span", { class: "key exercise" }, "exercise"),
        h("span", { class: "key bulletin" }, "bulletin area")),
      totals),
    h("div", { class: "right" }, observationPanel, board, bulletinList, side)));

  // The district whose observations are shown: the one selected on the map where the token reaches
  // it, else the first district the token names. Police follow it over two more streams (its picture
  // for the map's lines, and its queue); a district's wall screen has its lines on its own stream; a
  // national wall screen has none (the national stream carries no observations).
  let focus: string | null = null;
  let queue: ObservationQueue | null = null;
  let queueLive = false;
  let focusStreams: Array<() => void> = [];
  stop.push(() => focusStreams.forEach((close) => close()));
  const focusOf = (): string | null => {
    if (!police && who!.national) return null;
    if (selected && (who!.national || who!.districts.includes(selected))) return selected;
    return who!.national ? null : (who!.districts[0] ?? null);
  };
  const refocus = (): void => {
    const next = focusOf();
    if (next === focus) return;
    focusStreams.forEach((close) => close());
    focusStreams = [];
    focus = next;
    queue = null;
    queueLive = false;
    if (!focus || !police) return;
    situation.observations.clear();
    const district = encodeURIComponent(focus);
    focusStreams.push(api.watch<CapacityUpdate>(`/api/v1/districts/${district}/events`, "capacity", (update) => {
      situation.observations.set(update.capacity.districts[0], update.observations);
      render();
    }, setConnection));
    const followed = (queue = new ObservationQueue());
    focusStreams.push(api.watch<ObservationEvent>(`/api/v1/districts/${district}/observations/events`, "observation", (event) => {
      followed.apply(event);
      render();
    }, (state, why) => {
      queueLive = state === "live";
      setConnection(state, why);
      render();
    }));
  };

  const renderObservations = (): Node[] => {
    observationPanel.hidden = !police && who!.national;
    if (!focus) return [h("h2", {}, "Observations"), h("p", { class: "muted" }, "Select a district on the map for its guards' observations.")];
    const district = ref.districts.districts.find((d) => d.id === focus)!;
    const lines = situation.observations.get(focus) ?? [];
    return [h("h2", {}, `Observations — ${district.name} (${lines.length})`),
      h("div", { class: "district-map-box" }, renderDistrictMap(district, lines, categoryOf)),
      ...(queue ? renderQueue(queue.ordered, categoryOf, queueLive) : [])];
  };

  const kindName = (kind: string): string => ref.capabilities.bulletinKinds.find((k) => k.id === kind)?.name ?? kind;
  const render = (): void => {
    const incidents = [...situation.incidents.values()].flat().sort(boardOrder);
    const bulletins = [...situation.bulletins.values()].flat();
    mapBox.replaceChildren(renderMap({
      districts: ref.districts.districts.filter((d) => who!.national || who!.role === "police" || who!.districts.includes(d.id)),
      places: ref.districts.districts, figures: situation.figures, incidents, bulletins, kindName, capability, selected,
    }, (district) => { selected = selected === district ? null : district; refocus(); render(); }));
    totals.replaceChildren(...renderTotals(situation.total));
    board.replaceChildren(...renderBoard(incidents));
    bulletinList.replaceChildren(...renderBulletins(bulletins, kindName, districtName));
    side.replaceChildren(...renderDistrict(selected ? situation.figures.get(selected) : undefined));
    observationPanel.replaceChildren(...renderObservations());
  };

  const onPicture = (update: CapacityUpdate): void => {
    if (update.capacity.scope === "CAPACITY_SCOPE_NATIONAL") {
      situation.total = update.capacity;
      situation.figures = new Map(update.districts.map((d) => [d.districts[0], d]));
      situation.incidents = new Map([["", update.incidents]]);
      situation.bulletins = new Map([["", update.bulletins]]);
    } else {
      const id = update.capacity.districts[0];
      situation.figures.set(id, update.capacity);
      situation.incidents.set(id, update.incidents);
      situation.bulletins.set(id, update.bulletins);
      situation.observations.set(id, update.observations);
      situation.total = sum([...situation.figures.values()]);
    }
    render();
  };

  // Police and national viewers watch the country; a district viewer watches its own districts.
  if (who!.national || who!.role === "police") {
    stop.push(api.watch<CapacityUpdate>("/api/v1/national/events", "capacity", onPicture, setConnection));
  } else {
    for (const district of who!.districts) {
      stop.push(api.watch<CapacityUpdate>(`/api/v1/districts/${encodeURIComponent(district)}/events`, "capacity", onPicture, setConnection));
    }
  }
  refocus();
  render();

  // Ages ("4 min") move on with no new picture.
  const ticking = setInterval(render, 30_000);
  stop.push(() => clearInterval(ticking));
}

const priorityRank = (p: string): number => ({ PRIORITY_URGENT: 0, PRIORITY_HIGH: 1, PRIORITY_ROUTINE: 2 })[p] ?? 3;
const boardOrder = (a: IncidentSummary, b: IncidentSummary): number =>
  priorityRank(a.priority) - priorityRank(b.priority) || a.openedAt.localeCompare(b.openedAt);

function sum(reports: CapacityReport[]): CapacityReport | null {
  if (reports.length === 0) return null;
  const total = (pick: (r: CapacityReport) => number): number => reports.reduce((n, r) => n + pick(r), 0);
  return { ...reports[0], availableGuards: total((r) => r.availableGuards), availableUnits: total((r) => r.availableUnits),
    registeredUnits: total((r) => r.registeredUnits), staleUnits: total((r) => r.staleUnits) };
}

function renderTotals(total: CapacityReport | null): Node[] {
  if (!total) return [h("p", { class: "muted" }, "Waiting for figures…")];
  const figure = (name: string, value: number, id: string): HTMLElement => h("div", { class: "figure", id }, h("strong", {}, value), h("span", {}, name));
  return [figure("guards available", total.availableGuards, "total-guards"), figure("units available", total.availableUnits, "total-units"),
    figure("units registered", total.registeredUnits, "total-registered"), figure("silent units", total.staleUnits, "total-stale"),
    h("p", { class: "muted as-of" }, `as of ${time(total.asOf)}`)];
}

function fillBar(i: IncidentSummary): SVGElement {
  const whole = Math.max(i.requestedGuards, i.onSceneGuards + i.enRouteGuards + i.committedGuards + i.soughtGuards + i.unfilledGuards, 1);
  const parts: Array<[string, number]> = [["on-scene", i.onSceneGuards], ["en-route", i.enRouteGuards], ["committed", i.committedGuards],
    ["sought", i.soughtGuards], ["unfilled", i.unfilledGuards]];
  const bar = s("svg", { class: "fill-bar", viewBox: "0 0 100 6", preserveAspectRatio: "none", "aria-hidden": "true" }, s("rect", { class: "empty", x: 0, y: 0, width: 100, height: 6 }));
  let x = 0;
  for (const [kind, guards] of parts) {
    const width = (guards / whole) * 100;
    if (width > 0) bar.append(s("rect", { class: kind, x, y: 0, width, height: 6 }));
    x += width;
  }
  return bar;
}

const districtName = (id: string): string => reference!.districts.districts.find((d) => d.id === id)?.name ?? id;

function renderBoard(incidents: IncidentSummary[]): Node[] {
  const rows = incidents.map((i) => h("a", {
    class: `incident-row ${i.exercise ? "exercise" : ""}`, href: `#/incidents/${encodeURIComponent(i.incidentId)}`,
    "data-incident": i.incidentId, "data-requested": i.requestedGuards, "data-committed": i.committedGuards + i.enRouteGuards + i.onSceneGuards,
    "data-exercise": i.exercise,
  },
    h("div", { class: "row-head" },
      h("span", { class: `priority ${label(i.priority, "PRIORITY_")}` }, label(i.priority, "PRIORITY_")),
      i.exercise && h("span", { class: "exercise-tag" }, "EXERCISE"),
      h("span", { class: "title" }, i.title),
      h("span", { class: "where muted" }, `${districtName(i.districtId)} · ${ago(i.openedAt)}`)),
    fillBar(i),
    h("div", { class: "fill-figures" },
      h("span", { class: "requested" }, `requested ${i.requestedGuards}`),
      h("span", { class: "committed" }, `committed ${i.committedGuards}`),
      h("span", { class: "en-route" }, `en route ${i.enRouteGuards}`),
      h("span", { class: "on-scene" }, `on scene ${i.onSceneGuards}`),
      i.soughtGuards > 0 && h("span", { class: "sought" }, `sought ${i.soughtGuards}`),
      i.unfilledGuards > 0 && h("span", { class: "unfilled" }, `unable to fill ${i.unfilledGuards}`))));
  const key = (kind: string, text: string): HTMLElement => h("span", { class: `key ${kind}` }, text);
  return [h("h2", {}, `Open incidents (${incidents.length})`),
    rows.length > 0 ? h("div", { class: "rows", id: "board" }, ...rows) : h("p", { class: "muted", id: "board" }, "No open incidents."),
    h("p", { class: "legend" }, "Guards: ", key("on-scene", "on scene"), key("en-route", "en route"), key("committed", "committed"),
      key("sought", "still sought"), key("unfilled", "unable to fill"))];
}

function renderDistrict(report: CapacityReport | undefined): Node[] {
  if (!report || !selected) return [h("p", { class: "muted" }, "Select a district on the map for its figures per capability.")];
  const district = reference!.districts.districts.find((d) => d.id === selected)!;
  const names = new Map(reference!.capabilities.capabilities.map((c) => [c.id, c.name]));
  return [h("h2", {}, `${district.name} — ${district.headquarters}`),
    h("p", { class: "muted" }, `${report.availableGuards} guards in ${report.availableUnits} units available; reserve kept for the district: ${district.protectedReserveGuards} guards`),
    h("table", { class: "capabilities" },
      h("thead", {}, h("tr", {}, h("th", {}, "Capability"), h("th", {}, "Units"), h("th", {}, "Guards"))),
      h("tbody", {}, ...report.byCapability.map((c) => h("tr", { class: c.availableGuards === 0 ? "none" : "" },
        h("td", {}, names.get(c.capability) ?? c.capability), h("td", {}, c.availableUnits), h("td", {}, c.availableGuards)))))];
}

// ---- one incident ----------------------------------------------------------------------------

function showIncident(incidentId: string): void {
  stopStreams();
  const page = h("article", { class: "incident-page", "data-incident": incidentId }, h("p", { class: "muted" }, "Loading…"));
  view.replaceChildren(h("p", {}, h("a", { href: "#/" }, "← National situation")), page);
  stop.push(api.watch<IncidentUpdate>(`/api/v1/incidents/${encodeURIComponent(incidentId)}/events`, "incident",
    (update) => page.replaceChildren(...renderIncident(update)),
    (state, why) => {
      setConnection(state, why);
      if (state === "closed") page.replaceChildren(h("p", { class: "error" }, `Incident ${incidentId} cannot be shown: it does not exist or is outside your scope.`));
    }));
}

function renderIncident({ incident: i }: IncidentUpdate): Node[] {
  const district = reference!.districts.districts.find((d) => d.id === i.districtId)?.name ?? i.districtId;
  return [
    i.exercise && h("div", { class: "exercise-banner" }, i.usesLiveCapacity ? "EXERCISE — using live capacity" : "EXERCISE — units yield to real incidents"),
    h("h1", {}, i.title),
    h("p", { class: "muted" }, `${district} · ${label(i.priority, "PRIORITY_")} · ${label(i.status, "INCIDENT_STATUS_")} · opened ${time(i.openedAt)}`,
      i.closedAt ? ` · closed ${time(i.closedAt)}` : ""),
    h("h2", {}, "Requests"),
    i.requests.length === 0 ? h("p", { class: "muted" }, "No capacity requested yet.") :
      h("table", { class: "requests" },
        h("thead", {}, h("tr", {}, ...["Request", "Capability", "Guards", "Committed", "Status", "Units"].map((t) => h("th", {}, t)))),
        h("tbody", {}, ...i.requests.map((r) => h("tr", { "data-request": r.requestId, "data-committed": r.committedGuards },
          h("td", {}, r.requestId), h("td", {}, r.capability), h("td", {}, r.guards), h("td", {}, r.committedGuards),
          h("td", { class: `status ${label(r.status, "REQUEST_STATUS_").replaceAll(" ", "-")}` }, label(r.status, "REQUEST_STATUS_")),
          h("td", {}, r.assignments.filter((a) => a.status !== "ASSIGNMENT_STATUS_RELEASED")
            .map((a) => `${a.companyId}/${a.unitId} (${a.guards}, ${label(a.status, "ASSIGNMENT_STATUS_")})`).join(", ") || "—"))))),
    h("h2", {}, "Timeline"),
    h("ol", { class: "timeline", reversed: true }, ...[...i.timeline].reverse().map((e) => h("li", { class: label(e.kind, "TIMELINE_KIND_").replaceAll(" ", "-") },
      h("time", {}, time(e.at)), " ", h("strong", {}, label(e.kind, "TIMELINE_KIND_")), ` by ${e.actor}`,
      e.requestId ? ` · request ${e.requestId}` : "", e.companyId ? ` · ${e.companyId}` : "",
      e.guards ? ` · ${e.guards} guards` : "", e.unitIds.length ? ` · units ${e.unitIds.join(", ")}` : "",
      e.reason ? h("span", { class: "reason" }, ` — ${e.reason}`) : ""))),
  ].filter(Boolean) as Node[];
}

// ---- start -----------------------------------------------------------------------------------

function route(): void {
  if (!who || !reference) return;
  const incident = /^#\/incidents\/(.+)$/.exec(location.hash);
  if (incident) showIncident(decodeURIComponent(incident[1]));
  else showSituation();
}

function showOperator(): void {
  stopStreams();
  setConnectionIdle();
  view.replaceChildren(h("section", { class: "operator" }, h("h1", {}, "Operator"),
    h("p", {}, "Operator tokens open the Orleans dashboard (silos, grains, calls); crisis status needs a police or viewer token."),
    h("p", {}, h("a", { href: "/orleans/" }, "Open the Orleans dashboard →"))));
}

async function start(): Promise<void> {
  who = await api.whoAmI();
  byId("who").textContent = `${who.role} · ${who.national ? "national" : who.districts.join(", ") || who.subject}`;
  byId("sign-out").hidden = false;
  if (who.role === "operator") {
    showOperator();
    return;
  }
  reference ??= await api.reference();
  route();
}

async function boot(): Promise<void> {
  byId("sign-out").addEventListener("click", () => void api.signOut().then(() => { who = null; showSignIn(); }));
  window.addEventListener("hashchange", route);

  // A link may carry a token in its fragment (never sent to a server): sign in with it and drop it from the address bar.
  const fragment = /^#token=(.+)$/.exec(location.hash);
  if (fragment) {
    history.replaceState(null, "", `${location.pathname}${location.search}#/`);
    const error = h("p", { class: "error" });
    await signIn(decodeURIComponent(fragment[1]), error);
    if (error.textContent) showSignIn(error.textContent);
    return;
  }

  try {
    await start();
  } catch (e) {
    showSignIn(e instanceof api.HttpError && e.status === 401 ? undefined : String(e));
  }
}

void boot();
