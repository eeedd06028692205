import { defineConfig } from "astro/config";

// Caches live in the project, not in node_modules: the sandbox's workspaces share one node_modules
// (a link to the installed fixture), and concurrent builds must not race on one cache directory.
export default defineConfig({
  cacheDir: "./.astro-cache",
  vite: { cacheDir: "./.vite-cache" },
});
