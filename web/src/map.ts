import { geoCircle, geoDistance, geoPath, geoTransverseMercator } from "d3-geo";
import type { FeatureCollection, MultiPolygon } from "geojson";
import type { BulletinLine, CapacityReport, District, GeoPoint, IncidentSummary, ObservationLine } from "./api";
import { bulletinMarking, progress } from "./bulletins";
import { age, s, truncate } from "./dom";
import { stageName, symbol, type CategoryOf } from "./observations";
import shapes from "./generated/map.json";

const WIDTH = 520;
const HEIGHT = 640;

// Where each district's label sits beside its headquarters: the eastern districts' headquarters
// are a few kilometres apart, so their labels fan out instead of overlapping.
const LABEL_OFFSETS: Record<string, [number, number, "start" | "end"]> = {
  oslo: [14, -10, "start"],
  ost: [14, 14, "start"],
  "sor-ost": [-12, 16, "end"],
  innlandet: [14, -2, "start"],
  agder: [-10, 16, "end"],
  "sor-vest": [-12, 4, "end"],
  vest: [-12, 4, "end"],
  "more-og-romsdal": [-12, 0, "end"],
  trondelag: [14, 4, "start"],
  nordland: [-12, 4, "end"],
  troms: [-10, -10, "end"],
  finnmark: [-6, 22, "end"],
};

const map = shapes as unknown as FeatureCollection<MultiPolygon, { name: string }>;
const norway = map.features.find((f) => f.properties.name === "norway")!;
const projection = geoTransverseMercator().rotate([-15, -65]).fitExtent([[110, 14], [WIDTH - 40, HEIGHT - 14]], norway);
const path = geoPath(projection);

export interface MapPicture {
  districts: District[];
  /** Every district, shown or not: a bulletin's area may name one this screen has no marker for. */
  places: District[];
  figures: Map<string, CapacityReport>;
  incidents: IncidentSummary[];
  bulletins: BulletinLine[];
  kindName: (kind: string) => string;
  capability: string;
  selected: string | null;
}

// d3-geo draws on a sphere of this radius; a bulletin's circle is given in kilometres.
const KM_PER_DEGREE = (6371.0088 * Math.PI) / 180;

// Callouts sit in the Norwegian Sea, top left, where no land or district label is: an area of a few
// kilometres is a pixel or two at this scale, so its text cannot sit beside it. The list beside the
// board has every bulletin; the map names the newest few.
const CALLOUTS = 5;
const CALLOUT = { x: 8, y: 10, width: 210, height: 50, gap: 6 };
// What fits a callout's width: SVG text does not wrap (the list has the whole text).
const HEADLINE_LENGTH = 30;
const FACTS_LENGTH = 36;

// Whatever its true size, an area stays findable: a ring of at least this radius around its middle.
const MIN_RING = 8;

const markerRadius = (guards: number | null): number => 6 + Math.sqrt(guards ?? 0) * 2.2;

const available = (report: CapacityReport | undefined, capability: string): number | null => {
  if (!report) return null;
  if (capability === "") return report.availableGuards;
  return report.byCapability.find((c) => c.capability === capability)?.availableGuards ?? 0;
};

/**
 * The national map: country outlines (no tiles), one marker per district sized by available guards,
 * incidents as diamonds, outstanding bulletins as their areas with a callout each.
 */
