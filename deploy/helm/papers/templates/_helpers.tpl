{{/*
Names. "papers.fullname" is the release prefix; each service has papers.<svc>.fullname.
*/}}
{{- define "papers.fullname" -}}
{{- if contains .Chart.Name .Release.Name }}
{{- .Release.Name | trunc 50 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 50 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{- define "papers.ingest.fullname" -}}{{ include "papers.fullname" . }}-ingest{{- end }}
{{- define "papers.enrichment.fullname" -}}{{ include "papers.fullname" . }}-enrichment{{- end }}
{{- define "papers.notifications.fullname" -}}{{ include "papers.fullname" . }}-notifications{{- end }}
{{- define "papers.api.fullname" -}}{{ include "papers.fullname" . }}-api{{- end }}
{{- define "papers.analytics.fullname" -}}{{ include "papers.fullname" . }}-analytics{{- end }}
{{- define "papers.training.fullname" -}}{{ include "papers.fullname" . }}-training{{- end }}

{{/*
The shared templates below take (dict "root" $ "component" "<svc>").
*/}}
{{- define "papers.componentFullname" -}}
{{- include (printf "papers.%s.fullname" .component) .root }}
{{- end }}

{{- define "papers.selectorLabels" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* Every pod of this release carries these; the NetworkPolicies admit callers by them. */}}
{{- define "papers.releaseLabels" -}}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/part-of: papers
{{- end }}

{{- define "papers.labels" -}}
{{ include "papers.selectorLabels" . }}
app.kubernetes.io/version: {{ include "papers.imageTag" .root | quote }}
app.kubernetes.io/part-of: papers
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" }}
{{- end }}

{{- define "papers.imageTag" -}}
{{- .Values.image.tag | default .Chart.AppVersion }}
{{- end }}

{{/* Image of a service; the enrichment GPU variant adds gpu.imageTagSuffix to the tag. */}}
{{- define "papers.image" -}}
{{- $v := index .root.Values .component }}
{{- $suffix := "" }}
{{- if dig "gpu" "enabled" false $v }}{{ $suffix = $v.gpu.imageTagSuffix }}{{ end }}
{{- printf "%s:%s%s" $v.image.repository (include "papers.imageTag" .root) $suffix }}
{{- end }}

{{/*
The public routes, the only paths the Ingress sends anywhere: component -> pathType -> paths. A
service with routes here is public-facing: it also gets PublicSite__BaseUrl and the forwarded-headers
settings, and its NetworkPolicy admits the ingress controller. Add a path here when a service starts
serving a public one; never /embed (enrichment), /api/ingest (ingest), /health or /alive (helm-check
fails such a render). Exact and Prefix only, no regexes: Prefix /api/papers matches /api/papers and
/api/papers/..., not /api/papersx. The api serves the web pages (/, /date|week|month/..., /papers/...,
/search, /topics/..., /authors/..., /subscribe; each also an RSS or Atom feed with ?format=), their
static files (/static, fingerprinted), POST /vote, /v1, the OpenAPI document and its reference page;
notifications the subscription API (the subscribe form posts there too) and its pages (/subscriptions).
*/}}
{{- define "papers.publicRoutes" -}}
api:
  Exact: [/, /search, /subscribe, /vote, /favicon.ico, /api/session, /for-you, {{ .Values.api.oidc.callbackPath }}]
  Prefix: [/date, /week, /month, /papers, /topics, /authors, /static, /reference, /v1, /api/daily_papers, /api/papers, /api/stats, /api/admin, /openapi, /account, /library, /api/account, /api/library, /api/collections]
notifications:
  Prefix: [/api/subscriptions, /api/digests, /subscriptions]
{{- end }}

{{/* "true" when the service (dict "root" $ "component" "<svc>") has public routes, else empty. */}}
{{- define "papers.isPublic" -}}
{{- if hasKey (include "papers.publicRoutes" .root | fromYaml) .component }}true{{ end }}
{{- end }}

{{/*
ConfigMap data of a service (dict "root" $ "component" "<svc>" "own" (dict ...)): what every
service gets (listener, broker transport, OpenTelemetry), what public-facing ones get (the public
URL links are built from, never the Host header; client addresses from X-Forwarded-For only when the
connection comes from ingress.trustedProxies, one hop), then the service's own keys, its
<svc>.rateLimits as RateLimits__<Key>, then <svc>.env from values, which may override any of them.
*/}}
{{- define "papers.configData" -}}
{{- $root := .root }}
{{- $attrs := list "service.namespace=papers" (printf "service.version=%s" (include "papers.imageTag" $root)) (printf "k8s.namespace.name=%s" $root.Release.Namespace) }}
{{- range $k, $val := $root.Values.otel.resourceAttributes }}
{{- $attrs = append $attrs (printf "%s=%v" $k $val) }}
{{- end }}
{{- $data := dict
  "ASPNETCORE_HTTP_PORTS" "8080"
  "Messaging__Transport" "RabbitMq"
  "OTEL_SERVICE_NAME" (printf "papers-%s" .component)
  "OTEL_RESOURCE_ATTRIBUTES" (join "," $attrs) }}
{{- with $root.Values.otel.endpoint }}{{ $_ := set $data "OTEL_EXPORTER_OTLP_ENDPOINT" . }}{{ end }}
{{- if include "papers.isPublic" . }}
{{- $_ := set $data "PublicSite__BaseUrl" $root.Values.publicBaseUrl }}
{{- $_ := set $data "ForwardedHeaders__ForwardLimit" "1" }}
{{- range $i, $cidr := $root.Values.ingress.trustedProxies }}
{{- $_ := set $data (printf "ForwardedHeaders__KnownNetworks__%d" $i) $cidr }}
{{- end }}
{{- end }}
{{- range $k, $val := .own }}{{ $_ := set $data $k (toString $val) }}{{ end }}
{{- range $k, $val := (index $root.Values .component).rateLimits }}{{ $_ := set $data (printf "RateLimits__%s" $k) (toString $val) }}{{ end }}
{{- range $k, $val := (index $root.Values .component).env }}{{ $_ := set $data $k (toString $val) }}{{ end }}
{{- toYaml $data }}
{{- end }}

{{- /* The embedding model's settings (values: embedding), for the ConfigMap of every service that runs
     the model: Embedding__Model always; pooling and prefixes only when set, so the model's own apply. */}}
{{- define "papers.embeddingSettings" -}}
{{- $e := .Values.embedding }}
{{- $data := dict "Embedding__Model" $e.model }}
{{- with $e.pooling }}{{ $_ := set $data "Embedding__Pooling" . }}{{ end }}
{{- if kindIs "string" $e.queryPrefix }}{{ $_ := set $data "Embedding__QueryPrefix" $e.queryPrefix }}{{ end }}
{{- if kindIs "string" $e.documentPrefix }}{{ $_ := set $data "Embedding__DocumentPrefix" $e.documentPrefix }}{{ end }}
{{- toYaml $data }}
{{- end }}

{{- define "papers.enrichmentUrl" -}}
http://{{ include "papers.enrichment.fullname" . }}:8080
{{- end }}

{{- define "papers.apiUrl" -}}
http://{{ include "papers.api.fullname" . }}:8080
{{- end }}

{{- define "papers.trainingUrl" -}}
http://{{ include "papers.training.fullname" . }}:8080
{{- end }}

{{- define "papers.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 1654 # $APP_UID of the .NET images (and of the Dockerfile's VARIANT=gpu)
runAsGroup: 1654
fsGroup: 1654
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{- define "papers.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: [ALL]
{{- end }}

{{/*
Secrets: the broker and the shared identity database (accounts, API keys, the Data Protection key
ring) for everyone, the service's own database where it has one, the OpenID Connect client secret
where sign-in is on, SMTP credentials and Notifications' API key if any.
*/}}
{{- define "papers.secretEnv" -}}
{{- $v := index .root.Values .component -}}
- name: ConnectionStrings__RabbitMq
  valueFrom:
    secretKeyRef:
      name: {{ .root.Values.rabbitmq.existingSecret }}
      key: {{ .root.Values.rabbitmq.secretKey }}
{{ include "papers.identityEnv" .root }}
{{- with $v.database }}
- name: ConnectionStrings__Papers
  valueFrom:
    secretKeyRef:
      name: {{ .existingSecret }}
      key: {{ .secretKey }}
{{- end }}
{{- if dig "oidc" "authority" "" $v }}
- name: Accounts__Oidc__ClientSecret
  valueFrom:
    secretKeyRef:
      name: {{ $v.oidc.existingSecret }}
      key: {{ $v.oidc.secretKey }}
{{- end }}
{{- with dig "apiKey" "existingSecret" "" $v }}
- name: Services__ApiKey
  valueFrom:
    secretKeyRef: { name: {{ . }}, key: {{ $v.apiKey.secretKey }} }
{{- end }}
{{- with dig "mail" "smtp" "existingSecret" "" $v }}
- name: Mail__Smtp__Username
  valueFrom:
    secretKeyRef: { name: {{ . }}, key: username }
- name: Mail__Smtp__Password
  valueFrom:
    secretKeyRef: { name: {{ . }}, key: password }
{{- end }}
{{- end }}

{{- define "papers.identityEnv" -}}
- name: ConnectionStrings__Identity
  valueFrom:
    secretKeyRef:
      name: {{ .Values.identity.database.existingSecret }}
      key: {{ .Values.identity.database.secretKey }}
{{- end }}

{{/*
Deployment shared by the services; service-specific settings live in each ConfigMap.
*/}}
{{/* Where the api's disk search index lives (its own volume, see values api.search). */}}
{{- define "papers.searchIndexPath" -}}/var/lib/papers/search{{- end }}
{{/* Where analytics' event archive lives (a volume every replica shares, see values analytics.archive). */}}
{{- define "papers.archivePath" -}}/var/lib/papers/archive{{- end }}

{{- define "papers.deployment" -}}
{{- $root := .root }}
{{- $v := index $root.Values .component }}
{{- $name := include "papers.componentFullname" . }}
{{- $gpu := dig "gpu" "enabled" false $v }}
{{- /* enrichment's own embedding model, mounted read-only when a volume is given */}}
{{- $model := dig "embedding" "model" (dict) $v }}
{{- /* the api's disk search index: a volume of each pod's own */}}
{{- $searchVolume := and (eq (dig "search" "backend" "" $v) "Disk") (dig "search" "volume" (dict) $v) }}
{{- /* analytics' Parquet archive: one volume all replicas share */}}
{{- $archiveVolume := dig "archive" "volume" (dict) $v }}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ $name }}
  labels:
    {{- include "papers.labels" . | nindent 4 }}
spec:
  {{- if not (dig "autoscaling" "enabled" false $v) }}
  replicas: {{ $v.replicas }}
  {{- end }}
  revisionHistoryLimit: 5
  {{- if $gpu }}
  strategy: # replace in place: a surge pod would wait for a GPU no node has free
    rollingUpdate: { maxSurge: 0, maxUnavailable: 1 }
  {{- end }}
  selector:
    matchLabels:
      {{- include "papers.selectorLabels" . | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "papers.selectorLabels" . | nindent 8 }}
        app.kubernetes.io/part-of: papers
      annotations:
        checksum/config: {{ include (printf "%s/%s/configmap.yaml" $root.Template.BasePath .component) $root | sha256sum }}
        {{- if $v.dapr.enabled }}
        dapr.io/enabled: "true"
        dapr.io/app-id: {{ .component }} # callers invoke "enrichment" by this id
        dapr.io/app-port: "8080"
        {{- end }}
    spec:
      serviceAccountName: {{ $name }}
      automountServiceAccountToken: false
      {{- with $root.Values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      securityContext:
        {{- include "papers.podSecurityContext" . | nindent 8 }}
      {{- if $gpu }}
      nodeSelector:
        {{- toYaml $v.gpu.nodeSelector | nindent 8 }}
      tolerations:
        {{- toYaml $v.gpu.tolerations | nindent 8 }}
      {{- end }}
      topologySpreadConstraints:
        {{- range list "topology.kubernetes.io/zone" "kubernetes.io/hostname" }}
        - topologyKey: {{ . }}
          maxSkew: 1
          whenUnsatisfiable: ScheduleAnyway
          matchLabelKeys: [pod-template-hash]
          labelSelector:
            matchLabels:
              {{- include "papers.selectorLabels" $ | nindent 14 }}
        {{- end }}
      containers:
        - name: {{ .component }}
          image: {{ include "papers.image" . }}
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          ports:
            - name: http
              containerPort: 8080
          envFrom:
            - configMapRef:
                name: {{ $name }}
          env:
            {{- include "papers.secretEnv" . | nindent 12 }}
          startupProbe:
            httpGet: { path: /alive, port: http }
            periodSeconds: 2
            failureThreshold: 60
          livenessProbe:
            httpGet: { path: /alive, port: http }
            periodSeconds: 10
            timeoutSeconds: 3
          readinessProbe:
            httpGet: { path: /health/ready, port: http }
            periodSeconds: 10
            timeoutSeconds: 5
          resources:
            requests:
              {{- toYaml $v.resources.requests | nindent 14 }}
            limits:
              {{- toYaml $v.resources.limits | nindent 14 }}
              {{- if $gpu }}
              nvidia.com/gpu: {{ $v.gpu.count }}
              {{- end }}
          securityContext:
            {{- include "papers.containerSecurityContext" . | nindent 12 }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
            {{- if $model.volume }}
            - name: model
              mountPath: {{ $model.mountPath }}
              readOnly: true
            {{- end }}
            {{- if $searchVolume }}
            - name: search-index
              mountPath: {{ include "papers.searchIndexPath" $root }}
            {{- end }}
            {{- if $archiveVolume }}
            - name: archive
              mountPath: {{ include "papers.archivePath" $root }}
            {{- end }}
      volumes:
        - name: tmp
          emptyDir: { sizeLimit: 512Mi }
        {{- with $searchVolume }}
        - name: search-index
          {{- toYaml . | nindent 10 }}
        {{- end }}
        {{- with $archiveVolume }}
        - name: archive
          {{- toYaml . | nindent 10 }}
        {{- end }}
        {{- with $model.volume }}
        - name: model
          {{- toYaml . | nindent 10 }}
        {{- end }}
{{- end }}

{{- define "papers.service" -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "papers.componentFullname" . }}
  labels:
    {{- include "papers.labels" . | nindent 4 }}
spec:
  type: ClusterIP
  selector:
    {{- include "papers.selectorLabels" . | nindent 4 }}
  ports:
    - name: http
      port: 8080
      targetPort: http
{{- end }}

{{/*
NetworkPolicy of a service (ingress side only: egress stays open, see README). Port 8080 admits
this release's pods (by papers.releaseLabels), and for a public-facing service the ingress
controller's pods too (networkPolicy.ingressController); with Dapr, the sidecars' port 50002 admits
the release's pods as well (sidecar-to-sidecar service invocation). Kubelet probes are not blocked:
they come from the pod's own node, and traffic from there is always allowed (Kubernetes documents
this exception for NetworkPolicy; CNIs implement it).
*/}}
{{- define "papers.networkPolicy" -}}
{{- $root := .root }}
{{- $v := index $root.Values .component }}
{{- $controller := $root.Values.networkPolicy.ingressController }}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ include "papers.componentFullname" . }}
  labels:
    {{- include "papers.labels" . | nindent 4 }}
spec:
  podSelector:
    matchLabels:
      {{- include "papers.selectorLabels" . | nindent 6 }}
  policyTypes: [Ingress]
  ingress:
    - from:
        - podSelector:
            matchLabels:
              {{- include "papers.releaseLabels" $root | nindent 14 }}
      ports:
        - { protocol: TCP, port: 8080 }
        {{- if $v.dapr.enabled }}
        - { protocol: TCP, port: 50002 } # daprd internal gRPC
        {{- end }}
    {{- if include "papers.isPublic" . }}
    - from:
        - namespaceSelector:
            {{- toYaml $controller.namespaceSelector | nindent 12 }}
          {{- if $controller.podSelector }}
          podSelector:
            {{- toYaml $controller.podSelector | nindent 12 }}
          {{- else }}
          podSelector: {} # every pod of those namespaces
          {{- end }}
      ports:
        - { protocol: TCP, port: 8080 }
    {{- end }}
{{- end }}

{{- define "papers.serviceAccount" -}}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "papers.componentFullname" . }}
  labels:
    {{- include "papers.labels" . | nindent 4 }}
automountServiceAccountToken: false
{{- end }}

{{- define "papers.pdb" -}}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "papers.componentFullname" . }}
  labels:
    {{- include "papers.labels" . | nindent 4 }}
