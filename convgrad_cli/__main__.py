"""``python -m convgrad_cli`` runs the same CLI as ``convgrad``."""

from .cli.main import main

main(prog_name="convgrad")
