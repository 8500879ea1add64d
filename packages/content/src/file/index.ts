/** Placeholder: filled by the content issue. */
export const STORE_KIND = 'file';
