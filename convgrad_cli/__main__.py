"""``python -m convgrad_cli`` runs the same CLI as ``convgrad``."""

from .cli import main

main(prog_name="convgrad")
