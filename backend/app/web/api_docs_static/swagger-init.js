// Starts Swagger UI on /docs. A served file rather than an inline script, so the page runs
// under a policy without 'unsafe-inline'; the schema's address comes from the container's
// data-openapi-url, relative to the page.
"use strict";
const container = document.getElementById("swagger-ui");
window.ui = SwaggerUIBundle({
  url: new URL(container.dataset.openapiUrl, document.baseURI).href,
  dom_id: "#swagger-ui",
  layout: "BaseLayout",
  deepLinking: true,
  showExtensions: true,
  showCommonExtensions: true,
  // No badge fetched from the public validator: the page talks to its own origin only.
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
});