export function renderMap(picture: MapPicture, onSelect: (district: string) => void): SVGElement {
  const svg = s("svg", { id: "map", viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: "img", "aria-label": "Map of Norway's police districts", "data-ready": true });
  svg.append(s("rect", { class: "sea", x: 0, y: 0, width: WIDTH, height: HEIGHT }));
  for (const country of map.features) {
    svg.append(s("path", { class: country.properties.name === "norway" ? "land norway" : "land", d: path(country) ?? "" }));
  }

  // Bulletin areas lie under the district markers, so a marker stays clickable inside an area.
  const areas = s("g", { class: "bulletin-areas" });
  const anchors = new Map<string, [number, number]>();
  for (const bulletin of picture.bulletins) {
    const drawn = drawArea(bulletin, picture);
    if (!drawn) continue;
    anchors.set(bulletin.bulletinId, drawn.anchor);
    areas.append(drawn.shape);
  }
  svg.append(areas);

  const markers = s("g", { class: "districts" });
  for (const district of picture.districts) {
    const [x, y] = projection([district.position.longitude, district.position.latitude])!;
    const figures = picture.figures.get(district.id);
    const guards = available(figures, picture.capability);
    const level = guards === null ? "unknown" : guards === 0 ? "none" : guards <= district.protectedReserveGuards ? "low" : "ok";
    const radius = markerRadius(guards);
    const [dx, dy, anchor] = LABEL_OFFSETS[district.id] ?? [12, 4, "start"];
    const g = s("g", {
      class: `district ${level}${picture.selected === district.id ? " selected" : ""}`,
      "data-district": district.id, "data-available": guards ?? "", tabindex: 0, role: "button",
      onclick: () => onSelect(district.id),
      onkeydown: (e: Event) => { if ((e as KeyboardEvent).key === "Enter") onSelect(district.id); },
    },
      s("title", {}, `${district.name} (${district.headquarters}): ${guards ?? "no figures"} guards available`),
      s("circle", { cx: x, cy: y, r: radius }),
      s("text", { class: "count", x, y: y + 4, "text-anchor": "middle" }, guards ?? "–"),
      s("text", { class: "name", x: x + dx, y: y + dy, "text-anchor": anchor }, district.name));
    markers.append(g);
  }
  svg.append(markers);

  const incidents = s("g", { class: "incidents" });
  for (const incident of picture.incidents) {
    if (!incident.location) continue;
    const [x, y] = projection([incident.location.longitude, incident.location.latitude])!;
    incidents.append(s("a", { href: `#/incidents/${encodeURIComponent(incident.incidentId)}` },
      s("rect", {
        class: `incident ${incident.priority.toLowerCase()}${incident.exercise ? " exercise" : ""}`,
        x: x - 5, y: y - 5, width: 10, height: 10, transform: `rotate(45 ${x} ${y})`,
      }),
      s("title", {}, `${incident.exercise ? "EXERCISE — " : ""}${incident.title}`)));
  }
  svg.append(incidents);

  const labels = s("g", { class: "bulletin-labels" });
  const placed = picture.bulletins.filter((b) => anchors.has(b.bulletinId));
  placed.slice(0, CALLOUTS).forEach((bulletin, i) => labels.append(callout(bulletin, i, anchors.get(bulletin.bulletinId)!, picture.kindName)));
  if (placed.length > CALLOUTS) {
    labels.append(s("text", { class: "more", x: CALLOUT.x, y: CALLOUT.y + CALLOUTS * (CALLOUT.height + CALLOUT.gap) + 8 },
      `${placed.length - CALLOUTS} more in the list of bulletins`));
  }
  svg.append(labels);
  return svg;
}