spec:
  maxUnavailable: {{ .root.Values.podDisruptionBudget.maxUnavailable }}
  selector:
    matchLabels:
      {{- include "papers.selectorLabels" . | nindent 6 }}
{{- end }}

{{/*
Migration hook. It runs before the release's ConfigMaps and ServiceAccounts exist, so it
uses only the (pre-existing) database Secrets and the namespace's default ServiceAccount.
Every service's Job also brings the shared identity database up to date (idempotent: the first
one applies what is pending, the others find nothing to do).
*/}}
{{- define "papers.migrationJob" -}}
{{- $root := .root }}
{{- $v := index $root.Values .component }}
{{- /* its own component label, so the Service and PDB of the service never select it */}}
{{- $labels := dict "root" $root "component" (printf "%s-migrate" .component) }}
apiVersion: batch/v1
kind: Job
metadata:
  name: {{ include "papers.componentFullname" . }}-migrate
  labels:
    {{- include "papers.labels" $labels | nindent 4 }}
  annotations:
    helm.sh/hook: pre-install,pre-upgrade
    helm.sh/hook-weight: "0"
    helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded
spec:
  backoffLimit: 2
  activeDeadlineSeconds: 300
  template:
    metadata:
      labels:
        {{- include "papers.selectorLabels" $labels | nindent 8 }}
    spec:
      restartPolicy: Never
      automountServiceAccountToken: false
      {{- with $root.Values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      securityContext:
        {{- include "papers.podSecurityContext" . | nindent 8 }}
      containers:
        - name: migrate
          image: {{ include "papers.image" . }}
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          args: [migrate]
          env:
            - name: Database__Provider
              value: Postgres
            - name: ConnectionStrings__Papers
              valueFrom:
                secretKeyRef:
                  name: {{ $v.database.existingSecret }}
                  key: {{ $v.database.secretKey }}
            {{- include "papers.identityEnv" $root | nindent 12 }}
          resources:
            {{- toYaml $v.resources | nindent 12 }}
          securityContext:
            {{- include "papers.containerSecurityContext" . | nindent 12 }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
      volumes:
        - name: tmp
          emptyDir: { sizeLimit: 512Mi }
{{- end }}
