// Where the gateway is, fixed at build time (`VITE_API_URL`); the app calls it cross-origin.
export const API_URL: string = (import.meta.env.VITE_API_URL ?? "http://localhost:8080").replace(/\/$/, "");
