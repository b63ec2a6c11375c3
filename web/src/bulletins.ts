// Police bulletins on the dashboard: the list beside the incident board, and the words the map's
// callouts share with it. The gateway sends only the lines the reader's TLP reach allows, so nothing
// here decides who sees what.
import type { BulletinLine } from "./api";
import { h, s, time } from "./dom";

/** "exercise" or "test" for a bulletin that is not real (its CSS class and its tag), "" for an actual one. */
export const bulletinMarking = (status: string): "" | "exercise" | "test" =>
  status === "BULLETIN_STATUS_EXERCISE" ? "exercise" : status === "BULLETIN_STATUS_TEST" ? "test" : "";

/**
 * How far the recipients have answered: "acknowledged/recipients" (delivered/recipients where no
 * acknowledgement was asked for), and once the deadline has passed, how many were still missing then.
 */
export function progress(b: BulletinLine): { text: string; missing: string } {
  const text = b.acknowledgementRequired ? `${b.acknowledged}/${b.recipients} acknowledged` : `${b.delivered}/${b.recipients} delivered`;
  return { text, missing: b.missingAtDeadline > 0 ? `${b.missingAtDeadline} missing` : "" };
}

function areaText(b: BulletinLine, districtName: (id: string) => string): string {
  const { circle, polygon, districts } = b.area;
  if (circle?.centre) return `${circle.radiusKm} km around ${circle.centre.latitude.toFixed(4)} N ${circle.centre.longitude.toFixed(4)} E`;
  if (polygon.length > 0) return `area of ${polygon.length - 1} corners`;
  return districts.map(districtName).join(", ");
}

function answerBar(b: BulletinLine): SVGElement {
  const whole = Math.max(b.recipients, 1);
  const answered = b.acknowledgementRequired ? b.acknowledged : b.delivered;
  const bar = s("svg", { class: "fill-bar", viewBox: "0 0 100 6", preserveAspectRatio: "none", "aria-hidden": "true" },
    s("rect", { class: "empty", x: 0, y: 0, width: 100, height: 6 }));
  const parts: Array<[string, number]> = [["answered", answered], ["missing", b.missingAtDeadline]];
  let x = 0;
  for (const [kind, count] of parts) {
    const width = (count / whole) * 100;
    if (width > 0) bar.append(s("rect", { class: kind, x, y: 0, width, height: 6 }));
    x += width;
  }
  return bar;
}

export function renderBulletins(bulletins: BulletinLine[], kindName: (kind: string) => string, districtName: (id: string) => string): Node[] {
  const rows = bulletins.map((b) => {
    const marking = bulletinMarking(b.status);
    const { text, missing } = progress(b);
    return h("div", {
      class: `bulletin-row ${marking}`, "data-bulletin": b.bulletinId, "data-status": marking || "actual",
      "data-acknowledged": b.acknowledged, "data-recipients": b.recipients, "data-missing": b.missingAtDeadline,
    },
      h("div", { class: "row-head" },
        h("span", { class: `tlp ${b.tlp.toLowerCase()}` }, b.tlpLabel),
        marking && h("span", { class: `${marking}-tag` }, marking.toUpperCase()),
        h("span", { class: "title" }, b.headline || "(text erased)"),
        h("span", { class: "where muted" }, `${kindName(b.kind)} · ${districtName(b.districtId)}`)),
      answerBar(b),
      h("div", { class: "fill-figures" },
        h("span", { class: "progress" }, text),
        missing && h("span", { class: "missing" }, missing),
        b.acknowledgeBy && h("span", {}, `acknowledge by ${time(b.acknowledgeBy)}`),
        h("span", {}, `expires ${time(b.expires)}`),
        h("span", { class: "area" }, areaText(b, districtName))));
  });
  return [h("h2", {}, `Police bulletins (${bulletins.length})`),
    rows.length > 0 ? h("div", { class: "rows", id: "bulletins" }, ...rows) : h("p", { class: "muted", id: "bulletins" }, "No outstanding bulletins.")];
}
