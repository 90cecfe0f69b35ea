import { render } from "preact";
import { App } from "./app.tsx";
import "./styles/main.css";
import "./styles/collections.css";
import "./styles/records.css";
import "./styles/access.css";
import "./styles/operations.css";
import "./styles/system.css";
import "./styles/inputs.css";

render(<App />, document.getElementById("app")!);
