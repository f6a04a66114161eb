/** An error for the user; role="alert" makes screen readers announce it as it appears. */
export function Alert({ message }: { message: string | null | undefined }) {
  if (!message) return null;
  return (
    <div className="alert" role="alert">
      {message}
    </div>
  );
}
