"""The safety API service: shields over messages (Llama Guard through the mesh, a
deterministic policy shield)."""
