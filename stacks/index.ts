/**
 * Entry point `pulumi up` loads (Pulumi.yaml `main: stacks/`). The Node runner calls an exported
 * function and uses what it returns as the stack outputs.
 */
import { defineStack } from "./program";

export = defineStack;
