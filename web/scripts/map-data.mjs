// Cuts Norway (mainland, without Svalbard and Jan Mayen) and its neighbours out of Natural Earth's
// 1:50m country outlines (npm world-atlas), so the page ships ~60 KB of shapes instead of the world.
// No tile server can be reached where this system runs: the map is these shapes and nothing else.
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { feature } from "topojson-client";

const world = JSON.parse(readFileSync(new URL("../node_modules/world-atlas/countries-50m.json", import.meta.url)));
const countries = feature(world, world.objects.countries).features;
const wanted = { "578": "norway", "752": "sweden", "246": "finland", "643": "russia", "208": "denmark" };

// Only what can appear behind mainland Norway. Points well outside the frame are dropped: the
// straight edges this leaves lie outside the frame too, and the page clips to its own extent.
const inFrame = ([lon, lat]) => lon > -2 && lon < 36 && lat > 53 && lat < 72;
const nearFrame = ([lon, lat]) => lon > -6 && lon < 42 && lat > 50 && lat < 73;
const keep = (polygons) => polygons.filter((polygon) => polygon[0].some(inFrame));
const round = (rings) => rings
  .map((ring) => ring.filter(nearFrame).map(([lon, lat]) => [Math.round(lon * 1000) / 1000, Math.round(lat * 1000) / 1000]))
  .filter((ring) => ring.length >= 4)
  .map((ring) => (ring[0][0] === ring.at(-1)[0] && ring[0][1] === ring.at(-1)[1] ? ring : [...ring, ring[0]]));

const out = { type: "FeatureCollection", features: [] };
for (const country of countries) {
  const name = wanted[country.id];
  if (!name) continue;
  const polygons = country.geometry.type === "Polygon" ? [country.geometry.coordinates] : country.geometry.coordinates;
  const kept = keep(polygons).map(round);
  if (kept.length === 0) continue;
  out.features.push({ type: "Feature", properties: { name }, geometry: { type: "MultiPolygon", coordinates: kept } });
}

mkdirSync(new URL("../src/generated/", import.meta.url), { recursive: true });
writeFileSync(new URL("../src/generated/map.json", import.meta.url), JSON.stringify(out));
console.log(`map.json: ${out.features.map((f) => f.properties.name).join(", ")}`);
