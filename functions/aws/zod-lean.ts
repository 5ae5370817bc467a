// Bundles only: the Lambda bundler resolves "zod" to this file (infra/cdk/lambda-bundling.ts).
//
// `import { z } from "zod"` hands esbuild zod's whole namespace object, so every function would
// carry all of zod (~450 kB minified, mostly unused and its 50 translations of error messages).
// Naming the members the code uses lets esbuild keep only those (~90 kB). A unit test fails
// when code under functions/ uses a member that is missing here.
import * as zod from "../../node_modules/zod/v4/classic/external.js";

export const z = {
  array: zod.array,
  boolean: zod.boolean,
  enum: zod.enum,
  literal: zod.literal,
  number: zod.number,
  object: zod.object,
  prettifyError: zod.prettifyError,
  strictObject: zod.strictObject,
  string: zod.string,
  union: zod.union,
};
