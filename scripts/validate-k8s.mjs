// Validates `helm template` output offline (called by scripts/helm-check.sh):
//  1. every built-in object against the Kubernetes OpenAPI schema, via kubernetes-models
//     (catches wrong types, missing required fields, bad enums; not unknown fields);
//  2. KEDA objects with @kubernetes-models/keda (same kind of schema check), plus the fields the
//     chart relies on;
//  3. the chart's own rules: probes, resources, security context, references between objects,
//     per-service configuration (identity database, forwarded headers, public URL), the
//     NetworkPolicies (enrichment and ingest admit only this release's pods), the Ingress (only
//     public paths, only to api and notifications, never /embed, /api/ingest or health), and
//     CPU vs GPU enrichment.
// Usage: node validate-k8s.mjs --node-modules DIR --variant default|gpu|dev rendered.yaml
//        node validate-k8s.mjs --node-modules DIR --schema-only manifests.yaml   (1 only; other
//        CRDs need just apiVersion, kind and metadata.name: used for deploy/helm/examples)
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const args = process.argv.slice(2);
const opt = (name, hasValue = true) => {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const [, value] = args.splice(i, hasValue ? 2 : 1);
  return hasValue ? value : true;
};
const nodeModules = resolve(opt("--node-modules") ?? "node_modules");
const require = createRequire(resolve(nodeModules, "_")); // resolves from that folder
// @kubernetes-models/keda is ESM-only; import its files by path (its exports map hides them from require).
const importKeda = async (kind) =>
  (await import(pathToFileURL(resolve(nodeModules, `@kubernetes-models/keda/keda.sh/v1alpha1/${kind}.js`)).href))[kind];
const variant = opt("--variant") ?? "default";
const schemaOnly = opt("--schema-only", false) ?? false;
const file = args[0];
if (!file) throw new Error("usage: validate-k8s.mjs --node-modules DIR --variant NAME FILE");

const YAML = require("yaml");
const errors = [];
const err = (obj, msg) => errors.push(`${obj ? `${obj.kind}/${obj.metadata?.name}: ` : ""}${msg}`);

// ---- parse ----
const objects = [];
for (const doc of YAML.parseAllDocuments(readFileSync(file, "utf8"))) {
  if (doc.errors.length) err(null, `YAML: ${doc.errors.map((e) => e.message).join("; ")}`);
  const obj = doc.toJS();
  if (obj !== null && obj !== undefined) objects.push(obj);
}
if (objects.length === 0) err(null, "nothing rendered");

// ---- 1 + 2: schema ----
const schemaCheck = (o, Model) => {
  try {
    new Model(o).validate();
  } catch (e) {
    const details = (e.errors ?? []).map((x) => `${x.instancePath || "/"} ${x.message}`).join("; ");
    err(o, `schema: ${details || e.message}`);
  }
};
const crdChecks = {
  "keda.sh/v1alpha1/ScaledObject": (o) => {
    const s = o.spec ?? {};
    if (!s.scaleTargetRef?.name) err(o, "spec.scaleTargetRef.name missing");
    if (!Number.isInteger(s.minReplicaCount) || !Number.isInteger(s.maxReplicaCount)) err(o, "min/maxReplicaCount must be integers");
    else if (s.minReplicaCount > s.maxReplicaCount) err(o, "minReplicaCount > maxReplicaCount");
    if (!Array.isArray(s.triggers) || s.triggers.length === 0) return err(o, "spec.triggers empty");
    for (const t of s.triggers) {
      if (t.type !== "rabbitmq") err(o, `trigger type ${t.type}, expected rabbitmq`);
      const m = t.metadata ?? {};
      for (const [k, v] of Object.entries(m)) if (typeof v !== "string") err(o, `trigger metadata.${k} must be a string`);
      if (!m.queueName) err(o, "trigger metadata.queueName missing");
      if (!["QueueLength", "MessageRate"].includes(m.mode)) err(o, `trigger metadata.mode ${m.mode}`);
      if (!/^\d+(\.\d+)?$/.test(m.value ?? "")) err(o, `trigger metadata.value ${m.value} is not a number`);
      if (m.host) err(o, "broker URI inline in the trigger; use the TriggerAuthentication");
      if (!t.authenticationRef?.name) err(o, "trigger authenticationRef.name missing");
    }
  },
  "keda.sh/v1alpha1/TriggerAuthentication": (o) => {
    const refs = o.spec?.secretTargetRef;
    if (!Array.isArray(refs) || refs.length === 0) return err(o, "spec.secretTargetRef empty");
    for (const r of refs) if (!r.parameter || !r.name || !r.key) err(o, "secretTargetRef needs parameter, name and key");
    if (!refs.some((r) => r.parameter === "host")) err(o, "no secretTargetRef for parameter host");
  },
};

