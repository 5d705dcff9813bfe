/** The pricing domain: on-demand (Pricing API, snapshot fallback), spot, and the cost estimate. */
export * from './errors.js';
export * from './estimate.js';
export * from './on-demand.js';
export * from './pricing-api.js';
export * from './products.js';
export * from './recorded.js';
export * from './snapshot.js';
export * from './spot.js';
