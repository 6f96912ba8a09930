{{/* Readable failures for values that cannot work, checked before anything renders. */}}
{{- define "llamastack.validate" -}}
{{- $v := .Values }}
{{- if not $v.runConfig }}
{{- fail "runConfig is empty: install with -f helm/llamastack/values-<distribution>.yaml, or generate values for your run.yaml with `llamastack package values path/to/run.yaml`" }}
{{- end }}
{{- $rc := fromYaml $v.runConfig }}
{{- if hasKey $rc "Error" }}
{{- fail (printf "runConfig is not valid YAML: %s" $rc.Error) }}
{{- end }}
{{- $declared := list }}
{{- range $name, $_ := ($rc.services | default dict) }}
{{- if not (has $name (list "gateway" "envoy")) }}
{{- $declared = append $declared $name }}
{{- if not (hasKey $v.components $name) }}
{{- fail (printf "the run.yaml runs service %q but components has no %q entry: regenerate the values with `llamastack package values`" $name $name) }}
{{- end }}
{{- end }}
{{- end }}
{{- range $name, $c := $v.components }}
{{- if not (has (toString $c.role) (list "gateway" "envoy" "service")) }}
{{- fail (printf "components.%s.role must be gateway, envoy or service (got %q)" $name (toString $c.role)) }}
{{- end }}
{{- if and (eq (toString $c.role) "service") (not (has $name $declared)) }}
{{- fail (printf "components.%s is an API service but the run.yaml's services: has no %q: the chart runs exactly the run.yaml's services" $name $name) }}
{{- end }}
{{- end }}
{{- $gw := $v.components.gateway }}
{{- $store := (($rc.metadata_store | default dict).type | default "sqlite") }}
{{- if and (ne $store "redis") (or (gt (int $gw.replicas) 1) $gw.autoscaling.enabled) }}
{{- fail (printf "the gateway can run several replicas only on a shared Redis registry; this run.yaml's metadata_store is %s (set components.gateway.replicas=1 and autoscaling.enabled=false, or use metadata_store type redis)" $store) }}
{{- end }}
{{- if and (eq $store "redis") $gw.persistence.enabled }}
{{- fail "components.gateway.persistence is for the SQLite registry; with metadata_store redis the state lives in Redis" }}
{{- end }}
{{- $env := include "llamastack.sharedEnv" . | fromYaml }}
{{- range $name := $v.requiredEnv }}
{{- if not (index $env $name) }}
{{- if and (eq $name $v.vllm.urlEnv) }}
{{- fail (printf "the run.yaml needs %s: set vllm.url to your vLLM endpoint (e.g. http://vllm:8000/v1) or vllm.deploy.enabled=true" $name) }}
{{- else }}
{{- fail (printf "the run.yaml needs %s: set env.%s" $name $name) }}
{{- end }}
{{- end }}
{{- end }}
{{- if and $v.vllm.deploy.enabled (not $v.vllm.deploy.model) }}
{{- fail "vllm.deploy.enabled needs vllm.deploy.model (the Hugging Face model vLLM serves)" }}
{{- end }}
{{- end }}
