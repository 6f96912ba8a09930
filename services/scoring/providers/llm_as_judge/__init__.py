"""`inline::llm-as-judge`: a judge model, reached through the gateway, grades each row."""
