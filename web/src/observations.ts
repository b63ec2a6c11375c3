// Guard observations on the dashboard: the symbols the maps and the queue draw categories with, the
// district's queue as its police follow it, and the queue panel. The gateway decides who gets what
// (lines without text for wall screens, the queue for the district's police only); nothing here does.
import type { Observation, ObservationCategory, ObservationEvent } from "./api";
import { age, h, label, s } from "./dom";

// Each symbol fits a 12-unit box around 0,0, drawn in one colour on the marker's disc ("hole" parts in
// the disc's colour). Categories name one in their data (observation-categories.json); a name not
// here, or a category the page does not know, is drawn as a plain dot.
const SYMBOLS: Record<string, () => SVGElement[]> = {
  person: () => [s("circle", { cx: 0, cy: -3.2, r: 2 }), s("path", { d: "M-3.6 5V1.6Q-3.6-0.6 0-0.6Q3.6-0.6 3.6 1.6V5Z" })],
  vehicle: () => [
    s("path", { d: "M-5.8 2V-0.2L-4.2-0.8L-2.6-3.6H2.6L4.2-0.8L5.8-0.2V2Z" }),
    s("circle", { cx: -3, cy: 2.4, r: 1.6 }), s("circle", { cx: 3, cy: 2.4, r: 1.6 }),
    s("path", { class: "hole", d: "M-1.6-2.6H1.8L2.8-0.9H-2.4Z" }),
  ],
  object: () => [s("rect", { x: -4.2, y: -2.4, width: 8.4, height: 7.4, rx: 1.2 }), s("path", { class: "stroke", d: "M-2-2.4V-4.6H2V-2.4" })],
  crowd: () => [
    s("circle", { cx: -3.7, cy: -2.2, r: 1.4 }), s("circle", { cx: 3.7, cy: -2.2, r: 1.4 }),
    s("path", { d: "M-6.2 4.4V1.4Q-6.2-0.3-3.7-0.3Q-1.2-0.3-1.2 1.4V4.4ZM1.2 4.4V1.4Q1.2-0.3 3.7-0.3Q6.2-0.3 6.2 1.4V4.4Z" }),
    s("circle", { class: "outlined", cx: 0, cy: -3, r: 1.8 }),
    s("path", { class: "outlined", d: "M-3 5.2V1.2Q-3-1 0-1Q3-1 3 1.2V5.2Z" }),
  ],
  fire: () => [s("path", { d: "M0-6C0.8-3 4-1.6 4 2C4 4.6 2.2 6 0 6C-2.2 6-4 4.6-4 2C-4 0-2.6-1-2.2-2.6C-1.2-1.2-0.4-1.2-0.3-2.4C-0.2-3.6-0.6-4.6 0-6Z" })],
  injury: () => [s("path", { d: "M-1.6-5H1.6V-1.6H5V1.6H1.6V5H-1.6V1.6H-5V-1.6H-1.6Z" })],
  damage: () => [s("path", { d: "M1.4-6L-4.2 1H-0.6L-2 6L4.2-1.4H0.6L2.6-6Z" })],
  sighting: () => [s("path", { d: "M-6 0Q0-5.6 6 0Q0 5.6-6 0Z" }), s("circle", { class: "hole", cx: 0, cy: 0, r: 2.2 })],
  other: () => [s("text", { class: "glyph", x: 0, y: 4, "text-anchor": "middle" }, "?")],
};

export type CategoryOf = (category: string) => { name: string; icon: string };

export function categories(list: ObservationCategory[]): CategoryOf {
  const byId = new Map(list.map((c) => [c.id, c]));
  return (category) => {
    const known = byId.get(category);
    return { name: known?.name ?? category, icon: known?.icon ?? "" };
  };
}

/** A category's symbol (data-icon says which was drawn: its own, or "dot"). */
export function symbol(icon: string): SVGElement {
  const draw = Object.hasOwn(SYMBOLS, icon) ? SYMBOLS[icon] : undefined;
  return s("g", { class: "symbol", "data-icon": draw ? icon : "dot" }, ...(draw ? draw() : [s("circle", { cx: 0, cy: 0, r: 2.6 })]));
}

/** A marker's disc with the category's symbol, for the list (the maps draw their own around the same symbol). */
const badge = (icon: string, urgent: boolean): SVGElement =>
  s("svg", { class: `observation-badge${urgent ? " urgent" : ""}`, viewBox: "-8 -8 16 16", width: 22, height: 22, "aria-hidden": "true" },
    s("circle", { class: "disc", cx: 0, cy: 0, r: 8 }), symbol(icon));

const OPEN = new Set(["OBSERVATION_STAGE_NEW", "OBSERVATION_STAGE_SEEN"]);

export const stageName = (stage: string): string => label(stage, "OBSERVATION_STAGE_");

/**
 * A district's open observations as its queue stream tells them: every open one first, then each new
 * version; a closed one leaves. A stream that had to start again (restarted) replaces what was held.
 */
export class ObservationQueue {
  private readonly open = new Map<string, Observation>();
  private restarting = false;

  apply(e: ObservationEvent): void {
    if (e.restarted && !this.restarting) this.open.clear();
    this.restarting = e.restarted;
    const o = e.observation;
    const held = this.open.get(o.id);
    if (held && Number(held.version) > Number(o.version)) return;
    if (OPEN.has(o.stage)) this.open.set(o.id, o);
    else this.open.delete(o.id);
  }

  /** Queue order: needing police now first, then the longest waiting. */
  get ordered(): Observation[] {
    return [...this.open.values()].sort((a, b) => Number(b.needsPoliceNow) - Number(a.needsPoliceNow)
      || Date.parse(a.reportedAt) - Date.parse(b.reportedAt) || a.id.localeCompare(b.id));
  }
}

/** The operations centre's queue: what, how urgent, how long waiting, what the guard wrote, where it stands. */
export function renderQueue(observations: Observation[], categoryOf: CategoryOf, connected: boolean): Node[] {
  const rows = observations.map((o) => {
    const { name, icon } = categoryOf(o.category);
    const stage = stageName(o.stage);
    return h("div", {
      class: `observation-row${o.needsPoliceNow ? " urgent" : ""}`, "data-observation": o.id, "data-stage": stage,
      "data-urgent": String(o.needsPoliceNow), "data-photos": o.photos.length,
    },
      h("div", { class: "row-head" },
        badge(icon, o.needsPoliceNow),
        o.needsPoliceNow && h("span", { class: "urgent-tag" }, "NEEDS POLICE NOW"),
        h("span", { class: "title" }, name),
        h("span", { class: `stage ${stage}` }, stage),
        h("span", { class: "where muted" }, `waiting ${age(o.reportedAt)}`)),
      h("p", { class: `text${o.text ? "" : " muted"}` }, o.text || "(text erased)"),
      h("div", { class: "fill-figures" },
        h("span", { class: "seen" }, `seen ${age(o.seenAt)} ago`),
        h("span", { class: "photos" }, o.photos.length === 1 ? "1 photo" : `${o.photos.length} photos`),
        h("span", {}, `${o.companyId} · unit ${o.unitId}`),
        o.answersBulletinId && h("span", {}, `answers bulletin ${o.answersBulletinId}`),
        o.incidentId && h("a", { href: `#/incidents/${encodeURIComponent(o.incidentId)}` }, `incident ${o.incidentId}`)));
  });
  return [h("h3", {}, `Queue (${observations.length})`),
    rows.length > 0 ? h("div", { class: "rows", id: "observation-queue" }, ...rows)
      : h("p", { class: "muted", id: "observation-queue" }, connected ? "No open observations." : "Connecting to the queue…")];
}
