"""Reading operands and problems: files, stdin and inline text into exact arrays.

``source`` (bytes from a path, stdin or inline text) → ``json_text`` / ``csv_text`` /
``npy_file`` (one format each) → ``nested`` (lists → arrays) ; ``operands`` sniffs and
dispatches; ``problem`` gathers a whole problem; ``params`` reads ``--stride`` and friends.
"""
