// The API reference: Scalar's viewer over the one OpenAPI document. A file, not an inline script,
// so the page keeps a script-src of 'self' (only its styles may be inline: Scalar injects them).
"use strict";
document.getElementById("app").replaceChildren();
Scalar.createApiReference("#app", {
  url: "/openapi/v1.json",
  withDefaultFonts: false,
  telemetry: false,
  showDeveloperTools: "never",
  agent: { disabled: true },
  mcp: { disabled: true },
});
