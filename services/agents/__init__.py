"""The agents API service: agents, sessions and turns, calling other APIs through the gateway."""
