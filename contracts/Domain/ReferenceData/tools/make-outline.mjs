// Makes ../norway-outline.json from Natural Earth 1:10m admin-0 countries as shipped by world-atlas 2.0.2.
// Not part of the build. To rerun (Node 18+, no other packages), from this folder:
//   (cd /tmp && npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz)
//   node make-outline.mjs /tmp/package/countries-10m.json > ../norway-outline.json
import { readFileSync } from "node:fs";

const ToleranceDeg = 0.005;   // of latitude, ~550 m; longitude is scaled by cos(latitude) so it is the same on the ground
const NorwayBox = { s: 57, n: 74, w: 0, e: 32 };          // leaves out Svalbard, Jan Mayen, Bouvet and Peter I Island
const NeighbourBox = { s: 57.5, n: 71.5, w: 4, e: 34 };      // 34° E takes in Murmansk

const topology = JSON.parse(readFileSync(process.argv[2], "utf8"));
const { scale: [sx, sy], translate: [tx, ty] } = topology.transform;

// Arcs are simplified once, before rings are built, so a border shared by two countries stays one line: no gaps, no overlaps.
const arcs = topology.arcs.map(arc => {
  let x = 0, y = 0;
  return simplify(arc.map(([dx, dy]) => [(x += dx) * sx + tx, (y += dy) * sy + ty]));
});

function simplify(points) {
  const keep = new Uint8Array(points.length);
  keep[0] = keep[points.length - 1] = 1;
  const stack = [[0, points.length - 1]];
  while (stack.length) {
    const [i, j] = stack.pop();
    let worst = -1, at = -1;
    for (let k = i + 1; k < j; k++) {
      const d = offset(points[k], points[i], points[j]);
      if (d > worst) [worst, at] = [d, k];
    }
    if (worst > ToleranceDeg) { keep[at] = 1; stack.push([i, at], [at, j]); }
  }
  return points.filter((_, k) => keep[k]);
}

function offset([px, py], [ax, ay], [bx, by]) {
  const c = Math.cos(((ay + by) / 2) * Math.PI / 180);
  const [ux, uy, vx, vy] = [(bx - ax) * c, by - ay, (px - ax) * c, py - ay];
  const len2 = ux * ux + uy * uy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, (vx * ux + vy * uy) / len2));
  return Math.hypot(vx - t * ux, vy - t * uy);
}

const ring = indexes => indexes.flatMap((i, n) => {
  const arc = i >= 0 ? arcs[i] : [...arcs[~i]].reverse();
  return n === 0 ? arc : arc.slice(1);
});

// Sutherland–Hodgman against each side of the box in turn.
function clip(points, box) {
  const sides = [[p => p[0] >= box.w, 0, box.w], [p => p[0] <= box.e, 0, box.e], [p => p[1] >= box.s, 1, box.s], [p => p[1] <= box.n, 1, box.n]];
  for (const [inside, axis, value] of sides) {
    const out = [];
    points.forEach((p, k) => {
      const q = points[(k + points.length - 1) % points.length];
      if (inside(p) !== inside(q)) {
        const t = (value - q[axis]) / (p[axis] - q[axis]);
        out.push([q[0] + t * (p[0] - q[0]), q[1] + t * (p[1] - q[1])]);
      }
      if (inside(p)) out.push(p);
    });
    points = out;
  }
  return points;
}

// Russia's outline crosses 180°: its far east is counted on past 180° so the ring is one plane polygon to clip.
const unwrap = points => points.map(([x, y]) => [x < 0 ? x + 360 : x, y]);

const within = (points, box) => points.every(([x, y]) => x >= box.w && x <= box.e && y >= box.s && y <= box.n);

// Flat [lat, lon, lat, lon, ...] without the closing point, rounded to 4 decimals.
function pack(points) {
  const flat = [];
  for (const [x, y] of points) {
    const [lat, lon] = [Math.round(y * 1e4) / 1e4, Math.round(x * 1e4) / 1e4];
    if (flat.length && flat.at(-2) === lat && flat.at(-1) === lon) continue;
    flat.push(lat, lon);
  }
  if (flat[0] === flat.at(-2) && flat[1] === flat.at(-1)) flat.length -= 2;
  return flat;
}

function rings(name, keep) {
  const country = topology.objects.countries.geometries.find(g => g.properties.name === name);
  const polygons = country.type === "Polygon" ? [country.arcs] : country.arcs;
  return polygons.map(p => keep(ring(p[0])))
    .filter(r => r && r.length >= 3)
    .map(pack)
    .filter(r => r.length >= 6);
}

const norway = rings("Norway", r => (within(r, NorwayBox) ? r : null));
const abroad = ["Sweden", "Finland", "Russia"].flatMap(name => rings(name, r => clip(unwrap(r), NeighbourBox)));

console.log(JSON.stringify({
  _comment: `Land outlines for telling Norway from abroad and from the sea. Source: Natural Earth 1:10m admin-0 countries (public domain) via the npm package world-atlas 2.0.2 (ISC), converted by tools/make-outline.mjs. norway: the mainland and coastal islands; Svalbard, Jan Mayen, Bouvet Island and Peter I Island left out. abroad: Sweden, Finland and Russia clipped to lat ${NeighbourBox.s}-${NeighbourBox.n}, lon ${NeighbourBox.w}-${NeighbourBox.e}. Shared borders simplified once (Douglas-Peucker, ${ToleranceDeg} degrees of latitude, about 550 m) so neighbours meet without gaps; no island dropped (the source has none under 3 km2); coordinates rounded to 4 decimals. Each ring is a flat list lat, lon, lat, lon, ... and closes on its first point.`,
  norway,
  abroad,
}));
