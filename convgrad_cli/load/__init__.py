"""Reading operands and problems: files, stdin and inline text into exact arrays.

``source`` (bytes from a path, stdin or inline text, decoded) → one module per form of
text: ``json_text``, ``typed_text`` (MATLAB and NumPy's printed matrices), ``csv_text``,
``npy_file`` → ``nested`` (lists → arrays of ``cells``).  ``operands`` sniffs the form and
is the one reader ``compute`` and ``check`` share; ``problem`` gathers a whole problem;
``params`` reads ``--stride`` and friends; ``limits`` holds every size limit; ``samples``
the built-in problems; ``atomic`` writes results.
"""
