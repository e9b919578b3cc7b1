/**
 * Imported first by the `canalkit` command, before anything loads the SDK: when this process is
 * the command itself (not a test or a program importing `main`), the SDK's serializer-only
 * modules load on first use (see `deferredModules.ts`).
 */
import { deferSerializerModules } from "./deferredModules";

if (require.main && /[\\/]cli[\\/]canalkit\.[jt]s$/.test(require.main.filename)) deferSerializerModules();
