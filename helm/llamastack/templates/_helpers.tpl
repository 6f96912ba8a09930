{{/* Names, labels and the pieces every component shares. */}}

{{- define "llamastack.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "llamastack.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "llamastack.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Resource name of a component: <fullname>-<name>, `_` -> `-` (DNS-1035). ctx: {root, name} */}}
{{- define "llamastack.componentName" -}}
{{- printf "%s-%s" (include "llamastack.fullname" .root) (.name | replace "_" "-") | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "llamastack.selectorLabels" -}}
app.kubernetes.io/name: {{ include "llamastack.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .name | replace "_" "-" }}
{{- end }}

{{/* Standard labels (bitnami shape). ctx: {root, name} */}}
{{- define "llamastack.labels" -}}
helm.sh/chart: {{ include "llamastack.chart" .root }}
{{ include "llamastack.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: llamastack
{{- with .root.Values.distribution }}
llamastack.io/distribution: {{ . }}
{{- end }}
{{- end }}

{{- define "llamastack.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{- define "llamastack.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "llamastack.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* A component's settings: its own entry over `defaults`. ctx: {root, name} -> YAML */}}
{{- define "llamastack.settings" -}}
{{- $own := index .root.Values.components .name }}
{{- toYaml (merge (deepCopy $own) (deepCopy .root.Values.defaults)) }}
{{- end }}

{{/* host:port of a component's Service. ctx: {root, name} */}}
{{- define "llamastack.addr" -}}
{{- $c := index .root.Values.components .name }}
{{- printf "%s:%v" (include "llamastack.componentName" .) $c.port }}
{{- end }}

{{/* Infrastructure URLs for the run.yaml's variables (bundled or external). -> YAML map */}}
{{- define "llamastack.infraEnv" -}}
{{- $v := .Values }}
{{- $out := dict }}
{{- if and $v.redis.urlEnv (or $v.redis.enabled $v.redis.externalUrl) }}
{{- $url := $v.redis.externalUrl }}
{{- if $v.redis.enabled }}
{{- $url = printf "redis://%s:6379/0" (include "llamastack.componentName" (dict "root" . "name" "redis")) }}
{{- end }}
{{- $_ := set $out $v.redis.urlEnv $url }}
{{- end }}
{{- if and $v.qdrant.urlEnv (or $v.qdrant.enabled $v.qdrant.externalUrl) }}
{{- $url := $v.qdrant.externalUrl }}
{{- if $v.qdrant.enabled }}
{{- $url = printf "http://%s:6333" (include "llamastack.componentName" (dict "root" . "name" "qdrant")) }}
{{- end }}
{{- $_ := set $out $v.qdrant.urlEnv $url }}
{{- end }}
{{- if $v.vllm.urlEnv }}
{{- if $v.vllm.deploy.enabled }}
{{- $_ := set $out $v.vllm.urlEnv (printf "http://%s:8000/v1" (include "llamastack.componentName" (dict "root" . "name" "vllm"))) }}
{{- if $v.vllm.modelEnv }}
{{- $_ := set $out $v.vllm.modelEnv $v.vllm.deploy.model }}
{{- end }}
{{- else if $v.vllm.url }}
{{- $_ := set $out $v.vllm.urlEnv $v.vllm.url }}
{{- end }}
{{- end }}
{{- toYaml $out }}
{{- end }}

{{/* Every variable of a mesh component, as an env list. ctx: {root, name} */}}
{{- define "llamastack.env" -}}
{{- $root := .root }}
{{- $c := include "llamastack.settings" . | fromYaml }}
{{- $gw := dict "root" $root "name" "gateway" }}
{{- $vars := dict }}
{{- $vars = merge $vars (deepCopy $c.env) }}
{{- $vars = merge $vars (deepCopy $root.Values.env) }}
{{- $vars = merge $vars (include "llamastack.infraEnv" $root | fromYaml) }}
{{- $_ := set $vars "LLS_SERVICE_NAME" .name }}
{{- $_ := set $vars "LLS_LOG_LEVEL" $root.Values.logLevel }}
{{- $_ := set $vars "LLS_GATEWAY_ADDR" (include "llamastack.addr" $gw) }}
{{- /* every process exports its spans and metrics to the telemetry service */}}
{{- range $name, $other := $root.Values.components }}
{{- if eq (toString $other.api) "telemetry" }}
{{- $_ := set $vars (printf "LLS_%s_ADDR" (upper $name)) (include "llamastack.addr" (dict "root" $root "name" $name)) }}
{{- end }}
{{- end }}
{{- if eq $c.role "envoy" }}
{{- $_ := set $vars "LLS_ENVOY_CONFIG" "/etc/envoy/envoy.yaml" }}
{{- else }}
{{- $_ := set $vars "LLS_GRPC_PORT" (toString $c.port) }}
{{- $_ := set $vars "LLS_RUN_CONFIG" "/etc/llamastack/run.yaml" }}
{{- $_ := set $vars "LLS_STATE_DIR" "/var/lib/llamastack" }}
{{- if include "llamastack.meshAuthSecret" $root }}
{{- $_ := set $vars "LLS_MESH_AUTH_DIR" "/etc/llamastack/auth" }}
{{- $_ := set $vars "LLS_MESH_REQUIRE" "true" }}
{{- if and $root.Values.meshAuth.mtls (eq (toString $c.role) "service") }}
{{- $_ := set $vars "LLS_MESH_HEALTH_PORT" (toString (include "llamastack.healthPort" .)) }}
{{- end }}
{{- end }}
{{- $_ := set $vars "LLS_AUTH_ENABLED" (toString $root.Values.auth.enabled) }}
{{- with $root.Values.auth.adminKeySha256 }}
{{- $_ := set $vars "LLS_ADMIN_KEY_SHA256" . }}
{{- end }}
{{- end }}
{{- if eq $c.role "gateway" }}
{{- with $c.workers }}
{{- $_ := set $vars "LLS_GATEWAY_WORKERS" (toString .) }}
{{- end }}
{{- range $name, $other := $root.Values.components }}
{{- if eq (toString $other.role) "service" }}
{{- $_ := set $vars (printf "LLS_%s_ADDR" (upper $name)) (include "llamastack.addr" (dict "root" $root "name" $name)) }}
{{- end }}
{{- end }}
{{- end }}
{{- range $key := keys $vars | sortAlpha }}
- name: {{ $key }}
  value: {{ index $vars $key | toString | quote }}
{{- end }}
{{- end }}

{{/* The variables of every mesh pod, merged (for the requiredEnv check). */}}
{{- define "llamastack.sharedEnv" -}}
{{- $vars := merge (deepCopy .Values.env) (include "llamastack.infraEnv" . | fromYaml) }}
{{- toYaml $vars }}
{{- end }}

{{/* gRPC probes on the component's port. ctx: {root, name} */}}
{{- define "llamastack.grpcProbes" -}}
{{- $c := include "llamastack.settings" . | fromYaml }}
{{- $port := include "llamastack.healthPort" . }}
startupProbe:
  grpc:
    port: {{ $port }}
    service: liveness
  {{- toYaml $c.probes.startup | nindent 2 }}
livenessProbe:
  grpc:
    port: {{ $port }}
    service: liveness
  {{- toYaml $c.probes.liveness | nindent 2 }}
readinessProbe:
  grpc:
    port: {{ $port }}
    service: readiness
  {{- toYaml $c.probes.readiness | nindent 2 }}
{{- end }}

{{/* The mesh credential's Secret ("" when meshAuth is off): the given one, or the chart's. */}}
{{- define "llamastack.meshAuthSecret" -}}
{{- if .Values.meshAuth.enabled }}
{{- .Values.meshAuth.existingSecret | default (printf "%s-mesh-auth" (include "llamastack.fullname" .)) }}
{{- end }}
{{- end }}

{{/* Where kubelet probes a component: an mTLS API service answers health checks in plaintext
on its port + 1000 (services/common/security/mesh.py); others on their port. ctx: {root, name} */}}
{{- define "llamastack.healthPort" -}}
{{- $c := index .root.Values.components .name }}
{{- if and (eq (toString $c.role) "service") (include "llamastack.meshAuthSecret" .root) .root.Values.meshAuth.mtls }}
{{- add (int $c.port) 1000 }}
{{- else }}
{{- $c.port }}
{{- end }}
{{- end }}
