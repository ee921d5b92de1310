// Charts drawn by hand as plain SVG (docs/web.md, "Analytics"): a grouped bar chart and a line
// chart, about 200 lines instead of a chart library's 50-200 KB. Each is one `role="img"` with an
// aria-label that says what it shows in words, the page puts the same numbers in a table, and the
// series differ by more than colour: bars by a fill pattern and a label under each bar, lines by
// dash, marker shape and a legend. Every colour has at least 3:1 contrast with the white ground
// (WCAG 1.4.11): blue #0b5394 7.9:1, orange #9e4a00 6.1:1, green #1e6b30 6.6:1, purple #6a1b9a 9.4:1;
// the text is #1b1b1b and #555555 as in styles.css. Sizes are in viewBox units; the SVG scales to
// its box.
import { useId } from 'preact/hooks';

export const SERIES_COLOURS = ['#0b5394', '#9e4a00', '#1e6b30', '#6a1b9a'];
const DASHES = ['', '7 4', '2 3', '10 3 2 3'];
const INK = '#1b1b1b';
const MUTED = '#555555';
const GRID = '#d0d7de';

// The fill of bar series i: solid, diagonal stripes, dots, cross-hatch (each on its colour).
function Patterns(props: { id: string; count: number }) {
  return (
    <defs>
      {Array.from({ length: props.count }, (_, i) => {
        const colour = SERIES_COLOURS[i % SERIES_COLOURS.length];
        const kind = i % 4;
        return (
          <pattern id={`${props.id}-s${i}`} key={i} width="6" height="6" patternUnits="userSpaceOnUse"
            patternTransform={kind === 1 || kind === 3 ? 'rotate(45)' : undefined}>
            <rect width="6" height="6" fill={colour} />
            {kind === 1 && <rect width="2" height="6" fill="#ffffff" />}
            {kind === 2 && <circle cx="3" cy="3" r="1.2" fill="#ffffff" />}
            {kind === 3 && <path d="M0 0H6M0 0V6" stroke="#ffffff" stroke-width="1.5" />}
          </pattern>
        );
      })}
    </defs>
  );
}

// A small swatch of bar series i for a legend in HTML (hidden from screen readers: the text
// beside it says the same).
export function BarSwatch(props: { index: number }) {
  const id = useId();
  return (
    <svg width="18" height="14" viewBox="0 0 18 14" aria-hidden="true" focusable="false">
      <Patterns id={id} count={props.index + 1} />
      <rect x="0.5" y="0.5" width="17" height="13" fill={`url(#${id}-s${props.index})`} stroke={INK} />
    </svg>
  );
}

export interface BarGroup {
  label: string;
  bars: { value: number | null }[];
}

// Groups of bars side by side (one bar per series in each group), a value over each bar ("no
// data" where there is none: no bar is drawn, it is not a zero) and the series' short name under
// it, so that the chart reads without its colours.
export function GroupedBarChart(props: {
  label: string;
  groups: BarGroup[];
  series: string[];
  max: number;
  format: (v: number | null) => string;
  ticks: number[];
}) {
  const id = useId();
  const W = 360, H = 230, left = 46, right = 6, top = 18, bottom = 44;
  const plotW = W - left - right, plotH = H - top - bottom;
  const y = (v: number) => top + plotH - (Math.min(Math.max(v, 0), props.max) / props.max) * plotH;
  const groupW = plotW / Math.max(1, props.groups.length);
  const n = Math.max(1, props.series.length);
  const barW = Math.min(40, (groupW * 0.86) / n);
  return (
    <svg class="chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={props.label}>
      <Patterns id={id} count={n} />
      {props.ticks.map((v) => (
        <g key={v}>
          <line x1={left} x2={W - right} y1={y(v)} y2={y(v)} stroke={GRID} />
          <text x={left - 4} y={y(v)} text-anchor="end" dominant-baseline="middle" font-size="10" fill={MUTED}>
            {props.format(v)}
          </text>
        </g>
      ))}
      {props.groups.map((g, gi) => {
        const x0 = left + gi * groupW + (groupW - barW * n) / 2;
        return (
          <g key={gi}>
            {g.bars.map((b, bi) => {
              const x = x0 + bi * barW;
              const cx = x + barW / 2;
              const has = b.value !== null && Number.isFinite(b.value);
              const yTop = has ? y(b.value as number) : y(0);
              return (
                <g key={bi}>
                  {has && (
                    <rect x={x + 1} y={yTop} width={barW - 2} height={Math.max(0, y(0) - yTop)}
                      fill={`url(#${id}-s${bi})`} stroke={INK} stroke-width="1" />
                  )}
                  <text x={cx} y={has ? yTop - 3 : y(0) - 3} text-anchor="middle" font-size="9.5"
                    fill={has ? INK : MUTED}>
                    {props.format(b.value)}
                  </text>
                  <text x={cx} y={H - bottom + 12} text-anchor="middle" font-size="9.5" fill={INK}>
                    {props.series[bi]}
                  </text>
                </g>
              );
            })}
            <text x={left + gi * groupW + groupW / 2} y={H - 8} text-anchor="middle" font-size="11"
              font-weight="600" fill={INK}>
              {g.label}
            </text>
          </g>
        );
      })}
      <line x1={left} x2={W - right} y1={y(0)} y2={y(0)} stroke={INK} />
    </svg>
  );
}

