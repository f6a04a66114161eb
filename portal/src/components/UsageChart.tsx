import { type RefObject, useEffect, useId, useRef, useState } from 'react';
import { formatDay, formatNumber } from '../format';
import { type DayTotal, niceCeiling } from '../usage';

interface UsageChartProps {
  days: DayTotal[];
  summary: string;
}

const HEIGHT = 220;
const MARGIN = { top: 12, right: 8, bottom: 26, left: 44 };

/** Follows the container's width so text stays legible from a phone to a desktop. */
function useWidth(ref: RefObject<HTMLElement | null>, initial: number): number {
  const [width, setWidth] = useState(initial);
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const observer = new ResizeObserver(([entry]) => {
      if (entry) setWidth(Math.max(280, Math.floor(entry.contentRect.width)));
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [ref]);
  return width;
}

/** Two bars a day (tokens issued, API calls), drawn by hand in SVG; the table below is the text version. */
export function UsageChart({ days, summary }: UsageChartProps) {
  const titleId = useId();
  const wrapper = useRef<HTMLDivElement>(null);
  const width = useWidth(wrapper, 640);

  const plotWidth = width - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const maxValue = niceCeiling(Math.max(0, ...days.map((d) => Math.max(d.tokensIssued, d.apiCalls))));
  const ticks = [0, maxValue / 2, maxValue].filter(Number.isInteger);
  const groupWidth = plotWidth / Math.max(days.length, 1);
  const barWidth = Math.max(1, Math.min(12, groupWidth * 0.38));
  const y = (value: number) => MARGIN.top + plotHeight - (value / maxValue) * plotHeight;
  const barHeight = (value: number) => (value === 0 ? 0 : Math.max(1.5, (value / maxValue) * plotHeight));
  const labelled = new Set([0, Math.floor((days.length - 1) / 2), days.length - 1]);

  return (
    <figure className="chart">
      <div ref={wrapper} className="chart-canvas">
        <svg
          width={width}
          height={HEIGHT}
          viewBox={`0 0 ${width} ${HEIGHT}`}
          role="img"
          aria-labelledby={titleId}
          className="chart-svg"
        >
          <title id={titleId}>{summary}</title>
          {ticks.map((tick) => (
            <g key={tick}>
              <line
                className="chart-grid"
                x1={MARGIN.left}
                x2={width - MARGIN.right}
                y1={y(tick)}
                y2={y(tick)}
              />
              <text
                className="chart-label"
                x={MARGIN.left - 6}
                y={y(tick)}
                textAnchor="end"
                dominantBaseline="middle"
              >
                {formatNumber(tick)}
              </text>
            </g>
          ))}
          {days.map((day, index) => {
            const centre = MARGIN.left + groupWidth * index + groupWidth / 2;
            const label = formatDay(day.day);
            return (
              <g key={day.day}>
                <rect
                  className="bar-tokens"
                  x={centre - barWidth - 0.5}
                  y={y(0) - barHeight(day.tokensIssued)}
                  width={barWidth}
                  height={barHeight(day.tokensIssued)}
                >
                  <title>{`${label}: ${formatNumber(day.tokensIssued)} tokens issued`}</title>
                </rect>
                <rect
                  className="bar-calls"
                  x={centre + 0.5}
                  y={y(0) - barHeight(day.apiCalls)}
                  width={barWidth}
                  height={barHeight(day.apiCalls)}
                >
                  <title>{`${label}: ${formatNumber(day.apiCalls)} API calls`}</title>
                </rect>
                {labelled.has(index) && (
                  <text
                    className="chart-label"
                    x={centre}
                    y={HEIGHT - 8}
                    textAnchor={index === 0 ? 'start' : index === days.length - 1 ? 'end' : 'middle'}
                  >
                    {label}
                  </text>
                )}
              </g>
            );
          })}
          <line className="chart-axis" x1={MARGIN.left} x2={width - MARGIN.right} y1={y(0)} y2={y(0)} />
        </svg>
      </div>
      <figcaption>
        <ul className="legend">
          <li>
            <span className="swatch swatch-tokens" aria-hidden="true" />
            Tokens issued
          </li>
          <li>
            <span className="swatch swatch-calls" aria-hidden="true" />
            API calls
          </li>
        </ul>
      </figcaption>
    </figure>
  );
}
