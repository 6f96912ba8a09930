"""The `llamastack` command: run a distribution, and talk to a running stack over gRPC.

    llamastack run local                 start the embedded default distribution
    llamastack health                    health and version of the running stack
    llamastack providers list
    llamastack models list|get|register|unregister   (and shields, datasets, vector-dbs,
                                                      scoring-functions, benchmarks, toolgroups)
    llamastack chat "Hello" --stream     one-shot chat completion
    llamastack datasetio rows|append     read / append dataset rows
    llamastack scoring score|score-batch score rows or a dataset
    llamastack eval run <benchmark>      run a benchmark job (progress bar, aggregate table)
    llamastack traces list|show <id>     traces recorded by the telemetry service
    llamastack package values|compose    Helm values / docker compose for a run.yaml
    llamastack shields run policy "text" run a shield on a text (exit 3 when blocked)
    llamastack keys create|list|get|revoke|hash   API keys (server.auth)
    llamastack rag insert my-docs ./docs (progress bar); rag query "..." -v my-docs
    llamastack vector-io query|insert|delete; tools list|invoke
    llamastack agents create|list|chat|...   agents, sessions and turns

Client commands reach the gateway at `--gateway` / `LLS_GATEWAY_ADDR` (default
localhost:50051).
"""

from __future__ import annotations

import typer

from cli.agents import agents_app
from cli.chat import chat
from cli.data_cmds import datasetio_app, scoring_app
from cli.eval_cmds import eval_app
from cli.inspect_cmds import health, providers_app
from cli.keys_cmds import keys_app
from cli.package_cmds import package_app
from cli.resources import add_resource_commands
from cli.run_cmd import run
from cli.safety import add_shield_commands
from cli.tool_cmds import rag_app, tools_app
from cli.traces import traces_app
from cli.vector_cmds import vector_io_app

__all__ = ["app"]

app = typer.Typer(
    name="llamastack",
    help="Llama Stack Mesh: run a distribution and use it from the command line.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.command("run")(run)
app.command("health")(health)
app.add_typer(providers_app, name="providers")
add_resource_commands(app)
add_shield_commands(app)
app.command("chat")(chat)
app.add_typer(traces_app, name="traces")
app.add_typer(package_app, name="package")
app.add_typer(keys_app, name="keys")
app.add_typer(vector_io_app, name="vector-io")
app.add_typer(rag_app, name="rag")
app.add_typer(tools_app, name="tools")
app.add_typer(datasetio_app, name="datasetio")
app.add_typer(scoring_app, name="scoring")
app.add_typer(eval_app, name="eval")
app.add_typer(agents_app, name="agents")

if __name__ == "__main__":
    app()