// A marker of series i at (x, y): circle, square, triangle, diamond.
function Marker(props: { index: number; x: number; y: number }) {
  const { x, y } = props;
  const colour = SERIES_COLOURS[props.index % SERIES_COLOURS.length];
  switch (props.index % 4) {
    case 0:
      return <circle cx={x} cy={y} r="3.5" fill={colour} />;
    case 1:
      return <rect x={x - 3.5} y={y - 3.5} width="7" height="7" fill={colour} />;
    case 2:
      return <path d={`M${x} ${y - 4.5}L${x + 4.5} ${y + 3.5}H${x - 4.5}Z`} fill={colour} />;
    default:
      return <path d={`M${x} ${y - 4.5}L${x + 4.5} ${y}L${x} ${y + 4.5}L${x - 4.5} ${y}Z`} fill={colour} />;
  }
}

// A legend sample of line series i (its dash and marker), hidden from screen readers.
export function LineSwatch(props: { index: number }) {
  const i = props.index;
  return (
    <svg width="30" height="14" viewBox="0 0 30 14" aria-hidden="true" focusable="false">
      <line x1="1" x2="29" y1="7" y2="7" stroke={SERIES_COLOURS[i % SERIES_COLOURS.length]} stroke-width="2.5"
        stroke-dasharray={DASHES[i % DASHES.length] || undefined} />
      <Marker index={i} x={15} y={7} />
    </svg>
  );
}

// One line per series over the x labels (values 0..max, null: a gap in the line).
export function LineChart(props: {
  label: string;
  x: string[];
  series: { values: (number | null)[] }[];
  max: number;
  format: (v: number) => string;
  ticks: number[];
}) {
  const W = 520, H = 240, left = 46, right = 36, top = 12, bottom = 30;
  const plotW = W - left - right, plotH = H - top - bottom;
  const n = props.x.length;
  const x = (i: number) => left + (n <= 1 ? plotW / 2 : (i / (n - 1)) * plotW);
  const y = (v: number) => top + plotH - (Math.min(Math.max(v, 0), props.max) / props.max) * plotH;
  // At most about 8 day labels; the others are in the table.
  const every = Math.max(1, Math.ceil(n / 8));
  return (
    <svg class="chart wide" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={props.label}>
      {props.ticks.map((v) => (
        <g key={v}>
          <line x1={left} x2={W - right} y1={y(v)} y2={y(v)} stroke={GRID} />
          <text x={left - 4} y={y(v)} text-anchor="end" dominant-baseline="middle" font-size="10" fill={MUTED}>
            {props.format(v)}
          </text>
        </g>
      ))}
      {props.x.map((label, i) =>
        i % every === 0 ? (
          <text key={i} x={x(i)} y={H - 10} text-anchor="middle" font-size="10" fill={INK}>
            {label}
          </text>
        ) : null,
      )}
      <line x1={left} x2={W - right} y1={y(0)} y2={y(0)} stroke={INK} />
      {props.series.map((s, si) => {
        // Runs of consecutive values; a null ends a run.
        const runs: [number, number][][] = [];
        let run: [number, number][] = [];
        s.values.forEach((v, i) => {
          if (v === null || !Number.isFinite(v)) {
            if (run.length) runs.push(run);
            run = [];
          } else run.push([x(i), y(v)]);
        });
        if (run.length) runs.push(run);
        const colour = SERIES_COLOURS[si % SERIES_COLOURS.length];
        return (
          <g key={si}>
            {runs.map((r, ri) =>
              r.length > 1 ? (
                <polyline key={ri} points={r.map(([px, py]) => `${px},${py}`).join(' ')} fill="none" stroke={colour}
                  stroke-width="2.5" stroke-dasharray={DASHES[si % DASHES.length] || undefined} />
              ) : null,
            )}
            {runs.flat().map(([px, py], pi) => (
              <Marker key={pi} index={si} x={px} y={py} />
            ))}
          </g>
        );
      })}
    </svg>
  );
}
