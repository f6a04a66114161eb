import { useCallback, useId } from 'react';
import { api } from '../api';
import { formatNumber } from '../format';
import type { Refusal, UsageRow } from '../types';
import { dailyTotals, scopeTotals } from '../usage';
import { useAsync } from '../useAsync';
import { Alert } from './Alert';
import { Loading } from './Loading';
import { UsageChart } from './UsageChart';

const PERIOD_DAYS = 30;

export function UsageSection({ credentialId }: { credentialId: string }) {
  const id = useId();
  const load = useCallback(() => api.getUsage(credentialId, PERIOD_DAYS), [credentialId]);
  const usage = useAsync(load);

  return (
    <section className="panel" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>Usage (last 30 days)</h2>
      {usage.data ? (
        <>
          <UsageBody rows={usage.data.days} />
          <Refusals refusals={usage.data.refusals} />
        </>
      ) : usage.error ? (
        <Alert message={usage.error.message} />
      ) : (
        <Loading />
      )}
    </section>
  );
}

function UsageBody({ rows }: { rows: UsageRow[] }) {
  const byScope = scopeTotals(rows);
  const tokens = byScope.reduce((sum, row) => sum + row.tokensIssued, 0);
  const calls = byScope.reduce((sum, row) => sum + row.apiCalls, 0);
  if (tokens === 0 && calls === 0) return <p className="empty-inline">No usage yet.</p>;

  const summary = `Usage chart: ${formatNumber(tokens)} tokens issued, ${formatNumber(calls)} API calls in the last ${PERIOD_DAYS} days`;
  return (
    <>
      <UsageChart days={dailyTotals(rows, PERIOD_DAYS)} summary={summary} />
      <div className="table-wrap">
        <table className="table table-compact">
          <caption>Totals by scope</caption>
          <thead>
            <tr>
              <th scope="col">Scope</th>
              <th scope="col" className="numeric">
                Tokens issued
              </th>
              <th scope="col" className="numeric">
                API calls
              </th>
            </tr>
          </thead>
          <tbody>
            {byScope.map((row) => (
              <tr key={row.scope}>
                <td>
                  <code className="mono">{row.scope}</code>
                </td>
                <td className="numeric">{formatNumber(row.tokensIssued)}</td>
                <td className="numeric">{formatNumber(row.apiCalls)}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">Total</th>
              <td className="numeric">{formatNumber(tokens)}</td>
              <td className="numeric">{formatNumber(calls)}</td>
            </tr>
          </tfoot>
        </table>
      </div>
    </>
  );
}

const REASONS: Record<Refusal['reason'], string> = {
  address: 'from an address outside its ranges',
  token_quota: 'over its token quota',
};

/** What the credential's own policies refused, by reason: a misconfigured client shows up here. */
function Refusals({ refusals }: { refusals: Refusal[] }) {
  if (refusals.length === 0) return null;
  const totals = new Map<Refusal['reason'], number>();
  for (const refusal of refusals)
    totals.set(refusal.reason, (totals.get(refusal.reason) ?? 0) + refusal.count);
  return (
    <div className="table-wrap">
      <table className="table table-compact">
        <caption>Refused by this credential's policies</caption>
        <thead>
          <tr>
            <th scope="col">Reason</th>
            <th scope="col" className="numeric">
              Refusals
            </th>
          </tr>
        </thead>
        <tbody>
          {[...totals].map(([reason, count]) => (
            <tr key={reason}>
              <td>{REASONS[reason]}</td>
              <td className="numeric">{formatNumber(count)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