for (const o of objects) {
  if (!o.apiVersion || !o.kind || !o.metadata?.name) {
    err(o, "apiVersion, kind and metadata.name are required");
    continue;
  }
  const gvk = `${o.apiVersion}/${o.kind}`;
  if (crdChecks[gvk]) {
    schemaCheck(o, await importKeda(o.kind));
    crdChecks[gvk](o);
    continue;
  }
  let Model;
  try {
    Model = require(`kubernetes-models/${o.apiVersion}/${o.kind}`)[o.kind];
  } catch {
    if (!(schemaOnly && o.apiVersion.includes("."))) err(o, `unknown apiVersion/kind ${gvk}`);
    continue;
  }
  schemaCheck(o, Model);
}

const kinds = {};
for (const o of objects) kinds[o.kind] = (kinds[o.kind] ?? 0) + 1;
const summary = () => Object.entries(kinds).map(([k, n]) => `${n} ${k}`).join(", ");
const finish = (notes = []) => {
  if (errors.length) {
    for (const e of errors) console.log(`error: ${e}`);
    console.log(`${errors.length} error(s) in ${objects.length} objects`);
    process.exit(1);
  }
  console.log(`${objects.length} objects valid (${summary()})${notes.length ? `; ${notes.join("; ")}` : ""}`);
  process.exit(0);
};
if (schemaOnly) finish();

// ---- 3: chart rules ----
const byKind = (kind) => objects.filter((o) => o.kind === kind);
const find = (kind, name) => objects.find((o) => o.kind === kind && o.metadata.name === name);
const matches = (selector, labels) =>
  !!selector && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels?.[k] === v);
const COMPONENTS = ["ingest", "enrichment", "notifications", "api", "analytics", "training"];
const WITH_DATABASE = ["ingest", "notifications", "api", "analytics", "training"];
const PUBLIC = ["api", "notifications"]; // behind the Ingress; enrichment and ingest are internal only
const CIDR = /^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$|^[0-9a-fA-F:]*:[0-9a-fA-F:]*\/\d{1,3}$/;
const REQUIRED_LABELS = ["app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/component",
  "app.kubernetes.io/version", "app.kubernetes.io/managed-by", "app.kubernetes.io/part-of", "helm.sh/chart"];

const seen = new Set();
for (const o of objects) {
  const id = `${o.kind}/${o.metadata.name}`;
  if (seen.has(id)) err(o, "rendered twice");
  seen.add(id);
  for (const l of REQUIRED_LABELS) if (!o.metadata.labels?.[l]) err(o, `label ${l} missing`);
  if (o.metadata.name.length > 63) err(o, "name longer than 63 characters");
}

