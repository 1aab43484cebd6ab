/**
 * The parts of a zod/mini schema's internal definition (`schema._zod.def`) that the admin code reads to walk a
 * params schema: unknown keys (input.ts), batch columns (batch/columns.ts) and the generated reference
 * (scripts/admin-docs.ts). One typed accessor, so the cast to zod's internals is written once.
 */
import type * as z from '../live/zod'

export type CheckDef = { check: string; value?: unknown; inclusive?: boolean; minimum?: number; maximum?: number; format?: string; pattern?: RegExp; error?: unknown }

export type SchemaDef = {
  type: string
  shape?: Record<string, z.ZodMiniType>
  element?: z.ZodMiniType
  innerType?: z.ZodMiniType
  in?: z.ZodMiniType
  catchall?: z.ZodMiniType
  options?: z.ZodMiniType[]
  values?: unknown[]
  entries?: Record<string, unknown>
  keyType?: z.ZodMiniType
  valueType?: z.ZodMiniType
  format?: string
  defaultValue?: unknown
  checks?: { _zod: { def: CheckDef } }[]
}

export const defOf = (schema: z.ZodMiniType): SchemaDef => (schema as unknown as { _zod: { def: SchemaDef } })._zod.def
