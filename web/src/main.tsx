import { render } from "preact";
import { initApi } from "./api/client";
import { App } from "./app";
import { keepConfig, loadConfig } from "./config";
import { startLive } from "./realtime/live";
import "./styles.css";

const root = document.getElementById("app")!;

loadConfig().then(
  (config) => {
    keepConfig(config);
    initApi(config);
    startLive(config.ws_url);
    // Replaces the static "Loading" text (render would otherwise keep it beside the app).
    root.textContent = "";
    render(<App />, root);
  },
  (error: unknown) => {
    // Never a blank page: say what is wrong and offer a reload.
    root.innerHTML = "";
    const p = document.createElement("p");
    p.className = "note error";
    p.setAttribute("role", "alert");
    p.textContent = `Peerlearn could not start: ${error instanceof Error ? error.message : String(error)}. Check your connection and reload.`;
    root.append(p);
  },
);
