/**
 * A bar chart (visx: SVG, small) that a screen reader can read: the picture is summarised in its
 * label, and the same numbers are one click away as a table.
 */
import { AxisBottom, AxisLeft } from '@visx/axis';
import { Group } from '@visx/group';
import { scaleBand, scaleLinear } from '@visx/scale';
import { Bar } from '@visx/shape';
import { useI18n } from '../i18n';

export interface BarDatum {
  label: string;
  value: number;
}

const HEIGHT = 200;
// Labels take the page's text colour, so they read in light and dark alike.
const TICK_LABEL = { fill: 'currentColor', fontSize: 11 } as const;
const MARGIN = { top: 10, right: 10, bottom: 28 };
/** Room for the longest value label at the tick size (about 6.6 px a character), and the tick itself. */
const leftMargin = (labels: string[]) => Math.max(40, Math.ceil(Math.max(0, ...labels.map((l) => l.length)) * 6.6) + 14);

export function BarChart({
  title,
  data,
  format,
  tickFormat = format,
  width = 560,
}: {
  title: string;
  data: BarDatum[];
  format: (n: number) => string;
  tickFormat?: (n: number) => string;
  width?: number;
}) {
  const { t } = useI18n();
  const innerHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const max = Math.max(0, ...data.map((d) => d.value));
  const y = scaleLinear<number>({ domain: [0, max === 0 ? 1 : max], range: [innerHeight, 0], nice: true });
  const left = leftMargin(y.ticks(4).map((v) => tickFormat(v)));
  const innerWidth = width - left - MARGIN.right;
  const x = scaleBand<string>({ domain: data.map((d) => d.label), range: [0, innerWidth], padding: 0.25 });
  const peak = data.reduce<BarDatum | undefined>((best, d) => (best === undefined || d.value > best.value ? d : best), undefined);
  const summary = t('chart.summary', { title, count: data.length, max: format(peak?.value ?? 0), date: peak?.label ?? '' });
  // Few labels on a narrow axis: every nth day.
  const every = Math.max(1, Math.ceil(data.length / 8));
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${width} ${HEIGHT}`} role="img" aria-label={summary} preserveAspectRatio="xMidYMid meet">
        <Group left={left} top={MARGIN.top}>
          {data.map((d) => {
            const h = innerHeight - (y(d.value) ?? innerHeight);
            return <Bar key={d.label} className="bar" x={x(d.label)} y={innerHeight - h} width={x.bandwidth()} height={h} />;
          })}
          <AxisLeft scale={y} numTicks={4} tickFormat={(v) => tickFormat(Number(v))} stroke="currentColor" tickStroke="currentColor" tickLabelProps={TICK_LABEL} hideAxisLine />
          <AxisBottom top={innerHeight} scale={x} tickValues={data.filter((_, i) => i % every === 0).map((d) => d.label)} stroke="currentColor" tickStroke="currentColor" tickLabelProps={TICK_LABEL} />
        </Group>
      </svg>
      <details>
        <summary>{t('chart.asTable')}</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">{t('chart.date')}</th>
              <th scope="col">{t('chart.value')}</th>
            </tr>
          </thead>
          <tbody>
            {data.map((d) => (
              <tr key={d.label}>
                <td>{d.label}</td>
                <td className="num">{format(d.value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
