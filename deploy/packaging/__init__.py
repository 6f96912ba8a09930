"""Packaging: the same run.yaml as the local launcher, as a container image, docker compose and
a Helm release.

model.py        a run.yaml -> its components (from the launcher's `build_plan`), the infrastructure
                its providers need (Redis, Qdrant, vLLM) and the `${env.X}` it reads
envoy.py        Envoy's config for containers: `deploy.envoy`'s config plus a probe listener
helm_values.py  the chart's values for a run.yaml (`values-<distribution>.yaml`)
schema.py       the chart's `values.schema.json`, generated from `values.yaml`
compose.py      `docker-compose.yml` for one or more distributions (one profile each)
sync.py         the generated files in the repo, written or checked (`llamastack package sync`)
entrypoint.py   the image's ENTRYPOINT: `<component>` -> exec the process the launcher would run
probe.py        gRPC health / HTTP readiness checks (compose health checks, `helm test`)
smoke.py        `helm test`: every component healthy, then one chat call

Standard library, PyYAML and `services.common.config` only: nothing heavy is imported.
"""