const deployments = {};
for (const d of byKind("Deployment")) {
  const component = d.metadata.labels?.["app.kubernetes.io/component"];
  deployments[component] = d;
  const pod = d.spec.template.spec;
  const podLabels = d.spec.template.metadata?.labels;
  if (!matches(d.spec.selector?.matchLabels, podLabels)) err(d, "selector does not match the pod labels");
  if (!pod.securityContext?.runAsNonRoot) err(d, "pod securityContext.runAsNonRoot is not true");
  if (!find("ServiceAccount", pod.serviceAccountName)) err(d, `serviceAccount ${pod.serviceAccountName} not rendered`);
  const spread = pod.topologySpreadConstraints ?? [];
  if (spread.length === 0) err(d, "no topologySpreadConstraints");
  for (const t of spread) if (!matches(t.labelSelector?.matchLabels, podLabels)) err(d, `spread on ${t.topologyKey} selects other pods`);
  const ann = d.spec.template.metadata?.annotations ?? {};
  // EmbeddingClient invokes app id "enrichment" through the sidecar: app ids are the component names.
  if (ann["dapr.io/enabled"] === "true" && !(ann["dapr.io/app-id"] === component && ann["dapr.io/app-port"] === "8080"))
    err(d, `dapr.io/enabled needs dapr.io/app-id ${component} and dapr.io/app-port 8080`);
  if (pod.containers.length !== 1) err(d, "expected one container");
  const c = pod.containers[0];
  if (c.readinessProbe?.httpGet?.path !== "/health/ready") err(d, "readinessProbe is not GET /health/ready");
  if (c.livenessProbe?.httpGet?.path !== "/alive") err(d, "livenessProbe is not GET /alive");
  if (!c.ports?.some((p) => p.name === "http" && p.containerPort === 8080)) err(d, "no port http/8080");
  for (const side of ["requests", "limits"])
    for (const r of ["cpu", "memory"]) if (c.resources?.[side]?.[r] === undefined) err(d, `resources.${side}.${r} missing`);
  const sc = c.securityContext ?? {};
  if (sc.readOnlyRootFilesystem !== true || sc.allowPrivilegeEscalation !== false) err(d, "container must be read-only root, no privilege escalation");
  if (!sc.capabilities?.drop?.includes("ALL")) err(d, "capabilities must drop ALL");
  const tmp = c.volumeMounts?.find((m) => m.mountPath === "/tmp");
  if (!tmp || !pod.volumes?.find((v) => v.name === tmp.name)?.emptyDir) err(d, "/tmp is not an emptyDir");
  const cmName = c.envFrom?.[0]?.configMapRef?.name;
  if (!find("ConfigMap", cmName)) err(d, `ConfigMap ${cmName} not rendered`);
  const env = Object.fromEntries((c.env ?? []).map((e) => [e.name, e]));
  if (!env.ConnectionStrings__RabbitMq?.valueFrom?.secretKeyRef?.key) err(d, "ConnectionStrings__RabbitMq not from a Secret");
  // the identity database (accounts, API keys, Data Protection key ring) is shared by every service
  if (!env.ConnectionStrings__Identity?.valueFrom?.secretKeyRef?.key) err(d, "ConnectionStrings__Identity not from a Secret");
  if (WITH_DATABASE.includes(component) !== !!env.ConnectionStrings__Papers?.valueFrom?.secretKeyRef)
    err(d, `ConnectionStrings__Papers from a Secret ${WITH_DATABASE.includes(component) ? "missing" : "unexpected"}`);
  if (!/^[^:]+:[^:]+$/.test(c.image.split("/").pop())) err(d, `image ${c.image} has no tag`);
}
for (const component of COMPONENTS) if (!deployments[component]) err(null, `no Deployment for ${component}`);

