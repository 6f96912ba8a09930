"""Security pieces every mesh process shares.

- `config`: the run.yaml's `server.auth` and `server.quota` sections (validated at load).
- `errors`: UNAUTHENTICATED, PERMISSION_DENIED and RESOURCE_EXHAUSTED as domain errors.
- `mesh`: the closed internal network (shared secret and optional mTLS between the gateway
  and the API services): the credential, the server interceptor, the channels.
- `principal`: the caller's identity as the gateway forwards it to services
  (`x-llamastack-principal`, `x-llamastack-attributes`).
- `usage`: how a service reports the tokens a call used (trailing metadata the gateway reads
  for quotas).

The gateway's authentication, access control and quotas live in `gateway/auth`.
"""
