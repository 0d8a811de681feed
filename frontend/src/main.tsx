import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

import { App } from "./App";
import { apiClients } from "./api/client";
import { API_URL } from "./config";
import "./styles.css";

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <App api={apiClients(API_URL)} />
  </StrictMode>,
);