/** A bulletin's area at true scale (circle, polygon, or rings around the districts it names), and where its callout points. */
function drawArea(bulletin: BulletinLine, picture: MapPicture): { shape: SVGElement; anchor: [number, number] } | null {
  const { area } = bulletin;
  const g = s("g", { class: `bulletin-area ${bulletinMarking(bulletin.status)}`, "data-bulletin-area": bulletin.bulletinId });
  g.append(s("title", {}, `${bulletinMarking(bulletin.status).toUpperCase()} ${bulletin.tlpLabel} ${picture.kindName(bulletin.kind)}: ${bulletin.headline}`.trim()));
  const point = (p: GeoPoint): [number, number] => projection([p.longitude, p.latitude])!;

  if (area.circle?.centre) {
    const centre = area.circle.centre;
    const circle = geoCircle().center([centre.longitude, centre.latitude]).radius(area.circle.radiusKm / KM_PER_DEGREE)();
    const [x, y] = point(centre);
    const [, north] = point({ latitude: centre.latitude + area.circle.radiusKm / KM_PER_DEGREE, longitude: centre.longitude });
    g.append(s("path", { class: "shape", "data-shape": "circle", d: path(circle) ?? "" }));
    ring(g, x, y, y - north);
    return { shape: g, anchor: [x, y] };
  }

  if (area.polygon.length > 0) {
    // The ring is closed (CAP): its last point repeats the first.
    const corners = area.polygon.slice(0, -1).map(point);
    g.append(s("polygon", { class: "shape", "data-shape": "polygon", points: corners.map(([x, y]) => `${x},${y}`).join(" ") }));
    const xs = corners.map(([x]) => x);
    const ys = corners.map(([, y]) => y);
    const [x, y] = [(Math.min(...xs) + Math.max(...xs)) / 2, (Math.min(...ys) + Math.max(...ys)) / 2];
    ring(g, x, y, Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys)) / 2);
    return { shape: g, anchor: [x, y] };
  }

  // No district outlines on this map: each named district gets a dashed ring around its headquarters.
  const named = area.districts.map((id) => picture.places.find((d) => d.id === id)).filter((d): d is District => d !== undefined);
  if (named.length === 0) return null;
  for (const district of named) {
    const [x, y] = point(district.position);
    const guards = picture.figures.get(district.id)?.availableGuards ?? null;
    g.append(s("circle", { class: "shape", "data-shape": "district", "data-district": district.id, cx: x, cy: y, r: markerRadius(guards) + 5 }));
  }
  return { shape: g, anchor: point(named[0].position) };
}

function ring(g: SVGElement, x: number, y: number, radius: number): void {
  if (radius < MIN_RING) g.append(s("circle", { class: "ring", cx: x, cy: y, r: MIN_RING }));
}

/** A bulletin's label: kind, level, headline and acknowledgement progress, with a line to its area. */
function callout(bulletin: BulletinLine, index: number, [ax, ay]: [number, number], kindName: (kind: string) => string): SVGElement {
  const x = CALLOUT.x;
  const y = CALLOUT.y + index * (CALLOUT.height + CALLOUT.gap);
  const marking = bulletinMarking(bulletin.status);
  const { text, missing } = progress(bulletin);
  return s("g", {
    class: `bulletin-label ${marking}`, "data-bulletin": bulletin.bulletinId,
    "data-acknowledged": bulletin.acknowledged, "data-recipients": bulletin.recipients, "data-missing": bulletin.missingAtDeadline,
  },
    s("line", { class: "leader", x1: x + CALLOUT.width, y1: y + CALLOUT.height / 2, x2: ax, y2: ay }),
    s("rect", { class: "callout", x, y, width: CALLOUT.width, height: CALLOUT.height, rx: 4 }),
    s("rect", { class: `tlp-stripe ${bulletin.tlp.toLowerCase()}`, x, y, width: 5, height: CALLOUT.height, rx: 2 }),
    s("text", { class: "facts", x: x + 11, y: y + 14 },
      marking && s("tspan", { class: "marking" }, `${marking.toUpperCase()} `),
      s("tspan", { class: "tlp" }, bulletin.tlpLabel), truncate(` ${kindName(bulletin.kind)}`, FACTS_LENGTH - marking.length - bulletin.tlpLabel.length)),
    s("text", { class: "headline", x: x + 11, y: y + 29 }, truncate(bulletin.headline || "(text erased)", HEADLINE_LENGTH)),
    s("text", { class: "progress", x: x + 11, y: y + 43 }, text, missing && s("tspan", { class: "missing" }, ` · ${missing}`)));
}

// The district close-up: its headquarters and its open observations, at whatever scale shows them
// apart (a kilometre or two at least: one observation next to the headquarters is not a street map).
const CLOSE_WIDTH = 480;
const CLOSE_HEIGHT = 300;
const CLOSE_MARGIN = 28;
const MIN_SPAN_DEGREES = 0.006;
const EARTH_KM = 6371.0088;

/**
 * One district's open observations on a map of their own: each a disc with its category's symbol,
 * its age since the guard saw it beside it, urgent ones ("needs police now") red and marked "!".
 */
