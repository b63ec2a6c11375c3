// A few helpers that build the page from data with textContent only: titles and reasons come from
// operators and companies, so nothing is ever parsed as HTML.

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | undefined | ((e: Event) => void)>;

function build<E extends Element>(element: E, attrs: Attrs, children: Child[]): E {
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === "function") element.addEventListener(name.replace(/^on/, ""), value);
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

export const h = <K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] =>
  build(document.createElement(tag), attrs, children);

export const s = (tag: string, attrs: Attrs = {}, ...children: Child[]): SVGElement =>
  build(document.createElementNS("http://www.w3.org/2000/svg", tag), attrs, children);

export const byId = <E extends HTMLElement = HTMLElement>(id: string): E => document.getElementById(id) as E;

/** "PRIORITY_URGENT" → "urgent", "ASSIGNMENT_STATUS_EN_ROUTE" → "en route". */
export const label = (value: string, prefix: string): string => value.replace(prefix, "").replaceAll("_", " ").toLowerCase();

export const time = (iso: string | null | undefined): string =>
  iso ? new Date(iso).toLocaleTimeString("nb-NO", { hour: "2-digit", minute: "2-digit", second: "2-digit" }) : "";

/** How long ago, in whole minutes: "4 min", "1 h 5 min". */
export const age = (iso: string): string => {
  const minutes = Math.max(0, Math.round((Date.now() - new Date(iso).getTime()) / 60000));
  return minutes < 60 ? `${minutes} min` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
};

export const ago = (iso: string): string => `${age(iso)} ago`;

/** Shortens text that must fit a fixed width (SVG text does not wrap); the full text is in the list. */
export const truncate = (text: string, length: number): string => (text.length <= length ? text : `${text.slice(0, length - 1)}…`);
