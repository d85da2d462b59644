/// <reference lib="dom" />
// A small SVG line chart: a few series over one time window, with markers at instants (bad experiences, joins and
// leaves). Every line and marker is an element with its data on it, so a test or a screen reader can read what a
// picture shows. No chart library: this is the whole of what the console draws.

const SVG = 'http://www.w3.org/2000/svg';
const W = 320;
const H = 96;
const PAD = { left: 34, right: 6, top: 6, bottom: 16 };

export interface Line {
  key: string;
  label: string;
  /** [Unix seconds, value], in time order. */
  points: ReadonlyArray<readonly [number, number]>;
  /** Index into the palette: colour by meaning, so every chart agrees. */
  tone: number;
}

export interface Marker {
  kind: 'abnormal' | 'join' | 'leave';
  /** Unix seconds. */
  time: number;
  label: string;
}

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, children: Node[] = []): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  for (const c of children) node.append(c);
  return node;
}

/** A round upper bound for the y axis: 1, 2 or 5 times a power of ten. */
function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  return ([1, 2, 5, 10].find((m) => m * p >= v) ?? 10) * p;
}

const short = (n: number) => (n >= 1e6 ? `${+(n / 1e6).toFixed(1)}M` : n >= 1e3 ? `${+(n / 1e3).toFixed(1)}k` : `${+n.toFixed(1)}`);

/** Where an instant falls on the x axis of a chart of [start, end]. */
export const xOf = (t: number, start: number, end: number) => PAD.left + ((t - start) / Math.max(1, end - start)) * (W - PAD.left - PAD.right);

/** `top`: the largest value of the charts this one sits beside, so that every user's chart has the same scale. */
export function lineChart(title: string, unit: string, lines: readonly Line[], markers: readonly Marker[], start: number, end: number, top = 0): SVGSVGElement {
  const max = niceMax(Math.max(top, ...lines.flatMap((l) => l.points.map((p) => p[1]))));
  const y = (v: number) => PAD.top + (1 - v / max) * (H - PAD.top - PAD.bottom);
  const x = (t: number) => xOf(t, start, end);
  const chart = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', class: 'chart', 'data-chart': title, 'data-max': max });
  chart.append(svg('title', {}, [document.createTextNode(`${title} (${unit})`)]));
  const grid = svg('g', { class: 'grid' });
  for (const v of [0, max / 2, max]) {
    grid.append(svg('line', { x1: PAD.left, x2: W - PAD.right, y1: y(v), y2: y(v) }));
    grid.append(svg('text', { x: PAD.left - 3, y: y(v) + 3, 'text-anchor': 'end' }, [document.createTextNode(short(v))]));
  }
  const clock = (t: number) => new Date(t * 1000).toISOString().slice(11, 16);
  grid.append(svg('text', { x: PAD.left, y: H - 3 }, [document.createTextNode(clock(start))]));
  grid.append(svg('text', { x: W - PAD.right, y: H - 3, 'text-anchor': 'end' }, [document.createTextNode(`${clock(end)} UTC`)]));
  chart.append(grid);
  for (const m of markers) {
    const at = x(m.time);
    chart.append(svg('line', { class: `marker ${m.kind}`, x1: at, x2: at, y1: PAD.top, y2: H - PAD.bottom, 'data-event': m.kind, 'data-time': m.time, 'data-x': at.toFixed(2) }, [
      svg('title', {}, [document.createTextNode(m.label)]),
    ]));
  }
  for (const l of lines) {
    if (!l.points.length) continue;
    const coords = l.points.map(([t, v]) => `${x(t).toFixed(2)},${y(v).toFixed(2)}`).join(' ');
    chart.append(svg('polyline', {
      class: `line tone${l.tone}`, points: coords, fill: 'none',
      'data-series': l.key, 'data-peak': Math.max(...l.points.map((p) => p[1])), 'data-count': l.points.length,
    }, [svg('title', {}, [document.createTextNode(l.label)])]));
  }
  return chart;
}