export function renderDistrictMap(district: District, observations: ObservationLine[], categoryOf: CategoryOf): SVGElement {
  const hq = district.position;
  const placed = observations.filter((o) => o.position);
  const points: Array<[number, number]> = [[hq.longitude, hq.latitude], ...placed.map((o) => [o.position!.longitude, o.position!.latitude] as [number, number])];
  const lons = points.map(([lon]) => lon);
  const lats = points.map(([, lat]) => lat);
  const [midLon, midLat] = [(Math.min(...lons) + Math.max(...lons)) / 2, (Math.min(...lats) + Math.max(...lats)) / 2];
  const lonSpan = MIN_SPAN_DEGREES / Math.cos((midLat * Math.PI) / 180);
  points.push([midLon - lonSpan, midLat - MIN_SPAN_DEGREES], [midLon + lonSpan, midLat + MIN_SPAN_DEGREES]);
  const close = geoTransverseMercator().rotate([-midLon, -midLat])
    .fitExtent([[CLOSE_MARGIN, CLOSE_MARGIN], [CLOSE_WIDTH - CLOSE_MARGIN, CLOSE_HEIGHT - CLOSE_MARGIN]], { type: "MultiPoint", coordinates: points })
    .clipExtent([[0, 0], [CLOSE_WIDTH, CLOSE_HEIGHT]]);
  const draw = geoPath(close);

  const svg = s("svg", {
    id: "district-map", viewBox: `0 0 ${CLOSE_WIDTH} ${CLOSE_HEIGHT}`, role: "img", "data-district": district.id,
    "aria-label": `Open observations in ${district.name}`,
  });
  svg.append(s("rect", { class: "sea", x: 0, y: 0, width: CLOSE_WIDTH, height: CLOSE_HEIGHT }));
  for (const country of map.features) {
    svg.append(s("path", { class: country.properties.name === "norway" ? "land norway" : "land", d: draw(country) ?? "" }));
  }

  const [hx, hy] = close([hq.longitude, hq.latitude])!;
  svg.append(s("g", { class: "headquarters" }, s("title", {}, `${district.name} police headquarters, ${district.headquarters}`),
    s("rect", { x: hx - 4, y: hy - 4, width: 8, height: 8 }), s("text", { x: hx - 8, y: hy + 4, "text-anchor": "end" }, district.headquarters)));

  // The urgent ones last, so they lie on top.
  const markers = s("g", { class: "observations" });
  for (const o of [...placed].sort((a, b) => Number(a.needsPoliceNow) - Number(b.needsPoliceNow))) {
    const [x, y] = close([o.position!.longitude, o.position!.latitude])!;
    const { icon } = categoryOf(o.category);
    const stage = stageName(o.stage);
    markers.append(s("g", {
      class: `observation${o.needsPoliceNow ? " urgent" : ""} ${stage}`, transform: `translate(${x.toFixed(1)} ${y.toFixed(1)})`,
      "data-observation": o.observationId, "data-category": o.category, "data-urgent": String(o.needsPoliceNow), "data-stage": stage,
    },
      s("title", {}, `${o.needsPoliceNow ? "NEEDS POLICE NOW — " : ""}${o.categoryName}: seen ${age(o.seenAt)} ago, reported ${age(o.reportedAt)} ago (${stage})`),
      o.needsPoliceNow && s("circle", { class: "alarm", r: 13 }),
      s("circle", { class: "disc", r: 9 }),
      symbol(icon),
      o.needsPoliceNow && s("text", { class: "urgent-mark", x: 9, y: -7 }, "!"),
      s("text", { class: "age", x: 12, y: 4 }, age(o.seenAt))));
  }
  svg.append(markers);

  const across = geoDistance(close.invert!([0, CLOSE_HEIGHT / 2])!, close.invert!([CLOSE_WIDTH, CLOSE_HEIGHT / 2])!) * EARTH_KM;
  svg.append(s("text", { class: "scale", x: CLOSE_WIDTH - 8, y: CLOSE_HEIGHT - 8, "text-anchor": "end" },
    `${across < 10 ? across.toFixed(1) : Math.round(across)} km across`));
  if (placed.length === 0) {
    svg.append(s("text", { class: "empty", x: CLOSE_WIDTH / 2, y: 22, "text-anchor": "middle" }, "No open observations"));
  }
  return svg;
}
