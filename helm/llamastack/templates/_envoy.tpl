{{/*
Envoy's config: files/envoy.yaml (rendered by `llamastack package sync` from deploy/envoy, with a
probe listener) or components.envoy.config, pointed at the gateway's headless Service.
*/}}
{{- define "llamastack.envoyConfig" -}}
{{- $text := .Values.components.envoy.config | default (.Files.Get "files/envoy.yaml") }}
{{- $gateway := printf "%s-headless" (include "llamastack.componentName" (dict "root" . "name" "gateway")) }}
{{- $text | replace "__LLS_GATEWAY_HOST__" $gateway }}
{{- end }}
