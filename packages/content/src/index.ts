/** Placeholder: filled by a later issue. */
export const PACKAGE_NAME = '@oras/content';
