/** A table row's destructive action (revoke, remove, delete): quiet until asked, named for screen readers. */
export function RowDangerButton({
  label,
  name,
  onClick,
}: {
  /** What it says: "Revoke", "Remove", "Delete". */
  label: string;
  /** What it does to which row, as a screen reader announces it: "Revoke secret kgs_1a2b". */
  name: string;
  onClick: () => void;
}) {
  return (
    <button
      type="button"
      className="button button-small button-danger-quiet"
      aria-label={name}
      onClick={onClick}
    >
      {label}
    </button>
  );
}
