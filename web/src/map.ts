import { geoPath, geoTransverseMercator } from "d3-geo";
import type { FeatureCollection, MultiPolygon } from "geojson";
import type { CapacityReport, District, IncidentSummary } from "./api";
import { s } from "./dom";
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
  figures: Map<string, CapacityReport>;
  incidents: IncidentSummary[];
  capability: string;
  selected: string | null;
}

const available = (report: CapacityReport | undefined, capability: string): number | null => {
  if (!report) return null;
  if (capability === "") return report.availableGuards;
  return report.byCapability.find((c) => c.capability === capability)?.availableGuards ?? 0;
};

/** The national map: country outlines (no tiles), one marker per district sized by available guards, incidents as diamonds. */
export function renderMap(picture: MapPicture, onSelect: (district: string) => void): SVGElement {
  const svg = s("svg", { id: "map", viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: "img", "aria-label": "Map of Norway's police districts", "data-ready": true });
  svg.append(s("rect", { class: "sea", x: 0, y: 0, width: WIDTH, height: HEIGHT }));
  for (const country of map.features) {
    svg.append(s("path", { class: country.properties.name === "norway" ? "land norway" : "land", d: path(country) ?? "" }));
  }

  const markers = s("g", { class: "districts" });
  for (const district of picture.districts) {
    const [x, y] = projection([district.position.longitude, district.position.latitude])!;
    const figures = picture.figures.get(district.id);
    const guards = available(figures, picture.capability);
    const level = guards === null ? "unknown" : guards === 0 ? "none" : guards <= district.protectedReserveGuards ? "low" : "ok";
    const radius = 6 + Math.sqrt(guards ?? 0) * 2.2;
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
  return svg;
}
