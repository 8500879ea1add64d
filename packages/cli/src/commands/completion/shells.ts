/** The shells `oras completion` writes a script for. */
export const SHELLS = ['bash', 'fish', 'powershell', 'zsh'] as const;

/** One of {@link SHELLS}. */
export type Shell = (typeof SHELLS)[number];
