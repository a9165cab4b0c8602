"""The command line: a thin Click layer that parses flags into one typed request, calls the library, renders.

main.py          the Click group: lazy commands, --version/--debug, errors → one line and an exit code
bundles.py       option bundles shared by the commands, each beside the reader that builds its record
param_types.py   Click types for parameters, shapes and --tol, calling the library's one parser
requests.py      the typed choices (problem, parameters, output, trace) every request is made of
solving.py       gather the problem a request names, solve it, the notes for stderr
views.py         a derivation or Rich renderable as the chosen view's text; SVG/HTML export
emit.py          stdout, or the output file replaced atomically
compute.py, check.py, explain.py, samples.py, verify.py   one module per command
"""
