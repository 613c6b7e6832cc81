// The bounds the dispatcher fuzz holds the server of targets/dispatch-serve.ts to, and the
// options it starts that server with.

export const pingDeadlineMs = 2_000;
export const maxLagMs = 200;
export const maxRssMb = 300;
export const maxBatchSize = 1_000;
// Binary frames are decoded as UTF-8, so that they reach the dispatcher rather than only a report.
export const serverOptions = JSON.stringify({ peer: { binaryFrames: 'utf8', maxBatchSize } });
