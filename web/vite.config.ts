import { defineConfig } from "vite";

// The build goes into the gateway, which embeds it: `dotnet run --project silo` serves it with no npm.
export default defineConfig({
  build: {
    outDir: "../gateway/Web/dist",
    emptyOutDir: true,
    assetsInlineLimit: 0,
    target: "es2022",
  },
  server: {
    // `npm run dev` against a running node: the API and event streams are the gateway's.
    proxy: { "/api": "http://127.0.0.1:5081", "/auth": "http://127.0.0.1:5081" },
  },
});
