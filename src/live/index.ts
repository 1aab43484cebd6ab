/** The pure Live layer: catalogue, rules, errors, case conversion and the typed client. No SDK imports. */
export * from './catalogue'
export * from './case'
export * from './client'
export * from './errors'
export * from './query'
export * from './rules'
export * from './status'
export type { EndpointDef, HttpMethod, RequestOf, ResponseOf, WireCase } from './endpoint'
