const TONES: Record<string, string> = {
  Active: 'badge-success',
  Disabled: 'badge-neutral',
  Expired: 'badge-warning',
  Revoked: 'badge-danger',
};

export function StatusBadge({ label }: { label: string }) {
  return <span className={`badge ${TONES[label] ?? 'badge-neutral'}`}>{label}</span>;
}
