/**
 * Not written yet.
 * @module
 */
export {};
