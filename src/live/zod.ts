/**
 * The zod every bundled module uses: `zod/mini` (functional API), about 40 KB in a function bundle where classic
 * zod costs 450 KB or more (https://zod.dev/packages/mini). Import it as `import * as z from './zod'`: property
 * access on the namespace lets esbuild drop what is unused.
 * zod/mini carries no messages of its own; loading the English locale makes a rejected value say which rule
 * it broke ("Too small: expected number to be >0"), beside the field path the callers print.
 */
import { config } from 'zod/mini'
import en from 'zod/v4/locales/en.js'

config(en())

export * from 'zod/mini'