const configOf = (component) => {
  const d = deployments[component];
  return find("ConfigMap", d?.spec.template.spec.containers[0].envFrom?.[0]?.configMapRef?.name)?.data ?? {};
};
const svcUrl = (component) => `http://${deployments[component]?.metadata.name}:8080`;
for (const component of Object.keys(deployments)) {
  const cfg = configOf(component);
  const expect = (k, v) => cfg[k] !== v && err(deployments[component], `config ${k}=${cfg[k]}, expected ${v}`);
  expect("Messaging__Transport", "RabbitMq");
  expect("ASPNETCORE_HTTP_PORTS", "8080");
  expect("OTEL_SERVICE_NAME", `papers-${component}`);
  if (!/(^|,)service\.version=[^,]+/.test(cfg.OTEL_RESOURCE_ATTRIBUTES ?? "")) err(deployments[component], "OTEL_RESOURCE_ATTRIBUTES lacks service.version");
  if (WITH_DATABASE.includes(component)) expect("Database__Provider", "Postgres");
  if (["api", "notifications", "training"].includes(component)) expect("Services__Enrichment", svcUrl("enrichment"));
  // Enrichment replicas fetch the promoted tagger model from training
  if (component === "enrichment") expect("Services__Training", svcUrl("training"));
  // the api's public OpenAPI document includes notifications' (the subscription endpoints)
  if (component === "api") expect("OpenApi__Include__0", `${svcUrl("notifications")}/openapi/v1.json`);
  // sign-in: the client secret only from a Secret, never in a ConfigMap; without a provider, no sign-in settings at all
  const secretEnv = (deployments[component].spec.template.spec.containers[0].env ?? []).find((e) => e.name === "Accounts__Oidc__ClientSecret");
  if (Object.keys(cfg).some((k) => /ClientSecret/i.test(k))) err(deployments[component], "a client secret in the ConfigMap");
  if (cfg.Accounts__Oidc__Authority) {
    if (component !== "api") err(deployments[component], "sign-in settings outside the api");
    if (!/^https:\/\//.test(cfg.Accounts__Oidc__Authority)) err(deployments[component], `Accounts__Oidc__Authority=${cfg.Accounts__Oidc__Authority} is not HTTPS`);
    if (!cfg.Accounts__Oidc__ClientId) err(deployments[component], "Accounts__Oidc__ClientId missing");
    if (!/^\//.test(cfg.Accounts__Oidc__CallbackPath ?? "")) err(deployments[component], `Accounts__Oidc__CallbackPath=${cfg.Accounts__Oidc__CallbackPath}`);
    if (!secretEnv?.valueFrom?.secretKeyRef?.name) err(deployments[component], "Accounts__Oidc__ClientSecret not from a Secret");
  } else if (secretEnv || Object.keys(cfg).some((k) => k.startsWith("Accounts__Oidc__"))) err(deployments[component], "sign-in settings without an authority");
  if (PUBLIC.includes(component)) {
    // links from the configured public URL, never the Host header; client addresses only from the ingress
    if (!/^https?:\/\/[^/]+$/.test(cfg.PublicSite__BaseUrl ?? "")) err(deployments[component], `config PublicSite__BaseUrl=${cfg.PublicSite__BaseUrl}`);
    if (!CIDR.test(cfg.ForwardedHeaders__KnownNetworks__0 ?? "")) err(deployments[component], `config ForwardedHeaders__KnownNetworks__0=${cfg.ForwardedHeaders__KnownNetworks__0}, expected the ingress controller's network (CIDR)`);
    expect("ForwardedHeaders__ForwardLimit", "1");
  }
  if (component === "notifications") {
    expect("Mail__Transport", "Smtp");
    for (const k of ["Mail__Smtp__Host", "Mail__Smtp__Port", "Mail__From", "Mail__PublicBaseUrl"]) if (!cfg[k]) err(deployments[component], `config ${k} empty`);
    if (!["true", "false"].includes(cfg.Mail__Smtp__UseTls)) err(deployments[component], `config Mail__Smtp__UseTls=${cfg.Mail__Smtp__UseTls}`);
  }
  if (component === "api") {
    // the disk search index is written under Search__IndexDirectory: a writable volume of the pod's own
    // (the root filesystem is read-only; Lucene locks the folder, so a shared one would stop a second replica)
    if (!["Disk", "InMemory"].includes(cfg.Search__Backend)) err(deployments.api, `config Search__Backend=${cfg.Search__Backend}`);
    if (cfg.Search__Backend === "Disk") {
      const pod = deployments.api.spec.template.spec;
      const mount = pod.containers[0].volumeMounts?.find((m) => m.mountPath === cfg.Search__IndexDirectory);
      const volume = pod.volumes?.find((v) => v.name === mount?.name);
      if (!mount || mount.readOnly || !volume) err(deployments.api, `Search__IndexDirectory=${cfg.Search__IndexDirectory} is not a writable volume mount`);
      else if (volume.persistentVolumeClaim) err(deployments.api, `the search index volume is one claim shared by every replica (${volume.persistentVolumeClaim.claimName}); use emptyDir or ephemeral`);
    }
  }
  if (component === "analytics") {
    // the archive is written under Analytics__Root: a writable volume every replica shares (not the read-only root filesystem)
    const pod = deployments.analytics.spec.template.spec;
    const mount = pod.containers[0].volumeMounts?.find((m) => m.mountPath === cfg.Analytics__Root);
    const volume = pod.volumes?.find((v) => v.name === mount?.name);
    if (!mount || mount.readOnly || !volume) err(deployments.analytics, `Analytics__Root=${cfg.Analytics__Root} is not a writable volume mount`);
    else if (volume.emptyDir) err(deployments.analytics, "the archive is an emptyDir: it would be lost with the pod, and replicas would not share it");
  }
  if (component === "enrichment") {
    if (!["Cpu", "Cuda", "Auto"].includes(cfg.Embedding__ExecutionProvider)) err(deployments.enrichment, `Embedding__ExecutionProvider=${cfg.Embedding__ExecutionProvider}`);
    if (!/^\d+$/.test(cfg.Embedding__IntraOpThreads ?? "")) err(deployments.enrichment, "Embedding__IntraOpThreads is not an integer >= 0");
  }
}

for (const s of byKind("Service")) {
  const targets = Object.values(deployments).filter((d) => matches(s.spec.selector, d.spec.template.metadata.labels));
  if (targets.length !== 1) err(s, `selector matches ${targets.length} Deployments`);
  if (!s.spec.ports?.some((p) => p.port === 8080 && p.targetPort === "http")) err(s, "no port 8080 -> http");
}
for (const p of byKind("PodDisruptionBudget"))
  if (!Object.values(deployments).some((d) => matches(p.spec.selector?.matchLabels, d.spec.template.metadata.labels)))
    err(p, "selects no Deployment");

const autoscaled = (o, name) => {
  const d = find("Deployment", name);
  if (!d) return err(o, `target Deployment ${name} not rendered`);
  if (d.spec.replicas !== undefined) err(o, `Deployment ${name} sets spec.replicas; the autoscaler owns it`);
};
for (const h of byKind("HorizontalPodAutoscaler")) autoscaled(h, h.spec.scaleTargetRef.name);
for (const so of byKind("ScaledObject")) {
  autoscaled(so, so.spec.scaleTargetRef?.name);
  for (const t of so.spec.triggers ?? [])
    if (!find("TriggerAuthentication", t.authenticationRef?.name)) err(so, `TriggerAuthentication ${t.authenticationRef?.name} not rendered`);
}

const jobs = byKind("Job");
for (const j of jobs) {
  const hooks = (j.metadata.annotations?.["helm.sh/hook"] ?? "").split(",");
  if (!hooks.includes("pre-install") || !hooks.includes("pre-upgrade")) err(j, "not a pre-install,pre-upgrade hook");
  const pod = j.spec.template.spec;
  const c = pod.containers[0];
  if (JSON.stringify(c.args) !== '["migrate"]') err(j, "args are not [migrate]");
  if (pod.serviceAccountName || c.envFrom) err(j, "a pre-install hook cannot use the release's ServiceAccount or ConfigMap");
  if (byKind("Service").some((s) => matches(s.spec.selector, j.spec.template.metadata?.labels))) err(j, "a Service selects the migration pod");
  if (c.securityContext?.readOnlyRootFilesystem !== true) err(j, "container must be read-only root");
  // every service's `migrate` also brings the shared identity database up to date (and needs it to start)
  if (!c.env?.find((e) => e.name === "ConnectionStrings__Identity")?.valueFrom?.secretKeyRef?.key)
    err(j, "ConnectionStrings__Identity not from a Secret: every service's migrate migrates the identity database");
}
for (const component of WITH_DATABASE)
  if (!jobs.some((j) => j.metadata.labels?.["app.kubernetes.io/component"] === `${component}-migrate`))
    err(null, `no migration Job for ${component}`);

const notes = [];
if (configOf("api").Accounts__Oidc__Authority) notes.push(`sign-in ${configOf("api").Accounts__Oidc__Authority}, callback ${configOf("api").Accounts__Oidc__CallbackPath}`);

// ---- NetworkPolicies: enrichment and ingest admit only this release's pods ----
const policies = byKind("NetworkPolicy");
const selects = (np, labels) => Object.entries(np.spec.podSelector?.matchLabels ?? {}).every(([k, v]) => labels?.[k] === v);
const isReleasePeer = (peer, release) => !!peer.podSelector && !peer.namespaceSelector && !peer.ipBlock &&
  peer.podSelector.matchLabels?.["app.kubernetes.io/instance"] === release &&
  peer.podSelector.matchLabels?.["app.kubernetes.io/part-of"] === "papers";
for (const np of policies) {
  if (Object.keys(np.spec.podSelector?.matchLabels ?? {}).length === 0) err(np, "podSelector selects every pod of the namespace");
  if (!Object.values(deployments).some((d) => selects(np, d.spec.template.metadata.labels))) err(np, "selects no Deployment's pods");
}
for (const [component, d] of Object.entries(deployments)) {
  const podLabels = d.spec.template.metadata.labels;
  const release = d.metadata.labels["app.kubernetes.io/instance"];
  const mine = policies.filter((np) => selects(np, podLabels));
  if (mine.length === 0) {
    if (variant === "default") err(d, "no NetworkPolicy selects its pods (networkPolicy.enabled is on by default)");
    continue;
  }
  // the others' policies admit callers by these labels: without them this service's calls are dropped
  if (podLabels?.["app.kubernetes.io/instance"] !== release || podLabels?.["app.kubernetes.io/part-of"] !== "papers")
    err(d, "pods lack app.kubernetes.io/instance or part-of, which the NetworkPolicies admit callers by");
  const rules = mine.flatMap((np) => (np.spec.ingress ?? []).map((r) => ({ np, r })));
  for (const np of mine) if (!np.spec.policyTypes?.includes("Ingress")) err(np, "policyTypes lacks Ingress: it restricts nothing");
  for (const { np, r } of rules) {
    if (!r.from?.length) err(np, `a rule without from admits every source${PUBLIC.includes(component) ? "" : `, but ${component} is internal only`}`);
    if (!r.ports?.length) err(np, "a rule without ports admits every port");
    for (const peer of r.from ?? []) {
      if (isReleasePeer(peer, release)) continue;
      if (!PUBLIC.includes(component)) err(np, `admits ${JSON.stringify(peer)}, but ${component} is internal only: this release's pods alone`);
      else if (!(Object.keys(peer.namespaceSelector ?? {}).length && peer.podSelector && !peer.ipBlock))
        err(np, `admits ${JSON.stringify(peer)}: expected this release's pods or the ingress controller's`);
    }
  }
  const admitted = (pred) => rules.filter(({ r }) => r.from?.some(pred)).flatMap(({ r }) => (r.ports ?? []).map((p) => p.port));
  const fromRelease = admitted((p) => isReleasePeer(p, release));
  if (!fromRelease.includes(8080)) err(d, "its NetworkPolicy does not admit this release's pods on 8080");
  if (d.spec.template.metadata.annotations?.["dapr.io/enabled"] === "true" && !fromRelease.includes(50002))
    err(d, "Dapr sidecar, but its NetworkPolicy does not admit the release's sidecars on 50002");
  if (PUBLIC.includes(component) && !admitted((p) => !!p.namespaceSelector).includes(8080))
    err(d, "public-facing, but its NetworkPolicy does not admit the ingress controller on 8080");
}
if (policies.length) notes.push(`NetworkPolicy on ${policies.map((p) => p.metadata.labels["app.kubernetes.io/component"]).join(",")}`);

// ---- the front door: the Ingress routes only public paths, and only to public services ----
// Never routed: enrichment's /embed, ingest's /api/ingest..., the health endpoints.
const NEVER_ROUTED = ["/embed", "/api/ingest", "/health", "/alive"];
// What the public must reach, and where (a request path each, matched as the controller would).
// Every page type (each also a feed with ?format=), the static files, /v1, the document and its
// reference page go to the api; subscribing (the form posts to /api/subscriptions) to notifications.
const MUST_ROUTE = { "/": "api", "/date/2025-01-15": "api", "/week/2025-W03": "api", "/month/2025-01": "api",
  "/papers/2401.00001": "api", "/papers/hep-th/9901001": "api", "/search": "api", "/topics": "api", "/topics/cs.CL": "api",
  "/authors/Ada%20Lovelace": "api", "/subscribe": "api", "/vote": "api", "/static/app.h26zzg3lg2.css": "api",
  "/api/daily_papers": "api", "/api/papers/search": "api", "/api/papers/2401.00001/similar": "api", "/api/papers/2401.00001/upvote": "api",
  "/api/session": "api", "/api/stats": "api", "/v1/papers": "api", "/v1/papers/batch": "api", "/v1/search": "api", "/v1/topics/cs.CL": "api",
  "/openapi/v1.json": "api", "/reference": "api", "/reference/scalar.js": "api",
  "/account": "api", "/account/signin": "api", "/account/delete": "api", "/signin-oidc": "api", "/library": "api", "/library/save": "api",
  "/for-you": "api", "/api/account": "api", "/api/account/feed-token": "api", "/api/library/collections": "api", "/api/library/feed": "api",
  "/api/collections/0b3a6c0e-3f1e-4c8e-9a55-5f0c7c1e2d11/export": "api",
  "/api/subscriptions": "notifications", "/api/subscriptions/unsubscribe": "notifications", "/api/digests/run": "notifications",
  "/subscriptions/manage": "notifications" };
const trim = (p) => p.replace(/\/+$/, "");
// Kubernetes path matching: Exact is the whole path; Prefix goes by path elements (/api/papers
// matches /api/papers/x, not /api/papersx); anything else is treated as a prefix, to be safe.
const matchesPath = (rule, p) => rule.pathType === "Exact" ? rule.path === p
  : trim(rule.path) === "" || trim(p) === trim(rule.path) || p.startsWith(`${trim(rule.path)}/`);
const routeOf = (rules, p) => rules.filter((r) => matchesPath(r, p))
  .sort((a, b) => (b.pathType === "Exact") - (a.pathType === "Exact") || b.path.length - a.path.length)[0];
const ingresses = byKind("Ingress");
if (variant === "default" && ingresses.length !== 1) err(null, `${ingresses.length} Ingresses, expected 1 (ingress.enabled is on by default)`);
for (const ing of ingresses) {
  if (ing.spec.defaultBackend) err(ing, "a defaultBackend routes every path");
  const rules = [];
  for (const rule of ing.spec.rules ?? []) {
    if (!rule.host) err(ing, "a rule without host answers for every host");
    for (const p of rule.http?.paths ?? []) rules.push(p);
  }
  for (const r of rules) {
    const name = r.backend?.service?.name;
    const svc = find("Service", name);
    const component = svc?.metadata.labels?.["app.kubernetes.io/component"];
    if (!svc) err(ing, `${r.path} -> Service ${name}, which is not rendered`);
    else if (!PUBLIC.includes(component)) err(ing, `${r.path} routes to ${component} (Service ${name}), which is internal only`);
    else if (!svc.spec.ports.some((sp) => sp.name === r.backend.service.port?.name || sp.port === r.backend.service.port?.number))
      err(ing, `${r.path} -> a port Service ${name} does not have`);
    if (!["Exact", "Prefix"].includes(r.pathType)) err(ing, `${r.path}: pathType ${r.pathType}, expected Exact or Prefix (no regexes)`);
    if (!r.path?.startsWith("/")) err(ing, `path ${r.path} is not absolute`);
    for (const f of NEVER_ROUTED)
      if (trim(r.path) === f || r.path.startsWith(`${f}/`) || matchesPath(r, f)) err(ing, `routes ${f} (${r.pathType} ${r.path}), which must stay internal`);
  }
  for (const tls of ing.spec.tls ?? [])
    for (const rule of ing.spec.rules ?? []) if (!tls.hosts?.includes(rule.host)) err(ing, `TLS does not cover host ${rule.host}`);
  if (variant === "default") {
    for (const [p, component] of Object.entries(MUST_ROUTE)) {
      const r = routeOf(rules, p);
      const to = find("Service", r?.backend?.service?.name)?.metadata.labels?.["app.kubernetes.io/component"];
      if (to !== component) err(ing, `${p} is routed to ${to ?? "nothing"}, expected ${component}`);
    }
    const site = URL.canParse(configOf("api").PublicSite__BaseUrl ?? "") && new URL(configOf("api").PublicSite__BaseUrl).hostname;
    for (const rule of ing.spec.rules ?? []) if (rule.host !== site) err(ing, `host ${rule.host} is not the host of PublicSite__BaseUrl (${site})`);
  }
  notes.push(`Ingress ${rules.length} paths to ${[...new Set(rules.map((r) => r.backend?.service?.name))].join(",")}`);
}

// ---- CPU vs GPU enrichment ----
const enrich = deployments.enrichment;
if (enrich) {
  const pod = enrich.spec.template.spec;
  const c = pod.containers[0];
  const gpus = c.resources?.limits?.["nvidia.com/gpu"];
  const provider = configOf("enrichment").Embedding__ExecutionProvider;
  if (variant === "gpu") {
    if (!(Number(gpus) >= 1)) err(enrich, `GPU variant: limits nvidia.com/gpu=${gpus}`);
    if (provider !== "Cuda") err(enrich, `GPU variant: Embedding__ExecutionProvider=${provider}`);
    if (!c.image.endsWith("-gpu")) err(enrich, `GPU variant: image ${c.image} is not the -gpu variant`);
    if (!pod.tolerations?.some((t) => t.key === "nvidia.com/gpu")) err(enrich, "GPU variant: no nvidia.com/gpu toleration");
    if (Object.keys(pod.nodeSelector ?? {}).length === 0) err(enrich, "GPU variant: no nodeSelector");
  } else {
    if (objects.some((o) => JSON.stringify(o).includes("nvidia.com/gpu"))) err(null, "CPU variant mentions nvidia.com/gpu");
    if (provider === "Cuda") err(enrich, "CPU variant: Embedding__ExecutionProvider=Cuda");
  }
  notes.push(`enrichment ${gpus ? `nvidia.com/gpu=${gpus}` : "no GPU"}, ExecutionProvider=${provider}, image ${c.image.split("/").pop()}`);
}
const queues = byKind("ScaledObject").flatMap((s) => (s.spec.triggers ?? []).map((t) => t.metadata?.queueName));
if (queues.length) notes.push(`KEDA queue ${queues.join(",")}`);

finish(notes);
