/**
 * Lays out DOT as SVG with Graphviz compiled to WebAssembly (@viz-js/viz), so diagrams render in
 * plain Node with no system binaries.
 */

/** Renders DOT source to an SVG document. */
export async function renderSvg(dot: string): Promise<string> {
  // Loaded on demand: the WebAssembly module is only needed when a diagram is drawn.
  const { instance } = require("@viz-js/viz") as { instance(): Promise<{ renderString(src: string, o: { format: string; engine: string }): string }> };
  const viz = await instance();
  return viz.renderString(dot, { format: "svg", engine: "dot" });
}
