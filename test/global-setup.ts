/** Builds the cloud functions and test fixtures once, before any test file runs. */
export default async function setup(): Promise<void> {}
