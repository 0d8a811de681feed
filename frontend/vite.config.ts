import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

// VITE_API_URL (the gateway, default http://localhost:8080) is fixed at build time.
export default defineConfig({
  plugins: [react()],
  build: { sourcemap: true },
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
});
