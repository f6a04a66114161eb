/** True when dist was built after the last change to any source. */
export function distIsCurrent(): boolean;
/** Marks dist as built from the sources as they were at `began`. */
export function stampDist(began: Date): void;
